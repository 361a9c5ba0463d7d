//! The log view: a status line, the filter input while it is typed, and the newest rows that
//! fit (or older ones when scrolled), with match highlights, markers and per-pod colours.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::state::LogView;
use crate::logs::buffer::Kind;
use crate::logs::timestamp;
use crate::tui::theme::Theme;

const POD_COLOURS: [Color; 6] = [
    Color::Cyan,
    Color::Green,
    Color::Yellow,
    Color::Magenta,
    Color::Blue,
    Color::LightRed,
];

fn pod_style(theme: &Theme, id: u32) -> Style {
    if theme.danger_color.is_none() {
        return Style::default().add_modifier(Modifier::BOLD);
    }
    Style::default().fg(POD_COLOURS[id as usize % POD_COLOURS.len()])
}

fn status(v: &LogView, theme: &Theme) -> Line<'static> {
    let mut spans = vec![Span::styled(
        format!(" {} ", v.selection.title()),
        theme.accent,
    )];
    spans.push(Span::styled(
        format!("│ {} lines ", v.buffer.len()),
        theme.muted,
    ));
    if v.buffer.evicted() > 0 {
        spans.push(Span::styled(
            format!("│ {} oldest evicted (buffer full) ", v.buffer.evicted()),
            theme.remote,
        ));
    }
    spans.push(if v.follow {
        Span::styled("│ ● follow ", theme.local)
    } else {
        Span::styled(format!("│ ‖ paused, {} newer ", v.offset), theme.remote)
    });
    if let Some(idx) = &v.filter {
        let flags = format!(
            "{}{}",
            if idx.filter.case_sensitive {
                "Aa"
            } else {
                "aa"
            },
            if idx.filter.regex_mode { " .*" } else { "" }
        );
        spans.push(Span::raw(format!(
            "│ /{}/ {} matches [{flags}] ",
            idx.filter.pattern,
            idx.len()
        )));
    }
    let toggles: Vec<&str> = [(v.timestamps, "ts"), (v.wrap, "wrap"), (v.json, "json")]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, n)| *n)
        .collect();
    if !toggles.is_empty() {
        spans.push(Span::styled(
            format!("│ {} ", toggles.join(" ")),
            theme.muted,
        ));
    }
    if let Some(src) = v.pod_filter.and_then(|p| v.buffer.source(p)) {
        spans.push(Span::styled(
            format!("│ only {}/{} ", src.pod, src.container),
            theme.accent,
        ));
    }
    if let Some(note) = &v.note {
        spans.push(Span::styled(format!("│ {note}"), theme.danger));
    }
    Line::from(spans)
}

/// Splits `text` into pieces of at most `width` characters.
fn wrap(text: &str, width: usize) -> Vec<String> {
    if width == 0 {
        return vec![text.to_string()];
    }
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}

/// Spans of `text` with filter matches highlighted.
fn highlighted(v: &LogView, text: &str, base: Style, hit: Style) -> Vec<Span<'static>> {
    let Some(idx) = &v.filter else {
        return vec![Span::styled(text.to_string(), base)];
    };
    let mut spans = Vec::new();
    let mut at = 0;
    for (a, b) in idx.filter.ranges(text) {
        if a > at {
            spans.push(Span::styled(text[at..a].to_string(), base));
        }
        spans.push(Span::styled(text[a..b].to_string(), hit));
        at = b;
    }
    if at < text.len() {
        spans.push(Span::styled(text[at..].to_string(), base));
    }
    spans
}

