//! The schema is the built-in defaults file itself: its keys are the valid keys and the TOML
//! type of each default is that key's type. Adding a setting means adding it (with a comment)
//! to `assets/default-config.toml` and a field to the typed structs; nothing here changes.

use std::collections::BTreeMap;

use super::error::ConfigError;
use super::tree::{Entry, Node, Tree, join_key, render, to_table};

/// Tables whose keys are free-form (named entries chosen by the user, such as a future
/// `[registries]` table). The table must exist in the defaults file (it may be empty); keys
/// inside it are not checked against the schema and are left to the typed layer.
pub(crate) const OPEN_TABLES: &[&str] = &[];

/// How similar an unknown key must be to a valid one (Jaro-Winkler, 0..1) to be suggested.
const SUGGESTION_THRESHOLD: f64 = 0.8;

/// The type of a leaf key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Integer,
    Float,
    Boolean,
    Datetime,
    /// A table inside an array (`[[x]]`); its contents are left to the typed layer.
    Table,
    Array(Box<Kind>),
}

impl Kind {
    fn of(value: &toml::Value) -> Kind {
        match value {
            toml::Value::String(_) => Kind::String,
            toml::Value::Integer(_) => Kind::Integer,
            toml::Value::Float(_) => Kind::Float,
            toml::Value::Boolean(_) => Kind::Boolean,
            toml::Value::Datetime(_) => Kind::Datetime,
            toml::Value::Table(_) => Kind::Table,
            // An empty default array cannot show its element type: by convention it holds
            // strings, the only kind of list devk has needed so far.
            toml::Value::Array(items) => {
                Kind::Array(Box::new(items.first().map_or(Kind::String, Kind::of)))
            }
        }
    }

    /// "an integer", "an array of strings", ... for error messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Kind::String => "a string".into(),
            Kind::Integer => "an integer".into(),
            Kind::Float => "a number".into(),
            Kind::Boolean => "a boolean (true or false)".into(),
            Kind::Datetime => "a date-time".into(),
            Kind::Table => "a table".into(),
            Kind::Array(elem) => format!("an array of {}", elem.plural()),
        }
    }

    fn plural(&self) -> String {
        match self {
            Kind::String => "strings".into(),
            Kind::Integer => "integers".into(),
            Kind::Float => "numbers".into(),
            Kind::Boolean => "booleans".into(),
            Kind::Datetime => "date-times".into(),
            Kind::Table => "tables".into(),
            Kind::Array(elem) => format!("arrays of {}", elem.plural()),
        }
    }

    /// The value, if it has this type; integers are accepted where a float is expected.
    pub(crate) fn coerce(&self, value: toml::Value) -> Result<toml::Value, toml::Value> {
        match (self, value) {
            (Kind::String, v @ toml::Value::String(_))
            | (Kind::Integer, v @ toml::Value::Integer(_))
            | (Kind::Float, v @ toml::Value::Float(_))
            | (Kind::Boolean, v @ toml::Value::Boolean(_))
            | (Kind::Datetime, v @ toml::Value::Datetime(_))
            | (Kind::Table, v @ toml::Value::Table(_)) => Ok(v),
            // An integer written for a number setting means that number.
            (Kind::Float, toml::Value::Integer(i)) => Ok(toml::Value::Float(i as f64)),
            (Kind::Array(elem), toml::Value::Array(items)) => {
                let mut out = Vec::with_capacity(items.len());
                let mut bad = false;
                for item in items {
                    match elem.coerce(item) {
                        Ok(v) => out.push(v),
                        Err(v) => {
                            bad = true;
                            out.push(v);
                        }
                    }
                }
                if bad {
                    Err(toml::Value::Array(out))
                } else {
                    Ok(toml::Value::Array(out))
                }
            }
            (_, v) => Err(v),
        }
    }
}

/// "string \"2s\"", "integer 5", ...: what the user actually wrote, for error messages.
pub(crate) fn describe_found(value: &toml::Value) -> String {
    format!("{} {}", value.type_str(), render(value))
}

#[derive(Debug, Clone)]
enum SchemaNode {
    Table {
        open: bool,
        children: BTreeMap<String, SchemaNode>,
    },
    Leaf(Kind),
}

