//! The Pods tab: pods of the current namespace, kept live by a watch.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, Wrap};

use super::state::Conn;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::scroll_offset;

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
    let rows: Vec<Row> = visible
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
        .map(|(pos, &i)| {
            let p = &m.pods.rows[i];
            let status_style = match p.status.as_str() {
                "Running" | "Succeeded" | "Completed" => theme.local,
                "Pending" | "ContainerCreating" | "Terminating" => theme.remote,
                _ => theme.danger,
            };
            let mark = if m.pods.marked.contains(&p.name) {
                "✓ "
            } else {
                "  "
            };
            let row = Row::new(vec![
                Cell::from(format!("{mark}{}", p.name)),
                Cell::from(p.ready.clone()),
                Cell::from(Span::styled(p.status.clone(), status_style)),
                Cell::from(p.restarts.to_string()),
                Cell::from(crate::format::age(p.created, m.now)),
                Cell::from(p.node.clone()),
            ]);
            if pos == m.pods.list.selected {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    let table = Table::new(
        rows,
        [
            Constraint::Fill(4),
            Constraint::Length(5),
            Constraint::Length(18),
            Constraint::Length(8),
            Constraint::Length(5),
            Constraint::Fill(2),
        ],
    )
    .header(Row::new(vec!["NAME", "READY", "STATUS", "RESTARTS", "AGE", "NODE"]).style(theme.muted))
    .column_spacing(1);
    f.render_widget(table, area);
}
