//! The Contexts tab: the list with class, a filter, and a details pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use crate::contexts::display::display_name;
use crate::tui::app::Model;
use crate::tui::theme::{Theme, class_style};
use crate::tui::widgets::table::{Column, TableRow, TableView, Text, Width, scroll_offset};

/// The context table: the label (the cluster's name for generated context names) takes what
/// is left; where the cluster is and its kubeconfig cluster entry go first on a narrow screen.
pub(super) const COLUMNS: [Column; 6] = [
    Column::new("", Width::Fixed(1)),
    Column::new("NAME", Width::Fill { min: 16, weight: 1 }).names(),
    Column::new("WHERE", Width::Fit { min: 10, max: 32 }).optional(2),
    Column::new("CLASS", Width::Fixed(9)),
    Column::new("NAMESPACE", Width::Fit { min: 9, max: 24 }),
    Column::new("CLUSTER", Width::Fit { min: 8, max: 30 }).optional(3),
];

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let wide = area.width >= 100;
    let detail = detail_lines(m, theme);
    let (list_area, detail_area) = if wide {
        let [l, d] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .areas(area);
        (l, d)
    } else {
        let rows = u16::try_from(detail.len() + 1).unwrap_or(u16::MAX);
        let [l, d] = Layout::vertical([Constraint::Min(3), Constraint::Length(rows)]).areas(area);
        (l, d)
    };
    let visible = m.visible_contexts();
    let mut list_area = list_area;
    if let Some(line) = m
        .contexts
        .filter_line(visible.len(), m.kube.rows.len(), theme)
    {
        let [top, rest] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(list_area);
        f.render_widget(Paragraph::new(line), top);
        list_area = rest;
    }
    if m.kube.rows.is_empty() {
        let text = m.first_run_hint.as_deref().unwrap_or(
            "No contexts in the kubeconfig. Add one with `devk context add NAME --server URL ...`.",
        );
        f.render_widget(Paragraph::new(text).wrap(Wrap { trim: true }), list_area);
        return;
    }
    let height = usize::from(list_area.height.saturating_sub(1));
    let offset = scroll_offset(m.contexts.selected, height);
    let labels = m.context_labels();
    let rows: Vec<TableRow> = visible
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let r = &m.kube.rows[i];
            let shown = display_name(&r.name);
            TableRow {
                cells: vec![
                    if r.current { "●" } else { "" }.into(),
                    labels[i].as_str().into(),
                    Text::styled(shown.detail.unwrap_or_default(), theme.muted),
                    Text::styled(r.class.to_string(), class_style(theme, r.class)),
                    r.namespace.as_str().into(),
                    display_name(&r.cluster).name.into(),
                ],
                style: if pos == m.contexts.selected {
                    theme.selected
                } else if r.current {
                    Style::default().add_modifier(Modifier::BOLD)
                } else {
                    Style::default()
                },
            }
        })
        .collect();
    TableView {
        columns: &COLUMNS,
        rows: &rows,
        offset,
        header_style: theme.muted,
        sort: m.contexts.sort.map(|s| (s.column, s.reverse)),
    }
    .draw(f, list_area);
    let borders = if wide { Borders::LEFT } else { Borders::TOP };
    let block = Block::default()
        .borders(borders)
        .border_style(theme.muted)
        .title(" details ");
    f.render_widget(
        Paragraph::new(detail)
            .block(block)
            .wrap(Wrap { trim: false }),
        detail_area,
    );
}

/// The details of the context under the cursor: its whole name, and for a generated name the
/// cluster's name and where it is.
fn detail_lines(m: &Model, theme: &Theme) -> Vec<Line<'static>> {
    let Some(r) = m.selected_context() else {
        return Vec::new();
    };
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), theme.muted),
            Span::raw(v),
        ])
    };
    let shown = display_name(&r.name);
    let mut lines = vec![field("context", r.name.clone())];
    if let Some(detail) = &shown.detail {
        lines.push(field(
            "cluster",
            format!("{} · {detail} ({})", shown.name, shown.kind.detail_label()),
        ));
    }
    lines.extend([
        field("server", r.server.clone().unwrap_or_else(|| "-".into())),
        field("user", format!("{} ({})", r.user, r.auth)),
        field("namespace", r.namespace.clone()),
        Line::from(vec![
            Span::styled(format!("{:<10}", "class"), theme.muted),
            Span::styled(r.class.to_string(), class_style(theme, r.class)),
            Span::raw(format!(": {}", r.class_reason)),
        ]),
        field("file", r.file.clone()),
    ]);
    lines
}
