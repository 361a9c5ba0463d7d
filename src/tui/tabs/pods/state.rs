//! The Pods tab's state: the pods of the watched namespace (sorted by name), the cursor, the
//! marks, the connection, and the log views opened from here.

use std::collections::BTreeSet;

use crate::tui::app::Model;
use crate::tui::tabs::logs::LogView;
use crate::tui::widgets::list::{ListCursor, SortKey};

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

/// The columns `o` sorts by, in turn, after the list's own order (by name): status, restarts,
/// age, node, ready.
pub const SORTABLE: [usize; 6] = [1, 3, 4, 5, 6, 2];

/// What `rows[i]` is sorted by in column `column` of the pod table.
pub fn sort_key(rows: &[PodRow], i: usize, column: usize) -> SortKey {
    let p = &rows[i];
    match column {
        2 => SortKey::Text(p.ready.clone()),
        3 => SortKey::Text(p.status.clone()),
        4 => SortKey::Number(i64::from(p.restarts)),
        // Youngest first, as the ages read.
        5 => SortKey::Number(-p.created),
        6 => SortKey::Text(p.node.clone()),
        _ => SortKey::Text(p.name.clone()),
    }
}

impl PodsState {
    /// Indices into `rows` that pass the filter, in the order shown.
    pub fn visible_with(&self, list: &ListCursor) -> Vec<usize> {
        let rows = list.visible(self.rows.iter().map(|r| r.name.as_str()));
        list.sorted(rows, |i, c| sort_key(&self.rows, i, c))
    }
}

impl Model {
    /// Indices into `pods.rows` that pass the pods filter, in the order shown.
    pub fn visible_pods(&self) -> Vec<usize> {
        self.pods.visible_with(&self.pods.list)
    }
}
