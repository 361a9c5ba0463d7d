//! Turning each source into a tree: config files, `DEVK_*` environment variables, `--set`
//! flags. Environment and flag text is read according to the schema type of its key.

use std::io;
use std::path::{Path, PathBuf};

use super::error::ConfigError;
use super::schema::{Kind, Schema};
use super::tree::{Entry, Node, Origin, Tree, from_value, merge, parse_document, parse_value};

/// The name of the project config file, looked for in the current directory and its parents.
pub const PROJECT_FILE: &str = "devk.toml";

/// The name of the user config file inside the config directory.
pub const USER_FILE: &str = "config.toml";

/// A file's contents, or `None` if it does not exist (an absent layer, not an error).
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, ConfigError> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(ConfigError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The nearest `devk.toml` in `cwd` or one of its ancestors.
pub(crate) fn find_project_file(cwd: &Path) -> Option<PathBuf> {
    cwd.ancestors()
        .map(|dir| dir.join(PROJECT_FILE))
        .find(|candidate| candidate.is_file())
}

/// A config file's tree, each key's origin being the file and the key's line.
pub(crate) fn file_tree(path: &Path, text: &str) -> Result<Tree, ConfigError> {
    parse_document(text, &path.display().to_string(), &|line| Origin::File {
        path: path.to_owned(),
        line,
    })
}

/// `DEVK_KUBECONFIG_LOCK_TIMEOUT_MS` for `kubeconfig.lock_timeout_ms`.
pub fn env_var_name(key: &str) -> String {
    format!("DEVK_{}", key.to_uppercase().replace(['.', '-'], "_"))
}

/// The environment layer: only variables named after schema keys are read; when a variable
/// appears twice, the last one wins (as with a real environment).
pub(crate) fn env_tree(
    schema: &Schema,
    env: &[(String, String)],
    errors: &mut Vec<ConfigError>,
) -> Tree {
    let mut tree = Tree::new();
    for (key, kind) in schema.leaves() {
        let var = env_var_name(&key);
        let Some((_, text)) = env.iter().rev().find(|(name, _)| *name == var) else {
            continue;
        };
        match parse_text(kind, text) {
            Some(value) => insert_path(&mut tree, &key, Node::Leaf(value), Origin::Env { var }),
            None => errors.push(ConfigError::WrongType {
                origin: var,
                key,
                expected: text_hint(kind),
                found: format!("{text:?}"),
            }),
        }
    }
    tree
}

/// The flags layer, from `--set KEY=VALUE` arguments in order (a later one wins).
pub(crate) fn flags_tree(schema: &Schema, flags: &[String], errors: &mut Vec<ConfigError>) -> Tree {
    let mut tree = Tree::new();
    for arg in flags {
        let Some((key, raw)) = arg.split_once('=') else {
            errors.push(ConfigError::BadFlag {
                arg: arg.clone(),
                problem: "there is no `=`".into(),
            });
            continue;
        };
        let key = key.trim();
        if key.is_empty() || key.split('.').any(|part| part.trim().is_empty()) {
            errors.push(ConfigError::BadFlag {
                arg: arg.clone(),
                problem: format!("`{key}` is not a dotted key such as contexts.protected"),
            });
            continue;
        }
        let origin = Origin::Flag {
            key: key.to_owned(),
        };
        let value = match schema.kind(key) {
            Some(kind) => match flag_value(kind, raw) {
                Ok(value) => value,
                Err(found) => {
                    errors.push(ConfigError::WrongType {
                        origin: origin.to_string(),
                        key: key.to_owned(),
                        expected: text_hint(kind),
                        found,
                    });
                    continue;
                }
            },
            // A table, an unknown key (reported with a suggestion by the schema check) or a
            // key inside an open table: TOML if it parses, else the text itself.
            None => parse_value(raw).unwrap_or_else(|| toml::Value::String(raw.to_owned())),
        };
        let node = from_value(value, &origin);
        let mut one = Tree::new();
        insert_path(&mut one, key, node, origin);
        merge(&mut tree, one);
    }
    tree
}

/// A flag's value for a key of a known type: TOML if it parses to that type, else the text
/// read the way an environment variable is. `Err` holds a description of what was found.
fn flag_value(kind: &Kind, raw: &str) -> Result<toml::Value, String> {
    let parsed = parse_value(raw);
    if let Some(value) = parsed.clone()
        && let Ok(value) = kind.coerce(value)
    {
        return Ok(value);
    }
    parse_text(kind, raw).ok_or_else(|| match parsed {
        Some(value) => super::schema::describe_found(&value),
        None => format!("{raw:?}"),
    })
}

/// Reads environment-style text as a value of the given type; `None` if it is not one.
fn parse_text(kind: &Kind, text: &str) -> Option<toml::Value> {
    let trimmed = text.trim();
    match kind {
        Kind::String => Some(toml::Value::String(text.to_owned())),
        Kind::Integer => trimmed.parse().ok().map(toml::Value::Integer),
        Kind::Float => trimmed.parse().ok().map(toml::Value::Float),
        Kind::Boolean => match trimmed.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Some(toml::Value::Boolean(true)),
            "false" | "0" | "no" => Some(toml::Value::Boolean(false)),
            _ => None,
        },
        Kind::Datetime => trimmed.parse().ok().map(toml::Value::Datetime),
        Kind::Table => None,
        Kind::Array(_) if trimmed.is_empty() => Some(toml::Value::Array(Vec::new())),
        Kind::Array(elem) => trimmed
            .split(',')
            .map(|item| parse_text(elem, item.trim()))
            .collect::<Option<Vec<_>>>()
            .map(toml::Value::Array),
    }
}

