//! The scanner's other modes: the pre-commit hook (staged changes), the baseline, and SARIF
//! output validated against the OASIS SARIF 2.1.0 schema.

use std::fs;
use std::path::Path;

use crate::githook::{World, akia, pem_key, secret_key};
use crate::support::{self, require_tool};

#[test]
fn pre_commit_hook_stops_a_staged_secret_and_chains_and_uninstalls() {
    let Some(w) = World::new("pre_commit_hook_stops_a_staged_secret_and_chains_and_uninstalls")
    else {
        return;
    };
    // A pre-commit hook of the team's own is there first: devk keeps it and runs it first.
    let hooks = w.hooks_dir_per_git(&w.work);
    fs::create_dir_all(&hooks).unwrap();
    let mine = hooks.join("pre-commit");
    fs::write(
        &mine,
        "#!/bin/sh\necho lint-ran >> \"$(git rev-parse --git-dir)/lint.log\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&mine, fs::Permissions::from_mode(0o755)).unwrap();
    let installed = w.devk_ok(&w.work, &["hook", "install", "--pre-commit"]);
    assert!(
        installed.contains("the hook that was there runs first"),
        "{installed}"
    );
    let status = w.devk_ok(&w.work, &["hook", "status"]);
    assert!(status.contains("pre-commit devk's hook"), "{status}");

    fs::write(
        w.work.join("app.env"),
        format!("AWS_ACCESS_KEY_ID={}\n", akia()),
    )
    .unwrap();
    w.git_ok(&w.work, &["add", "app.env"]);
    let blocked = w.git(&w.work, &["commit", "-q", "-m", "leak"]);
    assert_ne!(blocked.code, 0, "{blocked:?}");
    assert!(
        blocked
            .stderr
            .contains("commit blocked: 1 secret in the staged changes"),
        "{blocked:?}"
    );
    assert!(blocked.stderr.contains("app.env:1"), "{blocked:?}");
    assert!(
        blocked.stderr.contains("git commit --no-verify"),
        "{blocked:?}"
    );
    let log = fs::read_to_string(w.work.join(".git/lint.log")).unwrap();
    assert!(log.contains("lint-ran"), "{log}");

    // Only what is added counts: a clean edit next to a line already committed passes.
    fs::write(w.work.join("app.env"), "REGION=eu-west-1\n").unwrap();
    w.git_ok(&w.work, &["add", "app.env"]);
    w.git_ok(&w.work, &["commit", "-q", "-m", "clean"]);

    // `git commit -a` commits from a temporary index (GIT_INDEX_FILE): that is what is read.
    fs::write(
        w.work.join("app.env"),
        format!("REGION=eu-west-1\nAWS_SECRET_ACCESS_KEY={}\n", secret_key()),
    )
    .unwrap();
    let all = w.git(&w.work, &["commit", "-q", "-a", "-m", "leak 2"]);
    assert_ne!(all.code, 0, "{all:?}");
    assert!(all.stderr.contains("app.env:2"), "{all:?}");

    let removed = w.devk_ok(&w.work, &["hook", "uninstall", "--pre-commit"]);
    assert!(removed.contains("the previous hook is back"), "{removed}");
    let back = fs::read_to_string(&mine).unwrap();
    assert!(back.contains("lint-ran"), "{back}");
    // The pre-push hook was never touched.
    assert!(!hooks.join("pre-push").exists());
}

#[test]
fn baseline_allows_what_it_recorded_and_nothing_new() {
    let Some(w) = World::new("baseline_allows_what_it_recorded_and_nothing_new") else {
        return;
    };
    w.commit(
        &w.work,
        "fixtures/old.pem",
        &pem_key("RSA ", 9),
        "old fixture",
    );
    w.commit(
        &w.work,
        "fixtures/creds.env",
        &format!("AWS_ACCESS_KEY_ID={}\n", akia()),
        "old",
    );
    let before = w.devk(&w.work, &["scan", "--all-history"]);
    assert_eq!(before.code, 1, "{before:?}");

    let made = w.devk_ok(&w.work, &["scan", "--all-history", "--update-baseline"]);
    assert!(made.contains("recorded 2 new findings in"), "{made}");
    assert!(made.contains("fixtures/old.pem:1"), "{made}");
    let text = fs::read_to_string(w.work.join(".devk-baseline.json")).unwrap();
    assert!(
        !text.contains(&akia()),
        "the baseline holds fingerprints only: {text}"
    );

    let after = w.devk(&w.work, &["scan", "--all-history"]);
    assert_eq!(after.code, 0, "{after:?}");
    assert!(
        after.stdout.contains("2 findings allowed by the baseline"),
        "{after:?}"
    );
    // Running the update again adds nothing.
    let again = w.devk_ok(&w.work, &["scan", "--all-history", "--update-baseline"]);
    assert!(again.contains("recorded 0 new findings"), "{again}");

    // The same key in another file is new; so is another key.
    w.commit(
        &w.work,
        "src/app.env",
        &format!("AWS_ACCESS_KEY_ID={}\n", akia()),
        "copy",
    );
    let new = w.devk(&w.work, &["scan", "--all-history", "--json"]);
    assert_eq!(new.code, 1, "{new:?}");
    let json: serde_json::Value = serde_json::from_str(&new.stdout).unwrap();
    let paths: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths, ["src/app.env"]);
    assert_eq!(json["stats"]["baselined"], 2);

    // A named baseline file elsewhere, and a broken one.
    let elsewhere = w.root.join("team-baseline.json");
    let elsewhere_arg = elsewhere.to_str().unwrap();
    w.devk_ok(
        &w.work,
        &[
            "scan",
            "--all-history",
            "--baseline",
            elsewhere_arg,
            "--update-baseline",
        ],
    );
    assert_eq!(
        w.devk(
            &w.work,
            &["scan", "--all-history", "--baseline", elsewhere_arg]
        )
        .code,
        0
    );
    fs::write(&elsewhere, "{").unwrap();
    let broken = w.devk(
        &w.work,
        &["scan", "--all-history", "--baseline", elsewhere_arg],
    );
    assert_eq!(broken.code, 3, "{broken:?}");
    assert!(
        broken.stderr.contains("is not a devk baseline"),
        "{broken:?}"
    );
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0() {
    let test = "sarif_output_is_valid_sarif_2_1_0";
    let Some(python) = require_tool("python3", test) else {
        return;
    };
    let Some(w) = World::new(test) else {
        return;
    };
    w.commit(
        &w.work,
        "conf/a b.env",
        &format!("AWS_ACCESS_KEY_ID={}\n", akia()),
        "id",
    );
    w.commit(&w.work, "keys/id_rsa", &pem_key("RSA ", 8), "key");
    let run = w.devk(&w.work, &["scan", "--all-history", "--format", "sarif"]);
    assert_eq!(run.code, 1, "{run:?}");
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    assert!(
        !run.stdout.contains(&akia()),
        "SARIF holds masked values only"
    );
    let uris: Vec<&str> = results
        .iter()
        .filter_map(|r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains(&"conf/a%20b.env"), "{uris:?}");

    let sarif = w.root.join("out.sarif");
    fs::write(&sarif, &run.stdout).unwrap();
    let schema =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sarif/sarif-schema-2.1.0.json");
    let check = support::run(std::process::Command::new(python).args([
        "-c",
        "import json, sys, jsonschema\n\
         schema = json.load(open(sys.argv[1]))\n\
         jsonschema.Draft4Validator.check_schema(schema)\n\
         errors = list(jsonschema.Draft4Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n\
         [print(e.message, list(e.path)) for e in errors]\n\
         sys.exit(1 if errors else 0)\n",
        schema.to_str().unwrap(),
        sarif.to_str().unwrap(),
    ]));
    assert_eq!(check.code, 0, "not valid SARIF 2.1.0: {check:?}");
    // A clean scan is valid SARIF with no results (a code-scanning upload needs a file).
    let clean = World::new(test).unwrap();
    let run = clean.devk(&clean.work, &["scan", "--all-history", "--format", "sarif"]);
    assert_eq!(run.code, 0, "{run:?}");
    let log: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}
