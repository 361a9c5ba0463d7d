//! Key bindings as data: `(key) -> Action`, built from the `[keys]` config table. The help
//! screen and the footer are generated from the same table, so they never drift from what the
//! keys really do.

use std::collections::BTreeMap;

use super::keys::Key;

/// Everything a key can do. Names match the `[keys]` config table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    Quit,
    Help,
    Palette,
    NextTab,
    PrevTab,
    TabContexts,
    TabPods,
    TabImages,
    TabCreds,
    TabMinikube,
    TabHook,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Filter,
    Select,
    Namespace,
    Retry,
    Back,
    /// Pods tab: mark a pod for a multi-pod log view.
    Mark,
    /// Pods tab: the logs of every pod of the selected pod's workload.
    Workload,
    /// Minikube tab: move between the profile list and the addon list.
    MkAddons,
    /// Images tab: build the project image.
    ImageBuild,
    /// Images tab: push the selected image (after the push policy).
    ImagePush,
    /// Lists: sort by the next column.
    Sort,
    /// Lists: reverse the sort order.
    SortReverse,
    LogFollow,
    LogNext,
    LogPrev,
    LogTimestamps,
    LogWrap,
    LogJson,
    LogPod,
    LogPrevious,
    LogSave,
    LogClear,
    LogCopy,
    LogCase,
    LogRegex,
}

/// Where a binding applies. Log-view bindings win over global ones while a log view is open,
/// so `j` can pretty-print JSON there and move down elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Log,
}

impl Action {
    /// Every action with its config name and the text the help screen shows.
    pub const ALL: &'static [(Action, &'static str, &'static str)] = &[
        (Action::Quit, "quit", "quit devk"),
        (Action::Help, "help", "show this help"),
        (
            Action::Palette,
            "palette",
            "command palette: actions and contexts",
        ),
        (Action::NextTab, "next_tab", "next tab"),
        (Action::PrevTab, "prev_tab", "previous tab"),
        (Action::TabContexts, "tab_contexts", "Contexts tab"),
        (Action::TabPods, "tab_pods", "Pods & Logs tab"),
        (Action::TabImages, "tab_images", "Images tab"),
        (Action::TabCreds, "tab_creds", "Registry creds tab"),
        (Action::TabMinikube, "tab_minikube", "Minikube tab"),
        (Action::TabHook, "tab_hook", "Hook tab"),
        (Action::Up, "up", "move up"),
        (Action::Down, "down", "move down"),
        (Action::PageUp, "page_up", "page up"),
        (Action::PageDown, "page_down", "page down"),
        (Action::Top, "top", "go to the top"),
        (Action::Bottom, "bottom", "go to the bottom"),
        (Action::Filter, "filter", "filter the list"),
        (Action::Sort, "sort", "sort the list by the next column"),
        (
            Action::SortReverse,
            "sort_reverse",
            "reverse the sort order",
        ),
        (Action::Select, "select", "switch to the selected context"),
        (
            Action::Namespace,
            "namespace",
            "set the namespace of the selected context",
        ),
        (Action::Retry, "retry", "reconnect to the cluster now"),
        (
            Action::Back,
            "back",
            "close a dialog, clear the filter, leave the log view",
        ),
        (
            Action::Mark,
            "mark",
            "mark a pod (enter then opens the logs of all marked pods)",
        ),
        (
            Action::MkAddons,
            "minikube_addons",
            "minikube: switch between profiles and addons (enter starts/stops or toggles)",
        ),
        (
            Action::ImageBuild,
            "image_build",
            "images: build the project image",
        ),
        (
            Action::ImagePush,
            "image_push",
            "images: push the selected image (policy first)",
        ),
        (
            Action::Workload,
            "workload",
            "logs of the selected pod's whole workload (its controller's pods)",
        ),
        (
            Action::LogFollow,
            "log_follow",
            "logs: follow the newest lines",
        ),
        (Action::LogNext, "log_next", "logs: next filter match"),
        (Action::LogPrev, "log_prev", "logs: previous filter match"),
        (
            Action::LogTimestamps,
            "log_timestamps",
            "logs: show timestamps",
        ),
        (Action::LogWrap, "log_wrap", "logs: wrap long lines"),
        (Action::LogJson, "log_json", "logs: pretty-print JSON lines"),
        (
            Action::LogPod,
            "log_pod",
            "logs: show one pod/container at a time",
        ),
        (
            Action::LogPrevious,
            "log_previous",
            "logs: the previous instance of restarted containers (again: the live log)",
        ),
        (
            Action::LogSave,
            "log_save",
            "logs: save the buffer (or filtered view) to a file",
        ),
        (Action::LogClear, "log_clear", "logs: clear the buffer"),
        (Action::LogCopy, "log_copy", "logs: copy the line (OSC 52)"),
        (
            Action::LogCase,
            "log_case",
            "logs: toggle case-sensitive filter",
        ),
        (Action::LogRegex, "log_regex", "logs: toggle regex filter"),
    ];

    pub fn scope(self) -> Scope {
        if self.name().starts_with("log_") {
            Scope::Log
        } else {
            Scope::Global
        }
    }

    pub fn name(self) -> &'static str {
        Action::ALL
            .iter()
            .find(|(a, _, _)| *a == self)
            .map_or("?", |(_, n, _)| n)
    }

    pub fn description(self) -> &'static str {
        Action::ALL
            .iter()
            .find(|(a, _, _)| *a == self)
            .map_or("?", |(_, _, d)| d)
    }
}

