//! Events the simulated kubelet and scheduler record (Scheduled, Pulled, Created, Started,
//! BackOff), one object per pod, container and reason, with a count, as the event recorder
//! aggregates them.

use serde_json::json;

use super::cluster::Cluster;
use super::podsim::PodSim;
use super::store::Res;
use super::util::{Nanos, rfc3339, stable_hex};

/// Events kept in total; older ones are deleted, as the API server's event TTL would.
const MAX_EVENTS: usize = 500;

/// One event to record.
struct Ev<'a> {
    container: Option<&'a str>,
    reason: &'a str,
    ty: &'a str,
    message: String,
    count: u32,
    at: Nanos,
}

impl Cluster {
    fn emit_event(&mut self, pod: &PodSim, e: Ev<'_>) {
        let Ev {
            container,
            reason,
            ty,
            message,
            count,
            at,
        } = e;
        let name = format!(
            "{}.{}",
            pod.name,
            stable_hex(&[&pod.uid, container.unwrap_or(""), reason], 16)
        );
        let mut involved = json!({"kind": "Pod", "namespace": pod.namespace, "name": pod.name, "uid": pod.uid, "apiVersion": "v1"});
        if let Some(c) = container {
            involved["fieldPath"] = json!(format!("spec.containers{{{c}}}"));
        }
        let component = if reason == "Scheduled" {
            "default-scheduler"
        } else {
            "kubelet"
        };
        let existing = self.store.get(Res::Event, &pod.namespace, &name).cloned();
        let first = existing
            .as_ref()
            .and_then(|e| e.get("firstTimestamp").cloned())
            .unwrap_or(json!(rfc3339(at)));
        let obj = json!({"kind": "Event", "apiVersion": "v1",
            "metadata": {"name": name, "namespace": pod.namespace},
            "involvedObject": involved, "reason": reason, "message": message,
            "source": {"component": component, "host": pod.node},
            "firstTimestamp": first, "lastTimestamp": rfc3339(at), "count": count.max(1), "type": ty,
            "eventTime": null, "reportingComponent": component, "reportingInstance": pod.node});
        if existing.is_some() {
            let _ = self.store.update(Res::Event, obj);
            return;
        }
        if self.store.create(Res::Event, obj).is_ok() {
            self.events.push_back((pod.namespace.clone(), name));
        }
        while self.events.len() > MAX_EVENTS {
            if let Some((ns, n)) = self.events.pop_front() {
                let _ = self.store.delete(Res::Event, &ns, &n);
            }
        }
    }

    /// Records the events a kubelet and scheduler would have sent for `key` by `now`.
    pub(super) fn pod_events(&mut self, key: &(String, String), now: Nanos, first: bool) {
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        let changed = pod.containers.iter().enumerate().any(|(i, c)| {
            let t = c.plan.at(now);
            pod.seen.get(i) != Some(&(t.count, t.next_start.is_some()))
        });
        if !first && !changed {
            return;
        }
        let pod = pod.clone();
        if first {
            let msg = format!(
                "Successfully assigned {}/{} to {}",
                pod.namespace, pod.name, pod.node
            );
            self.emit_event(
                &pod,
                Ev {
                    container: None,
                    reason: "Scheduled",
                    ty: "Normal",
                    message: msg,
                    count: 1,
                    at: pod.appear_at.max(self.created_at),
                },
            );
        }
        let mut seen = pod.seen.clone();
        seen.resize(pod.containers.len(), (0, false));
        for (i, c) in pod.containers.iter().enumerate() {
            let t = c.plan.at(now);
            let waiting = t.next_start.is_some();
            if t.count > seen[i].0 {
                let at = t.current.as_ref().map_or(now, |x| x.start);
                self.emit_event(
                    &pod,
                    Ev {
                        container: Some(&c.name),
                        reason: "Pulled",
                        ty: "Normal",
                        message: format!(
                            "Container image \"{}\" already present on machine",
                            c.image
                        ),
                        count: t.count,
                        at,
                    },
                );
                self.emit_event(
                    &pod,
                    Ev {
                        container: Some(&c.name),
                        reason: "Created",
                        ty: "Normal",
                        message: format!("Created container: {}", c.name),
                        count: t.count,
                        at,
                    },
                );
                self.emit_event(
                    &pod,
                    Ev {
                        container: Some(&c.name),
                        reason: "Started",
                        ty: "Normal",
                        message: format!("Started container {}", c.name),
                        count: t.count,
                        at,
                    },
                );
            }
            if waiting && !seen[i].1 {
                let msg = format!(
                    "Back-off restarting failed container {} in pod {}_{}({})",
                    c.name, pod.name, pod.namespace, pod.uid
                );
                self.emit_event(
                    &pod,
                    Ev {
                        container: Some(&c.name),
                        reason: "BackOff",
                        ty: "Warning",
                        message: msg,
                        count: t.count,
                        at: now,
                    },
                );
            }
            seen[i] = (t.count, waiting);
        }
        if let Some(p) = self.pods.get_mut(key) {
            p.seen = seen;
        }
    }
}
