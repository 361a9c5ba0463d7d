//! `update` for the Images tab: the list (loaded in the background), `b` to build the project
//! and `p` to push the selected image. A push goes through the same policy check as
//! `devk push`, in the runtime, before anything is sent; a refusal comes back as
//! [`OpEnd::Refused`] and is shown with its rule and what to do instead.

use super::app::{Model, Notice, Tab};
use super::images::{ImageOp, OpEnd, OpKind, push_target};
use super::keymap::Action;
use super::keys::Key;
use super::msg::Effect;

/// Starts a (re)load of the list, unless there is no project name to list.
pub(super) fn load_images(m: &mut Model) -> Vec<Effect> {
    let name = m.images.name.trim().to_string();
    if name.is_empty() {
        m.images.rows = Some(Err(
            "No project image name: set `name` under [images] in devk.toml (e.g. name = \"app\")."
                .into(),
        ));
        return Vec::new();
    }
    m.images.loading = true;
    m.dirty = true;
    vec![Effect::LoadImages { name }]
}

/// Entering the tab loads the list the first time.
pub(super) fn enter_images(m: &mut Model) -> Vec<Effect> {
    m.tab = Tab::Images;
    if m.images.rows.is_none() && !m.images.loading {
        load_images(m)
    } else {
        Vec::new()
    }
}

pub(super) fn images_loaded(
    m: &mut Model,
    rows: Result<Vec<crate::images::list::ImageRow>, String>,
) {
    let keep = m.images.selected_row().map(|r| r.id.clone());
    let im = &mut m.images;
    im.loading = false;
    if let Ok(list) = &rows {
        im.selected = keep
            .and_then(|id| list.iter().position(|r| r.id == id))
            .unwrap_or(im.selected)
            .min(list.len().saturating_sub(1));
    }
    im.rows = Some(rows);
    m.dirty = true;
}

pub(super) fn build_events(m: &mut Model, events: Vec<crate::images::build::BuildEvent>) {
    if let Some(op) = m.images.op.as_mut().filter(|o| o.kind == OpKind::Build) {
        op.apply_build(events);
        m.dirty = true;
    }
}

pub(super) fn push_events(m: &mut Model, events: Vec<crate::images::push_stream::PushEvent>) {
    if let Some(op) = m
        .images
        .op
        .as_mut()
        .filter(|o| matches!(o.kind, OpKind::Push { .. }))
    {
        op.apply_push(events);
        m.dirty = true;
    }
}

/// The operation ended: show how, and reload the list (new tags, new pushes).
pub(super) fn op_done(m: &mut Model, end: OpEnd) -> Vec<Effect> {
    let Some(op) = m.images.op.as_mut() else {
        return Vec::new();
    };
    let (text, error) = match &end {
        OpEnd::Done(t) => (t.clone(), false),
        OpEnd::Failed(_) => (format!("{} failed", op.title()), true),
        OpEnd::Refused { rule, .. } => (format!("{} refused by rule `{rule}`", op.title()), true),
    };
    op.end = Some(end);
    m.busy = None;
    m.notice = Some(Notice { text, error });
    load_images(m)
}

/// `b`: build the project.
pub(super) fn start_build(m: &mut Model) -> Vec<Effect> {
    m.tab = Tab::Images;
    if let Some(e) = refuse_if_busy(m) {
        return e;
    }
    m.images.op = Some(ImageOp::new(OpKind::Build));
    m.busy = Some("Building the project image".into());
    vec![Effect::BuildImage]
}

/// `p`: push the selected image.
pub(super) fn start_push(m: &mut Model) -> Vec<Effect> {
    m.tab = Tab::Images;
    if let Some(e) = refuse_if_busy(m) {
        return e;
    }
    let local = m.images.local_registry.clone();
    let Some((reference, source)) = m.images.selected_row().and_then(|r| push_target(r, &local))
    else {
        m.notice = Some(Notice {
            text: "No image selected to push".into(),
            error: true,
        });
        return Vec::new();
    };
    m.images.op = Some(ImageOp::new(OpKind::Push {
        reference: reference.clone(),
    }));
    m.busy = Some(format!("Pushing {reference}"));
    vec![Effect::PushImage { reference, source }]
}

fn refuse_if_busy(m: &mut Model) -> Option<Vec<Effect>> {
    if !m.images.busy() {
        return None;
    }
    m.notice = Some(Notice {
        text: "A build or push is still running; wait for it to end".into(),
        error: false,
    });
    Some(Vec::new())
}

