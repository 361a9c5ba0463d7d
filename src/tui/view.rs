//! `view(&Model, &Theme, &mut Frame)`: draws the model. Pure: reads the model, never changes
//! it, does no I/O. This file draws the frame every tab shares (header, tab bar, body border,
//! status line) and asks the tab in front (`tabs::page`) to draw the body and give its key
//! hints; an open overlay is drawn last, over everything.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::app::{Model, tab_layout};
use super::overlays;
use super::tabs::{self, pods::Conn};
use super::theme::{Theme, class_style};
use super::widgets::status::{self, spinner};
use super::widgets::table::cut_middle;

/// Draws the whole screen.
pub fn view(m: &Model, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    let [header_area, tabs_area, body, footer_area] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    header(m, theme, f, header_area);
    tab_bar(m, theme, f, tabs_area);
    let inner = body_block(m, theme, f, body);
    tabs::page(m.tab).draw(m, theme, f, inner);
    footer(m, theme, f, footer_area, inner);
    overlays::draw(m, theme, f, area);
}

/// Context, namespace, class, connection; red (danger) background on a protected context.
/// Whatever the names, the namespace, the class and the connection stay on screen: the
/// labels get shorter, the demo banner shrinks, then the context's and namespace's names are
/// cut in the middle.
fn header(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let protected = m.is_protected();
    let bold = Style::default().add_modifier(Modifier::BOLD);
    let badge = m.creds.alarm(m.simulated).then(|| {
        // Loud on every tab and first, so even 80 columns show it: a failed pull-secret
        // refresh means image pulls in the local cluster will soon fail.
        Span::styled(
            " ✖ CREDS FAILED ",
            theme
                .danger
                .add_modifier(Modifier::BOLD | Modifier::REVERSED),
        )
    });
    let conn = match &m.pods.conn {
        Conn::NoContext => Span::styled("○ no cluster", theme.muted),
        Conn::Connecting => {
            Span::styled(format!("{} connecting", spinner(m.spinner)), theme.remote)
        }
        Conn::Connected => Span::styled("● connected", theme.local),
        Conn::Failed(_) => Span::styled("✖ unreachable", theme.danger),
        Conn::Kubeconfig(_) => Span::styled("✖ kubeconfig", theme.danger),
    };
    let current = m.current_row().map(|row| {
        let class = if protected {
            Span::styled("PROTECTED", bold)
        } else {
            Span::styled(row.class.to_string(), class_style(theme, row.class))
        };
        (row.name.clone(), row.namespace.clone(), class)
    });
    // The context's name, longest first: its label, then (when another context shares its
    // cluster's name, so the label is qualified) the cluster's name with its region only. The
    // shortest is what is cut when nothing fits: it stays distinct from the other contexts.
    let mut names: Vec<String> = Vec::new();
    if let Some((full, _, _)) = &current {
        let shown = crate::contexts::display::display_name(full);
        let label = m.current_label().unwrap_or_else(|| full.clone());
        if let Some(detail) = shown.detail.as_ref().filter(|_| label != shown.name) {
            let region = detail.split(" · ").next().unwrap_or(detail);
            names.push(label);
            names.push(format!("{} ({region})", shown.name));
        } else {
            names.push(label);
        }
    }
    let width = usize::from(area.width);
    let build = |compact: bool, banner: Option<&'static str>, name: &str, ns: &str| {
        // Compact: the brand goes and the labels shorten, before any name is cut.
        let mut spans = vec![if compact {
            Span::raw(" ")
        } else {
            Span::styled(" devk ", theme.accent)
        }];
        if let Some(b) = &badge {
            spans.push(b.clone());
            spans.push(Span::raw(" "));
        }
        if !compact || badge.is_some() {
            spans.push(Span::raw("│ "));
        }
        match &current {
            Some((_, _, class)) => {
                spans.push(Span::raw(if compact { "ctx " } else { "context " }));
                spans.push(Span::styled(name.to_string(), bold));
                spans.push(Span::raw(if compact {
                    " │ ns "
                } else {
                    " │ namespace "
                }));
                spans.push(Span::styled(ns.to_string(), bold));
                spans.push(Span::raw(" │ "));
                spans.push(class.clone());
            }
            None => spans.push(Span::styled("no current context", theme.muted)),
        }
        spans.push(Span::raw(" │ "));
        spans.push(conn.clone());
        if let Some(b) = banner {
            spans.push(Span::raw(" │ "));
            spans.push(Span::styled(b, theme.accent));
        }
        spans
    };
    let fits = |spans: &[Span]| spans.iter().map(Span::width).sum::<usize>() <= width;
    let ns = current
        .as_ref()
        .map_or(String::new(), |(_, ns, _)| ns.clone());
    let banners: &[Option<&'static str>] = if m.simulated {
        &[Some("SIMULATED CLUSTER (devk demo)"), Some("SIMULATED")]
    } else {
        &[None]
    };
    let shortest = names.last().cloned().unwrap_or_default();
    let mut spans = None;
    'fit: for name in names.iter().chain(std::iter::once(&shortest)) {
        for compact in [false, true] {
            for &banner in banners {
                let s = build(compact, banner, name, &ns);
                if fits(&s) {
                    spans = Some(s);
                    break 'fit;
                }
            }
        }
    }
    let spans = spans.unwrap_or_else(|| {
        // Cut the names: what is left after everything else, the context's name first.
        let banner = *banners.last().unwrap_or(&None);
        let fixed: usize = build(true, banner, "", "").iter().map(Span::width).sum();
        let room = width.saturating_sub(fixed);
        // The name first, the namespace keeps at least 8 (cut in the middle).
        let ns_len = ns.chars().count();
        let name_len = shortest.chars().count();
        let name_room = name_len.min(room.saturating_sub(ns_len.min(8))).max(6);
        let ns_room = room.saturating_sub(name_room).max(6);
        build(
            true,
            banner,
            &cut_middle(&shortest, name_room),
            &cut_middle(&ns, ns_room.max(6)),
        )
    });
    let mut style = Style::default();
    if protected {
        style = match theme.danger_color {
            Some(c) => style.bg(c).add_modifier(Modifier::BOLD),
            None => style.add_modifier(Modifier::REVERSED | Modifier::BOLD),
        };
    }
    f.render_widget(Paragraph::new(Line::from(spans)).style(style), area);
}

