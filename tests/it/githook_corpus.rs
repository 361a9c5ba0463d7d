//! devk's secret corpus (tests/fixtures/secret-corpus, written for devk from the formats'
//! descriptions; MANIFEST says what each file is) scanned by devk and, where whether a file
//! holds a secret is a fact of its format, compared with detect-secrets (PyPI).

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::githook::World;
use crate::support::{self, require_tool};

struct Case {
    path: String,
    class: String,
    secret: bool,
    fact: bool,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secret-corpus")
}

fn manifest() -> Vec<Case> {
    let text = fs::read_to_string(corpus_dir().join("MANIFEST")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            Case {
                path: cols[0].to_owned(),
                class: cols[1].to_owned(),
                secret: cols[2] == "secret",
                fact: cols[3] == "yes",
            }
        })
        .collect()
}

/// A world whose work repository has the whole corpus committed.
fn corpus_world(test: &str) -> Option<(World, Vec<Case>)> {
    let w = World::new(test)?;
    let cases = manifest();
    for case in &cases {
        let to = w.work.join(&case.path);
        fs::create_dir_all(to.parent().unwrap()).unwrap();
        fs::copy(corpus_dir().join(&case.path), &to).unwrap();
    }
    w.git_ok(&w.work, &["add", "-A"]);
    w.git_ok(&w.work, &["commit", "-q", "-m", "corpus"]);
    Some((w, cases))
}

/// The files devk reports (with `extra` as --set flags).
fn devk_hits(w: &World, extra: &[&str]) -> BTreeSet<String> {
    let mut args: Vec<&str> = extra.to_vec();
    args.extend(["scan", "--all-history", "--json"]);
    let run = w.devk(&w.work, &args);
    assert_eq!(run.code, 1, "{run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn devk_gets_every_corpus_case_right() {
    let Some((w, cases)) = corpus_world("devk_gets_every_corpus_case_right") else {
        return;
    };
    let hits = devk_hits(&w, &["--set", r#"hook.extra_rules=["generic-secret"]"#]);
    let wrong: Vec<String> = cases
        .iter()
        .filter(|c| hits.contains(&c.path) != c.secret)
        .map(|c| format!("{} (secret: {})", c.path, c.secret))
        .collect();
    assert!(wrong.is_empty(), "devk is wrong on: {wrong:#?}");
    // Without the optional rule, the generic class stays quiet and the rest is the same.
    let default = devk_hits(&w, &[]);
    for case in &cases {
        let want = case.secret && case.class != "generic";
        assert_eq!(default.contains(&case.path), want, "{}", case.path);
    }
}

/// Files in which detect-secrets (all plugins, default filters) reports something.
fn detect_secrets_hits(dir: &Path) -> BTreeSet<String> {
    let run = support::run(
        std::process::Command::new("detect-secrets")
            .args(["scan", "--all-files"])
            .current_dir(dir),
    );
    assert_eq!(run.code, 0, "detect-secrets scan: {run:?}");
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    json["results"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(_, found)| found.as_array().is_some_and(|a| !a.is_empty()))
        .map(|(path, _)| path.clone())
        .collect()
}

#[test]
fn devk_matches_or_beats_detect_secrets_where_the_format_decides() {
    let test = "devk_matches_or_beats_detect_secrets_where_the_format_decides";
    if require_tool("detect-secrets", test).is_none() {
        return;
    }
    let Some((w, cases)) = corpus_world(test) else {
        return;
    };
    let devk = devk_hits(&w, &[]);
    let ds = detect_secrets_hits(&w.work);
    let mut table = String::from(
        "case                                             secret devk detect-secrets\n",
    );
    let (mut devk_right, mut ds_right) = (0, 0);
    for case in cases.iter().filter(|c| c.fact) {
        let d = devk.contains(&case.path);
        let s = ds.contains(&case.path);
        table.push_str(&format!(
            "{:<48} {:<6} {:<4} {s}\n",
            case.path, case.secret, d
        ));
        assert_eq!(d, case.secret, "devk on {}:\n{table}", case.path);
        devk_right += usize::from(d == case.secret);
        ds_right += usize::from(s == case.secret);
    }
    println!("{table}devk right on {devk_right}, detect-secrets on {ds_right}");
    assert!(devk_right >= ds_right, "{table}");
    // Sanity: detect-secrets really ran and found what any scanner finds.
    for found in [
        "pem-placeholder/real-rsa.pem",
        "aws-placeholder/real-key-id.json",
    ] {
        assert!(ds.contains(found), "{found}: {table}");
    }
    // Facts of the format detect-secrets gets wrong and devk right: a PEM header with no key
    // after it is no key; a base64 Secret value that decodes to a key ID is one.
    for (case, ds_says) in [
        ("pem-placeholder/direct-end.pem", true),
        ("split-pem/pem-parser-constant.rs", true),
        ("encoded/k8s-encoded-key-id.yaml", false),
    ] {
        assert_eq!(ds.contains(case), ds_says, "{case}: {table}");
    }
}
