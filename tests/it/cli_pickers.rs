//! `devk switch` without a name (the inline fuzzy picker, on a real pty in tmux; the list and
//! exit 2 without a terminal) and `devk ns NAME` (a unique fuzzy match among the cluster's
//! namespaces, the closest names when there is none), against the sandbox API server.

use std::fs;
use std::path::{Path, PathBuf};

use devk::sandbox::{SandboxHandle, SandboxOptions, Scenario, start};

use crate::support::{devk, devk_bin, kubeconfig, require_tool, run};
use crate::tmux::Tmux;

/// `devk ARGS` on a 100x30 terminal with `home` and `kubeconfig`. `run` names this run: its
/// tmux socket and exit status file are its own.
fn on_terminal(tmux: PathBuf, home: &Path, kubeconfig: &Path, args: &str, run: &str) -> Tmux {
    let dir = home.join(run);
    fs::create_dir_all(&dir).unwrap();
    let line = format!(
        "env HOME={h} XDG_CONFIG_HOME={h}/.config XDG_STATE_HOME={h}/.state KUBECONFIG={k} TERM=xterm-256color {devk} {args}",
        h = home.display(),
        k = kubeconfig.display(),
        devk = devk_bin().display(),
    );
    Tmux::run_line(tmux, &dir, &line, 100, 30)
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
    let p = on_terminal(tmux, home.path(), &file, "switch", "pick");
    let s = p.wait_for("the picker", |s| s.contains("context>"));
    assert!(
        s.contains("(4/4)") && s.contains("> minikube  (current)"),
        "{s}"
    );
    p.text("stag");
    let s = p.wait_for("the filtered list", |s| s.contains("(1/4)"));
    assert!(s.contains("> eks-staging"), "{s}");
    p.keys(&["Enter"]);
    assert_eq!(p.exit_status(), 0, "{}", p.screen());
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
    let p = on_terminal(tmux.clone(), home.path(), &file, "switch", "pick");
    p.wait_for("the picker", |s| s.contains("context>"));
    p.text("prod");
    let s = p.wait_for("the protected row", |s| s.contains("(1/4)"));
    assert!(s.contains("> eks-prod-eu  (protected)"), "{s}");
    p.keys(&["Enter"]);
    p.wait_for("the confirmation", |s| s.contains("Type its name"));
    p.text("eks-prod-eu");
    p.keys(&["Enter"]);
    assert_eq!(p.exit_status(), 0, "{}", p.screen());
    assert_eq!(current(home.path(), &file), "eks-prod-eu");
    drop(p);

    let p = on_terminal(tmux, home.path(), &file, "switch", "escape");
    p.wait_for("the picker", |s| s.contains("context>"));
    p.keys(&["Escape"]);
    assert_eq!(p.exit_status(), 1, "{}", p.screen());
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
