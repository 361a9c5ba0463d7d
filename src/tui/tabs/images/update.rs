//! `update` for the Images tab: the list (loaded in the background), `b` to build the project
//! and `p` to push the selected image. A push goes through the same policy check as
//! `devk push`, in the runtime, before anything is sent; a refusal comes back as
//! [`OpEnd::Refused`] and is shown with its rule and what to do instead.

use super::state::{ImageOp, OpEnd, OpKind, SORTABLE, push_target};
use crate::tui::app::{Model, Notice, Tab};
use crate::tui::keymap::Action;
use crate::tui::msg::Effect;
use crate::tui::widgets::list::Nav;

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
    im.rows = Some(rows);
    // Keep the cursor on the same image, wherever the new list puts it.
    if let Some(Ok(list)) = &im.rows {
        let n = list.len();
        let at = keep.and_then(|id| {
            let i = list.iter().position(|r| r.id == id)?;
            im.visible().iter().position(|&v| v == i)
        });
        im.list.selected = at.unwrap_or(im.list.selected).min(n.saturating_sub(1));
    }
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
pub fn start_build(m: &mut Model) -> Vec<Effect> {
    m.tab = Tab::Images;
    if let Some(e) = refuse_if_busy(m) {
        return e;
    }
    m.images.op = Some(ImageOp::new(OpKind::Build));
    m.busy = Some("Building the project image".into());
    vec![Effect::BuildImage]
}

/// `p`: push the selected image.
pub fn start_push(m: &mut Model) -> Vec<Effect> {
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

/// Actions on the Images tab that act on the list. None leaves them to the router.
pub(super) fn on_action(m: &mut Model, action: Action) -> Option<Vec<Effect>> {
    let n = m.images.row_count();
    let page = m.page();
    let im = &mut m.images;
    if let Some(nav) = Nav::from_action(action) {
        im.list.nav(nav, n, page);
        m.dirty = true;
        return Some(Vec::new());
    }
    match action {
        Action::Retry => return Some(load_images(m)),
        Action::Sort | Action::SortReverse => {
            let mut list = std::mem::take(&mut im.list);
            list.change_sort(&SORTABLE, action == Action::SortReverse, |c| {
                im.visible_with(c)
            });
            im.list = list;
        }
        Action::Back if im.op.as_ref().is_some_and(|o| !o.running()) => im.op = None,
        _ => return None,
    }
    m.dirty = true;
    Some(Vec::new())
}
