//! A simulated pod: its object (metadata and spec, built once) and its status, computed from
//! the container plans and the clock exactly as a kubelet would report it.

use serde_json::{Value, json};

use super::lifecycle::{Instance, Plan, Schedule, Timeline};
use super::logs::LogGen;
use super::scenario::{ContainerSpec, CrashLoopSpec, OwnerKind, WorkloadSpec};
use super::util::{Nanos, SECOND, rfc3339, stable_hex, stable_suffix};

/// How long a new pod stays in ContainerCreating before its first container starts.
pub const STARTUP: Nanos = SECOND;

/// One container of a simulated pod.
#[derive(Debug, Clone)]
pub struct ContainerSim {
    pub name: String,
    pub image: String,
    pub loggen: LogGen,
    pub plan: Plan,
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
    pub node: String,
    pub pod_ip: String,
    pub host_ip: String,
    pub init: Vec<ContainerSim>,
    pub containers: Vec<ContainerSim>,
    /// metadata + spec (status is computed).
    pub template: Value,
    /// Per main container: instances and back-off state already reported as events.
    pub seen: Vec<(u32, bool)>,
}

/// A pod's name, its controller (kind, name) and the labels the controller adds.
pub type PodIdentity = (
    String,
    Option<(&'static str, String)>,
    Vec<(String, String)>,
);

/// The pods a workload produces, named as its controller would name them.
pub fn pod_names(w: &WorkloadSpec) -> Vec<PodIdentity> {
    let hash = stable_suffix(&[&w.namespace, &w.name, "template"], 10);
    (0..w.replicas)
        .map(|i| {
            let rnd = stable_suffix(&[&w.namespace, &w.name, &i.to_string()], 5);
            match w.kind {
                OwnerKind::Deployment => (
                    format!("{}-{hash}-{rnd}", w.name),
                    Some(("ReplicaSet", format!("{}-{hash}", w.name))),
                    vec![("pod-template-hash".into(), hash.clone())],
                ),
                OwnerKind::ReplicaSet => (
                    format!("{}-{rnd}", w.name),
                    Some(("ReplicaSet", w.name.clone())),
                    vec![],
                ),
                OwnerKind::StatefulSet => {
                    let name = format!("{}-{i}", w.name);
                    let labels = vec![
                        ("apps.kubernetes.io/pod-index".into(), i.to_string()),
                        (
                            "controller-revision-hash".into(),
                            format!("{}-{hash}", w.name),
                        ),
                        ("statefulset.kubernetes.io/pod-name".into(), name.clone()),
                    ];
                    (name, Some(("StatefulSet", w.name.clone())), labels)
                }
                OwnerKind::DaemonSet => (
                    format!("{}-{rnd}", w.name),
                    Some(("DaemonSet", w.name.clone())),
                    vec![("controller-revision-hash".into(), hash[..9].to_string())],
                ),
                OwnerKind::Job => (
                    format!("{}-{rnd}", w.name),
                    Some(("Job", w.name.clone())),
                    vec![
                        ("batch.kubernetes.io/job-name".into(), w.name.clone()),
                        ("job-name".into(), w.name.clone()),
                    ],
                ),
                OwnerKind::Pod => (w.name.clone(), None, vec![]),
            }
        })
        .collect()
}

fn container_json(c: &ContainerSpec) -> Value {
    let ports: Vec<Value> = c
        .ports
        .iter()
        .map(|p| json!({"containerPort": p, "protocol": "TCP"}))
        .collect();
    let mut v = json!({
        "name": c.name,
        "image": c.image,
        "imagePullPolicy": "IfNotPresent",
        "resources": {},
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [{"name": "kube-api-access", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "readOnly": true}],
    });
    if !ports.is_empty() {
        v["ports"] = Value::Array(ports);
    }
    v
}

/// Builds the pod for replica `index` of workload `w`, appearing at `origin` (its timeline's
/// zero: restarts and deletion count from there) with containers started `w.age` earlier.
pub fn build(
    w: &WorkloadSpec,
    index: usize,
    origin: Nanos,
    node: &str,
    pod_ip: String,
    host_ip: String,
    uid: String,
) -> Option<PodSim> {
    let (name, owner, extra_labels) = pod_names(w).into_iter().nth(index)?;
    let appear_at = origin - w.age;
    let mut labels = serde_json::Map::new();
    for (k, v) in w
        .labels
        .iter()
        .chain(extra_labels.iter().map(|(k, v)| (k, v)))
    {
        labels.insert(k.clone(), Value::String(v.clone()));
    }
    let mut metadata = json!({
        "name": name,
        "namespace": w.namespace,
        "uid": uid,
        "creationTimestamp": rfc3339(appear_at),
        "labels": labels,
    });
    if let Some((kind, owner_name)) = &owner {
        let api = match *kind {
            "Job" => "batch/v1",
            _ => "apps/v1",
        };
        let owner_uid = stable_hex(&[&w.namespace, owner_name, kind], 32);
        if *kind != "StatefulSet" {
            let prefix = name.rsplit_once('-').map_or(name.as_str(), |(a, _)| a);
            metadata["generateName"] = Value::String(format!("{prefix}-"));
        }
        metadata["ownerReferences"] = json!([{
            "apiVersion": api, "kind": kind, "name": owner_name,
            "uid": format!("{}-{}-{}-{}-{}", &owner_uid[..8], &owner_uid[8..12], &owner_uid[12..16], &owner_uid[16..20], &owner_uid[20..]),
            "controller": true, "blockOwnerDeletion": true,
        }]);
    }
    let restart_policy = if w.kind == OwnerKind::Job {
        "Never"
    } else {
        "Always"
    };
    let mut image_pull_secrets = Vec::new();
    for s in &w.image_pull_secrets {
        image_pull_secrets.push(json!({"name": s}));
    }
    let mut spec = json!({
        "containers": w.containers.iter().map(container_json).collect::<Vec<_>>(),
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": true,
        "nodeName": node,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": restart_policy,
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": w.service_account,
        "serviceAccountName": w.service_account,
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ],
        "volumes": [{"name": "kube-api-access", "projected": {"defaultMode": 420, "sources": [{"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}],
    });
    if !w.init_containers.is_empty() {
        spec["initContainers"] =
            Value::Array(w.init_containers.iter().map(container_json).collect());
    }
    if !image_pull_secrets.is_empty() {
        spec["imagePullSecrets"] = Value::Array(image_pull_secrets);
    }
    let seed = |c: &str| format!("{}/{}/{c}", w.namespace, name);
    let mut t = appear_at + STARTUP;
    let mut init = Vec::new();
    for c in &w.init_containers {
        let loggen = LogGen::new(&c.logs, &name, &c.name);
        let run = loggen.finite_run().unwrap_or(SECOND);
        init.push(ContainerSim {
            name: c.name.clone(),
            image: c.image.clone(),
            plan: Plan {
                first_start: t,
                schedule: Schedule::Once(run),
                exit_code: 0,
                seed: seed(&c.name),
            },
            loggen,
        });
        t += run;
    }
    let containers = w
        .containers
        .iter()
        .map(|c| {
            let loggen = LogGen::new(&c.logs, &name, &c.name);
            let schedule = match (&c.crash_loop, loggen.finite_run()) {
                (Some(spec), _) => Schedule::CrashLoop(spec.clone()),
                (None, Some(run)) if w.kind == OwnerKind::Job => Schedule::Once(run),
                // A container that exits 0 under restartPolicy Always is restarted with the
                // same back-off as a crashing one.
                (None, Some(run)) => Schedule::CrashLoop(CrashLoopSpec {
                    run_for: run,
                    backoff: 10 * SECOND,
                    max_backoff: 300 * SECOND,
                    exit_code: 0,
                }),
                (None, None) => {
                    Schedule::Restarts(c.restart_after.iter().map(|d| origin + d).collect())
                }
            };
            ContainerSim {
                name: c.name.clone(),
                image: c.image.clone(),
                plan: Plan {
                    first_start: t,
                    schedule,
                    exit_code: c.exit_code,
                    seed: seed(&c.name),
                },
                loggen,
            }
        })
        .collect();
    Some(PodSim {
        namespace: w.namespace.clone(),
        name,
        uid,
        appear_at,
        delete_at: w.delete_after.map(|d| origin + d),
        terminating_since: None,
        created: false,
        node: node.to_string(),
        pod_ip,
        host_ip,
        init,
        containers,
        template: json!({"kind": "Pod", "apiVersion": "v1", "metadata": metadata, "spec": spec}),
        seen: Vec::new(),
    })
}

fn terminated(i: &Instance) -> Value {
    json!({"terminated": {
        "exitCode": i.exit_code,
        "reason": if i.exit_code == 0 { "Completed" } else { "Error" },
        "startedAt": rfc3339(i.start),
        "finishedAt": i.end.map(rfc3339),
        "containerID": i.id,
    }})
}

/// A container's status entry and whether it is ready, at `now`.
fn container_status(
    pod: &PodSim,
    c: &ContainerSim,
    t: &Timeline,
    now: Nanos,
    init_running: bool,
) -> (Value, bool) {
    let (state, last, ready, id) = match &t.current {
        None => {
            let reason = if init_running {
                "PodInitializing"
            } else {
                "ContainerCreating"
            };
            (
                json!({"waiting": {"reason": reason}}),
                json!({}),
                false,
                None,
            )
        }
        Some(cur) if cur.running_at(now) => {
            let last = t.previous.as_ref().map_or(json!({}), terminated);
            (
                json!({"running": {"startedAt": rfc3339(cur.start)}}),
                last,
                true,
                Some(cur.id.clone()),
            )
        }
        Some(cur) if t.next_start.is_some() => {
            let backoff = c.plan.backoff_at(now).unwrap_or(10 * SECOND) / SECOND;
            let msg = format!(
                "back-off {} restarting failed container={} pod={}_{}({})",
                super::util::human_duration(backoff * SECOND),
                c.name,
                pod.name,
                pod.namespace,
                pod.uid
            );
            (
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": msg}}),
                terminated(cur),
                false,
                Some(cur.id.clone()),
            )
        }
        Some(cur) => {
            let last = t.previous.as_ref().map_or(json!({}), terminated);
            (terminated(cur), last, false, Some(cur.id.clone()))
        }
    };
    let digest = stable_hex(&[&c.image], 64);
    let image_id = format!(
        "{}@sha256:{digest}",
        c.image.split(':').next().unwrap_or(&c.image)
    );
    let mut v = json!({
        "name": c.name,
        "state": state,
        "lastState": last,
        "ready": ready,
        "restartCount": t.count.saturating_sub(1),
        "image": c.image,
        "imageID": image_id,
        "started": ready,
    });
    if let Some(id) = id {
        v["containerID"] = Value::String(id);
    }
    (v, ready)
}

fn condition(ty: &str, ok: bool, since: Nanos, reason: Option<(&str, String)>) -> Value {
    let mut c = json!({"type": ty, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": rfc3339(since)});
    if let Some((r, m)) = reason {
        c["reason"] = Value::String(r.into());
        c["message"] = Value::String(m);
    }
    c
}

/// The pod's status at `now`.
pub fn status(pod: &PodSim, now: Nanos) -> Value {
    let mut init_statuses = Vec::new();
    let mut init_done = true;
    let mut init_done_at = pod.appear_at + STARTUP;
    for c in &pod.init {
        let t = c.plan.at(now);
        let (mut s, _) = container_status(pod, c, &t, now, false);
        let done = t
            .current
            .as_ref()
            .is_some_and(|i| i.end.is_some_and(|e| e <= now));
        // A completed init container counts as ready, as the kubelet reports it.
        s["ready"] = json!(done);
        if done {
            init_done_at = t
                .current
                .as_ref()
                .and_then(|i| i.end)
                .unwrap_or(init_done_at);
        }
        init_done &= done;
        init_statuses.push(s);
    }
    let mut statuses = Vec::new();
    let mut unready = Vec::new();
    let (mut any_started, mut all_finished, mut all_zero) = (false, true, true);
    let mut ready_since = init_done_at;
    for c in &pod.containers {
        let t = c.plan.at(now);
        let (s, ready) = container_status(pod, c, &t, now, !init_done);
        if !ready {
            unready.push(c.name.clone());
        }
        if let Some(cur) = &t.current {
            any_started = true;
            let since = if cur.running_at(now) {
                cur.start
            } else {
                cur.end.unwrap_or(cur.start)
            };
            ready_since = ready_since.max(since);
            let finished = !cur.running_at(now) && t.next_start.is_none();
            all_finished &= finished;
            all_zero &= cur.exit_code == 0;
        } else {
            all_finished = false;
        }
        statuses.push(s);
    }
    let phase = if !init_done || !any_started {
        "Pending"
    } else if all_finished && !pod.containers.is_empty() {
        if all_zero { "Succeeded" } else { "Failed" }
    } else {
        "Running"
    };
    let ready = unready.is_empty() && init_done;
    let not_ready = (!ready).then(|| {
        let reason = if phase == "Succeeded" {
            "PodCompleted"
        } else {
            "ContainersNotReady"
        };
        (
            reason,
            format!("containers with unready status: [{}]", unready.join(" ")),
        )
    });
    let scheduled_at = pod.appear_at;
    let mut conditions = vec![
        condition(
            "PodReadyToStartContainers",
            now >= pod.appear_at + STARTUP,
            pod.appear_at + STARTUP,
            None,
        ),
        condition(
            "Initialized",
            init_done,
            if init_done {
                init_done_at
            } else {
                scheduled_at
            },
            None,
        ),
        condition("Ready", ready, ready_since, not_ready.clone()),
        condition("ContainersReady", ready, ready_since, not_ready),
        condition("PodScheduled", true, scheduled_at, None),
    ];
    if !init_done && !pod.init.is_empty() {
        let pending: Vec<&str> = pod.init.iter().map(|c| c.name.as_str()).collect();
        conditions[1]["reason"] = json!("ContainersNotInitialized");
        conditions[1]["message"] = json!(format!(
            "containers with incomplete status: [{}]",
            pending.join(" ")
        ));
    }
    let mut s = json!({
        "phase": phase,
        "conditions": conditions,
        "hostIP": pod.host_ip,
        "hostIPs": [{"ip": pod.host_ip}],
        "podIP": pod.pod_ip,
        "podIPs": [{"ip": pod.pod_ip}],
        "startTime": rfc3339(pod.appear_at),
        "containerStatuses": statuses,
        "qosClass": "BestEffort",
    });
    if !init_statuses.is_empty() {
        s["initContainerStatuses"] = Value::Array(init_statuses);
    }
    s
}

/// Finds a container (main or init) by name.
pub fn find_container<'a>(pod: &'a PodSim, name: &str) -> Option<&'a ContainerSim> {
    pod.containers
        .iter()
        .chain(pod.init.iter())
        .find(|c| c.name == name)
}
