//! The Pods tab's state: the pods of the watched namespace (sorted by name), the cursor, the
//! marks, the connection, and the log views opened from here.

use std::collections::BTreeSet;

use crate::tui::app::Model;
use crate::tui::tabs::logs::LogView;
use crate::tui::widgets::list::ListCursor;

/// A pod as the Pods tab shows it (converted from the API object in `cluster::pods`).
pub use crate::pods::PodSummary as PodRow;

/// The connection to the current context's cluster, as far as the pod watch knows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Conn {
    #[default]
    NoContext,
    Connecting,
    Connected,
    Failed(String),
    /// The kubeconfig is wrong for this context (a missing cluster or user entry): nothing
    /// to retry until the file is fixed.
    Kubeconfig(String),
}

/// A change to the pod list from the watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodChange {
    /// The full list (after a (re)list): replaces everything.
    Reset(Vec<PodRow>),
    Upsert(PodRow),
    Delete(String),
}

/// The Pods tab.
#[derive(Debug, Clone, Default)]
pub struct PodsState {
    /// Generation of the watch whose results are accepted; older ones are dropped.
    pub generation: u64,
    /// Sorted by name.
    pub rows: Vec<PodRow>,
    pub list: ListCursor,
    pub conn: Conn,
    /// Pods marked for a multi-pod log view.
    pub marked: BTreeSet<String>,
    /// Key of the open log view, if any.
    pub open_logs: Option<String>,
    /// Log views, most recently used first (at most `logs::MAX_LOG_VIEWS`), each keeping its
    /// state.
    pub views: Vec<LogView>,
}

impl PodsState {
    /// Applies one change from the watch, keeping the rows sorted by name.
    pub fn apply(&mut self, change: PodChange) {
        let rows = &mut self.rows;
        match change {
            PodChange::Reset(mut all) => {
                all.sort_by(|a, b| a.name.cmp(&b.name));
                *rows = all;
            }
            PodChange::Upsert(pod) => match rows.binary_search_by(|r| r.name.cmp(&pod.name)) {
                Ok(i) => rows[i] = pod,
                Err(i) => rows.insert(i, pod),
            },
            PodChange::Delete(name) => {
                if let Ok(i) = rows.binary_search_by(|r| r.name.as_str().cmp(&name)) {
                    rows.remove(i);
                }
            }
        }
    }
}

impl Model {
    /// Indices into `pods.rows` that pass the pods filter.
    pub fn visible_pods(&self) -> Vec<usize> {
        self.pods
            .list
            .visible(self.pods.rows.iter().map(|r| r.name.as_str()))
    }
}
