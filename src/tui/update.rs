//! `update(&mut Model, Msg) -> Vec<Effect>`: the router, and with the tabs' `update.rs` the
//! only code that changes the model. No I/O: long work is returned as effects, and its
//! results come back as messages.
//!
//! The router keeps what belongs to the whole screen (quit, help, the palette, tab switching,
//! the kubeconfig snapshot, notices, the clock) and hands the rest to a [`tabs::Page`]: a key to the
//! open overlay, else to the tab in front, else as a keymap action to the tab, else to the
//! global actions below; a task's message to the page that owns it.

use super::app::{Model, Notice, Tab, tab_layout};
use super::keymap::Action;
use super::keys::Key;
use super::msg::{Effect, KubeSnapshot, Mouse, Msg};
use super::overlays::{self, Overlay};
use super::tabs::{self, creds, images, pods};

/// Applies one message. Returns the effects to run.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    let before = m.notice.clone();
    let effects = route(m, msg);
    // A new notice starts its time on screen (wherever it was set); an old one expires.
    if m.notice.is_some() && m.notice != before {
        m.notice_at = m.now;
    } else if m
        .notice
        .as_ref()
        .is_some_and(|n| m.now - m.notice_at >= n.ttl())
    {
        m.notice = None;
        m.dirty = true;
    }
    effects
}

fn route(m: &mut Model, msg: Msg) -> Vec<Effect> {
    if let Some(page) = tabs::owner(&msg) {
        return page.on_msg(m, msg);
    }
    match msg {
        Msg::Key(key) => {
            m.dirty = true;
            on_key(m, key)
        }
        Msg::Paste(text) => {
            // Into the input that has the keyboard, or nowhere: a paste is never replayed as
            // key presses (pasting `web-builder` must not build, a `q` in it must not quit).
            if !overlays::on_paste(m, &text) {
                let _ = tabs::page(m.tab).on_paste(m, &text);
            }
            m.dirty = true;
            Vec::new()
        }
        Msg::Mouse(mouse) => on_mouse(m, mouse),
        Msg::Resize { width, height } => {
            m.size = (width, height);
            m.dirty = true;
            Vec::new()
        }
        Msg::Clock(now) => on_clock(m, now),
        Msg::Kube(Ok(snapshot)) => apply_snapshot(m, snapshot),
        Msg::Kube(Err(e)) => {
            m.notice = Some(Notice {
                text: e,
                error: true,
            });
            m.dirty = true;
            Vec::new()
        }
        Msg::Changed { what, result } => {
            m.busy = None;
            m.dirty = true;
            match result {
                Ok(snapshot) => {
                    m.notice = Some(Notice {
                        text: what,
                        error: false,
                    });
                    apply_snapshot(m, snapshot)
                }
                Err(e) => {
                    m.notice = Some(Notice {
                        text: e,
                        error: true,
                    });
                    Vec::new()
                }
            }
        }
        Msg::Namespaces { context, result } => {
            overlays::namespace::loaded(m, &context, result);
            Vec::new()
        }
        Msg::Notice { text, error } => {
            m.notice = Some(Notice { text, error });
            m.dirty = true;
            Vec::new()
        }
        // Owned by a page (see `tabs::owner`).
        _ => Vec::new(),
    }
}

fn on_clock(m: &mut Model, now: i64) -> Vec<Effect> {
    m.now = now;
    let mut effects = tabs::page(Tab::Pods).on_clock(m);
    if m.busy.is_some() || m.pods.conn == pods::Conn::Connecting {
        m.spinner = m.spinner.wrapping_add(1);
        m.dirty = true;
    }
    for tab in Tab::ALL.into_iter().filter(|t| *t != Tab::Pods) {
        effects.extend(tabs::page(tab).on_clock(m));
    }
    effects
}

