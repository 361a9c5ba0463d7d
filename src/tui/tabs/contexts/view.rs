//! The Contexts tab: the list with class, a filter, and a details pane.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use crate::tui::app::Model;
use crate::tui::theme::{Theme, class_style};
use crate::tui::widgets::table::scroll_offset;

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let wide = area.width >= 100;
    let (list_area, detail_area) = if wide {
        let [l, d] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .areas(area);
        (l, d)
    } else {
        let [l, d] = Layout::vertical([Constraint::Min(3), Constraint::Length(7)]).areas(area);
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
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let r = &m.kube.rows[i];
            let marker = if r.current { "●" } else { " " };
            let mut row = Row::new(vec![
                Cell::from(marker),
                Cell::from(r.name.clone()),
                Cell::from(Span::styled(
                    r.class.to_string(),
                    class_style(theme, r.class),
                )),
                Cell::from(r.cluster.clone()),
                Cell::from(r.namespace.clone()),
            ]);
            if pos == m.contexts.selected {
                row = row.style(theme.selected);
            } else if r.current {
                row = row.style(Style::default().add_modifier(Modifier::BOLD));
            }
            row
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Length(1),
            Constraint::Fill(3),
            Constraint::Length(9),
            Constraint::Fill(2),
            Constraint::Fill(2),
        ],
    )
    .header(Row::new(vec!["", "NAME", "CLASS", "CLUSTER", "NAMESPACE"]).style(theme.muted))
    .column_spacing(1);
    f.render_widget(table, list_area);
    details(m, theme, f, detail_area, wide);
}

fn details(m: &Model, theme: &Theme, f: &mut Frame, area: Rect, wide: bool) {
    let borders = if wide { Borders::LEFT } else { Borders::TOP };
    let block = Block::default()
        .borders(borders)
        .border_style(theme.muted)
        .title(" details ");
    let Some(r) = m.selected_context() else {
        f.render_widget(block, area);
        return;
    };
    let field = |k: &str, v: String| {
        Line::from(vec![
            Span::styled(format!("{k:<10}"), theme.muted),
            Span::raw(v),
        ])
    };
    let lines = vec![
        field("context", r.name.clone()),
        field("server", r.server.clone().unwrap_or_else(|| "-".into())),
        field("user", format!("{} ({})", r.user, r.auth)),
        field("namespace", r.namespace.clone()),
        Line::from(vec![
            Span::styled(format!("{:<10}", "class"), theme.muted),
            Span::styled(r.class.to_string(), class_style(theme, r.class)),
            Span::raw(format!(": {}", r.class_reason)),
        ]),
        field("file", r.file.clone()),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
