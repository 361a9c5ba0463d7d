//! The controllers the sandbox runs every tick, as the kube-controller-manager would: the
//! ReplicaSet, Deployment (rolling updates), StatefulSet, DaemonSet and Job controllers, and
//! the garbage collector (dependents of a deleted owner go too). Each reads the store, makes
//! or deletes pods and ReplicaSets, writes its status only when it changed, and records the
//! events the real one records.

mod daemonset;
mod deployment;
mod job;
pub mod objects;
mod replicaset;
mod statefulset;

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use super::cluster::{Cluster, Key};
use super::events::{Ev, Involved};
use super::podsim;
use super::store::{Res, meta};
use super::util::{Nanos, SECOND, new_uid, parse_rfc3339, rfc3339, stable_suffix};

/// How long after a scenario workload appears its first pods still carry its history.
const BIRTH_WINDOW: Nanos = 2 * SECOND;

/// What a controller needs to know of one of its pods.
#[derive(Debug, Clone)]
pub struct PodBrief {
    pub name: String,
    pub ready: bool,
    pub phase: String,
    pub terminating: bool,
    /// `pod-template-hash` or `controller-revision-hash`.
    pub revision: String,
    pub node: String,
    pub created: Nanos,
    pub scheduled: bool,
}

impl PodBrief {
    /// Counts toward replicas (not terminating, not finished).
    pub fn active(&self) -> bool {
        !self.terminating && !matches!(self.phase.as_str(), "Succeeded" | "Failed")
    }
}

fn str_at<'a>(v: &'a Value, p: &str) -> &'a str {
    v.pointer(p).and_then(Value::as_str).unwrap_or_default()
}

/// The controller reference of `obj`: (kind, name, uid).
pub fn controller_of(obj: &Value) -> Option<(&str, &str, &str)> {
    obj.pointer("/metadata/ownerReferences")
        .and_then(Value::as_array)?
        .iter()
        .find(|r| r.get("controller").and_then(Value::as_bool) == Some(true))
        .map(|r| (str_at(r, "/kind"), str_at(r, "/name"), str_at(r, "/uid")))
}

fn brief(pod: &Value) -> PodBrief {
    let labels = pod.pointer("/metadata/labels");
    let label = |k: &str| {
        labels
            .and_then(|l| l.get(k))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let ready = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| str_at(c, "/type") == "Ready" && str_at(c, "/status") == "True")
        });
    let revision = match label("pod-template-hash") {
        h if !h.is_empty() => h,
        _ => label("controller-revision-hash"),
    };
    PodBrief {
        name: str_at(pod, "/metadata/name").to_string(),
        ready,
        phase: str_at(pod, "/status/phase").to_string(),
        terminating: pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null()),
        revision,
        node: str_at(pod, "/spec/nodeName").to_string(),
        created: parse_rfc3339(str_at(pod, "/metadata/creationTimestamp")).unwrap_or(0),
        scheduled: !str_at(pod, "/spec/nodeName").is_empty(),
    }
}

/// Pods by the uid of their controller.
pub type Owned = HashMap<String, Vec<PodBrief>>;

/// The owner reference a controller puts on what it makes.
pub fn owner_ref(res: Res, owner: &Value) -> Value {
    json!([{
        "apiVersion": res.gv().api_version(), "kind": res.kind(),
        "name": str_at(owner, "/metadata/name"), "uid": str_at(owner, "/metadata/uid"),
        "controller": true, "blockOwnerDeletion": true,
    }])
}

/// Keys sorted, so that equal objects hash equal whatever order their fields came in.
fn canonical(v: &Value) -> String {
    fn walk(v: &Value, out: &mut String) {
        match v {
            Value::Object(m) => {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                out.push('{');
                for k in keys {
                    out.push_str(&json!(k).to_string());
                    out.push(':');
                    walk(&m[k], out);
                    out.push(',');
                }
                out.push('}');
            }
            Value::Array(a) => {
                out.push('[');
                for x in a {
                    walk(x, out);
                    out.push(',');
                }
                out.push(']');
            }
            other => out.push_str(&other.to_string()),
        }
    }
    let mut s = String::new();
    walk(v, &mut s);
    s
}

/// A pod template without the label its controller adds.
pub fn template_without(template: &Value, label: &str) -> Value {
    let mut t = template.clone();
    if let Some(l) = t
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        l.shift_remove(label);
    }
    t
}

