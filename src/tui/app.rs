//! The model of the terminal UI: all UI state, plain data (no terminal or kube types). Only
//! `update` (in update.rs) changes it.

use crate::contexts::ContextRow;
use crate::policy::ContextClass;

use super::keymap::{Action, Keymap};
use super::logview::LogView;
use super::msg::{Effect, KubeSnapshot, PodRow};

/// The tabs, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Contexts,
    Pods,
    Images,
    Creds,
    Minikube,
    Hook,
}

impl Tab {
    pub const ALL: [Tab; 6] = [
        Tab::Contexts,
        Tab::Pods,
        Tab::Images,
        Tab::Creds,
        Tab::Minikube,
        Tab::Hook,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Contexts => "Contexts",
            Tab::Pods => "Pods & Logs",
            Tab::Images => "Images",
            Tab::Creds => "Registry creds",
            Tab::Minikube => "Minikube",
            Tab::Hook => "Hook",
        }
    }

    pub(super) fn index(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The tab bar row: for each tab, its label and the columns it covers. Shared by the view
/// (drawing) and `update` (mouse clicks), so a click always hits what is drawn.
pub fn tab_layout() -> Vec<(Tab, String, u16, u16)> {
    let mut x = 0u16;
    Tab::ALL
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let label = format!(" {} {} ", i + 1, t.title());
            let w = label.chars().count() as u16;
            let span = (*t, label, x, x + w);
            x += w + 1; // one column for the separator
            span
        })
        .collect()
}

/// The connection to the current context's cluster, as far as the pod watch knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conn {
    NoContext,
    Connecting,
    Connected,
    Failed(String),
}

/// A scrollable, filterable list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListState {
    /// Index into the visible (filtered) rows.
    pub selected: usize,
    pub filter: String,
    /// The filter input has the keyboard.
    pub filtering: bool,
}

/// A dialog over the tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Palette {
        input: String,
        selected: usize,
    },
    /// Switching to a protected context: type its name.
    Confirm {
        context: String,
        reason: String,
        input: String,
        mismatch: bool,
    },
    Namespace {
        context: String,
        input: String,
    },
}

/// An entry of the command palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteItem {
    Action(Action),
    Context(String),
}

impl PaletteItem {
    pub fn label(&self) -> String {
        match self {
            PaletteItem::Action(a) => a.description().to_string(),
            PaletteItem::Context(c) => format!("switch to {c}"),
        }
    }
}

/// A message for the footer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

/// The Pods tab.
#[derive(Debug, Clone)]
pub struct PodsState {
    /// Generation of the watch whose results are accepted; older ones are dropped.
    pub generation: u64,
    /// Sorted by name.
    pub rows: Vec<PodRow>,
    pub list: ListState,
    pub conn: Conn,
    /// Pods marked for a multi-pod log view.
    pub marked: std::collections::BTreeSet<String>,
    /// Key of the open log view, if any.
    pub open_logs: Option<String>,
    /// Log views, most recently used first (at most `MAX_LOG_VIEWS`), each keeping its state.
    pub views: Vec<LogView>,
}

/// Log views kept at once; each holds up to the configured buffer budget.
pub const MAX_LOG_VIEWS: usize = 3;

/// All UI state.
#[derive(Debug, Clone)]
pub struct Model {
    pub keymap: Keymap,
    pub tab: Tab,
    pub overlay: Overlay,
    pub kube: KubeSnapshot,
    pub contexts: ListState,
    pub pods: PodsState,
    /// Wall clock, seconds since the epoch.
    pub now: i64,
    /// Animation frame for spinners.
    pub spinner: usize,
    pub notice: Option<Notice>,
    /// A long operation in flight ("Switching to prod").
    pub busy: Option<String>,
    /// Set by `devk demo`: the screen says the cluster is simulated.
    pub simulated: bool,
    pub size: (u16, u16),
    /// The Minikube tab.
    pub minikube: super::minikube::MinikubeState,
    /// The Images tab.
    pub images: super::images::ImagesState,
    /// The Registry creds tab.
    pub creds: super::creds::CredsState,
    /// The Hook tab: None until loaded.
    pub hook: Option<Result<Box<super::msg::HookInfo>, String>>,
    /// Generation counter of log streams.
    pub log_generation: u64,
    /// Byte budget of each log view's buffer.
    pub log_budget: usize,
    /// Something changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
}

impl Model {
    pub fn new(kube: KubeSnapshot, keymap: Keymap, now: i64) -> Model {
        let mut m = Model {
            keymap,
            tab: Tab::Contexts,
            overlay: Overlay::None,
            kube,
            contexts: ListState::default(),
            pods: PodsState {
                generation: 0,
                rows: Vec::new(),
                list: ListState::default(),
                conn: Conn::NoContext,
                marked: Default::default(),
                open_logs: None,
                views: Vec::new(),
            },
            hook: None,
            images: Default::default(),
            creds: Default::default(),
            minikube: Default::default(),
            log_generation: 0,
            log_budget: 64 << 20,
            now,
            spinner: 0,
            notice: None,
            busy: None,
            simulated: false,
            size: (80, 24),
            dirty: true,
            quit: false,
        };
        m.select_current_context();
        m
    }

