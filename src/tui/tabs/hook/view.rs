//! The Hook tab: is devk's pre-push hook installed in this repository, and what did the last
//! push scan find.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use crate::githook::install::HookState;
use crate::githook::report::Outcome;
use crate::tui::app::Model;
use crate::tui::theme::Theme;

pub(super) fn draw(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let mut lines = Vec::new();
    match &m.hook {
        None => lines.push(Line::from(Span::styled(
            "Reading the repository…",
            theme.muted,
        ))),
        Some(Err(e)) => {
            lines.push(Line::from(Span::styled(
                "No hook information here.",
                theme.remote,
            )));
            lines.push(Line::raw(e.clone()));
            lines.push(Line::raw(""));
            lines.push(Line::from(Span::styled(
                "Start devk inside a git repository to see its pre-push hook.",
                theme.muted,
            )));
        }
        Some(Ok(info)) => {
            let st = &info.status;
            let (state, style) = match &st.state {
                HookState::Missing => ("not installed: run `devk hook install`".to_string(), theme.danger),
                HookState::Foreign => ("another pre-push hook is installed (devk's is not): `devk hook install` chains it".to_string(), theme.remote),
                HookState::Devk { current: false, .. } => ("installed by an older devk: run `devk hook install` to update it".to_string(), theme.remote),
                HookState::Devk { executable: false, .. } => ("installed but not executable: git skips it (`chmod +x`)".to_string(), theme.danger),
                HookState::Devk { version, .. } => (format!("installed (hook format {version})"), theme.local),
            };
            lines.push(Line::from(vec![
                Span::styled("pre-push hook  ", theme.muted),
                Span::styled(state, style),
            ]));
            lines.push(Line::from(vec![
                Span::styled("hook file      ", theme.muted),
                Span::raw(st.hook.display().to_string()),
            ]));
            if let Some(hp) = &st.location.hooks_path {
                lines.push(Line::from(vec![
                    Span::styled("core.hooksPath ", theme.muted),
                    Span::raw(hp.clone()),
                ]));
            }
            if let Some(c) = &st.chained {
                lines.push(Line::from(vec![
                    Span::styled("chained        ", theme.muted),
                    Span::raw(format!("{} (runs first)", c.display())),
                ]));
            }
            lines.push(Line::raw(""));
            match &info.last_scan {
                None => lines.push(Line::from(Span::styled(
                    "No push has been scanned here yet.",
                    theme.muted,
                ))),
                Some(scan) => {
                    let (what, style) = match scan.outcome {
                        Outcome::Clean => ("clean: the push went on", theme.local),
                        Outcome::Blocked => {
                            ("BLOCKED: secrets found, the push was stopped", theme.danger)
                        }
                        Outcome::Error => ("could not scan: the push was stopped", theme.danger),
                    };
                    lines.push(Line::from(vec![
                        Span::styled("last scan      ", theme.muted),
                        Span::styled(what, style),
                    ]));
                    lines.push(Line::from(vec![
                        Span::styled("               ", theme.muted),
                        Span::raw(format!(
                            "{} to {} · {} commits, {} files · {} ms",
                            scan.finished_at,
                            scan.remote,
                            scan.stats.commits,
                            scan.stats.files,
                            scan.duration_ms
                        )),
                    ]));
                    if let Some(e) = &scan.error {
                        lines.push(Line::from(Span::styled(e.clone(), theme.danger)));
                    }
                    for fnd in &scan.findings {
                        let short = fnd.commit.get(..8).unwrap_or(&fnd.commit);
                        lines.push(Line::from(vec![
                            Span::styled(format!("  {short} "), theme.muted),
                            Span::raw(format!("{}:{} ", fnd.path, fnd.line)),
                            Span::styled(format!("{} ", fnd.rule), theme.danger),
                            Span::raw(fnd.masked.clone()),
                        ]));
                    }
                }
            }
        }
    }
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), area);
}
