//! `update(&mut Model, Msg) -> Vec<Effect>`: the only code that changes the model. No I/O:
//! long work is returned as effects, and its results come back as messages.

use crate::policy::ContextClass;

use super::app::{Conn, Model, Notice, Overlay, PaletteItem, Tab, tab_layout};
use super::keymap::Action;
use super::keys::{Key, KeyCode};
use super::msg::{Effect, KubeSnapshot, Mouse, Msg, PodChange, PodRow};
use super::update_images::{
    build_events, enter_images, images_loaded, on_images_key, op_done, push_events, start_build,
    start_push,
};
use super::update_logs::{on_log_key, open_logs};
use super::update_minikube::{load_minikube, on_minikube_key};

/// Applies one message. Returns the effects to run.
pub fn update(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Key(key) => {
            m.dirty = true;
            on_key(m, key)
        }
        Msg::Paste(text) => {
            m.dirty = true;
            for c in text.chars().filter(|c| !c.is_control()) {
                let _ = on_key(m, Key::ch(c));
            }
            Vec::new()
        }
        Msg::Mouse(mouse) => on_mouse(m, mouse),
        Msg::Resize { width, height } => {
            m.size = (width, height);
            m.dirty = true;
            Vec::new()
        }
        Msg::Clock(now) => {
            m.now = now;
            // Ages on the Pods tab move with the clock; nothing else does.
            if m.tab == Tab::Pods && !m.pods.rows.is_empty() {
                m.dirty = true;
            }
            if m.busy.is_some() || m.pods.conn == Conn::Connecting {
                m.spinner = m.spinner.wrapping_add(1);
                m.dirty = true;
            }
            super::update_creds::on_clock(m)
        }
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
        Msg::PodsConnected { generation } => {
            if generation == m.pods.generation {
                m.pods.conn = Conn::Connected;
                m.dirty = true;
            }
            Vec::new()
        }
        Msg::Pods {
            generation,
            changes,
        } => {
            if generation == m.pods.generation {
                for c in changes {
                    apply_pod_change(&mut m.pods.rows, c);
                }
                m.pods.conn = Conn::Connected;
                let n = m.visible_pods().len();
                m.pods.list.selected = m.pods.list.selected.min(n.saturating_sub(1));
                m.dirty = true;
            }
            Vec::new()
        }
        Msg::Logs { generation, events } => {
            if let Some(v) = m.pods.views.iter_mut().find(|v| v.generation == generation) {
                v.apply(events);
                m.dirty = true;
            }
            Vec::new()
        }
        Msg::Minikube(info) => {
            let mk = &mut m.minikube;
            mk.info = Some(info.map(|b| *b));
            if let Some(Ok(i)) = &mk.info {
                mk.selected = mk.selected.min(i.profiles.len().saturating_sub(1));
                mk.addon_selected = mk.addon_selected.min(i.addons.len().saturating_sub(1));
            }
            m.dirty = true;
            Vec::new()
        }
        Msg::MinikubeLine(line) => {
            if let Some(op) = &mut m.minikube.op {
                op.push(line);
                m.dirty = true;
            }
            Vec::new()
        }
        Msg::MinikubeDone(result) => {
            if let Some(op) = &mut m.minikube.op {
                op.running = false;
                op.result = Some(result);
            }
            m.busy = None;
            m.dirty = true;
            vec![load_minikube(m)]
        }
        Msg::Images(rows) => {
            images_loaded(m, rows);
            Vec::new()
        }
        Msg::ImageBuild(events) => {
            build_events(m, events);
            Vec::new()
        }
        Msg::ImagePush(events) => {
            push_events(m, events);
            Vec::new()
        }
        Msg::ImageOpDone(end) => op_done(m, end),
        Msg::Hook(info) => {
            m.hook = Some(info);
            m.dirty = true;
            Vec::new()
        }
        Msg::CredsStatus { generation, result } => {
            super::update_creds::on_status(m, generation, result)
        }
        Msg::CredsRefreshed {
            generation,
            automatic,
            result,
        } => super::update_creds::on_refreshed(m, generation, automatic, result),
        Msg::Notice { text, error } => {
            m.notice = Some(Notice { text, error });
            m.dirty = true;
            Vec::new()
        }
        Msg::PodsError {
            generation,
            message,
        } => {
            if generation == m.pods.generation {
                m.pods.conn = Conn::Failed(message);
                m.dirty = true;
            }
            Vec::new()
        }
    }
}

