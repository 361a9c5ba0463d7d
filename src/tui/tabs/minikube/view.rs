//! The Minikube tab: profiles with status, driver, Kubernetes version, nodes and IP; the addons
//! of the selected profile; the live output of a start, stop or addon toggle.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};

use super::state::Focus;
use crate::minikube::ProfileState;
use crate::tui::app::Model;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{
    Column, TableRow, TableView, Text, Width, cut_end, scroll_offset,
};

/// The profile table's columns; `PROFILE_SORTABLE` indexes them. The name tells profiles
/// apart, so the node count, then the IP, then the driver give way to it first.
const PROFILE_COLUMNS: [Column; 6] = [
    Column::new("PROFILE", Width::Fit { min: 16, max: 60 }).names(),
    Column::new("STATUS", Width::Fit { min: 7, max: 19 }),
    Column::new("DRIVER", Width::Fit { min: 6, max: 10 }).optional(1),
    Column::new("K8S", Width::Fit { min: 7, max: 9 }),
    Column::new("NODES", Width::Fixed(5)).optional(3),
    Column::new("IP", Width::Fit { min: 7, max: 15 }).optional(2),
];

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let mk = &m.minikube;
    let info = match &mk.info {
        None => {
            f.render_widget(
                Paragraph::new(Span::styled("Asking minikube…", theme.muted)),
                area,
            );
            return;
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled("minikube could not be asked.", theme.remote)),
                    Line::raw(""),
                    Line::raw(e.clone()),
                    Line::raw(""),
                    Line::from(Span::styled(
                        "Everything else in devk works without it.",
                        theme.muted,
                    )),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        Some(Ok(info)) => info,
    };
    let op_height = if mk.op.is_some() { area.height / 3 } else { 0 };
    let [top, output] =
        Layout::vertical([Constraint::Min(5), Constraint::Length(op_height)]).areas(area);
    let [profiles_area, addons_area] =
        Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)]).areas(top);

    let profile_rows: Vec<TableRow> = mk
        .profiles_shown()
        .into_iter()
        .enumerate()
        .filter_map(|(pos, i)| info.profiles.get(i).map(|p| (pos, p)))
        .map(|(pos, p)| {
            // Whichever words this minikube version uses, the colour says the same thing.
            let status_style = match p.state() {
                ProfileState::Running => theme.local,
                ProfileState::Degraded | ProfileState::Paused | ProfileState::Busy => theme.remote,
                ProfileState::Error => theme.danger,
                ProfileState::Stopped | ProfileState::Unknown => theme.muted,
            };
            TableRow {
                cells: vec![
                    Text::from(format!("{}{}", if p.active { "● " } else { "  " }, p.name)),
                    Text::styled(p.status.clone(), status_style),
                    Text::from(p.driver.clone()),
                    Text::from(p.kubernetes_version.clone()),
                    Text::from(p.nodes.to_string()),
                    Text::from(p.ip.clone().unwrap_or_default()),
                ],
                style: if pos == mk.profile_cursor.selected && mk.focus == Focus::Profiles {
                    theme.selected
                } else {
                    Default::default()
                },
            }
        })
        .collect();
    if info.profiles.is_empty() {
        f.render_widget(
            Paragraph::new("No minikube profiles yet: `devk minikube start` creates one."),
            profiles_area,
        );
    } else {
        let rows_room = usize::from(profiles_area.height.saturating_sub(2));
        TableView {
            columns: &PROFILE_COLUMNS,
            rows: &profile_rows,
            offset: scroll_offset(mk.profile_cursor.selected, rows_room),
            header_style: theme.muted,
            sort: mk.profile_cursor.sort.map(|s| (s.column, s.reverse)),
        }
        .draw(f, profiles_area);
    }

    let addons_shown = mk.addons_shown();
    let mut lines = Vec::new();
    if addons_shown.is_empty() {
        lines.push(Line::from(Span::styled(
            "Start the profile to see its addons.",
            theme.muted,
        )));
    }
    let addons_room = usize::from(addons_area.height.saturating_sub(1));
    let first = scroll_offset(mk.addon_cursor.selected, addons_room);
    let width = usize::from(addons_area.width.saturating_sub(3));
    for (pos, i) in addons_shown
        .iter()
        .enumerate()
        .skip(first)
        .take(addons_room)
    {
        let Some(a) = info.addons.get(*i) else {
            continue;
        };
        let mark = if a.enabled {
            Span::styled("✓ ", theme.local)
        } else {
            Span::raw("  ")
        };
        let style = if pos == mk.addon_cursor.selected && mk.focus == Focus::Addons {
            theme.selected
        } else {
            Default::default()
        };
        lines.push(Line::from(vec![
            mark,
            Span::styled(cut_end(&a.name, width), style),
        ]));
    }
    let order = match mk.addon_cursor.sort {
        Some(s) if s.column == 1 => format!(" · by name{}", if s.reverse { "▼" } else { "▲" }),
        Some(s) if s.column == 2 => format!(" · enabled{}", if s.reverse { "▼" } else { "▲" }),
        Some(s) if s.reverse => " · ▼".to_string(),
        _ => String::new(),
    };
    let title = format!(
        " addons of {}{order} ",
        info.addons_of.clone().unwrap_or_default(),
    );
    f.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::LEFT)
                .border_style(theme.muted)
                .title(title),
        ),
        addons_area,
    );

    if let Some(op) = &mk.op {
        let state = match (&op.result, op.running) {
            (_, true) => Span::styled(" running (esc interrupts) ", theme.accent),
            (Some(Ok(())), _) => Span::styled(" done ", theme.local),
            (Some(Err(e)), _) => Span::styled(format!(" failed: {e} "), theme.danger),
            (None, false) => Span::raw(""),
        };
        let height = usize::from(output.height.saturating_sub(1));
        let shown: Vec<Line> = op
            .lines
            .iter()
            .skip(op.lines.len().saturating_sub(height))
            .map(|l| Line::raw(l.clone()))
            .collect();
        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.muted)
            .title(Line::from(vec![
                Span::raw(format!(" {} ", op.title)),
                state,
            ]));
        f.render_widget(Paragraph::new(shown).block(block), output);
    }
    // A hint when the current context is this profile: image builds go to its Docker daemon.
    if let (Some(p), Some(cur)) = (mk.selected_profile(), m.kube.current.as_deref())
        && p.name == cur
        && profiles_area.height > 3
    {
        let hint = Rect {
            y: profiles_area.y + profiles_area.height - 1,
            height: 1,
            ..profiles_area
        };
        f.render_widget(
            Paragraph::new(Span::styled(
                format!(
                    "current context: images for it are built into {}'s Docker daemon (docker-env)",
                    p.name
                ),
                theme.muted,
            )),
            hint,
        );
    }
}
