//! The simulated cluster: the object store plus the pods the sandbox runs, advanced by a
//! periodic tick (pods appear, change status, restart, crash and go away on the scenario's
//! timeline) and changed by API calls (namespaces, pod deletion).

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};

use super::lifecycle::{Plan, Schedule};
use super::logs::LogGen;
use super::podsim::{self, ContainerSim, PodSim, STARTUP};
use super::scenario::{LogFormat, LogSpec, Scenario, WorkloadSpec};
use super::status::ApiError;
use super::store::{Res, Store};
use super::util::{Nanos, SECOND, base64_encode, new_uid, rfc3339};

/// How long a deleted pod stays Terminating at most (the sandbox has no processes to stop).
const MAX_GRACE: Nanos = 2 * SECOND;

/// The whole simulated cluster.
pub struct Cluster {
    pub store: Store,
    pub pods: BTreeMap<(String, String), PodSim>,
    pub history_lines: u64,
    nodes: Vec<String>,
    next_ip: u32,
    pub(super) events: VecDeque<(String, String)>,
    pub(super) created_at: Nanos,
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
            nodes: scenario.nodes.clone(),
            next_ip: 0,
            events: VecDeque::new(),
            created_at: now - oldest - 3600 * SECOND,
        };
        for ns in super::BUILTIN_NAMESPACES {
            let _ = c.create_namespace(namespace_object(ns, &BTreeMap::new(), c.created_at));
        }
        // Everything in a scenario was validated when it was parsed, so applying it to an
        // empty cluster cannot conflict.
        let _ = c.apply(scenario, now);
        c.tick(now);
        c
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
        for res in [Res::Pod, Res::Secret, Res::ServiceAccount, Res::Event] {
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

    fn alloc_ips(&mut self, node: &str) -> (String, String) {
        self.next_ip += 1;
        let n = self.next_ip;
        let node_idx = self.nodes.iter().position(|x| x == node).unwrap_or(0);
        (
            format!("10.244.{}.{}", n / 250, n % 250 + 2),
            format!("172.18.0.{}", node_idx + 2),
        )
    }

    /// Adds what `sc` declares: namespaces that do not exist yet, secrets, service accounts
    /// and the workloads' pods, whose timelines start at `now`. Returns `namespace/name` of
    /// every pod added.
    pub fn apply(&mut self, sc: &Scenario, now: Nanos) -> Result<Vec<String>, String> {
        for ns in &sc.namespaces {
            if self.store.get(Res::Namespace, "", &ns.name).is_none() {
                self.create_namespace(namespace_object(&ns.name, &ns.labels, self.created_at))
                    .map_err(|e| e.message)?;
            }
        }
        for s in &sc.secrets {
            let data: serde_json::Map<String, Value> = s
                .string_data
                .iter()
                .map(|(k, v)| (k.clone(), json!(base64_encode(v.as_bytes()))))
                .collect();
            let obj = json!({"kind": "Secret", "apiVersion": "v1", "type": s.type_, "data": data,
                             "metadata": {"name": s.name, "namespace": s.namespace, "labels": s.labels,
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
            added.extend(self.add_workload(w, now + w.appear_after)?);
        }
        Ok(added)
    }

    fn add_workload(&mut self, w: &WorkloadSpec, origin: Nanos) -> Result<Vec<String>, String> {
        let mut added = Vec::new();
        for (i, (name, _, _)) in podsim::pod_names(w).into_iter().enumerate() {
            let key = (w.namespace.clone(), name.clone());
            if self.pods.contains_key(&key)
                || self.store.get(Res::Pod, &w.namespace, &name).is_some()
            {
                return Err(format!(
                    "pods \"{name}\" already exists in namespace {:?}",
                    w.namespace
                ));
            }
            let node = match &w.node {
                Some(n) => n.clone(),
                None => {
                    let i = super::util::fnv64(&[&name]) as usize % self.nodes.len().max(1);
                    self.nodes
                        .get(i)
                        .cloned()
                        .unwrap_or_else(|| "sandbox-node-1".into())
                }
            };
            let (ip, host) = self.alloc_ips(&node);
            if let Some(pod) = podsim::build(w, i, origin, &node, ip, host, new_uid()) {
                added.push(format!("{}/{}", pod.namespace, pod.name));
                self.pods.insert(key, pod);
            }
        }
        Ok(added)
    }

    /// Starts simulating a pod created through the API: each container logs a line per second.
    pub fn adopt_pod(&mut self, obj: &Value, now: Nanos) -> Value {
        let (ns, name) = super::store::meta(obj);
        let node = obj
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .map(String::from)
            .unwrap_or_else(|| self.nodes.first().cloned().unwrap_or_default());
        let (pod_ip, host_ip) = self.alloc_ips(&node);
        let uid = obj
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let spec = LogSpec {
            rate: 1.0,
            format: LogFormat::Text,
            sequence: true,
            messages: Vec::new(),
            lines: None,
        };
        let containers = obj
            .pointer("/spec/containers")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let containers = containers
            .iter()
            .map(|c| {
                let cname = c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("main")
                    .to_string();
                ContainerSim {
                    image: c
                        .get("image")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    loggen: LogGen::new(&spec, &name, &cname),
                    plan: Plan {
                        first_start: now + STARTUP,
                        schedule: Schedule::Restarts(Vec::new()),
                        exit_code: 1,
                        seed: format!("{ns}/{name}/{cname}/{uid}"),
                    },
                    name: cname,
                }
            })
            .collect();
        let mut template = obj.clone();
        template["spec"]["nodeName"] = json!(node);
        let pod = PodSim {
            namespace: ns.clone(),
            name: name.clone(),
            uid,
            appear_at: now,
            delete_at: None,
            terminating_since: None,
            created: true,
            node,
            pod_ip,
            host_ip,
            init: Vec::new(),
            containers,
            template: template.clone(),
            seen: Vec::new(),
        };
        template["status"] = podsim::status(&pod, now);
        self.pods.insert((ns, name), pod);
        template
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
            Schedule::Restarts(times) => {
                times.push(now);
                times.sort_unstable();
                true
            }
            _ => false,
        }
    }

    /// Advances the simulation to `now`: creates pods that are due, updates statuses, carries
    /// out deletions. Each real change becomes one watch event.
    pub fn tick(&mut self, now: Nanos) {
        let keys: Vec<(String, String)> = self.pods.keys().cloned().collect();
        for key in keys {
            let Some(pod) = self.pods.get(&key) else {
                continue;
            };
            if !pod.created {
                if now < pod.appear_at {
                    continue;
                }
                let mut obj = pod.template.clone();
                obj["status"] = podsim::status(pod, now);
                let ok = self.store.create(Res::Pod, obj).is_ok();
                if let Some(p) = self.pods.get_mut(&key) {
                    p.created = ok;
                }
                if !ok {
                    self.pods.remove(&key);
                    continue;
                }
                self.pod_events(&key, now, true);
            }
            let Some(pod) = self.pods.get(&key) else {
                continue;
            };
            let Some(mut obj) = self.store.get(Res::Pod, &key.0, &key.1).cloned() else {
                // Deleted behind the simulation's back (namespace deletion).
                self.pods.remove(&key);
                continue;
            };
            if let Some(since) = pod.terminating_since {
                let grace = obj
                    .pointer("/metadata/deletionGracePeriodSeconds")
                    .and_then(Value::as_i64)
                    .unwrap_or(30);
                if now >= since + (Nanos::from(grace) * SECOND).min(MAX_GRACE) {
                    let _ = self.store.delete(Res::Pod, &key.0, &key.1);
                    self.pods.remove(&key);
                    continue;
                }
            } else if pod.delete_at.is_some_and(|d| now >= d) {
                let _ = self.delete_pod(&key.0, &key.1, Some(30), now);
                continue;
            }
            let status = podsim::status(pod, now);
            if obj.get("status") != Some(&status) {
                obj["status"] = status;
                let _ = self.store.update(Res::Pod, obj);
            }
            self.pod_events(&key, now, false);
        }
    }
}
