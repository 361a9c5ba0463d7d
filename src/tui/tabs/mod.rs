//! The tabs, one folder each, and the log view (inside the Pods tab) in a folder of its own.
//!
//! Every folder has the same rooms:
//! - `state.rs`: the tab's part of the model, plain data and pure methods (no I/O, no
//!   terminal or kube types);
//! - `update.rs`: keys and messages in, effects out;
//! - `view.rs`: draws the state; reads, never writes;
//! - `tasks.rs`: the background work its effects start (run by `runtime::effects`), which
//!   answers with messages and never touches the model;
//! - `tests.rs`: its `update` tables and its snapshots at 120x40 and 80x24.
//!
//! Each folder's `mod.rs` implements [`Page`], the only thing the router (`tui::update`) and
//! the screen (`tui::view`) call: the router no longer knows what a tab does with a key.

pub mod contexts;
pub mod creds;
pub mod hook;
pub mod images;
pub mod logs;
pub mod minikube;
pub mod pods;

use ratatui::Frame;
use ratatui::layout::Rect;

use super::app::{Model, Tab};
use super::keymap::Action;
use super::keys::Key;
use super::msg::{Effect, Msg};
use super::theme::Theme;
use super::widgets::status::Hint;

/// One page of the UI: a tab, or the log view inside the Pods tab. The router calls it in this
/// order for a key: `on_key` (an input that has the keyboard, a tab's own keys), then the
/// keymap's action goes to `on_action`, then to the router's global actions.
pub trait Page: Sync {
    /// A key while this page is in front, before the keymap; None leaves the key to it.
    fn on_key(&self, m: &mut Model, key: Key) -> Option<Vec<Effect>> {
        let _ = (m, key);
        None
    }

    /// A keymap action (from a key, the palette or the mouse) while this page is in front;
    /// None leaves it to the router's global actions.
    fn on_action(&self, m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        let _ = (m, action);
        None
    }

    /// Pasted text, for the text input that has the keyboard; false when none has it (the
    /// paste then goes nowhere: it is never replayed as key presses).
    fn on_paste(&self, m: &mut Model, text: &str) -> bool {
        let _ = (m, text);
        false
    }

    /// A message from this page's background tasks (see [`owner`]).
    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        let _ = (m, msg);
        Vec::new()
    }

    /// The clock moved (every second, and every quarter second while something spins), on
    /// whichever tab is in front.
    fn on_clock(&self, m: &mut Model) -> Vec<Effect> {
        let _ = m;
        Vec::new()
    }

    /// The user brought this tab to the front with its own key.
    fn on_enter(&self, m: &mut Model) -> Vec<Effect> {
        let _ = m;
        Vec::new()
    }

    /// Draws the page inside the body frame.
    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect);

    /// The key hints of the status line.
    fn hints(&self, m: &Model) -> Vec<Hint>;

    /// Where the cursor is in the page's list (`12/300`), shown on the body frame.
    fn position(&self, m: &Model) -> Option<String> {
        let _ = m;
        None
    }
}

/// The page of `tab`.
pub fn page(tab: Tab) -> &'static dyn Page {
    match tab {
        Tab::Contexts => &contexts::ContextsPage,
        Tab::Pods => &pods::PodsPage,
        Tab::Images => &images::ImagesPage,
        Tab::Creds => &creds::CredsPage,
        Tab::Minikube => &minikube::MinikubePage,
        Tab::Hook => &hook::HookPage,
    }
}

/// The page whose tasks send `msg`; None for the router's own messages (keys, the clock, the
/// kubeconfig, notices).
pub fn owner(msg: &Msg) -> Option<&'static dyn Page> {
    Some(match msg {
        Msg::PodsConnected { .. }
        | Msg::Pods { .. }
        | Msg::PodsError { .. }
        | Msg::PodsKubeconfigError { .. } => &pods::PodsPage,
        Msg::Logs { .. } => &logs::LogsPage,
        Msg::Minikube(_) | Msg::MinikubeLine(_) | Msg::MinikubeDone(_) => &minikube::MinikubePage,
        Msg::Hook(_) => &hook::HookPage,
        Msg::CredsStatus { .. } | Msg::CredsRefreshed { .. } => &creds::CredsPage,
        Msg::Images(_) | Msg::ImageBuild(_) | Msg::ImagePush(_) | Msg::ImageOpDone(_) => {
            &images::ImagesPage
        }
        Msg::Key(_)
        | Msg::Paste(_)
        | Msg::Mouse(_)
        | Msg::Resize { .. }
        | Msg::Clock(_)
        | Msg::Kube(_)
        | Msg::Changed { .. }
        | Msg::Namespaces { .. }
        | Msg::Notice { .. } => return None,
    })
}
