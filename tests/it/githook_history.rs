//! `devk scan --all-history` reads the object store directly (src/githook/history.rs). These
//! tests build real repositories with git and check that it finds exactly what the libgit2
//! walker finds, as the repository moves from loose objects to packs with offset deltas, to
//! several packs, to packs with reference deltas; and that stores it does not handle (shallow
//! clones, alternates) fall back to the walker.
//!
//! Secrets are assembled at run time from pieces (see githook.rs).

use std::fs;
use std::path::Path;

use devk::githook::{self, Finding, ScanResult, ScanSettings, ScanTarget, StoreUse};

use crate::githook::{World, akia, key_id, pem_key, secret_key};

fn settings(store: StoreUse, custom: bool) -> ScanSettings {
    ScanSettings {
        custom_patterns: if custom {
            vec![r"internal_token=(itk_[a-z0-9]{12})".to_owned()]
        } else {
            Vec::new()
        },
        extra_rules: Vec::new(),
        baseline: None,
        max_blob_bytes: 4096,
        store,
    }
}

fn scan(repo: &Path, target: &ScanTarget, store: StoreUse, custom: bool) -> ScanResult {
    githook::scan(repo, target, &settings(store, custom)).unwrap()
}

fn sorted(findings: &[Finding]) -> Vec<(String, String, usize, String)> {
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| (f.path.clone(), f.commit.clone(), f.line, f.rule.clone()))
        .collect();
    out.sort();
    out
}

/// Scans all of `repo`'s history both ways, with and without custom rules, and checks they
/// agree; returns the store's result (without custom rules).
fn both_ways(repo: &Path, expect_store: bool) -> ScanResult {
    target_both_ways(repo, &ScanTarget::AllHistory, StoreUse::Auto, expect_store)
}

/// `target` scanned with `store` and with the walker: the same findings and counts.
fn target_both_ways(
    repo: &Path,
    target: &ScanTarget,
    store: StoreUse,
    expect_store: bool,
) -> ScanResult {
    let mut first = None;
    for custom in [false, true] {
        let walk = scan(repo, target, StoreUse::Never, custom);
        let store = scan(repo, target, store, custom);
        assert_eq!(
            store.from_store, expect_store,
            "{target:?}, custom rules: {custom}"
        );
        assert!(!walk.from_store);
        assert_eq!(
            sorted(&store.findings),
            sorted(&walk.findings),
            "{target:?}, custom rules: {custom}"
        );
        assert_eq!(store.stats.commits, walk.stats.commits);
        assert_eq!(store.stats.allowed, walk.stats.allowed);
        first.get_or_insert(store);
    }
    first.unwrap()
}

fn paths(result: &ScanResult) -> Vec<String> {
    let mut out: Vec<String> = result.findings.iter().map(|f| f.path.clone()).collect();
    out.sort();
    out.dedup();
    out
}

