//! `update` for the Pods tab: the watch's batches, the filter, marks, and opening log views.

use super::state::{Conn, SORTABLE};
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::keys::Key;
use crate::tui::msg::{Effect, Msg};
use crate::tui::tabs::logs::open_logs;
use crate::tui::widgets::list::Nav;

/// A filter being typed has the keyboard.
pub(super) fn on_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    if !m.pods.list.filtering {
        return None;
    }
    m.pods.list.edit_filter(key);
    Some(Vec::new())
}

pub(super) fn on_action(m: &mut Model, action: Action) -> Option<Vec<Effect>> {
    if let Some(nav) = Nav::from_action(action) {
        let (n, page) = (m.visible_pods().len(), m.page());
        m.pods.list.nav(nav, n, page);
        return Some(Vec::new());
    }
    match action {
        Action::Filter => m.pods.list.filtering = true,
        Action::Back => {
            m.pods.list.clear_filter();
            m.notice = None;
        }
        Action::Mark => {
            if let Some(&i) = m.visible_pods().get(m.pods.list.selected) {
                let name = m.pods.rows[i].name.clone();
                if !m.pods.marked.remove(&name) {
                    m.pods.marked.insert(name);
                }
                let (n, page) = (m.visible_pods().len(), m.page());
                m.pods.list.nav(Nav::Down, n, page);
            }
        }
        Action::Sort | Action::SortReverse => {
            let mut list = std::mem::take(&mut m.pods.list);
            list.change_sort(&SORTABLE, action == Action::SortReverse, |c| {
                m.pods.visible_with(c)
            });
            m.pods.list = list;
        }
        Action::Select => return Some(open_logs(m, false)),
        Action::Workload => return Some(open_logs(m, true)),
        Action::Retry => return Some(restart_watch(m)),
        _ => return None,
    }
    Some(Vec::new())
}

/// Messages from the pod watch; those of an older generation are dropped.
pub(super) fn on_msg(m: &mut Model, msg: Msg) {
    match msg {
        Msg::PodsConnected { generation } if generation == m.pods.generation => {
            m.pods.conn = Conn::Connected;
            m.dirty = true;
        }
        Msg::Pods {
            generation,
            changes,
        } if generation == m.pods.generation => {
            for c in changes {
                m.pods.apply(c);
            }
            m.pods.conn = Conn::Connected;
            let n = m.visible_pods().len();
            m.pods.list.clamp(n);
            m.dirty = true;
        }
        Msg::PodsError {
            generation,
            message,
        } if generation == m.pods.generation => {
            m.pods.conn = Conn::Failed(message);
            m.dirty = true;
        }
        Msg::PodsKubeconfigError {
            generation,
            message,
        } if generation == m.pods.generation => {
            m.pods.conn = Conn::Kubeconfig(message);
            m.dirty = true;
        }
        _ => {}
    }
}

/// Starts a new pod watch generation for the current context and namespace.
pub fn restart_watch(m: &mut Model) -> Vec<Effect> {
    m.pods.generation += 1;
    m.pods.rows.clear();
    m.pods.list.selected = 0;
    m.pods.marked.clear();
    let closing_logs = m.pods.open_logs.take().is_some();
    let target = m
        .current_row()
        .map(|r| (r.name.clone(), r.namespace.clone()));
    match target {
        Some((context, namespace)) => {
            m.pods.conn = Conn::Connecting;
            let mut effects = vec![Effect::WatchPods {
                generation: m.pods.generation,
                context,
                namespace,
            }];
            if closing_logs {
                effects.push(Effect::StopLogs);
            }
            effects
        }
        None => {
            m.pods.conn = Conn::NoContext;
            vec![Effect::StopPods, Effect::StopLogs]
        }
    }
}
