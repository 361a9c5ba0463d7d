//! Safety settings through `load` as a whole: every layer a repository or a shell controls may
//! only tighten them; the user's own file may loosen them, and `devk config check` says so.

use std::path::PathBuf;

use rstest::rstest;
use tempfile::TempDir;

use crate::config::{LoadOptions, Loaded, PROJECT_FILE, USER_FILE, load};

struct World {
    _root: TempDir,
    user: PathBuf,
    project: PathBuf,
}

impl World {
    fn new(user: &str, project: &str) -> World {
        let root = tempfile::tempdir().unwrap();
        let user_dir = root.path().join("xdg/devk");
        let project_dir = root.path().join("repo");
        std::fs::create_dir_all(&user_dir).unwrap();
        std::fs::create_dir_all(&project_dir).unwrap();
        if !user.is_empty() {
            std::fs::write(user_dir.join(USER_FILE), user).unwrap();
        }
        if !project.is_empty() {
            std::fs::write(project_dir.join(PROJECT_FILE), project).unwrap();
        }
        World {
            _root: root,
            user: user_dir,
            project: project_dir,
        }
    }

    fn load(&self, env: &[(&str, &str)], flags: &[&str]) -> Loaded {
        load(&LoadOptions {
            cwd: self.project.clone(),
            user_config_dir: Some(self.user.clone()),
            env: env
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            flags: flags.iter().map(|f| (*f).to_owned()).collect(),
        })
        .unwrap()
    }

    fn project_file(&self) -> String {
        self.project.join(PROJECT_FILE).display().to_string()
    }

    fn user_file(&self) -> String {
        self.user.join(USER_FILE).display().to_string()
    }
}

/// The effective value of a dotted key, as TOML text.
fn value(loaded: &Loaded, key: &str) -> String {
    let (value, _) = super::leaf(&loaded.effective, key).unwrap();
    value.to_string()
}

const DEFAULT_PROTECTED: &str = r#"["*prod*", "*prd*", "*production*"]"#;

#[rstest]
// contexts.protected: every layer above the user file only adds.
#[case::project_list_adds_to_the_defaults(
    "", "[contexts]\nprotected = [\"*uat*\"]\n", &[], &[],
    "contexts.protected", r#"["*prod*", "*prd*", "*production*", "*uat*"]"#, 1)]
#[case::env_list_adds_to_the_defaults(
    "", "", &[("DEVK_CONTEXTS_PROTECTED", "*live*")], &[],
    "contexts.protected", r#"["*prod*", "*prd*", "*production*", "*live*"]"#, 1)]
#[case::empty_flag_removes_nothing(
    "", "", &[], &["contexts.protected=[]"],
    "contexts.protected", DEFAULT_PROTECTED, 1)]
#[case::empty_env_removes_nothing(
    "", "", &[("DEVK_CONTEXTS_PROTECTED", "")], &[],
    "contexts.protected", DEFAULT_PROTECTED, 1)]
#[case::restating_the_defaults_is_no_loosening(
    "", "[contexts]\nprotected = [\"*PROD*\", \"*prd*\", \"*production*\"]\n", &[], &[],
    "contexts.protected", DEFAULT_PROTECTED, 0)]
#[case::user_file_may_replace_the_defaults(
    "[contexts]\nprotected = [\"*live*\"]\n", "", &[], &[],
    "contexts.protected", r#"["*live*"]"#, 0)]
#[case::project_adds_to_what_the_user_chose(
    "[contexts]\nprotected = [\"*live*\"]\n", "[contexts]\nprotected = [\"*uat*\"]\n", &[], &[],
    "contexts.protected", r#"["*live*", "*uat*"]"#, 1)]
#[case::every_layer_adds_in_turn(
    "", "[contexts]\nprotected = [\"*uat*\"]\n", &[("DEVK_CONTEXTS_PROTECTED", "*live*")],
    &["contexts.protected=[\"*stage*\"]"], "contexts.protected",
    r#"["*prod*", "*prd*", "*production*", "*uat*", "*live*", "*stage*"]"#, 3)]
