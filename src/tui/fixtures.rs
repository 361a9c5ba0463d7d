//! Test fixtures shared by the TUI's unit tests: a model on three contexts.

use crate::contexts::ContextRow;
use crate::policy::ContextClass;

use super::app::Model;
use super::keymap::Keymap;
use super::msg::{Effect, KubeSnapshot, PodRow};

pub fn row(name: &str, class: ContextClass, current: bool) -> ContextRow {
    ContextRow {
        name: name.into(),
        current,
        class,
        class_reason: format!("{name} reason"),
        cluster: format!("{name}-cluster"),
        server: Some(format!("https://{name}.example.com")),
        user: "dev".into(),
        auth: "bearer token (****)".into(),
        namespace: "default".into(),
        file: "/home/dev/.kube/config".into(),
    }
}

pub fn snapshot(current: &str) -> KubeSnapshot {
    KubeSnapshot {
        rows: vec![
            row("eks-prod", ContextClass::Protected, current == "eks-prod"),
            row(
                "eks-staging",
                ContextClass::Remote,
                current == "eks-staging",
            ),
            row("minikube", ContextClass::Local, current == "minikube"),
        ],
        current: Some(current.into()),
    }
}

/// A started model on `current`, its first watch already requested.
pub fn model_on(current: &str) -> Model {
    let keymap = Keymap::from_config(&crate::config::Config::default().keys).unwrap();
    let mut m = Model::new(snapshot(current), keymap, 1_000);
    let mut start = m.start();
    // The Registry creds tab reads the secrets of a local context; tested in update_creds.
    start.retain(|e| !matches!(e, Effect::LoadCreds { .. }));
    assert_eq!(
        start,
        vec![
            Effect::WatchPods {
                generation: 1,
                context: current.into(),
                namespace: "default".into()
            },
            Effect::LoadHook
        ]
    );
    m
}

pub fn model() -> Model {
    model_on("minikube")
}

pub fn pod(name: &str) -> PodRow {
    PodRow {
        name: name.into(),
        ready: "1/1".into(),
        status: "Running".into(),
        restarts: 0,
        created: 0,
        node: "n".into(),
        // Pods named like `web-1` belong to ReplicaSet/web; others are bare pods.
        owner: name
            .rsplit_once('-')
            .map(|(w, _)| format!("ReplicaSet/{w}")),
    }
}
