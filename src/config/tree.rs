//! The untyped configuration tree that every layer is turned into: TOML values with, for every
//! key, the place it came from. Validation, merging and `devk config check` all work on it.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::error::ConfigError;

/// Where a key's value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The built-in defaults file.
    Builtin,
    /// A config file, with the 1-based line of the key.
    File { path: PathBuf, line: usize },
    /// A `DEVK_*` environment variable.
    Env { var: String },
    /// A `--set` flag, with the key as written there.
    Flag { key: String },
    /// A safety list built from several layers (each one only added to it), lowest first.
    Combined(Vec<Origin>),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("built-in"),
            Origin::File { path, line } => write!(f, "{}:{line}", path.display()),
            Origin::Env { var } => f.write_str(var),
            Origin::Flag { key } => write!(f, "--set {key}"),
            Origin::Combined(all) => {
                let names: Vec<String> = all.iter().map(ToString::to_string).collect();
                f.write_str(&names.join(" + "))
            }
        }
    }
}

impl Origin {
    /// The file line, for sorting problems into reading order (0 when not from a file).
    pub(crate) fn line(&self) -> usize {
        match self {
            Origin::File { line, .. } => *line,
            Origin::Combined(all) => all.iter().map(Origin::line).max().unwrap_or(0),
            _ => 0,
        }
    }

    /// This origin followed by `above`, for a value both contributed to.
    pub(crate) fn combine(&self, above: Origin) -> Origin {
        let mut all = match self {
            Origin::Combined(all) => all.clone(),
            one => vec![one.clone()],
        };
        match above {
            Origin::Combined(more) => all.extend(more),
            one => all.push(one),
        }
        Origin::Combined(all)
    }
}

/// A table of keys, each with its origin. Sorted by key, so reports are stable.
pub(crate) type Tree = BTreeMap<String, Entry>;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Entry {
    pub node: Node,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Table(Tree),
    /// Any non-table value; arrays (even arrays of tables) are leaves: they replace whole.
    Leaf(toml::Value),
}

/// 1-based line and column of a byte offset, the way editors count them.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Parses a TOML document into a tree whose origins are made from each key's line. Syntax
/// errors are all reported, each with line and column.
pub(crate) fn parse_document(
    text: &str,
    file: &str,
    origin_at: &dyn Fn(usize) -> Origin,
) -> Result<Tree, ConfigError> {
    let (doc, parse_errors) = DeTable::parse_recoverable(text);
    let mut errors: Vec<ConfigError> = Vec::new();
    for e in parse_errors {
        let (line, column) = line_col(text, e.span().map_or(0, |s| s.start));
        // After a mistake the parser recovers and carries on, which can make one mistake look
        // like several on the same line: keep the first report for each line.
        let already = errors
            .iter()
            .any(|prev| matches!(prev, ConfigError::Syntax { line: l, .. } if *l == line));
        if !already {
            errors.push(ConfigError::Syntax {
                file: file.to_owned(),
                line,
                column,
                message: e.message().trim().to_owned(),
            });
        }
    }
    if let Some(err) = ConfigError::from_list(errors) {
        return Err(err);
    }
    let mut bad_numbers = Vec::new();
    let tree = convert_table(doc.into_inner(), text, origin_at, &mut bad_numbers);
    match ConfigError::from_list(bad_numbers) {
        Some(err) => Err(err),
        None => Ok(tree),
    }
}

fn convert_table(
    table: DeTable<'_>,
    text: &str,
    origin_at: &dyn Fn(usize) -> Origin,
    errors: &mut Vec<ConfigError>,
) -> Tree {
    let mut tree = Tree::new();
    for (key, value) in table {
        let (line, _) = line_col(text, key.span().start);
        let origin = origin_at(line);
        let key = key.into_inner().into_owned();
        let node = match value.into_inner() {
            DeValue::Table(inner) => Node::Table(convert_table(inner, text, origin_at, errors)),
            other => match to_value(other) {
                Ok(v) => Node::Leaf(v),
                Err(problem) => {
                    errors.push(ConfigError::Invalid {
                        origin: origin.to_string(),
                        key: key.clone(),
                        problem,
                    });
                    continue;
                }
            },
        };
        tree.insert(key, Entry { node, origin });
    }
    tree
}

/// Converts one parsed value (from a file or a `--set` flag) into an owned TOML value.
pub(crate) fn to_value(value: DeValue<'_>) -> Result<toml::Value, String> {
    Ok(match value {
        DeValue::String(s) => toml::Value::String(s.into_owned()),
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix())
            .map(toml::Value::Integer)
            .map_err(|_| format!("integer {i} does not fit in 64 bits"))?,
        DeValue::Float(f) => f
            .as_str()
            .parse()
            .map(toml::Value::Float)
            .map_err(|_| format!("{f} is not a number devk can read"))?,
        DeValue::Boolean(b) => toml::Value::Boolean(b),
        DeValue::Datetime(d) => toml::Value::Datetime(d),
        DeValue::Array(items) => toml::Value::Array(
            items
                .into_iter()
                .map(|v| to_value(v.into_inner()))
                .collect::<Result<_, _>>()?,
        ),
        DeValue::Table(t) => {
            let mut out = toml::Table::new();
            for (k, v) in t {
                out.insert(k.into_inner().into_owned(), to_value(v.into_inner())?);
            }
            toml::Value::Table(out)
        }
    })
}

