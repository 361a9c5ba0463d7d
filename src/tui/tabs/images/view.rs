//! The Images tab: the project's local images (tags, size, age, where pushed) and, below, the
//! build or push running or last finished: build steps with a scrolling log, push layers with
//! their progress, and a loud ending when it failed or the push policy refused it.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::state::{ImageOp, OpEnd, OpKind};
use crate::format::{age as human_age, size as human_size};
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Column, TableRow, TableView, Text, Width, scroll_offset};

/// The image table: the tag is cut in the middle (its version is at the end).
pub(super) const COLUMNS: [Column; 5] = [
    Column::new("TAG", Width::Fill { min: 20, weight: 3 }).names(),
    Column::new("IMAGE ID", Width::Fixed(12)),
    Column::new("SIZE", Width::Fixed(7)),
    Column::new("AGE", Width::Fit { min: 3, max: 7 }),
    Column::new("PUSHED TO", Width::Fill { min: 10, weight: 1 })
        .optional(1)
        .names(),
];

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let im = &m.images;
    // A refusal or failure is what the user must read: it gets all but a few list rows.
    let op_height = match &im.op {
        Some(op) if matches!(op.end, Some(OpEnd::Refused { .. } | OpEnd::Failed(_))) => {
            area.height.saturating_sub(4).max(6)
        }
        Some(_) => (area.height * 3 / 5).max(6),
        None => 0,
    };
    let [list_area, op_area] =
        Layout::vertical([Constraint::Min(3), Constraint::Length(op_height)]).areas(area);
    draw_list(m, theme, f, list_area);
    if let Some(op) = &im.op {
        draw_op(op, theme, f, op_area);
    }
}

fn draw_list(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let im = &m.images;
    let k = |a: Action| m.keymap.first_key(a);
    if im.name.trim().is_empty() {
        // Not an error: the project has not said which image is its own yet.
        f.render_widget(
            Paragraph::new(vec![
                Line::raw("No project image configured yet."),
                Line::raw(""),
                Line::raw(
                    "devk lists, builds and pushes the image named in your project's devk.toml:",
                ),
                Line::raw(""),
                Line::from(Span::styled("  [images]", theme.accent)),
                Line::from(Span::styled("  name = \"app\"", theme.accent)),
                Line::raw(""),
                Line::from(Span::styled(
                    "Then restart devk. `devk build --name app` works without it.",
                    theme.muted,
                )),
            ])
            .wrap(Wrap { trim: false }),
            area,
        );
        return;
    }
    let rows = match &im.rows {
        None => {
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!("Listing the local images of `{}`…", im.name),
                    theme.muted,
                )),
                area,
            );
            return;
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        "The images could not be listed.",
                        theme.remote,
                    )),
                    Line::raw(e.clone()),
                    Line::from(Span::styled(
                        format!("{} retries", k(Action::Retry)),
                        theme.muted,
                    )),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        Some(Ok(rows)) => rows,
    };
    if rows.is_empty() {
        f.render_widget(
            Paragraph::new(vec![
                Line::raw(format!("No local images of `{}` yet.", im.name)),
                Line::from(Span::styled(
                    format!("{} builds the project image", k(Action::ImageBuild)),
                    theme.muted,
                )),
            ]),
            area,
        );
        return;
    }
    // The engine line, when known and there is room: builds into minikube's daemon (without
    // docker-env) do not show here, and this says which daemon does.
    let area = if !im.engine.is_empty() && area.height > 3 {
        let [table, engine] =
            Layout::vertical([Constraint::Min(2), Constraint::Length(1)]).areas(area);
        f.render_widget(
            Paragraph::new(Span::styled(
                format!(
                    "images of `{}` in the Docker Engine at {}",
                    im.name, im.engine
                ),
                theme.muted,
            )),
            engine,
        );
        table
    } else {
        area
    };
    let height = usize::from(area.height.saturating_sub(1));
    let offset = scroll_offset(im.list.selected, height);
    let table_rows: Vec<TableRow> = im
        .visible()
        .iter()
        .enumerate()
        .filter_map(|(pos, &i)| rows.get(i).map(|r| (pos, r)))
        .map(|(pos, r)| {
            let more = r.tags.len().saturating_sub(1);
            let tag = match more {
                0 => r.main_tag().unwrap_or("").to_string(),
                n => format!("{} (+{n})", r.main_tag().unwrap_or("")),
            };
            let pushed = if r.pushed_to.is_empty() {
                Text::styled("not pushed", theme.muted)
            } else {
                let mut refs: Vec<&str> =
                    r.pushed_to.iter().map(|p| p.reference.as_str()).collect();
                refs.dedup();
                Text::styled(refs.join(", "), theme.local)
            };
            TableRow {
                cells: vec![
                    tag.into(),
                    r.short_id().into(),
                    human_size(r.size).into(),
                    human_age(r.created, m.now).into(),
                    pushed,
                ],
                style: if pos == im.list.selected {
                    theme.selected
                } else {
                    Style::default()
                },
            }
        })
        .collect();
    TableView {
        columns: &COLUMNS,
        rows: &table_rows,
        offset,
        header_style: theme.muted,
        sort: im.list.sort.map(|s| (s.column, s.reverse)),
    }
    .draw(f, area);
}