/// The screen lines of one entry.
fn entry_lines(
    v: &LogView,
    seq: u64,
    theme: &Theme,
    width: usize,
    many_sources: bool,
) -> Vec<Line<'static>> {
    let Some(e) = v.buffer.get(seq) else {
        return Vec::new();
    };
    let src = v.buffer.source(e.source);
    let mut prefix = Vec::new();
    if many_sources && let Some(s) = src {
        prefix.push(Span::styled(
            format!("{} {} ", s.pod, s.container),
            pod_style(theme, e.source),
        ));
    }
    if e.kind == Kind::Marker {
        // devk's own words (why a stream stopped or resumed): wrapped, never cut.
        let prefix_width: usize = prefix.iter().map(|s| s.width()).sum();
        let text = format!("── {} ──", e.text);
        return wrap(&text, width.saturating_sub(prefix_width).max(10))
            .into_iter()
            .enumerate()
            .map(|(i, piece)| {
                let mut spans = if i == 0 {
                    prefix.clone()
                } else {
                    vec![Span::raw(" ".repeat(prefix_width))]
                };
                spans.push(Span::styled(piece, theme.accent));
                Line::from(spans)
            })
            .collect();
    }
    if v.timestamps
        && let Some(ts) = e.ts
    {
        prefix.push(Span::styled(
            format!("{} ", timestamp::format(ts)),
            theme.muted,
        ));
    }
    let base = if v.cursor == Some(seq) {
        theme.selected
    } else {
        Style::default()
    };
    let hit = theme.accent.add_modifier(Modifier::REVERSED);
    let body: Vec<String> = match (v.json, e.text.trim_start().starts_with('{')) {
        (true, true) => match serde_json::from_str::<serde_json::Value>(&e.text) {
            Ok(json) => serde_json::to_string_pretty(&json)
                .unwrap_or_else(|_| e.text.to_string())
                .lines()
                .map(str::to_string)
                .collect(),
            Err(_) => vec![e.text.to_string()],
        },
        _ => vec![e.text.to_string()],
    };
    let prefix_width: usize = prefix.iter().map(|s| s.width()).sum();
    let mut out = Vec::new();
    for (i, text) in body.iter().enumerate() {
        let pieces = if v.wrap {
            wrap(text, width.saturating_sub(prefix_width).max(10))
        } else {
            vec![text.clone()]
        };
        for (j, piece) in pieces.into_iter().enumerate() {
            let mut spans = if i == 0 && j == 0 {
                prefix.clone()
            } else {
                vec![Span::raw(" ".repeat(prefix_width))]
            };
            spans.extend(highlighted(v, &piece, base, hit));
            out.push(Line::from(spans));
        }
    }
    out
}

pub(super) fn draw(v: &LogView, theme: &Theme, f: &mut Frame, area: Rect) {
    let typing = v.filter_input.is_some() || v.filter_error.is_some();
    let [top, input, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(typing)),
        Constraint::Min(1),
    ])
    .areas(area);
    f.render_widget(Paragraph::new(status(v, theme)), top);
    if let Some(text) = &v.filter_input {
        let flags = format!(
            "{} {}",
            if v.case_sensitive { "Aa" } else { "aa" },
            if v.regex_mode { "regex" } else { "plain" }
        );
        let after = match &v.filter_error {
            // The pattern just tried is wrong: say why where it is being fixed.
            Some(e) => Span::styled(format!("  {e}"), theme.danger),
            None => Span::styled(
                format!("  [{flags}]  enter apply · esc cancel · alt-c case · alt-r regex"),
                theme.muted,
            ),
        };
        f.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled("/", theme.accent),
                Span::raw(format!("{text}▏")),
                after,
            ])),
            input,
        );
    } else if let Some(e) = &v.filter_error {
        f.render_widget(Paragraph::new(Span::styled(e.clone(), theme.danger)), input);
    }
    let height = usize::from(body.height);
    if v.buffer.is_empty() {
        f.render_widget(
            Paragraph::new(Span::styled("Waiting for log lines…", theme.muted)),
            body,
        );
        return;
    }
    let many = v.buffer.sources().len() > 1;
    let width = usize::from(body.width);
    let rows = v.rows(height);
    // Scrolled to the top, the oldest entry is the first row (wrapped or pretty-printed
    // entries may not all fit); otherwise the newest row is the last.
    let at_top = !v.follow && !rows.is_empty() && rows.first().copied() == v.oldest_row();
    let mut lines: Vec<Line> = Vec::new();
    for seq in rows {
        lines.extend(entry_lines(v, seq, theme, width, many));
    }
    if at_top {
        lines.truncate(height);
    } else {
        let skip = lines.len().saturating_sub(height);
        lines = lines.split_off(skip);
    }
    f.render_widget(Paragraph::new(lines), body);
}
