//! The StatefulSet controller (OrderedReady, RollingUpdate): pods NAME-0..N-1 made one at a
//! time, each waiting for the one before to be Ready; scale-down from the highest ordinal;
//! a template change replaces pods from the highest ordinal down, one at a time, and the
//! status reports currentRevision/updateRevision as `kubectl rollout status sts` reads them.

use serde_json::{Value, json};

use super::{Owned, PodBrief, str_at, template_hash};
use crate::cluster::Cluster;
use crate::store::{Res, meta};
use crate::util::Nanos;

const REVISION_LABEL: &str = "controller-revision-hash";

fn ordinal(sts: &str, pod: &str) -> Option<i64> {
    pod.strip_prefix(sts)?.strip_prefix('-')?.parse().ok()
}

impl Cluster {
    pub(super) fn reconcile_statefulsets(&mut self, owned: &Owned, now: Nanos) {
        let sets: Vec<Value> = self
            .store
            .list(Res::StatefulSet, None)
            .into_iter()
            .cloned()
            .collect();
        for sts in sets {
            self.reconcile_statefulset(&sts, owned, now);
        }
    }

    fn sts_event(&mut self, sts: &Value, verb: &str, reason: &str, pod: &str, now: Nanos) {
        let msg = format!(
            "{verb} Pod {pod} in StatefulSet {} successful",
            str_at(sts, "/metadata/name")
        );
        self.workload_event(
            Res::StatefulSet,
            sts,
            "statefulset-controller",
            reason,
            "Normal",
            msg,
            now,
        );
    }

    fn reconcile_statefulset(&mut self, sts: &Value, owned: &Owned, now: Nanos) {
        let (ns, name) = meta(sts);
        let uid = str_at(sts, "/metadata/uid");
        let replicas = sts
            .pointer("/spec/replicas")
            .and_then(Value::as_i64)
            .unwrap_or(1)
            .max(0);
        let template = sts.pointer("/spec/template").cloned().unwrap_or(json!({}));
        let update_rev = format!("{name}-{}", template_hash(&template, REVISION_LABEL));
        let current_rev = match str_at(sts, "/status/currentRevision") {
            "" => update_rev.clone(),
            r => r.to_string(),
        };
        let pods: Vec<PodBrief> = owned.get(uid).cloned().unwrap_or_default();
        let by_ord = |i: i64| pods.iter().find(|p| ordinal(&name, &p.name) == Some(i));
        // A scenario StatefulSet starts with all its pods, as if it had been running.
        let initial = self.births.contains_key(&(ns.clone(), name.clone())) && pods.is_empty();
        let mut acted = false;
        for i in 0..replicas {
            match by_ord(i) {
                None => {
                    let pod = format!("{name}-{i}");
                    let extra = [
                        ("apps.kubernetes.io/pod-index", i.to_string()),
                        (REVISION_LABEL, update_rev.clone()),
                        ("statefulset.kubernetes.io/pod-name", pod.clone()),
                    ];
                    if self.create_controlled_pod(Res::StatefulSet, sts, &pod, &extra, None, now) {
                        self.sts_event(sts, "create", "SuccessfulCreate", &pod, now);
                    }
                    acted = true;
                    if !initial {
                        break;
                    }
                }
                Some(p) if !p.ready || p.terminating => {
                    acted = true;
                    break;
                }
                Some(_) => {}
            }
        }
        if !acted {
            // Scale down from the highest ordinal, then roll from the highest ordinal down.
            let surplus = pods
                .iter()
                .filter(|p| {
                    ordinal(&name, &p.name).is_some_and(|o| o >= replicas) && !p.terminating
                })
                .max_by_key(|p| ordinal(&name, &p.name));
            let stale = (0..replicas)
                .rev()
                .filter_map(by_ord)
                .find(|p| p.revision != update_rev && !p.terminating);
            if let Some(p) = surplus.or(stale) {
                let pod = p.name.clone();
                if self.delete_pod(&ns, &pod, Some(30), now).is_ok() {
                    self.sts_event(sts, "delete", "SuccessfulDelete", &pod, now);
                }
            }
        }
        let active: Vec<&PodBrief> = pods.iter().filter(|p| p.active()).collect();
        let ready = active.iter().filter(|p| p.ready).count() as i64;
        let updated = active.iter().filter(|p| p.revision == update_rev).count() as i64;
        let all_updated =
            updated == replicas && active.len() as i64 == replicas && ready == replicas;
        let current_rev = if all_updated {
            update_rev.clone()
        } else {
            current_rev
        };
        let current = active.iter().filter(|p| p.revision == current_rev).count() as i64;
        let status = json!({
            "observedGeneration": sts.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
            "replicas": active.len(),
            "readyReplicas": ready,
            "currentReplicas": current,
            "updatedReplicas": updated,
            "availableReplicas": ready,
            "currentRevision": current_rev,
            "updateRevision": update_rev,
            "collisionCount": 0,
        });
        if let Some(stored) = self.store.get(Res::StatefulSet, &ns, &name).cloned() {
            self.write_status(Res::StatefulSet, &stored, status);
        }
    }
}