/// Keys on the Images tab that act on the list. None leaves the key to the global bindings.
pub(super) fn on_images_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    let action = m.keymap.action(key)?;
    let n = m.images.row_count();
    let page = m.page();
    let im = &mut m.images;
    let last = n.saturating_sub(1);
    match action {
        Action::Up => im.selected = im.selected.saturating_sub(1),
        Action::Down => im.selected = (im.selected + 1).min(last),
        Action::PageUp => im.selected = im.selected.saturating_sub(page),
        Action::PageDown => im.selected = (im.selected + page).min(last),
        Action::Top => im.selected = 0,
        Action::Bottom => im.selected = last,
        Action::Retry => return Some(load_images(m)),
        Action::Back if im.op.as_ref().is_some_and(|o| !o.running()) => im.op = None,
        _ => return None,
    }
    m.dirty = true;
    Some(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::images::list::ImageRow;
    use crate::tui::fixtures;
    use crate::tui::keys::Key;
    use crate::tui::msg::Msg;
    use crate::tui::update::update;

    fn row(id: &str, tags: &[&str]) -> ImageRow {
        ImageRow {
            id: id.into(),
            tags: tags.iter().map(|s| s.to_string()).collect(),
            size: 1,
            created: 0,
            pushed_to: vec![],
        }
    }

    fn model() -> Model {
        let mut m = fixtures::model();
        m.images.name = "app".into();
        m
    }

    #[test]
    fn entering_the_tab_loads_once_and_without_a_name_says_what_to_set() {
        let mut m = model();
        assert_eq!(
            update(&mut m, Msg::Key(Key::ch('3'))),
            vec![Effect::LoadImages { name: "app".into() }]
        );
        assert!(m.images.loading);
        assert_eq!(update(&mut m, Msg::Key(Key::ch('3'))), vec![]);
        let mut m = fixtures::model();
        assert_eq!(update(&mut m, Msg::Key(Key::ch('3'))), vec![]);
        assert!(matches!(&m.images.rows, Some(Err(e)) if e.contains("[images]")));
    }

    #[test]
    fn push_targets_the_registry_tag_and_a_refusal_ends_the_op_loudly() {
        let mut m = model();
        m.tab = Tab::Images;
        update(
            &mut m,
            Msg::Images(Ok(vec![
                row("sha256:a", &["app:1", "127.0.0.1:5000/app:1"]),
                row("sha256:b", &["app:0"]),
            ])),
        );
        assert_eq!(
            update(&mut m, Msg::Key(Key::ch('p'))),
            vec![Effect::PushImage {
                reference: "127.0.0.1:5000/app:1".into(),
                source: None,
            }]
        );
        assert!(m.images.busy());
        // A second push waits for the first.
        assert_eq!(update(&mut m, Msg::Key(Key::ch('p'))), vec![]);
        let effects = update(
            &mut m,
            Msg::ImageOpDone(OpEnd::Refused {
                rule: "ci-only-registry".into(),
                rule_summary: "only CI".into(),
                why: "why".into(),
                advice: "load it".into(),
            }),
        );
        assert_eq!(effects, vec![Effect::LoadImages { name: "app".into() }]);
        assert!(!m.images.busy());
        assert!(m.busy.is_none());
        assert!(m.notice.as_ref().is_some_and(|n| n.error));
        // Down then p pushes the other image: no registry tag, so its first tag, or that
        // tag in the local registry when one is configured.
        update(
            &mut m,
            Msg::Images(Ok(vec![
                row("sha256:a", &["app:1"]),
                row("sha256:b", &["app:0"]),
            ])),
        );
        update(&mut m, Msg::Key(Key::ch('j')));
        assert_eq!(
            update(&mut m, Msg::Key(Key::ch('p'))),
            vec![Effect::PushImage {
                reference: "app:0".into(),
                source: None,
            }]
        );
        update(&mut m, Msg::ImageOpDone(OpEnd::Done("ok".into())));
        m.images.local_registry = "127.0.0.1:5000".into();
        assert_eq!(
            update(&mut m, Msg::Key(Key::ch('p'))),
            vec![Effect::PushImage {
                reference: "127.0.0.1:5000/app:0".into(),
                source: Some("app:0".into()),
            }]
        );
    }

    #[test]
    fn build_events_fill_steps_and_log_and_stale_events_are_ignored() {
        use crate::images::build::BuildEvent;
        let mut m = model();
        update(
            &mut m,
            Msg::ImageBuild(vec![BuildEvent::Output("ignored".into())]),
        );
        assert!(m.images.op.is_none());
        assert_eq!(
            update(&mut m, Msg::Key(Key::ch('b'))),
            vec![Effect::BuildImage]
        );
        assert_eq!(m.tab, Tab::Images);
        update(
            &mut m,
            Msg::ImageBuild(vec![
                BuildEvent::Step {
                    index: 1,
                    total: 2,
                    text: "FROM scratch".into(),
                },
                BuildEvent::Output("hello".into()),
            ]),
        );
        let op = m.images.op.as_ref().unwrap();
        assert_eq!(op.step, Some((1, 2, "FROM scratch".into())));
        assert_eq!(op.log, ["Step 1/2 : FROM scratch", "hello"]);
        // A failure whose step lines are already on screen does not repeat them.
        let mut op = m.images.op.clone().unwrap();
        op.apply_build(vec![BuildEvent::Error {
            message: "exit 3".into(),
            context_lines: vec!["hello".into()],
        }]);
        assert_eq!(op.log.last().map(String::as_str), Some("error: exit 3"));
        assert!(!op.log.iter().any(|l| l.starts_with("---")), "{:?}", op.log);
        // Push events do not belong to a build.
        update(
            &mut m,
            Msg::ImagePush(vec![crate::images::push_stream::PushEvent::Status(
                "x".into(),
            )]),
        );
        assert_eq!(m.images.op.as_ref().unwrap().log.len(), 2);
    }
}
