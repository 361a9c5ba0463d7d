//! The status line at the bottom: the keys that work here on the left, and the progress of a
//! long operation or the latest notice.
//!
//! The key hints are never covered: when there is no room for all of them, the least
//! important give way (the hints are listed most important first; help and quit, the last
//! two, always stay), and a status that does not fit beside them is shown in full on the
//! bottom rows of the body instead of on the status line.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::tui::theme::Theme;

/// A key hint: the key as typed, and what it does here.
pub type Hint = (String, &'static str);

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

/// Hints at the end of every list that always stay (help, quit).
const STICKY: usize = 2;

/// The spinner's glyph for animation frame `frame`.
pub fn spinner(frame: usize) -> &'static str {
    SPINNER[frame % SPINNER.len()]
}

fn hint_spans(hints: &[Hint], theme: &Theme) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {key} "), theme.selected));
        spans.push(Span::raw(format!(" {what} ")));
    }
    spans
}

fn width(hints: &[Hint]) -> usize {
    hints
        .iter()
        .map(|(k, w)| k.chars().count() + w.chars().count() + 4)
        .sum()
}

/// The hints that fit in `room` columns: the first ones, and the sticky last ones.
pub fn fitting(mut hints: Vec<Hint>, room: usize) -> Vec<Hint> {
    let sticky = STICKY.min(hints.len());
    while width(&hints) > room && hints.len() > sticky {
        hints.remove(hints.len() - sticky - 1);
    }
    hints
}

/// Draws the status line on `footer`: `hints`, and `status` beside them when it fits, else on
/// the last rows of `body` (the inside of the body frame).
pub fn draw(
    f: &mut Frame,
    footer: Rect,
    body: Rect,
    theme: &Theme,
    hints: Vec<Hint>,
    status: Option<Span<'static>>,
) {
    let hints = fitting(hints, usize::from(footer.width));
    let used = width(&hints);
    f.render_widget(
        Paragraph::new(Line::from(hint_spans(&hints, theme))),
        footer,
    );
    let Some(status) = status else { return };
    let need = status.width();
    let free = usize::from(footer.width).saturating_sub(used);
    if need <= free {
        let w = need as u16;
        let right = Rect {
            x: footer.x + footer.width - w,
            width: w,
            ..footer
        };
        f.render_widget(Paragraph::new(Line::from(status)), right);
        return;
    }
    // Too long to sit beside the hints: over the bottom of the body, wrapped, in full (up to
    // a third of the body).
    let inner_width = usize::from(body.width.max(1));
    let rows = need
        .div_ceil(inner_width)
        .clamp(1, usize::from(body.height / 3).max(1));
    let rows = rows as u16;
    let strip = Rect {
        y: body.y + body.height.saturating_sub(rows),
        height: rows.min(body.height),
        ..body
    };
    f.render_widget(Clear, strip);
    f.render_widget(
        Paragraph::new(Line::from(status)).wrap(Wrap { trim: true }),
        strip,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hints(n: usize) -> Vec<Hint> {
        let mut h: Vec<Hint> = (0..n).map(|i| (format!("k{i}"), "action")).collect();
        h.push(("?".into(), "help"));
        h.push(("q".into(), "quit"));
        h
    }

    #[test]
    fn hints_that_do_not_fit_give_way_from_the_end_but_help_and_quit_stay() {
        let all = hints(10);
        assert_eq!(fitting(all.clone(), 500), all);
        let fit = fitting(all, 60);
        assert!(width(&fit) <= 60, "{fit:?}");
        let keys: Vec<&str> = fit.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["k0", "k1", "k2", "?", "q"]);
        assert_eq!(
            fitting(hints(3), 5).len(),
            2,
            "help and quit even when nothing fits"
        );
    }
}
