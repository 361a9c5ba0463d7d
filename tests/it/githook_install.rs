//! Where the hook goes and what it does around other hooks: core.hooksPath, linked worktrees
//! and gitdir files, chaining an existing hook, refusing without --force, failing closed when
//! devk is missing, and a bad config stopping the push with the way out.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use crate::githook::{World, akia, secret_key};
use crate::support;

#[test]
fn core_hooks_path_is_honoured() {
    let Some(w) = World::new("core_hooks_path_is_honoured") else {
        return;
    };
    w.git_ok(&w.work, &["config", "core.hooksPath", ".githooks"]);
    let out = w.devk_ok(&w.work.join("."), &["hook", "install"]);
    let hook = w.work.join(".githooks/pre-push");
    assert!(out.contains(&hook.display().to_string()), "{out}");
    assert!(out.contains("core.hooksPath = .githooks"), "{out}");
    assert!(hook.is_file());
    assert!(!w.work.join(".git/hooks/pre-push").exists());
    assert_eq!(w.hooks_dir_per_git(&w.work), w.work.join(".githooks"));

    let status = w.devk_ok(&w.work, &["hook", "status"]);
    assert!(status.contains("core.hooksPath = .githooks"), "{status}");
    assert!(status.contains("devk's hook (v1)"), "{status}");

    w.commit(
        &w.work,
        "s.yaml",
        &format!("aws_secret_access_key: {}\n", secret_key()),
        "s",
    );
    let push = w.push(&["origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("aws-secret-access-key"), "{push:?}");
}

#[test]
fn hooks_of_a_linked_worktree_and_a_gitdir_file_are_where_git_looks() {
    let Some(w) = World::new("hooks_of_a_linked_worktree_and_a_gitdir_file_are_where_git_looks")
    else {
        return;
    };
    let wt = w.root.join("wt");
    w.git_ok(
        &w.work,
        &["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()],
    );
    w.devk_ok(&wt, &["hook", "install"]);
    assert!(w.work.join(".git/hooks/pre-push").is_file());
    assert_eq!(w.hooks_dir_per_git(&wt), w.work.join(".git/hooks"));
    w.commit(&wt, "w.txt", &format!("{}\n", akia()), "from the worktree");
    let push = w.git(&wt, &["push", "origin", "side"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("w.txt:1"), "{push:?}");
    // The record lives in the common git dir, readable from either checkout.
    assert!(devk::githook::last_scan(&wt).unwrap().is_some());
    assert!(devk::githook::last_scan(&w.work).unwrap().is_some());

    // `.git` is a file pointing elsewhere (git init --separate-git-dir, submodules).
    let sep = w.root.join("sep");
    let store = w.root.join("store.git");
    w.git_ok(
        &w.root,
        &[
            "init",
            "-q",
            "--separate-git-dir",
            store.to_str().unwrap(),
            sep.to_str().unwrap(),
        ],
    );
    assert!(sep.join(".git").is_file());
    let status = w.devk_ok(&sep, &["hook", "status"]);
    assert!(
        status.contains(&format!("hooks dir  {}", store.join("hooks").display())),
        "{status}"
    );
    w.devk_ok(&sep, &["hook", "install"]);
    assert!(store.join("hooks/pre-push").is_file());
    assert_eq!(w.hooks_dir_per_git(&sep), store.join("hooks"));
}

/// A pre-push hook that logs its arguments and input to `log` and exits `code`.
fn foreign_hook(log: &Path, code: i32) -> String {
    format!(
        "#!/bin/sh\necho \"args: $1 $2\" >> '{log}'\ncat >> '{log}'\nexit {code}\n",
        log = log.display()
    )
}

#[test]
fn an_existing_hook_is_chained_run_first_and_restored() {
    let Some(w) = World::new("an_existing_hook_is_chained_run_first_and_restored") else {
        return;
    };
    let hooks = w.work.join(".git/hooks");
    let hook = hooks.join("pre-push");
    let log = w.root.join("chained.log");
    let original = foreign_hook(&log, 0);
    fs::write(&hook, &original).unwrap();
    fs::set_permissions(&hook, fs::Permissions::from_mode(0o755)).unwrap();

    let out = w.devk_ok(&w.work, &["hook", "install"]);
    assert!(out.contains("the hook that was there runs first"), "{out}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-push.devk-chained")).unwrap(),
        original
    );
    let status = w.devk_ok(&w.work, &["hook", "status"]);
    assert!(status.contains("runs first"), "{status}");
    // Installing again changes nothing and chains nothing twice.
    let again = w.devk_ok(&w.work, &["hook", "install"]);
    assert!(again.contains("is up to date"), "{again}");

    let push = w.push(&["-u", "origin", "main"]);
    assert_eq!(push.code, 0, "{push:?}");
    let logged = fs::read_to_string(&log).unwrap();
    assert!(
        logged.starts_with("args: origin ../remote.git\nrefs/heads/main "),
        "{logged}"
    );
    assert!(
        push.stderr.contains("devk: no secrets in 1 new commit"),
        "{push:?}"
    );

    // A failing chained hook stops the push with its own exit code, before devk runs.
    fs::write(hooks.join("pre-push.devk-chained"), foreign_hook(&log, 7)).unwrap();
    let z = "0".repeat(40);
    let mut cmd = w.command(&hook, &w.work);
    cmd.args(["origin", "../remote.git"]).stdin(Stdio::piped());
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("refs/heads/main {z} refs/heads/gone {z}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(7), "{out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("devk:"),
        "{out:?}"
    );

    fs::write(hooks.join("pre-push.devk-chained"), &original).unwrap();
    let out = w.devk_ok(&w.work, &["hook", "uninstall"]);
    assert!(out.contains("the previous hook is back"), "{out}");
    assert_eq!(fs::read_to_string(&hook).unwrap(), original);
    assert!(!hooks.join("pre-push.devk-chained").exists());
    let status = w.devk_ok(&w.work, &["hook", "status"]);
    assert!(status.contains("another hook, not devk's"), "{status}");
}

#[test]
fn install_refuses_an_ambiguous_chain_without_force() {
    let Some(w) = World::new("install_refuses_an_ambiguous_chain_without_force") else {
        return;
    };
    let hooks = w.work.join(".git/hooks");
    let log = w.root.join("log");
    fs::write(hooks.join("pre-push.devk-chained"), foreign_hook(&log, 0)).unwrap();
    fs::write(hooks.join("pre-push"), foreign_hook(&log, 3)).unwrap();
    let refused = w.devk(&w.work, &["hook", "install"]);
    assert_eq!(refused.code, 6, "{refused:?}");
    assert!(refused.stderr.contains("--force"), "{refused:?}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-push")).unwrap(),
        foreign_hook(&log, 3)
    );

    let forced = w.devk_ok(&w.work, &["hook", "install", "--force"]);
    assert!(forced.contains("pre-push.devk-chained.old"), "{forced}");
    assert_eq!(
        fs::read_to_string(hooks.join("pre-push.devk-chained")).unwrap(),
        foreign_hook(&log, 3)
    );

    // Uninstall leaves a hook that is not devk's alone.
    w.devk_ok(&w.work, &["hook", "uninstall"]);
    let not_ours = w.devk(&w.work, &["hook", "uninstall"]);
    assert_eq!(not_ours.code, 6, "{not_ours:?}");
    assert!(
        not_ours.stderr.contains("is not devk's hook"),
        "{not_ours:?}"
    );
}

#[test]
fn missing_devk_binary_fails_closed_with_the_way_out() {
    let Some(w) = World::installed("missing_devk_binary_fails_closed_with_the_way_out") else {
        return;
    };
    w.commit(&w.work, "x.txt", "x\n", "x");
    let mut cmd = w.command(Path::new("git"), &w.work);
    cmd.args(["push", "origin", "main"])
        .env("DEVK_HOOK_BIN", w.root.join("no/such/devk"));
    let push = support::run(&mut cmd);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("cannot run devk"), "{push:?}");
    assert!(push.stderr.contains("git push --no-verify"), "{push:?}");
    assert!(push.stderr.contains("devk hook uninstall"), "{push:?}");
}

#[test]
fn bad_config_stops_the_push_with_the_key_and_the_way_out() {
    let Some(w) = World::installed("bad_config_stops_the_push_with_the_key_and_the_way_out") else {
        return;
    };
    fs::write(
        w.work.join("devk.toml"),
        "[hook]\ncustom_patterns = [\"(open\"]\n",
    )
    .unwrap();
    w.commit(&w.work, "y.txt", "y\n", "y");
    let push = w.push(&["origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("devk.toml:2"), "{push:?}");
    assert!(push.stderr.contains("hook.custom_patterns"), "{push:?}");
    assert!(push.stderr.contains("git push --no-verify"), "{push:?}");
}
