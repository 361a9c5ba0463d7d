//! `update` for the Minikube tab: moving between profiles and addons, start/stop, toggles.

use super::app::{Model, Notice};
use super::keymap::Action;
use super::keys::Key;
use super::msg::Effect;

/// Reloads profiles, and the addons of the selected profile.
pub(super) fn load_minikube(m: &Model) -> Effect {
    Effect::LoadMinikube {
        profile: m.minikube.selected_profile().map(|p| p.name.clone()),
    }
}

/// Keys on the Minikube tab. Returns None for keys it leaves to the global bindings.
pub(super) fn on_minikube_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
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
