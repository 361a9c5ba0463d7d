//! `update(&mut Model, Msg) -> Vec<Effect>`: the only code that changes the model. No I/O:
//! long work is returned as effects, and its results come back as messages.

use crate::policy::ContextClass;

use super::app::MAX_LOG_VIEWS;
use super::app::{Conn, Model, Notice, Overlay, PaletteItem, Tab, tab_layout};
use super::keymap::{Action, Scope};
use super::keys::{Key, KeyCode};
use super::logview::{LogView, Selection};
use super::msg::{Effect, KubeSnapshot, Mouse, Msg, PodChange, PodRow};

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
            Vec::new()
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
        Msg::Hook(info) => {
            m.hook = Some(info);
            m.dirty = true;
            Vec::new()
        }
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
    if before != after {
        m.restart_watch()
    } else {
        Vec::new()
    }
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
fn edit_input(input: &mut String, key: Key) -> Option<bool> {
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
    if m.tab == Tab::Minikube
        && let Some(effects) = on_minikube_key(m, key)
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

fn move_cursor(m: &mut Model, f: impl Fn(usize, usize, usize) -> usize) {
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
        Action::NextTab => m.tab = Tab::ALL[(m.tab.index() + 1) % Tab::ALL.len()],
        Action::PrevTab => m.tab = Tab::ALL[(m.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()],
        Action::TabContexts => m.tab = Tab::Contexts,
        Action::TabPods => m.tab = Tab::Pods,
        Action::TabImages => m.tab = Tab::Images,
        Action::TabCreds => m.tab = Tab::Creds,
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

/// Lines fetched per container when a log view opens (kubectl's default is everything; k9s
/// shows the last 100): enough to read back, bounded for a pod with years of history.
const INITIAL_TAIL: i64 = 5000;

/// Opens (or reopens, with its state) the log view of the marked pods, or of the pod under the
/// cursor when none is marked.
fn open_logs(m: &mut Model, workload: bool) -> Vec<Effect> {
    let Some(row) = m.current_row() else {
        return Vec::new();
    };
    let (context, namespace) = (row.name.clone(), row.namespace.clone());
    let owner = if workload {
        let vis = m.visible_pods();
        let Some(owner) = vis
            .get(m.pods.list.selected)
            .and_then(|&i| m.pods.rows[i].owner.clone())
        else {
            m.notice = Some(Notice {
                text: "This pod has no controller (a bare pod): enter opens its logs".into(),
                error: false,
            });
            return Vec::new();
        };
        Some(owner)
    } else {
        None
    };
    let pods: Vec<String> = if let Some(o) = &owner {
        m.pods
            .rows
            .iter()
            .filter(|p| p.owner.as_ref() == Some(o))
            .map(|p| p.name.clone())
            .collect()
    } else if m.pods.marked.is_empty() {
        let vis = m.visible_pods();
        match vis.get(m.pods.list.selected) {
            Some(&i) => vec![m.pods.rows[i].name.clone()],
            None => return Vec::new(),
        }
    } else {
        m.pods.marked.iter().cloned().collect()
    };
    let selection = Selection {
        context,
        namespace,
        pods,
        owner,
    };
    let key = selection.key();
    m.log_generation += 1;
    let generation = m.log_generation;
    let (since, tail) = match m.pods.views.iter().position(|v| v.selection.key() == key) {
        Some(i) => {
            let mut v = m.pods.views.remove(i);
            v.generation = generation;
            let since = v.resume_since();
            m.pods.views.insert(0, v);
            (since, since.is_none().then_some(INITIAL_TAIL))
        }
        None => {
            m.pods
                .views
                .insert(0, LogView::new(selection.clone(), generation, m.log_budget));
            m.pods.views.truncate(MAX_LOG_VIEWS);
            (None, Some(INITIAL_TAIL))
        }
    };
    m.pods.open_logs = Some(key);
    vec![Effect::StreamLogs {
        generation,
        selection,
        since,
        tail,
    }]
}

/// Keys in the log view: its own bindings first, then the global ones.
fn on_log_key(m: &mut Model, key: Key) -> Vec<Effect> {
    let page = m.page();
    let action = m.keymap.action_in(key, Scope::Log);
    let Some(v) = m.log_view_mut() else {
        return Vec::new();
    };
    if let Some(mut input) = v.filter_input.take() {
        match action {
            Some(Action::LogCase) => v.case_sensitive = !v.case_sensitive,
            Some(Action::LogRegex) => v.regex_mode = !v.regex_mode,
            _ => match edit_input(&mut input, key) {
                Some(true) => {
                    v.apply_filter(&input);
                    return Vec::new();
                }
                // Esc keeps the filter already applied.
                Some(false) => return Vec::new(),
                None => {}
            },
        }
        v.filter_input = Some(input);
        return Vec::new();
    }
    match action {
        Some(Action::LogFollow | Action::Bottom) => v.follow_now(),
        Some(Action::Filter) => {
            v.filter_input = Some(
                v.filter
                    .as_ref()
                    .map(|f| f.filter.pattern.clone())
                    .unwrap_or_default(),
            );
        }
        Some(Action::LogNext) => v.step_match(true),
        Some(Action::LogPrev) => v.step_match(false),
        Some(Action::LogTimestamps) => v.timestamps = !v.timestamps,
        Some(Action::LogWrap) => v.wrap = !v.wrap,
        Some(Action::LogJson) => v.json = !v.json,
        Some(Action::LogPod) => v.cycle_pod(),
        Some(Action::LogSave) => return vec![Effect::SaveLogs { text: v.export() }],
        Some(Action::LogClear) => v.clear(),
        Some(Action::LogCopy) => {
            if let Some(text) = v.copy_target() {
                return vec![Effect::Copy { text }];
            }
        }
        Some(Action::LogCase) => {
            v.case_sensitive = !v.case_sensitive;
            v.refilter();
        }
        Some(Action::LogRegex) => {
            v.regex_mode = !v.regex_mode;
            v.refilter();
        }
        Some(Action::Up) => v.scroll_up(1),
        Some(Action::Down) => v.scroll_down(1),
        Some(Action::PageUp) => v.scroll_up(page),
        Some(Action::PageDown) => v.scroll_down(page),
        Some(Action::Top) => v.to_top(),
        Some(Action::Back) => {
            m.pods.open_logs = None;
            return vec![Effect::StopLogs];
        }
        Some(other) => return act(m, other),
        None => {}
    }
    Vec::new()
}

/// Reloads profiles, and the addons of the selected profile.
fn load_minikube(m: &Model) -> Effect {
    Effect::LoadMinikube {
        profile: m.minikube.selected_profile().map(|p| p.name.clone()),
    }
}

/// Keys on the Minikube tab. Returns None for keys it leaves to the global bindings.
fn on_minikube_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    use super::minikube::{Focus, Operation};
    use crate::minikube::Minikube;
    let action = m.keymap.action(key)?;
    let mk = &mut m.minikube;
    let effects = match action {
        Action::Up | Action::Down => {
            let down = action == Action::Down;
            let step = |i: usize, n: usize| {
                if down {
                    (i + 1).min(n.saturating_sub(1))
                } else {
                    i.saturating_sub(1)
                }
            };
            match (&mk.info, mk.focus) {
                (Some(Ok(info)), Focus::Profiles) => {
                    let before = mk.selected;
                    mk.selected = step(mk.selected, info.profiles.len());
                    if before != mk.selected {
                        mk.addon_selected = 0;
                        return Some(vec![load_minikube(m)]);
                    }
                }
                (Some(Ok(info)), Focus::Addons) => {
                    mk.addon_selected = step(mk.addon_selected, info.addons.len())
                }
                _ => {}
            }
            Vec::new()
        }
        Action::MkAddons => {
            mk.focus = if mk.focus == Focus::Profiles {
                Focus::Addons
            } else {
                Focus::Profiles
            };
            Vec::new()
        }
        Action::Retry => vec![load_minikube(m)],
        Action::Back if mk.busy() => vec![Effect::CancelMinikube],
        Action::Select if mk.busy() => {
            m.notice = Some(Notice {
                text: "minikube is still working: esc interrupts it".into(),
                error: false,
            });
            Vec::new()
        }
        Action::Select => {
            let (title, args) = match mk.focus {
                Focus::Profiles => {
                    let Some(p) = mk.selected_profile() else {
                        return Some(Vec::new());
                    };
                    if p.is_running() {
                        (
                            format!("Stopping {}", p.name),
                            Minikube::stop_args(Some(&p.name)),
                        )
                    } else {
                        (
                            format!("Starting {}", p.name),
                            Minikube::start_args(Some(&p.name), &mk.start_options),
                        )
                    }
                }
                Focus::Addons => {
                    let (Some(p), Some(a)) = (mk.selected_profile(), mk.selected_addon()) else {
                        return Some(Vec::new());
                    };
                    let verb = if a.enabled { "Disabling" } else { "Enabling" };
                    (
                        format!("{verb} {} on {}", a.name, p.name),
                        Minikube::addon_args(Some(&p.name), &a.name, !a.enabled),
                    )
                }
            };
            mk.op = Some(Operation {
                title: title.clone(),
                lines: Vec::new(),
                running: true,
                result: None,
            });
            m.busy = Some(title);
            vec![Effect::RunMinikube { args }]
        }
        _ => return None,
    };
    m.dirty = true;
    Some(effects)
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
