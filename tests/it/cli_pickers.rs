//! `devk switch` without a name (the inline fuzzy picker, on a real pty in tmux; the list and
//! exit 2 without a terminal) and `devk ns NAME` (a unique fuzzy match among the cluster's
//! namespaces, the closest names when there is none), against the sandbox API server.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use devk::sandbox::{SandboxHandle, SandboxOptions, Scenario, start};

use crate::support::{devk, devk_bin, kubeconfig, require_tool, run};

/// A tmux server of its own, running one command in a 100x30 pane, killed on drop.
struct Pane {
    tmux: PathBuf,
    socket: String,
}

impl Pane {
    fn start(tmux: PathBuf, home: &Path, kubeconfig: &Path, args: &str, done: &Path) -> Pane {
        let socket = format!(
            "devk-picker-{}-{}",
            std::process::id(),
            home.file_name().unwrap().to_string_lossy()
        );
        let cmd = format!(
            "env HOME={h} XDG_CONFIG_HOME={h}/.config XDG_STATE_HOME={h}/.state KUBECONFIG={k} TERM=xterm-256color {devk} {args}; echo $? > {done}; sleep 30",
            h = home.display(),
            k = kubeconfig.display(),
            devk = devk_bin().display(),
            done = done.display(),
        );
        let p = Pane { tmux, socket };
        let ok = p
            .cmd(&[
                "new-session",
                "-d",
                "-s",
                "p",
                "-x",
                "100",
                "-y",
                "30",
                &cmd,
            ])
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        p
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.tmux);
        c.args(["-L", &self.socket]).args(args);
        c
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "p"];
        args.extend_from_slice(keys);
        assert!(self.cmd(&args).status().unwrap().success());
    }

    fn text(&self, text: &str) {
        assert!(
            self.cmd(&["send-keys", "-t", "p", "-l", text])
                .status()
                .unwrap()
                .success()
        );
    }

    fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "p"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits (15 s at most: a bound, not a timed assertion) until the screen satisfies `pred`.
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(15),
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}

/// Waits for the command's exit status, written to `done`.
fn exit_code(done: &Path) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(code) = fs::read_to_string(done)
            .ok()
            .and_then(|s| s.trim().parse().ok())
        {
            return code;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the command never ended"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn contexts_file(home: &Path) -> PathBuf {
    let file = home.join("config");
    let text = kubeconfig(
        Some("minikube"),
        &[
            ("minikube", "minikube", "https://127.0.0.1:9", None),
            ("kind-dev", "kind-dev", "https://127.0.0.1:9", None),
            ("eks-staging", "eks-staging", "https://10.1.0.1", None),
            ("eks-prod-eu", "eks-prod-eu", "https://10.2.0.1", None),
        ],
    );
    fs::write(&file, text).unwrap();
    file
}

fn current(home: &Path, file: &Path) -> String {
    let mut cmd = devk(home);
    cmd.env("KUBECONFIG", file)
        .args(["current", "-o", "context"]);
    run(&mut cmd).stdout.trim().to_string()
}

#[test]
fn switch_without_a_name_on_a_terminal_picks_by_fuzzy_filter() {
    let Some(tmux) = require_tool("tmux", "switch_without_a_name_on_a_terminal") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let file = contexts_file(home.path());
    let done = home.path().join("done");
    let p = Pane::start(tmux, home.path(), &file, "switch", &done);
    let s = p.wait_for("the picker", |s| s.contains("context>"));
    assert!(
        s.contains("(4/4)") && s.contains("> minikube  (current)"),
        "{s}"
    );
    p.text("stag");
    let s = p.wait_for("the filtered list", |s| s.contains("(1/4)"));
    assert!(s.contains("> eks-staging"), "{s}");
    p.keys(&["Enter"]);
    assert_eq!(exit_code(&done), 0, "{}", p.screen());
    let s = p.screen();
    assert!(s.contains("Switched to context \"eks-staging\"."), "{s}");
    assert!(
        !s.contains("context>"),
        "the picker is erased when done:\n{s}"
    );
    assert_eq!(current(home.path(), &file), "eks-staging");
}

