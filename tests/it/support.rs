//! Shared helpers for the integration tests.

use std::path::PathBuf;
use std::process::Command;

/// Path to the devk binary built for these tests.
pub fn devk_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_devk"))
}

/// True when the test script promised that every service is present.
pub fn services_required() -> bool {
    std::env::var("DEVK_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Returns the path of an external tool, or `None` after printing that the test is skipped.
/// Under the test script (DEVK_REQUIRE_SERVICES=1) a missing tool fails the test instead.
pub fn require_tool(name: &str, test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if services_required() => {
            panic!("{test}: `{name}` is required under scripts/test but is not on PATH")
        }
        None => {
            eprintln!("SKIPPED {test}: `{name}` not on PATH (run scripts/test to install it)");
            None
        }
    }
}

/// A `devk` command with an isolated HOME and XDG dirs, so tests never touch the real user's
/// files.
pub fn devk(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(devk_bin());
    isolate(&mut cmd, home);
    cmd
}

/// Points HOME and the XDG base dirs of `cmd` into `home` and clears variables that would leak
/// the developer's own setup into a test.
pub fn isolate(cmd: &mut Command, home: &std::path::Path) {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env_remove("KUBECONFIG")
        .env_remove("CI")
        .current_dir(home);
    for (k, _) in std::env::vars() {
        if k.starts_with("DEVK_") && k != "DEVK_REQUIRE_SERVICES" {
            cmd.env_remove(k);
        }
    }
}

/// A kubeconfig text with `contexts` as (name, cluster, server, namespace), one token user,
/// and `current` as current-context.
pub fn kubeconfig(current: Option<&str>, contexts: &[(&str, &str, &str, Option<&str>)]) -> String {
    let mut s = String::from("apiVersion: v1\nkind: Config\n");
    if let Some(c) = current {
        s.push_str(&format!("current-context: {c}\n"));
    }
    s.push_str("clusters:\n");
    let mut seen = Vec::new();
    for (_, cluster, server, _) in contexts {
        if !seen.contains(cluster) {
            seen.push(*cluster);
            s.push_str(&format!(
                "- name: {cluster}\n  cluster:\n    server: {server}\n"
            ));
        }
    }
    s.push_str("contexts:\n");
    for (name, cluster, _, ns) in contexts {
        s.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {cluster}\n    user: dev\n"
        ));
        if let Some(ns) = ns {
            s.push_str(&format!("    namespace: {ns}\n"));
        }
    }
    s.push_str("users:\n- name: dev\n  user:\n    token: not-a-real-token\n");
    s
}

/// The output of a finished command, for assertions.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to completion with stdin closed.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .expect("spawn command");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}
