//! The Minikube tab: minikube's profiles (status, driver, Kubernetes version, nodes, IP), the
//! addons of the selected one, and the live output of a start, stop or addon toggle, which
//! esc interrupts. minikube is asked through its CLI (`crate::minikube`) in `tasks.rs`.

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod update;
mod view;

pub use state::{Focus, MinikubeInfo, MinikubeState, OUTPUT_LINES, Operation};

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The Minikube tab.
pub struct MinikubePage;

impl Page for MinikubePage {
    fn on_action(&self, m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        update::on_action(m, action)
    }

    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        update::on_msg(m, msg)
    }

    fn on_enter(&self, m: &mut Model) -> Vec<Effect> {
        vec![update::load_minikube(m)]
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        view::draw(m, theme, f, area);
    }

    fn position(&self, m: &Model) -> Option<String> {
        let mk = &m.minikube;
        let Some(Ok(info)) = &mk.info else {
            return None;
        };
        Some(match mk.focus {
            Focus::Profiles => format!(
                "profile {}",
                mk.profile_cursor.position(info.profiles.len())
            ),
            Focus::Addons => format!("addon {}", mk.addon_cursor.position(info.addons.len())),
        })
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::Select), "start/stop · toggle addon"),
            (k(Action::MkAddons), "profiles/addons"),
            (k(Action::Retry), "refresh"),
            (k(Action::Back), "interrupt"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}
