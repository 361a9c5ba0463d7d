//! The shape checks a kubeconfig file must pass, as client-go's loader checks it: lists of
//! mappings with unique string names, mapping bodies, a string `current-context`.

use serde::Deserialize;

use super::document::{CURRENT_CONTEXT, Kind};
use super::yaml::{Mapping, Value};

pub(super) fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// For a scalar that YAML 1.1 typed (as kubectl does), how to make it a string.
fn quote_hint(v: &Value) -> &'static str {
    if v.is_boolean() || v.is_number() {
        " (kubectl reads YAML 1.1: unquoted y/n/yes/no/on/off are booleans and 012 or 1_000 \
         numbers; put the name in double quotes)"
    } else {
        ""
    }
}

/// Checks the parts of the shape devk relies on; None when the file is fine.
pub(super) fn shape_problem(doc: &Mapping) -> Option<String> {
    if let Some(v) = doc.get(CURRENT_CONTEXT)
        && !(v.is_null() || v.is_string())
    {
        return Some(format!(
            "`current-context` must be a string, found {}{}",
            type_name(v),
            quote_hint(v)
        ));
    }
    for kind in Kind::ALL {
        let key = kind.list_key();
        let Some(list) = doc.get(key) else { continue };
        if list.is_null() {
            continue;
        }
        let Some(items) = list.as_array() else {
            return Some(format!("`{key}` must be a list, found {}", type_name(list)));
        };
        let mut seen = std::collections::HashSet::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Some(m) = item.as_object() else {
                return Some(format!(
                    "`{key}[{i}]` must be a mapping, found {}",
                    type_name(item)
                ));
            };
            match m.get("name") {
                Some(Value::String(name)) => {
                    if !seen.insert(name.as_str()) {
                        return Some(format!(
                            "`{key}` has two entries named `{name}` (the second is `{key}[{i}]`); \
                             kubectl refuses such a file (\"duplicate name in list\"): remove or rename one"
                        ));
                    }
                }
                Some(other) => {
                    return Some(format!(
                        "`{key}[{i}].name` must be a string, found {}{}",
                        type_name(other),
                        quote_hint(other)
                    ));
                }
                None => return Some(format!("`{key}[{i}]` has no `name`")),
            }
            if let Some(body) = m.get(kind.body_key())
                && !(body.is_null() || body.is_object())
            {
                return Some(format!(
                    "`{key}[{i}].{}` must be a mapping, found {}",
                    kind.body_key(),
                    type_name(body)
                ));
            }
        }
    }
    None
}

/// A typed mirror of `shape_problem`, used only to learn the line of a shape error.
#[derive(Deserialize)]
#[expect(dead_code, reason = "fields exist to make serde check their types")]
pub(super) struct Shape {
    #[serde(rename = "current-context")]
    current_context: Option<String>,
    clusters: Option<Vec<NamedEntry<ClusterBody>>>,
    users: Option<Vec<NamedEntry<UserBody>>>,
    contexts: Option<Vec<NamedEntry<ContextBody>>>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "fields exist to make serde check their types")]
struct NamedEntry<B> {
    name: String,
    #[serde(flatten)]
    body: B,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "fields exist to make serde check their types")]
struct ClusterBody {
    cluster: Option<Mapping>,
}
#[derive(Deserialize)]
#[expect(dead_code, reason = "fields exist to make serde check their types")]
struct UserBody {
    user: Option<Mapping>,
}
#[derive(Deserialize)]
#[expect(dead_code, reason = "fields exist to make serde check their types")]
struct ContextBody {
    context: Option<Mapping>,
}