/// The hash of a pod template, as controllers name revisions (`web-7d9c8b5f4c`).
pub fn template_hash(template: &Value, ignore_label: &str) -> String {
    stable_suffix(&[&canonical(&template_without(template, ignore_label))], 10)
}

/// The top-level workload of `obj` (a Deployment for its ReplicaSets, itself otherwise).
fn top_of(ns: &str, obj: &Value) -> Key {
    match controller_of(obj) {
        Some(("Deployment", name, _)) => (ns.to_string(), name.to_string()),
        _ => (ns.to_string(), str_at(obj, "/metadata/name").to_string()),
    }
}

/// An int-or-percent (`25%`, `1`) of `total`, rounded up or down.
pub fn int_or_percent(v: Option<&Value>, total: i64, round_up: bool, default: i64) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or(default),
        Some(Value::String(s)) => match s.strip_suffix('%').and_then(|p| p.parse::<i64>().ok()) {
            Some(p) if round_up => (p * total + 99) / 100,
            Some(p) => p * total / 100,
            None => s.parse().unwrap_or(default),
        },
        _ => default,
    }
}

/// A status condition, keeping its transition time when the status did not change.
pub fn condition(
    old: Option<&Value>,
    ty: &str,
    ok: bool,
    reason: &str,
    message: &str,
    now: Nanos,
) -> Value {
    let status = if ok { "True" } else { "False" };
    let prev = old
        .and_then(|s| s.get("conditions"))
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| str_at(c, "/type") == ty));
    let unchanged = prev.is_some_and(|p| str_at(p, "/status") == status);
    let same_reason = prev.is_some_and(|p| {
        unchanged && str_at(p, "/reason") == reason && str_at(p, "/message") == message
    });
    let transition = match prev {
        Some(p) if unchanged => p
            .get("lastTransitionTime")
            .cloned()
            .unwrap_or(json!(rfc3339(now))),
        _ => json!(rfc3339(now)),
    };
    let update = match prev {
        Some(p) if same_reason => p
            .get("lastUpdateTime")
            .cloned()
            .unwrap_or(json!(rfc3339(now))),
        _ => json!(rfc3339(now)),
    };
    json!({"type": ty, "status": status, "lastUpdateTime": update, "lastTransitionTime": transition,
           "reason": reason, "message": message})
}

impl Cluster {
    /// One pass of every controller, then garbage collection.
    pub(super) fn reconcile(&mut self, now: Nanos) {
        let owned = self.index_pods();
        self.reconcile_replicasets(&owned, now);
        self.reconcile_statefulsets(&owned, now);
        self.reconcile_daemonsets(&owned, now);
        self.reconcile_jobs(&owned, now);
        self.reconcile_deployments(now);
        self.collect_garbage(now);
        self.births
            .retain(|_, (_, origin)| *origin + BIRTH_WINDOW > now);
    }

    fn index_pods(&self) -> Owned {
        let mut owned: Owned = HashMap::new();
        for p in self.store.list(Res::Pod, None) {
            if let Some((_, _, uid)) = controller_of(p) {
                owned.entry(uid.to_string()).or_default().push(brief(p));
            }
        }
        owned
    }

    /// Writes `status` into the stored object of `res` if it changed.
    pub(super) fn write_status(&mut self, res: Res, obj: &Value, status: Value) {
        if obj.get("status") == Some(&status) {
            return;
        }
        let mut o = obj.clone();
        o["status"] = status;
        let _ = self.store.update(res, o);
    }

    /// An event about a workload object.
    #[expect(clippy::too_many_arguments, reason = "the fields of one event")]
    pub(super) fn workload_event(
        &mut self,
        res: Res,
        obj: &Value,
        component: &str,
        reason: &str,
        ty: &str,
        message: String,
        now: Nanos,
    ) {
        self.record_event(
            &Involved::of(res, obj),
            Ev::controller(component, reason, ty, message, now),
        );
    }

    /// The next generated pod name of controller `owner` (stable from run to run).
    pub(super) fn next_pod_name(&mut self, ns: &str, owner: &str) -> String {
        let counter = self
            .counters
            .entry((ns.to_string(), owner.to_string()))
            .or_insert(0);
        loop {
            *counter += 1;
            let suffix = stable_suffix(&[ns, owner, &counter.to_string()], 5);
            let name = format!("{owner}-{suffix}");
            if self.store.get(Res::Pod, ns, &name).is_none() {
                return name;
            }
        }
    }

