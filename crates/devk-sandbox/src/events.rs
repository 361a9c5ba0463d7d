//! Events the simulated kubelet, scheduler and controllers record, one object per involved
//! object, field, reason and message, with a count, as the event recorder aggregates them.
//! The pod lifecycle events (Scheduled, Pulled, Created, Started, BackOff, Unhealthy,
//! Killing) are derived here from the pods' timelines; pulls and controllers record theirs
//! where they happen.

use serde_json::{Value, json};

use super::cluster::Cluster;
use super::podsim::PodSim;
use super::store::Res;
use super::util::{Nanos, SECOND, rfc3339, stable_hex};

/// Events kept in total; older ones are deleted, as the API server's event TTL would.
const MAX_EVENTS: usize = 5000;

/// How often a failing readiness probe is reported again.
const PROBE_PERIOD: Nanos = 10 * SECOND;

/// The object an event is about.
#[derive(Debug, Clone)]
pub struct Involved {
    pub kind: String,
    pub api_version: String,
    pub namespace: String,
    pub name: String,
    pub uid: String,
    /// `spec.containers{NAME}` for container events.
    pub field_path: Option<String>,
}

impl Involved {
    /// A pod, or one of its containers.
    pub fn pod(pod: &PodSim, container: Option<&str>) -> Involved {
        Involved {
            kind: "Pod".into(),
            api_version: "v1".into(),
            namespace: pod.namespace.clone(),
            name: pod.name.clone(),
            uid: pod.uid.clone(),
            field_path: container.map(|c| format!("spec.containers{{{c}}}")),
        }
    }

    /// A stored object of `res`.
    pub fn of(res: Res, obj: &Value) -> Involved {
        let s = |p: &str| {
            obj.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        Involved {
            kind: res.kind().into(),
            api_version: res.gv().api_version().into(),
            namespace: s("/metadata/namespace"),
            name: s("/metadata/name"),
            uid: s("/metadata/uid"),
            field_path: None,
        }
    }
}

/// One event to record.
pub struct Ev<'a> {
    pub reason: &'a str,
    pub ty: &'a str,
    pub message: String,
    /// The count to report (None: `times` more than last time).
    pub count: Option<u32>,
    /// How many occurrences this record stands for (when `count` is None).
    pub times: u32,
    pub at: Nanos,
    pub component: &'a str,
    pub host: &'a str,
}

impl<'a> Ev<'a> {
    /// A kubelet event on node `host`.
    pub fn kubelet(
        reason: &'a str,
        ty: &'a str,
        message: String,
        at: Nanos,
        host: &'a str,
    ) -> Ev<'a> {
        Ev {
            reason,
            ty,
            message,
            count: None,
            times: 1,
            at,
            component: "kubelet",
            host,
        }
    }

    /// A controller's event (`deployment-controller`, ...).
    pub fn controller(
        component: &'a str,
        reason: &'a str,
        ty: &'a str,
        message: String,
        at: Nanos,
    ) -> Ev<'a> {
        Ev {
            reason,
            ty,
            message,
            count: None,
            times: 1,
            at,
            component,
            host: "",
        }
    }
}

impl Cluster {
    /// Records (or counts again) an event about `inv`.
    pub(super) fn record_event(&mut self, inv: &Involved, e: Ev<'_>) {
        let field = inv.field_path.clone().unwrap_or_default();
        let name = format!(
            "{}.{}",
            inv.name,
            stable_hex(&[&inv.uid, &field, e.reason, &e.message], 16)
        );
        let mut involved = json!({"kind": inv.kind, "namespace": inv.namespace, "name": inv.name,
                                  "uid": inv.uid, "apiVersion": inv.api_version});
        if let Some(f) = &inv.field_path {
            involved["fieldPath"] = json!(f);
        }
        let existing = self.store.get(Res::Event, &inv.namespace, &name).cloned();
        let first = existing
            .as_ref()
            .and_then(|x| x.get("firstTimestamp").cloned())
            .unwrap_or(json!(rfc3339(e.at)));
        let count = e.count.unwrap_or_else(|| {
            existing
                .as_ref()
                .and_then(|x| x.get("count"))
                .and_then(Value::as_u64)
                .map_or(e.times, |c| c as u32 + e.times)
        });
        let mut source = json!({"component": e.component});
        if !e.host.is_empty() {
            source["host"] = json!(e.host);
        }
        let obj = json!({"kind": "Event", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": inv.namespace},
            "involvedObject": involved, "reason": e.reason, "message": e.message,
            "source": source,
            "firstTimestamp": first, "lastTimestamp": rfc3339(e.at), "count": count.max(1), "type": e.ty,
            "eventTime": null, "reportingComponent": e.component, "reportingInstance": e.host});
        if existing.is_some() {
            let _ = self.store.update(Res::Event, obj);
            return;
        }
        if self.store.create(Res::Event, obj).is_ok() {
            self.events.push_back((inv.namespace.clone(), name));
        }
        while self.events.len() > MAX_EVENTS {
            if let Some((ns, n)) = self.events.pop_front() {
                let _ = self.store.delete(Res::Event, &ns, &n);
            }
        }
    }

    /// A kubelet event about container `container` (or the pod) of `pod`.
    pub(super) fn pod_event(&mut self, pod: &PodSim, container: Option<&str>, e: Ev<'_>) {
        self.record_event(&Involved::pod(pod, container), e);
    }

