//! `devk demo` in its own project, a first run without a kubeconfig, and `scripts/install`:
//! the real binary (in tmux for the TUI), with the exit status of every run checked.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::{devk, devk_bin, require_tool, run};
use crate::tmux::Tmux;

/// Waits (15 s at most) for `pred`, polling.
fn wait(what: &str, mut pred: impl FnMut() -> bool) {
    let start = Instant::now();
    while !pred() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "timed out waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// `devk demo` (or other `devk` arguments) on a terminal in tmux, with a HOME and a TMPDIR of
/// its own.
struct Demo {
    term: Tmux,
    home: tempfile::TempDir,
    tmp: PathBuf,
}

impl std::ops::Deref for Demo {
    type Target = Tmux;

    fn deref(&self) -> &Tmux {
        &self.term
    }
}

impl Demo {
    fn start(tmux: PathBuf, extra_env: &str) -> Demo {
        Demo::run(tmux, extra_env, "demo")
    }

    /// `devk ARGS` in the same set-up.
    fn run(tmux: PathBuf, extra_env: &str, args: &str) -> Demo {
        let home = tempfile::tempdir().unwrap();
        let tmp = home.path().join("tmp");
        std::fs::create_dir(&tmp).unwrap();
        let line = format!(
            "cd {h} && env -u KUBECONFIG -u CI HOME={h} XDG_CONFIG_HOME={h}/.config \
             XDG_STATE_HOME={h}/.state TMPDIR={tmp} TERM=xterm-256color {extra_env} {devk} {args}",
            h = home.path().display(),
            tmp = tmp.display(),
            devk = devk_bin().display(),
        );
        let term = Tmux::run_line(tmux, home.path(), &line, 120, 36);
        Demo { term, home, tmp }
    }

    /// The demo's temporary directories (one while it runs).
    fn dirs(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.tmp)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().starts_with("devk-demo-"))
            .map(|e| e.path())
            .collect()
    }
}

#[test]
fn demo_runs_in_a_project_of_its_own_with_the_hook_installed_and_removes_it_on_quit() {
    let test = "demo_runs_in_a_project_of_its_own";
    let Some(tmux) = require_tool("tmux", test) else {
        return;
    };
    if require_tool("git", test).is_none() {
        return;
    }
    // No Docker Engine here: the Images tab and the closing note say what it needs.
    let d = Demo::start(tmux, "DOCKER_HOST=unix:///nonexistent/docker.sock");
    d.wait_for("the demo to connect", |s| {
        s.contains("SIMULATED CLUSTER") && s.contains("connected")
    });
    let dirs = d.dirs();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let project = dirs[0].join("project");
    for file in [
        "devk.toml",
        "Dockerfile",
        ".dockerignore",
        ".git/hooks/pre-push",
    ] {
        assert!(
            project.join(file).is_file(),
            "{file} in {}",
            project.display()
        );
    }
    // Nothing of the demo lands in the user's home (git config, hooks).
    assert!(!d.home.path().join(".gitconfig").exists());

    d.keys(&["6"]);
    let s = d.wait_for("the hook tab", |s| s.contains("last scan"));
    assert!(s.contains("installed (hook format"), "{s}");
    assert!(
        s.contains("BLOCKED"),
        "the demo's second push was stopped: {s}"
    );
    assert!(s.contains("aws.env:2 aws-access-key-id AKIA****"), "{s}");

    d.keys(&["3"]);
    let s = d.wait_for("the images tab", |s| s.contains("could not be listed"));
    assert!(s.contains("Docker Engine"), "{s}");

    d.keys(&["q"]);
    assert_eq!(d.exit_status(), 0);
    let s = d.wait_for("the closing note", |s| s.contains("could not show"));
    assert!(s.contains("needs a reachable Docker Engine"), "{s}");
    assert!(s.contains("AWS credentials"), "{s}");
    wait("the demo's directory to go", || d.dirs().is_empty());
}

