//! The Pods tab: the watch's batches and its screens.

use super::{Conn, PodChange};
use crate::tui::app::Tab;
use crate::tui::fixtures::{assert_screens, model, pod, pods_model};
use crate::tui::msg::Msg;
use crate::tui::update::update;

#[test]
fn pod_batches_keep_the_list_sorted_and_stale_generations_are_dropped() {
    let mut m = model();
    update(
        &mut m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Reset(vec![pod("c"), pod("a")])],
        },
    );
    update(
        &mut m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Upsert(pod("b")), PodChange::Delete("c".into())],
        },
    );
    let names: Vec<&str> = m.pods.rows.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "b"]);
    assert_eq!(m.pods.conn, Conn::Connected);
    update(
        &mut m,
        Msg::Pods {
            generation: 0,
            changes: vec![PodChange::Upsert(pod("zzz"))],
        },
    );
    update(
        &mut m,
        Msg::PodsError {
            generation: 0,
            message: "old".into(),
        },
    );
    assert_eq!(m.pods.rows.len(), 2);
    assert_eq!(m.pods.conn, Conn::Connected);
}

#[test]
fn pods_tab_at_120x40_and_80x24() {
    let mut unreachable = model();
    unreachable.tab = Tab::Pods;
    unreachable.pods.conn =
        Conn::Failed("cannot reach https://minikube.example.com: connection refused".into());
    assert_screens!([("pods", pods_model()), ("pods_unreachable", unreachable)]);
}

#[test]
fn o_sorts_by_the_next_column_and_shift_o_reverses_keeping_the_cursor_on_its_pod() {
    use crate::tui::fixtures::{key, run, screen};
    let mut m = pods_model();
    let mut cache = pod("cache-1");
    cache.status = "Pending".into();
    cache.restarts = 3;
    cache.created = m.now - 100;
    update(
        &mut m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Upsert(cache)],
        },
    );
    let names = |m: &crate::tui::app::Model| -> Vec<String> {
        m.visible_pods()
            .iter()
            .map(|&i| m.pods.rows[i].name.clone())
            .collect()
    };
    run(&mut m, vec![key("G")]);
    let on = |m: &crate::tui::app::Model| names(m)[m.pods.list.selected].clone();
    assert_eq!(names(&m), ["api-7d9f-abcde", "cache-1", "worker-0"]);
    run(&mut m, vec![key("o")]);
    assert_eq!(
        names(&m),
        ["worker-0", "cache-1", "api-7d9f-abcde"],
        "by status"
    );
    assert_eq!(on(&m), "worker-0", "the cursor stays on its pod");
    run(&mut m, vec![key("o")]);
    assert_eq!(
        names(&m),
        ["api-7d9f-abcde", "cache-1", "worker-0"],
        "by restarts"
    );
    run(&mut m, vec![key("O")]);
    assert_eq!(
        names(&m),
        ["worker-0", "cache-1", "api-7d9f-abcde"],
        "reversed"
    );
    assert!(screen(&m, 80, 24).contains("RESTARTS▼"));
    run(&mut m, vec![key("o")]);
    assert_eq!(
        names(&m),
        ["cache-1", "api-7d9f-abcde", "worker-0"],
        "youngest first"
    );
    run(&mut m, vec![key("o"), key("o"), key("o")]);
    assert_eq!(m.pods.list.sort, None, "back to the list's own order");
    assert_eq!(on(&m), "worker-0");
    assert!(
        screen(&m, 80, 24).contains(" 3/3 "),
        "the position is shown"
    );
}

#[test]
fn a_kubeconfig_error_is_shown_as_such_not_as_an_unreachable_cluster() {
    let mut m = model();
    m.tab = Tab::Pods;
    let generation = m.pods.generation;
    let message = "context `dev` (in /home/u/.kube/config) names cluster `gone`, which no kubeconfig file defines; fix the context or add the entry (files: /home/u/.kube/config)";
    update(
        &mut m,
        Msg::PodsKubeconfigError {
            generation,
            message: message.into(),
        },
    );
    assert_eq!(m.pods.conn, Conn::Kubeconfig(message.into()));
    let screen = crate::tui::fixtures::text(&crate::tui::fixtures::render(&m, 120, 40));
    assert!(screen.contains("✖ kubeconfig"), "{screen}");
    assert!(!screen.contains("unreachable"), "{screen}");
    assert!(screen.contains("names cluster `gone`"), "{screen}");
    assert!(screen.contains("devk does not retry this"), "{screen}");
}
