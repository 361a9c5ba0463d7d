//! The Hook tab: is devk's pre-push hook installed in the repository around the current
//! directory (or another hook, or an old one), and what the last push scan found, masked. It
//! is read when devk starts, when the tab is opened and on `r` (`tasks.rs`).

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod view;

pub use state::HookInfo;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The Hook tab.
pub struct HookPage;

impl Page for HookPage {
    fn on_action(&self, _m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        (action == Action::Retry).then(|| vec![Effect::LoadHook])
    }

    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        if let Msg::Hook(info) = msg {
            m.hook = Some(info);
            m.dirty = true;
        }
        Vec::new()
    }

    fn on_enter(&self, _m: &mut Model) -> Vec<Effect> {
        vec![Effect::LoadHook]
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        view::draw(m, theme, f, area);
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}