#[test]
fn demo_removes_its_project_on_sigterm() {
    let test = "demo_removes_its_project_on_sigterm";
    let Some(tmux) = require_tool("tmux", test) else {
        return;
    };
    let d = Demo::start(tmux, "");
    d.wait_for("the demo to connect", |s| s.contains("connected"));
    assert_eq!(d.dirs().len(), 1);
    let pid = d.command_pid();
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    // SIGTERM ends the TUI as `q` does, the terminal restored and everything removed, and
    // then devk ends by the signal, as the shell reports it (128 + 15).
    assert_eq!(d.exit_status(), 143);
    wait("the demo's directory to go", || d.dirs().is_empty());
}

#[test]
fn the_tui_without_a_kubeconfig_says_how_to_try_the_demo() {
    let Some(tmux) = require_tool("tmux", "the_tui_without_a_kubeconfig") else {
        return;
    };
    let d = Demo::run(tmux, "", "");
    let s = d.wait_for("the contexts tab", |s| s.contains("No kubeconfig yet"));
    assert!(s.contains(".kube/config does not exist"), "{s}");
    assert!(s.contains("run `devk demo`"), "{s}");
    d.keys(&["q"]);
    assert_eq!(d.exit_status(), 0);
}

#[test]
fn a_first_run_without_a_kubeconfig_points_to_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let current = run(devk(home.path()).arg("current"));
    assert_eq!(current.code, 5, "{current:?}");
    assert!(current.stderr.contains("no kubeconfig yet"), "{current:?}");
    assert!(current.stderr.contains("`devk demo`"), "{current:?}");
    let contexts = run(devk(home.path()).arg("contexts"));
    assert_eq!(contexts.code, 0, "{contexts:?}");
    assert!(contexts.stderr.contains("`devk demo`"), "{contexts:?}");

    // With a kubeconfig that merely has no current context, the old advice stands.
    let kube = home.path().join(".kube");
    std::fs::create_dir(&kube).unwrap();
    std::fs::write(kube.join("config"), "apiVersion: v1\nkind: Config\n").unwrap();
    let current = run(devk(home.path()).arg("current"));
    assert_eq!(current.code, 5, "{current:?}");
    assert!(current.stderr.contains("devk switch NAME"), "{current:?}");
    assert!(!current.stderr.contains("devk demo"), "{current:?}");
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name)
}

#[test]
fn install_script_puts_devk_its_completions_and_man_pages_in_place() {
    let home = tempfile::tempdir().unwrap();
    let root = home.path().join("prefix");
    let path = format!(
        "{}:{}",
        root.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new(script("install"));
    crate::support::isolate(&mut cmd, home.path());
    cmd.env("PATH", &path)
        .arg("--root")
        .arg(&root)
        .arg("--binary")
        .arg(devk_bin());
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{r:?}");
    let installed = root.join("bin/devk");
    assert!(
        r.stdout
            .contains(&format!("`devk` on PATH is {}", installed.display())),
        "{r:?}"
    );
    let version = run(Command::new(&installed).arg("--version"));
    assert_eq!(version.code, 0, "{version:?}");
    assert!(version.stdout.starts_with("devk "), "{version:?}");
    let data = home.path().join(".local/share");
    for (file, shell_word) in [
        (data.join("bash-completion/completions/devk"), "complete"),
        (root.join("share/zsh/site-functions/_devk"), "compdef"),
        (
            home.path().join(".config/fish/completions/devk.fish"),
            "complete",
        ),
    ] {
        let text =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            text.contains(shell_word) && text.contains("devk"),
            "{}",
            file.display()
        );
    }
    let man = root.join("share/man/man1");
    assert!(man.join("devk.1").is_file());
    assert!(man.join("devk-hook-install.1").is_file());

    // Again: every file replaced, same result.
    assert_eq!(run(&mut cmd).code, 0);
    // Not on PATH: says how to put it there.
    let mut off_path = Command::new(script("install"));
    crate::support::isolate(&mut off_path, home.path());
    off_path
        .env("PATH", "/usr/bin:/bin")
        .args(["--root"])
        .arg(home.path().join("elsewhere"))
        .arg("--binary")
        .arg(devk_bin());
    let r = run(&mut off_path);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("is not on PATH; add it"), "{r:?}");
    let bad = run(Command::new(script("install")).arg("--bogus"));
    assert_eq!(bad.code, 2, "{bad:?}");
}
