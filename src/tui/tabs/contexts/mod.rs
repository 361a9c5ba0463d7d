//! The Contexts tab: the kubeconfig's contexts with their class (local, remote, protected), a
//! fuzzy filter, a details pane; enter switches (a protected context through the typed-name
//! dialog in `overlays`), `n` sets a context's namespace.
//!
//! The rows are the kubeconfig snapshot (`Model::kube`), which the router replaces whenever a
//! switch or a namespace change (`tasks.rs`, run as effects) comes back.

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod update;
mod view;

pub use update::{request_switch, start_switch};

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::keys::Key;
use crate::tui::msg::Effect;
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The Contexts tab.
pub struct ContextsPage;

impl Page for ContextsPage {
    fn on_key(&self, m: &mut Model, key: Key) -> Option<Vec<Effect>> {
        update::on_key(m, key)
    }

    fn on_action(&self, m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        update::on_action(m, action)
    }

    fn on_paste(&self, m: &mut Model, text: &str) -> bool {
        m.contexts.paste_filter(text)
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        view::draw(m, theme, f, area);
    }

    fn position(&self, m: &Model) -> Option<String> {
        let n = m.visible_contexts().len();
        (!m.kube.rows.is_empty()).then(|| m.contexts.position(n))
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        if m.contexts.filtering {
            return vec![("enter".into(), "keep filter"), ("esc".into(), "clear")];
        }
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::Select), "switch"),
            (k(Action::Namespace), "namespace"),
            (k(Action::Filter), "filter"),
            (k(Action::Palette), "palette"),
            (k(Action::NextTab), "tabs"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}
