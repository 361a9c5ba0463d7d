//! The Hook tab's screens.

use crate::tui::app::Tab;
use crate::tui::fixtures::{assert_screens, model};

#[test]
fn hook_tab_at_120x40_and_80x24() {
    let mut hook = model();
    hook.tab = Tab::Hook;
    hook.hook = Some(Ok(Box::new(super::HookInfo {
        status: crate::githook::install::HookStatus {
            location: crate::githook::install::HooksLocation {
                dir: "/src/app/.git/hooks".into(),
                hooks_path: None,
                common_dir: "/src/app/.git".into(),
            },
            hook: "/src/app/.git/hooks/pre-push".into(),
            state: crate::githook::install::HookState::Missing,
            chained: None,
        },
        last_scan: None,
    })));
    assert_screens!([("hook_not_installed", hook)]);
}
