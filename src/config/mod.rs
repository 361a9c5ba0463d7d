//! Layered configuration. From lowest to highest precedence: the built-in defaults
//! (`assets/default-config.toml`, which is also the schema), the user file
//! (`<config dir>/config.toml`), the project file (the nearest `devk.toml` walking up from the
//! current directory), `DEVK_<SECTION>_<KEY>` environment variables and `--set KEY=VALUE` flags.
//!
//! Every layer is parsed into a tree that remembers where each key came from, checked against
//! the schema (unknown keys with a suggestion, wrong types; all problems at once), merged
//! (tables key by key, anything else replaced whole; safety settings from the project file,
//! the environment and flags only tighten, see [`safety`]), then deserialized into [`Config`] and
//! checked for values no type can rule out. Every error names the file and line, the variable
//! or the flag that supplied the bad value.

mod creds;
mod error;
pub mod images;
mod report;
mod safety;
mod schema;
mod sources;
mod tree;
mod typed;

use std::fmt;
use std::path::PathBuf;

pub use creds::CredsConfig;
pub use error::ConfigError;
pub use safety::{Ignored, Loosened, SafetyReport};
pub use sources::{PROJECT_FILE, USER_FILE, env_var_name};
pub use typed::{
    Config, ContextsConfig, KubeconfigConfig, LogsConfig, NamespaceConfig, ShellConfig,
    ThemeConfig, TuiConfig,
};

use schema::{OPEN_TABLES, Schema};
use sources::{env_tree, file_tree, find_project_file, flags_tree, read_optional};
use tree::{Node, Origin, Tree, leaves, merge, parse_document, to_table};

/// The built-in defaults, compiled in. Also the schema: every valid key is a key of this file.
pub const DEFAULT_CONFIG: &str = include_str!("../../assets/default-config.toml");

/// Everything `load` reads, gathered up front so that loading is testable with plain values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Where the search for `devk.toml` starts (walking up to the root).
    pub cwd: PathBuf,
    /// The directory holding the user's `config.toml`; `None` when there is no home directory.
    pub user_config_dir: Option<PathBuf>,
    /// Environment variables; only `DEVK_*` names derived from schema keys are read.
    pub env: Vec<(String, String)>,
    /// `--set KEY=VALUE` arguments, in command-line order.
    pub flags: Vec<String>,
}

impl LoadOptions {
    /// Options for the running process: its current directory, the platform config directory
    /// (`$XDG_CONFIG_HOME/devk` or `~/.config/devk` on Linux) and its `DEVK_*` variables.
    pub fn from_process(flags: Vec<String>) -> LoadOptions {
        // Without a current directory (it was deleted under us) there is no project to find;
        // "." then finds nothing rather than failing every command.
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let user_config_dir = directories::ProjectDirs::from("", "", "devk")
            .map(|dirs| dirs.config_dir().to_path_buf());
        // vars() would panic on a non-UTF-8 variable anywhere in the environment.
        let env = std::env::vars_os()
            .filter_map(|(name, value)| {
                let name = name.into_string().ok()?;
                name.starts_with("DEVK_")
                    .then(|| (name, value.to_string_lossy().into_owned()))
            })
            .collect();
        LoadOptions {
            cwd,
            user_config_dir,
            env,
            flags,
        }
    }
}

/// The kind of a configuration layer, lowest precedence first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LayerKind {
    Default,
    User,
    Project,
    Env,
    Flags,
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LayerKind::Default => "built-in",
            LayerKind::User => "user",
            LayerKind::Project => "project",
            LayerKind::Env => "environment",
            LayerKind::Flags => "flags",
        })
    }
}

/// One layer as `load` found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    pub kind: LayerKind,
    /// The file path (where it was looked for, when absent), "DEVK_* environment",
    /// "--set flags" or "built-in".
    pub source: String,
    /// Whether the layer exists: the file was found, a variable or flag was given.
    pub present: bool,
    /// The dotted keys this layer set, in key order.
    pub keys: Vec<String>,
}

/// The effective configuration, the layers it came from, and where each value came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// All five layers, lowest precedence first, present or not.
    pub layers: Vec<LayerInfo>,
    /// Protections the user's file turned off, and loosening values that were left out.
    pub safety: SafetyReport,
    /// The merged tree; each leaf keeps the origin of the layer that won.
    effective: Tree,
}

impl Loaded {
    /// Where the effective value of a dotted leaf key came from: "/p/devk.toml:4",
    /// "DEVK_CONTEXTS_PROTECTED", "--set contexts.protected" or "built-in". `None` for tables
    /// and unknown keys.
    pub fn origin(&self, key: &str) -> Option<String> {
        origin_in(&self.effective, key)
    }

