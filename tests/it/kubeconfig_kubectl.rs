//! devk and the real kubectl agree: the same edit, made by each on identical copies of the
//! same kubeconfig files, leaves every file with the same meaning (as `kubectl config view`
//! reads it) and changes the same files. Also: devk and kubectl honour each other's lock.

use std::fs;
use std::path::Path;
use std::process::Command;

use rstest::rstest;

use crate::support::{devk, isolate, kubeconfig, require_tool, run};

const FILES: [&str; 2] = ["a", "b"];

fn file_a() -> String {
    kubeconfig(
        Some("alpha"),
        &[
            ("alpha", "c-alpha", "https://alpha.example.com", None),
            ("shared", "c-a", "https://from-a.example.com", Some("ns-a")),
        ],
    )
}

fn file_b() -> String {
    kubeconfig(
        Some("beta"),
        &[
            ("beta", "c-beta", "https://beta.example.com", Some("team")),
            ("shared", "c-b", "https://from-b.example.com", None),
            ("gamma", "c-beta", "https://beta.example.com", None),
        ],
    )
}

/// Writes the scenario's starting files into `dir` and gives KUBECONFIG for `list`.
fn setup(dir: &Path, present: &[&str], list: &[&str]) -> String {
    for name in present {
        let text = if *name == "a" { file_a() } else { file_b() };
        fs::write(dir.join(name), text).unwrap();
    }
    list.iter()
        .map(|n| dir.join(n).display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// `kubectl config view --raw -o json` of one file, or None when it does not exist.
fn view(kubectl: &Path, file: &Path) -> Option<serde_json::Value> {
    if !file.exists() {
        return None;
    }
    let out = Command::new(kubectl)
        .args(["config", "view", "--raw", "-o", "json", "--kubeconfig"])
        .arg(file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kubectl cannot read {}: {}",
        file.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).unwrap())
}

#[rstest]
#[case::use_context_goes_to_first_existing_file(&["a", "b"], &["a", "b"], "config use-context gamma", "switch gamma")]
#[case::use_context_skips_a_missing_first_file(&["b"], &["missing", "b"], "config use-context gamma", "switch gamma")]
#[case::use_context_with_a_single_entry(&["b"], &["b"], "config use-context gamma", "switch gamma")]
#[case::namespace_goes_to_the_file_of_the_context(&["a", "b"], &["a", "b"], "config use-context beta; config set-context beta --namespace=web", "--set namespace.check_timeout_ms=1 switch beta --namespace web --force")]
#[case::rename_in_the_origin_file(&["a", "b"], &["a", "b"], "config rename-context gamma delta", "context rename gamma delta")]
#[case::rename_of_the_current_context(&["a", "b"], &["a", "b"], "config rename-context alpha omega", "context rename alpha omega")]
#[case::delete_reveals_the_shadowed_entry(&["a", "b"], &["a", "b"], "config delete-context shared", "context delete shared --yes")]
#[case::new_cluster_user_context_go_to_the_destination(&["a", "b"], &["missing", "b", "a"], "config set-cluster n --server=https://n.example.com", "context add n --server https://n.example.com --user dev")]
fn devk_and_kubectl_leave_the_same_files(
    #[case] present: &[&str],
    #[case] list: &[&str],
    #[case] kubectl_args: &str,
    #[case] devk_args: &str,
) {
    let Some(kubectl) = require_tool("kubectl", "devk_and_kubectl_leave_the_same_files") else {
        return;
    };
    let k = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    let k_list = setup(k.path(), present, list);
    let d_list = setup(d.path(), present, list);

    // `context add` also writes the context (and uses the existing user `dev`): do the same
    // with kubectl's three commands so both sides make the same change.
    let mut kubectl_cmds: Vec<String> = kubectl_args.split("; ").map(String::from).collect();
    if kubectl_args.starts_with("config set-cluster n") {
        kubectl_cmds.push("config set-context n --cluster=n --user=dev".into());
    }
    for args in &kubectl_cmds {
        let out = Command::new(&kubectl)
            .args(args.split_whitespace())
            .env("KUBECONFIG", &k_list)
            .env("HOME", k.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "kubectl {args}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut cmd = devk(d.path());
    cmd.env("KUBECONFIG", &d_list)
        .args(devk_args.split_whitespace());
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "devk {devk_args}: {r:?}");

    for name in FILES.iter().chain(["missing"].iter()) {
        let (kv, dv) = (
            view(&kubectl, &k.path().join(name)),
            view(&kubectl, &d.path().join(name)),
        );
        assert_eq!(
            kv, dv,
            "file `{name}` differs after `{kubectl_args}` vs `devk {devk_args}`"
        );
    }
    // And the merged view agrees too.
    let merged = |list: &str| {
        let out = Command::new(&kubectl)
            .args(["config", "view", "--raw", "-o", "json"])
            .env("KUBECONFIG", list)
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(merged(&k_list), merged(&d_list));
}

#[test]
fn kubectl_sees_what_devk_switched_to_and_devk_sees_kubectl() {
    let Some(kubectl) = require_tool("kubectl", "kubectl_sees_what_devk_switched_to") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let list = setup(dir.path(), &["a", "b"], &["a", "b"]);
    let mut cmd = devk(dir.path());
    cmd.env("KUBECONFIG", &list).args(["switch", "gamma"]);
    assert_eq!(run(&mut cmd).code, 0);
    let out = Command::new(&kubectl)
        .args(["config", "current-context"])
        .env("KUBECONFIG", &list)
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "gamma\n");
    let out = Command::new(&kubectl)
        .args(["config", "use-context", "shared"])
        .env("KUBECONFIG", &list)
        .output()
        .unwrap();
    assert!(out.status.success());
    let mut cmd = devk(dir.path());
    cmd.env("KUBECONFIG", &list).arg("current");
    // `shared` comes from file a (first wins), with its namespace.
    assert_eq!(run(&mut cmd).stdout, "shared:ns-a\n");
}

#[test]
fn kubectl_waits_for_nobody_but_never_writes_under_devks_lock() {
    let Some(kubectl) = require_tool("kubectl", "kubectl_never_writes_under_devks_lock") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let list = setup(dir.path(), &["a"], &["a"]);
    let before = fs::read_to_string(dir.path().join("a")).unwrap();
    let lock = devk::kubeconfig::FileLock::acquire(
        &dir.path().join("a"),
        &std::time::Duration::from_secs(1).into(),
        &|| false,
    )
    .unwrap();
    let mut cmd = Command::new(&kubectl);
    isolate(&mut cmd, dir.path());
    let out = cmd
        .args(["config", "use-context", "shared"])
        .env("KUBECONFIG", &list)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "kubectl must refuse while devk holds a.lock"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a.lock"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(fs::read_to_string(dir.path().join("a")).unwrap(), before);
    drop(lock);
    assert!(!dir.path().join("a.lock").exists());
}

/// A second kubeconfig file that client-go (kubectl) merges without complaint but kube-rs's
/// own `Kubeconfig::merge` refuses: its `apiVersion` is empty, and kube-rs requires every
/// file's `apiVersion` to be equal ("ApiVersionMismatch").
const SECOND_FILE: &str =
    "apiVersion: \"\"\ncontexts:\n- name: other\n  context: {cluster: demo, user: demo-user}\n";

#[tokio::test(flavor = "multi_thread")]
async fn devk_connects_where_kubectl_connects_when_kube_rs_would_merge_the_files_differently() {
    let Some(kubectl) = require_tool("kubectl", "devk_connects_where_kubectl_connects") else {
        return;
    };
    let env = crate::sandbox_kubectl::sandbox().await;
    let second = env.dir.path().join("second");
    fs::write(&second, SECOND_FILE).unwrap();
    let list = std::env::join_paths([&env.kubeconfig, &second]).unwrap();

    // The case is real: kube-rs, left to read and merge the files itself, refuses them.
    let first = kube::config::Kubeconfig::read_from(&env.kubeconfig).unwrap();
    let other = kube::config::Kubeconfig::read_from(&second).unwrap();
    assert!(
        first.merge(other).is_err(),
        "kube-rs merged the files after all"
    );

    let mut cmd = Command::new(&kubectl);
    isolate(&mut cmd, env.dir.path());
    cmd.env("KUBECONFIG", &list)
        .args(["get", "namespaces", "-o", "name", "--request-timeout=10s"]);
    let k = run(&mut cmd);
    assert_eq!(k.code, 0, "kubectl: {k:?}");
    let kubectl_names: Vec<String> = k
        .stdout
        .lines()
        .map(|l| l.trim_start_matches("namespace/").to_string())
        .collect();
    assert!(!kubectl_names.is_empty());

    // devk's CLI and library connect to the same cluster kubectl did, and list the same.
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &list).arg("ns");
    let d = tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .unwrap();
    assert_eq!(d.code, 0, "devk ns: {d:?}");
    let devk_names: Vec<String> = d
        .stdout
        .lines()
        .map(|l| l.trim_start_matches(['*', ' ']).to_string())
        .collect();
    assert_eq!(devk_names, kubectl_names);
    let sources = devk::kubeconfig::Sources::resolve(None, Some(&list), env.dir.path());
    let client = devk::cluster::client_for(&sources, "demo").await.unwrap();
    let names = devk::cluster::all_namespaces(&client, "demo")
        .await
        .unwrap();
    assert_eq!(names, kubectl_names);
}

#[test]
fn duplicate_names_in_one_file_are_refused_as_kubectl_refuses_them() {
    let Some(kubectl) = require_tool("kubectl", "duplicate_names_in_one_file_are_refused") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(
        &file,
        "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:9\"}\n- name: c\n  cluster: {server: \"https://127.0.0.1:10\"}\ncontexts:\n- name: a\n  context: {cluster: c}\n",
    )
    .unwrap();
    let mut cmd = Command::new(&kubectl);
    isolate(&mut cmd, dir.path());
    cmd.env("KUBECONFIG", &file).args(["config", "view"]);
    let k = run(&mut cmd);
    assert_ne!(k.code, 0, "kubectl accepted duplicate names: {k:?}");
    assert!(k.stderr.contains("duplicate name"), "{k:?}");
    let mut cmd = devk(dir.path());
    cmd.env("KUBECONFIG", &file).arg("current");
    let d = run(&mut cmd);
    assert_eq!(d.code, 4, "{d:?}");
    assert!(
        d.stderr.contains("`clusters` has two entries named `c`"),
        "{d:?}"
    );
}

#[test]
fn a_context_whose_cluster_or_user_is_missing_is_a_kubeconfig_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(
        &file,
        "apiVersion: v1\nkind: Config\ncurrent-context: ok\nclusters:\n- name: c\n  cluster: {server: \"https://127.0.0.1:9\"}\nusers:\n- name: u\n  user: {token: t}\ncontexts:\n- name: ok\n  context: {cluster: c, user: u}\n- name: no-cluster\n  context: {cluster: gone, user: u}\n- name: no-user\n  context: {cluster: c, user: nobody}\n",
    )
    .unwrap();
    for (context, entry) in [
        ("no-cluster", "cluster `gone`"),
        ("no-user", "user `nobody`"),
    ] {
        let mut cmd = devk(dir.path());
        cmd.env("KUBECONFIG", &file)
            .args(["logs", "--context", context, "-n", "default", "x"]);
        let r = run(&mut cmd);
        assert_eq!(r.code, 4, "{context}: {r:?}");
        assert!(
            r.stderr.contains(&format!(
                "context `{context}` (in {}) names {entry}, which no kubeconfig file defines",
                file.display()
            )),
            "{context}: {r:?}"
        );
        // Switching to it still works, as kubectl's does, with a warning.
        let mut cmd = devk(dir.path());
        cmd.env("KUBECONFIG", &file).args(["switch", context]);
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{context}: {r:?}");
        assert!(
            r.stderr.contains("warning:") && r.stderr.contains(entry),
            "{r:?}"
        );
    }
}
