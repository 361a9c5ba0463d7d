//! The log view: its buffer and filter (`state.rs`), its keys and streams (`update.rs`), and
//! its screen.

use super::state::{LogView, Selection};
use crate::logs::buffer::Source;
use crate::logs::line::LogLine;
use crate::logs::session::SessionEvent;
use crate::tui::app::{Model, Tab};
use crate::tui::fixtures::{assert_screens, key, model, pod, pods_model, run, typed};
use crate::tui::msg::{Effect, Msg};
use crate::tui::tabs::pods::PodChange;
use crate::tui::update::update;

fn view() -> LogView {
    LogView::new(
        Selection {
            context: "c".into(),
            namespace: "n".into(),
            pods: vec!["a".into()],
            owner: None,
            previous: false,
        },
        1,
        1 << 20,
    )
}

fn lines(pod: &str, from: i64, n: i64) -> SessionEvent {
    SessionEvent::Lines {
        source: Source {
            namespace: "n".into(),
            pod: pod.into(),
            container: "c".into(),
        },
        lines: (from..from + n)
            .map(|i| LogLine::new(i, &format!("{pod} line {i}")))
            .collect(),
    }
}

#[test]
fn follow_shows_the_newest_and_scrolling_up_holds_still() {
    let mut v = view();
    v.apply(vec![lines("a", 0, 100)]);
    assert_eq!(v.rows(3), vec![97, 98, 99]);
    v.scroll_up(10, 3);
    assert!(!v.follow);
    assert_eq!(v.rows(3), vec![87, 88, 89]);
    v.apply(vec![lines("a", 100, 5)]);
    assert_eq!(
        v.rows(3),
        vec![87, 88, 89],
        "new lines do not move a reader who scrolled up"
    );
    v.follow_now();
    assert_eq!(v.rows(1), vec![104]);
}

#[test]
fn repeated_lines_after_a_reopen_are_dropped() {
    let mut v = view();
    v.apply(vec![lines("a", 0, 10)]);
    v.apply(vec![lines("a", 5, 10)]);
    assert_eq!(v.buffer.len(), 15);
    assert_eq!(v.resume_since(), Some(14));
}

#[test]
fn filter_narrows_and_n_steps_between_matches() {
    let mut v = view();
    v.apply(vec![lines("a", 0, 50)]);
    v.apply_filter("line 1");
    // "line 1", "line 10".."line 19": 11 matches.
    assert_eq!(v.filter.as_ref().unwrap().len(), 11);
    assert_eq!(v.rows(2), vec![18, 19]);
    v.step_match(false);
    assert_eq!(v.cursor, Some(18));
    v.step_match(true);
    v.step_match(true);
    assert_eq!(v.cursor, Some(1), "wraps around");
    v.apply_filter("(");
    v.regex_mode = true;
    v.refilter();
    assert!(v.filter_error.is_some());
}

#[test]
fn pod_filter_cycles_through_sources() {
    let mut v = view();
    v.apply(vec![lines("a", 0, 5), lines("b", 0, 5)]);
    v.cycle_pod();
    assert!(
        v.rows(10)
            .iter()
            .all(|&s| v.buffer.get(s).unwrap().source == 0)
    );
    v.cycle_pod();
    assert_eq!(v.rows(10).len(), 5);
    v.cycle_pod();
    assert_eq!(v.pod_filter, None);
    assert_eq!(v.rows(100).len(), 10);
    assert!(v.export().contains("b c b line 4"));
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
    Msg::Logs {
        generation: 1,
        events: vec![SessionEvent::Lines {
            source: Source {
                namespace: "default".into(),
                pod: pod.into(),
                container: "c".into(),
            },
            lines: (from..from + n)
                .map(|i| LogLine::new(i, &format!("{pod} line {i}")))
                .collect(),
        }],
    }
}