/// A history with renames, a merge, a file that becomes a directory, a symlink, a submodule,
/// binary and oversized files, allowed lines, CRLF, a tag-only commit and a dangling one.
fn varied_history(world: &World) {
    let w = &world.work;
    let git = |args: &[&str]| world.git_ok(w, args);
    world.commit(
        w,
        "config/aws.env",
        &format!("AWS_ACCESS_KEY_ID={}\nregion=x\n", akia()),
        "env",
    );
    let mut binary = b"\0binary\n".to_vec();
    binary.extend(format!("id={}\n", akia()).as_bytes());
    fs::write(w.join("bin.dat"), binary).unwrap();
    fs::write(
        w.join("big.txt"),
        format!("{}\nid={}\n", "x".repeat(5000), akia()),
    )
    .unwrap();
    git(&["add", "bin.dat", "big.txt"]);
    world.commit(
        w,
        "notes.txt",
        "nothing here\ninternal_token=itk_abcdef123456\n",
        "notes",
    );
    git(&["mv", "config/aws.env", "config/moved.env"]);
    git(&["commit", "-q", "-m", "move"]);
    git(&["checkout", "-q", "-b", "feature"]);
    world.commit(
        w,
        "feature/x.py",
        &format!("aws_secret_access_key = {}\n", secret_key()),
        "x",
    );
    world.commit(
        w,
        "config/moved.env",
        &format!("AWS_ACCESS_KEY_ID={}\nregion=y\n", akia()),
        "edit",
    );
    git(&["checkout", "-q", "main"]);
    world.commit(w, "keys/id_rsa", &pem_key("RSA ", 2), "key");
    world.commit(
        w,
        "crlf.txt",
        &format!("a\r\nid: {}\r\n", key_id("ASIA")),
        "crlf",
    );
    git(&["merge", "-q", "--no-ff", "feature", "-m", "merge"]);
    // The same blob at a second path; an edit that keeps the key line (adds no key).
    fs::copy(w.join("config/moved.env"), w.join("config/copy.env")).unwrap();
    git(&["add", "config/copy.env"]);
    world.commit(
        w,
        "config/moved.env",
        &format!("AWS_ACCESS_KEY_ID={}\nregion=z\n", akia()),
        "copy",
    );
    // A conflict resolved by a merge commit that adds a key neither side had.
    world.commit(w, "conflict.txt", "base\n", "base");
    git(&["checkout", "-q", "-b", "other"]);
    world.commit(w, "conflict.txt", "theirs\n", "theirs");
    git(&["checkout", "-q", "main"]);
    world.commit(w, "conflict.txt", "ours\n", "ours");
    assert_ne!(
        world
            .git(w, &["merge", "-q", "other", "-m", "conflict"])
            .code,
        0
    );
    fs::write(
        w.join("conflict.txt"),
        format!("ours\ntheirs\nid={}\n", key_id("AIPA")),
    )
    .unwrap();
    git(&["add", "conflict.txt"]);
    git(&["commit", "-q", "--no-edit"]);
    world.commit(
        w,
        "thing",
        &format!("id={}\n", key_id("AIDA")),
        "thing file",
    );
    git(&["rm", "-q", "thing"]);
    world.commit(
        w,
        "thing/inner.txt",
        &format!("id={}\n", key_id("AIDA")),
        "thing dir",
    );
    let example = format!("AKIA{}", "IOSFODNN7EXAMPLE");
    world.commit(
        w,
        "allowed.txt",
        &format!("id={} # devk:allow\nexample={example}\n", key_id("AROA")),
        "allowed",
    );
    std::os::unix::fs::symlink(format!("../{}", key_id("AGPA")), w.join("link")).unwrap();
    git(&["add", "link"]);
    let head = git(&["rev-parse", "HEAD"]);
    git(&[
        "update-index",
        "--add",
        "--cacheinfo",
        &format!("160000,{},vendor/sub", head.trim()),
    ]);
    git(&["commit", "-q", "-m", "link and submodule"]);
    // Reachable only through an annotated tag.
    git(&["checkout", "-q", "-b", "tagged"]);
    world.commit(
        w,
        "tagged.txt",
        &format!("id={}\n", key_id("ANPA")),
        "tagged",
    );
    git(&["tag", "-a", "v1", "-m", "v1"]);
    git(&["checkout", "-q", "main"]);
    git(&["branch", "-q", "-D", "tagged"]);
    // Reachable from nothing: in the store, but not history.
    git(&["checkout", "-q", "-b", "dangling"]);
    world.commit(
        w,
        "dangling.txt",
        &format!("id={}\n", key_id("ANVA")),
        "dangling",
    );
    git(&["checkout", "-q", "main"]);
    git(&["branch", "-q", "-D", "dangling"]);
}

