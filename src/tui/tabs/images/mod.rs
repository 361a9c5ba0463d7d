//! The Images tab: the project's local images (`[images] name`), `b` to build the project as
//! `devk build` does and `p` to push the selected image as `devk push` does (push policy
//! first; a refusal is shown with its rule and what to do instead). The build or push streams
//! its progress (`tasks.rs`) into the operation pane below the list.

mod state;
pub mod tasks;
#[cfg(test)]
mod tests;
mod update;
mod view;

pub use state::{ImageOp, ImagesState, Layer, OpEnd, OpKind, push_target};
pub use update::{start_build, start_push};

use ratatui::Frame;
use ratatui::layout::Rect;

use super::Page;
use crate::tui::app::Model;
use crate::tui::keymap::Action;
use crate::tui::msg::{Effect, Msg};
use crate::tui::theme::Theme;
use crate::tui::widgets::status::Hint;

/// The Images tab.
pub struct ImagesPage;

impl Page for ImagesPage {
    fn on_action(&self, m: &mut Model, action: Action) -> Option<Vec<Effect>> {
        update::on_action(m, action)
    }

    fn on_msg(&self, m: &mut Model, msg: Msg) -> Vec<Effect> {
        match msg {
            Msg::Images(rows) => update::images_loaded(m, rows),
            Msg::ImageBuild(events) => update::build_events(m, events),
            Msg::ImagePush(events) => update::push_events(m, events),
            Msg::ImageOpDone(end) => return update::op_done(m, end),
            _ => {}
        }
        Vec::new()
    }

    fn on_enter(&self, m: &mut Model) -> Vec<Effect> {
        update::enter_images(m)
    }

    fn draw(&self, m: &Model, theme: &Theme, f: &mut Frame, area: Rect) {
        view::draw(m, theme, f, area);
    }

    fn position(&self, m: &Model) -> Option<String> {
        let n = m.images.row_count();
        (n > 0).then(|| m.images.list.position(n))
    }

    fn hints(&self, m: &Model) -> Vec<Hint> {
        let k = |a: Action| m.keymap.first_key(a);
        vec![
            (k(Action::ImageBuild), "build"),
            (k(Action::ImagePush), "push"),
            (k(Action::Retry), "refresh"),
            (k(Action::Back), "close output"),
            (k(Action::Help), "help"),
            (k(Action::Quit), "quit"),
        ]
    }
}
