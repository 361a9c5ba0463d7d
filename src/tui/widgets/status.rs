//! The status line at the bottom: the keys that work here on the left, and on the right the
//! progress of a long operation or the latest notice.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::tui::theme::Theme;

/// A key hint: the key as typed, and what it does here.
pub type Hint = (String, &'static str);

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// The spinner's glyph for animation frame `frame`.
pub fn spinner(frame: usize) -> &'static str {
    SPINNER[frame % SPINNER.len()]
}

/// Draws `hints`, and `status` right-aligned.
pub fn draw(f: &mut Frame, area: Rect, theme: &Theme, hints: Vec<Hint>, status: Option<Span>) {
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {key} "), theme.selected));
        spans.push(Span::raw(format!(" {what} ")));
    }
    // Progress and notices matter more than key hints: they get the room they need on the
    // right, and the hints give way.
    let width = status
        .as_ref()
        .map_or(0, |s| s.width() as u16)
        .min(area.width);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(width)]).areas(area);
    f.render_widget(Paragraph::new(Line::from(spans)), left);
    if let Some(s) = status {
        f.render_widget(Paragraph::new(Line::from(s)), right);
    }
}
