//! Dialogs over the tabs: help, command palette, protected-context confirmation, namespace.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Clear, Paragraph, Wrap};

use super::centered;
use crate::tui::app::{Model, Overlay};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;

pub fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    match &m.overlay {
        Overlay::None => {}
        Overlay::Help => help(m, theme, f, area),
        Overlay::Palette { input, selected } => palette(m, theme, f, area, input, *selected),
        Overlay::Confirm {
            context,
            reason,
            input,
            mismatch,
        } => {
            let rect = centered(area, 64, 9);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_type(BorderType::Thick)
                .border_style(theme.danger)
                .title(Span::styled(
                    " Switch to a PROTECTED context ",
                    theme.danger,
                ));
            let mut lines = vec![
                Line::from(vec![
                    Span::raw("Context "),
                    Span::styled(context.clone(), theme.danger),
                ]),
                Line::from(Span::styled(reason.clone(), theme.muted)),
                Line::raw(""),
                Line::raw("Type its name to switch:"),
                Line::from(vec![
                    Span::styled("> ", theme.accent),
                    Span::raw(format!("{input}▏")),
                ]),
            ];
            if *mismatch {
                lines.push(Line::from(Span::styled(
                    "That is not the name; type it exactly, or esc to cancel.",
                    theme.danger,
                )));
            }
            f.render_widget(Clear, rect);
            f.render_widget(
                Paragraph::new(lines)
                    .block(block)
                    .wrap(Wrap { trim: false }),
                rect,
            );
        }
        Overlay::Namespace { context, input } => {
            let rect = centered(area, 56, 5);
            let block = Block::default()
                .borders(Borders::ALL)
                .border_style(theme.accent)
                .title(format!(" Namespace for {context} "));
            let lines = vec![Line::from(vec![
                Span::styled("> ", theme.accent),
                Span::raw(format!("{input}▏")),
            ])];
            f.render_widget(Clear, rect);
            f.render_widget(Paragraph::new(lines).block(block), rect);
        }
    }
}

fn help(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let rect = centered(area, 70, (Action::ALL.len() as u16) + 4);
    let mut lines = Vec::new();
    for (action, _, description) in Action::ALL {
        let keys = m.keymap.keys_for(*action).join(", ");
        lines.push(Line::from(vec![
            Span::styled(format!("{keys:>16}  "), theme.accent),
            Span::raw(*description),
        ]));
    }
    lines.push(Line::from(Span::styled(
        "      ctrl-c  always quits",
        theme.muted,
    )));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(" Keys (from [keys] in your config) ");
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}

fn palette(m: &Model, theme: &Theme, f: &mut Frame, area: Rect, input: &str, selected: usize) {
    let rect = centered(area, 60, 16);
    let items = m.palette_items(input);
    let height = usize::from(rect.height.saturating_sub(3));
    let offset = super::scroll_offset(selected, height);
    let mut lines = vec![Line::from(vec![
        Span::styled(": ", theme.accent),
        Span::raw(format!("{input}▏")),
    ])];
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
        .title(" Command palette ");
    f.render_widget(Clear, rect);
    f.render_widget(Paragraph::new(lines).block(block), rect);
}
