//! The typed configuration the rest of devk reads, filled from the merged tree by serde, and
//! the checks on values that a type alone cannot express.

use serde::Deserialize;

use super::error::ConfigError;

/// devk's effective configuration. `Config::default()` is the built-in defaults file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Config {
    pub contexts: ContextsConfig,
    pub kubeconfig: KubeconfigConfig,
    pub namespace: NamespaceConfig,
    pub shell: ShellConfig,
    /// `[keys]`: TUI action name -> key specs (validated when the TUI builds its keymap).
    pub keys: std::collections::BTreeMap<String, Vec<String>>,
    pub theme: ThemeConfig,
    pub tui: TuiConfig,
    pub hook: HookConfig,
    pub logs: LogsConfig,
    pub minikube: MinikubeConfig,
    pub policy: PolicyConfig,
    pub creds: super::creds::CredsConfig,
    pub images: super::images::ImagesConfig,
}

/// `[policy]`: the image push policy ("only CI pushes to ECR").
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PolicyConfig {
    /// Globs over registry hosts (or host:port) treated like ECR: only CI pushes to them.
    pub ci_only_registries: Vec<String>,
    /// CI system names accepted as CI (`jenkins`, `github`, ...); empty = any recognised one.
    pub ci_systems: Vec<String>,
}

/// `[minikube]`: `devk minikube` and the minikube tab. Empty strings and 0 leave the choice
/// to minikube.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct MinikubeConfig {
    /// The minikube binary: a name looked up on PATH, or a path.
    pub binary: String,
    /// Default `--driver` for `devk minikube start`.
    pub driver: String,
    /// Default `--cpus` (0: minikube's default).
    pub cpus: u64,
    /// Default `--memory`, as minikube takes it (`4096`, `4g`).
    pub memory: String,
    /// Default `--kubernetes-version`.
    pub kubernetes_version: String,
}

/// `[logs]`: `devk logs` and the log view.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LogsConfig {
    /// Most containers streamed at once.
    pub max_streams: usize,
    /// Memory for the TUI's log buffer, in MiB.
    pub buffer_mib: u64,
    /// A stream silent this long is re-armed (seconds).
    pub silence_seconds: u64,
    /// Longest log line kept, in KiB; the rest of a longer line is cut and marked.
    pub max_line_kib: u64,
}

/// `[hook]`: the pre-push hook and `devk scan`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct HookConfig {
    /// Extra regexes matched against every added line.
    pub custom_patterns: Vec<String>,
    /// Optional built-in rules turned on (`generic-secret`).
    pub extra_rules: Vec<String>,
    /// Changed files larger than this many bytes are not scanned.
    pub max_blob_bytes: u64,
}

/// `[theme]`: TUI colours (ANSI names or #rrggbb), checked when the TUI starts.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ThemeConfig {
    pub accent: String,
    pub danger: String,
    pub local: String,
    pub remote: String,
    pub muted: String,
}

/// `[tui]`: the terminal UI.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TuiConfig {
    /// Frame ticks per second; a frame is drawn on a tick only when something changed.
    pub fps: u64,
}

/// `[contexts]`: which contexts count as protected or local.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ContextsConfig {
    /// Globs (`*`, `?`, case-insensitive) for protected context or cluster names.
    pub protected: Vec<String>,
    /// Extra globs for local contexts, beyond the built-in signs.
    pub local: Vec<String>,
}

/// `[kubeconfig]`: how devk writes kubeconfig files.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct KubeconfigConfig {
    /// How long to wait for another process's `<file>.lock`, in milliseconds.
    pub lock_timeout_ms: u64,
}

/// `[namespace]`: `devk ns`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct NamespaceConfig {
    /// How long to wait for the cluster to confirm a namespace exists, in milliseconds.
    pub check_timeout_ms: u64,
}

/// `[shell]`: per-shell kubeconfigs from `devk switch --shell`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ShellConfig {
    /// Per-shell kubeconfigs unused for this many days are removed.
    pub max_age_days: u64,
}

impl Default for Config {
    fn default() -> Self {
        #[expect(
            clippy::expect_used,
            reason = "the compiled-in defaults file, not input: a test pins that it parses"
        )]
        super::builtin()
            .and_then(|(tree, _)| from_table(super::tree::to_table(&tree), &|_| String::new()))
            .expect("assets/default-config.toml parses")
    }
}

/// The longest timeout devk accepts: ten minutes.
const MAX_TIMEOUT_MS: u64 = 600_000;

/// The largest `hook.max_blob_bytes`: 1 GiB.
const MAX_BLOB_BYTES: u64 = 1 << 30;