    /// Records the events a kubelet and scheduler would have sent for `key` by `now`.
    pub(super) fn pod_events(&mut self, key: &(String, String), now: Nanos, first: bool) {
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        let changed = pod.containers.iter().enumerate().any(|(i, c)| {
            let t = c.timeline(now);
            pod.seen.get(i) != Some(&(t.count, t.next_start.is_some()))
        });
        let probing = pod.containers.iter().any(|c| !c.probe_ok);
        if !first && !changed && !probing {
            return;
        }
        let pod = pod.clone();
        let node = pod.node.clone();
        if first {
            let at = pod.appear_at.max(self.created_at);
            match &pod.unschedulable {
                Some(msg) => {
                    let mut e = Ev::controller(
                        "default-scheduler",
                        "FailedScheduling",
                        "Warning",
                        msg.clone(),
                        at,
                    );
                    e.count = Some(1);
                    self.pod_event(&pod, None, e);
                }
                None => {
                    let msg = format!(
                        "Successfully assigned {}/{} to {}",
                        pod.namespace, pod.name, pod.node
                    );
                    self.pod_event(
                        &pod,
                        None,
                        Ev::controller("default-scheduler", "Scheduled", "Normal", msg, at),
                    );
                }
            }
        }
        let mut seen = pod.seen.clone();
        seen.resize(pod.containers.len(), (0, false));
        for (i, c) in pod.containers.iter().enumerate() {
            let t = c.timeline(now);
            let waiting = t.next_start.is_some();
            if t.count > seen[i].0 {
                let at = t.current.as_ref().map_or(now, |x| x.start);
                let count = Some(t.count);
                if c.liveness_kills && t.count > 1 {
                    let killed_at = t.previous.as_ref().and_then(|p| p.end).unwrap_or(at);
                    let mut e = Ev::kubelet(
                        "Unhealthy",
                        "Warning",
                        "Liveness probe failed: HTTP probe failed with statuscode: 500".into(),
                        killed_at,
                        &node,
                    );
                    e.count = Some((t.count - 1) * 3);
                    self.pod_event(&pod, Some(&c.name), e);
                    let mut e = Ev::kubelet(
                        "Killing",
                        "Normal",
                        format!(
                            "Container {} failed liveness probe, will be restarted",
                            c.name
                        ),
                        killed_at,
                        &node,
                    );
                    e.count = Some(t.count - 1);
                    self.pod_event(&pod, Some(&c.name), e);
                }
                // The first start of a freshly pulled image already has its Pulled event.
                let pulled_now = c.pull.from_registry && t.count == 1;
                if !pulled_now {
                    let mut e = Ev::kubelet(
                        "Pulled",
                        "Normal",
                        format!("Container image \"{}\" already present on machine", c.image),
                        at,
                        &node,
                    );
                    e.count = Some(t.count - u32::from(c.pull.from_registry));
                    self.pod_event(&pod, Some(&c.name), e);
                }
                for (reason, message) in [
                    ("Created", format!("Created container: {}", c.name)),
                    ("Started", format!("Started container {}", c.name)),
                ] {
                    let mut e = Ev::kubelet(reason, "Normal", message, at, &node);
                    e.count = count;
                    self.pod_event(&pod, Some(&c.name), e);
                }
            }
            if waiting && !seen[i].1 {
                let msg = format!(
                    "Back-off restarting failed container {} in pod {}_{}({})",
                    c.name, pod.name, pod.namespace, pod.uid
                );
                let mut e = Ev::kubelet("BackOff", "Warning", msg, now, &node);
                e.count = Some(t.count);
                self.pod_event(&pod, Some(&c.name), e);
            }
            if !c.probe_ok
                && let Some(cur) = t.current.as_ref().filter(|x| x.running_at(now))
            {
                // One failure every probe period since the instance started.
                let failures = u32::try_from((now - cur.start) / PROBE_PERIOD).unwrap_or(u32::MAX);
                let key = format!("{}/{}", cur.id, failures);
                if failures > 0
                    && self.probe_seen.get(&(pod.uid.clone(), c.name.clone())) != Some(&key)
                {
                    self.probe_seen
                        .insert((pod.uid.clone(), c.name.clone()), key);
                    let mut e = Ev::kubelet(
                        "Unhealthy",
                        "Warning",
                        "Readiness probe failed: HTTP probe failed with statuscode: 503".into(),
                        now,
                        &node,
                    );
                    e.count = Some(failures);
                    self.pod_event(&pod, Some(&c.name), e);
                }
            }
            seen[i] = (t.count, waiting);
        }
        if let Some(p) = self.pods.get_mut(key) {
            p.seen = seen;
        }
    }

    /// Killing events when a pod's deletion starts: each running container is stopped.
    pub(super) fn killing_events(&mut self, key: &(String, String), now: Nanos) {
        let Some(pod) = self.pods.get(key).cloned() else {
            return;
        };
        for c in &pod.containers {
            if c.timeline(now).current.is_some_and(|i| i.running_at(now)) {
                let e = Ev::kubelet(
                    "Killing",
                    "Normal",
                    format!("Stopping container {}", c.name),
                    now,
                    &pod.node,
                );
                self.pod_event(&pod, Some(&c.name), e);
            }
        }
    }
}
