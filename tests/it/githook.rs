//! The pre-push hook and `devk scan` against real repositories: a work repository in a temp
//! dir pushing to a local bare remote through the installed hook, which runs this build of
//! devk (via DEVK_HOOK_BIN). HOME, XDG and git's global/system config are isolated.
//!
//! Secrets in these tests are assembled at run time from pieces, so that this file holds
//! nothing a scanner (devk's own hook, git-secrets) would flag.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::support::{self, Run};

/// A fake AWS access key ID with the given 4-letter prefix.
fn key_id(prefix: &str) -> String {
    format!("{prefix}{}", "Z7Q2LMNB4XK5PW3R")
}

fn akia() -> String {
    key_id(&format!("AK{}", "IA"))
}

/// A fake AWS secret access key (40 characters, random-looking).
fn secret_key() -> String {
    format!("{}{}", "Zp4sQ9vT2mLk8xWc7RbN", "1hYd5Gf3Je6Ua0iKoPq+")
}

fn pem_header(kind: &str) -> String {
    format!("-----BEGIN {kind}PRIVATE {}-----", "KEY")
}

/// A temp world: HOME, a bare remote and a work repository with devk's hook installed.
struct World {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    home: PathBuf,
    remote: PathBuf,
    work: PathBuf,
}

impl World {
    /// None (test skipped) when git is not installed.
    fn new(test: &str) -> Option<World> {
        support::require_tool("git", test)?;
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        let home = root.join("home");
        fs::create_dir_all(&home).unwrap();
        fs::write(home.join(".gitconfig"), "").unwrap();
        let world = World {
            _tmp: tmp,
            remote: root.join("remote.git"),
            work: root.join("work"),
            root,
            home,
        };
        world.git_ok(
            &world.root,
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        world.git_ok(&world.root, &["init", "-q", "-b", "main", "work"]);
        world.configure(&world.work);
        world.git_ok(&world.work, &["remote", "add", "origin", "../remote.git"]);
        world.commit(&world.work, "README.md", "# demo\n", "initial");
        Some(world)
    }

    fn configure(&self, repo: &Path) {
        self.git_ok(repo, &["config", "user.name", "Dev"]);
        self.git_ok(repo, &["config", "user.email", "dev@example.com"]);
    }

    /// A command with HOME, XDG and git's config isolated, devk's hook pointed at this build.
    fn command(&self, program: &Path, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        support::isolate(&mut cmd, &self.home);
        cmd.current_dir(dir)
            .env("GIT_CONFIG_GLOBAL", self.home.join(".gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("DEVK_HOOK_BIN", support::devk_bin())
            .env("LC_ALL", "C");
        for var in [
            "GIT_DIR",
            "GIT_WORK_TREE",
            "GIT_INDEX_FILE",
            "GIT_COMMON_DIR",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn git(&self, dir: &Path, args: &[&str]) -> Run {
        support::run(self.command(Path::new("git"), dir).args(args))
    }

    fn git_ok(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.git(dir, args);
        assert_eq!(run.code, 0, "git {args:?}: {run:?}");
        run.stdout
    }

    fn devk(&self, dir: &Path, args: &[&str]) -> Run {
        support::run(self.command(&support::devk_bin(), dir).args(args))
    }

    fn devk_ok(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.devk(dir, args);
        assert_eq!(run.code, 0, "devk {args:?}: {run:?}");
        run.stdout
    }

    fn commit(&self, repo: &Path, file: &str, text: &str, message: &str) -> String {
        let path = repo.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        self.git_ok(repo, &["add", "--", file]);
        self.git_ok(repo, &["commit", "-q", "-m", message]);
        self.git_ok(repo, &["rev-parse", "HEAD"]).trim().to_owned()
    }

    fn remove(&self, repo: &Path, file: &str, message: &str) {
        self.git_ok(repo, &["rm", "-q", "--", file]);
        self.git_ok(repo, &["commit", "-q", "-m", message]);
    }

    /// Installs the hook and pushes the initial commit (a clean push).
    fn installed(test: &str) -> Option<World> {
        let world = World::new(test)?;
        world.devk_ok(&world.work, &["hook", "install"]);
        let push = world.git(&world.work, &["push", "-u", "origin", "main"]);
        assert_eq!(push.code, 0, "{push:?}");
        Some(world)
    }

    fn remote_sha(&self, branch: &str) -> Option<String> {
        let run = self.git(&self.remote, &["rev-parse", "--verify", "-q", branch]);
        (run.code == 0).then(|| run.stdout.trim().to_owned())
    }

    fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.git(&self.work, &all)
    }

    fn hooks_dir_per_git(&self, dir: &Path) -> PathBuf {
        let out = self.git_ok(
            dir,
            &["rev-parse", "--path-format=absolute", "--git-path", "hooks"],
        );
        PathBuf::from(out.trim())
    }
}

#[test]
fn clean_push_passes_and_is_recorded() {
    let Some(w) = World::installed("clean_push_passes_and_is_recorded") else {
        return;
    };
    w.commit(&w.work, "src/app.py", "print('hello')\n", "app");
    let head = w.git_ok(&w.work, &["rev-parse", "HEAD"]);
    let push = w.push(&["origin", "main"]);
    assert_eq!(push.code, 0, "{push:?}");
    assert!(
        push.stderr
            .contains("devk: no secrets in 1 new commit pushed to origin"),
        "{push:?}"
    );
    assert_eq!(w.remote_sha("main").as_deref(), Some(head.trim()));

    let record = devk::githook::last_scan(&w.work).unwrap().unwrap();
    assert_eq!(record.outcome, devk::githook::Outcome::Clean);
    assert_eq!(record.remote, "origin");
    assert_eq!(record.stats.commits, 1);
    assert_eq!(record.refs[0].kind, devk::githook::PushKind::Update);
}

#[test]
fn push_that_adds_a_key_is_blocked_and_names_it() {
    let Some(w) = World::installed("push_that_adds_a_key_is_blocked_and_names_it") else {
        return;
    };
    let before = w.remote_sha("main");
    let key = akia();
    let secret = secret_key();
    let sha = w.commit(
        &w.work,
        "config/dev.env",
        &format!("REGION=eu-west-1\nAWS_ACCESS_KEY_ID={key}\nAWS_SECRET_ACCESS_KEY={secret}\n"),
        "config",
    );
    let push = w.push(&["origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert_eq!(w.remote_sha("main"), before, "the remote must not move");
    let err = &push.stderr;
    assert!(err.contains("push to origin blocked: 2 secrets"), "{err}");
    assert!(
        err.contains(&format!("{}  config/dev.env:2", &sha[..10])),
        "{err}"
    );
    assert!(err.contains("config/dev.env:3"), "{err}");
    assert!(
        err.contains("aws-access-key-id      AKIA****************"),
        "{err}"
    );
    assert!(err.contains("aws-secret-access-key  Zp4s****"), "{err}");
    assert!(
        err.contains("git commit --amend") && err.contains("rotate the key"),
        "{err}"
    );
    assert!(
        err.contains("devk:allow") && err.contains(".devkignore"),
        "{err}"
    );
    assert!(
        !err.contains(&key) && !err.contains(&secret),
        "unmasked secret: {err}"
    );

    let record = devk::githook::last_scan(&w.work).unwrap().unwrap();
    assert_eq!(record.outcome, devk::githook::Outcome::Blocked);
    assert_eq!(record.findings.len(), 2);
    let text = fs::read_to_string(w.work.join(".git/devk/last-scan.json")).unwrap();
    assert!(!text.contains(&key) && !text.contains(&secret), "{text}");
    let mode = fs::metadata(w.work.join(".git/devk/last-scan.json"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn key_added_then_removed_in_the_same_push_is_still_blocked() {
    let Some(w) = World::installed("key_added_then_removed_in_the_same_push_is_still_blocked")
    else {
        return;
    };
    w.commit(
        &w.work,
        "deploy.sh",
        &format!("export AWS_ACCESS_KEY_ID={}\n", akia()),
        "oops",
    );
    w.remove(&w.work, "deploy.sh", "remove the key");
    let push = w.push(&["origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("deploy.sh:1"), "{push:?}");
    assert!(
        push.stderr.contains("in the 2 commits being pushed"),
        "{push:?}"
    );
}

#[test]
fn deleting_a_branch_passes() {
    let Some(w) = World::installed("deleting_a_branch_passes") else {
        return;
    };
    w.git_ok(&w.work, &["switch", "-q", "-c", "leaky"]);
    w.commit(&w.work, "k.txt", &format!("id: {}\n", akia()), "key");
    let forced = w.push(&["--no-verify", "origin", "leaky"]);
    assert_eq!(forced.code, 0, "{forced:?}");
    let delete = w.push(&["origin", "--delete", "leaky"]);
    assert_eq!(delete.code, 0, "{delete:?}");
    assert!(
        delete.stderr.contains("no secrets in 0 new commits"),
        "{delete:?}"
    );
    assert_eq!(w.remote_sha("leaky"), None);
}

#[test]
fn new_branch_scans_only_its_new_commits() {
    let Some(w) = World::installed("new_branch_scans_only_its_new_commits") else {
        return;
    };
    // History already on the remote holds a key (pushed past the hook): a first push of a new
    // branch must not scan it again.
    w.commit(
        &w.work,
        "old.env",
        &format!("KEY_ID={}\n", akia()),
        "old key",
    );
    assert_eq!(w.push(&["--no-verify", "origin", "main"]).code, 0);
    w.git_ok(&w.work, &["switch", "-q", "-c", "topic"]);
    w.commit(&w.work, "a.txt", "a\n", "a");
    w.commit(&w.work, "b.txt", "b\n", "b");
    let push = w.push(&["-u", "origin", "topic"]);
    assert_eq!(push.code, 0, "{push:?}");
    assert!(
        push.stderr
            .contains("no secrets in 2 new commits pushed to origin"),
        "{push:?}"
    );
    let record = devk::githook::last_scan(&w.work).unwrap().unwrap();
    assert_eq!(record.refs[0].kind, devk::githook::PushKind::New);

    // A new branch with a key of its own is still caught.
    w.git_ok(&w.work, &["switch", "-q", "-c", "topic2"]);
    w.commit(
        &w.work,
        "c.txt",
        &format!("k = {}\n", key_id(&format!("AS{}", "IA"))),
        "c",
    );
    let push = w.push(&["-u", "origin", "topic2"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(
        push.stderr
            .contains("1 secret in the 1 commit being pushed"),
        "{push:?}"
    );
}

#[test]
fn a_merge_is_blocked_only_for_lines_no_parent_had() {
    let Some(w) = World::installed("a_merge_is_blocked_only_for_lines_no_parent_had") else {
        return;
    };
    // A branch already on the remote (pushed past the hook) holds a key.
    w.git_ok(&w.work, &["switch", "-q", "-c", "topic"]);
    w.commit(
        &w.work,
        "t.env",
        &format!("ID={}\n", akia()),
        "key on topic",
    );
    assert_eq!(w.push(&["--no-verify", "origin", "topic"]).code, 0);
    w.git_ok(&w.work, &["switch", "-q", "main"]);
    w.commit(&w.work, "m.txt", "main\n", "main work");
    w.git_ok(
        &w.work,
        &["merge", "-q", "--no-ff", "-m", "merge topic", "topic"],
    );
    let push = w.push(&["origin", "main"]);
    assert_eq!(push.code, 0, "{push:?}");
    assert!(
        push.stderr.contains("no secrets in 2 new commits"),
        "{push:?}"
    );

    // A merge that adds a line of its own (an "evil merge") is scanned like any commit.
    w.git_ok(&w.work, &["switch", "-q", "-c", "topic2", "HEAD~1"]);
    w.commit(&w.work, "u.txt", "u\n", "u");
    w.git_ok(&w.work, &["switch", "-q", "main"]);
    w.git_ok(
        &w.work,
        &["merge", "-q", "--no-ff", "--no-commit", "topic2"],
    );
    fs::write(
        w.work.join("m.txt"),
        format!("main\nsecret_key = {}\n", secret_key()),
    )
    .unwrap();
    w.git_ok(&w.work, &["commit", "-q", "-a", "-m", "evil merge"]);
    let push = w.push(&["origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(push.stderr.contains("m.txt:2"), "{push:?}");
    assert!(
        push.stderr.contains("1 secret in the 2 commits"),
        "{push:?}"
    );
}

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

#[test]
fn allowed_lines_examples_and_fingerprints_pass() {
    let Some(w) = World::installed("allowed_lines_examples_and_fingerprints_pass") else {
        return;
    };
    let example_id = format!("AKIAIOSFODNN7{}", "EXAMPLE");
    let example_secret = format!("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE{}", "KEY");
    w.commit(
        &w.work,
        "docs/setup.md",
        &format!(
            "aws_access_key_id = {example_id}\naws_secret_access_key = {example_secret}\n\
             fixture = {} # devk:allow test fixture\n",
            akia()
        ),
        "docs",
    );
    w.commit(
        &w.work,
        "t/fixture.env",
        &format!("AWS_SECRET_ACCESS_KEY={}\n", secret_key()),
        "t",
    );
    let blocked = w.push(&["origin", "main"]);
    assert_ne!(blocked.code, 0, "{blocked:?}");
    assert!(blocked.stderr.contains("1 secret"), "{blocked:?}");
    let fingerprint = blocked
        .stderr
        .split_whitespace()
        .find(|w| w.starts_with("aws-secret-access-key:"))
        .unwrap()
        .to_owned();
    fs::write(
        w.work.join(".devkignore"),
        format!("# test fixtures\n{fingerprint}\n"),
    )
    .unwrap();
    let push = w.push(&["origin", "main"]);
    assert_eq!(push.code, 0, "{push:?}");
    let record = devk::githook::last_scan(&w.work).unwrap().unwrap();
    assert_eq!(record.stats.allowed, 4, "{record:?}");
}

#[test]
fn binary_and_oversized_files_are_skipped_and_custom_patterns_apply() {
    let Some(w) =
        World::installed("binary_and_oversized_files_are_skipped_and_custom_patterns_apply")
    else {
        return;
    };
    let mut binary = b"\x7fELF\x00\x01".to_vec();
    binary.extend_from_slice(akia().as_bytes());
    fs::write(w.work.join("tool.bin"), &binary).unwrap();
    let mut big = "filler line\n".repeat(200);
    big.push_str(&format!("{}\n", akia()));
    fs::write(w.work.join("big.txt"), &big).unwrap();
    w.git_ok(&w.work, &["add", "tool.bin", "big.txt"]);
    w.git_ok(&w.work, &["commit", "-q", "-m", "blobs"]);
    let mut cmd = w.command(Path::new("git"), &w.work);
    cmd.args(["push", "origin", "main"])
        .env("DEVK_HOOK_MAX_BLOB_BYTES", "1024");
    let push = support::run(&mut cmd);
    assert_eq!(push.code, 0, "{push:?}");
    let record = devk::githook::last_scan(&w.work).unwrap().unwrap();
    assert_eq!(
        (record.stats.skipped_binary, record.stats.skipped_large),
        (1, 1)
    );

    fs::write(
        w.work.join("devk.toml"),
        "[hook]\ncustom_patterns = ['internal_token=(itk_[a-z0-9]{12})']\n",
    )
    .unwrap();
    w.commit(
        &w.work,
        "app.ini",
        &format!("internal_token={}abcdef123456\n", "itk_"),
        "tok",
    );
    let push = w.push(&["origin", "main"]);
    assert_ne!(push.code, 0, "{push:?}");
    assert!(
        push.stderr.contains("custom-1               itk_****"),
        "{push:?}"
    );
}

#[test]
fn scan_by_hand_covers_unpushed_ranges_and_all_history() {
    let Some(w) = World::installed("scan_by_hand_covers_unpushed_ranges_and_all_history") else {
        return;
    };
    let leaked = w.commit(
        &w.work,
        "old.pem",
        &format!("{}\nMIIEow\n", pem_header("RSA ")),
        "pem",
    );
    assert_eq!(w.push(&["--no-verify", "origin", "main"]).code, 0);
    w.commit(&w.work, "new.txt", "nothing here\n", "clean");

    let unpushed = w.devk(&w.work, &["scan"]);
    assert_eq!(unpushed.code, 0, "{unpushed:?}");
    assert!(
        unpushed
            .stdout
            .contains("no secrets in 1 commit (not yet pushed)"),
        "{unpushed:?}"
    );

    let all = w.devk(&w.work, &["scan", "--all-history"]);
    assert_eq!(all.code, 1, "{all:?}");
    assert!(all.stdout.contains("old.pem:1"), "{all:?}");
    assert!(all.stdout.contains("private-key"), "{all:?}");

    let range = w.devk(
        &w.work,
        &["scan", &format!("{leaked}~1..{leaked}"), "--json"],
    );
    assert_eq!(range.code, 1, "{range:?}");
    let json: serde_json::Value = serde_json::from_str(&range.stdout).unwrap();
    assert_eq!(json["stats"]["commits"], 1);
    assert_eq!(json["findings"][0]["path"], "old.pem");
    assert_eq!(json["findings"][0]["commit"], leaked.as_str());

    let clean = w.devk(&w.work, &["scan", &format!("{leaked}..HEAD")]);
    assert_eq!(clean.code, 0, "{clean:?}");

    let bad = w.devk(&w.work, &["scan", "no-such-rev..HEAD"]);
    assert_eq!(bad.code, 2, "{bad:?}");
    let outside = w.devk(&w.root, &["scan"]);
    assert_eq!(outside.code, 5, "{outside:?}");
}

/// One detection case: a file's text and whether it holds a real secret.
struct Case {
    name: &'static str,
    text: String,
    secret: bool,
}

fn corpus() -> Vec<Case> {
    let id = akia();
    let sk = secret_key();
    let case = |name, text: String, secret| Case { name, text, secret };
    let docker_auth = format!("{}{}", "ZGV2OnMzY3Jl", "dC1wYXNzd29yZA==");
    let dockerconfigjson = format!(
        "{}{}",
        "eyJhdXRocyI6eyJyZWcuZXhhbXBsZS5jb20iOnsiYXV0aCI6IlpHVjJPbk16WTNKbGRD",
        "MXdZWE56ZDI5eVpBPT0ifX19"
    );
    let token = format!(
        "FwoGZXIvYXdz{}",
        "EBcaDFq3nQ8vR2mT5kLp9xYhZjKa1b2c3d4e5f6g7h8i9j0".repeat(4)
    );
    vec![
        // Secrets both tools should find.
        case("access-key-env", format!("AWS_ACCESS_KEY_ID={id}\n"), true),
        case(
            "access-key-json",
            format!(
                "{{\"AccessKeyId\": \"{}\"}}\n",
                key_id(&format!("AS{}", "IA"))
            ),
            true,
        ),
        case(
            "access-key-ini",
            format!("[default]\naws_access_key_id = {id}\n"),
            true,
        ),
        case(
            "access-key-a3t",
            format!("key_id: {}\n", key_id("A3TX")),
            true,
        ),
        case(
            "access-key-aroa",
            format!("role = {}\n", key_id(&format!("AR{}", "OA"))),
            true,
        ),
        case(
            "secret-key-ini",
            format!("aws_secret_access_key = {sk}\n"),
            true,
        ),
        case(
            "secret-key-env-quoted",
            format!("export AWS_SECRET_ACCESS_KEY=\"{sk}\"\n"),
            true,
        ),
        case(
            "secret-key-json",
            format!("{{\"SecretAccessKey\": \"{sk}\"}}\n"),
            true,
        ),
        case(
            "secret-key-terraform",
            format!("secret_key = \"{sk}\"\n"),
            true,
        ),
        // Secrets git-secrets has no rule for, or whose context it does not parse.
        case(
            "access-key-abia",
            format!("id={}\n", key_id(&format!("AB{}", "IA"))),
            true,
        ),
        case("secret-key-go", format!("awsSecretKey := \"{sk}\"\n"), true),
        case(
            "secret-key-yaml-secret-name",
            format!("aws_secret: {sk}\n"),
            true,
        ),
        case(
            "session-token",
            format!("aws_session_token = {token}\n"),
            true,
        ),
        case(
            "private-key-rsa",
            format!("{}\nMIIEowIBAAKCAQEA\n", pem_header("RSA ")),
            true,
        ),
        case(
            "private-key-openssh",
            format!("  {}\n  b3BlbnNzaC1rZXktdjE\n", pem_header("OPENSSH ")),
            true,
        ),
        case(
            "private-key-pkcs8-json",
            format!("{{\"key\": \"{}\\nMIIEvQ\"}}\n", pem_header("")),
            true,
        ),
        case(
            "docker-auth",
            format!("{{\"auths\": {{\"r.io\": {{\"auth\": \"{docker_auth}\"}}}}}}\n"),
            true,
        ),
        case(
            "dockerconfigjson",
            format!("data:\n  .dockerconfigjson: {dockerconfigjson}\n"),
            true,
        ),
        // Look-alikes: no secret here.
        case(
            "aws-example-id",
            format!("aws_access_key_id = AKIAIOSFODNN7{}\n", "EXAMPLE"),
            false,
        ),
        case(
            "aws-example-secret",
            format!(
                "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLE{}\n",
                "KEY"
            ),
            false,
        ),
        case(
            "hex-digest",
            format!("key: {}\n", "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
            false,
        ),
        case(
            "padded-base64",
            format!("key = {}\n", "c29tZSBvdGhlciBiYXNlNjQgYmxvYiBoZXJlIQ=="),
            false,
        ),
        case(
            "placeholder",
            format!("aws_secret_access_key = {}\n", "x".repeat(40)),
            false,
        ),
        case(
            "account-id",
            format!("aws_account_id = {}\n", "1234-5678-9012"),
            false,
        ),
        case(
            "pem-parser-constant",
            format!("if line.starts_with(\"{}\") {{\n", pem_header("RSA ")),
            false,
        ),
        case(
            "public-key",
            format!("-----BEGIN PUBLIC {}-----\nMIIBIjAN\n", "KEY"),
            false,
        ),
        case(
            "key-inside-longer-token",
            format!("ref=XYZ{}Q\n", akia()),
            false,
        ),
        case(
            "docker-auth-no-password",
            format!("{{\"auth\": \"{}\"}}\n", "ZGV2"),
            false,
        ),
        case(
            "allowed-by-marker",
            format!("id = {id} # devk:allow fixture\n"),
            false,
        ),
    ]
}

/// Files (by case name) in which git-secrets, set up with `--register-aws`, finds something.
fn git_secrets_hits(w: &World, dir: &Path, files: &[String]) -> Vec<String> {
    w.git_ok(dir, &["secrets", "--register-aws"]);
    let mut args = vec!["secrets", "--scan"];
    args.extend(files.iter().map(String::as_str));
    let run = w.git(dir, &args);
    assert!(
        run.code == 0 || run.code == 1,
        "git secrets --scan: {run:?}"
    );
    let mut hits: Vec<String> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("cases/"))
        .filter_map(|l| l.split_once(".txt:"))
        .map(|(name, _)| name.to_owned())
        .collect();
    hits.dedup();
    hits
}

#[test]
fn detection_parity_with_git_secrets() {
    let Some(w) = World::new("detection_parity_with_git_secrets") else {
        return;
    };
    if support::require_tool("git-secrets", "detection_parity_with_git_secrets").is_none() {
        return;
    }
    let cases = corpus();
    let mut files = Vec::new();
    for case in &cases {
        let file = format!("cases/{}.txt", case.name);
        fs::create_dir_all(w.work.join("cases")).unwrap();
        fs::write(w.work.join(&file), &case.text).unwrap();
        files.push(file);
    }
    w.git_ok(&w.work, &["add", "cases"]);
    w.git_ok(&w.work, &["commit", "-q", "-m", "corpus"]);

    let scan = w.devk(&w.work, &["scan", "--all-history", "--json"]);
    assert_eq!(scan.code, 1, "{scan:?}");
    let json: serde_json::Value = serde_json::from_str(&scan.stdout).unwrap();
    let devk_hits: Vec<String> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .filter_map(|p| p.strip_prefix("cases/")?.strip_suffix(".txt"))
        .map(str::to_owned)
        .collect();
    let gs_hits = git_secrets_hits(&w, &w.work, &files);

    let mut table = String::from("case                            secret devk git-secrets\n");
    let (mut devk_fp, mut gs_fp, mut devk_only) = (0, 0, Vec::new());
    for case in &cases {
        let d = devk_hits.iter().any(|h| h == case.name);
        let g = gs_hits.iter().any(|h| h == case.name);
        table.push_str(&format!(
            "{:<31} {:<6} {:<4} {}\n",
            case.name, case.secret, d, g
        ));
        assert_eq!(d, case.secret, "devk on {}:\n{table}", case.name);
        if g {
            assert!(
                d || !case.secret,
                "git-secrets finds {} but devk does not",
                case.name
            );
        }
        devk_fp += usize::from(d && !case.secret);
        gs_fp += usize::from(g && !case.secret);
        if d && !g {
            devk_only.push(case.name);
        }
    }
    println!("{table}");
    assert!(devk_fp <= gs_fp, "{table}");
    // What git-secrets misses: private keys, and secret keys outside its one assignment shape.
    for missed in [
        "private-key-rsa",
        "private-key-openssh",
        "secret-key-go",
        "session-token",
    ] {
        assert!(devk_only.contains(&missed), "{missed}: {table}");
    }
    // Sanity: git-secrets really ran and found the common cases.
    for found in ["access-key-env", "secret-key-ini", "secret-key-json"] {
        assert!(gs_hits.iter().any(|h| h == found), "{found}: {table}");
    }
}