#[test]
fn a_protected_context_picked_still_asks_for_its_name_and_escape_changes_nothing() {
    let Some(tmux) = require_tool("tmux", "a_protected_context_picked_still_asks") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let file = contexts_file(home.path());
    let done = home.path().join("done");
    let p = Pane::start(tmux.clone(), home.path(), &file, "switch", &done);
    p.wait_for("the picker", |s| s.contains("context>"));
    p.text("prod");
    let s = p.wait_for("the protected row", |s| s.contains("(1/4)"));
    assert!(s.contains("> eks-prod-eu  (protected)"), "{s}");
    p.keys(&["Enter"]);
    p.wait_for("the confirmation", |s| s.contains("Type its name"));
    p.text("eks-prod-eu");
    p.keys(&["Enter"]);
    assert_eq!(exit_code(&done), 0, "{}", p.screen());
    assert_eq!(current(home.path(), &file), "eks-prod-eu");
    drop(p);

    let done = home.path().join("done-esc");
    let p = Pane::start(tmux, home.path(), &file, "switch", &done);
    p.wait_for("the picker", |s| s.contains("context>"));
    p.keys(&["Escape"]);
    assert_eq!(exit_code(&done), 1, "{}", p.screen());
    assert!(p.screen().contains("no context picked; nothing changed"));
    assert_eq!(current(home.path(), &file), "eks-prod-eu");
}

#[test]
fn switch_without_a_name_and_without_a_terminal_lists_the_contexts_and_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let file = contexts_file(home.path());
    let mut cmd = devk(home.path());
    cmd.env("KUBECONFIG", &file).arg("switch");
    let r = run(&mut cmd);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("needs a context name"), "{r:?}");
    for name in ["eks-prod-eu", "eks-staging", "kind-dev", "minikube"] {
        assert!(r.stderr.contains(&format!("\n  {name}")), "{name}: {r:?}");
    }
    assert_eq!(current(home.path(), &file), "minikube");
}

/// A sandbox with many namespaces, and its kubeconfig.
async fn sandbox_with_namespaces(dir: &Path) -> (SandboxHandle, PathBuf) {
    let mut toml = String::from("[sandbox]\nnodes = [\"node-a\"]\n");
    for name in ["payments", "payments-ci", "orders", "team"] {
        toml.push_str(&format!("[[namespace]]\nname = \"{name}\"\n"));
    }
    for i in 0..300 {
        toml.push_str(&format!("[[namespace]]\nname = \"tenant-{i:03}\"\n"));
    }
    let handle = start(SandboxOptions {
        scenario: Scenario::from_toml_str(&toml, "test").unwrap(),
        addr: "127.0.0.1:0".parse().unwrap(),
        token: "ns-test-token".into(),
    })
    .await
    .unwrap();
    let file = dir.join("sandbox.yaml");
    fs::write(&file, handle.kubeconfig_yaml()).unwrap();
    (handle, file)
}

fn ns(home: &Path, file: &Path, args: &[&str]) -> crate::support::Run {
    let mut cmd = devk(home);
    cmd.env("KUBECONFIG", file).arg("ns").args(args);
    run(&mut cmd)
}

#[tokio::test(flavor = "multi_thread")]
async fn ns_takes_a_unique_fuzzy_match_and_marks_the_current_namespace() {
    let home = tempfile::tempdir().unwrap();
    let (_sandbox, file) = sandbox_with_namespaces(home.path()).await;
    let (h, f) = (home.path().to_path_buf(), file.clone());
    tokio::task::spawn_blocking(move || {
        let r = ns(&h, &f, &["ord"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains("Active namespace is \"orders\""), "{r:?}");
        let r = ns(&h, &f, &[]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.lines().any(|l| l == "* orders"), "{r:?}");
        assert!(r.stdout.lines().any(|l| l == "  payments"), "{r:?}");
        assert_eq!(r.stdout.lines().filter(|l| l.starts_with('*')).count(), 1);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn ns_refuses_ambiguous_and_unknown_names_with_the_closest_ones() {
    let home = tempfile::tempdir().unwrap();
    let (_sandbox, file) = sandbox_with_namespaces(home.path()).await;
    let (h, f) = (home.path().to_path_buf(), file.clone());
    tokio::task::spawn_blocking(move || {
        let r = ns(&h, &f, &["paym"]);
        assert_eq!(r.code, 5, "{r:?}");
        assert!(r.stderr.contains("matches 2 namespaces"), "{r:?}");
        assert!(r.stderr.contains("\n  payments\n  payments-ci"), "{r:?}");
        let r = ns(&h, &f, &["oredrs"]);
        assert_eq!(r.code, 5, "{r:?}");
        assert!(r.stderr.contains("did you mean `orders`?"), "{r:?}");
        assert!(!r.stderr.contains("tenant-"), "not every namespace: {r:?}");
        let r = ns(&h, &f, &["tenant"]);
        assert_eq!(r.code, 5, "{r:?}");
        assert!(
            r.stderr.contains("... and "),
            "a long candidate list is cut: {r:?}"
        );
        let r = ns(&h, &f, &["brand-new", "--force"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains("\"brand-new\""), "{r:?}");
    })
    .await
    .unwrap();
}
