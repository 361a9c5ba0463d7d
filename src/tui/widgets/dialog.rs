//! Dialogs: a box centred over the screen, drawn on a cleared area so the tab underneath
//! does not show through.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::widgets::{Clear, Widget};

/// A centred rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Clears `rect` and draws `widget` (usually a bordered paragraph) on it.
pub fn show(f: &mut Frame, rect: Rect, widget: impl Widget) {
    f.render_widget(Clear, rect);
    f.render_widget(widget, rect);
}
