//! The log view of the Pods & Logs tab: the lines of one pod, of marked pods or of a whole
//! workload, streamed live (`tasks.rs`) into a byte-budgeted buffer (`state.rs`) with follow,
//! scroll, a plain or regex filter with match stepping, per-pod colours, timestamps, wrap,
//! JSON pretty-printing, save and copy.
//!
//! Up to `MAX_LOG_VIEWS` views are kept, most recent first, so going back to a pod shows where
//! the user was and resumes after the last line seen. Each stream carries a generation: lines
//! of a stream the user has left go to no view.

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod update;
mod view;

pub use state::{LogView, MAX_LOG_VIEWS, Selection};
pub use update::open_logs;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::keys::Key;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The open log view (the Pods tab hands it its keys while it is open).
pub struct LogsPage;

impl Page for LogsPage {
    fn on_key(&self, m: &mut Model, key: Key) -> Option<Vec<Effect>> {
        Some(update::on_key(m, key))
    }

    fn on_paste(&self, m: &mut Model, text: &str) -> bool {
        match m.log_view_mut().and_then(|v| v.filter_input.as_mut()) {
            Some(input) => {
                crate::tui::widgets::input::paste(input, text);
                true
            }
            None => false,
        }
    }

    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        if let Msg::Logs { generation, events } = msg {
            update::on_lines(m, generation, events);
        }
        Vec::new()
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        if let Some(v) = m.log_view() {
            view::draw(v, theme, f, area);
        }
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        if m.log_view().is_some_and(|v| v.filter_input.is_some()) {
            return vec![("enter".into(), "apply filter"), ("esc".into(), "cancel")];
        }
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::LogFollow), "follow"),
            (k(Action::Filter), "filter"),
            (
                format!("{}/{}", k(Action::LogNext), k(Action::LogPrev)),
                "match",
            ),
            (k(Action::LogTimestamps), "ts"),
            (k(Action::LogWrap), "wrap"),
            (k(Action::LogJson), "json"),
            (k(Action::LogPod), "pod"),
            (k(Action::LogSave), "save"),
            (k(Action::LogCopy), "copy"),
            (k(Action::Back), "back"),
            (k(Action::Help), "help"),
        ]
    }
}
