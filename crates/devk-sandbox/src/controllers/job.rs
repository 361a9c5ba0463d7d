//! The Job controller: runs pods until `completions` succeeded (Complete, with
//! SuccessCriteriaMet as 1.31+ reports it) or more than `backoffLimit` failed (Failed,
//! BackoffLimitExceeded), `parallelism` at a time.

use serde_json::{Value, json};

use super::{Owned, PodBrief, condition, str_at};
use crate::cluster::Cluster;
use crate::store::{Res, meta};
use crate::util::{Nanos, rfc3339};

fn done(job: &Value) -> bool {
    job.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter().any(|c| {
                matches!(str_at(c, "/type"), "Complete" | "Failed")
                    && str_at(c, "/status") == "True"
            })
        })
}

impl Cluster {
    pub(super) fn reconcile_jobs(&mut self, owned: &Owned, now: Nanos) {
        let jobs: Vec<Value> = self
            .store
            .list(Res::Job, None)
            .into_iter()
            .cloned()
            .collect();
        for job in jobs {
            self.reconcile_job(&job, owned, now);
        }
    }

    fn reconcile_job(&mut self, job: &Value, owned: &Owned, now: Nanos) {
        let (ns, name) = meta(job);
        let uid = str_at(job, "/metadata/uid");
        let int = |p: &str, d: i64| job.pointer(p).and_then(Value::as_i64).unwrap_or(d);
        let completions = int("/spec/completions", 1).max(1);
        let parallelism = int("/spec/parallelism", 1).max(0);
        let backoff_limit = int("/spec/backoffLimit", 6).max(0);
        let suspended = job.pointer("/spec/suspend").and_then(Value::as_bool) == Some(true);
        let pods: Vec<PodBrief> = owned.get(uid).cloned().unwrap_or_default();
        let succeeded = pods.iter().filter(|p| p.phase == "Succeeded").count() as i64;
        let failed = pods.iter().filter(|p| p.phase == "Failed").count() as i64;
        let active: Vec<&PodBrief> = pods.iter().filter(|p| p.active()).collect();
        let ready = active.iter().filter(|p| p.ready).count();
        let finished = done(job);
        let old = job.get("status");
        let mut status = json!({
            "active": active.len(),
            "succeeded": succeeded,
            "failed": failed,
            "ready": ready,
            "terminating": pods.iter().filter(|p| p.terminating).count(),
            "uncountedTerminatedPods": {},
            "startTime": old.and_then(|s| s.get("startTime")).cloned().unwrap_or(json!(rfc3339(now))),
        });
        if let Some(c) = old.and_then(|s| s.get("completionTime")) {
            status["completionTime"] = c.clone();
        }
        if let Some(c) = old.and_then(|s| s.get("conditions")) {
            status["conditions"] = c.clone();
        }
        if !finished {
            if succeeded >= completions {
                status["completionTime"] = json!(rfc3339(now));
                status["conditions"] = json!([
                    condition(
                        old,
                        "SuccessCriteriaMet",
                        true,
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                        now
                    ),
                    condition(
                        old,
                        "Complete",
                        true,
                        "CompletionsReached",
                        "Reached expected number of succeeded pods",
                        now
                    ),
                ]);
                self.workload_event(
                    Res::Job,
                    job,
                    "job-controller",
                    "Completed",
                    "Normal",
                    "Job completed".into(),
                    now,
                );
            } else if failed > backoff_limit {
                status["conditions"] = json!([
                    condition(
                        old,
                        "FailureTarget",
                        true,
                        "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit",
                        now
                    ),
                    condition(
                        old,
                        "Failed",
                        true,
                        "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit",
                        now
                    ),
                ]);
                self.workload_event(
                    Res::Job,
                    job,
                    "job-controller",
                    "BackoffLimitExceeded",
                    "Warning",
                    "Job has reached the specified backoff limit".into(),
                    now,
                );
            } else if !suspended {
                let want = parallelism.min(completions - succeeded) - active.len() as i64;
                for _ in 0..want.max(0) {
                    let pod = self.next_pod_name(&ns, &name);
                    if self.create_controlled_pod(Res::Job, job, &pod, &[], None, now) {
                        self.workload_event(
                            Res::Job,
                            job,
                            "job-controller",
                            "SuccessfulCreate",
                            "Normal",
                            format!("Created pod: {pod}"),
                            now,
                        );
                    }
                }
            }
        }
        if let Some(stored) = self.store.get(Res::Job, &ns, &name).cloned() {
            self.write_status(Res::Job, &stored, status);
        }
    }
}
