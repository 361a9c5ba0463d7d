//! The Minikube tab: profiles with status, driver, Kubernetes version, nodes and IP; the addons
//! of the selected profile; the live output of a start, stop or addon toggle.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};

use super::state::Focus;
use crate::minikube::ProfileState;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;

/// Addons devk users care about most, listed first.
const KEY_ADDONS: [&str; 5] = [
    "registry-creds",
    "ingress",
    "registry",
    "dashboard",
    "metrics-server",
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

    let rows: Vec<Row> = info
        .profiles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // Whichever words this minikube version uses, the colour says the same thing.
            let status_style = match p.state() {
                ProfileState::Running => theme.local,
                ProfileState::Degraded | ProfileState::Paused | ProfileState::Busy => theme.remote,
                ProfileState::Error => theme.danger,
                ProfileState::Stopped | ProfileState::Unknown => theme.muted,
            };
            let row = Row::new(vec![
                Cell::from(format!("{}{}", if p.active { "● " } else { "  " }, p.name)),
                Cell::from(Span::styled(p.status.clone(), status_style)),
                Cell::from(p.driver.clone()),
                Cell::from(p.kubernetes_version.clone()),
                Cell::from(p.nodes.to_string()),
                Cell::from(p.ip.clone().unwrap_or_default()),
            ]);
            if i == mk.profile_cursor.selected && mk.focus == Focus::Profiles {
                row.style(theme.selected)
            } else {
                row
            }
        })
        .collect();
    let profiles = Table::new(
        rows,
        [
            Constraint::Fill(3),
            Constraint::Length(9),
            Constraint::Length(8),
            Constraint::Length(9),
            Constraint::Length(5),
            Constraint::Fill(2),
        ],
    )
    .header(Row::new(vec!["PROFILE", "STATUS", "DRIVER", "K8S", "NODES", "IP"]).style(theme.muted));
    if info.profiles.is_empty() {
        f.render_widget(
            Paragraph::new("No minikube profiles yet: `devk minikube start` creates one."),
            profiles_area,
        );
    } else {
        f.render_widget(profiles, profiles_area);
    }

    let mut addons: Vec<(usize, &crate::minikube::Addon)> =
        info.addons.iter().enumerate().collect();
    addons.sort_by_key(|(_, a)| (!KEY_ADDONS.contains(&a.name.as_str()), a.name.clone()));
    let mut lines = Vec::new();
    if addons.is_empty() {
        lines.push(Line::from(Span::styled(
            "Start the profile to see its addons.",
            theme.muted,
        )));
    }
    for (i, a) in addons {
        let mark = if a.enabled {
            Span::styled("✓ ", theme.local)
        } else {
            Span::raw("  ")
        };
        let style = if i == mk.addon_cursor.selected && mk.focus == Focus::Addons {
            theme.selected
        } else {
            Default::default()
        };
        lines.push(Line::from(vec![mark, Span::styled(a.name.clone(), style)]));
    }
    let title = format!(
        " addons of {} ({} switches) ",
        info.addons_of.clone().unwrap_or_default(),
        m.keymap.first_key(Action::MkAddons)
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
