//! Keys on the Contexts tab: the filter, the cursor, enter to switch, `n` for the namespace.

use super::state::SORTABLE;
use crate::policy::ContextClass;
use crate::tui::app::{Model, Notice};
use crate::tui::keymap::Action;
use crate::tui::keys::Key;
use crate::tui::msg::Effect;
use crate::tui::overlays::Overlay;
use crate::tui::widgets::list::Nav;

/// A filter being typed has the keyboard.
pub(super) fn on_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    if !m.contexts.filtering {
        return None;
    }
    m.contexts.edit_filter(key);
    Some(Vec::new())
}

pub(super) fn on_action(m: &mut Model, action: Action) -> Option<Vec<Effect>> {
    if let Some(nav) = Nav::from_action(action) {
        let (n, page) = (m.visible_contexts().len(), m.page());
        m.contexts.nav(nav, n, page);
        return Some(Vec::new());
    }
    match action {
        Action::Filter => m.contexts.filtering = true,
        Action::Sort | Action::SortReverse => {
            let mut list = std::mem::take(&mut m.contexts);
            list.change_sort(&SORTABLE, action == Action::SortReverse, |c| {
                m.visible_contexts_with(c)
            });
            m.contexts = list;
        }
        Action::Back => {
            m.contexts.clear_filter();
            m.notice = None;
        }
        Action::Select => {
            if let Some(name) = m.selected_context().map(|r| r.name.clone()) {
                return Some(request_switch(m, &name));
            }
        }
        Action::Namespace => {
            if let Some((context, namespace)) = m
                .selected_context()
                .map(|r| (r.name.clone(), r.namespace.clone()))
            {
                return Some(crate::tui::overlays::namespace::open(m, context, namespace));
            }
        }
        _ => return None,
    }
    Some(Vec::new())
}

/// Switches to `context`, through the typed-name dialog when it is protected.
pub fn request_switch(m: &mut Model, context: &str) -> Vec<Effect> {
    if m.kube.current.as_deref() == Some(context) {
        m.notice = Some(Notice {
            text: format!("Already on {context}"),
            error: false,
        });
        return Vec::new();
    }
    let row = m.kube.rows.iter().find(|r| r.name == context);
    if let Some(r) = row.filter(|r| r.class == ContextClass::Protected) {
        m.overlay = Overlay::Confirm {
            context: context.to_string(),
            reason: r.class_reason.clone(),
            expect: crate::tui::overlays::confirm::expected(context),
            input: String::new(),
            mismatch: false,
        };
        return Vec::new();
    }
    start_switch(m, context)
}

/// Switches to `context` now (confirmed, or not protected).
pub fn start_switch(m: &mut Model, context: &str) -> Vec<Effect> {
    let shown = crate::contexts::display::display_name(context);
    m.busy = Some(match shown.detail {
        Some(detail) => format!("Switching to {} ({detail})", shown.name),
        None => format!("Switching to {context}"),
    });
    vec![Effect::Switch {
        context: context.to_string(),
    }]
}