// policy.ci_only_registries and hook.custom_patterns: the same.
#[case::project_cannot_drop_a_ci_only_registry(
    "[policy]\nci_only_registries = [\"registry.corp\"]\n",
    "[policy]\nci_only_registries = []\n", &[], &[],
    "policy.ci_only_registries", r#"["registry.corp"]"#, 1)]
#[case::env_adds_a_ci_only_registry(
    "[policy]\nci_only_registries = [\"registry.corp\"]\n", "",
    &[("DEVK_POLICY_CI_ONLY_REGISTRIES", "harbor.corp")], &[],
    "policy.ci_only_registries", r#"["registry.corp", "harbor.corp"]"#, 1)]
#[case::project_cannot_drop_a_hook_rule(
    "[hook]\ncustom_patterns = [\"itk_[a-z0-9]{12}\"]\n",
    "[hook]\ncustom_patterns = [\"corp_[0-9]{8}\"]\n", &[], &[],
    "hook.custom_patterns", r#"["itk_[a-z0-9]{12}", "corp_[0-9]{8}"]"#, 1)]
#[case::project_cannot_turn_an_extra_rule_off(
    "[hook]\nextra_rules = [\"generic-secret\"]\n", "[hook]\nextra_rules = []\n", &[], &[],
    "hook.extra_rules", r#"["generic-secret"]"#, 1)]
#[case::project_may_turn_an_extra_rule_on(
    "", "[hook]\nextra_rules = [\"generic-secret\"]\n", &[], &[],
    "hook.extra_rules", r#"["generic-secret"]"#, 0)]
// policy.ci_systems: empty means any; above the user file it only narrows.
#[case::project_narrows_any_to_jenkins(
    "", "[policy]\nci_systems = [\"jenkins\"]\n", &[], &[],
    "policy.ci_systems", r#"["jenkins"]"#, 0)]
#[case::project_cannot_add_a_ci_system(
    "[policy]\nci_systems = [\"jenkins\"]\n", "[policy]\nci_systems = [\"jenkins\", \"generic\"]\n",
    &[], &[], "policy.ci_systems", r#"["jenkins"]"#, 1)]
#[case::empty_env_cannot_widen_to_any(
    "[policy]\nci_systems = [\"jenkins\"]\n", "", &[("DEVK_POLICY_CI_SYSTEMS", "")], &[],
    "policy.ci_systems", r#"["jenkins"]"#, 1)]
#[case::disjoint_systems_keep_the_users(
    "[policy]\nci_systems = [\"jenkins\"]\n", "", &[], &["policy.ci_systems=github"],
    "policy.ci_systems", r#"["jenkins"]"#, 1)]
// hook.max_blob_bytes: only raised.
#[case::env_cannot_lower_the_scan_size(
    "", "", &[("DEVK_HOOK_MAX_BLOB_BYTES", "1024")], &[],
    "hook.max_blob_bytes", "1048576", 1)]
#[case::project_may_raise_the_scan_size(
    "", "[hook]\nmax_blob_bytes = 4194304\n", &[], &[],
    "hook.max_blob_bytes", "4194304", 0)]
#[case::user_file_may_lower_the_scan_size(
    "[hook]\nmax_blob_bytes = 1024\n", "", &[], &[],
    "hook.max_blob_bytes", "1024", 0)]
// contexts.local and creds.allowed_contexts: granted only by the user's file.
#[case::project_cannot_make_a_context_local(
    "", "[contexts]\nlocal = [\"*\"]\n", &[], &[],
    "contexts.local", "[]", 1)]
#[case::flag_cannot_make_a_context_local(
    "", "", &[], &["contexts.local=dev-*"],
    "contexts.local", "[]", 1)]
#[case::project_may_drop_a_local_pattern(
    "[contexts]\nlocal = [\"dev-*\", \"lab-*\"]\n", "[contexts]\nlocal = [\"dev-*\"]\n", &[], &[],
    "contexts.local", r#"["dev-*"]"#, 0)]
#[case::project_cannot_allow_pull_secrets_in_prod(
    "", "[creds]\nallowed_contexts = [\"demo-prod\"]\n", &[], &[],
    "creds.allowed_contexts", "[]", 1)]
