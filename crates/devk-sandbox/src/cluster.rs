//! The simulated cluster: the object store plus the pods the sandbox runs, advanced by a
//! periodic tick (pods appear, pull, change status, restart, crash and go away on the
//! scenario's timeline; controllers reconcile their workloads) and changed by API calls.

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use super::podsim::{self, PodSim};
use super::scenario::{ImageSpec, OwnerKind, Scenario, WorkloadSpec};
use super::status::ApiError;
use super::store::{Res, Store};
use super::util::{Nanos, SECOND, base64_encode, new_uid, rfc3339};

/// How long a deleted pod stays Terminating at most (the sandbox has no processes to stop).
const MAX_GRACE: Nanos = 2 * SECOND;

/// A (namespace, name) pair.
pub type Key = (String, String);

/// The whole simulated cluster.
pub struct Cluster {
    pub store: Store,
    pub pods: BTreeMap<Key, PodSim>,
    pub history_lines: u64,
    pub(super) nodes: Vec<String>,
    pub(super) node_capacity: (u64, u64),
    pub(super) images: BTreeMap<String, ImageSpec>,
    pub(super) next_ip: u32,
    pub(super) events: VecDeque<Key>,
    /// API groups left out of discovery and not served.
    pub disabled_groups: Vec<String>,
    pub(super) created_at: Nanos,
    /// Scenario behaviour (logs, crashes, probes) of each top-level workload's containers.
    pub(super) behaviours: BTreeMap<Key, WorkloadSpec>,
    /// Top-level workloads whose first pods carry history: (appear_at, origin).
    pub(super) births: BTreeMap<Key, (Nanos, Nanos)>,
    /// Pods generated so far per controller (names are stable from run to run).
    pub(super) counters: BTreeMap<Key, u64>,
    /// Workloads that appear later: (when, resource, object).
    pub(super) pending: Vec<(Nanos, Res, Value)>,
    /// Workloads deleted at a time: (when, resource, namespace, name).
    pub(super) doomed: Vec<(Nanos, Res, String, String)>,
    /// The readiness failures already reported, per (pod uid, container).
    pub(super) probe_seen: BTreeMap<Key, String>,
}

