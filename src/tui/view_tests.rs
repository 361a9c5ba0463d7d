//! The frame every tab shares: the simulated-cluster banner, and the protected tint checked
//! cell by cell (in colour, and visible without colour).

use ratatui::style::Color;

use crate::tui::fixtures::{assert_screens, model, model_on, render, render_with, text};
use crate::tui::theme::Theme;

#[test]
fn frame_at_120x40_and_80x24() {
    let mut demo = model();
    demo.simulated = true;
    assert_screens!([("demo_banner", demo)]);
}

#[test]
fn protected_context_tints_header_and_border_in_the_danger_colour() {
    let t = render(&model_on("eks-prod"), 80, 24);
    let buf = t.backend().buffer();
    // Header row: danger background across the text.
    assert_eq!(buf[(2, 0)].bg, Color::Red);
    // Body border (top-left corner, left edge, bottom edge): danger foreground.
    for (x, y) in [(0, 2), (0, 10), (40, 22)] {
        assert_eq!(buf[(x, y)].fg, Color::Red, "cell {x},{y}");
    }
    let local = render(&model(), 80, 24);
    assert_ne!(local.backend().buffer()[(2, 0)].bg, Color::Red);
    assert_ne!(local.backend().buffer()[(0, 10)].fg, Color::Red);
}

#[test]
fn no_color_keeps_protected_visible_without_colour() {
    let m = model_on("eks-prod");
    let t = render_with(&m, &Theme::monochrome(), 80, 24);
    let s = text(&t);
    assert!(s.contains("PROTECTED"), "{s}");
    let buf = t.backend().buffer();
    assert!((0..80).all(|x| buf[(x, 0)].bg == Color::Reset));
}

#[test]
fn a_long_notice_never_hides_the_key_hints() {
    let mut m = model();
    let text = "registry creds refresh failed: the AWS SSO session of profile `dev` has expired: run `aws sso login --profile dev` and try again";
    crate::tui::update::update(
        &mut m,
        crate::tui::msg::Msg::Notice {
            text: text.into(),
            error: true,
        },
    );
    for (w, h) in [(80, 24), (120, 40)] {
        let s = crate::tui::fixtures::screen(&m, w, h);
        let footer = s.lines().last().unwrap();
        assert!(
            footer.contains("? ") && footer.contains("help") && footer.contains("quit"),
            "{footer}"
        );
        let flat: String = s
            .lines()
            .map(|l| l.trim_matches('│').trim())
            .collect::<Vec<_>>()
            .join(" ");
        assert!(flat.contains("run `aws sso login --profile dev`"), "{s}");
    }
}