fn tab_bar(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
    let mut spans = Vec::new();
    for (i, (tab, label, _, _)) in tab_layout().into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.muted));
        }
        let style = if tab == m.tab {
            theme.selected.add_modifier(Modifier::BOLD)
        } else {
            Style::default()
        };
        spans.push(Span::styled(label, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The bordered body; the border turns the danger colour (and thick) on a protected context.
/// Returns the inner area.
fn body_block(m: &Model, theme: &Theme, f: &mut Frame, area: Rect) -> Rect {
    let mut block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", m.tab.title()));
    if let Some(position) = tabs::page(m.tab).position(m) {
        block = block.title_top(Line::from(format!(" {position} ")).right_aligned());
    }
    if m.is_protected() {
        block = block
            .border_type(BorderType::Thick)
            .border_style(theme.danger)
            .title_bottom(Line::from(Span::styled(
                " PROTECTED CONTEXT: changes here affect production ",
                theme.danger,
            )));
    } else {
        block = block.border_style(theme.muted);
    }
    let inner = block.inner(area);
    f.render_widget(block, area);
    inner
}

/// The keys that work here, and the progress of a long operation or the latest notice.
fn footer(m: &Model, theme: &Theme, f: &mut Frame, area: Rect, body: Rect) {
    let hints = overlays::hints(&m.overlay).unwrap_or_else(|| tabs::page(m.tab).hints(m));
    let status = if let Some(busy) = &m.busy {
        Some(Span::styled(
            format!(" {} {busy}… ", spinner(m.spinner)),
            theme.accent,
        ))
    } else {
        m.notice.as_ref().map(|n| {
            let style = if n.error { theme.danger } else { theme.local };
            Span::styled(format!(" {} ", n.text), style)
        })
    };
    status::draw(f, area, body, theme, hints, status);
}
