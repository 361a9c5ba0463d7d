//! The ReplicaSet controller: keeps `spec.replicas` pods, making new ones from the template
//! (SuccessfulCreate) and deleting the surplus, least useful first (SuccessfulDelete).

use serde_json::{Value, json};

use super::{Owned, PodBrief, str_at};
use crate::cluster::Cluster;
use crate::store::{Res, meta};
use crate::util::Nanos;

/// Pods made per ReplicaSet and pass at most (the real controller's slow start is bounded
/// the same way).
const BURST: usize = 500;

/// The order in which surplus pods go: unscheduled, then pending, then not ready, then the
/// youngest (as the real controller ranks them).
fn deletion_rank(p: &PodBrief) -> (u8, u8, u8, std::cmp::Reverse<Nanos>) {
    (
        u8::from(p.scheduled),
        u8::from(p.phase != "Pending"),
        u8::from(p.ready),
        std::cmp::Reverse(p.created),
    )
}

impl Cluster {
    pub(super) fn reconcile_replicasets(&mut self, owned: &Owned, now: Nanos) {
        let sets: Vec<Value> = self
            .store
            .list(Res::ReplicaSet, None)
            .into_iter()
            .cloned()
            .collect();
        for rs in sets {
            let (ns, name) = meta(&rs);
            let uid = str_at(&rs, "/metadata/uid");
            let want = rs
                .pointer("/spec/replicas")
                .and_then(Value::as_i64)
                .unwrap_or(1)
                .max(0) as usize;
            let pods: Vec<PodBrief> = owned.get(uid).cloned().unwrap_or_default();
            let mut active: Vec<&PodBrief> = pods.iter().filter(|p| p.active()).collect();
            let hash = rs
                .pointer("/metadata/labels/pod-template-hash")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut created = 0;
            if active.len() < want {
                for _ in 0..(want - active.len()).min(BURST) {
                    let pod = self.next_pod_name(&ns, &name);
                    let extra: Vec<(&str, String)> = if hash.is_empty() {
                        Vec::new()
                    } else {
                        vec![("pod-template-hash", hash.clone())]
                    };
                    if self.create_controlled_pod(Res::ReplicaSet, &rs, &pod, &extra, None, now) {
                        created += 1;
                        self.workload_event(
                            Res::ReplicaSet,
                            &rs,
                            "replicaset-controller",
                            "SuccessfulCreate",
                            "Normal",
                            format!("Created pod: {pod}"),
                            now,
                        );
                    }
                }
            } else if active.len() > want {
                active.sort_by_key(|p| deletion_rank(p));
                let surplus: Vec<String> = active[..active.len() - want]
                    .iter()
                    .map(|p| p.name.clone())
                    .collect();
                for pod in surplus {
                    if self.delete_pod(&ns, &pod, Some(30), now).is_ok() {
                        self.workload_event(
                            Res::ReplicaSet,
                            &rs,
                            "replicaset-controller",
                            "SuccessfulDelete",
                            "Normal",
                            format!("Deleted pod: {pod}"),
                            now,
                        );
                    }
                }
            }
            let active: Vec<&PodBrief> = pods.iter().filter(|p| p.active()).collect();
            let current = active.len() + created;
            let ready = active.iter().filter(|p| p.ready).count();
            let Some(stored) = self.store.get(Res::ReplicaSet, &ns, &name).cloned() else {
                continue;
            };
            let status = json!({
                "replicas": current,
                "fullyLabeledReplicas": current,
                "readyReplicas": ready,
                "availableReplicas": ready,
                "observedGeneration": stored.pointer("/metadata/generation").cloned().unwrap_or(json!(1)),
            });
            self.write_status(Res::ReplicaSet, &stored, status);
        }
    }
}
