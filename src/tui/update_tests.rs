//! The router as tables: given this model and these messages, expect these effects and
//! state.

use rstest::rstest;

use super::*;
use crate::tui::fixtures::{key, model, pod, run, snapshot, typed};
use crate::tui::tabs::pods::Conn;

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
    vec![Effect::LoadNamespaces { context: "minikube".into() }, Effect::SetNamespace { context: "minikube".into(), namespace: "shop".into() }])]
#[case::retry_on_pods_restarts_the_watch(vec![key("2"), key("r")],
    vec![Effect::WatchPods { generation: 2, context: "minikube".into(), namespace: "default".into() }])]
#[case::filter_then_enter_switches_to_the_match([vec![key("/")], typed("stag"), vec![key("enter"), key("enter")]].concat(), vec![switch("eks-staging")])]
fn keys_give_effects(#[case] msgs: Vec<Msg>, #[case] want: Vec<Effect>) {
    let mut m = model();
    assert_eq!(run(&mut m, msgs), want);
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
fn tab_shift_tab_and_a_click_load_a_tab_as_its_own_key_does() {
    let mut m = model();
    m.images.name = "app".into();
    let effects = run(&mut m, vec![key("tab"), key("tab")]);
    assert_eq!(m.tab, Tab::Images);
    assert_eq!(effects, vec![Effect::LoadImages { name: "app".into() }]);
    let effects = run(&mut m, vec![key("tab")]);
    assert_eq!(m.tab, Tab::Creds);
    assert!(
        matches!(&effects[..], [Effect::LoadCreds { context, .. }] if context == "minikube"),
        "{effects:?}"
    );
    assert_eq!(
        run(&mut m, vec![key("tab")]),
        vec![Effect::LoadMinikube { profile: None }]
    );
    assert_eq!(run(&mut m, vec![key("tab")]), vec![Effect::LoadHook]);
    assert_eq!(
        run(&mut m, vec![key("backtab"), key("backtab"), key("tab")]).len(),
        3
    );
    run(&mut m, vec![key("1")]);
    let (_, _, from, _) = tab_layout()[5].clone();
    let effects = update(
        &mut m,
        Msg::Mouse(Mouse::Click {
            column: from + 2,
            row: 1,
        }),
    );
    assert_eq!((m.tab, effects), (Tab::Hook, vec![Effect::LoadHook]));
}

#[test]
fn the_mouse_and_the_palette_act_on_every_tab_as_keys_do() {
    use crate::images::list::ImageRow;
    let image = |id: &str| ImageRow {
        id: id.into(),
        tags: vec![format!("app:{id}")],
        size: 1,
        created: 0,
        pushed_to: vec![],
    };
    let mut m = model();
    m.images.name = "app".into();
    run(
        &mut m,
        vec![key("3"), Msg::Images(Ok(vec![image("a"), image("b")]))],
    );
    update(&mut m, Msg::Mouse(Mouse::ScrollDown));
    assert_eq!(m.images.list.selected, 1, "the wheel moves the images list");
    // The palette's "refresh" on the Images tab reloads the list, as `r` does there.
    let effects = run(
        &mut m,
        [
            vec![key(":")],
            typed("reconnect to the cluster now"),
            vec![key("enter")],
        ]
        .concat(),
    );
    assert_eq!(effects, vec![Effect::LoadImages { name: "app".into() }]);
}

#[test]
fn a_paste_on_a_main_screen_presses_no_keys() {
    let mut m = model();
    for tab in ["1", "2", "3", "4", "5", "6"] {
        run(&mut m, vec![key(tab)]);
        let before = (m.tab, m.contexts.clone(), m.overlay.clone());
        let effects = update(&mut m, Msg::Paste("web-builder q\n".into()));
        assert_eq!(effects, vec![], "tab {tab}");
        assert!(!m.quit && m.busy.is_none(), "tab {tab}");
        assert_eq!((m.tab, m.contexts.clone(), m.overlay.clone()), before);
    }
}

#[test]
fn a_paste_goes_into_the_focused_input_and_a_newline_submits_nothing() {
    let mut m = model();
    run(&mut m, vec![key("/"), Msg::Paste("eks\n".into())]);
    assert_eq!(
        (m.contexts.filter.as_str(), m.contexts.filtering),
        ("eks", true)
    );
    run(&mut m, vec![key("esc")]);
    // The palette, then the protected dialog, take the pasted text as typed text.
    let effects = run(
        &mut m,
        vec![key(":"), Msg::Paste("to stag".into()), key("enter")],
    );
    assert_eq!(effects, vec![switch("eks-staging")]);
    run(
        &mut m,
        vec![key("g"), key("enter"), Msg::Paste("eks-prod".into())],
    );
    assert!(matches!(&m.overlay, Overlay::Confirm { input, .. } if input == "eks-prod"));
    assert_eq!(run(&mut m, vec![key("enter")]), vec![switch("eks-prod")]);
}

#[test]
fn notices_expire_after_a_few_seconds_errors_later() {
    let mut m = model();
    m.now = 1_000;
    let notice = |text: &str, error| Msg::Notice {
        text: text.into(),
        error,
    };
    update(&mut m, notice("Saved to /tmp/x.log", false));
    update(&mut m, Msg::Clock(1_004));
    assert!(m.notice.is_some());
    update(&mut m, Msg::Clock(1_005));
    assert_eq!(m.notice, None);
    update(&mut m, notice("cannot save logs", true));
    update(&mut m, Msg::Clock(1_014));
    assert!(m.notice.is_some(), "errors stay longer");
    update(&mut m, notice("Switched to eks-staging", false));
    update(&mut m, Msg::Clock(1_018));
    assert!(m.notice.is_some(), "a new notice starts its own time");
    update(&mut m, Msg::Clock(1_019));
    assert_eq!(m.notice, None);
}