/// The set of valid keys and their types.
#[derive(Debug, Clone)]
pub(crate) struct Schema {
    root: BTreeMap<String, SchemaNode>,
}

impl Schema {
    /// The schema described by a (parsed) defaults file, with the given tables open.
    pub(crate) fn from_defaults(defaults: &Tree, open: &[&str]) -> Schema {
        Schema {
            root: schema_of(defaults, "", open),
        }
    }

    /// The type of the leaf at a dotted path, if the path is a schema leaf.
    pub(crate) fn kind(&self, path: &str) -> Option<&Kind> {
        let mut children = &self.root;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            match (children.get(part)?, parts.peek()) {
                (SchemaNode::Leaf(kind), None) => return Some(kind),
                (
                    SchemaNode::Table {
                        open: false,
                        children: inner,
                    },
                    Some(_),
                ) => children = inner,
                _ => return None,
            }
        }
        None
    }

    /// Every leaf key (outside open tables) with its type, in key order.
    pub(crate) fn leaves(&self) -> Vec<(String, &Kind)> {
        let mut out = Vec::new();
        collect(&self.root, "", &mut out);
        out
    }

    /// Checks a layer against the schema. Returns the layer without its bad keys (and with
    /// integers widened where floats are expected); every problem is pushed onto `errors`.
    pub(crate) fn validate(&self, tree: Tree, errors: &mut Vec<ConfigError>) -> Tree {
        validate_table(&self.root, tree, "", errors)
    }
}

fn schema_of(tree: &Tree, prefix: &str, open: &[&str]) -> BTreeMap<String, SchemaNode> {
    tree.iter()
        .map(|(key, entry)| {
            let path = join_key(prefix, key);
            let node = match &entry.node {
                Node::Table(inner) => SchemaNode::Table {
                    open: open.contains(&path.as_str()),
                    children: schema_of(inner, &path, open),
                },
                Node::Leaf(value) => SchemaNode::Leaf(Kind::of(value)),
            };
            (key.clone(), node)
        })
        .collect()
}

fn collect<'s>(
    children: &'s BTreeMap<String, SchemaNode>,
    prefix: &str,
    out: &mut Vec<(String, &'s Kind)>,
) {
    for (key, node) in children {
        let path = join_key(prefix, key);
        match node {
            SchemaNode::Leaf(kind) => out.push((path, kind)),
            SchemaNode::Table {
                open: false,
                children,
            } => collect(children, &path, out),
            SchemaNode::Table { open: true, .. } => {}
        }
    }
}

fn validate_table(
    schema: &BTreeMap<String, SchemaNode>,
    tree: Tree,
    prefix: &str,
    errors: &mut Vec<ConfigError>,
) -> Tree {
    let mut out = Tree::new();
    // Report problems in the order they appear in the file, not in key order.
    let mut entries: Vec<(String, Entry)> = tree.into_iter().collect();
    entries.sort_by_key(|(_, e)| e.origin.line());
    for (key, entry) in entries {
        let path = join_key(prefix, &key);
        let Entry { node, origin } = entry;
        let node = match (schema.get(&key), node) {
            (None, _) => {
                errors.push(ConfigError::UnknownKey {
                    origin: origin.to_string(),
                    key: path,
                    suggestion: suggest(&key, schema.keys()).map(|s| join_key(prefix, s)),
                });
                continue;
            }
            (Some(SchemaNode::Table { open: true, .. }), Node::Table(inner)) => Node::Table(inner),
            (Some(SchemaNode::Table { children, .. }), Node::Table(inner)) => {
                Node::Table(validate_table(children, inner, &path, errors))
            }
            (Some(SchemaNode::Leaf(kind)), Node::Leaf(value)) => match kind.coerce(value) {
                Ok(value) => Node::Leaf(value),
                Err(value) => {
                    errors.push(wrong_type(&origin, path, kind.describe(), &value));
                    continue;
                }
            },
            (Some(SchemaNode::Table { .. }), Node::Leaf(value)) => {
                errors.push(wrong_type(&origin, path, "a table".into(), &value));
                continue;
            }
            (Some(SchemaNode::Leaf(kind)), Node::Table(inner)) => {
                let value = toml::Value::Table(to_table(&inner));
                errors.push(wrong_type(&origin, path, kind.describe(), &value));
                continue;
            }
        };
        out.insert(key, Entry { node, origin });
    }
    out
}

