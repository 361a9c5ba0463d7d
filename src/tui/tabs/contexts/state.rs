//! The Contexts tab's view of the model: the rows are the kubeconfig snapshot, the cursor is
//! `Model::contexts`.

use crate::contexts::ContextRow;
use crate::tui::app::Model;

impl Model {
    /// Indices into `kube.rows` that pass the contexts filter, in list order.
    pub fn visible_contexts(&self) -> Vec<usize> {
        self.contexts
            .visible(self.kube.rows.iter().map(|r| r.name.as_str()))
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
