//! The Registry creds tab end to end: the real binary in tmux, on the sandbox cluster, with
//! ECR answered by moto (which hands out an already-expired token). The TUI refreshes the
//! expired secret once at start, then waits instead of looping; `r` refreshes now; a failed
//! refresh puts the badge in the header.

use crate::creds::World;
use crate::support::{devk_bin, require_tool};
use crate::tui_e2e::Tmux;

/// `devk ui` on the sandbox with an AWS world that only reaches moto: every AWS_* variable of
/// the test's own environment is unset first.
fn ui_command(w: &World, with_keys: bool) -> String {
    let mut cmd = String::from("env");
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.push_str(&format!(" -u {k}"));
        }
    }
    let home = w.home.path().display();
    cmd.push_str(&format!(
        " AWS_CONFIG_FILE={home}/aws-config AWS_SHARED_CREDENTIALS_FILE={home}/aws-credentials \
         AWS_EC2_METADATA_DISABLED=true AWS_REGION=eu-west-1 AWS_ENDPOINT_URL=http://127.0.0.1:9 \
         AWS_ENDPOINT_URL_ECR={}",
        w.moto
    ));
    if with_keys {
        cmd.push_str(" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing");
    }
    cmd.push_str(&format!(
        " {} --kubeconfig {} ui",
        devk_bin().display(),
        w.kubeconfig.display()
    ));
    cmd
}

#[test]
fn the_tab_refreshes_an_expired_secret_once_then_waits_and_r_refreshes_now() {
    let test = "the_tab_refreshes_an_expired_secret_once";
    let Some(w) = World::start(test) else { return };
    let Some(tmux) = require_tool("tmux", test) else {
        return;
    };
    assert_eq!(
        w.devk(&["refresh", "--context", "demo", "-n", "shop"]).code,
        0
    );

    let t = Tmux::start(tmux, w.home.path(), &ui_command(&w, true));
    t.keys(&["4"]);
    let s = t.wait_for("the automatic refresh", |s| s.contains("(auto): ok"));
    assert!(s.contains("already expired: waiting"), "{s}");
    assert!(
        s.contains("Automatic refresh in 4m") || s.contains("Automatic refresh in 5m"),
        "{s}"
    );
    assert!(s.contains("shop") && s.contains("expired"), "{s}");
    assert!(
        !s.lines().next().unwrap_or("").contains("CREDS FAILED"),
        "{s}"
    );
    assert!(!s.contains("123456789012-auth-token"), "{s}");

    t.keys(&["r"]);
    let s = t.wait_for("the manual refresh", |s| s.contains("(manual): ok"));
    assert!(s.contains("already expired: waiting"), "{s}");
    t.quit();
    t.wait_for("devk's frame to go", |s| !s.contains("Registry creds"));
}

#[test]
fn a_failed_refresh_puts_the_badge_in_the_header_and_backs_off() {
    let test = "a_failed_refresh_puts_the_badge_in_the_header";
    let Some(w) = World::start(test) else { return };
    let Some(tmux) = require_tool("tmux", test) else {
        return;
    };
    assert_eq!(
        w.devk(&["refresh", "--context", "demo", "-n", "shop"]).code,
        0
    );

    // No AWS credentials at all: the refresh of the expired secret at start fails.
    let t = Tmux::start(tmux, w.home.path(), &ui_command(&w, false));
    let s = t.wait_for("the failure badge", |s| {
        s.lines().next().unwrap_or("").contains("CREDS FAILED")
    });
    assert!(
        s.contains("Pods & Logs"),
        "the badge shows on every tab:\n{s}"
    );
    t.keys(&["4"]);
    let s = t.wait_for("the failure on the tab", |s| {
        s.contains("FAILED: no AWS credentials")
    });
    assert!(s.contains("after a failure: backing off"), "{s}");
    t.quit();
    t.wait_for("devk's frame to go", |s| !s.contains("Registry creds"));
}
