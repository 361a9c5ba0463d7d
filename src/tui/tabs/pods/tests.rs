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
