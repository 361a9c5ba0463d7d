//! A simulated pod: its object (metadata and spec, built once, from a scenario workload or
//! from a controller's pod template) and the behaviour of its containers (logs, restarts,
//! crash loops, pulls, probes). The status is computed in `podstatus`.

use serde_json::{Map, Value, json};

use super::lifecycle::{Plan, Schedule, Timeline};
use super::logs::LogGen;
use super::pulls::Pull;
use super::quantity::default_pull_policy;
use super::scenario::{
    ContainerSpec, CrashLoopSpec, LogEncoding, LogFormat, LogSpec, OwnerKind, WorkloadSpec,
};
use super::util::{Nanos, SECOND};

pub use super::podstatus::status;

/// How long a new pod stays in ContainerCreating before its first container starts.
pub const STARTUP: Nanos = SECOND;

/// One container of a simulated pod.
#[derive(Debug, Clone)]
pub struct ContainerSim {
    pub name: String,
    pub image: String,
    pub loggen: LogGen,
    pub plan: Plan,
    /// The effective pull policy (`Always`, `IfNotPresent`, `Never`).
    pub pull_policy: String,
    pub pull: Pull,
    /// Whether the readiness probe passes while the container runs.
    pub probe_ok: bool,
    /// Whether restarts are liveness-probe kills (Unhealthy and Killing events).
    pub liveness_kills: bool,
}

impl ContainerSim {
    /// The container's timeline at `now`: nothing has run until its image is there.
    pub fn timeline(&self, now: Nanos) -> Timeline {
        if self.pull.done {
            self.plan.at(now)
        } else {
            Timeline::default()
        }
    }
}

/// A simulated pod.
#[derive(Debug, Clone)]
pub struct PodSim {
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// When the pod object appears in the API.
    pub appear_at: Nanos,
    /// When deletion starts (deletionTimestamp set), if planned.
    pub delete_at: Option<Nanos>,
    /// When deletion started, once it has.
    pub terminating_since: Option<Nanos>,
    pub created: bool,
    /// Empty while unscheduled.
    pub node: String,
    /// Why the scheduler cannot place the pod (it then stays Pending).
    pub unschedulable: Option<String>,
    pub pod_ip: String,
    pub host_ip: String,
    pub init: Vec<ContainerSim>,
    pub containers: Vec<ContainerSim>,
    /// metadata + spec (status is computed).
    pub template: Value,
    /// Per main container: instances and back-off state already reported as events.
    pub seen: Vec<(u32, bool)>,
}

fn resources_json(c: &ContainerSpec) -> Value {
    let mut r = json!({});
    for (key, res) in [("requests", &c.requests), ("limits", &c.limits)] {
        let mut m = Map::new();
        if let Some(cpu) = &res.cpu {
            m.insert("cpu".into(), json!(cpu));
        }
        if let Some(mem) = &res.memory {
            m.insert("memory".into(), json!(mem));
        }
        if !m.is_empty() {
            r[key] = Value::Object(m);
        }
    }
    // As the API server defaults it: limits without requests request the limits.
    if r.get("requests").is_none()
        && let Some(l) = r.get("limits").cloned()
    {
        r["requests"] = l;
    }
    r
}

