//! `update` for the log view: opening views (a pod, marked pods, a workload), its keys, and
//! the lines its stream sends.

use super::state::{LogView, MAX_LOG_VIEWS, Selection};
use crate::logs::session::SessionEvent;
use crate::tui::app::{Model, Notice};
use crate::tui::keymap::{Action, Scope};
use crate::tui::keys::Key;
use crate::tui::msg::Effect;
use crate::tui::update::act;
use crate::tui::widgets::input::{self, InputKey};

/// Lines fetched per container when a log view opens (kubectl's default is everything; k9s
/// shows the last 100): enough to read back, bounded for a pod with years of history.
const INITIAL_TAIL: i64 = 5000;

/// Opens (or reopens, with its state) the log view of the marked pods, or of the pod under the
/// cursor when none is marked.
pub fn open_logs(m: &mut Model, workload: bool) -> Vec<Effect> {
    let Some(row) = m.current_row() else {
        return Vec::new();
    };
    let (context, namespace) = (row.name.clone(), row.namespace.clone());
    let owner = if workload {
        let vis = m.visible_pods();
        let Some(owner) = vis
            .get(m.pods.list.selected)
            .and_then(|&i| m.pods.rows[i].owner.clone())
        else {
            m.notice = Some(Notice {
                text: "This pod has no controller (a bare pod): enter opens its logs".into(),
                error: false,
            });
            return Vec::new();
        };
        Some(owner)
    } else {
        None
    };
    let pods: Vec<String> = if let Some(o) = &owner {
        m.pods
            .rows
            .iter()
            .filter(|p| p.owner.as_ref() == Some(o))
            .map(|p| p.name.clone())
            .collect()
    } else if m.pods.marked.is_empty() {
        let vis = m.visible_pods();
        match vis.get(m.pods.list.selected) {
            Some(&i) => vec![m.pods.rows[i].name.clone()],
            None => return Vec::new(),
        }
    } else {
        m.pods.marked.iter().cloned().collect()
    };
    let selection = Selection {
        context,
        namespace,
        pods,
        owner,
        previous: false,
    };
    show(m, selection)
}

/// The view of `selection`: reopened with its state (streaming on after its last line), or
/// new. A previous-instance view is always read afresh (another restart may have happened).
fn show(m: &mut Model, selection: Selection) -> Vec<Effect> {
    let key = selection.key();
    if selection.previous {
        m.pods.views.retain(|v| v.selection.key() != key);
    }
    m.log_generation += 1;
    let generation = m.log_generation;
    let (since, tail) = match m.pods.views.iter().position(|v| v.selection.key() == key) {
        Some(i) => {
            let mut v = m.pods.views.remove(i);
            v.generation = generation;
            let since = v.resume_since();
            m.pods.views.insert(0, v);
            (since, since.is_none().then_some(INITIAL_TAIL))
        }
        None => {
            m.pods
                .views
                .insert(0, LogView::new(selection.clone(), generation, m.log_budget));
            m.pods.views.truncate(MAX_LOG_VIEWS);
            (None, Some(INITIAL_TAIL))
        }
    };
    m.pods.open_logs = Some(key);
    vec![Effect::StreamLogs {
        generation,
        selection,
        since,
        tail,
    }]
}

/// Lines and markers for the view fed by stream `generation` (kept while closed, so a
/// reopened view has them; dropped when no view has that generation any more).
pub(super) fn on_lines(m: &mut Model, generation: u64, events: Vec<SessionEvent>) {
    if let Some(v) = m.pods.views.iter_mut().find(|v| v.generation == generation) {
        v.apply(events);
        m.dirty = true;
    }
}

/// Rows of log lines on screen: the terminal less the header, tab bar, body borders, the
/// view's status line and the footer (and the input line while a filter is typed).
fn page_rows(m: &Model, typing: bool) -> usize {
    usize::from(m.size.1.saturating_sub(6 + u16::from(typing))).max(1)
}

/// Keys in the log view: its own bindings first, then the global ones.
///
/// Esc steps back one level at a time: it closes the filter input (keeping the filter
/// applied before), then clears the filter, then leaves the view. `q` leaves the view at once
/// (only the main screens quit on `q`); in the input both are typed.
pub(super) fn on_key(m: &mut Model, key: Key) -> Vec<Effect> {
    let action = m.keymap.action_in(key, Scope::Log);
    let typing = m.log_view().is_some_and(|v| v.filter_input.is_some());
    let page = page_rows(m, typing);
    let Some(v) = m.log_view_mut() else {
        return Vec::new();
    };
    if let Some(mut input) = v.filter_input.take() {
        match action {
            Some(Action::LogCase) => v.case_sensitive = !v.case_sensitive,
            Some(Action::LogRegex) => v.regex_mode = !v.regex_mode,
            _ => match input::edit(&mut input, key) {
                InputKey::Submit => {
                    v.apply_filter(&input);
                    if v.filter_error.is_some() {
                        // Stay in the input with the error, to fix the pattern.
                        v.filter_input = Some(input);
                    }
                    return Vec::new();
                }
                // Esc keeps the filter already applied, and drops what was being typed.
                InputKey::Cancel => {
                    v.filter_error = None;
                    return Vec::new();
                }
                InputKey::Edited => {}
            },
        }
        v.filter_input = Some(input);
        return Vec::new();
    }
    match action {
        Some(Action::LogFollow | Action::Bottom) => v.follow_now(),
        Some(Action::Filter) => {
            v.filter_input = Some(
                v.filter
                    .as_ref()
                    .map(|f| f.filter.pattern.clone())
                    .unwrap_or_default(),
            );
        }
        Some(Action::LogNext) => v.step_match(true),
        Some(Action::LogPrev) => v.step_match(false),
        Some(Action::LogTimestamps) => v.timestamps = !v.timestamps,
        Some(Action::LogWrap) => v.wrap = !v.wrap,
        Some(Action::LogJson) => v.json = !v.json,
        Some(Action::LogPod) => v.cycle_pod(),
        Some(Action::LogPrevious) => {
            let selection = Selection {
                previous: !v.selection.previous,
                ..v.selection.clone()
            };
            return show(m, selection);
        }
        Some(Action::LogSave) => return vec![Effect::SaveLogs { text: v.export() }],
        Some(Action::LogClear) => v.clear(),
        Some(Action::LogCopy) => {
            if let Some(text) = v.copy_target() {
                return vec![Effect::Copy { text }];
            }
        }
        Some(Action::LogCase) => {
            v.case_sensitive = !v.case_sensitive;
            v.refilter();
        }
        Some(Action::LogRegex) => {
            v.regex_mode = !v.regex_mode;
            v.refilter();
        }
        Some(Action::Up) => v.scroll_up(1, page),
        Some(Action::Down) => v.scroll_down(1),
        Some(Action::PageUp) => v.scroll_up(page, page),
        Some(Action::PageDown) => v.scroll_down(page),
        Some(Action::Top) => v.to_top(page),
        Some(Action::Back) if v.clear_filters() => {}
        Some(Action::Back | Action::Quit) => {
            m.pods.open_logs = None;
            return vec![Effect::StopLogs];
        }
        Some(other) => return act(m, other),
        None => {}
    }
    Vec::new()
}