    /// The effects to run once the first frame is on screen.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = self.restart_watch();
        effects.push(Effect::LoadHook);
        effects.extend(super::update_creds::on_snapshot(self));
        effects
    }

    /// The open log view.
    pub fn log_view(&self) -> Option<&LogView> {
        let key = self.pods.open_logs.as_ref()?;
        self.pods.views.iter().find(|v| &v.selection.key() == key)
    }

    pub fn log_view_mut(&mut self) -> Option<&mut LogView> {
        let key = self.pods.open_logs.clone()?;
        self.pods
            .views
            .iter_mut()
            .find(|v| v.selection.key() == key)
    }

    /// The current context's row, if it exists.
    pub fn current_row(&self) -> Option<&ContextRow> {
        let cur = self.kube.current.as_deref()?;
        self.kube.rows.iter().find(|r| r.name == cur)
    }

    pub fn is_protected(&self) -> bool {
        self.current_row()
            .is_some_and(|r| r.class == ContextClass::Protected)
    }

    /// Indices into `kube.rows` that pass the contexts filter, in list order.
    pub fn visible_contexts(&self) -> Vec<usize> {
        filter_indices(
            self.kube.rows.iter().map(|r| r.name.as_str()),
            &self.contexts.filter,
        )
    }

    /// Indices into `pods.rows` that pass the pods filter.
    pub fn visible_pods(&self) -> Vec<usize> {
        filter_indices(
            self.pods.rows.iter().map(|r| r.name.as_str()),
            &self.pods.list.filter,
        )
    }

    /// The context under the cursor.
    pub fn selected_context(&self) -> Option<&ContextRow> {
        let vis = self.visible_contexts();
        vis.get(self.contexts.selected)
            .and_then(|&i| self.kube.rows.get(i))
    }

    /// Palette entries matching its input, best first.
    pub fn palette_items(&self, input: &str) -> Vec<PaletteItem> {
        let mut items: Vec<PaletteItem> = Action::ALL
            .iter()
            .map(|(a, _, _)| PaletteItem::Action(*a))
            .collect();
        items.extend(
            self.kube
                .rows
                .iter()
                .map(|r| PaletteItem::Context(r.name.clone())),
        );
        if input.is_empty() {
            return items;
        }
        let labels: Vec<String> = items.iter().map(PaletteItem::label).collect();
        crate::fuzzy::rank(input, &labels)
            .into_iter()
            .filter_map(|(label, _)| {
                labels
                    .iter()
                    .position(|l| *l == label)
                    .map(|i| items[i].clone())
            })
            .collect()
    }

    fn select_current_context(&mut self) {
        let vis = self.visible_contexts();
        if let Some(cur) = self.kube.current.as_deref()
            && let Some(pos) = vis.iter().position(|&i| self.kube.rows[i].name == cur)
        {
            self.contexts.selected = pos;
        }
    }

    /// Starts a new pod watch generation for the current context and namespace.
    pub(super) fn restart_watch(&mut self) -> Vec<Effect> {
        self.pods.generation += 1;
        self.pods.rows.clear();
        self.pods.list.selected = 0;
        self.pods.marked.clear();
        let closing_logs = self.pods.open_logs.take().is_some();
        let target = self
            .current_row()
            .map(|r| (r.name.clone(), r.namespace.clone()));
        match target {
            Some((context, namespace)) => {
                self.pods.conn = Conn::Connecting;
                let mut effects = vec![Effect::WatchPods {
                    generation: self.pods.generation,
                    context,
                    namespace,
                }];
                if closing_logs {
                    effects.push(Effect::StopLogs);
                }
                effects
            }
            None => {
                self.pods.conn = Conn::NoContext;
                vec![Effect::StopPods, Effect::StopLogs]
            }
        }
    }

    pub(super) fn tab_list(&mut self) -> Option<(&mut ListState, usize)> {
        match self.tab {
            Tab::Contexts => {
                let n = self.visible_contexts().len();
                Some((&mut self.contexts, n))
            }
            Tab::Pods => {
                let n = self.visible_pods().len();
                Some((&mut self.pods.list, n))
            }
            _ => None,
        }
    }

    /// Rows a page moves: the body height less borders and the header row.
    pub(super) fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(7)).max(1)
    }
}

/// Fuzzy-filters names (order kept); an empty filter keeps everything.
fn filter_indices<'a>(names: impl Iterator<Item = &'a str>, filter: &str) -> Vec<usize> {
    let names: Vec<&str> = names.collect();
    if filter.is_empty() {
        return (0..names.len()).collect();
    }
    let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    let matched: std::collections::HashSet<String> = crate::fuzzy::rank(filter, &owned)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    (0..names.len())
        .filter(|&i| matched.contains(names[i]))
        .collect()
}
