//! Keys in an open overlay: it has the keyboard (ctrl-c aside, which the router handles).

use super::{Overlay, PaletteItem};
use crate::tui::app::{Model, Notice};
use crate::tui::keymap::Action;
use crate::tui::keys::{Key, KeyCode};
use crate::tui::msg::Effect;
use crate::tui::tabs::contexts::{request_switch, start_switch};
use crate::tui::update::act;
use crate::tui::widgets::input::{self, InputKey};
use crate::tui::widgets::list::Nav;

/// Gives `key` to the open overlay. None when no overlay is open.
pub fn on_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    Some(match std::mem::replace(&mut m.overlay, Overlay::None) {
        Overlay::None => return None,
        Overlay::Help => {
            // Any key closes help; quit still quits.
            if m.keymap.action(key) == Some(Action::Quit) && key.code != KeyCode::Esc {
                return Some(act(m, Action::Quit));
            }
            Vec::new()
        }
        Overlay::Palette {
            mut input,
            mut list,
        } => {
            let n = m.palette_items(&input).len();
            match key.code {
                KeyCode::Up => list.nav(Nav::Up, n, 1),
                KeyCode::Down => list.nav(Nav::Down, n, 1),
                _ => match input::edit(&mut input, key) {
                    InputKey::Submit => {
                        let item = m.palette_items(&input).into_iter().nth(list.selected);
                        return Some(match item {
                            Some(PaletteItem::Action(a)) => act(m, a),
                            Some(PaletteItem::Context(c)) => request_switch(m, &c),
                            None => Vec::new(),
                        });
                    }
                    InputKey::Cancel => return Some(Vec::new()),
                    InputKey::Edited => list.selected = 0,
                },
            }
            m.overlay = Overlay::Palette { input, list };
            Vec::new()
        }
        Overlay::Confirm {
            context,
            reason,
            mut input,
            ..
        } => match input::edit(&mut input, key) {
            InputKey::Submit if input == context => start_switch(m, &context),
            InputKey::Submit => {
                m.overlay = Overlay::Confirm {
                    context,
                    reason,
                    input,
                    mismatch: true,
                };
                Vec::new()
            }
            InputKey::Cancel => {
                m.notice = Some(Notice {
                    text: format!("Not switched: {context} needs its name typed to confirm"),
                    error: false,
                });
                Vec::new()
            }
            InputKey::Edited => {
                m.overlay = Overlay::Confirm {
                    context,
                    reason,
                    input,
                    mismatch: false,
                };
                Vec::new()
            }
        },
        Overlay::Namespace { context, mut input } => match input::edit(&mut input, key) {
            InputKey::Submit if !input.trim().is_empty() => {
                let namespace = input.trim().to_string();
                m.busy = Some(format!("Setting namespace {namespace} on {context}"));
                vec![Effect::SetNamespace { context, namespace }]
            }
            InputKey::Submit | InputKey::Cancel => Vec::new(),
            InputKey::Edited => {
                m.overlay = Overlay::Namespace { context, input };
                Vec::new()
            }
        },
    })
}
