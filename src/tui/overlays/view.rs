//! Drawing the overlays: help, command palette, protected-context confirmation, namespace.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};

use super::Overlay;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::{centered, show};
use crate::tui::widgets::input;
use crate::tui::widgets::list::ListCursor;
use crate::tui::widgets::table::scroll_offset;

/// Draws the open overlay (if any) over `area`, the whole screen.
pub fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    match &m.overlay {
        Overlay::None => {}
        Overlay::Help => help(m, theme, f, area),
        Overlay::Palette { input, list } => palette(m, theme, f, area, input, list),
        Overlay::Confirm {
            context,
            reason,
            expect,
            input,
            mismatch,
        } => super::confirm::draw(
            &super::confirm::Confirm {
                context,
                reason,
                expect,
                input,
                mismatch: *mismatch,
            },
            theme,
            f,
            area,
        ),
        Overlay::Namespace(d) => super::namespace::draw(d, theme, f, area),
    }
}

/// All key bindings, in as many columns as the screen needs so that none is cut off.
fn help(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    // The six tab keys are one entry, so every binding fits in two readable columns at 80x24.
    const TABS: [Action; 6] = [
        Action::TabContexts,
        Action::TabPods,
        Action::TabImages,
        Action::TabCreds,
        Action::TabMinikube,
        Action::TabHook,
    ];
    let mut entries: Vec<(String, &str)> = Vec::new();
    for (action, _, description) in Action::ALL {
        if *action == Action::TabContexts {
            let keys: Vec<String> = TABS
                .iter()
                .map(|a| m.keymap.keys_for(*a).join("/"))
                .collect();
            entries.push((keys.join(" "), "the tabs, in order"));
        } else if !TABS.contains(action) {
            entries.push((m.keymap.keys_for(*action).join(", "), *description));
        }
    }
    entries.push(("ctrl-c".to_owned(), "always quits"));
    let key_width = entries
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0);
    const WIDEST: usize = 72;
    // Rows inside the border, leaving the status line (which says how to close help) visible:
    // at 80x24 every binding fits in two readable columns.
    let rows = usize::from(area.height.saturating_sub(3)).max(1);
    let columns = entries.len().div_ceil(rows).max(1);
    let rows = entries.len().div_ceil(columns);
    let width = (usize::from(area.width).saturating_sub(2)).min(columns * WIDEST + 2);
    let rect = centered(area, width as u16, rows as u16 + 2);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(" Keys (from [keys] in your config) ");
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let column_width = usize::from(inner.width) / columns;
    for (c, chunk) in entries.chunks(rows).enumerate() {
        let lines: Vec<Line> = chunk
            .iter()
            .map(|(keys, description)| {
                let room = column_width.saturating_sub(key_width + 3);
                Line::from(vec![
                    Span::styled(format!("{keys:>key_width$}  "), theme.accent),
                    Span::raw(cut(description, room)),
                ])
            })
            .collect();
        let column = Rect {
            x: inner.x + (c * column_width) as u16,
            width: column_width as u16,
            ..inner
        };
        f.render_widget(Paragraph::new(lines), column);
    }
}

/// `text` shortened to `room` characters, with an ellipsis when something was cut.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        return text.to_owned();
    }
    let mut s: String = text.chars().take(room.saturating_sub(1)).collect();
    s.push('…');
    s
}

fn palette(m: &Model, theme: &Theme, f: &mut Frame, area: Rect, input: &str, list: &ListCursor) {
    let selected = list.selected;
    let rect = centered(area, 60, 16);
    let items = m.palette_items(input);
    let height = usize::from(rect.height.saturating_sub(3));
    let offset = scroll_offset(selected, height);
    let mut lines = vec![input::line(": ", theme.accent, input)];
    for (i, item) in items.iter().enumerate().skip(offset).take(height) {
        let style = if i == selected {
            theme.selected
        } else {
            ratatui::style::Style::default()
        };
        lines.push(Line::from(Span::styled(item.label(), style)));
    }
    if items.is_empty() {
        lines.push(Line::from(Span::styled("no match", theme.muted)));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(" Command palette ")
        .title_top(Line::from(format!(" {} ", list.position(items.len()))).right_aligned());
    show(f, rect, Paragraph::new(lines).block(block));
}