#[test]
fn enter_on_a_pod_opens_its_logs_and_q_closes_them_keeping_state() {
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
    // `q` leaves at once (esc would clear the filter first).
    assert_eq!(run(&mut m, vec![key("q")]), vec![Effect::StopLogs]);
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

/// A log view of two pods with a marker, a filter and timestamps on.
fn logs_model() -> Model {
    let mut m = pods_model();
    m.pods.marked = ["api-7d9f-abcde".to_string(), "worker-0".to_string()].into();
    let _ = update(&mut m, Msg::Key("enter".parse().unwrap()));
    let src = |pod: &str| Source {
        namespace: "default".into(),
        pod: pod.into(),
        container: "main".into(),
    };
    let t0 = 1_704_067_200_000_000_000;
    let events = vec![
        SessionEvent::Lines {
            source: src("api-7d9f-abcde"),
            lines: (0..30)
                .map(|i| {
                    LogLine::new(
                        t0 + i * 1_000_000,
                        &format!("GET /items/{i} 200 {}ms", i * 7 % 50),
                    )
                })
                .collect(),
        },
        SessionEvent::Marker {
            source: src("worker-0"),
            text: "reconnected after 1.2 s (the server closed the stream); no lines lost".into(),
        },
        SessionEvent::Lines {
            source: src("worker-0"),
            lines: (0..10)
                .map(|i| {
                    LogLine::new(
                        t0 + 40_000_000 + i,
                        &format!("{{\"level\":\"error\",\"msg\":\"job {i} failed\"}}"),
                    )
                })
                .collect(),
        },
    ];
    let _ = update(
        &mut m,
        Msg::Logs {
            generation: 1,
            events,
        },
    );
    let v = m.log_view_mut().unwrap();
    v.timestamps = true;
    v.regex_mode = true;
    v.apply_filter("error|items/2");
    m
}

#[test]
fn log_view_at_120x40_and_80x24() {
    assert_screens!([("logs_two_pods_filtered", logs_model())]);
}

fn log_view_with(n: i64) -> Model {
    let mut m = model();
    with_pods(&mut m);
    run(&mut m, vec![key("enter"), log_lines("api", 0, n)]);
    m
}

#[test]
fn home_shows_a_full_first_page_and_page_up_stops_there() {
    let mut m = log_view_with(100);
    // 80x24: header, tab bar, borders, the view's status line and the footer leave 18 rows.
    run(&mut m, vec![key("g")]);
    let v = m.log_view().unwrap();
    assert_eq!(v.rows(18), (0..18).collect::<Vec<u64>>());
    assert!(!v.follow);
    run(
        &mut m,
        vec![
            key("end"),
            key("pgup"),
            key("pgup"),
            key("pgup"),
            key("pgup"),
            key("pgup"),
            key("pgup"),
        ],
    );
    assert_eq!(
        m.log_view().unwrap().rows(18),
        (0..18).collect::<Vec<u64>>()
    );
}

#[test]
fn esc_closes_the_input_then_clears_the_filter_then_leaves() {
    let mut m = log_view_with(50);
    run(
        &mut m,
        [
            vec![key("/")],
            typed("line 1"),
            vec![key("enter"), key("/")],
            typed("x"),
        ]
        .concat(),
    );
    assert_eq!(run(&mut m, vec![key("esc")]), vec![]);
    let v = m.log_view().unwrap();
    assert!(
        v.filter_input.is_none() && v.filter.is_some(),
        "input closed, filter kept"
    );
    assert_eq!(run(&mut m, vec![key("esc")]), vec![]);
    let v = m.log_view().unwrap();
    assert!(v.filter.is_none(), "filter cleared, still in the view");
    assert_eq!(v.rows(100).len(), 50);
    assert_eq!(run(&mut m, vec![key("esc")]), vec![Effect::StopLogs]);
    assert!(m.log_view().is_none());
}

#[test]
fn an_error_from_an_old_filter_does_not_come_back() {
    let mut m = log_view_with(10);
    run(
        &mut m,
        [vec![key("/"), key("alt-r")], typed("("), vec![key("enter")]].concat(),
    );
    let v = m.log_view().unwrap();
    assert!(v.filter_error.is_some());
    assert_eq!(
        v.filter_input.as_deref(),
        Some("("),
        "the input stays open to fix it"
    );
    run(&mut m, vec![key("esc")]);
    let v = m.log_view().unwrap();
    assert!(v.filter_error.is_none() && v.filter_input.is_none());
    run(&mut m, vec![key("/"), key("esc"), key("esc"), key("enter")]);
    let v = m.log_view().unwrap();
    assert!(v.filter_error.is_none(), "{:?}", v.filter_error);
}

#[test]
fn q_in_the_log_view_goes_back_instead_of_quitting() {
    let mut m = log_view_with(10);
    assert_eq!(run(&mut m, vec![key("q")]), vec![Effect::StopLogs]);
    assert!(!m.quit && m.log_view().is_none());
    run(&mut m, vec![key("enter"), key("/"), key("q")]);
    assert_eq!(
        m.log_view().unwrap().filter_input.as_deref(),
        Some("q"),
        "typed into the filter"
    );
}

#[test]
fn shift_p_shows_the_previous_instance_in_a_view_of_its_own_and_back() {
    let mut m = model();
    with_pods(&mut m);
    run(&mut m, vec![key("enter"), log_lines("api", 0, 20)]);
    let e = run(&mut m, vec![key("P")]);
    assert!(
        matches!(&e[..], [Effect::StreamLogs { generation: 2, selection, since: None, .. }]
            if selection.previous && selection.pods == ["api"]),
        "{e:?}"
    );
    let v = m.log_view().unwrap();
    assert!(v.selection.title().ends_with("(previous instance)"));
    assert_eq!(
        v.buffer.len(),
        0,
        "the previous instance's lines, not the live ones"
    );
    // Lines of the live stream (generation 1) keep going to the live view meanwhile.
    run(&mut m, vec![log_lines("api", 20, 5)]);
    assert_eq!(m.log_view().unwrap().buffer.len(), 0);
    // Again: back to the live view, with its lines, resuming after the last one.
    let e = run(&mut m, vec![key("P")]);
    assert!(
        matches!(&e[..], [Effect::StreamLogs { selection, since: Some(24), .. }] if !selection.previous),
        "{e:?}"
    );
    assert_eq!(m.log_view().unwrap().buffer.len(), 25);
}

#[test]
fn lines_that_are_not_utf8_or_were_cut_are_shown_lossily_with_a_note() {
    let mut v = view();
    let source = Source {
        namespace: "n".into(),
        pod: "a".into(),
        container: "c".into(),
    };
    v.apply(vec![SessionEvent::Lines {
        source,
        lines: vec![
            LogLine {
                ts: 1,
                bytes: b"caf\xe9"[..].into(),
                cut: 0,
            },
            LogLine {
                ts: 2,
                bytes: b"xx"[..].into(),
                cut: 7,
            },
        ],
    }]);
    let texts: Vec<&str> = v
        .rows(2)
        .iter()
        .map(|&s| &*v.buffer.get(s).unwrap().text)
        .collect();
    assert_eq!(
        texts,
        [
            "caf\u{fffd}",
            "xx [devk: 7 more bytes cut (logs.max_line_kib)]"
        ]
    );
}
