//! Tests of `load` as a whole: layering, provenance and error reporting, with temp dirs.

use std::path::{Path, PathBuf};

use rstest::rstest;
use tempfile::TempDir;

use super::*;

/// A scratch world: a user config dir and a project dir, both empty until written.
struct World {
    _root: TempDir,
    user: PathBuf,
    project: PathBuf,
}

impl World {
    fn new() -> World {
        let root = tempfile::tempdir().unwrap();
        let user = root.path().join("xdg/devk");
        let project = root.path().join("repo");
        std::fs::create_dir_all(&user).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        World {
            _root: root,
            user,
            project,
        }
    }

    fn user_file(&self, text: &str) -> PathBuf {
        write(&self.user.join(USER_FILE), text)
    }

    fn project_file(&self, text: &str) -> PathBuf {
        write(&self.project.join(PROJECT_FILE), text)
    }

    fn opts(&self, env: &[(&str, &str)], flags: &[&str]) -> LoadOptions {
        LoadOptions {
            cwd: self.project.clone(),
            user_config_dir: Some(self.user.clone()),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        }
    }

    fn load(&self, env: &[(&str, &str)], flags: &[&str]) -> Result<Loaded, ConfigError> {
        load(&self.opts(env, flags))
    }
}

fn write(path: &Path, text: &str) -> PathBuf {
    std::fs::write(path, text).unwrap();
    path.to_owned()
}

fn error_lines(err: &ConfigError) -> Vec<String> {
    err.problems().iter().map(ToString::to_string).collect()
}

#[test]
fn with_no_files_env_or_flags_the_config_is_the_builtin_default() {
    let world = World::new();
    let loaded = world.load(&[], &[]).unwrap();
    assert_eq!(loaded.config, Config::default());
    assert_eq!(loaded.config.kubeconfig.lock_timeout_ms, 2000);
    assert_eq!(
        loaded.origin("contexts.protected").as_deref(),
        Some("built-in")
    );
    let present: Vec<bool> = loaded.layers.iter().map(|l| l.present).collect();
    assert_eq!(present, vec![true, false, false, false, false]);
}

#[test]
fn each_layer_overrides_the_one_below_and_origin_names_the_winner() {
    let world = World::new();
    let user = world.user_file("[shell]\nmax_age_days = 1\n[namespace]\ncheck_timeout_ms = 10\n[kubeconfig]\nlock_timeout_ms = 10\n");
    let project = world
        .project_file("[namespace]\ncheck_timeout_ms = 20\n\n[kubeconfig]\nlock_timeout_ms = 20\n");
    let loaded = world
        .load(
            &[
                ("DEVK_KUBECONFIG_LOCK_TIMEOUT_MS", "30"),
                ("DEVK_CREDS_NAMESPACES", "lab"),
            ],
            &["creds.namespaces=dev"],
        )
        .unwrap();
    let c = &loaded.config;
    assert_eq!(c.shell.max_age_days, 1);
    assert_eq!(c.namespace.check_timeout_ms, 20);
    assert_eq!(c.kubeconfig.lock_timeout_ms, 30);
    assert_eq!(c.creds.namespaces, vec!["dev"]);
    let origin = |k| loaded.origin(k).unwrap();
    assert_eq!(
        origin("shell.max_age_days"),
        format!("{}:2", user.display())
    );
    assert_eq!(
        origin("namespace.check_timeout_ms"),
        format!("{}:2", project.display())
    );
    assert_eq!(
        origin("kubeconfig.lock_timeout_ms"),
        "DEVK_KUBECONFIG_LOCK_TIMEOUT_MS"
    );
    assert_eq!(origin("creds.namespaces"), "--set creds.namespaces");
    assert_eq!(origin("contexts.protected"), "built-in");
    assert_eq!(loaded.origin("contexts"), None);
    assert_eq!(loaded.origin("contexts.nope"), None);
    let project_layer = &loaded.layers[2];
    assert_eq!(project_layer.kind, LayerKind::Project);
    assert_eq!(
        project_layer.keys,
        vec!["kubeconfig.lock_timeout_ms", "namespace.check_timeout_ms"]
    );
}

