//! The Pods tab: pods of the current namespace, kept live by a watch.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::state::Conn;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Column, TableRow, TableView, Text, Width, scroll_offset};

/// The pod table: the name takes what is left and is cut in the middle (the generated suffix
/// tells pods apart); the node goes first when the screen is narrow.
pub(super) const COLUMNS: [Column; 7] = [
    Column::new("", Width::Fixed(1)),
    Column::new("NAME", Width::Fill { min: 20, weight: 1 }).names(),
    Column::new("READY", Width::Fixed(5)),
    Column::new("STATUS", Width::Fit { min: 7, max: 26 }),
    Column::new("RESTARTS", Width::Fixed(8)),
    Column::new("AGE", Width::Fit { min: 3, max: 7 }),
    Column::new("NODE", Width::Fit { min: 6, max: 40 }).optional(1),
];

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    match &m.pods.conn {
        Conn::NoContext => {
            f.render_widget(
                Paragraph::new("No current context: pick one on the Contexts tab."),
                area,
            );
            return;
        }
        Conn::Connecting if m.pods.rows.is_empty() => {
            let server = m
                .current_row()
                .and_then(|r| r.server.clone())
                .unwrap_or_default();
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        format!("Connecting to {server} …"),
                        theme.remote,
                    )),
                    Line::raw(""),
                    Line::from(Span::styled(
                        "devk stays usable meanwhile: switch tabs or contexts at any time.",
                        theme.muted,
                    )),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        Conn::Kubeconfig(e) => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        "The kubeconfig cannot connect this context.",
                        theme.danger,
                    )),
                    Line::raw(""),
                    Line::raw(e.clone()),
                    Line::raw(""),
                    Line::from(Span::styled(
                        "Fix the file (or pick another context); devk does not retry this.",
                        theme.muted,
                    )),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        Conn::Failed(e) if m.pods.rows.is_empty() => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled("The cluster is not answering.", theme.danger)),
                    Line::raw(""),
                    Line::raw(e.clone()),
                    Line::raw(""),
                    Line::from(Span::styled(
                        format!(
                            "devk retries by itself; press {} to retry now.",
                            m.keymap.first_key(Action::Retry)
                        ),
                        theme.muted,
                    )),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        _ => {}
    }
    let visible = m.visible_pods();
    let mut area = area;
    if let Some(line) = m
        .pods
        .list
        .filter_line(visible.len(), m.pods.rows.len(), theme)
    {
        let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        f.render_widget(Paragraph::new(line), top);
        area = rest;
    }
    if let Conn::Failed(e) = &m.pods.conn {
        let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        f.render_widget(
            Paragraph::new(Span::styled(format!("stale: {e}"), theme.danger)),
            top,
        );
        area = rest;
    }
    if m.pods.rows.is_empty() {
        let ns = m
            .current_row()
            .map(|r| r.namespace.clone())
            .unwrap_or_default();
        f.render_widget(Paragraph::new(format!("No pods in namespace {ns}.")), area);
        return;
    }
    let height = usize::from(area.height.saturating_sub(1));
    let offset = scroll_offset(m.pods.list.selected, height);
    let rows: Vec<TableRow> = visible
        .iter()
        .enumerate()
        .map(|(pos, &i)| {
            let p = &m.pods.rows[i];
            let status_style = match p.status.as_str() {
                "Running" | "Succeeded" | "Completed" => theme.local,
                "Pending" | "ContainerCreating" | "Terminating" => theme.remote,
                _ => theme.danger,
            };
            let mark = if m.pods.marked.contains(&p.name) {
                "✓"
            } else {
                ""
            };
            TableRow {
                cells: vec![
                    mark.into(),
                    p.name.as_str().into(),
                    p.ready.as_str().into(),
                    Text::styled(p.status.clone(), status_style),
                    p.restarts.to_string().into(),
                    crate::format::age(p.created, m.now).into(),
                    p.node.as_str().into(),
                ],
                style: if pos == m.pods.list.selected {
                    theme.selected
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
        sort: m.pods.list.sort.map(|s| (s.column, s.reverse)),
    }
    .draw(f, area);
}
