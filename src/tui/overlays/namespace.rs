//! The namespace dialog: the namespaces of the context's cluster (read when it opens), fuzzy
//! filtered by what is typed, with the position in the list; enter sets the highlighted one,
//! or what was typed when the cluster could not list them. The cluster is asked again before
//! anything is written (`contexts::tasks::set_namespace`).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::Overlay;
use crate::tui::app::Model;
use crate::tui::keys::{Key, KeyCode};
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::dialog::centered;
use crate::tui::widgets::input::{self, InputKey};
use crate::tui::widgets::list::{ListCursor, Nav};
use crate::tui::widgets::table::{cut_middle, scroll_offset};

/// The dialog's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamespaceDialog {
    pub context: String,
    /// The context's namespace now.
    pub current: String,
    pub input: String,
    /// None while the cluster is asked; Err when it could not say.
    pub names: Option<Result<Vec<String>, String>>,
    pub list: ListCursor,
}

impl NamespaceDialog {
    /// The namespaces matching the input, best first (all, in order, when nothing is typed).
    pub fn matches(&self) -> Vec<String> {
        let Some(Ok(names)) = &self.names else {
            return Vec::new();
        };
        if self.input.trim().is_empty() {
            return names.clone();
        }
        crate::fuzzy::rank(self.input.trim(), names)
            .into_iter()
            .map(|(n, _)| n)
            .collect()
    }

    /// What enter sets: the highlighted namespace, else what was typed.
    pub fn choice(&self) -> Option<String> {
        self.matches()
            .get(self.list.selected)
            .cloned()
            .or_else(|| (!self.input.trim().is_empty()).then(|| self.input.trim().to_string()))
    }
}

/// Opens the dialog for `context` (whose namespace is `current`) and asks its cluster for its
/// namespaces.
pub fn open(m: &mut Model, context: String, current: String) -> Vec<Effect> {
    m.overlay = Overlay::Namespace(Box::new(NamespaceDialog {
        context: context.clone(),
        current,
        input: String::new(),
        names: None,
        list: ListCursor::default(),
    }));
    vec![Effect::LoadNamespaces { context }]
}

/// The cluster answered: the list, with the cursor on the current namespace.
pub fn loaded(m: &mut Model, context: &str, result: Result<Vec<String>, String>) {
    if let Overlay::Namespace(d) = &mut m.overlay
        && d.context == context
    {
        d.names = Some(result);
        if d.input.is_empty() {
            d.list.selected = d
                .matches()
                .iter()
                .position(|n| *n == d.current)
                .unwrap_or(0);
        }
        m.dirty = true;
    }
}

/// A key in the dialog (it is open and taken out of the model).
pub fn on_key(m: &mut Model, mut d: Box<NamespaceDialog>, key: Key) -> Vec<Effect> {
    let n = d.matches().len();
    let page = usize::from(m.size.1.saturating_sub(12)).max(1);
    let nav = match key.code {
        KeyCode::Up => Some(Nav::Up),
        KeyCode::Down => Some(Nav::Down),
        KeyCode::PageUp => Some(Nav::PageUp),
        KeyCode::PageDown => Some(Nav::PageDown),
        _ => None,
    };
    if let Some(nav) = nav {
        d.list.nav(nav, n, page);
        m.overlay = Overlay::Namespace(d);
        return Vec::new();
    }
    match input::edit(&mut d.input, key) {
        InputKey::Submit => match d.choice() {
            Some(namespace) => {
                let context = d.context;
                m.busy = Some(format!("Setting namespace {namespace} on {context}"));
                vec![Effect::SetNamespace { context, namespace }]
            }
            None => Vec::new(),
        },
        InputKey::Cancel => Vec::new(),
        InputKey::Edited => {
            d.list.selected = 0;
            m.overlay = Overlay::Namespace(d);
            Vec::new()
        }
    }
}

pub fn draw(d: &NamespaceDialog, theme: &Theme, f: &mut Frame, area: Rect) {
    let width = area.width.saturating_sub(4).clamp(20, 64);
    let inner_width = usize::from(width.saturating_sub(2));
    let matches = d.matches();
    let height = area.height.saturating_sub(4).clamp(5, 18);
    let rect = centered(area, width, height);
    let title = format!(
        " Namespace for {} ",
        cut_middle(
            &crate::contexts::display::display_name(&d.context).name,
            inner_width.saturating_sub(20)
        )
    );
    let mut block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.accent)
        .title(title);
    if !matches.is_empty() {
        block = block
            .title_top(Line::from(format!(" {} ", d.list.position(matches.len()))).right_aligned());
    }
    let inner = block.inner(rect);
    f.render_widget(Clear, rect);
    f.render_widget(block, rect);
    let [head, body] = Layout::vertical([Constraint::Length(2), Constraint::Min(0)]).areas(inner);
    f.render_widget(
        Paragraph::new(vec![
            input::line_in("> ", theme.accent, &d.input, inner_width),
            Line::from(Span::styled(
                format!("now: {} · enter sets the highlighted one", d.current),
                theme.muted,
            )),
        ]),
        head,
    );
    let rows = usize::from(body.height);
    let lines: Vec<Line> = match &d.names {
        None => vec![Line::from(Span::styled("Asking the cluster…", theme.muted))],
        Some(Err(e)) => vec![Line::from(Span::styled(
            format!("The cluster did not list its namespaces ({e}); enter sets what is typed."),
            theme.remote,
        ))],
        Some(Ok(_)) if matches.is_empty() => vec![Line::from(Span::styled(
            "No namespace matches; enter tries what is typed.",
            theme.muted,
        ))],
        Some(Ok(_)) => {
            let offset = scroll_offset(d.list.selected, rows);
            matches
                .iter()
                .enumerate()
                .skip(offset)
                .take(rows)
                .map(|(i, name)| {
                    let mark = if *name == d.current { "● " } else { "  " };
                    let text = format!("{mark}{}", cut_middle(name, inner_width.saturating_sub(2)));
                    if i == d.list.selected {
                        Line::from(Span::styled(text, theme.selected))
                    } else {
                        Line::raw(text)
                    }
                })
                .collect()
        }
    };
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), body);
}