    /// What `devk config check` prints: every layer (found or not, with its path), then every
    /// effective `key = value` with its origin.
    pub fn render_check_report(&self) -> String {
        report::render(&self.layers, &leaves(&self.effective), &self.safety)
    }
}

/// The built-in defaults as a tree, and the schema they describe.
pub(crate) fn builtin() -> Result<(Tree, Schema), ConfigError> {
    let tree = parse_document(DEFAULT_CONFIG, "built-in defaults", &|_| Origin::Builtin)?;
    let schema = Schema::from_defaults(&tree, OPEN_TABLES);
    Ok((tree, schema))
}

/// Loads, checks and merges every layer. Reads the user and project files and nothing else.
/// On failure, the error lists every problem found in every layer.
pub fn load(opts: &LoadOptions) -> Result<Loaded, ConfigError> {
    let (defaults, schema) = builtin()?;
    let mut errors = Vec::new();
    let mut layers = Vec::with_capacity(5);
    let mut trees = Vec::with_capacity(5);
    let mut add = |kind, source: String, present, tree: Tree| {
        let keys = leaves(&tree).into_iter().map(|(k, _, _)| k).collect();
        layers.push(LayerInfo {
            kind,
            source,
            present,
            keys,
        });
        trees.push(tree);
    };

    let defaults_copy = defaults.clone();
    add(LayerKind::Default, "built-in".into(), true, defaults);

    let user = opts.user_config_dir.as_ref().map(|dir| dir.join(USER_FILE));
    let (source, present, tree) = file_layer(
        user,
        "(no user config directory: HOME is not set)".into(),
        &schema,
        &mut errors,
    );
    let off = safety::loosened(&defaults_copy, &tree);
    add(LayerKind::User, source, present, tree);

    let missing = format!(
        "{PROJECT_FILE} (none in {} or its parents)",
        opts.cwd.display()
    );
    let project = find_project_file(&opts.cwd);
    let (source, present, tree) = file_layer(project, missing, &schema, &mut errors);
    add(LayerKind::Project, source, present, tree);

    let env = env_tree(&schema, &opts.env, &mut errors);
    let present = !env.is_empty();
    add(LayerKind::Env, "DEVK_* environment".into(), present, env);

    let flags = flags_tree(&schema, &opts.flags, &mut errors);
    let flags = schema.validate(flags, &mut errors);
    add(
        LayerKind::Flags,
        "--set flags".into(),
        !opts.flags.is_empty(),
        flags,
    );

    // Bad keys were dropped from their layers, so the rest still merges: the semantic checks
    // below can run and report their problems in the same message.
    let mut effective = Tree::new();
    let mut ignored = Vec::new();
    for (info, mut tree) in layers.iter().zip(trees) {
        safety::constrain(&effective, &mut tree, info.kind, &mut ignored);
        merge(&mut effective, tree);
    }
    let safety = SafetyReport { off, ignored };
    let origin_of =
        |key: &str| origin_in(&effective, key).unwrap_or_else(|| "merged configuration".into());
    let config = typed::from_table(to_table(&effective), &origin_of);
    if let Ok(config) = &config {
        errors.extend(typed::check(config, &origin_of));
    }
    match config {
        Ok(config) if errors.is_empty() => Ok(Loaded {
            config,
            layers,
            safety,
            effective,
        }),
        Ok(_) => Err(ConfigError::collect(errors)),
        Err(e) => {
            errors.push(e);
            Err(ConfigError::collect(errors))
        }
    }
}

/// The origin of a dotted leaf key in a merged tree.
fn origin_in(tree: &Tree, key: &str) -> Option<String> {
    let mut table = tree;
    let mut parts = key.split('.').peekable();
    while let Some(part) = parts.next() {
        let entry = table.get(part)?;
        match (&entry.node, parts.peek()) {
            (Node::Leaf(_), None) => return Some(entry.origin.to_string()),
            (Node::Table(inner), Some(_)) => table = inner,
            _ => return None,
        }
    }
    None
}

/// A file layer: (source shown to the user, present, checked tree). A missing file is an
/// absent layer; an unreadable or invalid one adds its problems to `errors`.
fn file_layer(
    path: Option<PathBuf>,
    missing: String,
    schema: &Schema,
    errors: &mut Vec<ConfigError>,
) -> (String, bool, Tree) {
    let Some(path) = path else {
        return (missing, false, Tree::new());
    };
    let source = path.display().to_string();
    match read_optional(&path) {
        Ok(None) => (source, false, Tree::new()),
        Ok(Some(text)) => match file_tree(&path, &text) {
            Ok(tree) => (source, true, schema.validate(tree, errors)),
            Err(e) => {
                errors.push(e);
                (source, true, Tree::new())
            }
        },
        Err(e) => {
            errors.push(e);
            (source, true, Tree::new())
        }
    }
}

#[cfg(test)]
mod tests;
