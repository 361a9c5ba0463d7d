//! Table tests for the merge and write-back rules, on real temp files.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use rstest::rstest;

use super::*;

pub(super) fn cfg(
    current: Option<&str>,
    contexts: &[(&str, &str, Option<&str>)],
    clusters: &[(&str, &str)],
) -> String {
    let mut s = String::from("apiVersion: v1\nkind: Config\n");
    if let Some(c) = current {
        s.push_str(&format!("current-context: {c}\n"));
    }
    s.push_str("clusters:\n");
    for (name, server) in clusters {
        s.push_str(&format!(
            "- name: {name}\n  cluster:\n    server: {server}\n"
        ));
    }
    s.push_str("contexts:\n");
    for (name, cluster, ns) in contexts {
        s.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {cluster}\n    user: u\n"
        ));
        if let Some(ns) = ns {
            s.push_str(&format!("    namespace: {ns}\n"));
        }
    }
    s.push_str("users:\n- name: u\n  user:\n    token: secret\n");
    s
}

pub(super) struct Env {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Env {
    pub(super) fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        Env { _dir: dir, root }
    }
    pub(super) fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.root.join(name);
        fs::write(&p, text).unwrap();
        p
    }
    pub(super) fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
    pub(super) fn sources(&self, names: &[&str]) -> Sources {
        let list = std::env::join_paths(names.iter().map(|n| self.path(n))).unwrap();
        Sources::resolve(None, Some(&list), &self.root)
    }
    pub(super) fn read(&self, name: &str) -> String {
        fs::read_to_string(self.path(name)).unwrap_or_default()
    }
}

fn load(env: &Env, names: &[&str]) -> Kubeconfig {
    Kubeconfig::load(env.sources(names), false).unwrap()
}

pub(super) const T: Duration = Duration::from_millis(300);

#[test]
fn first_file_defining_a_context_wins_whole_entry() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(
            None,
            &[("dev", "c-a", Some("ns-a"))],
            &[("c-a", "https://a")],
        ),
    );
    env.write(
        "b",
        &cfg(
            None,
            &[("dev", "c-b", None), ("only-b", "c-b", None)],
            &[("c-b", "https://b")],
        ),
    );
    let kc = load(&env, &["a", "b"]);
    let dev = kc.context("dev").unwrap();
    assert_eq!(
        (dev.cluster.as_str(), dev.namespace.as_deref(), dev.file),
        ("c-a", Some("ns-a"), 0)
    );
    assert_eq!(kc.context("only-b").unwrap().file, 1);
    assert_eq!(kc.context_names(), vec!["dev", "only-b"]);
}

#[test]
fn current_context_comes_from_first_file_that_sets_it() {
    let env = Env::new();
    env.write("a", &cfg(None, &[("x", "c", None)], &[]));
    env.write("b", &cfg(Some("w"), &[("w", "c", None)], &[]));
    env.write("c", &cfg(Some("x"), &[], &[]));
    assert_eq!(load(&env, &["a", "b", "c"]).current_context(), Some("w"));
}

#[test]
fn empty_current_context_counts_as_unset() {
    let env = Env::new();
    env.write("a", "current-context: \"\"\n");
    env.write("b", &cfg(Some("w"), &[("w", "c", None)], &[]));
    assert_eq!(load(&env, &["a", "b"]).current_context(), Some("w"));
}

#[test]
fn duplicate_names_within_one_file_are_refused_as_kubectl_refuses_them() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(None, &[("d", "first", None), ("d", "second", None)], &[]),
    );
    let err = Kubeconfig::load(env.sources(&["a"]), false).unwrap_err();
    assert_eq!(err.exit(), crate::exit::Exit::Kubeconfig);
    assert!(
        err.to_string()
            .contains("`contexts` has two entries named `d` (the second is `contexts[1]`)"),
        "{err}"
    );
}

#[test]
fn missing_files_in_kubeconfig_are_skipped() {
    let env = Env::new();
    env.write("b", &cfg(Some("w"), &[("w", "c", None)], &[]));
    let kc = load(&env, &["nope", "b"]);
    assert_eq!(kc.current_context(), Some("w"));
}

#[test]
fn missing_explicit_file_is_an_error() {
    let env = Env::new();
    let s = Sources::resolve(Some(&env.path("nope")), None, &env.root);
    let err = Kubeconfig::load(s, false).unwrap_err();
    assert!(
        matches!(err, KubeconfigError::ExplicitMissing { .. }),
        "{err}"
    );
    assert_eq!(err.exit(), crate::exit::Exit::Kubeconfig);
}