/// A problem in the `[keys]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError {
    /// The config key (`keys.quit`).
    pub key: String,
    pub problem: String,
}

/// The bindings in effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keymap {
    by_key: BTreeMap<(Scope, String), (Key, Action)>,
}

impl Keymap {
    /// Builds the keymap from `[keys]`; every problem is reported, not just the first.
    pub fn from_config(table: &BTreeMap<String, Vec<String>>) -> Result<Keymap, Vec<KeymapError>> {
        let mut by_key: BTreeMap<(Scope, String), (Key, Action)> = BTreeMap::new();
        let mut errors = Vec::new();
        for (action, name, _) in Action::ALL {
            let Some(specs) = table.get(*name) else {
                errors.push(KeymapError {
                    key: format!("keys.{name}"),
                    problem: "is missing".into(),
                });
                continue;
            };
            for spec in specs {
                match spec.parse::<Key>() {
                    Ok(key) => {
                        let id = (action.scope(), key.to_string());
                        if let Some((_, other)) = by_key.get(&id) {
                            errors.push(KeymapError {
                                key: format!("keys.{name}"),
                                problem: format!("`{spec}` is already bound to `{}`", other.name()),
                            });
                        } else {
                            by_key.insert(id, (key, *action));
                        }
                    }
                    Err(problem) => errors.push(KeymapError {
                        key: format!("keys.{name}"),
                        problem,
                    }),
                }
            }
        }
        if errors.is_empty() {
            Ok(Keymap { by_key })
        } else {
            Err(errors)
        }
    }

    /// The action bound to `key` outside the log view. ctrl-c always quits.
    pub fn action(&self, key: Key) -> Option<Action> {
        self.action_in(key, Scope::Global)
    }

    /// The action bound to `key` in `scope` (log bindings first, then global ones).
    pub fn action_in(&self, key: Key, scope: Scope) -> Option<Action> {
        if key == Key::ctrl('c') {
            return Some(Action::Quit);
        }
        let id = key.to_string();
        if scope == Scope::Log
            && let Some((_, a)) = self.by_key.get(&(Scope::Log, id.clone()))
        {
            return Some(*a);
        }
        self.by_key.get(&(Scope::Global, id)).map(|(_, a)| *a)
    }

    /// The keys bound to `action`, as the user would type them.
    pub fn keys_for(&self, action: Action) -> Vec<String> {
        self.by_key
            .iter()
            .filter(|(_, (_, a))| *a == action)
            .map(|((_, id), _)| id.clone())
            .collect()
    }

    /// The first key for `action` (for the footer), or `-` when unbound.
    pub fn first_key(&self, action: Action) -> String {
        self.keys_for(action)
            .into_iter()
            .min_by_key(|k| k.len())
            .unwrap_or_else(|| "-".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keys::KeyCode;

    fn defaults() -> BTreeMap<String, Vec<String>> {
        crate::config::Config::default().keys
    }

    #[test]
    fn default_keys_cover_every_action_once() {
        let km = Keymap::from_config(&defaults()).unwrap();
        for (action, _, _) in Action::ALL {
            assert!(!km.keys_for(*action).is_empty(), "{action:?} unbound");
        }
        assert_eq!(km.action(Key::ch('q')), Some(Action::Quit));
        assert_eq!(km.action(Key::plain(KeyCode::Enter)), Some(Action::Select));
        assert_eq!(km.action(Key::ch('G')), Some(Action::Bottom));
        assert_eq!(km.action(Key::ch('x')), None);
    }

    #[test]
    fn ctrl_c_quits_even_when_rebound() {
        let mut t = defaults();
        t.insert("quit".into(), vec!["x".into()]);
        let km = Keymap::from_config(&t).unwrap();
        assert_eq!(km.action(Key::ctrl('c')), Some(Action::Quit));
        assert_eq!(km.action(Key::ch('x')), Some(Action::Quit));
        assert_eq!(km.action(Key::ch('q')), None);
    }

    #[test]
    fn bad_and_duplicate_keys_are_all_reported() {
        let mut t = defaults();
        t.insert("help".into(), vec!["q".into()]);
        t.insert("filter".into(), vec!["slash".into()]);
        let errs = Keymap::from_config(&t).unwrap_err();
        assert_eq!(errs.len(), 2, "{errs:?}");
        assert!(
            errs.iter()
                .any(|e| e.key == "keys.help" && e.problem.contains("already bound to `quit`"))
        );
        assert!(
            errs.iter()
                .any(|e| e.key == "keys.filter" && e.problem.contains("not a key"))
        );
    }
}
