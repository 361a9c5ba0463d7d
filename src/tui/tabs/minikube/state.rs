//! The Minikube tab's state: profiles, the addons of the selected one, and the output of a
//! long operation (start, stop, addon toggles) as it streams. Plain data; `update.rs` drives
//! it.

use crate::minikube::{Addon, Profile};
use crate::tui::widgets::list::ListCursor;

/// What the tab shows once loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinikubeInfo {
    pub profiles: Vec<Profile>,
    /// Addons of `addons_of`.
    pub addons: Vec<Addon>,
    pub addons_of: Option<String>,
}

/// Which list has the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Profiles,
    Addons,
}

/// A long minikube operation and its output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    pub title: String,
    /// The newest output lines (bounded).
    pub lines: Vec<String>,
    pub running: bool,
    /// How it ended: Ok, or minikube's error lines and exit code.
    pub result: Option<Result<(), String>>,
}

/// Lines of operation output kept on screen.
pub const OUTPUT_LINES: usize = 200;

impl Operation {
    pub fn push(&mut self, line: String) {
        self.lines.push(line);
        if self.lines.len() > OUTPUT_LINES {
            let extra = self.lines.len() - OUTPUT_LINES;
            self.lines.drain(..extra);
        }
    }
}

/// The tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MinikubeState {
    /// None until loaded; Err when minikube is missing or failed (the message says what to do).
    pub info: Option<Result<MinikubeInfo, String>>,
    /// The cursor over `profiles`.
    pub profile_cursor: ListCursor,
    /// The cursor over `addons`.
    pub addon_cursor: ListCursor,
    pub focus: Focus,
    pub op: Option<Operation>,
    /// Defaults for `start`, from `[minikube]` in the config.
    pub start_options: crate::minikube::StartOptions,
}

impl MinikubeState {
    pub fn selected_profile(&self) -> Option<&Profile> {
        match &self.info {
            Some(Ok(i)) => i.profiles.get(self.profile_cursor.selected),
            _ => None,
        }
    }

    pub fn selected_addon(&self) -> Option<&Addon> {
        match &self.info {
            Some(Ok(i)) => i.addons.get(self.addon_cursor.selected),
            _ => None,
        }
    }

    pub fn busy(&self) -> bool {
        self.op.as_ref().is_some_and(|o| o.running)
    }
}
