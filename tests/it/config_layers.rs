//! End-to-end tests of the layered configuration through the public library API, with a real
//! user config directory, a nested project directory, environment variables and flags.

use std::path::{Path, PathBuf};

use devk::config::{self, ConfigError, LayerKind, LoadOptions};
use devk::exit::Exit;

struct Dirs {
    _root: tempfile::TempDir,
    user_dir: PathBuf,
    repo: PathBuf,
    nested: PathBuf,
}

fn dirs() -> Dirs {
    let root = tempfile::tempdir().unwrap();
    let user_dir = root.path().join("config/devk");
    let repo = root.path().join("work/repo");
    let nested = repo.join("services/api/src");
    std::fs::create_dir_all(&user_dir).unwrap();
    std::fs::create_dir_all(&nested).unwrap();
    Dirs {
        _root: root,
        user_dir,
        repo,
        nested,
    }
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_owned()
}

fn opts(d: &Dirs, env: &[(&str, &str)], flags: &[&str]) -> LoadOptions {
    LoadOptions {
        cwd: d.nested.clone(),
        user_config_dir: Some(d.user_dir.clone()),
        env: env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        flags: flags.iter().map(|f| (*f).to_owned()).collect(),
    }
}

#[test]
fn all_five_layers_combine_with_the_highest_winning_per_key() {
    let d = dirs();
    let user = write(
        &d.user_dir.join("config.toml"),
        "[contexts]\nlocal = [\"lab-*\", \"dev-*\"]\n\n[shell]\nmax_age_days = 30\n",
    );
    let project = write(
        &d.repo.join("devk.toml"),
        "# checked in by the team\n[contexts]\nprotected = [\"*live*\"]\n[kubeconfig]\nlock_timeout_ms = 5000\n",
    );
    let env = [
        ("DEVK_KUBECONFIG_LOCK_TIMEOUT_MS", "7000"),
        ("DEVK_NOT_A_SETTING", "ignored"),
    ];
    let flags = [
        "namespace.check_timeout_ms=250",
        "contexts.local=dev-*,qa-*",
        "creds.namespaces=shop",
    ];

    let loaded = config::load(&opts(&d, &env, &flags)).unwrap();

    let c = &loaded.config;
    // Safety settings: the project adds a protected pattern to the defaults; the flag narrows
    // the user's local patterns but cannot add one.
    assert_eq!(
        c.contexts.protected,
        vec!["*prod*", "*prd*", "*production*", "*live*"]
    );
    assert_eq!(c.contexts.local, vec!["dev-*"]);
    assert_eq!(c.creds.namespaces, vec!["shop"]);
    assert_eq!(c.kubeconfig.lock_timeout_ms, 7000);
    assert_eq!(c.namespace.check_timeout_ms, 250);
    assert_eq!(c.shell.max_age_days, 30);

    let origin = |key: &str| loaded.origin(key).unwrap();
    assert_eq!(
        origin("shell.max_age_days"),
        format!("{}:5", user.display())
    );
    assert_eq!(
        origin("contexts.protected"),
        format!("built-in + {}:3", project.display())
    );
    assert_eq!(
        origin("kubeconfig.lock_timeout_ms"),
        "DEVK_KUBECONFIG_LOCK_TIMEOUT_MS"
    );
    assert_eq!(
        origin("namespace.check_timeout_ms"),
        "--set namespace.check_timeout_ms"
    );
    assert_eq!(origin("contexts.local"), "--set contexts.local");
    assert_eq!(origin("creds.namespaces"), "--set creds.namespaces");
    let ignored: Vec<(String, String)> = loaded
        .safety
        .ignored
        .iter()
        .map(|i| (i.key.clone(), i.origin.clone()))
        .collect();
    assert_eq!(
        ignored,
        vec![
            (
                "contexts.protected".into(),
                format!("{}:3", project.display())
            ),
            ("contexts.local".into(), "--set contexts.local".into()),
        ]
    );

    let kinds: Vec<(LayerKind, bool)> = loaded.layers.iter().map(|l| (l.kind, l.present)).collect();
    assert_eq!(
        kinds,
        vec![
            (LayerKind::Default, true),
            (LayerKind::User, true),
            (LayerKind::Project, true),
            (LayerKind::Env, true),
            (LayerKind::Flags, true),
        ]
    );
    assert_eq!(loaded.layers[3].keys, vec!["kubeconfig.lock_timeout_ms"]);
}

#[test]
fn check_report_mentions_every_layer_path_and_each_key_origin() {
    let d = dirs();
    let project = write(&d.repo.join("devk.toml"), "[shell]\nmax_age_days = 3\n");
    let loaded = config::load(&opts(&d, &[], &["creds.namespaces=[]"])).unwrap();
    let report = loaded.render_check_report();

    let user = d.user_dir.join("config.toml");
    for needle in [
        "built-in".to_owned(),
        format!("{}  (not found)", user.display()),
        format!("{}  (found, sets 1 key)", project.display()),
        "DEVK_* environment".to_owned(),
        "--set flags".to_owned(),
        format!("# {}:2", project.display()),
        "# --set creds.namespaces".to_owned(),
        "kubeconfig.lock_timeout_ms = 2000".to_owned(),
    ] {
        assert!(report.contains(&needle), "missing {needle:?} in:\n{report}");
    }
}

#[test]
fn a_project_file_above_the_working_directory_beats_the_user_file() {
    let d = dirs();
    write(
        &d.user_dir.join("config.toml"),
        "[shell]\nmax_age_days = 30\n",
    );
    write(&d.repo.join("devk.toml"), "[shell]\nmax_age_days = 2\n");
    let nearer = write(
        &d.repo.join("services/devk.toml"),
        "[shell]\nmax_age_days = 4\n",
    );
    let loaded = config::load(&opts(&d, &[], &[])).unwrap();
    assert_eq!(loaded.config.shell.max_age_days, 4);
    assert_eq!(
        loaded.origin("shell.max_age_days").unwrap(),
        format!("{}:2", nearer.display())
    );
}

#[test]
fn invalid_layers_fail_with_every_problem_and_the_config_exit_code() {
    let d = dirs();
    let project = write(
        &d.repo.join("devk.toml"),
        "[contexts]\nprotectd = [\"*prod*\"]\n[namespace]\ncheck_timeout_ms = \"soon\"\n",
    );
    let err: ConfigError =
        config::load(&opts(&d, &[("DEVK_SHELL_MAX_AGE_DAYS", "-1")], &["bogus"])).unwrap_err();
    assert_eq!(err.exit(), Exit::Config);
    let p = project.display();
    let lines: Vec<String> = err.problems().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        vec![
            format!("{p}:2: unknown key `contexts.protectd`; did you mean `contexts.protected`?"),
            format!("{p}:4: `namespace.check_timeout_ms` must be an integer, found string \"soon\""),
            "--set \"bogus\": there is no `=`; write it as --set KEY=VALUE, e.g. --set contexts.local=dev-*".to_owned(),
            "DEVK_SHELL_MAX_AGE_DAYS: `shell.max_age_days` has an invalid value: integer `-1`, expected u64".to_owned(),
        ]
    );
}
