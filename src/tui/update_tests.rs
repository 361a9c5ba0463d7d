//! `update` as tables: given this model and these messages, expect these effects and state.

use rstest::rstest;

use super::*;
use crate::tui::fixtures::{model, pod, snapshot};
use crate::tui::msg::PodChange;

fn key(s: &str) -> Msg {
    Msg::Key(s.parse().unwrap())
}

fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(|c| Msg::Key(Key::ch(c))).collect()
}

fn run(m: &mut Model, msgs: Vec<Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|msg| update(m, msg)).collect()
}

fn switch(c: &str) -> Effect {
    Effect::Switch { context: c.into() }
}

#[rstest]
#[case::enter_on_a_remote_context_switches(vec![key("k"), key("enter")], vec![switch("eks-staging")])]
#[case::enter_on_the_current_context_does_nothing(vec![key("enter")], vec![])]
#[case::enter_on_protected_only_opens_the_dialog(vec![key("g"), key("enter")], vec![])]
#[case::typed_wrong_name_does_not_switch([vec![key("g"), key("enter")], typed("eks-pro"), vec![key("enter")]].concat(), vec![])]
#[case::typed_name_switches([vec![key("g"), key("enter")], typed("eks-prod"), vec![key("enter")]].concat(), vec![switch("eks-prod")])]
#[case::esc_cancels_the_dialog([vec![key("g"), key("enter")], typed("eks-prod"), vec![key("esc"), key("enter")]].concat(), vec![])]
#[case::q_quits(vec![key("q")], vec![Effect::Quit])]
#[case::ctrl_c_quits_inside_a_dialog(vec![key("g"), key("enter"), key("ctrl-c")], vec![Effect::Quit])]
#[case::q_is_text_inside_a_dialog([vec![key("g"), key("enter")], typed("q")].concat(), vec![])]
#[case::palette_switches_by_fuzzy_name([vec![key(":")], typed("to stag"), vec![key("enter")]].concat(), vec![switch("eks-staging")])]
#[case::palette_runs_actions([vec![key(":")], typed("quit devk"), vec![key("enter")]].concat(), vec![Effect::Quit])]
#[case::namespace_dialog_sets_namespace([vec![key("n"), Msg::Key(Key::ctrl('u'))], typed("shop"), vec![key("enter")]].concat(),
    vec![Effect::SetNamespace { context: "minikube".into(), namespace: "shop".into() }])]
#[case::retry_on_pods_restarts_the_watch(vec![key("2"), key("r")],
    vec![Effect::WatchPods { generation: 2, context: "minikube".into(), namespace: "default".into() }])]
#[case::filter_then_enter_switches_to_the_match([vec![key("/")], typed("stag"), vec![key("enter"), key("enter")]].concat(), vec![switch("eks-staging")])]
fn keys_give_effects(#[case] msgs: Vec<Msg>, #[case] want: Vec<Effect>) {
    let mut m = model();
    assert_eq!(run(&mut m, msgs), want);
}

#[test]
fn protected_dialog_shows_mismatch_and_keeps_the_input() {
    let mut m = model();
    run(
        &mut m,
        [
            vec![key("g"), key("enter")],
            typed("prod"),
            vec![key("enter")],
        ]
        .concat(),
    );
    assert!(
        matches!(&m.overlay, Overlay::Confirm { mismatch: true, input, .. } if input == "prod")
    );
}

#[test]
fn a_switch_result_restarts_the_pod_watch_once() {
    let mut m = model();
    let e = update(
        &mut m,
        Msg::Changed {
            what: "Switched".into(),
            result: Ok(snapshot("eks-staging")),
        },
    );
    assert_eq!(
        e,
        vec![Effect::WatchPods {
            generation: 2,
            context: "eks-staging".into(),
            namespace: "default".into()
        }]
    );
    assert_eq!(m.pods.conn, Conn::Connecting);
    assert!(m.busy.is_none());
    // The same snapshot again changes nothing.
    assert_eq!(
        update(&mut m, Msg::Kube(Ok(snapshot("eks-staging")))),
        vec![]
    );
}

#[test]
fn a_failed_switch_is_a_loud_notice() {
    let mut m = model();
    run(&mut m, vec![key("k"), key("enter")]);
    assert!(m.busy.is_some());
    update(
        &mut m,
        Msg::Changed {
            what: "x".into(),
            result: Err("locked".into()),
        },
    );
    assert_eq!(
        m.notice,
        Some(Notice {
            text: "locked".into(),
            error: true
        })
    );
    assert!(m.busy.is_none());
}

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
fn mouse_click_on_a_tab_title_selects_it() {
    let mut m = model();
    let (_, _, from, _) = tab_layout()[1].clone();
    update(
        &mut m,
        Msg::Mouse(Mouse::Click {
            column: from + 2,
            row: 1,
        }),
    );
    assert_eq!(m.tab, Tab::Pods);
    update(
        &mut m,
        Msg::Mouse(Mouse::Click {
            column: from + 2,
            row: 5,
        }),
    );
    assert_eq!(m.tab, Tab::Pods);
}

