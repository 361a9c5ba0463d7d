//! The pods' part of a tick: due pods appear in the API, images are pulled (or fail to be),
//! statuses follow the clock, deletions complete, and the kubelet's events are recorded.

use super::cluster::{Cluster, Key};
use super::events::Ev;
use super::podsim::{self, STARTUP};
use super::pulls::{self, Outcome, backoff, creds_for, go_seconds, judge, missing_pull_secrets};
use super::store::Res;
use super::util::{Nanos, SECOND};

/// Failed attempts replayed at most when a pod with history catches up (after that, the
/// back-off is at its cap and the count is arithmetic).
const MAX_REPLAY: u32 = 100_000;

impl Cluster {
    /// Advances every simulated pod to `now`.
    pub(super) fn advance_pods(&mut self, now: Nanos) {
        let keys: Vec<Key> = self.pods.keys().cloned().collect();
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
            let Some(obj) = self.store.get(Res::Pod, &key.0, &key.1).cloned() else {
                // Deleted behind the simulation's back (namespace deletion).
                self.pods.remove(&key);
                continue;
            };
            if self.finish_deletion(&key, &obj, now) {
                continue;
            }
            self.advance_pulls(&key, now);
            self.report_backoffs(&key, now);
            let Some(pod) = self.pods.get(&key) else {
                continue;
            };
            let status = podsim::status(pod, now);
            if obj.get("status") != Some(&status) {
                let mut obj = obj;
                obj["status"] = status;
                let _ = self.store.update(Res::Pod, obj);
            }
            self.pod_events(&key, now, false);
        }
    }

    /// Runs the pull attempts of pod `key` that are due by `now`, init containers first (the
    /// kubelet pulls a main container's image only once the init containers are done).
    fn advance_pulls(&mut self, key: &Key, now: Nanos) {
        let Some(pod) = self.pods.get(key) else {
            return;
        };
        if pod.unschedulable.is_some() || pod.terminating_since.is_some() {
            return;
        }
        let n_init = pod.init.len();
        let mut init_end: Option<Nanos> = Some(pod.appear_at);
        for idx in 0..n_init + pod.containers.len() {
            let Some(pod) = self.pods.get(key) else {
                return;
            };
            let c = if idx < n_init {
                &pod.init[idx]
            } else {
                &pod.containers[idx - n_init]
            };
            if c.pull.done {
                if idx < n_init {
                    let run = c.loggen.finite_run().unwrap_or(SECOND);
                    init_end = init_end.map(|e| e.max(c.plan.first_start + run));
                }
                continue;
            }
            let first_due = (c.plan.first_start - STARTUP).max(pod.appear_at);
            let mut due = if c.pull.attempts == 0 {
                first_due
            } else {
                c.pull.next_attempt
            };
            if idx >= n_init {
                match init_end {
                    Some(e) => due = due.max(e),
                    None => return,
                }
            }
            if due > now {
                if idx < n_init {
                    return;
                }
                continue;
            }
            self.attempt_pull(key, idx, due, now);
            if idx < n_init {
                // The next init container waits for this one to pull and run.
                init_end = None;
            }
        }
    }

    fn backoff_events(
        &mut self,
        pod: &super::podsim::PodSim,
        container: &str,
        image: &str,
        at: Nanos,
        times: u32,
    ) {
        for (reason, ty, message) in [
            (
                "BackOff",
                "Normal",
                format!("Back-off pulling image \"{image}\""),
            ),
            ("Failed", "Warning", "Error: ImagePullBackOff".to_string()),
        ] {
            let mut e = Ev::kubelet(reason, ty, message, at, &pod.node);
            e.times = times;
            self.pod_event(pod, Some(container), e);
        }
    }

    /// Reports the back-off of failed pulls once ErrImagePull has turned into
    /// ImagePullBackOff.
    fn report_backoffs(&mut self, key: &Key, now: Nanos) {
        let Some(pod) = self.pods.get(key).cloned() else {
            return;
        };
        let n_init = pod.init.len();
        for (idx, c) in pod.init.iter().chain(pod.containers.iter()).enumerate() {
            let due = !c.pull.done
                && !c.pull.never
                && c.pull.error.is_some()
                && !c.pull.backoff_reported
                && now >= c.pull.last_attempt + pulls::ERR_IMAGE_PULL_FOR;
            if !due {
                continue;
            }
            self.backoff_events(&pod, &c.name, &c.image, now, 1);
            if let Some(p) = self.pods.get_mut(key) {
                let c = if idx < n_init {
                    &mut p.init[idx]
                } else {
                    &mut p.containers[idx - n_init]
                };
                c.pull.backoff_reported = true;
            }
        }
    }

    fn attempt_pull(&mut self, key: &Key, idx: usize, due: Nanos, now: Nanos) {
        let Some(pod) = self.pods.get(key).cloned() else {
            return;
        };
        let n_init = pod.init.len();
        let c = if idx < n_init {
            &pod.init[idx]
        } else {
            &pod.containers[idx - n_init]
        };
        let outcome = judge(&self.images, &c.image, Some(&c.pull_policy), |host| {
            creds_for(&self.store, &pod.namespace, &pod.template, host, now)
        });
        let node = pod.node.clone();
        let name = c.name.clone();
        let image = c.image.clone();
        let mut pull = c.pull.clone();
        let mut ready_at = None;
        match outcome {
            Outcome::Present => {
                pull.done = true;
                ready_at = Some(due);
            }
            Outcome::Pulled { took, size } => {
                let pulling = Ev::kubelet(
                    "Pulling",
                    "Normal",
                    format!("Pulling image \"{image}\""),
                    due,
                    &node,
                );
                self.pod_event(&pod, Some(&name), pulling);
                let msg = format!(
                    "Successfully pulled image \"{image}\" in {t} ({t} including waiting). Image size: {size} bytes.",
                    t = go_seconds(took)
                );
                self.pod_event(
                    &pod,
                    Some(&name),
                    Ev::kubelet("Pulled", "Normal", msg, due + took, &node),
                );
                pull.done = true;
                pull.from_registry = true;
                ready_at = Some(due + took);
            }
            Outcome::NeverPull(msg) => {
                pull.never = true;
                pull.error = Some(msg.clone());
                pull.attempts += 1;
                pull.last_attempt = due;
                pull.next_attempt = due + 10 * SECOND;
                self.pod_event(
                    &pod,
                    Some(&name),
                    Ev::kubelet("ErrImageNeverPull", "Warning", msg, due, &node),
                );
            }
            Outcome::Failed(msg) => {
                // Catch up on the attempts a pod with history has already made.
                let (mut t, mut n) = (due, 0u32);
                let next = loop {
                    n += 1;
                    let next = t + backoff(pull.attempts + n);
                    if next > now || n >= MAX_REPLAY {
                        break next;
                    }
                    t = next;
                };
                pull.attempts += n;
                pull.last_attempt = t;
                pull.next_attempt = next;
                pull.error = Some(msg.clone());
                pull.backoff_reported = false;
                let missing = missing_pull_secrets(&self.store, &pod.namespace, &pod.template);
                let mut evs: Vec<(&str, &str, String, bool)> = Vec::new();
                if !missing.is_empty() {
                    evs.push((
                        "FailedToRetrieveImagePullSecret",
                        "Warning",
                        format!(
                            "Unable to retrieve some image pull secrets ({}); attempting to pull the image may not succeed.",
                            missing.join(", ")
                        ),
                        false,
                    ));
                }
                evs.push((
                    "Pulling",
                    "Normal",
                    format!("Pulling image \"{image}\""),
                    false,
                ));
                evs.push((
                    "Failed",
                    "Warning",
                    format!("Failed to pull image \"{image}\": {msg}"),
                    true,
                ));
                evs.push(("Failed", "Warning", "Error: ErrImagePull".into(), true));
                // At most a second ahead, so that `kubectl describe` lists them in order.
                let failed_at = (t + SECOND).min(now + SECOND);
                for (reason, ty, message, late) in evs {
                    let at = if late { failed_at } else { t };
                    let mut e = Ev::kubelet(reason, ty, message, at, &node);
                    e.times = n;
                    self.pod_event(&pod, Some(&name), e);
                }
                // The back-offs between replayed attempts are past; the last one is reported
                // when it begins (see `report_backoffs`).
                if n > 1 {
                    self.backoff_events(&pod, &name, &image, t, n - 1);
                }
            }
        }
        let Some(p) = self.pods.get_mut(key) else {
            return;
        };
        let planned = if idx < n_init {
            p.init[idx].plan.first_start
        } else {
            p.containers[idx - n_init].plan.first_start
        };
        let shift = ready_at.map_or(0, |r| (r - planned).max(0));
        let c = if idx < n_init {
            &mut p.init[idx]
        } else {
            &mut p.containers[idx - n_init]
        };
        c.pull = pull;
        if shift > 0 {
            // A late image delays this container and, for an init container, all after it.
            if idx < n_init {
                for c in p.init[idx..].iter_mut().chain(p.containers.iter_mut()) {
                    c.plan.first_start += shift;
                }
            } else {
                c.plan.first_start += shift;
            }
        }
    }
}

/// Whether a stored pod's container is waiting on an image (for `kubectl logs` messages).
pub fn pull_waiting_reason(sim: &super::podsim::ContainerSim, now: Nanos) -> Option<&'static str> {
    match sim.pull.waiting(&sim.image, now)?.0 {
        "ErrImagePull" => Some("trying and failing to pull image"),
        _ => Some("image can't be pulled"),
    }
}