/// What text for this type looks like, for error messages.
fn text_hint(kind: &Kind) -> String {
    match kind {
        Kind::Boolean => "a boolean (true, false, 1, 0, yes or no)".into(),
        Kind::Array(_) => format!("{} (comma-separated)", kind.describe()),
        other => other.describe(),
    }
}

/// Puts `node` at a dotted path, creating (or replacing non-table values with) tables on the
/// way, all with the given origin.
fn insert_path(tree: &mut Tree, key: &str, node: Node, origin: Origin) {
    let mut parts: Vec<&str> = key.split('.').map(str::trim).collect();
    let Some(last) = parts.pop() else {
        return;
    };
    let mut current = tree;
    for part in parts {
        let entry = current.entry(part.to_owned()).or_insert_with(|| Entry {
            node: Node::Table(Tree::new()),
            origin: origin.clone(),
        });
        if !matches!(entry.node, Node::Table(_)) {
            entry.node = Node::Table(Tree::new());
        }
        let Node::Table(inner) = &mut entry.node else {
            return;
        };
        current = inner;
    }
    current.insert(last.to_owned(), Entry { node, origin });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tree::leaves;
    use rstest::rstest;

    fn schema() -> Schema {
        let (tree, _) = crate::config::builtin().unwrap();
        Schema::from_defaults(&tree, &[])
    }

    fn flat(tree: &Tree) -> Vec<(String, String, String)> {
        leaves(tree)
            .into_iter()
            .map(|(k, v, o)| (k, v.to_string(), o.to_string()))
            .collect()
    }

    #[rstest]
    #[case("contexts.protected", "DEVK_CONTEXTS_PROTECTED")]
    #[case("kubeconfig.lock_timeout_ms", "DEVK_KUBECONFIG_LOCK_TIMEOUT_MS")]
    #[case("a-b.c", "DEVK_A_B_C")]
    fn env_var_names_upper_case_the_key_path(#[case] key: &str, #[case] var: &str) {
        assert_eq!(env_var_name(key), var);
    }

    #[test]
    fn schema_keys_map_to_distinct_env_vars() {
        let schema = schema();
        let mut names: Vec<String> = schema
            .leaves()
            .iter()
            .map(|(k, _)| env_var_name(k))
            .collect();
        let count = names.len();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[rstest]
    #[case::integer(
        "DEVK_KUBECONFIG_LOCK_TIMEOUT_MS",
        " 5000 ",
        "kubeconfig.lock_timeout_ms",
        "5000"
    )]
    #[case::list(
        "DEVK_CONTEXTS_LOCAL",
        "dev-*, lab-*",
        "contexts.local",
        r#"["dev-*", "lab-*"]"#
    )]
    #[case::empty_list("DEVK_CONTEXTS_PROTECTED", "", "contexts.protected", "[]")]
    #[case::one_item("DEVK_CONTEXTS_PROTECTED", "live", "contexts.protected", r#"["live"]"#)]
    fn env_values_are_read_by_schema_type(
        #[case] var: &str,
        #[case] text: &str,
        #[case] key: &str,
        #[case] want: &str,
    ) {
        let mut errors = Vec::new();
        let env = vec![
            (var.to_owned(), text.to_owned()),
            ("DEVK_OTHER".into(), "x".into()),
        ];
        let tree = env_tree(&schema(), &env, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(flat(&tree), vec![(key.into(), want.into(), var.into())]);
    }

    #[rstest]
    #[case(&Kind::Boolean, "yes", Some("true"))]
    #[case(&Kind::Boolean, "0", Some("false"))]
    #[case(&Kind::Boolean, "FALSE", Some("false"))]
    #[case(&Kind::Boolean, "maybe", None)]
    #[case(&Kind::Integer, "12x", None)]
    #[case(&Kind::String, " as is ", Some("\" as is \""))]
    #[case(&Kind::Float, "1.5", Some("1.5"))]
    fn text_is_parsed_per_type(
        #[case] kind: &Kind,
        #[case] text: &str,
        #[case] want: Option<&str>,
    ) {
        assert_eq!(
            parse_text(kind, text).map(|v| v.to_string()).as_deref(),
            want
        );
    }

    #[test]
    fn bad_env_value_is_an_error_naming_the_variable() {
        let mut errors = Vec::new();
        let env = vec![(
            "DEVK_NAMESPACE_CHECK_TIMEOUT_MS".to_owned(),
            "2s".to_owned(),
        )];
        env_tree(&schema(), &env, &mut errors);
        assert_eq!(
            errors.iter().map(ToString::to_string).collect::<Vec<_>>(),
            vec![
                "DEVK_NAMESPACE_CHECK_TIMEOUT_MS: `namespace.check_timeout_ms` must be an integer, found \"2s\""
            ]
        );
    }

    #[rstest]
    #[case::toml_array(
        r#"contexts.protected=["a", "b"]"#,
        "contexts.protected",
        r#"["a", "b"]"#
    )]
    #[case::comma_list(
        "contexts.local=dev-*,lab-*",
        "contexts.local",
        r#"["dev-*", "lab-*"]"#
    )]
    #[case::integer("shell.max_age_days=3", "shell.max_age_days", "3")]
    #[case::inline_table(
        "kubeconfig={ lock_timeout_ms = 9 }",
        "kubeconfig.lock_timeout_ms",
        "9"
    )]
    fn flags_parse_toml_or_comma_lists(#[case] arg: &str, #[case] key: &str, #[case] want: &str) {
        let mut errors = Vec::new();
        let tree = flags_tree(&schema(), &[arg.to_owned()], &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let got = flat(&tree);
        assert_eq!(got.len(), 1);
        assert_eq!((got[0].0.as_str(), got[0].1.as_str()), (key, want));
    }

    #[test]
    fn later_flag_for_the_same_key_wins() {
        let mut errors = Vec::new();
        let flags = vec![
            "shell.max_age_days=3".to_owned(),
            "shell.max_age_days=4".to_owned(),
        ];
        let tree = flags_tree(&schema(), &flags, &mut errors);
        assert_eq!(
            flat(&tree),
            vec![(
                "shell.max_age_days".into(),
                "4".into(),
                "--set shell.max_age_days".into()
            )]
        );
    }

    #[rstest]
    #[case::no_equals("contexts.local", "--set \"contexts.local\": there is no `=`")]
    #[case::empty_key("=3", "--set \"=3\": `` is not a dotted key")]
    #[case::bad_integer(
        "shell.max_age_days=soon",
        "--set shell.max_age_days: `shell.max_age_days` must be an integer, found \"soon\""
    )]
    fn bad_flags_are_errors_naming_the_flag(#[case] arg: &str, #[case] want: &str) {
        let mut errors = Vec::new();
        flags_tree(&schema(), &[arg.to_owned()], &mut errors);
        assert_eq!(errors.len(), 1);
        let text = errors[0].to_string();
        assert!(text.starts_with(want), "{text}");
    }

    #[test]
    fn project_file_is_found_walking_up_and_the_nearest_wins() {
        let root = tempfile::tempdir().unwrap();
        let outer = root.path().join("devk.toml");
        let inner_dir = root.path().join("repo");
        let nested = inner_dir.join("a/b/c");
        std::fs::create_dir_all(&nested).unwrap();
        std::fs::write(&outer, "").unwrap();
        assert_eq!(find_project_file(&nested), Some(outer.clone()));
        std::fs::write(inner_dir.join("devk.toml"), "").unwrap();
        assert_eq!(
            find_project_file(&nested),
            Some(inner_dir.join("devk.toml"))
        );
        assert_eq!(find_project_file(root.path()), Some(outer));
    }
}