    /// Creates a pod from `owner`'s template, named `name`, with `extra` labels, on `node`
    /// if given. Pods made just after a scenario workload appears carry its history.
    pub(super) fn create_controlled_pod(
        &mut self,
        res: Res,
        owner: &Value,
        name: &str,
        extra: &[(&str, String)],
        node: Option<&str>,
        now: Nanos,
    ) -> bool {
        let (ns, owner_name) = meta(owner);
        let template = owner
            .pointer("/spec/template")
            .cloned()
            .unwrap_or(json!({}));
        let mut labels = template
            .pointer("/metadata/labels")
            .cloned()
            .filter(Value::is_object)
            .unwrap_or(json!({}));
        for (k, v) in extra {
            labels[*k] = json!(v);
        }
        let top = top_of(&ns, owner);
        let (appear, origin) = self.births.get(&top).copied().unwrap_or((now, now));
        let mut metadata = json!({"name": name, "namespace": ns, "uid": new_uid(),
            "creationTimestamp": rfc3339(appear), "labels": labels,
            "ownerReferences": owner_ref(res, owner)});
        if res != Res::StatefulSet {
            metadata["generateName"] = json!(format!("{owner_name}-"));
        }
        if let Some(a) = template
            .pointer("/metadata/annotations")
            .filter(|a| a.is_object())
        {
            metadata["annotations"] = a.clone();
        }
        let mut spec = template.get("spec").cloned().unwrap_or(json!({}));
        if let Some(n) = node {
            spec["nodeName"] = json!(n);
        }
        let mut pod =
            json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": spec});
        podsim::admit(&mut pod);
        let hint = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .map(String::from);
        let place = self.place(&pod, hint.as_deref());
        let behaviour = self.behaviours.get(&top).cloned();
        let mut sim = podsim::from_object(&pod, behaviour.as_ref(), appear, origin, place);
        let mut obj = sim.template.clone();
        obj["status"] = podsim::status(&sim, now);
        if self.store.create(Res::Pod, obj).is_err() {
            return false;
        }
        sim.created = true;
        let key = (ns.clone(), name.to_string());
        self.pods.insert(key.clone(), sim);
        self.pod_events(&key, now, true);
        true
    }

    /// Deletes what lost its owner: pods and ReplicaSets whose controller is gone.
    fn collect_garbage(&mut self, now: Nanos) {
        let live: BTreeSet<String> = Res::WORKLOADS
            .iter()
            .flat_map(|r| self.store.list(*r, None))
            .map(|o| str_at(o, "/metadata/uid").to_string())
            .collect();
        let orphaned = |o: &Value| {
            controller_of(o).is_some_and(|(kind, _, uid)| {
                Res::WORKLOADS.iter().any(|r| r.kind() == kind) && !live.contains(uid)
            })
        };
        let rs: Vec<(String, String)> = self
            .store
            .list(Res::ReplicaSet, None)
            .into_iter()
            .filter(|o| orphaned(o))
            .map(meta)
            .collect();
        let pods: Vec<(String, String)> = self
            .store
            .list(Res::Pod, None)
            .into_iter()
            .filter(|o| orphaned(o) && o.pointer("/metadata/deletionTimestamp").is_none())
            .map(meta)
            .collect();
        for (ns, name) in rs {
            let _ = self.store.delete(Res::ReplicaSet, &ns, &name);
        }
        for (ns, name) in pods {
            let _ = self.delete_pod(&ns, &name, Some(30), now);
        }
    }

    /// `propagationPolicy: Orphan`: dependents of `uid` lose their owner reference and stay.
    pub fn orphan_dependents(&mut self, uid: &str) {
        for res in [Res::Pod, Res::ReplicaSet] {
            let deps: Vec<Value> = self
                .store
                .list(res, None)
                .into_iter()
                .filter(|o| controller_of(o).is_some_and(|(_, _, u)| u == uid))
                .cloned()
                .collect();
            for mut d in deps {
                if let Some(m) = d["metadata"].as_object_mut() {
                    m.shift_remove("ownerReferences");
                }
                let _ = self.store.update(res, d);
            }
        }
    }
}