#[rstest]
#[case::unclosed_flow_list_reported_where_it_opens(
    "apiVersion: v1\ncontexts:\n- name: a\n  context: [\n",
    Some(4)
)]
#[case::contexts_not_a_list("apiVersion: v1\ncontexts: 3\n", Some(2))]
#[case::entry_without_name("apiVersion: v1\ncontexts:\n- context:\n    cluster: c\n", Some(3))]
#[case::top_level_list("- a\n- b\n", Some(1))]
fn invalid_files_name_the_file_and_line(#[case] text: &str, #[case] line: Option<usize>) {
    let env = Env::new();
    env.write("bad", text);
    let err = Kubeconfig::load(env.sources(&["bad"]), false).unwrap_err();
    match &err {
        KubeconfigError::Invalid { path, line: l, .. } => {
            assert_eq!(path, &env.path("bad"));
            assert_eq!(*l, line, "{err}");
        }
        other => panic!("unexpected {other}"),
    }
    assert!(err.to_string().contains("bad"), "{err}");
}

#[rstest]
// KUBECONFIG=a:b, both exist: current-context goes to the first existing file.
#[case::first_existing(&["a", "b"], &["a", "b"], "a")]
// The first entry does not exist: the first existing one.
#[case::skip_missing(&["nope", "b"], &["b"], "b")]
fn use_context_writes_to_the_file_kubectl_would(
    #[case] list: &[&str],
    #[case] existing: &[&str],
    #[case] want: &str,
) {
    let env = Env::new();
    for name in existing {
        env.write(
            name,
            &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
        );
    }
    let before: Vec<String> = existing.iter().map(|n| env.read(n)).collect();
    update(&env.sources(list), false, T, |kc| kc.use_context("w")).unwrap();
    for (i, name) in existing.iter().enumerate() {
        let text = env.read(name);
        if *name == want {
            assert!(text.contains("current-context: w"), "{name}: {text}");
        } else {
            assert_eq!(text, before[i], "{name} must not change");
        }
    }
}

#[test]
fn names_kubectl_reads_as_booleans_are_refused_as_kubectl_refuses_them() {
    let env = Env::new();
    env.write("a", "contexts:\n- name: yes\n  context: {cluster: c}\n");
    let err = Kubeconfig::load(env.sources(&["a"]), false).unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, KubeconfigError::Invalid { .. }), "{text}");
    assert!(
        text.contains("`contexts[0].name` must be a string, found a boolean"),
        "{text}"
    );
    assert!(text.contains("double quotes"), "{text}");
}

#[test]
fn use_context_edits_only_the_current_context_line_and_keeps_comments() {
    let env = Env::new();
    let original = "# my clusters\napiVersion: v1\ncurrent-context: x  \nclusters: []   # none yet\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n- name: \"y\"\n  context: {cluster: c, user: u}\n";
    env.write("a", original);
    update(&env.sources(&["a"]), false, T, |kc| kc.use_context("y")).unwrap();
    assert_eq!(
        env.read("a"),
        original.replace("current-context: x  ", "current-context: \"y\"")
    );
}

#[test]
fn use_context_appends_current_context_when_the_file_has_none() {
    let env = Env::new();
    let original = cfg(None, &[("x", "c", None)], &[]);
    env.write("a", &original);
    update(&env.sources(&["a"]), false, T, |kc| kc.use_context("x")).unwrap();
    assert_eq!(env.read("a"), format!("{original}current-context: x\n"));
}

#[test]
fn use_context_quotes_names_that_need_it() {
    let env = Env::new();
    env.write("a", "contexts:\n- name: 'yes'\n  context: {cluster: c}\n- name: 'a: b'\n  context: {cluster: c}\n");
    for name in ["yes", "a: b"] {
        update(&env.sources(&["a"]), false, T, |kc| kc.use_context(name)).unwrap();
        assert_eq!(load(&env, &["a"]).current_context(), Some(name));
    }
}

#[test]
fn use_context_of_unknown_name_writes_nothing() {
    let env = Env::new();
    let original = cfg(Some("x"), &[("x", "c", None)], &[]);
    env.write("a", &original);
    let err = update(&env.sources(&["a"]), false, T, |kc| kc.use_context("nope")).unwrap_err();
    assert!(matches!(err, KubeconfigError::NoSuchContext { .. }));
    assert_eq!(env.read("a"), original);
}

#[test]
fn set_namespace_goes_to_the_file_the_context_came_from() {
    let env = Env::new();
    env.write("a", &cfg(Some("x"), &[("x", "c", None)], &[]));
    env.write("b", &cfg(None, &[("w", "c", None)], &[]));
    let a_before = env.read("a");
    update(&env.sources(&["a", "b"]), false, T, |kc| {
        kc.set_namespace("w", Some("team"))
    })
    .unwrap();
    assert_eq!(env.read("a"), a_before);
    assert_eq!(
        load(&env, &["a", "b"])
            .context("w")
            .unwrap()
            .namespace
            .as_deref(),
        Some("team")
    );
}