fn namespace_object(name: &str, labels: &BTreeMap<String, String>, at: Nanos) -> Value {
    let mut l = serde_json::Map::new();
    for (k, v) in labels {
        l.insert(k.clone(), json!(v));
    }
    l.insert("kubernetes.io/metadata.name".into(), json!(name));
    json!({"kind": "Namespace", "apiVersion": "v1",
           "metadata": {"name": name, "creationTimestamp": rfc3339(at), "labels": l},
           "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}})
}

impl Cluster {
    /// A cluster with the built-in namespaces and everything `scenario` declares, with the
    /// scenario's clock starting at `now`.
    pub fn new(scenario: &Scenario, now: Nanos) -> Cluster {
        let oldest = scenario.workloads.iter().map(|w| w.age).max().unwrap_or(0);
        let mut c = Cluster {
            store: Store::new(10_000),
            pods: BTreeMap::new(),
            history_lines: scenario.history_lines,
            disabled_groups: scenario.disabled_groups.clone(),
            nodes: scenario.nodes.clone(),
            node_capacity: scenario.node_capacity,
            images: scenario.images.clone(),
            next_ip: 0,
            events: VecDeque::new(),
            created_at: now - oldest - 3600 * SECOND,
            behaviours: BTreeMap::new(),
            births: BTreeMap::new(),
            counters: BTreeMap::new(),
            pending: Vec::new(),
            doomed: Vec::new(),
            probe_seen: BTreeMap::new(),
        };
        for ns in super::BUILTIN_NAMESPACES {
            let _ = c.create_namespace(namespace_object(ns, &BTreeMap::new(), c.created_at));
        }
        // Everything in a scenario was validated when it was parsed, so applying it to an
        // empty cluster cannot conflict.
        let _ = c.apply(scenario, now);
        c.settle(now);
        c
    }

    /// Ticks until the controllers have made what a new scenario asks for (a Deployment
    /// makes its ReplicaSet in one pass and the ReplicaSet its pods in the next).
    pub fn settle(&mut self, now: Nanos) {
        for _ in 0..3 {
            self.tick(now);
        }
    }

    /// Creates a namespace and its `default` service account, as the namespace controllers do.
    pub fn create_namespace(&mut self, obj: Value) -> Result<Value, ApiError> {
        let created = self.store.create(Res::Namespace, obj)?;
        let name = created
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let sa = json!({"kind": "ServiceAccount", "apiVersion": "v1",
                        "metadata": {"name": "default", "namespace": name,
                                     "creationTimestamp": created.pointer("/metadata/creationTimestamp")}});
        let _ = self.store.create(Res::ServiceAccount, sa);
        Ok(created)
    }

    /// Deletes a namespace and everything in it. The built-in ones are protected, as on a
    /// real server.
    pub fn delete_namespace(&mut self, name: &str) -> Result<Value, ApiError> {
        if matches!(name, "default" | "kube-system" | "kube-public") {
            let mut e = ApiError::bad_request(format!(
                "namespaces \"{name}\" is forbidden: this namespace may not be deleted"
            ));
            e.code = 403;
            e.reason = "Forbidden";
            e.details = Some(json!({"name": name, "kind": "namespaces"}));
            return Err(e);
        }
        let Some(mut ns) = self.store.get(Res::Namespace, "", name).cloned() else {
            return Err(ApiError::not_found("namespaces", name));
        };
        for res in Res::ALL
            .into_iter()
            .filter(|r| r.namespaced() && r.storage() == *r)
        {
            let names: Vec<String> = self
                .store
                .list(res, Some(name))
                .iter()
                .map(|o| super::store::meta(o).1)
                .collect();
            for n in names {
                let _ = self.store.delete(res, name, &n);
            }
        }
        self.pods.retain(|(ns, _), _| ns != name);
        self.store.delete(Res::Namespace, "", name)?;
        ns["status"] = json!({"phase": "Terminating"});
        ns["metadata"]["deletionTimestamp"] = json!(rfc3339(super::util::now()));
        Ok(ns)
    }

    /// Adds what `sc` declares: namespaces that do not exist yet, secrets, service accounts,
    /// images and the workloads, whose timelines start at `now`. Returns `namespace/name` of
    /// every pod added directly (kind Pod) and of every workload object.
    pub fn apply(&mut self, sc: &Scenario, now: Nanos) -> Result<Vec<String>, String> {
        for ns in &sc.namespaces {
            if self.store.get(Res::Namespace, "", &ns.name).is_none() {
                self.create_namespace(namespace_object(&ns.name, &ns.labels, self.created_at))
                    .map_err(|e| e.message)?;
            }
        }
        for (k, v) in &sc.images {
            self.images.insert(k.clone(), v.clone());
        }
        for s in &sc.secrets {
            let data: serde_json::Map<String, Value> = s
                .string_data
                .iter()
                .map(|(k, v)| (k.clone(), json!(base64_encode(v.as_bytes()))))
                .collect();
            let obj = json!({"kind": "Secret", "apiVersion": "v1", "type": s.type_, "data": data,
                             "metadata": {"name": s.name, "namespace": s.namespace, "labels": s.labels,
                                          "annotations": s.annotations,
                                          "creationTimestamp": rfc3339(self.created_at)}});
            let causes = super::validate::secret_causes(&obj);
            if !causes.is_empty() {
                return Err(super::status::ApiError::invalid("Secret", &s.name, causes).message);
            }
            self.store.create(Res::Secret, obj).map_err(|e| e.message)?;
        }
        for a in &sc.service_accounts {
            let pulls: Vec<Value> = a
                .image_pull_secrets
                .iter()
                .map(|n| json!({"name": n}))
                .collect();
            let mut obj = json!({"kind": "ServiceAccount", "apiVersion": "v1",
                                 "metadata": {"name": a.name, "namespace": a.namespace,
                                              "creationTimestamp": rfc3339(self.created_at)}});
            if !pulls.is_empty() {
                obj["imagePullSecrets"] = Value::Array(pulls);
            }
            if self
                .store
                .get(Res::ServiceAccount, &a.namespace, &a.name)
                .is_some()
            {
                self.store
                    .update(Res::ServiceAccount, obj)
                    .map_err(|e| e.message)?;
            } else {
                self.store
                    .create(Res::ServiceAccount, obj)
                    .map_err(|e| e.message)?;
            }
        }
        let mut added = Vec::new();
        for w in &sc.workloads {
            if self.store.get(Res::Namespace, "", &w.namespace).is_none() {
                return Err(format!("namespace {:?} does not exist", w.namespace));
            }
            added.push(self.add_workload(w, now + w.appear_after)?);
        }
        Ok(added)
    }

    fn add_workload(&mut self, w: &WorkloadSpec, origin: Nanos) -> Result<String, String> {
        let key = (w.namespace.clone(), w.name.clone());
        if w.kind == OwnerKind::Pod {
            if self.pods.contains_key(&key)
                || self.store.get(Res::Pod, &w.namespace, &w.name).is_some()
            {
                return Err(format!(
                    "pods \"{}\" already exists in namespace {:?}",
                    w.name, w.namespace
                ));
            }
            let appear_at = origin - w.age;
            let mut obj = podsim::template(w);
            obj["apiVersion"] = json!("v1");
            obj["kind"] = json!("Pod");
            obj["metadata"]["name"] = json!(w.name);
            obj["metadata"]["namespace"] = json!(w.namespace);
            obj["metadata"]["uid"] = json!(new_uid());
            obj["metadata"]["creationTimestamp"] = json!(rfc3339(appear_at));
            podsim::admit(&mut obj);
            let place = self.place(&obj, w.node.as_deref());
            let mut pod = podsim::from_object(&obj, Some(w), appear_at, origin, place);
            pod.delete_at = w.delete_after.map(|d| origin + d);
            self.pods.insert(key, pod);
            return Ok(format!("{}/{}", w.namespace, w.name));
        }
        let (res, obj) = super::controllers::objects::workload_object(w, origin - w.age);
        if self.store.get(res, &w.namespace, &w.name).is_some()
            || self.pending.iter().any(|(_, r, o)| {
                *r == res && super::store::meta(o) == (w.namespace.clone(), w.name.clone())
            })
        {
            return Err(format!(
                "{} \"{}\" already exists in namespace {:?}",
                res.group_resource(),
                w.name,
                w.namespace
            ));
        }
        if let Some(svc) = self.workload_service(w, origin - w.age)
            && self
                .store
                .get(Res::Service, &w.namespace, &w.name)
                .is_none()
        {
            let _ = self.store.create(Res::Service, svc);
        }
        self.behaviours.insert(key.clone(), w.clone());
        self.births.insert(key, (origin - w.age, origin));
        if let Some(d) = w.delete_after {
            self.doomed
                .push((origin + d, res, w.namespace.clone(), w.name.clone()));
        }
        if origin > super::util::now() {
            self.pending.push((origin, res, obj));
        } else {
            self.store.create(res, obj).map_err(|e| e.message)?;
        }
        Ok(format!("{}/{}", w.namespace, w.name))
    }

    /// Starts simulating a pod created through the API (its containers log a line a second).
    pub fn adopt_pod(&mut self, obj: &Value, now: Nanos) -> Value {
        let (ns, name) = super::store::meta(obj);
        let mut obj = obj.clone();
        podsim::admit(&mut obj);
        let hint = obj
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .map(String::from);
        let place = self.place(&obj, hint.as_deref());
        let mut pod = podsim::from_object(&obj, None, now, now, place);
        pod.created = true;
        let mut out = pod.template.clone();
        out["status"] = podsim::status(&pod, now);
        self.pods.insert((ns, name), pod);
        out
    }

    /// Starts a graceful pod deletion (or an immediate one with `grace == Some(0)`).
    pub fn delete_pod(
        &mut self,
        ns: &str,
        name: &str,
        grace: Option<i64>,
        now: Nanos,
    ) -> Result<Value, ApiError> {
        let key = (ns.to_string(), name.to_string());
        let immediate = grace == Some(0) || !self.pods.contains_key(&key);
        if immediate {
            self.pods.remove(&key);
            return self.store.delete(Res::Pod, ns, name);
        }
        let Some(mut obj) = self.store.get(Res::Pod, ns, name).cloned() else {
            return Err(ApiError::not_found("pods", name));
        };
        if obj.pointer("/metadata/deletionTimestamp").is_some() {
            return Ok(obj);
        }
        self.killing_events(&key, now);
        if let Some(p) = self.pods.get_mut(&key) {
            p.terminating_since = Some(now);
        }
        obj["metadata"]["deletionTimestamp"] =
            json!(rfc3339(now + Nanos::from(grace.unwrap_or(30)) * SECOND));
        obj["metadata"]["deletionGracePeriodSeconds"] = json!(grace.unwrap_or(30));
        self.store.update(Res::Pod, obj)
    }

    /// Restarts one container right now (a new instance; the old one's logs stay available
    /// with `previous=true`). False when the pod or container is unknown or crash-looping.
    pub fn restart_container(&mut self, ns: &str, pod: &str, container: &str, now: Nanos) -> bool {
        let Some(p) = self.pods.get_mut(&(ns.to_string(), pod.to_string())) else {
            return false;
        };
        let Some(c) = p.containers.iter_mut().find(|c| c.name == container) else {
            return false;
        };
        match &mut c.plan.schedule {
            super::lifecycle::Schedule::Restarts(times) => {
                times.push(now);
                times.sort_unstable();
                true
            }
            _ => false,
        }
    }

    /// Advances the simulation to `now`: workloads that are due appear or go, pods advance
    /// (see `podrun`), controllers reconcile. Each real change becomes one watch event.
    pub fn tick(&mut self, now: Nanos) {
        let due: Vec<(Nanos, Res, Value)> = {
            let (due, later) = std::mem::take(&mut self.pending)
                .into_iter()
                .partition(|(t, _, _)| *t <= now);
            self.pending = later;
            due
        };
        for (_, res, obj) in due {
            let _ = self.store.create(res, obj);
        }
        let doomed: Vec<(Nanos, Res, String, String)> = {
            let (due, later) = std::mem::take(&mut self.doomed)
                .into_iter()
                .partition(|(t, _, _, _)| *t <= now);
            self.doomed = later;
            due
        };
        for (_, res, ns, name) in doomed {
            let _ = self.store.delete(res, &ns, &name);
        }
        self.advance_pods(now);
        self.reconcile(now);
    }

    /// Carries out due deletions of pod `key`; true if the pod is gone or going.
    pub(super) fn finish_deletion(&mut self, key: &Key, obj: &Value, now: Nanos) -> bool {
        let Some(pod) = self.pods.get(key) else {
            return true;
        };
        if let Some(since) = pod.terminating_since {
            let grace = obj
                .pointer("/metadata/deletionGracePeriodSeconds")
                .and_then(Value::as_i64)
                .unwrap_or(30);
            if now >= since + (Nanos::from(grace) * SECOND).min(MAX_GRACE) {
                let _ = self.store.delete(Res::Pod, &key.0, &key.1);
                self.pods.remove(key);
                return true;
            }
        } else if pod.delete_at.is_some_and(|d| now >= d) {
            let _ = self.delete_pod(&key.0, &key.1, Some(30), now);
            return true;
        }
        false
    }
}