fn wrong_type(
    origin: &super::tree::Origin,
    key: String,
    expected: String,
    value: &toml::Value,
) -> ConfigError {
    ConfigError::WrongType {
        origin: origin.to_string(),
        key,
        expected,
        found: describe_found(value),
    }
}

/// The valid key most like `key`, if any is close enough to be a likely typo.
pub(crate) fn suggest<'a>(
    key: &str,
    candidates: impl Iterator<Item = &'a String>,
) -> Option<&'a str> {
    candidates
        .map(|c| (strsim::jaro_winkler(key, c), c))
        .filter(|(score, _)| *score >= SUGGESTION_THRESHOLD)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::tree::{Origin, parse_document};
    use std::path::PathBuf;

    const DEFAULTS: &str = "[a]\nlist = []\nnums = [1]\nn = 1\nf = 0.5\n[open]\nx = 1\n";

    fn tree(text: &str) -> Tree {
        parse_document(text, "t.toml", &|line| Origin::File {
            path: PathBuf::from("t.toml"),
            line,
        })
        .unwrap()
    }

    fn check(text: &str) -> (Tree, Vec<String>) {
        let schema = Schema::from_defaults(&tree(DEFAULTS), &["open"]);
        let mut errors = Vec::new();
        let out = schema.validate(tree(text), &mut errors);
        (out, errors.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn unknown_key_names_line_full_key_and_nearest_sibling() {
        let (_, errors) = check("[a]\nn = 2\nnumz = [2]\n");
        assert_eq!(
            errors,
            vec!["t.toml:3: unknown key `a.numz`; did you mean `a.nums`?"]
        );
    }

    #[test]
    fn unknown_key_without_close_sibling_has_no_suggestion() {
        let (_, errors) = check("[a]\nzzzzzz = 1\n");
        assert_eq!(errors, vec!["t.toml:2: unknown key `a.zzzzzz`"]);
    }

    #[test]
    fn every_error_of_a_file_is_reported_and_good_keys_survive() {
        let (out, errors) = check("[a]\nn = \"x\"\nlist = [1]\nf = 2\nbogus = 1\n");
        assert_eq!(
            errors,
            vec![
                "t.toml:2: `a.n` must be an integer, found string \"x\"",
                "t.toml:3: `a.list` must be an array of strings, found array [1]",
                "t.toml:5: unknown key `a.bogus`",
            ]
        );
        let a = match &out["a"].node {
            Node::Table(t) => t,
            Node::Leaf(_) => panic!("a is a table"),
        };
        assert_eq!(a["f"].node, Node::Leaf(toml::Value::Float(2.0)));
    }

    #[test]
    fn table_where_a_value_is_expected_and_the_reverse_are_type_errors() {
        let (_, errors) = check("a = 3\n");
        assert_eq!(
            errors,
            vec!["t.toml:1: `a` must be a table, found integer 3"]
        );
        let (_, errors) = check("[a.n]\nx = 1\n");
        assert_eq!(
            errors,
            vec!["t.toml:1: `a.n` must be an integer, found table { x = 1 }"]
        );
    }

    #[test]
    fn open_tables_accept_any_keys_and_are_not_env_leaves() {
        let (_, errors) = check("[open.mine]\nurl = \"x\"\n");
        assert!(errors.is_empty(), "{errors:?}");
        let schema = Schema::from_defaults(&tree(DEFAULTS), &["open"]);
        let names: Vec<_> = schema.leaves().into_iter().map(|(k, _)| k).collect();
        assert_eq!(names, vec!["a.f", "a.list", "a.n", "a.nums"]);
        assert_eq!(schema.kind("open.x"), None);
        assert_eq!(
            schema.kind("a.list"),
            Some(&Kind::Array(Box::new(Kind::String)))
        );
    }
}