#[test]
fn clock_redraws_only_when_something_shows_time() {
    let mut m = model();
    m.dirty = false;
    update(&mut m, Msg::Clock(2_000));
    m.pods.conn = Conn::Connected;
    m.dirty = false;
    update(&mut m, Msg::Clock(2_001));
    assert!(!m.dirty, "contexts tab, nothing moving: no redraw");
    m.tab = Tab::Pods;
    m.pods.rows = vec![pod("a")];
    update(&mut m, Msg::Clock(2_002));
    assert!(m.dirty, "pod ages changed");
}

#[test]
fn filter_narrows_and_esc_clears() {
    let mut m = model();
    run(&mut m, [vec![key("/")], typed("eks")].concat());
    assert_eq!(m.visible_contexts().len(), 2);
    run(&mut m, vec![key("esc")]);
    assert_eq!(m.visible_contexts().len(), 3);
    assert!(!m.contexts.filtering);
}

#[test]
fn cursor_stays_in_bounds() {
    let mut m = model();
    run(&mut m, vec![key("G"), key("j"), key("j"), key("pgdn")]);
    assert_eq!(m.contexts.selected, 2);
    run(&mut m, vec![key("g"), key("k"), key("pgup")]);
    assert_eq!(m.contexts.selected, 0);
}

fn with_pods(m: &mut Model) {
    update(
        m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Reset(vec![pod("api"), pod("web")])],
        },
    );
    m.tab = Tab::Pods;
}

fn log_lines(pod: &str, from: i64, n: i64) -> Msg {
    use crate::cluster::logsession::SessionEvent;
    use crate::logs::buffer::Source;
    Msg::Logs {
        generation: 1,
        events: vec![SessionEvent::Lines {
            source: Source {
                namespace: "default".into(),
                pod: pod.into(),
                container: "c".into(),
            },
            lines: (from..from + n)
                .map(|i| (i, format!("{pod} line {i}")))
                .collect(),
        }],
    }
}

#[test]
fn enter_on_a_pod_opens_its_logs_and_esc_closes_them_keeping_state() {
    let mut m = model();
    with_pods(&mut m);
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(&e[..], [Effect::StreamLogs { generation: 1, selection, since: None, tail: Some(_) }] if selection.pods == ["api"])
    );
    run(&mut m, vec![log_lines("api", 0, 20)]);
    assert_eq!(m.log_view().unwrap().buffer.len(), 20);
    run(
        &mut m,
        [vec![key("/")], typed("line 1"), vec![key("enter")]].concat(),
    );
    assert_eq!(m.log_view().unwrap().filter.as_ref().unwrap().len(), 11);
    assert_eq!(run(&mut m, vec![key("esc")]), vec![Effect::StopLogs]);
    assert!(m.log_view().is_none());
    // Reopening resumes after the last line seen and keeps the filter.
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(
            &e[..],
            [Effect::StreamLogs {
                since: Some(19),
                tail: None,
                ..
            }]
        ),
        "{e:?}"
    );
    assert!(m.log_view().unwrap().filter.is_some());
}

#[test]
fn marked_pods_open_together() {
    let mut m = model();
    with_pods(&mut m);
    let e = run(&mut m, vec![key("space"), key("space"), key("enter")]);
    assert!(
        matches!(&e[..], [Effect::StreamLogs { selection, .. }] if selection.pods == ["api", "web"]),
        "{e:?}"
    );
}

#[test]
fn log_keys_toggle_scroll_follow_save_and_copy() {
    let mut m = model();
    with_pods(&mut m);
    run(&mut m, vec![key("enter"), log_lines("api", 0, 100)]);
    run(
        &mut m,
        vec![key("t"), key("w"), key("j"), key("k"), key("k")],
    );
    let v = m.log_view().unwrap();
    assert!(v.timestamps && v.wrap && v.json);
    assert!(
        !v.follow && v.offset == 2,
        "up scrolls and pauses following"
    );
    run(&mut m, vec![key("f")]);
    assert!(m.log_view().unwrap().follow);
    let e = run(&mut m, vec![key("s")]);
    assert!(matches!(&e[..], [Effect::SaveLogs { text }] if text.lines().count() == 100));
    let e = run(&mut m, vec![key("y")]);
    assert_eq!(
        e,
        vec![Effect::Copy {
            text: "api line 99".into()
        }]
    );
    // q still quits from the log view; tabs still switch.
    run(&mut m, vec![key("1")]);
    assert_eq!(m.tab, Tab::Contexts);
    assert_eq!(run(&mut m, vec![key("q")]), vec![Effect::Quit]);
}