#[test]
fn a_higher_array_replaces_the_lower_one_whole_unless_it_is_a_safety_setting() {
    let world = World::new();
    world.user_file("[creds]\nnamespaces = [\"a\", \"b\"]\n");
    world.project_file("[creds]\nnamespaces = [\"c\"]\n");
    let loaded = world.load(&[], &[]).unwrap();
    assert_eq!(loaded.config.creds.namespaces, vec!["c"]);
}

#[test]
fn unknown_key_error_names_file_line_full_key_and_suggestion() {
    let world = World::new();
    let path = world.project_file("# team settings\n[contexts]\nprotectd = [\"*prod*\"]\n");
    let err = world.load(&[], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: unknown key `contexts.protectd`; did you mean `contexts.protected`?",
            path.display()
        )
    );
    assert_eq!(err.exit(), crate::exit::Exit::Config);
}

#[rstest]
#[case::section(
    "[namespaces]\ncheck_timeout_ms = 1\n",
    1,
    "`namespaces`; did you mean `namespace`?"
)]
#[case::dotted(
    "kubeconfig.lock_timeout = 5\n",
    1,
    "`kubeconfig.lock_timeout`; did you mean `kubeconfig.lock_timeout_ms`?"
)]
#[case::unrelated("\n\ncolour = \"red\"\n", 3, "`colour`")]
fn unknown_keys_are_suggested_only_when_close(
    #[case] text: &str,
    #[case] line: usize,
    #[case] tail: &str,
) {
    let world = World::new();
    let path = world.user_file(text);
    let err = world.load(&[], &[]).unwrap_err().to_string();
    assert_eq!(
        err,
        format!("{}:{line}: unknown key {tail}", path.display())
    );
}

#[test]
fn wrong_type_error_names_line_key_expected_type_and_value() {
    let world = World::new();
    let path = world.user_file("[kubeconfig]\n\nlock_timeout_ms = \"2s\"\n");
    let err = world.load(&[], &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:3: `kubeconfig.lock_timeout_ms` must be an integer, found string \"2s\"",
            path.display()
        )
    );
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let world = World::new();
    let path = world.project_file("[contexts]\nlocal = [\"a\",\n[shell]\n");
    let err = world.load(&[], &[]).unwrap_err().to_string();
    assert_eq!(
        err,
        format!(
            "{}:3:8: invalid TOML: unclosed array, expected `]`",
            path.display()
        )
    );
}

#[test]
fn every_problem_in_every_layer_is_reported_at_once() {
    let world = World::new();
    let user = world.user_file("[shell]\nmax_age_dayz = 3\n[kubeconfig]\nlock_timeout_ms = true\n");
    let project = world.project_file("[kubeconfig]\nlock_timeout_ms = 0\n");
    let err = world
        .load(
            &[("DEVK_SHELL_MAX_AGE_DAYS", "old")],
            &["namespace.check_timeout_ms=0"],
        )
        .unwrap_err();
    let (u, p) = (user.display(), project.display());
    assert_eq!(
        error_lines(&err),
        vec![
            format!("{u}:2: unknown key `shell.max_age_dayz`; did you mean `shell.max_age_days`?"),
            format!("{u}:4: `kubeconfig.lock_timeout_ms` must be an integer, found boolean true"),
            "DEVK_SHELL_MAX_AGE_DAYS: `shell.max_age_days` must be an integer, found \"old\"".into(),
            format!("{p}:2: `kubeconfig.lock_timeout_ms` must be between 1 and 600000 milliseconds (10 minutes), found 0"),
            "--set namespace.check_timeout_ms: `namespace.check_timeout_ms` must be between 1 and 600000 milliseconds (10 minutes), found 0".into(),
        ]
    );
}

