//! The Minikube tab's state: profiles, the addons of the selected one, and the output of a
//! long operation (start, stop, addon toggles) as it streams. Plain data; `update.rs` drives
//! it.

use crate::minikube::{Addon, Profile};
use crate::tui::widgets::list::{ListCursor, SortKey};

/// Addons devk users care about most, listed first, in this order.
const KEY_ADDONS: [&str; 5] = [
    "registry-creds",
    "ingress",
    "registry",
    "dashboard",
    "metrics-server",
];

/// The profile columns `o` sorts by, in turn, after the list's own order (minikube's, by
/// name): status, driver, Kubernetes version, nodes.
pub const PROFILE_SORTABLE: [usize; 5] = [0, 1, 2, 3, 4];

/// The addon columns `o` sorts by: devk's own order (the addons a devk user needs first),
/// then by name, then enabled first.
pub const ADDON_SORTABLE: [usize; 3] = [0, 1, 2];

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

impl MinikubeInfo {
    /// Puts the addons in devk's own order: the ones a devk user needs first, then by name.
    /// The cursor and the screen both follow this order.
    pub fn order_addons(&mut self) {
        self.addons.sort_by_key(|a| {
            let key = KEY_ADDONS.iter().position(|k| *k == a.name);
            (key.unwrap_or(KEY_ADDONS.len()), a.name.clone())
        });
    }
}

impl MinikubeState {
    /// Indices of the profiles in the order shown (`list` decides the sort).
    pub fn profiles_shown_with(&self, list: &ListCursor) -> Vec<usize> {
        let Some(Ok(info)) = &self.info else {
            return Vec::new();
        };
        list.sorted((0..info.profiles.len()).collect(), |i, column| {
            let p = &info.profiles[i];
            match column {
                1 => SortKey::Text(p.status.clone()),
                2 => SortKey::Text(p.driver.clone()),
                3 => SortKey::Text(p.kubernetes_version.clone()),
                4 => SortKey::Number(i64::try_from(p.nodes).unwrap_or(i64::MAX)),
                _ => SortKey::Text(p.name.clone()),
            }
        })
    }

    /// Indices of the addons in the order shown (`list` decides the sort).
    pub fn addons_shown_with(&self, list: &ListCursor) -> Vec<usize> {
        let Some(Ok(info)) = &self.info else {
            return Vec::new();
        };
        list.sorted((0..info.addons.len()).collect(), |i, column| {
            let a = &info.addons[i];
            match column {
                1 => SortKey::Text(a.name.clone()),
                2 => SortKey::Number(i64::from(!a.enabled)),
                _ => SortKey::Number(i64::try_from(i).unwrap_or(i64::MAX)),
            }
        })
    }

    pub fn profiles_shown(&self) -> Vec<usize> {
        self.profiles_shown_with(&self.profile_cursor)
    }

    pub fn addons_shown(&self) -> Vec<usize> {
        self.addons_shown_with(&self.addon_cursor)
    }

    pub fn selected_profile(&self) -> Option<&Profile> {
        let i = *self.profiles_shown().get(self.profile_cursor.selected)?;
        match &self.info {
            Some(Ok(info)) => info.profiles.get(i),
            _ => None,
        }
    }

    pub fn selected_addon(&self) -> Option<&Addon> {
        let i = *self.addons_shown().get(self.addon_cursor.selected)?;
        match &self.info {
            Some(Ok(info)) => info.addons.get(i),
            _ => None,
        }
    }

    pub fn busy(&self) -> bool {
        self.op.as_ref().is_some_and(|o| o.running)
    }
}
