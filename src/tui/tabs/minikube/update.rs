//! `update` for the Minikube tab: moving between profiles and addons, start/stop, toggles,
//! and what minikube answers.

use crate::tui::app::{Model, Notice};
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Msg};
use crate::tui::widgets::list::Nav;

/// Reloads profiles, and the addons of the selected profile.
pub(super) fn load_minikube(m: &Model) -> Effect {
    Effect::LoadMinikube {
        profile: m.minikube.selected_profile().map(|p| p.name.clone()),
    }
}

/// Actions on the Minikube tab. None leaves them to the router.
pub(super) fn on_action(m: &mut Model, action: Action) -> Option<Vec<Effect>> {
    use super::state::{ADDON_SORTABLE, Focus, Operation, PROFILE_SORTABLE};
    use crate::minikube::{Minikube, ProfileState};
    let page = usize::from(m.size.1.saturating_sub(8)).max(1);
    let mk = &mut m.minikube;
    if let Some(nav) = Nav::from_action(action) {
        m.dirty = true;
        match (&mk.info, mk.focus) {
            (Some(Ok(info)), Focus::Profiles) => {
                let before = mk.selected_profile().map(|p| p.name.clone());
                mk.profile_cursor.nav(nav, info.profiles.len(), page);
                if before != mk.selected_profile().map(|p| p.name.clone()) {
                    mk.addon_cursor.selected = 0;
                    return Some(vec![load_minikube(m)]);
                }
            }
            (Some(Ok(info)), Focus::Addons) => mk.addon_cursor.nav(nav, info.addons.len(), page),
            _ => {}
        }
        return Some(Vec::new());
    }
    let effects = match action {
        Action::Sort | Action::SortReverse => {
            let reverse = action == Action::SortReverse;
            match mk.focus {
                Focus::Profiles => {
                    let mut list = std::mem::take(&mut mk.profile_cursor);
                    list.change_sort(&PROFILE_SORTABLE, reverse, |c| mk.profiles_shown_with(c));
                    mk.profile_cursor = list;
                }
                Focus::Addons => {
                    let mut list = std::mem::take(&mut mk.addon_cursor);
                    list.change_sort(&ADDON_SORTABLE, reverse, |c| mk.addons_shown_with(c));
                    mk.addon_cursor = list;
                }
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
                    match p.state() {
                        ProfileState::Running | ProfileState::Degraded => (
                            format!("Stopping {}", p.name),
                            Minikube::stop_args(Some(&p.name)),
                        ),
                        ProfileState::Paused => (
                            format!("Unpausing {}", p.name),
                            Minikube::unpause_args(Some(&p.name)),
                        ),
                        ProfileState::Busy => {
                            let text = format!(
                                "{} is {} (minikube is busy with it): r reloads",
                                p.name, p.status
                            );
                            m.notice = Some(Notice { text, error: false });
                            return Some(Vec::new());
                        }
                        ProfileState::Stopped | ProfileState::Error | ProfileState::Unknown => (
                            format!("Starting {}", p.name),
                            Minikube::start_args(Some(&p.name), &mk.start_options),
                        ),
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

/// What minikube answered: profiles and addons, a line of output, or the end of an operation.
pub(super) fn on_msg(m: &mut Model, msg: Msg) -> Vec<Effect> {
    match msg {
        Msg::Minikube(info) => {
            let mk = &mut m.minikube;
            mk.info = Some(info.map(|b| {
                let mut info = *b;
                info.order_addons();
                info
            }));
            if let Some(Ok(i)) = &mk.info {
                let (profiles, addons) = (i.profiles.len(), i.addons.len());
                mk.profile_cursor.clamp(profiles);
                mk.addon_cursor.clamp(addons);
            }
            m.dirty = true;
        }
        Msg::MinikubeLine(line) => {
            if let Some(op) = &mut m.minikube.op {
                op.push(line);
                m.dirty = true;
            }
        }
        Msg::MinikubeDone(result) => {
            if let Some(op) = &mut m.minikube.op {
                op.running = false;
                op.result = Some(result);
            }
            m.busy = None;
            m.dirty = true;
            return vec![load_minikube(m)];
        }
        _ => {}
    }
    Vec::new()
}