#[rstest]
#[case::file(&[], &[], "[kubeconfig]\nlock_timeout_ms = 700000\n", "devk.toml:2")]
#[case::env(&[("DEVK_KUBECONFIG_LOCK_TIMEOUT_MS", "0")], &[], "", "DEVK_KUBECONFIG_LOCK_TIMEOUT_MS")]
#[case::flag(&[], &["kubeconfig.lock_timeout_ms=0"], "", "--set kubeconfig.lock_timeout_ms")]
fn semantic_error_names_the_layer_that_supplied_the_value(
    #[case] env: &[(&str, &str)],
    #[case] flags: &[&str],
    #[case] project: &str,
    #[case] origin_suffix: &str,
) {
    let world = World::new();
    world.project_file(project);
    let err = world.load(env, flags).unwrap_err().to_string();
    let (origin, rest) = err.split_once(": ").unwrap();
    assert!(origin.ends_with(origin_suffix), "{err}");
    assert!(
        rest.starts_with("`kubeconfig.lock_timeout_ms` must be between 1 and 600000"),
        "{err}"
    );
}

#[test]
fn a_semantic_error_is_blamed_on_the_layer_that_won_not_on_lower_ones() {
    let world = World::new();
    world.user_file("[shell]\nmax_age_days = 0\n");
    world.project_file("[shell]\nmax_age_days = 5\n");
    assert_eq!(world.load(&[], &[]).unwrap().config.shell.max_age_days, 5);
}

#[test]
fn project_file_is_found_from_a_nested_directory() {
    let world = World::new();
    let path = world.project_file("[shell]\nmax_age_days = 2\n");
    let nested = world.project.join("src/deep/er");
    std::fs::create_dir_all(&nested).unwrap();
    let mut opts = world.opts(&[], &[]);
    opts.cwd = nested;
    let loaded = load(&opts).unwrap();
    assert_eq!(loaded.config.shell.max_age_days, 2);
    assert_eq!(loaded.layers[2].source, path.display().to_string());
}

#[test]
fn unreadable_config_path_is_an_error_but_a_missing_one_is_not() {
    let world = World::new();
    std::fs::create_dir(world.user.join(USER_FILE)).unwrap();
    let err = world.load(&[], &[]).unwrap_err().to_string();
    assert!(err.starts_with("cannot read config file "), "{err}");
    let mut opts = world.opts(&[], &[]);
    opts.user_config_dir = None;
    assert!(!load(&opts).unwrap().layers[1].present);
}

#[test]
fn check_report_lists_layers_and_every_key_with_its_origin() {
    let world = World::new();
    let project = world.project_file("[shell]\nmax_age_days = 3\n");
    let loaded = world
        .load(&[("DEVK_CREDS_NAMESPACES", "lab")], &[])
        .unwrap();
    let report = loaded.render_check_report();
    let user = world.user.join(USER_FILE);
    assert!(
        report.contains(&format!("user         {}  (not found)", user.display())),
        "{report}"
    );
    assert!(
        report.contains(&format!(
            "project      {}  (found, sets 1 key)",
            project.display()
        )),
        "{report}"
    );
    assert!(
        report.contains("environment  DEVK_* environment  (sets 1 key)"),
        "{report}"
    );
    assert!(
        report.contains("flags        --set flags  (no --set flags)"),
        "{report}"
    );
    assert!(report.contains("shell.max_age_days = 3"), "{report}");
    assert!(
        report.contains(&format!("# {}:2\n", project.display())),
        "{report}"
    );
    assert!(report.contains("creds.namespaces = [\"lab\"]"), "{report}");
    assert!(report.contains("# DEVK_CREDS_NAMESPACES\n"), "{report}");
}

#[test]
fn the_log_line_cap_is_in_kib_and_checked() {
    let world = World::new();
    assert_eq!(world.load(&[], &[]).unwrap().config.logs.max_line_kib, 256);
    let cfg = world.load(&[], &["logs.max_line_kib=1"]).unwrap();
    assert_eq!(cfg.config.logs.max_line_kib, 1);
    let err = world
        .load(&[], &["logs.max_line_kib=0"])
        .unwrap_err()
        .to_string();
    assert!(
        err.ends_with("`logs.max_line_kib` must be between 1 and 65536, found 0"),
        "{err}"
    );
}