/// The kubeconfig changed (a switch, a namespace, a reload): keep the cursor on the same
/// context, restart the pod watch when the current context or namespace changed, and let the
/// Registry creds tab follow.
fn apply_snapshot(m: &mut Model, snapshot: KubeSnapshot) -> Vec<Effect> {
    let before = m
        .current_row()
        .map(|r| (r.name.clone(), r.namespace.clone()));
    let keep = m.selected_context().map(|r| r.name.clone());
    m.set_kube(snapshot);
    m.dirty = true;
    // Keep the cursor on the same context when it still exists.
    let vis = m.visible_contexts();
    m.contexts.selected = keep
        .and_then(|name| vis.iter().position(|&i| m.kube.rows[i].name == name))
        .unwrap_or(0)
        .min(vis.len().saturating_sub(1));
    let after = m
        .current_row()
        .map(|r| (r.name.clone(), r.namespace.clone()));
    let mut effects = if before != after {
        pods::restart_watch(m)
    } else {
        Vec::new()
    };
    effects.extend(creds::on_snapshot(m));
    effects
}

fn on_mouse(m: &mut Model, mouse: Mouse) -> Vec<Effect> {
    match mouse {
        Mouse::Click { column, row } if row == 1 && m.overlay == Overlay::None => {
            if let Some((tab, ..)) = tab_layout()
                .into_iter()
                .find(|(_, _, from, to)| (*from..*to).contains(&column))
            {
                m.dirty = true;
                return enter(m, tab);
            }
        }
        Mouse::ScrollUp => {
            m.dirty = true;
            return act(m, Action::Up);
        }
        Mouse::ScrollDown => {
            m.dirty = true;
            return act(m, Action::Down);
        }
        Mouse::Click { .. } => {}
    }
    Vec::new()
}

fn on_key(m: &mut Model, key: Key) -> Vec<Effect> {
    if key == Key::ctrl('c') {
        return act(m, Action::Quit);
    }
    if let Some(effects) = overlays::on_key(m, key) {
        return effects;
    }
    if let Some(effects) = tabs::page(m.tab).on_key(m, key) {
        return effects;
    }
    match m.keymap.action(key) {
        Some(a) => act(m, a),
        None => Vec::new(),
    }
}

/// Performs a keymap action (from a key, the palette or the mouse): the screen-wide ones
/// here, the rest by the tab in front, and what the tab leaves here.
pub fn act(m: &mut Model, action: Action) -> Vec<Effect> {
    m.dirty = true;
    match action {
        Action::Quit => {
            m.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => m.overlay = Overlay::Help,
        Action::Palette => {
            m.overlay = Overlay::Palette {
                input: String::new(),
                list: Default::default(),
            }
        }
        Action::NextTab | Action::PrevTab => {
            let step = if action == Action::NextTab {
                1
            } else {
                Tab::ALL.len() - 1
            };
            return enter(m, Tab::ALL[(m.tab.index() + step) % Tab::ALL.len()]);
        }
        Action::TabContexts => return enter(m, Tab::Contexts),
        Action::TabPods => return enter(m, Tab::Pods),
        Action::TabImages => return enter(m, Tab::Images),
        Action::TabCreds => return enter(m, Tab::Creds),
        Action::TabMinikube => return enter(m, Tab::Minikube),
        Action::TabHook => return enter(m, Tab::Hook),
        // They work from any tab, and bring the Images tab to the front.
        Action::ImageBuild => return images::start_build(m),
        Action::ImagePush => return images::start_push(m),
        _ => {
            if let Some(effects) = tabs::page(m.tab).on_action(m, action) {
                return effects;
            }
            return global_fallback(m, action);
        }
    }
    Vec::new()
}

/// Brings `tab` to the front, however it was chosen (its key, tab/shift-tab, the palette, a
/// click), so it loads what it shows the same way each time.
fn enter(m: &mut Model, tab: Tab) -> Vec<Effect> {
    m.tab = tab;
    tabs::page(tab).on_enter(m)
}

/// What an action does when the tab in front leaves it alone.
fn global_fallback(m: &mut Model, action: Action) -> Vec<Effect> {
    match action {
        Action::Back => m.notice = None,
        Action::Namespace => {
            if let Some((context, namespace)) = m
                .current_row()
                .map(|r| (r.name.clone(), r.namespace.clone()))
            {
                return overlays::namespace::open(m, context, namespace);
            }
        }
        // The watch of the current context failed: reconnect from any tab.
        Action::Retry if matches!(m.pods.conn, pods::Conn::Failed(_)) => {
            return pods::restart_watch(m);
        }
        _ => {}
    }
    Vec::new()
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
