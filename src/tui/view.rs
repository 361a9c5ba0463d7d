//! `view(&Model, &Theme, &mut Frame)`: draws the model. Pure: reads the model, never changes
//! it, does no I/O. This file draws the frame every tab shares (header, tab bar, body border,
//! status line) and asks the tab in front (`tabs::page`) to draw the body and give its key
//! hints; an open overlay is drawn last, over everything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::app::{Model, tab_layout};
use super::overlays;
use super::tabs::{self, pods::Conn};
use super::theme::{Theme, class_style};
use super::widgets::status::{self, spinner};

/// Draws the whole screen.
pub fn view(m: &Model, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    let [header_area, tabs_area, body, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    header(m, theme, f, header_area);
    tab_bar(m, theme, f, tabs_area);
    let inner = body_block(m, theme, f, body);
    tabs::page(m.tab).draw(m, theme, f, inner);
    footer(m, theme, f, footer_area);
    overlays::draw(m, theme, f, area);
}

/// Context, namespace, class, connection; red (danger) background on a protected context.
fn header(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let protected = m.is_protected();
    let mut spans = vec![Span::styled(" devk ", theme.accent)];
    if m.creds.failing() {
        // Loud on every tab and first, so even 80 columns show it: a failed pull-secret
        // refresh means image pulls in the local cluster will soon fail.
        spans.push(Span::styled(
            " ✖ CREDS FAILED ",
            theme
                .danger
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        ));
        spans.push(Span::raw(" "));
    }
    match m.current_row() {
        Some(row) => {
            spans.push(Span::raw("│ context "));
            spans.push(Span::styled(
                row.name.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::raw(" │ namespace "));
            spans.push(Span::styled(
                row.namespace.clone(),
                Style::default().add_modifier(Modifier::BOLD),
            ));
            spans.push(Span::raw(" │ "));
            let label = if protected {
                "PROTECTED".to_string()
            } else {
                row.class.to_string()
            };
            spans.push(Span::styled(
                label,
                if protected {
                    Style::default().add_modifier(Modifier::BOLD)
                } else {
                    class_style(theme, row.class)
                },
            ));
        }
        None => spans.push(Span::styled("│ no current context", theme.muted)),
    }
    spans.push(Span::raw(" │ "));
    let spinner = spinner(m.spinner);
    spans.push(match &m.pods.conn {
        Conn::NoContext => Span::styled("○ no cluster", theme.muted),
        Conn::Connecting => Span::styled(format!("{spinner} connecting"), theme.remote),
        Conn::Connected => Span::styled("● connected", theme.local),
        Conn::Failed(_) => Span::styled("✖ unreachable", theme.danger),
        Conn::Kubeconfig(_) => Span::styled("✖ kubeconfig", theme.danger),
    });
    if m.simulated {
        spans.push(Span::raw(" │ "));
        spans.push(Span::styled("SIMULATED CLUSTER (devk demo)", theme.accent));
    }
    let mut style = Style::default();
    if protected {
        style = match theme.danger_color {
            Some(c) => style.bg(c).add_modifier(Modifier::BOLD),
            None => style.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        };
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(style), area);
}

fn tab_bar(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (tab, label, _, _)) in tab_layout().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.muted));
        }
        let style = if tab == m.tab {
            theme.selected.add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::styled(label, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The bordered body; the border turns the danger colour (and thick) on a protected context.
/// Returns the inner area.
fn body_block(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) -> Rect {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", m.tab.title()));
    if m.is_protected() {
        block = block
            .border_type(BorderType::Thick)
            .border_style(theme.danger)
            .title_bottom(Line::from(Span::styled(
                " PROTECTED CONTEXT: changes here affect production ",
                theme.danger,
            )));
    } else {
        block = block.border_style(theme.muted);
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// The keys that work here, the progress of a long operation, or the latest notice.
fn footer(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let hints = overlays::hints(&m.overlay).unwrap_or_else(|| tabs::page(m.tab).hints(m));
    let status = if let Some(busy) = &m.busy {
        Some(Span::styled(
            format!(" {} {busy}… ", spinner(m.spinner)),
            theme.accent,
        ))
    } else {
        m.notice.as_ref().map(|n| {
            let style = if n.error { theme.danger } else { theme.local };
            Span::styled(format!(" {} ", n.text), style)
        })
    };
    status::draw(f, area, theme, hints, status);
}