fn draw_op(op: &ImageOp, theme: &Theme, f: &mut Frame, area: Rect) {
    let loud = theme.danger.add_modifier(Modifier::BOLD);
    let state = match &op.end {
        None => Span::styled(" running ", theme.accent),
        Some(OpEnd::Done(_)) => Span::styled(" done ", theme.local),
        Some(OpEnd::Failed(_)) => Span::styled(" FAILED ", loud),
        Some(OpEnd::Refused { .. }) => Span::styled(" REFUSED ", loud),
    };
    let mut head: Vec<Line> = Vec::new();
    match &op.end {
        Some(OpEnd::Done(text)) => head.push(Line::from(Span::styled(text.clone(), theme.local))),
        Some(OpEnd::Failed(message)) => {
            for l in message.lines() {
                head.push(Line::from(Span::styled(l.to_string(), loud)));
            }
        }
        Some(OpEnd::Refused {
            rule,
            rule_summary,
            why,
            advice,
        }) => {
            head.push(Line::from(Span::styled(
                format!("Refused by rule `{rule}` ({rule_summary}). Nothing was sent."),
                loud,
            )));
            head.push(Line::from(vec![
                Span::styled("Why: ", theme.muted),
                Span::raw(why.clone()),
            ]));
            head.push(Line::from(vec![
                Span::styled("Instead: ", theme.accent),
                Span::raw(advice.clone()),
            ]));
        }
        None => {}
    }
    if op.kind == OpKind::Build
        && let Some((index, total, text)) = &op.step
    {
        head.push(Line::from(vec![
            Span::styled(
                format!(
                    "{} {index}/{total} ",
                    bar(u64::from(*index), u64::from(*total), 10)
                ),
                theme.accent,
            ),
            Span::raw(text.clone()),
        ]));
    }
    for l in &op.layers {
        let progress = match l.progress {
            Some((cur, total)) if l.status == "Pushing" => format!(
                " {} {}/{}",
                bar(cur, total, 16),
                human_size(cur.min(total)),
                human_size(total)
            ),
            _ => String::new(),
        };
        let style = if l.status == "Pushed" || l.status == "Layer already exists" {
            theme.local
        } else {
            Default::default()
        };
        head.push(Line::from(vec![
            Span::styled(format!("{:<12} ", l.id), theme.muted),
            Span::styled(l.status.clone(), style),
            Span::raw(progress),
        ]));
    }
    let block = Block::default()
        .borders(Borders::TOP)
        .border_style(theme.muted)
        .title(Line::from(vec![
            Span::raw(format!(" {} ", op.title())),
            state,
        ]));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let head_height = wrapped_height(&head, inner.width).min(inner.height);
    let [head_area, log_area] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(0)]).areas(inner);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: false }), head_area);
    let height = usize::from(log_area.height);
    let log: Vec<Line> = op
        .log
        .iter()
        .skip(op.log.len().saturating_sub(height))
        .map(|l| Line::from(Span::styled(l.clone(), theme.muted)))
        .collect();
    f.render_widget(Paragraph::new(log), log_area);
}

/// `[=====     ]` for `cur` of `total`, `width` cells inside the brackets.
fn bar(cur: u64, total: u64, width: usize) -> String {
    let filled = (cur.min(total) * width as u64)
        .checked_div(total)
        .map_or(0, |n| usize::try_from(n).unwrap_or(width));
    format!(
        "[{}{}]",
        "=".repeat(filled),
        " ".repeat(width - filled.min(width))
    )
}

/// Rows `lines` take when wrapped at `width` (a close estimate: by characters).
fn wrapped_height(lines: &[Line], width: u16) -> u16 {
    let w = usize::from(width.max(1));
    let rows: usize = lines.iter().map(|l| l.width().max(1).div_ceil(w)).sum();
    u16::try_from(rows).unwrap_or(u16::MAX)
}
