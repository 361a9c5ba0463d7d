//! The Registry creds tab: the ECR pull secrets of the current context, each with its expiry
//! countdown; `r` refreshes them now (the same code as `devk creds refresh`), and they are
//! refreshed automatically before they expire, on the pure schedule of `ecr::schedule`. A
//! failed refresh is loud on every tab (the header badge) until one succeeds.
//!
//! The tab follows the current context: a switch starts a new generation, and loads and
//! refreshes of the old context are dropped when they answer.

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod update;
mod view;
#[cfg(test)]
mod view_tests;

pub use state::{CredsState, LastRefresh, RefreshFailure, Target};
pub use update::on_snapshot;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The Registry creds tab.
pub struct CredsPage;

impl Page for CredsPage {
    fn on_action(&self, m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        update::on_action(m, action)
    }

    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::CredsStatus { generation, result } => update::on_status(m, generation, result),
            Msg::CredsRefreshed {
                generation,
                automatic,
                result,
            } => update::on_refreshed(m, generation, automatic, result),
            _ => Vec::new(),
        }
    }

    fn on_clock(&self, m: &mut Model) -> Vec<Effect> {
        update::on_clock(m)
    }

    fn on_enter(&self, m: &mut Model) -> Vec<Effect> {
        // Re-read: `devk creds refresh` in another terminal may have changed them.
        update::load(m)
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        view::draw(m, theme, f, area);
    }

    fn position(&self, m: &Model) -> Option<String> {
        let n = m.creds.shown().len();
        (n > 0).then(|| m.creds.list.position(n))
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::Retry), "refresh now"),
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}
