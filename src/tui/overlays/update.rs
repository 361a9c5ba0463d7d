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
///
/// Every overlay closes with esc. Help also closes with any other key, `q` included, and the
/// palette with `:` while its input is empty (so `:` is typed inside `arn:aws:…`); in the
/// namespace and confirmation dialogs every other key is text. Only ctrl-c (handled by the
/// router) quits from an overlay.
pub fn on_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    let own_key = |m: &Model, opener: Action, input: &str| {
        input.is_empty() && m.keymap.action(key) == Some(opener)
    };
    Some(match std::mem::replace(&mut m.overlay, Overlay::None) {
        Overlay::None => return None,
        Overlay::Help => Vec::new(),
        Overlay::Palette { input, .. } if own_key(m, Action::Palette, &input) => Vec::new(),
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
                            Some(PaletteItem::Context { name, .. }) => request_switch(m, &name),
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
            expect,
            mut input,
            ..
        } => match input::edit(&mut input, key) {
            InputKey::Submit if input == expect => start_switch(m, &context),
            InputKey::Cancel => {
                m.notice = Some(Notice {
                    text: format!("Not switched: typing {expect} confirms the switch"),
                    error: false,
                });
                Vec::new()
            }
            end => {
                m.overlay = Overlay::Confirm {
                    context,
                    reason,
                    expect,
                    input,
                    mismatch: end == InputKey::Submit,
                };
                Vec::new()
            }
        },
        Overlay::Namespace(d) => super::namespace::on_key(m, d, key),
    })
}

/// Pasted text goes into the open overlay's input. False when no overlay is open; an overlay
/// without an input (help) takes the paste and drops it, so it never reaches the tab below.
pub fn on_paste(m: &mut Model, text: &str) -> bool {
    match &mut m.overlay {
        Overlay::None => return false,
        Overlay::Help => {}
        Overlay::Palette {
            input: text_in,
            list,
        } => {
            input::paste(text_in, text);
            list.selected = 0;
        }
        Overlay::Confirm {
            input: text_in,
            mismatch,
            ..
        } => {
            input::paste(text_in, text);
            *mismatch = false;
        }
        Overlay::Namespace(d) => {
            input::paste(&mut d.input, text);
            d.list.selected = 0;
        }
    }
    true
}