/// Parses the value half of a `--set KEY=VALUE` flag as TOML; `None` when it is not TOML.
pub(crate) fn parse_value(text: &str) -> Option<toml::Value> {
    DeValue::parse(text)
        .ok()
        .map(Spanned::into_inner)
        .and_then(|v| to_value(v).ok())
}

/// Builds a tree from a plain TOML value (an inline table given to `--set`), every key with the
/// same origin.
pub(crate) fn from_value(value: toml::Value, origin: &Origin) -> Node {
    match value {
        toml::Value::Table(t) => Node::Table(
            t.into_iter()
                .map(|(k, v)| {
                    let node = from_value(v, origin);
                    let entry = Entry {
                        node,
                        origin: origin.clone(),
                    };
                    (k, entry)
                })
                .collect(),
        ),
        other => Node::Leaf(other),
    }
}

/// Lays `over` on top of `base`: tables merge key by key, everything else replaces whole.
pub(crate) fn merge(base: &mut Tree, over: Tree) {
    for (key, entry) in over {
        match (base.get_mut(&key), entry.node) {
            (
                Some(Entry {
                    node: Node::Table(below),
                    ..
                }),
                Node::Table(above),
            ) => merge(below, above),
            (_, node) => {
                base.insert(
                    key,
                    Entry {
                        node,
                        origin: entry.origin,
                    },
                );
            }
        }
    }
}

/// Every non-table value with its full dotted key, in key order.
pub(crate) fn leaves(tree: &Tree) -> Vec<(String, &toml::Value, &Origin)> {
    let mut out = Vec::new();
    collect_leaves(tree, "", &mut out);
    out
}

fn collect_leaves<'t>(
    tree: &'t Tree,
    prefix: &str,
    out: &mut Vec<(String, &'t toml::Value, &'t Origin)>,
) {
    for (key, entry) in tree {
        let path = join_key(prefix, key);
        match &entry.node {
            Node::Table(inner) => collect_leaves(inner, &path, out),
            Node::Leaf(value) => out.push((path, value, &entry.origin)),
        }
    }
}

/// The plain TOML table the typed structs are deserialized from.
pub(crate) fn to_table(tree: &Tree) -> toml::Table {
    tree.iter()
        .map(|(k, e)| {
            let v = match &e.node {
                Node::Table(inner) => toml::Value::Table(to_table(inner)),
                Node::Leaf(v) => v.clone(),
            };
            (k.clone(), v)
        })
        .collect()
}

pub(crate) fn join_key(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// A value as a user would write it in TOML, shortened for error messages.
pub(crate) fn render(value: &toml::Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let short: String = text.chars().take(57).collect();
        format!("{short}...")
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("abc", 0, (1, 1))]
    #[case("abc", 2, (1, 3))]
    #[case("a\nbc", 2, (2, 1))]
    #[case("a\nbc", 3, (2, 2))]
    #[case("é\nx", 1, (1, 1))]
    #[case("é\nx", 99, (2, 2))]
    fn line_col_counts_lines_and_chars_from_one(
        #[case] text: &str,
        #[case] offset: usize,
        #[case] expected: (usize, usize),
    ) {
        assert_eq!(line_col(text, offset), expected);
    }

    fn parse(text: &str) -> Tree {
        parse_document(text, "t.toml", &|line| Origin::File {
            path: PathBuf::from("t.toml"),
            line,
        })
        .unwrap()
    }

    #[test]
    fn merge_replaces_arrays_whole_and_merges_tables_key_by_key() {
        let mut base = parse("[a]\nx = [1, 2]\ny = 1\n");
        merge(&mut base, parse("[a]\nx = [3]\n"));
        let flat: Vec<_> = leaves(&base)
            .into_iter()
            .map(|(k, v, o)| (k, v.to_string(), o.to_string()))
            .collect();
        assert_eq!(
            flat,
            vec![
                ("a.x".into(), "[3]".into(), "t.toml:2".into()),
                ("a.y".into(), "1".into(), "t.toml:3".into()),
            ]
        );
    }

    #[test]
    fn every_syntax_error_of_a_file_names_its_line_and_column() {
        let err =
            parse_document("a = 1\nb = \nc = \"x\n", "t.toml", &|_| Origin::Builtin).unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("t.toml:2:"), "{text}");
        assert!(text.contains("t.toml:3:"), "{text}");
    }

    #[rstest]
    #[case("42", Some("42"))]
    #[case("true", Some("true"))]
    #[case("[\"a\", \"b\"]", Some("[\"a\", \"b\"]"))]
    #[case("prod", None)]
    #[case("a,b", None)]
    fn flag_values_parse_as_toml_when_they_can(#[case] text: &str, #[case] want: Option<&str>) {
        assert_eq!(parse_value(text).map(|v| v.to_string()).as_deref(), want);
    }
}