#[case::user_file_allows_pull_secrets(
    "[creds]\nallowed_contexts = [\"demo-prod\"]\n", "", &[], &[],
    "creds.allowed_contexts", r#"["demo-prod"]"#, 0)]
// creds.addon: a project may turn it off, not on.
#[case::project_cannot_turn_the_addon_on(
    "", "[creds]\naddon = true\n", &[], &[], "creds.addon", "false", 1)]
#[case::project_may_turn_the_addon_off(
    "[creds]\naddon = true\n", "[creds]\naddon = false\n", &[], &[], "creds.addon", "false", 0)]
// minikube.binary: never chosen by the project file; the user's shell may.
#[case::project_cannot_choose_the_minikube_binary(
    "", "[minikube]\nbinary = \"./tools/mk\"\n", &[], &[],
    "minikube.binary", "\"minikube\"", 1)]
#[case::flag_chooses_the_minikube_binary(
    "", "", &[], &["minikube.binary=/opt/mk"], "minikube.binary", "\"/opt/mk\"", 0)]
fn safety_settings_only_tighten_above_the_user_file(
    #[case] user: &str,
    #[case] project: &str,
    #[case] env: &[(&str, &str)],
    #[case] flags: &[&str],
    #[case] key: &str,
    #[case] want: &str,
    #[case] ignored: usize,
) {
    let world = World::new(user, project);
    let loaded = world.load(env, flags);
    assert_eq!(value(&loaded, key), want);
    assert_eq!(
        loaded.safety.ignored.len(),
        ignored,
        "{:?}",
        loaded.safety.ignored
    );
    assert!(loaded.safety.ignored.iter().all(|i| i.key == key));
}

#[test]
fn a_project_list_that_replaced_the_defaults_is_reported_with_its_line() {
    let world = World::new("", "# team\n[contexts]\nprotected = [\"*uat*\"]\n");
    let loaded = world.load(&[], &[]);
    let project = world.project_file();
    assert_eq!(
        loaded.origin("contexts.protected").unwrap(),
        format!("built-in + {project}:3")
    );
    let ignored: Vec<String> = loaded
        .safety
        .ignored
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        ignored,
        vec![format!(
            "{project}:3: contexts.protected leaves out `*prod*`, `*prd*`, `*production*`: still in force (only your own config file can remove a protection; the list's other items are added)"
        )]
    );
    assert!(loaded.safety.off.is_empty());
}

#[test]
fn check_report_says_which_protections_are_off_and_where() {
    let world = World::new(
        "[contexts]\nprotected = [\"*prod*\"]\n[hook]\nmax_blob_bytes = 10\n",
        "[contexts]\nlocal = [\"*\"]\n",
    );
    let report = world.load(&[], &[]).render_check_report();
    let (user, project) = (world.user_file(), world.project_file());
    for want in [
        format!(
            "{user}:2: built-in `*prd*`, `*production*` removed: contexts devk asks before acting on (contexts.protected)"
        ),
        format!(
            "{user}:4: lowered from 1048576 to 10: files larger than this are not scanned by the pre-push hook (hook.max_blob_bytes)"
        ),
        "not applied, because it would loosen a safety setting:".to_owned(),
        format!(
            "{project}:2: contexts.local adds `*`: ignored (only your own config file can grant this)"
        ),
    ] {
        assert!(report.contains(&want), "missing {want:?} in\n{report}");
    }
}

#[test]
fn check_report_with_defaults_says_every_protection_is_on() {
    let report = World::new("", "").load(&[], &[]).render_check_report();
    assert!(
        report.contains("every built-in protection is on\n"),
        "{report}"
    );
    assert!(!report.contains("ignored"), "{report}");
}

#[test]
fn every_safety_key_is_a_key_of_the_defaults() {
    let (tree, schema) = crate::config::builtin().unwrap();
    for safety in super::SAFETY_KEYS {
        assert!(schema.kind(safety.key).is_some(), "{}", safety.key);
        assert!(super::leaf(&tree, safety.key).is_some(), "{}", safety.key);
    }
}