#[test]
fn lines_of_an_old_stream_generation_are_dropped() {
    let mut m = model();
    with_pods(&mut m);
    run(
        &mut m,
        vec![key("enter"), key("esc"), key("j"), key("enter")],
    );
    // The api view has generation 1, the web view generation 2: lines for 1 go to api's view.
    run(&mut m, vec![log_lines("api", 0, 5)]);
    assert_eq!(m.log_view().unwrap().selection.pods, ["web"]);
    assert_eq!(m.log_view().unwrap().buffer.len(), 0);
}

#[test]
fn w_opens_the_whole_workload_and_follows_its_owner() {
    let mut m = model();
    update(
        &mut m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Reset(vec![
                pod("api"),
                pod("web-1"),
                pod("web-2"),
            ])],
        },
    );
    m.tab = Tab::Pods;
    assert_eq!(
        run(&mut m, vec![key("w")]),
        vec![],
        "a bare pod has no workload"
    );
    let e = run(&mut m, vec![key("j"), key("w")]);
    assert!(
        matches!(&e[..], [Effect::StreamLogs { selection, .. }] if selection.owner.as_deref() == Some("ReplicaSet/web") && selection.pods == ["web-1", "web-2"]),
        "{e:?}"
    );
}

fn minikube_info() -> Msg {
    use crate::minikube::{Addon, Profile};
    let profile = |name: &str, status: &str| Profile {
        name: name.into(),
        status: status.into(),
        driver: "docker".into(),
        container_runtime: "docker".into(),
        kubernetes_version: "v1.31.0".into(),
        nodes: 1,
        ip: Some("192.168.49.2".into()),
        port: Some(8443),
        cpus: 2,
        memory_mib: 4096,
        active: name == "minikube",
        active_kube_context: false,
        valid: true,
    };
    Msg::Minikube(Ok(Box::new(crate::tui::minikube::MinikubeInfo {
        profiles: vec![profile("minikube", "Running"), profile("dev", "Stopped")],
        addons: vec![
            Addon {
                name: "ingress".into(),
                enabled: false,
                profile: Some("minikube".into()),
            },
            Addon {
                name: "registry-creds".into(),
                enabled: true,
                profile: Some("minikube".into()),
            },
        ],
        addons_of: Some("minikube".into()),
    })))
}

#[test]
fn minikube_tab_starts_stops_and_toggles_addons_with_live_output() {
    let mut m = model();
    assert_eq!(
        run(&mut m, vec![key("5")]),
        vec![Effect::LoadMinikube { profile: None }]
    );
    run(&mut m, vec![minikube_info()]);
    // The running profile stops; the stopped one starts.
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(&e[..], [Effect::RunMinikube { args }] if args.contains(&"stop".to_string())),
        "{e:?}"
    );
    let e = run(&mut m, vec![key("enter")]);
    assert_eq!(e, vec![], "one operation at a time");
    run(&mut m, vec![Msg::MinikubeLine("✋  Stopping node".into())]);
    assert_eq!(m.minikube.op.as_ref().unwrap().lines, ["✋  Stopping node"]);
    assert_eq!(run(&mut m, vec![key("esc")]), vec![Effect::CancelMinikube]);
    let e = run(&mut m, vec![Msg::MinikubeDone(Ok(()))]);
    assert_eq!(
        e,
        vec![Effect::LoadMinikube {
            profile: Some("minikube".into())
        }]
    );
    let e = run(&mut m, vec![key("j")]);
    assert_eq!(
        e,
        vec![Effect::LoadMinikube {
            profile: Some("dev".into())
        }]
    );
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(&e[..], [Effect::RunMinikube { args }] if args.contains(&"start".to_string())),
        "{e:?}"
    );
    let e = run(
        &mut m,
        vec![
            Msg::MinikubeDone(Err("exit code 80".into())),
            key("k"),
            minikube_info(),
            key("a"),
            key("j"),
            key("enter"),
        ],
    );
    assert!(
        matches!(e.last(), Some(Effect::RunMinikube { args }) if args.contains(&"disable".to_string())),
        "{e:?}"
    );
    let op = m.minikube.op.as_ref().unwrap();
    assert!(
        op.title.starts_with("Disabling registry-creds"),
        "{}",
        op.title
    );
}
