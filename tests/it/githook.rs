//! The pre-push hook and `devk scan` against real repositories: a work repository in a temp
//! dir pushing to a local bare remote through the installed hook, which runs this build of
//! devk (via DEVK_HOOK_BIN). HOME, XDG and git's global/system config are isolated.
//!
//! Secrets in these tests are assembled at run time from pieces, so that this file holds
//! nothing a scanner (devk's own hook, git-secrets) would flag.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, Run};

/// A fake AWS access key ID with the given 4-letter prefix.
pub(crate) fn key_id(prefix: &str) -> String {
    format!("{prefix}{}", "Z7Q2LMNB4XK5PW3R")
}

pub(crate) fn akia() -> String {
    key_id(&format!("AK{}", "IA"))
}

/// A fake AWS secret access key (40 characters, random-looking).
pub(crate) fn secret_key() -> String {
    format!("{}{}", "Zp4sQ9vT2mLk8xWc7RbN", "1hYd5Gf3Je6Ua0iKoPq+")
}

pub(crate) fn pem_header(kind: &str) -> String {
    format!("-----BEGIN {kind}PRIVATE {}-----", "KEY")
}

/// Pseudo-random bytes, the same every run (a fixed xorshift).
pub(crate) fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The base64 body lines (64 characters each) of a fake private key shaped like a real one of
/// `kind` ("RSA ", "OPENSSH ", "" for PKCS#8): the right structure at the start, noise after.
pub(crate) fn pem_body(kind: &str, seed: u64) -> String {
    let mut der = match kind {
        "OPENSSH " => b"openssh-key-v1\0".to_vec(),
        "" => vec![0x30, 0x82, 0x04, 0xbd, 0x02, 0x01, 0x00, 0x30, 0x0d],
        _ => vec![
            0x30, 0x82, 0x04, 0xa3, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01,
        ],
    };
    der.extend(noise(600, seed));
    let b64 = devk::encoding::base64_encode(&der);
    b64.as_bytes()
        .chunks(64)
        .map(|c| format!("{}\n", String::from_utf8_lossy(c)))
        .collect()
}

/// A whole fake private key in PEM form (header, body, END line).
pub(crate) fn pem_key(kind: &str, seed: u64) -> String {
    format!(
        "{}\n{}-----END {kind}PRIVATE {}-----\n",
        pem_header(kind),
        pem_body(kind, seed),
        "KEY"
    )
}

/// A temp world: HOME, a bare remote and a work repository with devk's hook installed.
pub(crate) struct World {
    _tmp: tempfile::TempDir,
    pub(crate) root: PathBuf,
    pub(crate) home: PathBuf,
    pub(crate) remote: PathBuf,
    pub(crate) work: PathBuf,
}

impl World {
    /// None (test skipped) when git is not installed.
    pub(crate) fn new(test: &str) -> Option<World> {
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

    pub(crate) fn configure(&self, repo: &Path) {
        self.git_ok(repo, &["config", "user.name", "Dev"]);
        self.git_ok(repo, &["config", "user.email", "dev@example.com"]);
    }

    /// A command with HOME, XDG and git's config isolated, devk's hook pointed at this build.
    pub(crate) fn command(&self, program: &Path, dir: &Path) -> Command {
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

    pub(crate) fn git(&self, dir: &Path, args: &[&str]) -> Run {
        support::run(self.command(Path::new("git"), dir).args(args))
    }

    pub(crate) fn git_ok(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.git(dir, args);
        assert_eq!(run.code, 0, "git {args:?}: {run:?}");
        run.stdout
    }

    pub(crate) fn devk(&self, dir: &Path, args: &[&str]) -> Run {
        support::run(self.command(&support::devk_bin(), dir).args(args))
    }

    pub(crate) fn devk_env(&self, dir: &Path, args: &[&str], var: &str, value: &str) -> Run {
        support::run(
            self.command(&support::devk_bin(), dir)
                .args(args)
                .env(var, value),
        )
    }

    pub(crate) fn devk_ok(&self, dir: &Path, args: &[&str]) -> String {
        let run = self.devk(dir, args);
        assert_eq!(run.code, 0, "devk {args:?}: {run:?}");
        run.stdout
    }

    pub(crate) fn commit(&self, repo: &Path, file: &str, text: &str, message: &str) -> String {
        let path = repo.join(file);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, text).unwrap();
        self.git_ok(repo, &["add", "--", file]);
        self.git_ok(repo, &["commit", "-q", "-m", message]);
        self.git_ok(repo, &["rev-parse", "HEAD"]).trim().to_owned()
    }

    /// Repacks everything into one pack whose deltas name their base by id (`REF_DELTA`), not
    /// by offset, with chains up to 250 deep.
    pub(crate) fn repack_with_ref_deltas(&self, repo: &Path) {
        self.git_ok(
            repo,
            &[
                "-c",
                "repack.useDeltaBaseOffset=false",
                "repack",
                "-q",
                "-a",
                "-d",
                "-f",
                "--depth=250",
            ],
        );
    }

    pub(crate) fn remove(&self, repo: &Path, file: &str, message: &str) {
        self.git_ok(repo, &["rm", "-q", "--", file]);
        self.git_ok(repo, &["commit", "-q", "-m", message]);
    }

    /// Installs the hook and pushes the initial commit (a clean push).
    pub(crate) fn installed(test: &str) -> Option<World> {
        let world = World::new(test)?;
        world.devk_ok(&world.work, &["hook", "install"]);
        let push = world.git(&world.work, &["push", "-u", "origin", "main"]);
        assert_eq!(push.code, 0, "{push:?}");
        Some(world)
    }

    pub(crate) fn remote_sha(&self, branch: &str) -> Option<String> {
        let run = self.git(&self.remote, &["rev-parse", "--verify", "-q", branch]);
        (run.code == 0).then(|| run.stdout.trim().to_owned())
    }

    pub(crate) fn push(&self, args: &[&str]) -> Run {
        let mut all = vec!["push"];
        all.extend_from_slice(args);
        self.git(&self.work, &all)
    }

    pub(crate) fn hooks_dir_per_git(&self, dir: &Path) -> PathBuf {
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
    // The documentation's example keys are not hits at all (they spell EXAMPLE); the marker
    // and the fingerprint allow one each.
    assert_eq!(record.stats.allowed, 2, "{record:?}");
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
    // Lowering the size cap scans less, so only the user's own config file may do it.
    let user_config = w.home.join(".config/devk");
    fs::create_dir_all(&user_config).unwrap();
    fs::write(
        user_config.join("config.toml"),
        "[hook]\nmax_blob_bytes = 1024\n",
    )
    .unwrap();
    let push = w.push(&["origin", "main"]);
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
    let leaked = w.commit(&w.work, "old.pem", &pem_key("RSA ", 1), "pem");
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
