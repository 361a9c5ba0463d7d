//! A team's real-world kubeconfig and cluster for the TUI's tests: EKS contexts named by
//! `aws eks update-kubeconfig` (two clusters of the same name in two regions), GKE and
//! eksctl contexts, 300 pods with 60-character generated names (one crash-looping, one
//! completed job), and 400 namespaces.

use crate::contexts::ContextRow;
use crate::policy::ContextClass;

use super::app::Model;
use super::keymap::Keymap;
use super::msg::{KubeSnapshot, Msg};
use super::tabs::pods::{PodChange, PodRow};
use super::update::update;

/// Now, in the world's clock.
pub const NOW: i64 = 1_764_000_000;

/// The current context: the protected production cluster in eu-west-1.
pub const PROD: &str = "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod";

fn context(name: &str, class: ContextClass, namespace: &str) -> ContextRow {
    ContextRow {
        name: name.into(),
        current: name == PROD,
        class,
        class_reason: match class {
            ContextClass::Protected => {
                format!("context name `{name}` matches protected pattern `*prod*`")
            }
            ContextClass::Local => "the server is on loopback".into(),
            ContextClass::Remote => "the server is not local".into(),
        },
        cluster: name.into(),
        server: Some(
            "https://4F1A2B3C4D5E6F7A8B9C0D1E2F3A4B5C.gr7.eu-west-1.eks.amazonaws.com".into(),
        ),
        user: name.into(),
        auth: "exec: aws eks get-token".into(),
        namespace: namespace.into(),
        file: "/home/dev/.kube/config".into(),
    }
}

/// The team's contexts, current on [`PROD`].
pub fn snapshot() -> KubeSnapshot {
    use ContextClass::*;
    let rows = vec![
        context(PROD, Protected, "payments-fraud-detection"),
        context(
            "arn:aws:eks:us-east-1:123456789012:cluster/payments-prod",
            Protected,
            "payments-fraud-detection",
        ),
        context(
            "arn:aws:eks:eu-west-1:210987654321:cluster/payments-staging",
            Remote,
            "default",
        ),
        context(
            "arn:aws:eks:eu-west-1:210987654321:cluster/data-platform-ingest",
            Remote,
            "ingest",
        ),
        context(
            "gke_acme-analytics-prod_europe-west1-b_warehouse",
            Protected,
            "default",
        ),
        context("gke_acme-sandbox_us-central1_playground", Remote, "default"),
        context("jane@orders.us-west-2.eksctl.io", Remote, "orders"),
        context("kind-dev", Local, "default"),
        context("minikube", Local, "default"),
    ];
    let mut rows = rows;
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    KubeSnapshot {
        rows,
        current: Some(PROD.into()),
    }
}

/// 300 pods of generated names about 60 characters long, alike but for their suffixes; one
/// crash-looping, one completed job pod.
pub fn pods() -> Vec<PodRow> {
    let workloads = [
        "payments-fraud-detection-scoring-worker-canary",
        "payments-fraud-detection-scoring-worker-stable",
        "payments-ledger-reconciliation-batch-processor",
    ];
    let mut pods = Vec::new();
    for (w, workload) in workloads.iter().enumerate() {
        for i in 0..100 {
            let name = format!("{workload}-7d9f8c6b{w}-{:05x}", i * 7919 % 0xfffff);
            pods.push(PodRow {
                name,
                ready: "1/1".into(),
                status: "Running".into(),
                restarts: 0,
                created: NOW - 3_600 - i64::from(i) * 60,
                node: format!("ip-10-0-{w}-{i}.eu-west-1.compute.internal"),
                owner: Some(format!("ReplicaSet/{workload}-7d9f8c6b{w}")),
            });
        }
    }
    pods[17].status = "CrashLoopBackOff".into();
    pods[17].ready = "0/1".into();
    pods[17].restarts = 41;
    pods[250].name = "payments-ledger-reconciliation-nightly-report-29318400-x7k2p".into();
    pods[250].status = "Completed".into();
    pods[250].ready = "0/1".into();
    pods[250].owner = Some("Job/payments-ledger-reconciliation-nightly-report-29318400".into());
    pods
}

/// 400 namespaces, plus `default`.
pub fn namespaces() -> Vec<String> {
    let mut names: Vec<String> = (0..400)
        .map(|i| {
            format!(
                "team-{:03}-{}",
                i,
                ["payments", "ledger", "ingest", "web"][i % 4]
            )
        })
        .collect();
    names.push("default".into());
    names.push("payments-fraud-detection".into());
    names.sort();
    names
}

/// The world's model on the Contexts tab, its pods arrived.
pub fn model() -> Model {
    let keymap = Keymap::from_config(&crate::config::Config::default().keys).unwrap();
    let mut m = Model::new(snapshot(), keymap, NOW);
    let _ = m.start();
    update(
        &mut m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Reset(pods())],
        },
    );
    m
}