#[test]
fn new_entries_go_to_the_destination_file() {
    let env = Env::new();
    env.write("a", &cfg(None, &[("x", "c", None)], &[]));
    env.write("b", &cfg(None, &[], &[("c2", "https://old")]));
    update(&env.sources(&["a", "b"]), false, T, |kc| {
        kc.upsert(Kind::Cluster, "c2", |b| {
            b.insert("server".into(), "https://new".into());
        });
        kc.upsert(Kind::Context, "fresh", |b| {
            b.insert("cluster".into(), "c2".into());
        });
        Ok::<_, KubeconfigError>(())
    })
    .unwrap();
    let kc = load(&env, &["a", "b"]);
    // The existing cluster stays in b; the new context lands in a (first existing file).
    assert_eq!(
        kc.cluster("c2").unwrap().server.as_deref(),
        Some("https://new")
    );
    assert_eq!(kc.cluster("c2").unwrap().file, 1);
    assert_eq!(kc.context("fresh").unwrap().file, 0);
}

#[test]
fn unknown_fields_and_order_survive_an_edit() {
    let env = Env::new();
    let original = "\
apiVersion: v1
kind: Config
preferences:
  colors: true
clusters:
- cluster:
    server: https://z
    extensions:
    - name: client.authentication.k8s.io/exec
      extension:
        audience: foo
  name: zeta
- cluster:
    server: https://a
  name: alpha
contexts:
- context:
    cluster: zeta
    user: eks
  name: zeta
users:
- name: eks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: aws
      args: [eks, get-token, --cluster-name, z]
      env: null
- name: old
  user:
    auth-provider:
      name: oidc
      config:
        idp-issuer-url: https://issuer
";
    env.write("a", original);
    update(&env.sources(&["a"]), false, T, |kc| {
        kc.set_namespace("zeta", Some("ns"))
    })
    .unwrap();
    let before: yaml::Value = yaml::parse_full(original).unwrap();
    let after: yaml::Value = yaml::parse_full(&env.read("a")).unwrap();
    // Same tree apart from the namespace, in the same order.
    let mut expected = before.clone();
    expected["contexts"][0]["context"]["namespace"] = "ns".into();
    assert_eq!(after, expected);
    let text = env.read("a");
    assert!(text.find("zeta").unwrap() < text.find("alpha").unwrap());
    assert!(text.contains("idp-issuer-url"));
}

#[test]
fn rename_keeps_position_and_follows_current_context() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(
            Some("b"),
            &[("a", "c", None), ("b", "c", None), ("c", "c", None)],
            &[],
        ),
    );
    update(&env.sources(&["a"]), false, T, |kc| {
        kc.rename_context("b", "bee")
    })
    .unwrap();
    let text = env.read("a");
    let pos = |s: &str| text.find(s).unwrap();
    assert!(pos("name: a") < pos("name: bee") && pos("name: bee") < pos("name: c"));
    assert_eq!(load(&env, &["a"]).current_context(), Some("bee"));
}

#[test]
fn rename_onto_an_existing_name_is_refused() {
    let env = Env::new();
    env.write("a", &cfg(None, &[("a", "c", None), ("b", "c", None)], &[]));
    let err = update(&env.sources(&["a"]), false, T, |kc| {
        kc.rename_context("a", "b")
    })
    .unwrap_err();
    assert!(matches!(err, KubeconfigError::ContextExists { .. }));
}

#[test]
fn delete_removes_from_origin_and_reveals_shadowed_entry() {
    let env = Env::new();
    env.write("a", &cfg(None, &[("d", "from-a", None)], &[]));
    env.write("b", &cfg(None, &[("d", "from-b", None)], &[]));
    update(&env.sources(&["a", "b"]), false, T, |kc| {
        kc.delete_context("d")
    })
    .unwrap();
    assert_eq!(
        load(&env, &["a", "b"]).context("d").unwrap().cluster,
        "from-b"
    );
}

#[test]
fn a_new_file_is_created_with_private_mode() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let s = Sources::resolve(Some(&env.path("new/config")), None, &env.root);
    update(&s, true, T, |kc| {
        kc.upsert(Kind::Context, "n", |b| {
            b.insert("cluster".into(), "c".into());
        });
        kc.use_context("n")
    })
    .unwrap();
    let meta = fs::metadata(env.path("new/config")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = env.read("new/config");
    assert!(text.starts_with("apiVersion: v1\nkind: Config\n"), "{text}");
}

