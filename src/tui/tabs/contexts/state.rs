//! The Contexts tab's view of the model: the rows are the kubeconfig snapshot, the cursor is
//! `Model::contexts`.

use crate::contexts::ContextRow;
use crate::contexts::display::display_name;
use crate::tui::app::Model;
use crate::tui::widgets::list::{ListCursor, SortKey};

/// The columns `o` sorts by, in turn, after the kubeconfig's order (by name): class,
/// namespace, where, cluster.
pub const SORTABLE: [usize; 5] = [1, 3, 4, 2, 5];

impl Model {
    /// How each context of `kube.rows` is labelled: distinct, and short for generated names
    /// (`payments-prod` for `arn:aws:eks:…:cluster/payments-prod`).
    pub fn context_labels(&self) -> &[String] {
        &self.kube_labels
    }

    /// The label of the current context.
    pub fn current_label(&self) -> Option<String> {
        let cur = self.kube.current.as_deref()?;
        let i = self.kube.rows.iter().position(|r| r.name == cur)?;
        self.context_labels().get(i).cloned()
    }

    /// Indices into `kube.rows` that pass the contexts filter, in the order shown.
    pub fn visible_contexts(&self) -> Vec<usize> {
        self.visible_contexts_with(&self.contexts)
    }

    /// Like `visible_contexts`, for another cursor (a sort about to be chosen).
    pub fn visible_contexts_with(&self, list: &ListCursor) -> Vec<usize> {
        // The filter matches the whole name and the label (an ARN and its cluster's name).
        let labels = self.context_labels();
        let rows = if list.filter.is_empty() {
            (0..self.kube.rows.len()).collect()
        } else {
            let keys: Vec<String> = self
                .kube
                .rows
                .iter()
                .zip(labels)
                .map(|(r, l)| {
                    if *l == r.name {
                        l.clone()
                    } else {
                        format!("{l} {}", r.name)
                    }
                })
                .collect();
            list.visible(keys.iter().map(String::as_str))
        };
        if list.sort.is_none() {
            return rows;
        }
        list.sorted(rows, |i, column| {
            let r = &self.kube.rows[i];
            SortKey::Text(match column {
                2 => display_name(&r.name).detail.unwrap_or_default(),
                3 => r.class.to_string(),
                4 => r.namespace.clone(),
                5 => display_name(&r.cluster).name,
                _ => labels[i].clone(),
            })
        })
    }

    /// The context under the cursor.
    pub fn selected_context(&self) -> Option<&ContextRow> {
        let vis = self.visible_contexts();
        vis.get(self.contexts.selected)
            .and_then(|&i| self.kube.rows.get(i))
    }

    /// Puts the cursor on the current context.
    pub(crate) fn select_current_context(&mut self) {
        let vis = self.visible_contexts();
        if let Some(cur) = self.kube.current.as_deref()
            && let Some(pos) = vis.iter().position(|&i| self.kube.rows[i].name == cur)
        {
            self.contexts.selected = pos;
        }
    }
}
