//! The Pods & Logs tab: the pods of the current context's namespace, kept live by a watch
//! (`tasks.rs`), with a filter and marks. Enter opens the log view of the pod (or of the
//! marked pods, `w` the whole workload): while one is open, this tab hands its keys, drawing
//! and hints to the log view (`tabs::logs`).
//!
//! Each watch has a generation: a switch of context or namespace starts a new one, and
//! batches from an older watch are dropped.

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod update;
mod view;

pub use state::{Conn, PodChange, PodRow, PodsState};
pub use update::restart_watch;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use super::logs::LogsPage;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::keys::Key;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The Pods & Logs tab.
pub struct PodsPage;

impl Page for PodsPage {
    fn on_key(&self, m: &mut Model, key: Key) -> Option<Vec<Effect>> {
        if m.log_view().is_some() {
            return LogsPage.on_key(m, key);
        }
        update::on_key(m, key)
    }

    fn on_action(&self, m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        update::on_action(m, action)
    }

    fn on_paste(&self, m: &mut Model, text: &str) -> bool {
        if m.log_view().is_some() {
            return LogsPage.on_paste(m, text);
        }
        m.pods.list.paste_filter(text)
    }

    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        update::on_msg(m, msg);
        Vec::new()
    }

    fn on_clock(&self, m: &mut Model) -> Vec<Effect> {
        // Ages on the Pods tab move with the clock.
        if m.tab == crate::tui::app::Tab::Pods && !m.pods.rows.is_empty() {
            m.dirty = true;
        }
        Vec::new()
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        if m.log_view().is_some() {
            return LogsPage.draw(m, theme, f, area);
        }
        view::draw(m, theme, f, area);
    }

    fn position(&self, m: &Model) -> Option<String> {
        if m.log_view().is_some() || m.pods.rows.is_empty() {
            return None;
        }
        Some(m.pods.list.position(m.visible_pods().len()))
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        if m.pods.list.filtering {
            return vec![("enter".into(), "keep filter"), ("esc".into(), "clear")];
        }
        if m.log_view().is_some() {
            return LogsPage.hints(m);
        }
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::Select), "logs"),
            (k(Action::Mark), "mark"),
            (k(Action::Workload), "workload"),
            (k(Action::Filter), "filter"),
            (k(Action::Namespace), "namespace"),
            (k(Action::Retry), "reconnect"),
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}
