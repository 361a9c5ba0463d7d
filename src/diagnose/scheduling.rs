//! The scheduler's FailedScheduling message in plain words.

use super::{Cause, Diagnosis, PodFacts, diag};

/// Plain words for the parts of `0/2 nodes are available: 2 Insufficient memory, 1 node(s)
/// had untolerated taint {...}. preemption: ...`.
pub fn plain(message: &str, pod: &PodFacts) -> String {
    let head = message.split(". preemption:").next().unwrap_or(message);
    let reasons = head.split_once(": ").map_or(head, |(_, r)| r);
    let asks = |res: &str| -> String {
        let total: Vec<String> = pod
            .containers
            .iter()
            .filter(|c| !c.init)
            .filter_map(|c| {
                if res == "memory" {
                    c.memory_request.clone()
                } else {
                    c.cpu_request.clone()
                }
            })
            .collect();
        if total.is_empty() {
            String::new()
        } else {
            format!(" (it asks for {})", total.join(" + "))
        }
    };
    let mut out = Vec::new();
    for part in reasons.split(", ") {
        let part = part.trim().trim_end_matches('.');
        let words = if part.contains("Insufficient memory") {
            format!("no node has enough free memory{}", asks("memory"))
        } else if part.contains("Insufficient cpu") {
            format!("no node has enough free CPU{}", asks("cpu"))
        } else if part.contains("didn't match Pod's node affinity/selector") {
            let sel: Vec<String> = pod
                .node_selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            if sel.is_empty() {
                "no node matches its node affinity".into()
            } else {
                format!(
                    "no node has the labels of its nodeSelector ({})",
                    sel.join(", ")
                )
            }
        } else if part.contains("untolerated taint") {
            "the nodes carry a taint it does not tolerate".into()
        } else if part.contains("unbound immediate PersistentVolumeClaims") {
            "it waits for a PersistentVolumeClaim to be bound".into()
        } else if part.contains("didn't have free ports") {
            "the host port it asks for is taken on every node".into()
        } else {
            part.to_string()
        };
        out.push(words);
    }
    out.dedup();
    out.join("; ")
}

/// A pod the scheduler cannot place.
pub(super) fn unschedulable(pod: &PodFacts, message: &str) -> Diagnosis {
    let words = plain(message, pod);
    let fix = if message.contains("Insufficient") {
        ": lower its resources.requests, or give the cluster a bigger node (`minikube start --memory/--cpus`)"
    } else if message.contains("affinity/selector") {
        ": fix the nodeSelector or label a node"
    } else {
        ""
    };
    diag(
        pod,
        false,
        Cause::Unschedulable,
        format!("is Pending because {words}{fix}"),
        vec![message.to_string()],
    )
}
