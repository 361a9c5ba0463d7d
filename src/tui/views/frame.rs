//! Header, tab bar, body frame and footer.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use crate::policy::ContextClass;
use crate::tui::app::{Conn, Model, Overlay, Tab, tab_layout};
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;

const SPINNER: [&str; 8] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧"];

pub fn class_style(theme: &Theme, class: ContextClass) -> Style {
    match class {
        ContextClass::Protected => theme.danger,
        ContextClass::Local => theme.local,
        ContextClass::Remote => theme.remote,
    }
}

/// Context, namespace, class, connection; red (danger) background on a protected context.
pub fn header(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
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
    let spinner = SPINNER[m.spinner % SPINNER.len()];
    spans.push(match &m.pods.conn {
        Conn::NoContext => Span::styled("○ no cluster", theme.muted),
        Conn::Connecting => Span::styled(format!("{spinner} connecting"), theme.remote),
        Conn::Connected => Span::styled("● connected", theme.local),
        Conn::Failed(_) => Span::styled("✖ unreachable", theme.danger),
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

pub fn tabs(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
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
pub fn body_block(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) -> Rect {
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
pub fn footer(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let k = |a: Action| m.keymap.first_key(a);
    let hints: Vec<(String, &str)> = match (&m.overlay, m.tab) {
        (Overlay::Help, _) => vec![("any key".into(), "close")],
        (Overlay::Palette { .. }, _) => vec![
            ("enter".into(), "run"),
            ("↑↓".into(), "choose"),
            ("esc".into(), "close"),
        ],
        (Overlay::Confirm { .. } | Overlay::Namespace { .. }, _) => {
            vec![("enter".into(), "confirm"), ("esc".into(), "cancel")]
        }
        (Overlay::None, Tab::Contexts) if m.contexts.filtering => {
            vec![("enter".into(), "keep filter"), ("esc".into(), "clear")]
        }
        (Overlay::None, Tab::Pods) if m.pods.list.filtering => {
            vec![("enter".into(), "keep filter"), ("esc".into(), "clear")]
        }
        (Overlay::None, Tab::Contexts) => vec![
            (k(Action::Select), "switch"),
            (k(Action::Namespace), "namespace"),
            (k(Action::Filter), "filter"),
            (k(Action::Palette), "palette"),
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
        (Overlay::None, Tab::Pods) if m.log_view().is_some_and(|v| v.filter_input.is_some()) => {
            vec![("enter".into(), "apply filter"), ("esc".into(), "cancel")]
        }
        (Overlay::None, Tab::Pods) if m.log_view().is_some() => vec![
            (k(Action::LogFollow), "follow"),
            (k(Action::Filter), "filter"),
            (
                format!("{}/{}", k(Action::LogNext), k(Action::LogPrev)),
                "match",
            ),
            (k(Action::LogTimestamps), "ts"),
            (k(Action::LogWrap), "wrap"),
            (k(Action::LogJson), "json"),
            (k(Action::LogPod), "pod"),
            (k(Action::LogSave), "save"),
            (k(Action::LogCopy), "copy"),
            (k(Action::Back), "back"),
        ],
        (Overlay::None, Tab::Pods) => vec![
            (k(Action::Select), "logs"),
            (k(Action::Mark), "mark"),
            (k(Action::Workload), "workload"),
            (k(Action::Filter), "filter"),
            (k(Action::Namespace), "namespace"),
            (k(Action::Retry), "reconnect"),
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
        (Overlay::None, Tab::Images) => vec![
            (k(Action::ImageBuild), "build"),
            (k(Action::ImagePush), "push"),
            (k(Action::Retry), "refresh"),
            (k(Action::Back), "close output"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
        (Overlay::None, Tab::Creds) => vec![
            (k(Action::Retry), "refresh now"),
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
        (Overlay::None, Tab::Minikube) => vec![
            (k(Action::Select), "start/stop · toggle addon"),
            (k(Action::MkAddons), "profiles/addons"),
            (k(Action::Retry), "refresh"),
            (k(Action::Back), "interrupt"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
        (Overlay::None, _) => vec![
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ],
    };
    let mut spans = Vec::new();
    for (key, what) in hints {
        spans.push(Span::styled(format!(" {key} "), theme.selected));
        spans.push(Span::raw(format!(" {what} ")));
    }
    // Progress and notices matter more than key hints: they get the room they need on the
    // right, and the hints give way.
    let status = if let Some(busy) = &m.busy {
        let spinner = SPINNER[m.spinner % SPINNER.len()];
        Some(Span::styled(format!(" {spinner} {busy}… "), theme.accent))
    } else {
        m.notice.as_ref().map(|n| {
            let style = if n.error { theme.danger } else { theme.local };
            Span::styled(format!(" {} ", n.text), style)
        })
    };
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
