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
