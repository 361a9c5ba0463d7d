//! The model of the terminal UI: all UI state, plain data (no terminal or kube types). Only
//! `update` (the router in update.rs and the tabs' update.rs) changes it. Each tab's part of
//! the model is defined in its folder (`tabs/<tab>/state.rs`); this file holds what the whole
//! screen shares: the current tab, the overlay, the kubeconfig snapshot, notices.

use crate::contexts::ContextRow;
use crate::policy::ContextClass;

use super::keymap::Keymap;
use super::msg::{Effect, KubeSnapshot};
use super::overlays::Overlay;
use super::tabs::{creds, hook, images, minikube, pods};
use super::widgets::list::ListCursor;

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

    pub(crate) fn index(self) -> usize {
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

/// A message for the status line. It expires on its own after a few seconds (see `ttl`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub text: String,
    pub error: bool,
}

impl Notice {
    /// Seconds a notice stays: errors longer, as they usually ask for something to be done.
    pub fn ttl(&self) -> i64 {
        if self.error { 10 } else { 5 }
    }
}

/// All UI state.
#[derive(Debug, Clone)]
pub struct Model {
    pub keymap: Keymap,
    pub tab: Tab,
    pub overlay: Overlay,
    pub kube: KubeSnapshot,
    /// How each of `kube.rows` is labelled (`contexts::display::unique_labels`), kept with
    /// the snapshot so a frame does not parse a thousand names again.
    pub(crate) kube_labels: Vec<String>,
    /// The Contexts tab's cursor (its rows are `kube.rows`).
    pub contexts: ListCursor,
    pub pods: pods::PodsState,
    /// Wall clock, seconds since the epoch.
    pub now: i64,
    /// Animation frame for spinners.
    pub spinner: usize,
    pub notice: Option<Notice>,
    /// When `notice` was set (`now`, seconds): it expires `Notice::ttl` seconds later.
    pub notice_at: i64,
    /// A long operation in flight ("Switching to prod").
    pub busy: Option<String>,
    /// Set by `devk demo`: the screen says the cluster is simulated.
    pub simulated: bool,
    /// Shown instead of the empty context list when no kubeconfig file exists.
    pub first_run_hint: Option<String>,
    pub size: (u16, u16),
    /// The Minikube tab.
    pub minikube: minikube::MinikubeState,
    /// The Images tab.
    pub images: images::ImagesState,
    /// The Registry creds tab.
    pub creds: creds::CredsState,
    /// The Hook tab: None until loaded.
    pub hook: Option<Result<Box<hook::HookInfo>, String>>,
    /// Generation counter of log streams.
    pub log_generation: u64,
    /// Byte budget of each log view's buffer.
    pub log_budget: usize,
    /// Something changed since the last frame.
    pub dirty: bool,
    pub quit: bool,
    /// The signal that ended the session (SIGHUP: the terminal closed; SIGTERM: a `kill`).
    pub ended_by: Option<i32>,
}

impl Model {
    pub fn new(kube: KubeSnapshot, keymap: Keymap, now: i64) -> Model {
        let mut m = Model {
            keymap,
            tab: Tab::Contexts,
            overlay: Overlay::None,
            kube_labels: crate::contexts::display::unique_labels(
                kube.rows.iter().map(|r| r.name.as_str()),
            ),
            kube,
            contexts: ListCursor::default(),
            pods: pods::PodsState::default(),
            hook: None,
            images: Default::default(),
            creds: Default::default(),
            minikube: Default::default(),
            log_generation: 0,
            log_budget: 64 << 20,
            now,
            spinner: 0,
            notice: None,
            notice_at: 0,
            busy: None,
            simulated: false,
            first_run_hint: None,
            size: (80, 24),
            dirty: true,
            quit: false,
            ended_by: None,
        };
        m.select_current_context();
        m
    }

    /// The effects to run once the first frame is on screen.
    pub fn start(&mut self) -> Vec<Effect> {
        let mut effects = pods::restart_watch(self);
        effects.push(Effect::LoadHook);
        effects.extend(creds::on_snapshot(self));
        effects
    }

    /// Replaces the kubeconfig snapshot (and the labels that go with it).
    pub(crate) fn set_kube(&mut self, kube: KubeSnapshot) {
        self.kube_labels =
            crate::contexts::display::unique_labels(kube.rows.iter().map(|r| r.name.as_str()));
        self.kube = kube;
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

    /// Rows a page moves: the body height less borders and the header row.
    pub(crate) fn page(&self) -> usize {
        usize::from(self.size.1.saturating_sub(7)).max(1)
    }
}
