//! The overlays: the protected-context dialog's input, and the screens of every overlay.

use super::Overlay;
use crate::tui::fixtures::{assert_screens, key, model, run, typed};

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
fn overlays_at_120x40_and_80x24() {
    let mut help = model();
    help.overlay = Overlay::Help;
    let mut confirm = model();
    confirm.overlay = Overlay::Confirm {
        context: "eks-prod".into(),
        reason: "context name `eks-prod` matches protected pattern `*prod*`".into(),
        input: "eks-p".into(),
        mismatch: false,
    };
    let mut palette = model();
    palette.overlay = Overlay::Palette {
        input: "stag".into(),
        list: Default::default(),
    };
    assert_screens!([
        ("help", help),
        ("confirm_protected", confirm),
        ("palette", palette),
    ]);
}
