//! The Registry creds tab: the ECR pull secrets of the current context with a countdown each,
//! the last refresh and its result, the next automatic one, and why a context is refused.
//! Token values are never in the model, so they cannot reach the screen.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::state::{LastRefresh, Target};
use crate::ecr::pullsecret::rfc3339;
use crate::ecr::schedule::{DueReason, countdown};
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::theme::Theme;
use crate::tui::widgets::table::{Column, TableRow, TableView, Text, Width, scroll_offset};

/// Why a refresh cannot work on `devk demo`'s cluster.
const DEMO: &str = "its cluster is simulated, with no AWS account behind it, so no ECR token \
    can be had; against a real cluster devk refreshes with your AWS credentials and \
    creds.region";

/// The one line that says what the automatic refresh will do next (and why nothing, when
/// nothing is scheduled).
fn schedule(m: &Model, theme: &Theme, key: &str) -> Line<'static> {
    let c = &m.creds;
    if c.running {
        return Line::from(Span::styled("Refreshing now…", theme.accent));
    }
    if let Some(d) = c.due {
        let why = match d.reason {
            DueReason::BeforeExpiry => "before expiry",
            DueReason::ExpiresTooSoon => "the last token was already expired: waiting",
            DueReason::Backoff => "after a failure: backing off",
        };
        return Line::raw(format!(
            "Automatic refresh in {} ({why}) · {key} refreshes now",
            countdown((d.at - m.now).max(1))
        ));
    }
    let paused = matches!(&c.last, Some(LastRefresh { result: Err(e), .. }) if e.needs_config);
    let text = if !c.settings.auto_refresh {
        format!("Automatic refresh is off (creds.auto_refresh = false) · {key} refreshes now")
    } else if paused {
        format!("Automatic refresh paused until the configuration is fixed · {key} tries again")
    } else if c.rows.is_none() {
        "Automatic refresh on · reading the secrets…".to_string()
    } else if c.own_rows().is_empty() {
        format!("Automatic refresh on, nothing to keep fresh yet · {key} creates the secret")
    } else {
        format!("Automatic refresh on, no expiry known yet · {key} refreshes now")
    };
    Line::from(Span::styled(text, theme.muted))
}

/// `registry.example/…` hosts without the scheme, for narrow columns.
fn short_registry(r: &str) -> &str {
    r.strip_prefix("https://").unwrap_or(r)
}

