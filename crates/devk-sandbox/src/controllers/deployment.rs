//! The Deployment controller: a ReplicaSet per pod template (named after the template's
//! hash, revision-numbered), rolling updates within maxSurge/maxUnavailable (or Recreate),
//! rollbacks that revive an old ReplicaSet, history trimmed to revisionHistoryLimit, and the
//! status `kubectl rollout status` waits on (observedGeneration, updatedReplicas, the
//! Available and Progressing conditions, ProgressDeadlineExceeded).

use serde_json::{Value, json};

use super::{condition, int_or_percent, owner_ref, str_at, template_hash, template_without};
use crate::cluster::Cluster;
use crate::store::{Res, meta};
use crate::util::{Nanos, SECOND, new_uid, parse_rfc3339, rfc3339};

const HASH_LABEL: &str = "pod-template-hash";
const REVISION: &str = "deployment.kubernetes.io/revision";

fn int(v: &Value, p: &str) -> i64 {
    v.pointer(p).and_then(Value::as_i64).unwrap_or(0)
}

fn revision(rs: &Value) -> i64 {
    rs.pointer("/metadata/annotations")
        .and_then(|a| a.get(REVISION))
        .and_then(Value::as_str)
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

/// The rolling-update bounds: (maxSurge, maxUnavailable), never both zero.
fn bounds(d: &Value, replicas: i64) -> (i64, i64) {
    if str_at(d, "/spec/strategy/type") == "Recreate" {
        return (0, replicas);
    }
    let ru = d.pointer("/spec/strategy/rollingUpdate");
    let surge = int_or_percent(ru.and_then(|r| r.get("maxSurge")), replicas, true, 1);
    let unavailable = int_or_percent(ru.and_then(|r| r.get("maxUnavailable")), replicas, false, 0);
    if surge == 0 && unavailable == 0 {
        (0, 1)
    } else {
        (surge, unavailable)
    }
}

impl Cluster {
    fn scale_rs(&mut self, d: &Value, rs: &mut Value, to: i64, now: Nanos) {
        let from = int(rs, "/spec/replicas");
        if from == to {
            return;
        }
        rs["spec"]["replicas"] = json!(to);
        rs["metadata"]["generation"] = json!(int(rs, "/metadata/generation") + 1);
        if let Ok(stored) = self.store.update(Res::ReplicaSet, rs.clone()) {
            *rs = stored;
        }
        let dir = if to > from { "up" } else { "down" };
        let msg = format!(
            "Scaled {dir} replica set {} from {from} to {to}",
            str_at(rs, "/metadata/name")
        );
        self.workload_event(
            Res::Deployment,
            d,
            "deployment-controller",
            "ScalingReplicaSet",
            "Normal",
            msg,
            now,
        );
    }

    fn new_replica_set(
        &mut self,
        d: &Value,
        hash: &str,
        revision: i64,
        replicas: i64,
        now: Nanos,
    ) -> Option<Value> {
        let (ns, name) = meta(d);
        let mut template = d.pointer("/spec/template").cloned().unwrap_or(json!({}));
        template["metadata"]["labels"][HASH_LABEL] = json!(hash);
        let mut selector = d.pointer("/spec/selector").cloned().unwrap_or(json!({}));
        selector["matchLabels"][HASH_LABEL] = json!(hash);
        let labels = template["metadata"]["labels"].clone();
        let (created, _) = self
            .births
            .get(&(ns.clone(), name.clone()))
            .copied()
            .unwrap_or((now, now));
        let desired = int(d, "/spec/replicas");
        let (surge, _) = bounds(d, desired);
        let rs = json!({
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": format!("{name}-{hash}"), "namespace": ns, "uid": new_uid(),
                         "creationTimestamp": rfc3339(created), "generation": 1, "labels": labels,
                         "annotations": {REVISION: revision.to_string(),
                                         "deployment.kubernetes.io/desired-replicas": desired.to_string(),
                                         "deployment.kubernetes.io/max-replicas": (desired + surge).to_string()},
                         "ownerReferences": owner_ref(Res::Deployment, d)},
            "spec": {"replicas": replicas, "minReadySeconds": int(d, "/spec/minReadySeconds"),
                     "selector": selector, "template": template},
        });
        let rs = self.store.create(Res::ReplicaSet, rs).ok()?;
        if replicas > 0 {
            let msg = format!(
                "Scaled up replica set {} from 0 to {replicas}",
                str_at(&rs, "/metadata/name")
            );
            self.workload_event(
                Res::Deployment,
                d,
                "deployment-controller",
                "ScalingReplicaSet",
                "Normal",
                msg,
                now,
            );
        }
        Some(rs)
    }

    pub(super) fn reconcile_deployments(&mut self, now: Nanos) {
        let deployments: Vec<Value> = self
            .store
            .list(Res::Deployment, None)
            .into_iter()
            .cloned()
            .collect();
        for d in deployments {
            self.reconcile_deployment(&d, now);
        }
    }

    fn reconcile_deployment(&mut self, d: &Value, now: Nanos) {
        let (ns, _) = meta(d);
        let uid = str_at(d, "/metadata/uid").to_string();
        let replicas = int(d, "/spec/replicas").max(0);
        let paused = d.pointer("/spec/paused").and_then(Value::as_bool) == Some(true);
        let (surge, max_unavailable) = bounds(d, replicas);
        let mut sets: Vec<Value> = self
            .store
            .list(Res::ReplicaSet, Some(&ns))
            .into_iter()
            .filter(|rs| super::controller_of(rs).is_some_and(|(_, _, u)| u == uid))
            .cloned()
            .collect();
        sets.sort_by_key(revision);
        let template = d.pointer("/spec/template").cloned().unwrap_or(json!({}));
        let bare = template_without(&template, HASH_LABEL);
        let max_rev = sets.iter().map(revision).max().unwrap_or(0);
        let mut created_new = false;
        let new_idx = sets.iter().position(|rs| {
            rs.pointer("/spec/template")
                .is_some_and(|t| template_without(t, HASH_LABEL) == bare)
        });
        let new_idx = match new_idx {
            Some(i) => {
                if revision(&sets[i]) < max_rev {
                    // A rollback (or a return to an older template) revives that ReplicaSet
                    // as the newest revision.
                    let mut rs = sets[i].clone();
                    rs["metadata"]["annotations"][REVISION] = json!((max_rev + 1).to_string());
                    if let Ok(stored) = self.store.update(Res::ReplicaSet, rs) {
                        sets[i] = stored;
                    }
                }
                Some(i)
            }
            None if paused => None,
            None => {
                let total: i64 = sets.iter().map(|r| int(r, "/spec/replicas")).sum();
                let old_pods: i64 = sets.iter().map(|r| int(r, "/status/replicas")).sum();
                let start = if str_at(d, "/spec/strategy/type") == "Recreate" {
                    if old_pods == 0 && total == 0 {
                        replicas
                    } else {
                        0
                    }
                } else {
                    (replicas + surge - total).clamp(0, replicas)
                };
                let hash = template_hash(&template, HASH_LABEL);
                match self.new_replica_set(d, &hash, max_rev + 1, start, now) {
                    Some(rs) => {
                        created_new = true;
                        sets.push(rs);
                        Some(sets.len() - 1)
                    }
                    None => None,
                }
            }
        };
        if !paused && let Some(ni) = new_idx {
            self.roll(
                d,
                &mut sets,
                ni,
                replicas,
                surge,
                max_unavailable,
                created_new,
                now,
            );
        }
        self.trim_history(d, &sets, new_idx);
        self.deployment_status(
            d,
            new_idx.map(|i| str_at(&sets[i], "/metadata/name").to_string()),
            max_unavailable,
            created_new,
            now,
        );
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one step of the rolling update algorithm"
    )]
    fn roll(
        &mut self,
        d: &Value,
        sets: &mut [Value],
        ni: usize,
        replicas: i64,
        surge: i64,
        max_unavailable: i64,
        created_new: bool,
        now: Nanos,
    ) {
        let recreate = str_at(d, "/spec/strategy/type") == "Recreate";
        let total: i64 = sets.iter().map(|r| int(r, "/spec/replicas")).sum();
        let new_spec = int(&sets[ni], "/spec/replicas");
        let mut new_rs = sets[ni].clone();
        if recreate {
            let old_left: i64 = sets
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != ni)
                .map(|(_, r)| int(r, "/spec/replicas") + int(r, "/status/replicas"))
                .sum();
            for (i, rs) in sets.iter_mut().enumerate() {
                if i != ni && int(rs, "/spec/replicas") > 0 {
                    let mut r = rs.clone();
                    self.scale_rs(d, &mut r, 0, now);
                    *rs = r;
                }
            }
            if old_left == 0 && new_spec != replicas {
                self.scale_rs(d, &mut new_rs, replicas, now);
                sets[ni] = new_rs;
            }
            return;
        }
        if new_spec > replicas {
            self.scale_rs(d, &mut new_rs, replicas, now);
            sets[ni] = new_rs;
            return;
        }
        if new_spec < replicas && !created_new {
            let room = replicas + surge - total;
            if room > 0 {
                let to = (new_spec + room).min(replicas);
                self.scale_rs(d, &mut new_rs, to, now);
                sets[ni] = new_rs;
                return;
            }
        }
        // Scale old ReplicaSets down as far as availability allows: unhealthy pods first.
        let old_total: i64 = sets
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != ni)
            .map(|(_, r)| int(r, "/spec/replicas"))
            .sum();
        if old_total == 0 {
            return;
        }
        let min_available = replicas - max_unavailable;
        let new_unavailable =
            (int(&sets[ni], "/spec/replicas") - int(&sets[ni], "/status/availableReplicas")).max(0);
        let mut budget = total - min_available - new_unavailable;
        let available: i64 = sets
            .iter()
            .map(|r| int(r, "/status/availableReplicas"))
            .sum();
        #[expect(
            clippy::needless_range_loop,
            reason = "sets[i] is replaced in the loop"
        )]
        for i in 0..sets.len() {
            if i == ni || budget <= 0 {
                continue;
            }
            let spec = int(&sets[i], "/spec/replicas");
            let unhealthy = (spec - int(&sets[i], "/status/availableReplicas")).max(0);
            let cut = unhealthy.min(budget).min(spec);
            if cut > 0 {
                let mut r = sets[i].clone();
                self.scale_rs(d, &mut r, spec - cut, now);
                sets[i] = r;
                budget -= cut;
            }
        }
        let mut excess = (available - min_available).min(budget.max(0));
        #[expect(
            clippy::needless_range_loop,
            reason = "sets[i] is replaced in the loop"
        )]
        for i in 0..sets.len() {
            if i == ni || excess <= 0 {
                continue;
            }
            let spec = int(&sets[i], "/spec/replicas");
            let cut = spec.min(excess);
            if cut > 0 {
                let mut r = sets[i].clone();
                self.scale_rs(d, &mut r, spec - cut, now);
                sets[i] = r;
                excess -= cut;
            }
        }
    }

    fn trim_history(&mut self, d: &Value, sets: &[Value], new_idx: Option<usize>) {
        let limit = d
            .pointer("/spec/revisionHistoryLimit")
            .and_then(Value::as_i64)
            .unwrap_or(10)
            .max(0) as usize;
        let idle: Vec<&Value> = sets
            .iter()
            .enumerate()
            .filter(|(i, r)| {
                Some(*i) != new_idx
                    && int(r, "/spec/replicas") == 0
                    && int(r, "/status/replicas") == 0
            })
            .map(|(_, r)| r)
            .collect();
        if idle.len() > limit {
            for rs in &idle[..idle.len() - limit] {
                let (ns, name) = meta(rs);
                let _ = self.store.delete(Res::ReplicaSet, &ns, &name);
            }
        }
    }

    fn deployment_status(
        &mut self,
        d: &Value,
        new_name: Option<String>,
        max_unavailable: i64,
        created_new: bool,
        now: Nanos,
    ) {
        let (ns, name) = meta(d);
        let uid = str_at(d, "/metadata/uid");
        let sets: Vec<&Value> = self
            .store
            .list(Res::ReplicaSet, Some(&ns))
            .into_iter()
            .filter(|rs| super::controller_of(rs).is_some_and(|(_, _, u)| u == uid))
            .collect();
        let sum = |p: &str| -> i64 { sets.iter().map(|r| int(r, p)).sum() };
        let new_rs = sets
            .iter()
            .find(|r| new_name.as_deref() == Some(str_at(r, "/metadata/name")));
        let replicas = int(d, "/spec/replicas").max(0);
        let status_replicas = sum("/status/replicas");
        let updated = new_rs.map_or(0, |r| int(r, "/status/replicas"));
        let ready = sum("/status/readyReplicas");
        let available = sum("/status/availableReplicas");
        let unavailable = (sum("/spec/replicas") - available).max(0);
        let revision = new_rs.map_or(0, |r| revision(r));
        let old = d.get("status");
        let rs_name = new_name.unwrap_or_default();
        let ok = available >= replicas - max_unavailable;
        let available_cond = if ok {
            condition(
                old,
                "Available",
                true,
                "MinimumReplicasAvailable",
                "Deployment has minimum availability.",
                now,
            )
        } else {
            condition(
                old,
                "Available",
                false,
                "MinimumReplicasUnavailable",
                "Deployment does not have minimum availability.",
                now,
            )
        };
        let counts = json!([status_replicas, updated, ready, available]);
        let old_counts = json!([
            int(d, "/status/replicas"),
            int(d, "/status/updatedReplicas"),
            int(d, "/status/readyReplicas"),
            int(d, "/status/availableReplicas")
        ]);
        let complete = updated == replicas && available == replicas && status_replicas == replicas;
        let deadline = Nanos::from(int(d, "/spec/progressDeadlineSeconds").max(1)) * SECOND;
        let prev = old
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
            .and_then(|cs| cs.iter().find(|c| str_at(c, "/type") == "Progressing"))
            .cloned();
        let last_update = prev
            .as_ref()
            .and_then(|p| parse_rfc3339(str_at(p, "/lastUpdateTime")))
            .unwrap_or(now);
        let progressing = if complete {
            condition(
                old,
                "Progressing",
                true,
                "NewReplicaSetAvailable",
                &format!("ReplicaSet \"{rs_name}\" has successfully progressed."),
                now,
            )
        } else if created_new {
            condition(
                old,
                "Progressing",
                true,
                "NewReplicaSetCreated",
                &format!("Created new replica set \"{rs_name}\""),
                now,
            )
        } else if counts != old_counts
            || prev.is_none()
            || d.pointer("/status/observedGeneration") != d.pointer("/metadata/generation")
        {
            let mut c = condition(
                old,
                "Progressing",
                true,
                "ReplicaSetUpdated",
                &format!("ReplicaSet \"{rs_name}\" is progressing."),
                now,
            );
            c["lastUpdateTime"] = json!(rfc3339(now));
            c
        } else if now - last_update > deadline {
            condition(
                old,
                "Progressing",
                false,
                "ProgressDeadlineExceeded",
                &format!("ReplicaSet \"{rs_name}\" has timed out progressing."),
                now,
            )
        } else {
            prev.unwrap_or_else(|| {
                condition(
                    old,
                    "Progressing",
                    true,
                    "ReplicaSetUpdated",
                    &format!("ReplicaSet \"{rs_name}\" is progressing."),
                    now,
                )
            })
        };
        let mut status = json!({
            "observedGeneration": d.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
            "replicas": status_replicas,
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": available,
            "conditions": [available_cond, progressing],
        });
        if unavailable > 0 {
            status["unavailableReplicas"] = json!(unavailable);
        }
        let Some(stored) = self.store.get(Res::Deployment, &ns, &name).cloned() else {
            return;
        };
        let mut next = stored.clone();
        next["status"] = status;
        if revision > 0 {
            next["metadata"]["annotations"][REVISION] = json!(revision.to_string());
        }
        if next != stored {
            let _ = self.store.update(Res::Deployment, next);
        }
    }
}