fn apply_pod_change(rows: &mut Vec<PodRow>, change: PodChange) {
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

fn apply_snapshot(m: &mut Model, snapshot: KubeSnapshot) -> Vec<Effect> {
    let before = m
        .current_row()
        .map(|r| (r.name.clone(), r.namespace.clone()));
    let keep = m.selected_context().map(|r| r.name.clone());
    m.kube = snapshot;
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
        m.restart_watch()
    } else {
        Vec::new()
    };
    effects.extend(super::update_creds::on_snapshot(m));
    effects
}

fn on_mouse(m: &mut Model, mouse: Mouse) -> Vec<Effect> {
    match mouse {
        Mouse::Click { column, row } if row == 1 && m.overlay == Overlay::None => {
            if let Some((tab, ..)) = tab_layout()
                .into_iter()
                .find(|(_, _, from, to)| (*from..*to).contains(&column))
            {
                m.tab = tab;
                m.dirty = true;
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

/// Edits a one-line input with `key`. Returns Some(true) on Enter, Some(false) on Esc.
pub(super) fn edit_input(input: &mut String, key: Key) -> Option<bool> {
    match key.code {
        KeyCode::Enter => Some(true),
        KeyCode::Esc => Some(false),
        KeyCode::Backspace => {
            input.pop();
            None
        }
        KeyCode::Char('u') if key.ctrl => {
            input.clear();
            None
        }
        KeyCode::Char(c) if !key.ctrl && !key.alt => {
            input.push(c);
            None
        }
        _ => None,
    }
}

fn on_key(m: &mut Model, key: Key) -> Vec<Effect> {
    if key == Key::ctrl('c') {
        return act(m, Action::Quit);
    }
    match std::mem::replace(&mut m.overlay, Overlay::None) {
        Overlay::None => {}
        Overlay::Help => {
            // Any key closes help; quit still quits.
            if m.keymap.action(key) == Some(Action::Quit) && key.code != KeyCode::Esc {
                return act(m, Action::Quit);
            }
            return Vec::new();
        }
        Overlay::Palette {
            mut input,
            mut selected,
        } => {
            let n = m.palette_items(&input).len();
            match key.code {
                KeyCode::Up => selected = selected.saturating_sub(1),
                KeyCode::Down => selected = (selected + 1).min(n.saturating_sub(1)),
                _ => match edit_input(&mut input, key) {
                    Some(true) => {
                        let item = m.palette_items(&input).into_iter().nth(selected);
                        return match item {
                            Some(PaletteItem::Action(a)) => act(m, a),
                            Some(PaletteItem::Context(c)) => request_switch(m, &c),
                            None => Vec::new(),
                        };
                    }
                    Some(false) => return Vec::new(),
                    None => selected = 0,
                },
            }
            m.overlay = Overlay::Palette { input, selected };
            return Vec::new();
        }
        Overlay::Confirm {
            context,
            reason,
            mut input,
            ..
        } => {
            return match edit_input(&mut input, key) {
                Some(true) if input == context => start_switch(m, &context),
                Some(true) => {
                    m.overlay = Overlay::Confirm {
                        context,
                        reason,
                        input,
                        mismatch: true,
                    };
                    Vec::new()
                }
                Some(false) => {
                    m.notice = Some(Notice {
                        text: format!("Not switched: {context} needs its name typed to confirm"),
                        error: false,
                    });
                    Vec::new()
                }
                None => {
                    m.overlay = Overlay::Confirm {
                        context,
                        reason,
                        input,
                        mismatch: false,
                    };
                    Vec::new()
                }
            };
        }
        Overlay::Namespace { context, mut input } => {
            return match edit_input(&mut input, key) {
                Some(true) if !input.trim().is_empty() => {
                    let namespace = input.trim().to_string();
                    m.busy = Some(format!("Setting namespace {namespace} on {context}"));
                    vec![Effect::SetNamespace { context, namespace }]
                }
                Some(_) => Vec::new(),
                None => {
                    m.overlay = Overlay::Namespace { context, input };
                    Vec::new()
                }
            };
        }
    }
    if m.tab == Tab::Pods && m.log_view().is_some() {
        return on_log_key(m, key);
    }
    if m.tab == Tab::Creds
        && let Some(effects) = super::update_creds::on_creds_key(m, key)
    {
        return effects;
    }
    if m.tab == Tab::Minikube
        && let Some(effects) = on_minikube_key(m, key)
    {
        return effects;
    }
    if m.tab == Tab::Images
        && let Some(effects) = on_images_key(m, key)
    {
        return effects;
    }
    // A filter being typed has the keyboard.
    if let Some((list, _)) = m.tab_list()
        && list.filtering
    {
        match edit_input(&mut list.filter, key) {
            Some(true) => list.filtering = false,
            Some(false) => {
                list.filtering = false;
                list.filter.clear();
            }
            None => list.selected = 0,
        }
        return Vec::new();
    }
    match m.keymap.action(key) {
        Some(a) => act(m, a),
        None => Vec::new(),
    }
}

pub(super) fn move_cursor(m: &mut Model, f: impl Fn(usize, usize, usize) -> usize) {
    let page = m.page();
    if let Some((list, n)) = m.tab_list() {
        if n == 0 {
            list.selected = 0;
        } else {
            list.selected = f(list.selected, n, page).min(n - 1);
        }
    }
}

/// Performs a keymap action.
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
                selected: 0,
            }
        }
        Action::NextTab | Action::PrevTab => {
            let step = if action == Action::NextTab {
                1
            } else {
                Tab::ALL.len() - 1
            };
            m.tab = Tab::ALL[(m.tab.index() + step) % Tab::ALL.len()];
            if m.tab == Tab::Images {
                return enter_images(m);
            }
        }
        Action::TabContexts => m.tab = Tab::Contexts,
        Action::TabPods => m.tab = Tab::Pods,
        Action::TabImages => return enter_images(m),
        Action::ImageBuild => return start_build(m),
        Action::ImagePush => return start_push(m),
        Action::TabCreds => {
            m.tab = Tab::Creds;
            // Re-read: `devk creds refresh` in another terminal may have changed them.
            return super::update_creds::load(m);
        }
        Action::TabMinikube => {
            m.tab = Tab::Minikube;
            return vec![load_minikube(m)];
        }
        Action::TabHook => {
            m.tab = Tab::Hook;
            return vec![Effect::LoadHook];
        }
        Action::Up => move_cursor(m, |s, _, _| s.saturating_sub(1)),
        Action::Down => move_cursor(m, |s, _, _| s + 1),
        Action::PageUp => move_cursor(m, |s, _, p| s.saturating_sub(p)),
        Action::PageDown => move_cursor(m, |s, _, p| s + p),
        Action::Top => move_cursor(m, |_, _, _| 0),
        Action::Bottom => move_cursor(m, |_, n, _| n.saturating_sub(1)),
        Action::Filter => {
            if let Some((list, _)) = m.tab_list() {
                list.filtering = true;
            }
        }
        Action::Back => {
            if let Some((list, _)) = m.tab_list() {
                list.filter.clear();
                list.selected = 0;
            }
            m.notice = None;
        }
        Action::Mark => {
            if m.tab == Tab::Pods
                && let Some(&i) = m.visible_pods().get(m.pods.list.selected)
            {
                let name = m.pods.rows[i].name.clone();
                if !m.pods.marked.remove(&name) {
                    m.pods.marked.insert(name);
                }
                move_cursor(m, |s, _, _| s + 1);
            }
        }
        Action::Select if m.tab == Tab::Pods => return open_logs(m, false),
        Action::Workload if m.tab == Tab::Pods => return open_logs(m, true),
        Action::Workload | Action::MkAddons => {}
        // Log actions outside a log view (from the palette) have nothing to act on.
        Action::LogFollow
        | Action::LogNext
        | Action::LogPrev
        | Action::LogTimestamps
        | Action::LogWrap
        | Action::LogJson
        | Action::LogPod
        | Action::LogSave
        | Action::LogClear
        | Action::LogCopy
        | Action::LogCase
        | Action::LogRegex => {}
        Action::Select => {
            if m.tab == Tab::Contexts
                && let Some(name) = m.selected_context().map(|r| r.name.clone())
            {
                return request_switch(m, &name);
            }
        }
        Action::Namespace => {
            let target = match m.tab {
                Tab::Contexts => m.selected_context(),
                _ => m.current_row(),
            }
            .map(|r| (r.name.clone(), r.namespace.clone()));
            if let Some((context, namespace)) = target {
                m.overlay = Overlay::Namespace {
                    context,
                    input: namespace,
                };
            }
        }
        Action::Retry if m.tab == Tab::Hook => return vec![Effect::LoadHook],
        Action::Retry => {
            if m.tab == Tab::Pods || matches!(m.pods.conn, Conn::Failed(_)) {
                return m.restart_watch();
            }
        }
    }
    Vec::new()
}

/// Switches to `context`, through the typed-name dialog when it is protected.
fn request_switch(m: &mut Model, context: &str) -> Vec<Effect> {
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
            input: String::new(),
            mismatch: false,
        };
        return Vec::new();
    }
    start_switch(m, context)
}

fn start_switch(m: &mut Model, context: &str) -> Vec<Effect> {
    m.busy = Some(format!("Switching to {context}"));
    vec![Effect::Switch {
        context: context.to_string(),
    }]
}

#[cfg(test)]
#[path = "update_tests.rs"]
mod tests;
