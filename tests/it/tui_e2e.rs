//! End to end: the real binary in tmux, on `devk demo`'s sandbox cluster. Keys go in with
//! send-keys; the screen is read with capture-pane.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::support::{devk_bin, require_tool};

pub(crate) use crate::tmux::Tmux;

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

#[test]
fn demo_switches_through_the_protected_dialog_filters_and_quits() {
    let Some(tmux) = require_tool("tmux", "demo_switches_through_the_protected_dialog") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(tmux, home.path(), &format!("{} demo", devk_bin().display()));
    let s = t.wait_for("the demo to connect", |s| {
        s.contains("SIMULATED CLUSTER") && s.contains("connected")
    });
    assert!(
        header(&s).contains("context demo ") && header(&s).contains("local"),
        "{s}"
    );

    // Pods of the demo namespace, live from the sandbox.
    t.keys(&["2"]);
    t.wait_for("pods", |s| s.contains("READY") && s.contains("Running"));

    // Filter the contexts to the protected one and try to switch: the dialog asks for its name.
    t.keys(&["1", "/"]);
    t.text("prod");
    t.keys(&["Enter", "Enter"]);
    t.wait_for("the confirmation dialog", |s| {
        s.contains("Switch to a PROTECTED context")
    });
    t.text("demo-pro");
    t.keys(&["Enter"]);
    t.wait_for("the mismatch hint", |s| s.contains("That is not demo-prod"));
    t.keys(&[
        "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace", "BSpace",
    ]);
    t.text("demo-prod");
    t.keys(&["Enter"]);
    let s = t.wait_for("the switch", |s| {
        header(s).contains("context demo-prod") && header(s).contains("PROTECTED")
    });
    assert!(
        s.contains("PROTECTED CONTEXT"),
        "the frame is tinted and labelled: {s}"
    );

    // Quit: devk exits with status 0 (the pane then shows the shell's sleep, without devk's
    // frame).
    t.quit();
    t.wait_for("devk's frame to go", |s| !s.contains("SIMULATED CLUSTER"));
}

#[test]
fn demo_log_view_follows_filters_and_goes_back() {
    let Some(tmux) = require_tool("tmux", "demo_log_view_follows_filters_and_goes_back") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let t = Tmux::start(tmux, home.path(), &format!("{} demo", devk_bin().display()));
    t.wait_for("the demo to connect", |s| s.contains("connected"));
    t.keys(&["2"]);
    t.wait_for("the pod list", |s| s.contains("hello"));
    // The demo opens in `shop`, where `hello` is not the first pod: filter the list to it.
    t.keys(&["/"]);
    t.text("hello");
    t.keys(&["Enter"]);
    t.wait_for("the filtered pod list", |s| !s.contains("storefront"));
    t.keys(&["Enter"]);
    t.wait_for("log lines", |s| {
        s.contains("● follow") && s.contains("hello from the devk sandbox")
    });
    t.keys(&["/"]);
    t.text("still here");
    t.keys(&["Enter"]);
    // One predicate for the whole frame: a capture can catch devk between two rows of a
    // redraw (the status line new, the body not yet).
    t.wait_for("only matching lines under the filter", |s| {
        let body: Vec<&str> = s
            .lines()
            .skip(4)
            .filter(|l| l.contains("INFO") || l.contains("WARN") || l.contains("DEBUG"))
            .collect();
        s.contains("/still here/")
            && s.contains("matches")
            && !body.is_empty()
            && body.iter().all(|l| l.contains("still here"))
    });
    t.keys(&["t"]);
    t.wait_for("timestamps", |s| s.contains("│ ts"));
    // Esc clears the filter first, then goes back to the pod list (a pause after each: tmux
    // reads Escape + key as alt-key).
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
    t.wait_for("the filter cleared", |s| {
        s.contains("● follow") && !s.contains("/still here/")
    });
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
    t.wait_for("the pod list again", |s| {
        s.contains("READY") && s.contains("hello")
    });
    t.quit();
    t.wait_for("devk's frame to go", |s| !s.contains("SIMULATED CLUSTER"));
}

#[test]
fn unreachable_cluster_still_draws_and_quits() {
    let Some(tmux) = require_tool("tmux", "unreachable_cluster_still_draws_and_quits") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let kc = home.path().join("kubeconfig");
    std::fs::write(
        &kc,
        crate::support::kubeconfig(
            Some("gone"),
            &[("gone", "gone", "https://127.0.0.1:9", None)],
        ),
    )
    .unwrap();
    let t = Tmux::start(
        tmux,
        home.path(),
        &format!("env KUBECONFIG={} {}", kc.display(), devk_bin().display()),
    );
    t.keys(&["2"]);
    t.wait_for("the unreachable state", |s| {
        s.contains("unreachable") && s.contains("retry now")
    });
    t.keys(&["C-c"]);
    assert_eq!(t.exit_status(), 0, "ctrl-c quits like q");
    t.wait_for("devk's frame to go", |s| !s.contains("Pods & Logs"));
}

/// The Minikube tab against the stand-in `minikube` that replays RECORDED outputs of minikube
/// v1.34.0 (tests/fixtures/minikube): not a real minikube, which cannot run here.
#[test]
fn recorded_minikube_profiles_and_live_start_output_in_the_tui() {
    let Some(tmux) = require_tool(
        "tmux",
        "recorded_minikube_profiles_and_live_start_output_in_the_tui",
    ) else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minikube");
    std::os::unix::fs::symlink(fixtures.join("fake-minikube"), bin.join("minikube")).unwrap();
    let kc = home.path().join("kubeconfig");
    std::fs::write(
        &kc,
        crate::support::kubeconfig(
            Some("minikube"),
            &[("minikube", "minikube", "https://127.0.0.1:9", None)],
        ),
    )
    .unwrap();
    let cmd = format!(
        "env PATH={}:$PATH FAKE_MINIKUBE_DIR={} KUBECONFIG={} {}",
        bin.display(),
        fixtures.display(),
        kc.display(),
        devk_bin().display()
    );
    let t = Tmux::start(tmux, home.path(), &cmd);
    t.keys(&["5"]);
    t.wait_for("the profiles", |s| {
        s.contains("PROFILE") && s.contains("192.168.49.2") && s.contains("registry-creds")
    });
    t.keys(&["j", "Enter"]);
    t.wait_for("live start output", |s| {
        s.contains("Starting dev") && s.contains("Done!")
    });
    t.quit();
    t.wait_for("devk's frame to go", |s| !s.contains("PROFILE"));
}

#[test]
fn demo_removes_its_temporary_kubeconfig_when_the_terminal_closes() {
    let Some(tmux) = require_tool("tmux", "demo_removes_its_temporary_kubeconfig") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    // A TMPDIR of its own: the demo's directory is the only thing that can appear there.
    let tmp = home.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let demo_dirs = || {
        std::fs::read_dir(&tmp)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("devk-demo-"))
            .count()
    };
    let t = Tmux::start(
        tmux,
        home.path(),
        &format!("env TMPDIR={} {} demo", tmp.display(), devk_bin().display()),
    );
    t.wait_for("the demo to connect", |s| {
        s.contains("SIMULATED CLUSTER") && s.contains("connected")
    });
    assert_eq!(demo_dirs(), 1, "the demo keeps its kubeconfig in TMPDIR");
    // Killing the tmux server closes the pty: devk gets SIGHUP, as when a terminal window closes.
    drop(t);
    let deadline = Instant::now() + Duration::from_secs(15);
    while demo_dirs() > 0 {
        assert!(
            Instant::now() < deadline,
            "the demo's temporary directory is still there after SIGHUP"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
