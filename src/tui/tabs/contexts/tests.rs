//! The Contexts tab: its filter, its cursor, and its screens.

use crate::tui::fixtures::{assert_screens, key, model, model_on, run, typed};

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

#[test]
fn contexts_tab_at_120x40_and_80x24() {
    assert_screens!([
        ("contexts", model()),
        ("contexts_protected", model_on("eks-prod")),
    ]);
}

#[test]
fn a_first_run_without_a_kubeconfig_says_how_to_try_the_demo() {
    use crate::tui::fixtures::screen;
    let mut m = model();
    m.kube.rows.clear();
    assert!(screen(&m, 80, 24).contains("No contexts in the kubeconfig"));
    m.first_run_hint = Some(
        "No kubeconfig yet (/home/u/.kube/config does not exist).\n\n\
         To try devk on a simulated cluster: quit (q) and run `devk demo`."
            .into(),
    );
    let s = screen(&m, 80, 24);
    assert!(s.contains("No kubeconfig yet"), "{s}");
    assert!(s.contains("run `devk demo`"), "{s}");
}