/// Fills the typed config from the merged table; `origin` names where a dotted key came from.
pub(crate) fn from_table(
    table: toml::Table,
    origin: &dyn Fn(&str) -> String,
) -> Result<Config, ConfigError> {
    table.try_into::<Config>().map_err(|e| {
        // The schema check already ran, so what is left is a value out of the field's range
        // (a negative count). toml's message ends with "in `dotted.key`" for such errors.
        let text = e.to_string();
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let problem = lines.next().unwrap_or("is invalid").to_owned();
        let key = lines
            .find_map(|l| l.strip_prefix("in `").and_then(|k| k.strip_suffix('`')))
            .unwrap_or("")
            .to_owned();
        ConfigError::Invalid {
            origin: origin(&key),
            key,
            problem: format!("has an {problem}"),
        }
    })
}

/// Checks what the types cannot: every problem, each naming the layer that supplied the value.
pub(crate) fn check(config: &Config, origin: &dyn Fn(&str) -> String) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    for (key, globs) in [
        ("contexts.protected", &config.contexts.protected),
        ("contexts.local", &config.contexts.local),
    ] {
        for (i, glob) in globs.iter().enumerate() {
            if glob.trim().is_empty() {
                errors.push(ConfigError::Invalid {
                    origin: origin(key),
                    key: key.to_owned(),
                    problem: format!(
                        "has an empty glob (item {}); remove it or write a pattern such as \"*prod*\"",
                        i + 1
                    ),
                });
            }
        }
    }
    for (key, ms) in [
        (
            "kubeconfig.lock_timeout_ms",
            config.kubeconfig.lock_timeout_ms,
        ),
        (
            "namespace.check_timeout_ms",
            config.namespace.check_timeout_ms,
        ),
    ] {
        if ms == 0 || ms > MAX_TIMEOUT_MS {
            errors.push(ConfigError::Invalid {
                origin: origin(key),
                key: key.to_owned(),
                problem: format!(
                    "must be between 1 and {MAX_TIMEOUT_MS} milliseconds (10 minutes), found {ms}"
                ),
            });
        }
    }
    for (key, value, max) in [
        ("logs.max_streams", config.logs.max_streams as u64, 1000),
        ("logs.buffer_mib", config.logs.buffer_mib, 65_536),
        ("logs.silence_seconds", config.logs.silence_seconds, 86_400),
        ("logs.max_line_kib", config.logs.max_line_kib, 65_536),
    ] {
        if !(1..=max).contains(&value) {
            errors.push(ConfigError::Invalid {
                origin: origin(key),
                key: key.to_owned(),
                problem: format!("must be between 1 and {max}, found {value}"),
            });
        }
    }
    if !(1..=120).contains(&config.tui.fps) {
        errors.push(ConfigError::Invalid {
            origin: origin("tui.fps"),
            key: "tui.fps".to_owned(),
            problem: format!("must be between 1 and 120, found {}", config.tui.fps),
        });
    }
    if config.shell.max_age_days == 0 {
        errors.push(ConfigError::Invalid {
            origin: origin("shell.max_age_days"),
            key: "shell.max_age_days".to_owned(),
            problem: "must be at least 1 day, found 0 (0 would remove the kubeconfigs of shells still open)".to_owned(),
        });
    }
    for (i, pattern) in config.hook.custom_patterns.iter().enumerate() {
        if let Err(problem) = crate::githook::rules::compile_custom(pattern) {
            errors.push(ConfigError::Invalid {
                origin: origin("hook.custom_patterns"),
                key: "hook.custom_patterns".to_owned(),
                problem: format!("item {} is not a usable regex: {problem}", i + 1),
            });
        }
    }
    for name in &config.hook.extra_rules {
        if !crate::githook::rules::EXTRA_RULES.contains(&name.as_str()) {
            errors.push(ConfigError::Invalid {
                origin: origin("hook.extra_rules"),
                key: "hook.extra_rules".to_owned(),
                problem: format!(
                    "`{name}` is not an optional rule (known: {})",
                    crate::githook::rules::EXTRA_RULES.join(", ")
                ),
            });
        }
    }
    if config.minikube.binary.trim().is_empty() {
        errors.push(ConfigError::Invalid {
            origin: origin("minikube.binary"),
            key: "minikube.binary".to_owned(),
            problem: "is empty; write \"minikube\" to use the one on PATH, or a path".to_owned(),
        });
    }
    for (i, glob) in config.policy.ci_only_registries.iter().enumerate() {
        if glob.trim().is_empty() {
            errors.push(ConfigError::Invalid {
                origin: origin("policy.ci_only_registries"),
                key: "policy.ci_only_registries".to_owned(),
                problem: format!(
                    "has an empty glob (item {}); remove it or write a registry host such as \"registry.corp.example\"",
                    i + 1
                ),
            });
        }
    }
    for (i, name) in config.policy.ci_systems.iter().enumerate() {
        if let Err(problem) = crate::policy::CiSystem::from_name(name) {
            errors.push(ConfigError::Invalid {
                origin: origin("policy.ci_systems"),
                key: "policy.ci_systems".to_owned(),
                problem: format!("item {}: {problem}", i + 1),
            });
        }
    }
    if !(1..=MAX_BLOB_BYTES).contains(&config.hook.max_blob_bytes) {
        errors.push(ConfigError::Invalid {
            origin: origin("hook.max_blob_bytes"),
            key: "hook.max_blob_bytes".to_owned(),
            problem: format!(
                "must be between 1 and {MAX_BLOB_BYTES} (1 GiB), found {}",
                config.hook.max_blob_bytes
            ),
        });
    }
    errors.extend(super::creds::check(&config.creds, origin));
    errors.extend(super::images::check(&config.images, origin));
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn default_is_the_builtin_file_and_passes_its_own_checks() {
        let (tree, _) = crate::config::builtin().unwrap();
        let parsed = from_table(crate::config::tree::to_table(&tree), &|_| String::new()).unwrap();
        assert_eq!(
            parsed.contexts.protected,
            ["*prod*", "*prd*", "*production*"]
        );
        assert_eq!(Config::default(), parsed);
        assert!(check(&parsed, &|_| String::new()).is_empty());
    }

    fn at(key: &str) -> String {
        format!("<{key}>")
    }

    #[rstest]
    #[case::empty_protected_glob(|c: &mut Config| c.contexts.protected.push(String::new()),
        "<contexts.protected>: `contexts.protected` has an empty glob (item 4)")]
    #[case::blank_local_glob(|c: &mut Config| c.contexts.local = vec!["dev-*".into(), "  ".into()],
        "<contexts.local>: `contexts.local` has an empty glob (item 2)")]
    #[case::zero_lock_timeout(|c: &mut Config| c.kubeconfig.lock_timeout_ms = 0,
        "<kubeconfig.lock_timeout_ms>: `kubeconfig.lock_timeout_ms` must be between 1 and 600000")]
    #[case::huge_check_timeout(|c: &mut Config| c.namespace.check_timeout_ms = 600_001,
        "<namespace.check_timeout_ms>: `namespace.check_timeout_ms` must be between 1 and 600000")]
    #[case::zero_max_age(|c: &mut Config| c.shell.max_age_days = 0,
        "<shell.max_age_days>: `shell.max_age_days` must be at least 1 day")]
    #[case::bad_hook_regex(|c: &mut Config| c.hook.custom_patterns = vec!["ok_[0-9]+".into(), "(open".into()],
        "<hook.custom_patterns>: `hook.custom_patterns` item 2 is not a usable regex")]
    #[case::hook_regex_matching_everything(|c: &mut Config| c.hook.custom_patterns = vec![".*".into()],
        "<hook.custom_patterns>: `hook.custom_patterns` item 1 is not a usable regex: matches an empty line")]
    #[case::empty_ci_only_registry(|c: &mut Config| c.policy.ci_only_registries = vec![" ".into()],
        "<policy.ci_only_registries>: `policy.ci_only_registries` has an empty glob (item 1)")]
    #[case::unknown_ci_system(|c: &mut Config| c.policy.ci_systems = vec!["jenkins".into(), "travis".into()],
        "<policy.ci_systems>: `policy.ci_systems` item 2: `travis` is not a CI system devk knows; use one of jenkins, github")]
    #[case::zero_blob_cap(|c: &mut Config| c.hook.max_blob_bytes = 0,
        "<hook.max_blob_bytes>: `hook.max_blob_bytes` must be between 1 and 1073741824")]
    fn semantic_check_rejects_and_names_the_key_origin(
        #[case] edit: fn(&mut Config),
        #[case] want: &str,
    ) {
        let mut config = Config::default();
        edit(&mut config);
        let errors: Vec<String> = check(&config, &at)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with(want), "{}", errors[0]);
    }

    #[test]
    fn timeout_limits_are_inclusive() {
        let mut config = Config::default();
        config.kubeconfig.lock_timeout_ms = 1;
        config.namespace.check_timeout_ms = 600_000;
        assert!(check(&config, &at).is_empty());
    }

    #[test]
    fn negative_count_is_reported_with_its_key_and_origin() {
        let mut table = crate::config::tree::to_table(&crate::config::builtin().unwrap().0);
        table["shell"]["max_age_days"] = toml::Value::Integer(-3);
        let err = from_table(table, &at).unwrap_err().to_string();
        assert!(
            err.starts_with(
                "<shell.max_age_days>: `shell.max_age_days` has an invalid value: integer `-3`"
            ),
            "{err}"
        );
    }
}
