//! Dialogs over the tabs: help, the command palette, the protected-context confirmation
//! (`confirm.rs`) and the namespace dialog (`namespace.rs`). An open overlay has the keyboard
//! (`update.rs`: the router gives it every key first) and is drawn last, over the tab
//! (`view.rs`). The box itself is the shared `widgets::dialog`; the inputs are
//! `widgets::input`.

pub mod confirm;
pub mod namespace;
#[cfg(test)]
mod tests;
mod update;
mod view;

pub use update::{on_key, on_paste};
pub use view::draw;

use super::app::Model;
use super::keymap::Action;
use super::widgets::list::ListCursor;
use super::widgets::status::Hint;

/// A dialog over the tabs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    None,
    Help,
    Palette {
        input: String,
        /// The cursor over the matching entries.
        list: ListCursor,
    },
    /// Switching to a protected context: type `expect` (its cluster's name, see `confirm`).
    Confirm {
        context: String,
        reason: String,
        /// What has to be typed.
        expect: String,
        input: String,
        mismatch: bool,
    },
    /// Setting a context's namespace, chosen from its cluster's list.
    Namespace(Box<namespace::NamespaceDialog>),
}

/// An entry of the command palette.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaletteItem {
    Action(Action),
    Context {
        /// The context's name.
        name: String,
        /// How it is shown (its label, and where a generated name's cluster is).
        shown: String,
    },
}

impl PaletteItem {
    pub fn label(&self) -> String {
        match self {
            PaletteItem::Action(a) => a.description().to_string(),
            PaletteItem::Context { shown, .. } => format!("switch to {shown}"),
        }
    }
}

impl Model {
    /// Palette entries matching its input, best first.
    pub fn palette_items(&self, input: &str) -> Vec<PaletteItem> {
        let mut items: Vec<PaletteItem> = Action::ALL
            .iter()
            .map(|(a, _, _)| PaletteItem::Action(*a))
            .collect();
        let labels = self.context_labels();
        items.extend(self.kube.rows.iter().zip(labels).map(|(r, label)| {
            let shown = match crate::contexts::display::display_name(&r.name).detail {
                Some(detail) if !label.contains(&detail) => format!("{label} ({detail})"),
                _ => label.clone(),
            };
            PaletteItem::Context {
                name: r.name.clone(),
                shown,
            }
        }));
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
}

/// The key hints while `overlay` is open; None when there is none.
pub fn hints(overlay: &Overlay) -> Option<Vec<Hint>> {
    Some(match overlay {
        Overlay::None => return None,
        Overlay::Help => vec![("any key".into(), "close")],
        Overlay::Palette { .. } => vec![
            ("enter".into(), "run"),
            ("↑↓".into(), "choose"),
            ("esc".into(), "close"),
        ],
        Overlay::Confirm { .. } => {
            vec![("enter".into(), "confirm"), ("esc".into(), "cancel")]
        }
        Overlay::Namespace(_) => vec![
            ("enter".into(), "set"),
            ("↑↓".into(), "choose"),
            ("esc".into(), "cancel"),
        ],
    })
}