#[test]
fn a_concurrent_write_is_not_lost() {
    // Another program changes the file after devk read it but before devk locked it: devk
    // redoes its edit on the new contents.
    let env = Env::new();
    env.write(
        "a",
        &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
    );
    let mut first = true;
    update(&env.sources(&["a"]), false, T, |kc| {
        if first {
            first = false;
            let other = cfg(
                Some("x"),
                &[("x", "c", None), ("w", "c", None), ("z", "c", None)],
                &[],
            );
            fs::write(env.path("a"), other).unwrap();
        }
        kc.use_context("w")
    })
    .unwrap();
    let kc = load(&env, &["a"]);
    assert_eq!(kc.current_context(), Some("w"));
    assert!(
        kc.context("z").is_some(),
        "the other writer's context was lost"
    );
}

#[test]
fn mode_of_an_existing_file_is_kept() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let p = env.write(
        "a",
        &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
    );
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    update(&env.sources(&["a"]), false, T, |kc| {
        kc.set_namespace("w", Some("n"))
    })
    .unwrap();
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o777,
        0o640
    );
}

#[test]
fn user_auth_kind_is_described_without_secrets() {
    let env = Env::new();
    env.write("a", &cfg(None, &[], &[]));
    let kc = load(&env, &["a"]);
    let u = kc.user("u").unwrap();
    assert_eq!(u.auth, AuthKind::Token);
    assert!(!u.auth.to_string().contains("secret"));
}

fn with_blobs() -> String {
    let blob = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t".repeat(8);
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: a\nclusters:\n- cluster:\n    certificate-authority-data: {blob}\n    server: https://a\n  name: ca\ncontexts:\n- context:\n    cluster: ca\n    user: ua\n  name: a\n- context:\n    cluster: ca\n    user: ua\n  name: b\nusers:\n- name: ua\n  user:\n    client-certificate-data: {blob}\n    client-key-data: {blob}\n"
    )
}

#[test]
fn a_light_load_reads_the_same_contexts_without_the_blobs() {
    let env = Env::new();
    env.write("a", &with_blobs());
    let full = Kubeconfig::load(env.sources(&["a"]), false).unwrap();
    let light = Kubeconfig::load_light(env.sources(&["a"]), false).unwrap();
    assert_eq!(full.contexts(), light.contexts());
    assert_eq!(full.cluster("ca"), light.cluster("ca"));
    assert_eq!(full.user("ua"), light.user("ua"));
    assert!(light.cluster("ca").unwrap().has_ca_data);
}

#[test]
fn edits_after_a_light_load_never_lose_the_blobs() {
    let env = Env::new();
    let original = with_blobs();
    env.write("a", &original);
    // A switch edits one line of the original text.
    let kc = Kubeconfig::load_light(env.sources(&["a"]), false).unwrap();
    update_loaded(Some(kc), &env.sources(&["a"]), false, T, |kc| {
        kc.use_context("b")
    })
    .unwrap();
    assert_eq!(
        env.read("a"),
        original.replace("current-context: a", "current-context: b")
    );
    // A namespace change rewrites the tree: it is redone on a full load, blobs and all.
    let kc = Kubeconfig::load_light(env.sources(&["a"]), false).unwrap();
    update_loaded(Some(kc), &env.sources(&["a"]), false, T, |kc| {
        kc.set_namespace("b", Some("web"))
    })
    .unwrap();
    let after: yaml::Value = yaml::parse_full(&env.read("a")).unwrap();
    let before: yaml::Value = yaml::parse_full(&original).unwrap();
    assert_eq!(after["users"], before["users"]);
    assert_eq!(after["clusters"], before["clusters"]);
    assert_eq!(after["contexts"][1]["context"]["namespace"], "web");
}

// Found by fuzz/fuzz_targets/kubeconfig_roundtrip.rs: a switch on a file whose top-level
// mapping is indented (valid YAML) and has no `current-context` appended the line at column 0
// and wrote a file that no longer parsed.
#[test]
fn switching_in_a_file_with_an_indented_top_level_keeps_it_readable() {
    let path = std::path::Path::new("/k/config");
    let text = "    contexts:\n    - name: x\n      context: {cluster: c, user: u}\n";
    let mut f = KubeFile::parse(path, text.to_owned()).unwrap();
    f.set_current_context("x");
    let written = f.render().unwrap();
    let again = KubeFile::parse(path, written.clone()).unwrap_or_else(|e| panic!("{e}\n{written}"));
    assert_eq!(again.current_context(), Some("x"));
    assert_eq!(again.entries(Kind::Context).count(), 1);
}
