//! The DaemonSet controller: one pod on every node the template's nodeSelector admits; a
//! template change replaces them one node at a time (maxUnavailable 1), with the status
//! fields `kubectl rollout status ds` reads.

use serde_json::{Value, json};

use super::{Owned, PodBrief, str_at, template_hash};
use crate::cluster::Cluster;
use crate::store::{Res, meta};
use crate::util::Nanos;

const REVISION_LABEL: &str = "controller-revision-hash";

impl Cluster {
    pub(super) fn reconcile_daemonsets(&mut self, owned: &Owned, now: Nanos) {
        let sets: Vec<Value> = self
            .store
            .list(Res::DaemonSet, None)
            .into_iter()
            .cloned()
            .collect();
        for ds in sets {
            self.reconcile_daemonset(&ds, owned, now);
        }
    }

    fn reconcile_daemonset(&mut self, ds: &Value, owned: &Owned, now: Nanos) {
        let (ns, name) = meta(ds);
        let uid = str_at(ds, "/metadata/uid");
        let template = ds.pointer("/spec/template").cloned().unwrap_or(json!({}));
        let hash = template_hash(&template, REVISION_LABEL);
        let generation = ds
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let probe = json!({"spec": template.get("spec").cloned().unwrap_or(json!({}))});
        let nodes = self.eligible_nodes(&probe);
        let pods: Vec<PodBrief> = owned.get(uid).cloned().unwrap_or_default();
        let on = |n: &str| -> Vec<&PodBrief> {
            pods.iter()
                .filter(|p| p.node == n && !p.terminating)
                .collect()
        };
        let unavailable = nodes
            .iter()
            .filter(|n| !on(n).iter().any(|p| p.ready))
            .count();
        let mut replaced = false;
        for node in &nodes {
            let here = on(node);
            if here.is_empty() {
                if pods.iter().any(|p| p.node == *node && p.terminating) {
                    continue;
                }
                let pod = self.next_pod_name(&ns, &name);
                let extra = [
                    (REVISION_LABEL, hash.clone()),
                    ("pod-template-generation", generation.to_string()),
                ];
                if self.create_controlled_pod(Res::DaemonSet, ds, &pod, &extra, Some(node), now) {
                    self.workload_event(
                        Res::DaemonSet,
                        ds,
                        "daemonset-controller",
                        "SuccessfulCreate",
                        "Normal",
                        format!("Created pod: {pod}"),
                        now,
                    );
                }
            } else if !replaced
                && unavailable == 0
                && let Some(old) = here.iter().find(|p| p.revision != hash)
            {
                {
                    let pod = old.name.clone();
                    replaced = true;
                    if self.delete_pod(&ns, &pod, Some(30), now).is_ok() {
                        self.workload_event(
                            Res::DaemonSet,
                            ds,
                            "daemonset-controller",
                            "SuccessfulDelete",
                            "Normal",
                            format!("Deleted pod: {pod}"),
                            now,
                        );
                    }
                }
            }
        }
        let scheduled = nodes.iter().filter(|n| !on(n).is_empty()).count();
        let ready = nodes
            .iter()
            .filter(|n| on(n).iter().any(|p| p.ready))
            .count();
        let updated = nodes
            .iter()
            .filter(|n| on(n).iter().any(|p| p.revision == hash))
            .count();
        let mut status = json!({
            "observedGeneration": generation,
            "desiredNumberScheduled": nodes.len(),
            "currentNumberScheduled": scheduled,
            "numberMisscheduled": 0,
            "numberReady": ready,
            "numberAvailable": ready,
            "updatedNumberScheduled": updated,
        });
        if nodes.len() > ready {
            status["numberUnavailable"] = json!(nodes.len() - ready);
        }
        if let Some(stored) = self.store.get(Res::DaemonSet, &ns, &name).cloned() {
            self.write_status(Res::DaemonSet, &stored, status);
        }
    }
}