fn probe(path: &str, port: u16) -> Value {
    json!({"httpGet": {"path": path, "port": port, "scheme": "HTTP"}, "timeoutSeconds": 1,
           "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})
}

/// The container as it appears in a pod spec.
pub fn container_json(c: &ContainerSpec, kind: OwnerKind) -> Value {
    let ports: Vec<Value> = c
        .ports
        .iter()
        .map(|p| json!({"containerPort": p, "protocol": "TCP"}))
        .collect();
    let policy = c
        .image_pull_policy
        .clone()
        .unwrap_or_else(|| default_pull_policy(&c.image).into());
    let mut v = json!({
        "name": c.name,
        "image": c.image,
        "imagePullPolicy": policy,
        "resources": resources_json(c),
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
    });
    if !ports.is_empty() {
        v["ports"] = Value::Array(ports);
    }
    let port = c.ports.first().copied().unwrap_or(8080);
    if !c.ready {
        v["readinessProbe"] = probe("/ready", port);
    }
    if liveness_kills(c, kind) {
        v["livenessProbe"] = probe("/healthz", port);
    }
    v
}

fn liveness_kills(c: &ContainerSpec, _kind: OwnerKind) -> bool {
    !c.restart_after.is_empty() && c.exit_code == 137
}

const SA_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The pod template (labels and spec, no name) of a scenario workload.
pub fn template(w: &WorkloadSpec) -> Value {
    let mut labels = Map::new();
    for (k, v) in &w.labels {
        labels.insert(k.clone(), json!(v));
    }
    let restart_policy = if w.kind == OwnerKind::Job {
        "Never"
    } else {
        "Always"
    };
    let containers: Vec<Value> = w
        .containers
        .iter()
        .map(|c| container_json(c, w.kind))
        .collect();
    let mut spec = json!({
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": true,
        "restartPolicy": restart_policy,
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": w.service_account,
        "serviceAccountName": w.service_account,
        "terminationGracePeriodSeconds": 30,
    });
    if !w.init_containers.is_empty() {
        spec["initContainers"] = Value::Array(
            w.init_containers
                .iter()
                .map(|c| container_json(c, w.kind))
                .collect(),
        );
    }
    if !w.image_pull_secrets.is_empty() {
        spec["imagePullSecrets"] = Value::Array(
            w.image_pull_secrets
                .iter()
                .map(|s| json!({"name": s}))
                .collect(),
        );
    }
    if !w.node_selector.is_empty() {
        spec["nodeSelector"] = json!(w.node_selector);
    }
    json!({"metadata": {"labels": labels}, "spec": spec})
}

/// What the API server and the admission plugins add to a pod at creation: the projected
/// service-account token volume and its mounts, default tolerations, priority.
pub fn admit(pod: &mut Value) {
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return;
    };
    spec.entry("preemptionPolicy")
        .or_insert(json!("PreemptLowerPriority"));
    spec.entry("priority").or_insert(json!(0));
    spec.entry("tolerations").or_insert(json!([
        {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
        {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
    ]));
    let volumes = spec.entry("volumes").or_insert(json!([]));
    if let Some(v) = volumes.as_array_mut()
        && !v
            .iter()
            .any(|x| x.get("name") == Some(&json!("kube-api-access")))
    {
        v.push(json!({"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]}}));
    }
    for key in ["initContainers", "containers"] {
        for c in spec
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let mounts = c.as_object_mut().map(|m| {
                m.entry("volumeMounts")
                    .or_insert(json!([]))
                    .as_array_mut()
                    .map(|a| {
                        if !a.iter().any(|x| x.get("mountPath") == Some(&json!(SA_MOUNT))) {
                            a.push(json!({"name": "kube-api-access", "mountPath": SA_MOUNT, "readOnly": true}));
                        }
                    })
            });
            let _ = mounts;
        }
    }
}

fn default_logs(finite: bool) -> LogSpec {
    LogSpec {
        rate: 1.0,
        format: LogFormat::Text,
        sequence: true,
        messages: Vec::new(),
        lines: finite.then_some(5),
        encoding: LogEncoding::Utf8,
        line_bytes: 0,
    }
}

/// The simulated containers of pod object `obj` (named `pod`), planned to start at `start`:
/// behaviour from the matching container of `behaviour` (by name), or a default one (a line a
/// second; five lines and exit 0 when the pod does not restart).
fn sims(
    obj: &Value,
    behaviour: Option<&WorkloadSpec>,
    start: Nanos,
    origin: Nanos,
) -> (Vec<ContainerSim>, Vec<ContainerSim>) {
    let ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let pod = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let uid = obj
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let restarts = obj.pointer("/spec/restartPolicy").and_then(Value::as_str) != Some("Never")
        && obj.pointer("/spec/restartPolicy").and_then(Value::as_str) != Some("OnFailure");
    let list = |key: &str| -> Vec<Value> {
        obj.pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let find = |name: &str, init: bool| -> Option<&ContainerSpec> {
        let b = behaviour?;
        let l = if init {
            &b.init_containers
        } else {
            &b.containers
        };
        l.iter().find(|c| c.name == name)
    };
    let seed = |c: &str| format!("{ns}/{pod}/{c}/{uid}");
    let mk = |c: &Value, init: bool, t: Nanos| -> ContainerSim {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("main");
        let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
        let spec = find(name, init);
        let logspec = spec.map_or_else(|| default_logs(init || !restarts), |s| s.logs.clone());
        let loggen = LogGen::new(&logspec, pod, name);
        let finite = loggen.finite_run();
        let schedule = match (spec.and_then(|s| s.crash_loop.clone()), finite) {
            _ if init => Schedule::Once(finite.unwrap_or(SECOND)),
            (Some(cl), _) => Schedule::CrashLoop(cl),
            (None, Some(run)) if !restarts => Schedule::Once(run),
            // A container that exits 0 under restartPolicy Always is restarted with the same
            // back-off as a crashing one.
            (None, Some(run)) => Schedule::CrashLoop(CrashLoopSpec {
                run_for: run,
                backoff: 10 * SECOND,
                max_backoff: 300 * SECOND,
                exit_code: 0,
                oom_killed: false,
            }),
            (None, None) => Schedule::Restarts(
                spec.map(|s| s.restart_after.iter().map(|d| origin + d).collect())
                    .unwrap_or_default(),
            ),
        };
        let oom = spec
            .and_then(|s| s.crash_loop.as_ref())
            .is_some_and(|c| c.oom_killed);
        let policy = c
            .get("imagePullPolicy")
            .and_then(Value::as_str)
            .map_or_else(|| default_pull_policy(image).to_string(), String::from);
        ContainerSim {
            name: name.to_string(),
            image: image.to_string(),
            loggen,
            plan: Plan {
                first_start: t,
                schedule,
                exit_code: spec.map_or(1, |s| s.exit_code),
                oom,
                seed: seed(name),
            },
            pull_policy: policy,
            pull: Pull::default(),
            probe_ok: spec.is_none_or(|s| s.ready),
            liveness_kills: spec.is_some_and(|s| liveness_kills(s, OwnerKind::Pod)),
        }
    };
    let mut t = start;
    let mut init = Vec::new();
    for c in list("initContainers") {
        let sim = mk(&c, true, t);
        t += sim.loggen.finite_run().unwrap_or(SECOND);
        init.push(sim);
    }
    let containers = list("containers").iter().map(|c| mk(c, false, t)).collect();
    (init, containers)
}

/// Where a pod runs: its node and IPs, or why it cannot be scheduled.
pub struct Placement {
    pub node: String,
    pub pod_ip: String,
    pub host_ip: String,
    pub unschedulable: Option<String>,
}

/// A simulated pod for object `obj` (metadata with uid, and spec), appearing at `appear_at`;
/// `origin` is its workload's timeline zero (restart times count from there).
pub fn from_object(
    obj: &Value,
    behaviour: Option<&WorkloadSpec>,
    appear_at: Nanos,
    origin: Nanos,
    place: Placement,
) -> PodSim {
    let s = |p: &str| {
        obj.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let (init, containers) = sims(obj, behaviour, appear_at + STARTUP, origin);
    let mut template = obj.clone();
    if place.unschedulable.is_none() {
        template["spec"]["nodeName"] = json!(place.node);
    }
    if let Some(m) = template.as_object_mut() {
        m.shift_remove("status");
    }
    PodSim {
        namespace: s("/metadata/namespace"),
        name: s("/metadata/name"),
        uid: s("/metadata/uid"),
        appear_at,
        delete_at: None,
        terminating_since: None,
        created: false,
        node: place.node,
        unschedulable: place.unschedulable,
        pod_ip: place.pod_ip,
        host_ip: place.host_ip,
        init,
        containers,
        template,
        seen: Vec::new(),
    }
}

/// Finds a container (main or init) by name.
pub fn find_container<'a>(pod: &'a PodSim, name: &str) -> Option<&'a ContainerSim> {
    pod.containers
        .iter()
        .chain(pod.init.iter())
        .find(|c| c.name == name)
}