/// "1 created, 2 unchanged": what a refresh did to the secrets.
fn changes(r: &crate::ecr::refresh::Report) -> String {
    use crate::cluster::pullsecrets::Change;
    let parts: Vec<String> = [Change::Created, Change::Updated, Change::Unchanged]
        .into_iter()
        .filter_map(|c| {
            let n = r.secrets.iter().filter(|(_, _, x)| *x == c).count();
            (n > 0).then(|| format!("{n} {}", c.as_str()))
        })
        .collect();
    if parts.is_empty() {
        "no secrets".to_owned()
    } else {
        parts.join(", ")
    }
}

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let c = &m.creds;
    let key = m.keymap.first_key(Action::Retry);
    let context = c.context.clone().unwrap_or_default();
    match &c.target {
        Target::NoContext => {
            f.render_widget(
                Paragraph::new(Span::styled(
                    "No current context: pick a local one on the Contexts tab.",
                    theme.muted,
                )),
                area,
            );
            return;
        }
        Target::Refused(reason) => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        format!("No pull secrets for `{context}`: refused."),
                        theme.danger.add_modifier(Modifier::BOLD),
                    )),
                    Line::raw(""),
                    Line::raw(reason.clone()),
                ])
                .wrap(Wrap { trim: true }),
                area,
            );
            return;
        }
        Target::Allowed => {}
    }
    let mut head = vec![Line::from(vec![
        Span::raw("Secret "),
        Span::styled(
            c.settings.secret_name.clone(),
            Style::default().add_modifier(Modifier::BOLD),
        ),
        Span::raw(format!(
            " · refreshed {} before expiry",
            countdown(c.refresh_before)
        )),
        Span::styled(
            if c.settings.addon {
                " · addon mode (kube-system/registry-creds-ecr)"
            } else {
                ""
            },
            theme.muted,
        ),
    ])];
    head.push(schedule(m, theme, &key));
    head.push(match &c.last {
        // The demo says up front what a refresh needs, not only after `r` fails.
        None if m.simulated => Line::from(Span::styled(
            format!("No refresh in devk demo: {DEMO}."),
            theme.muted,
        )),
        None => Line::from(Span::styled("No refresh yet in this session.", theme.muted)),
        Some(last) => {
            let when = format!(
                "Last refresh {}, {} ago ({}): ",
                rfc3339(last.at),
                // An age, written as every other age in devk (kubectl's AGE column).
                crate::format::human_duration(m.now - last.at),
                if last.automatic { "auto" } else { "manual" }
            );
            match &last.result {
                Ok(r) => {
                    let expired = r.expires_at.is_some_and(|e| e <= last.at);
                    let text = format!(
                        "ok, {}{}",
                        changes(r),
                        if expired {
                            " (the token AWS returned was already expired)"
                        } else {
                            ""
                        }
                    );
                    Line::from(vec![
                        Span::raw(when),
                        Span::styled(text, if expired { theme.remote } else { theme.local }),
                    ])
                }
                // On the demo's simulated cluster a failure is expected: said as such.
                Err(e) if m.simulated => Line::from(vec![
                    Span::raw(when),
                    Span::styled(
                        format!("not possible in devk demo: {DEMO}. ({})", e.message),
                        theme.remote,
                    ),
                ]),
                Err(e) => Line::from(vec![
                    Span::raw(when),
                    Span::styled(
                        format!(
                            "FAILED: {}{}",
                            e.message,
                            if e.needs_config {
                                " (not retried automatically; r tries again)"
                            } else {
                                ""
                            }
                        ),
                        theme.danger,
                    ),
                ]),
            }
        }
    });
    // The head takes the rows its lines wrap to, and a blank one.
    let w = usize::from(area.width.max(1));
    let head_rows: usize = head.iter().map(|l| l.width().max(1).div_ceil(w)).sum();
    let head_height = u16::try_from(head_rows + 1)
        .unwrap_or(u16::MAX)
        .min(area.height / 2);
    let [top, table_area] =
        Layout::vertical([Constraint::Length(head_height), Constraint::Min(2)]).areas(area);
    f.render_widget(Paragraph::new(head).wrap(Wrap { trim: true }), top);

    let rows = match &c.rows {
        None => {
            f.render_widget(
                Paragraph::new(Span::styled("Reading the cluster's secrets…", theme.muted)),
                table_area,
            );
            return;
        }
        Some(Err(e)) => {
            f.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled("The cluster could not be read.", theme.remote)),
                    Line::raw(e.clone()),
                ])
                .wrap(Wrap { trim: true }),
                table_area,
            );
            return;
        }
        Some(Ok(rows)) if rows.is_empty() => {
            f.render_widget(
                Paragraph::new(Span::styled(
                    format!("No ECR pull secrets in `{context}` yet: {key} creates one."),
                    theme.muted,
                )),
                table_area,
            );
            return;
        }
        Some(Ok(rows)) => rows,
    };
    let shown = c.shown();
    let body: Vec<TableRow> = shown
        .iter()
        .enumerate()
        .filter_map(|(pos, &i)| rows.get(i).map(|r| (pos, r)))
        .map(|(pos, r)| {
            let (left, style) = match r.expires_unix {
                Some(e) if e <= m.now => ("expired".to_owned(), theme.danger),
                Some(e) if e - m.now <= c.refresh_before => (countdown(e - m.now), theme.remote),
                Some(e) => (countdown(e - m.now), theme.local),
                None => ("-".to_owned(), theme.muted),
            };
            let registries: Vec<&str> = r.registries.iter().map(|x| short_registry(x)).collect();
            TableRow {
                cells: vec![
                    Text::from(r.namespace.clone()),
                    Text::from(r.secret.clone()),
                    Text::from(r.kind.as_str()),
                    Text::styled(left, style),
                    Text::from(registries.join(", ")),
                    Text::from(r.service_accounts.join(", ")),
                ],
                style: if pos == c.list.selected {
                    theme.selected
                } else {
                    Style::default()
                },
            }
        })
        .collect();
    let height = usize::from(table_area.height.saturating_sub(1));
    TableView {
        columns: &COLUMNS,
        rows: &body,
        offset: scroll_offset(c.list.selected, height),
        header_style: theme.muted.add_modifier(Modifier::BOLD),
        sort: c.list.sort.map(|s| (s.column, s.reverse)),
    }
    .draw(f, table_area);
}

/// The pull secrets' columns; `SORTABLE` indexes them. Namespaces tell rows apart, so they
/// are cut in the middle and distinctly; the service accounts give way first on a narrow
/// screen, then the registries.
const COLUMNS: [Column; 6] = [
    Column::new("NAMESPACE", Width::Fit { min: 12, max: 40 }).names(),
    Column::new("SECRET", Width::Fit { min: 10, max: 30 }).names(),
    Column::new("BY", Width::Fit { min: 4, max: 6 }),
    Column::new("EXPIRES", Width::Fit { min: 7, max: 10 }),
    Column::new("REGISTRIES", Width::Fill { min: 12, weight: 1 }).optional(1),
    Column::new("USED BY", Width::Fit { min: 7, max: 24 }).optional(2),
];
