//! The pod watch: forwards `cluster::pods::watch` batches as messages of one generation.

use tokio::sync::mpsc;

use super::state::PodChange;
use crate::cluster;
use crate::kubeconfig::Sources;
use crate::pods::PodUpdate;
use crate::tui::msg::Msg;

/// Watches the pods of `namespace` in `context` until aborted or the UI stops listening.
pub(crate) async fn forward_pods(
    sources: Sources,
    context: String,
    namespace: String,
    generation: u64,
    tx: mpsc::Sender<Msg>,
) {
    let (ptx, mut prx) = mpsc::channel::<Vec<PodUpdate>>(16);
    let watch = tokio::spawn(cluster::pods::watch(sources, context, namespace, ptx));
    while let Some(batch) = prx.recv().await {
        let mut changes = Vec::with_capacity(batch.len());
        for u in batch {
            match u {
                PodUpdate::Reset(all) => changes.push(PodChange::Reset(all)),
                PodUpdate::Upsert(p) => changes.push(PodChange::Upsert(p)),
                PodUpdate::Delete(n) => changes.push(PodChange::Delete(n)),
                PodUpdate::Kubeconfig(message) => {
                    let _ = tx
                        .send(Msg::PodsKubeconfigError {
                            generation,
                            message,
                        })
                        .await;
                    break;
                }
                PodUpdate::Error(message) => {
                    if !changes.is_empty()
                        && tx
                            .send(Msg::Pods {
                                generation,
                                changes: std::mem::take(&mut changes),
                            })
                            .await
                            .is_err()
                    {
                        break;
                    }
                    if tx
                        .send(Msg::PodsError {
                            generation,
                            message,
                        })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        if !changes.is_empty()
            && tx
                .send(Msg::Pods {
                    generation,
                    changes,
                })
                .await
                .is_err()
        {
            break;
        }
    }
    watch.abort();
}
