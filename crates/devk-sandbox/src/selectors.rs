//! Label and field selectors with the API server's grammar and matching rules.
//! `!=` and `notin` match objects that lack the label, as in Kubernetes.

use serde_json::{Map, Value};

use super::status::ApiError;

#[derive(Debug, Clone, PartialEq)]
enum Op {
    Exists,
    NotExists,
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Gt(i64),
    Lt(i64),
}

#[derive(Debug, Clone, PartialEq)]
struct Requirement {
    key: String,
    op: Op,
}

/// A parsed `labelSelector`; every requirement must hold (logical AND).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelSelector(Vec<Requirement>);

fn parse_error(detail: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request(format!("unable to parse requirement: {detail}"))
}

/// Splits on commas that are not inside parentheses.
fn split_top_level(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn valid_name_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn check_key(key: &str) -> Result<(), ApiError> {
    let name = match key.rsplit_once('/') {
        Some((prefix, name)) => {
            if !super::validate::is_dns1123_subdomain(prefix) {
                return Err(parse_error(format!(
                    "key: Invalid value: {key:?}: prefix part must be a lowercase RFC 1123 subdomain"
                )));
            }
            name
        }
        None => key,
    };
    if valid_name_part(name) {
        Ok(())
    } else {
        Err(parse_error(format!(
            "key: Invalid value: {key:?}: name part must consist of alphanumeric characters, '-', '_' or '.', \
             and must start and end with an alphanumeric character"
        )))
    }
}

fn check_value(value: &str) -> Result<(), ApiError> {
    if value.is_empty() || valid_name_part(value) {
        Ok(())
    } else {
        Err(parse_error(format!(
            "values[0]: Invalid value: {value:?}: a valid label must be an empty string or consist of \
             alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        )))
    }
}

impl LabelSelector {
    /// Parses a selector such as `app=web,tier!=db,env in (a,b),!legacy`.
    pub fn parse(s: &str) -> Result<LabelSelector, ApiError> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(LabelSelector(reqs));
        }
        for raw in split_top_level(s) {
            let r = raw.trim();
            if r.is_empty() {
                return Err(parse_error(format!(
                    "found '', expected: identifier in {s:?}"
                )));
            }
            reqs.push(parse_requirement(r)?);
        }
        Ok(LabelSelector(reqs))
    }

    /// True when `labels` (an object of strings, or null) satisfies every requirement.
    pub fn matches(&self, labels: Option<&Map<String, Value>>) -> bool {
        self.0.iter().all(|req| {
            let v = labels.and_then(|l| l.get(&req.key)).and_then(Value::as_str);
            match &req.op {
                Op::Exists => v.is_some(),
                Op::NotExists => v.is_none(),
                Op::Eq(want) => v == Some(want.as_str()),
                Op::NotEq(want) => v != Some(want.as_str()),
                Op::In(set) => v.is_some_and(|v| set.iter().any(|s| s == v)),
                Op::NotIn(set) => !v.is_some_and(|v| set.iter().any(|s| s == v)),
                Op::Gt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v > *n),
                Op::Lt(n) => v
                    .and_then(|v| v.parse::<i64>().ok())
                    .is_some_and(|v| v < *n),
            }
        })
    }
}

fn parse_requirement(r: &str) -> Result<Requirement, ApiError> {
    if let Some(key) = r.strip_prefix('!') {
        let key = key.trim();
        check_key(key)?;
        return Ok(Requirement {
            key: key.into(),
            op: Op::NotExists,
        });
    }
    if let Some(open) = r.find('(') {
        let close = r
            .rfind(')')
            .filter(|&c| c > open && r[c + 1..].trim().is_empty())
            .ok_or_else(|| parse_error(format!("found {r:?}, expected: ')'")))?;
        let mut words = r[..open].split_whitespace();
        let (key, op) = match (words.next(), words.next(), words.next()) {
            (Some(k), Some(op), None) => (k, op),
            _ => return Err(parse_error(format!("found {r:?}, expected: in, notin"))),
        };
        check_key(key)?;
        let values: Vec<String> = r[open + 1..close]
            .split(',')
            .map(|v| v.trim().to_string())
            .collect();
        for v in &values {
            check_value(v)?;
        }
        let op = match op {
            "in" => Op::In(values),
            "notin" => Op::NotIn(values),
            other => {
                return Err(parse_error(format!("found '{other}', expected: in, notin")));
            }
        };
        return Ok(Requirement {
            key: key.into(),
            op,
        });
    }
    for (token, len) in [("!=", 2), ("==", 2), ("=", 1), (">", 1), ("<", 1)] {
        if let Some(pos) = r.find(token) {
            let key = r[..pos].trim();
            let value = r[pos + len..].trim();
            check_key(key)?;
            let op = match token {
                "!=" => Op::NotEq(value.into()),
                "==" | "=" => Op::Eq(value.into()),
                _ => {
                    let n: i64 = value.parse().map_err(|_| {
                        parse_error(format!(
                            "for 'Gt', 'Lt' operators, the value must be an integer (got {value:?})"
                        ))
                    })?;
                    if token == ">" { Op::Gt(n) } else { Op::Lt(n) }
                }
            };
            if let Op::Eq(v) | Op::NotEq(v) = &op {
                check_value(v)?;
            }
            return Ok(Requirement {
                key: key.into(),
                op,
            });
        }
    }
    if r.contains(char::is_whitespace) {
        return Err(parse_error(format!(
            "found {r:?}, expected: in, notin, =, ==, !=, gt, lt"
        )));
    }
    check_key(r)?;
    Ok(Requirement {
        key: r.into(),
        op: Op::Exists,
    })
}

/// A parsed `fieldSelector`: `field=value`, `field==value` or `field!=value`, AND-ed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FieldSelector(Vec<(String, bool, String)>);

impl FieldSelector {
    /// Parses `s`, accepting only the field labels in `supported` (the per-resource list the
    /// API server registers); anything else is a 400 `field label not supported`.
    pub fn parse(s: &str, supported: &[&str]) -> Result<FieldSelector, ApiError> {
        let mut out = Vec::new();
        if s.trim().is_empty() {
            return Ok(FieldSelector(out));
        }
        for part in split_unescaped(s, ',') {
            let part = part.trim();
            let (field, eq, value) = if let Some((f, v)) = part.split_once("!=") {
                (f, false, v)
            } else if let Some((f, v)) = part.split_once("==") {
                (f, true, v)
            } else if let Some((f, v)) = part.split_once('=') {
                (f, true, v)
            } else {
                return Err(ApiError::bad_request(format!(
                    "invalid selector: '{s}'; can't understand '{part}'"
                )));
            };
            let field = field.trim();
            if !supported.contains(&field) {
                return Err(ApiError::bad_request(format!(
                    "field label not supported: {field}"
                )));
            }
            out.push((field.to_string(), eq, unescape(value.trim())));
        }
        Ok(FieldSelector(out))
    }

    /// True when `obj` satisfies every requirement.
    pub fn matches(&self, obj: &Value) -> bool {
        self.0.iter().all(|(field, eq, want)| {
            let got = field_value(obj, field);
            (got == *want) == *eq
        })
    }

    /// The exact `metadata.name` this selector pins, if any (single-object watches).
    pub fn pinned_name(&self) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, eq, _)| f == "metadata.name" && *eq)
            .map(|(_, _, v)| v.as_str())
    }
}

fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            if let Some(last) = out.last_mut() {
                last.push('\\');
                last.push(c);
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push(c);
        }
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut escaped = false;
    for c in s.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// The string value of a field label: strings as-is, booleans and numbers printed, absent
/// fields empty (the API server's field sets work the same way).
pub fn field_value(obj: &Value, field: &str) -> String {
    let path = match field {
        "source" => "source.component",
        f => f,
    };
    let mut cur = obj;
    for part in path.split('.') {
        match cur.get(part) {
            Some(v) => cur = v,
            None => {
                return if field == "spec.hostNetwork" {
                    "false".into()
                } else {
                    String::new()
                };
            }
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn labels(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn label_selector_operators() {
        let l = labels(json!({"app": "web", "tier": "front", "n": "5"}));
        let ok = |s: &str| LabelSelector::parse(s).map(|sel| sel.matches(Some(&l)));
        assert_eq!(ok("app=web"), Ok(true));
        assert_eq!(ok("app==web"), Ok(true));
        assert_eq!(ok("app!=web"), Ok(false));
        assert_eq!(ok("missing!=x"), Ok(true));
        assert_eq!(ok("app in (web, api)"), Ok(true));
        assert_eq!(ok("app notin (web,api)"), Ok(false));
        assert_eq!(ok("missing notin (a)"), Ok(true));
        assert_eq!(ok("tier"), Ok(true));
        assert_eq!(ok("!tier"), Ok(false));
        assert_eq!(ok("!missing"), Ok(true));
        assert_eq!(ok("app=web,tier=back"), Ok(false));
        assert_eq!(ok("n>4,n<6"), Ok(true));
        assert_eq!(ok("app="), Ok(false));
    }

    #[test]
    fn label_selector_rejects_garbage_with_bad_request() {
        for bad in ["app in (a", "a b c", "app=web,", "-bad=x", "app=no spaces"] {
            let err = LabelSelector::parse(bad).err();
            assert_eq!(err.map(|e| e.code), Some(400), "{bad}");
        }
    }

    #[test]
    fn field_selector_supports_only_registered_fields() {
        let pod = json!({"metadata": {"name": "p", "namespace": "ns"},
                         "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}});
        let fields = [
            "metadata.name",
            "spec.nodeName",
            "status.phase",
            "spec.hostNetwork",
        ];
        let sel = FieldSelector::parse("status.phase=Running,spec.nodeName!=n2", &fields);
        assert_eq!(sel.map(|s| s.matches(&pod)), Ok(true));
        let sel = FieldSelector::parse("spec.hostNetwork=false", &fields);
        assert_eq!(sel.map(|s| s.matches(&pod)), Ok(true));
        let sel = FieldSelector::parse("metadata.name==q", &fields);
        assert_eq!(sel.map(|s| s.matches(&pod)), Ok(false));
        let err = FieldSelector::parse("spec.foo=x", &fields).err();
        assert_eq!(
            err.map(|e| e.message),
            Some("field label not supported: spec.foo".to_string())
        );
    }
}
