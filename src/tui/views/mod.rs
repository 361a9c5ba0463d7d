//! `view(&Model, &Theme, &mut Frame)`: draws the model. Pure: reads the model, never changes
//! it, does no I/O. One file per part of the screen.

mod contexts;
mod creds;
mod frame;
mod hook;
mod images;
mod logs;
mod minikube;
mod overlays;
mod pods;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::app::{Model, Tab};
use super::theme::Theme;

/// Draws the whole screen.
pub fn view(m: &Model, theme: &Theme, f: &mut Frame) {
    let area = f.area();
    let [header, tabs, body, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    frame::header(m, theme, f, header);
    frame::tabs(m, theme, f, tabs);
    let inner = frame::body_block(m, theme, f, body);
    match m.tab {
        Tab::Contexts => contexts::draw(m, theme, f, inner),
        Tab::Pods => pods::draw(m, theme, f, inner),
        Tab::Hook => hook::draw(m, theme, f, inner),
        Tab::Images => images::draw(m, theme, f, inner),
        Tab::Minikube => minikube::draw(m, theme, f, inner),
        Tab::Creds => creds::draw(m, theme, f, inner),
    }
    frame::footer(m, theme, f, footer);
    overlays::draw(m, theme, f, area);
}

/// A centred rectangle of at most `w` x `h` inside `area`.
pub(super) fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The first row to draw so that `selected` is visible in `height` rows.
pub(super) fn scroll_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

/// "3m", "2h", "5d" like kubectl's AGE column.
pub(super) fn age(now: i64, then: i64) -> String {
    let s = (now - then).max(0);
    match s {
        0..=119 => format!("{s}s"),
        120..=7199 => format!("{}m", s / 60),
        7200..=172_799 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_creds;