#[test]
fn store_scan_finds_what_the_walker_finds_through_loose_objects_packs_and_deltas() {
    let Some(world) = World::new("store_scan_finds_what_the_walker_finds") else {
        return;
    };
    let w = &world.work;
    varied_history(&world);
    let expected = [
        "config/aws.env",
        "config/copy.env",
        "config/moved.env",
        "conflict.txt",
        "crlf.txt",
        "feature/x.py",
        "keys/id_rsa",
        "link",
        "tagged.txt",
        "thing",
        "thing/inner.txt",
    ];
    // Loose objects only.
    let loose = both_ways(w, true);
    assert_eq!(paths(&loose), expected);
    // The marker allows one; the documentation's example key ID is no hit at all.
    assert_eq!(loose.stats.allowed, 1, "{loose:?}");
    // One pack with offset deltas (the dangling commit stays loose or in a cruft pack).
    world.git_ok(w, &["gc", "-q"]);
    assert_eq!(paths(&both_ways(w, true)), expected);
    // A second pack and loose objects on top.
    world.commit(w, "later.env", &format!("id={}\n", key_id("ABIA")), "later");
    world.git_ok(w, &["repack", "-q", "-d"]);
    world.commit(
        w,
        "latest.env",
        &format!("id={}\n", key_id("ACCA")),
        "latest",
    );
    let mut more = expected.to_vec();
    more.extend(["later.env", "latest.env"]);
    more.sort();
    assert_eq!(paths(&both_ways(w, true)), more);
    // Reference deltas, deep chains.
    world.repack_with_ref_deltas(w);
    let store = both_ways(w, true);
    assert_eq!(paths(&store), more);
    // Through the command line too (default settings: big.txt is under the 1 MiB cap there).
    let defaults = ScanSettings::default();
    let lib = githook::scan(w, &ScanTarget::AllHistory, &defaults).unwrap();
    assert!(lib.from_store);
    assert_eq!(lib.findings.len(), store.findings.len() + 1);
    for walk in ["0", "1"] {
        let json = world.devk_env(
            w,
            &["scan", "--all-history", "--json"],
            "DEVK_SCAN_WALK",
            walk,
        );
        assert_eq!(json.code, 1, "{json:?}");
        let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
        assert_eq!(
            value["findings"].as_array().unwrap().len(),
            lib.findings.len()
        );
    }
}

#[test]
fn stores_it_does_not_read_fall_back_to_the_walker() {
    let Some(world) = World::new("stores_it_does_not_read_fall_back_to_the_walker") else {
        return;
    };
    varied_history(&world);
    world.git_ok(&world.work, &["gc", "-q"]);
    let url = format!("file://{}", world.work.display());
    world.git_ok(
        &world.root,
        &["clone", "-q", "--depth", "3", &url, "shallow"],
    );
    let shallow = both_ways(&world.root.join("shallow"), false);
    assert!(shallow.stats.commits >= 3, "{shallow:?}");
    world.git_ok(&world.root, &["clone", "-q", "--shared", "work", "shared"]);
    let shared = both_ways(&world.root.join("shared"), false);
    assert!(!shared.findings.is_empty());
}

#[test]
fn a_clean_history_is_clean_both_ways() {
    let Some(world) = World::new("a_clean_history_is_clean_both_ways") else {
        return;
    };
    let w = &world.work;
    for i in 0..30 {
        world.commit(
            w,
            &format!("src/m{}.rs", i % 4),
            &format!("let token_{i} = {i};\n"),
            "c",
        );
    }
    world.git_ok(w, &["gc", "-q"]);
    let result = both_ways(w, true);
    assert!(result.findings.is_empty());
    assert_eq!(result.stats.commits, 31);
}

#[test]
fn ranges_from_the_store_find_what_the_walker_finds() {
    let Some(world) = World::new("ranges_from_the_store_find_what_the_walker_finds") else {
        return;
    };
    let w = &world.work;
    varied_history(&world);
    world.git_ok(w, &["gc", "-q"]);
    for spec in ["main~3..main", "main~6..", "v1", "main~8...v1", "main"] {
        let target = ScanTarget::Range(spec.to_owned());
        let store = target_both_ways(w, &target, StoreUse::Always, true);
        let walk = scan(w, &target, StoreUse::Never, false);
        assert_eq!(store.stats.commits, walk.stats.commits, "{spec}");
    }
    // Auto weighs the range against the store's size (a repository this small is read whole
    // even for one commit; a 20-commit push to a 75,000-object one is walked).
    let objects = devk::gitobjects::packed_objects(&w.join(".git/objects"));
    assert!(objects > 50, "{objects}");
    let short = scan(
        w,
        &ScanTarget::Range("main~1..main".into()),
        StoreUse::Auto,
        false,
    );
    assert_eq!(short.stats.commits, 1);
    assert_eq!(short.from_store, githook::store_is_cheaper(1, objects));
    assert!(scan(w, &ScanTarget::Range("main".into()), StoreUse::Auto, false).from_store);
}
