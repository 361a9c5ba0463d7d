//! The protected-context confirmation: which context, why it is protected, and exactly what
//! to type. It fits any screen from 80x24 up whatever the name: the context and the reason
//! wrap and give way, the prompt and the input always stay inside the box.
//!
//! What is typed is the cluster's name for a generated context name (`payments-prod` for
//! `arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod`), else the context's name:
//! typing it proves the user read which cluster they are about to act on, and it is short
//! enough to type without looking away from the box. Region and account are shown beside it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use crate::contexts::display::display_name;
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::centered;
use crate::tui::widgets::input;

/// What the user types to switch to `context`.
pub fn expected(context: &str) -> String {
    crate::contexts::display::confirmation_word(context)
}

/// The fields of an open confirmation.
pub struct Confirm<'a> {
    pub context: &'a str,
    pub reason: &'a str,
    pub expect: &'a str,
    pub input: &'a str,
    pub mismatch: bool,
}

/// Rows `lines` take when wrapped at `width` (by characters: a close estimate for text that
/// may be cut, never used for the prompt).
fn rows(lines: &[Line], width: u16) -> u16 {
    let w = usize::from(width.max(1));
    let n: usize = lines.iter().map(|l| l.width().max(1).div_ceil(w)).sum();
    u16::try_from(n).unwrap_or(u16::MAX)
}

/// `text` in pieces of `width` characters (a hard wrap, so the rows are known exactly).
fn chunks(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(width.max(1))
        .map(|c| c.iter().collect())
        .collect()
}

pub fn draw(c: &Confirm, theme: &Theme, f: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).clamp(20, 76);
    let inner_width = width.saturating_sub(2);
    let room = usize::from(inner_width);
    let shown = display_name(c.context);
    let mut info = vec![Line::from(vec![
        Span::raw("Context "),
        Span::styled(shown.name.clone(), theme.danger),
    ])];
    if let Some(detail) = &shown.detail {
        info.push(Line::from(Span::styled(
            format!("{detail} ({})", shown.kind.detail_label()),
            theme.accent,
        )));
        info.push(Line::from(Span::styled(c.context.to_string(), theme.muted)));
    }
    info.push(Line::from(Span::styled(c.reason.to_string(), theme.muted)));
    // The prompt says exactly what to type, whole, on rows of its own when it is long; the
    // input and the mismatch line come after it and always stay inside the box.
    let one_line = format!("Type {} to switch, esc cancels:", c.expect);
    let mut prompt: Vec<Line> = if one_line.chars().count() <= room {
        vec![Line::from(vec![
            Span::raw("Type "),
            Span::styled(c.expect.to_string(), theme.accent),
            Span::raw(" to switch, esc cancels:"),
        ])]
    } else {
        std::iter::once(Line::raw("Type this to switch (esc cancels):"))
            .chain(
                chunks(c.expect, room)
                    .into_iter()
                    .map(|piece| Line::from(Span::styled(piece, theme.accent))),
            )
            .collect()
    };
    prompt.push(input::line_in("> ", theme.accent, c.input, room));
    if c.mismatch {
        let text = format!("That is not {}; type it exactly.", c.expect);
        let text = if text.chars().count() <= room {
            text
        } else {
            "That is not it; type it exactly.".to_string()
        };
        prompt.push(Line::from(Span::styled(text, theme.danger)));
    }
    let prompt_rows = u16::try_from(prompt.len()).unwrap_or(u16::MAX);
    // A blank row between the context and the prompt when there is room for it.
    let info_rows = rows(&info, inner_width) + 1;
    let height = (info_rows + prompt_rows + 2).min(area.height);
    let rect = centered(area, width, height);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Thick)
        .border_style(theme.danger)
        .title(Span::styled(
            " Switch to a PROTECTED context ",
            theme.danger,
        ));
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let [top, bottom] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(prompt_rows)]).areas(inner);
    f.render_widget(Paragraph::new(info).wrap(Wrap { trim: false }), top);
    // From the bottom up: the input never falls out, even when the prompt does not fit.
    let skip = prompt.len().saturating_sub(usize::from(bottom.height));
    f.render_widget(Paragraph::new(prompt.split_off(skip)), bottom);
}
