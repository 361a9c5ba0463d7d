//! Pods: the watch behind the Pods tab, and the conversion of API objects into devk's own
//! `PodSummary` (a plain type in `crate::pods`, so nothing past this file sees kube or
//! k8s-openapi types).

use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher;
use tokio::sync::mpsc;

use super::{client_for, error_chain};
use crate::kubeconfig::Sources;
use crate::pods::{PodSummary, PodUpdate};

/// The controlling owner of a pod as `Kind/name`.
pub fn owner_of(pod: &Pod) -> Option<String> {
    pod.metadata
        .owner_references
        .as_deref()
        .unwrap_or_default()
        .iter()
        .find(|o| o.controller == Some(true))
        .map(|o| format!("{}/{}", o.kind, o.name))
}

/// Converts a pod the way kubectl's table printer summarises it.
pub fn summarize(pod: &Pod) -> PodSummary {
    let meta = &pod.metadata;
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let statuses = status
        .and_then(|s| s.container_statuses.as_deref())
        .unwrap_or_default();
    let total = spec.map_or(statuses.len(), |s| s.containers.len());
    let ready = statuses.iter().filter(|c| c.ready).count();
    let restarts = statuses
        .iter()
        .map(|c| u32::try_from(c.restart_count).unwrap_or(0))
        .sum();
    let mut reason = status
        .and_then(|s| s.reason.clone().or_else(|| s.phase.clone()))
        .unwrap_or_else(|| "Unknown".into());
    let inits = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    let mut initializing = false;
    for (i, c) in inits.iter().enumerate() {
        let state = c.state.as_ref();
        if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
            if t.exit_code == 0 {
                continue;
            }
            reason = format!(
                "Init:{}",
                t.reason
                    .clone()
                    .unwrap_or_else(|| format!("ExitCode:{}", t.exit_code))
            );
        } else if let Some(w) = state
            .and_then(|s| s.waiting.as_ref())
            .filter(|w| w.reason.as_deref().is_some_and(|r| r != "PodInitializing"))
        {
            reason = format!("Init:{}", w.reason.clone().unwrap_or_default());
        } else {
            reason = format!("Init:{}/{}", i, inits.len());
        }
        initializing = true;
        break;
    }
    if !initializing {
        for c in statuses.iter().rev() {
            let state = c.state.as_ref();
            if let Some(w) = state
                .and_then(|s| s.waiting.as_ref())
                .and_then(|w| w.reason.clone())
            {
                reason = w;
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                reason = t
                    .reason
                    .clone()
                    .unwrap_or_else(|| format!("ExitCode:{}", t.exit_code));
            }
        }
    }
    if meta.deletion_timestamp.is_some() {
        reason = "Terminating".into();
    }
    PodSummary {
        name: meta.name.clone().unwrap_or_default(),
        ready: format!("{ready}/{total}"),
        status: reason,
        restarts,
        created: meta
            .creation_timestamp
            .as_ref()
            .map_or(0, |t| t.0.as_second()),
        node: spec.and_then(|s| s.node_name.clone()).unwrap_or_default(),
        owner: owner_of(pod),
    }
}

/// Most pods one batch carries, and the longest a batch waits before it is sent: a busy
/// namespace sends few large messages instead of a flood of small ones.
const BATCH_MAX: usize = 500;
const BATCH_WAIT: Duration = Duration::from_millis(50);

/// Watches the pods of `namespace` in `context` until `out` is closed, sending batches.
/// Lost connections are retried with backoff (kube's watcher re-lists and resumes).
pub async fn watch(
    sources: Sources,
    context: String,
    namespace: String,
    out: mpsc::Sender<Vec<PodUpdate>>,
) {
    let mut delay = Duration::from_millis(500);
    let client = loop {
        match client_for(&sources, &context).await {
            Ok(c) => break c,
            Err(e @ super::ClusterError::Kubeconfig(_)) => {
                // Retrying cannot fix a kubeconfig: say it once and wait to be stopped.
                if out
                    .send(vec![PodUpdate::Kubeconfig(e.to_string())])
                    .await
                    .is_ok()
                {
                    out.closed().await;
                }
                return;
            }
            Err(e) => {
                if out
                    .send(vec![PodUpdate::Error(e.to_string())])
                    .await
                    .is_err()
                {
                    return;
                }
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(30));
            }
        }
    };
    let api: Api<Pod> = Api::namespaced(client, &namespace);
    let stream = watcher(api, watcher::Config::default()).default_backoff();
    let mut stream = std::pin::pin!(stream);
    let mut initial: Vec<PodSummary> = Vec::new();
    let mut batch: Vec<PodUpdate> = Vec::new();
    loop {
        let next = if batch.is_empty() {
            stream.next().await
        } else {
            match tokio::time::timeout(BATCH_WAIT, stream.next()).await {
                Ok(n) => n,
                Err(_) => {
                    if out.send(std::mem::take(&mut batch)).await.is_err() {
                        return;
                    }
                    continue;
                }
            }
        };
        let Some(event) = next else { return };
        match event {
            Ok(watcher::Event::Init) => initial.clear(),
            Ok(watcher::Event::InitApply(p)) => initial.push(summarize(&p)),
            Ok(watcher::Event::InitDone) => {
                batch.clear();
                batch.push(PodUpdate::Reset(std::mem::take(&mut initial)));
            }
            Ok(watcher::Event::Apply(p)) => batch.push(PodUpdate::Upsert(summarize(&p))),
            Ok(watcher::Event::Delete(p)) => {
                batch.push(PodUpdate::Delete(p.metadata.name.unwrap_or_default()))
            }
            Err(e) => batch.push(PodUpdate::Error(format!(
                "cannot watch pods in {namespace} of context `{context}`: {}",
                error_chain(&e)
            ))),
        }
        let urgent = matches!(
            batch.last(),
            Some(PodUpdate::Reset(_) | PodUpdate::Error(_))
        );
        if (batch.len() >= BATCH_MAX || urgent)
            && out.send(std::mem::take(&mut batch)).await.is_err()
        {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn crash_looping_pod_reads_like_kubectl() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "api-1", "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"nodeName": "node-a", "containers": [{"name": "a"}, {"name": "b"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 0, "image": "x", "imageID": "", "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 7, "image": "x", "imageID": "", "state": {"waiting": {"reason": "CrashLoopBackOff"}}}
            ]}
        }));
        let s = summarize(&p);
        assert_eq!(
            (
                s.ready.as_str(),
                s.status.as_str(),
                s.restarts,
                s.node.as_str()
            ),
            ("1/2", "CrashLoopBackOff", 7, "node-a")
        );
        assert_eq!(s.created, 1_767_225_600);
    }

    #[test]
    fn init_and_terminating_states() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "w"},
            "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "i", "ready": false, "restartCount": 0, "image": "x", "imageID": "", "state": {"running": {}}}
            ]}
        }));
        assert_eq!(summarize(&p).status, "Init:0/1");
        let p = pod(serde_json::json!({
            "metadata": {"name": "t", "deletionTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "a"}]},
            "status": {"phase": "Running"}
        }));
        assert_eq!(summarize(&p).status, "Terminating");
    }
}
