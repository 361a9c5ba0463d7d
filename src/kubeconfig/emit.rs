//! YAML output that kubectl reads back exactly. serde_yaml writes YAML 1.2 and leaves strings
//! such as `n`, `yes`, `on` or `1_000` unquoted; kubectl's parser (go-yaml, YAML 1.1) reads
//! those as booleans or numbers and then fails on a context named `n`. This emitter quotes
//! every string that is not plainly a string in both YAML versions, and lays out blocks the
//! way kubectl does (list dashes at the parent key's indentation).

use serde_yaml::{Mapping, Value};

/// Serializes a document. Falls back to serde_yaml for tagged values (never seen in
/// kubeconfigs, but kept intact if present).
pub fn to_yaml(doc: &Value) -> Result<String, serde_yaml::Error> {
    if contains_tag(doc) {
        return serde_yaml::to_string(doc);
    }
    let mut out = String::new();
    match doc {
        Value::Mapping(m) if !m.is_empty() => mapping(&mut out, m, 0, false),
        Value::Sequence(s) if !s.is_empty() => sequence(&mut out, s, 0, false),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    Ok(out)
}

fn contains_tag(v: &Value) -> bool {
    match v {
        Value::Tagged(_) => true,
        Value::Mapping(m) => m.iter().any(|(k, v)| contains_tag(k) || contains_tag(v)),
        Value::Sequence(s) => s.iter().any(contains_tag),
        _ => false,
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Writes a block mapping at `indent`. With `inline_first`, the first key continues the
/// current line (after `- `).
fn mapping(out: &mut String, m: &Mapping, indent: usize, inline_first: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        out.push_str(&scalar(k));
        out.push(':');
        match v {
            Value::Mapping(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, indent + 2, false);
            }
            Value::Sequence(inner) if !inner.is_empty() => {
                out.push('\n');
                sequence(out, inner, indent, false);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn sequence(out: &mut String, s: &[Value], indent: usize, inline_first: bool) {
    for (i, item) in s.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        out.push_str("- ");
        match item {
            Value::Mapping(inner) if !inner.is_empty() => mapping(out, inner, indent + 2, true),
            Value::Sequence(inner) if !inner.is_empty() => sequence(out, inner, indent + 2, true),
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Mapping(m) if m.is_empty() => "{}".into(),
        Value::Sequence(s) if s.is_empty() => "[]".into(),
        // Non-empty collections are handled by the block writers; tagged values never get here.
        other => serde_json::to_string(&format!("{other:?}")).unwrap_or_default(),
    }
}

/// A string, plain when that is unambiguous in YAML 1.1 and 1.2, else double-quoted
/// (JSON string syntax is valid YAML).
pub fn string(s: &str) -> String {
    if is_plain_safe(s) {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    // Conservative: letters, digits and a few punctuation marks that never start or form
    // YAML syntax inside a plain scalar.
    let ok_chars = s.chars().all(|c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '+' | '=')
    });
    if !ok_chars || !(first.is_ascii_alphanumeric() || first == '/' || first == '_') {
        return false;
    }
    if s.contains(": ") || s.ends_with(':') || s.contains("://") && s.starts_with(':') {
        return false;
    }
    !looks_like_non_string(s)
}

/// True for anything a YAML 1.1 or 1.2 parser might read as null, bool, number or timestamp.
fn looks_like_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
    ];
    let lower = s.to_ascii_lowercase();
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    // Numbers in any YAML form (1, 1.5, 1e3, 0x1F, 0o17, 012, 1_000, 1:30 sexagesimal) and
    // dates start with a digit (or a sign, excluded above): a string starting with a digit
    // is plain only when it clearly contains letters beyond number syntax.
    let first = s.as_bytes()[0];
    if first.is_ascii_digit() {
        let numberish = s.chars().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    '.' | '_' | ':' | '-' | 'x' | 'X' | 'o' | 'O' | '+' | 'T' | 't' | 'Z' | 'z'
                )
        });
        return numberish;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("minikube", "minikube")]
    #[case(
        "arn:aws:eks:eu-west-1:123456789012:cluster/prod",
        "arn:aws:eks:eu-west-1:123456789012:cluster/prod"
    )]
    #[case("https://1.2.3.4:6443", "https://1.2.3.4:6443")]
    #[case("n", "\"n\"")]
    #[case("Yes", "\"Yes\"")]
    #[case("off", "\"off\"")]
    #[case("1_000", "\"1_000\"")]
    #[case("0x1F", "\"0x1F\"")]
    #[case("2001-12-14", "\"2001-12-14\"")]
    #[case("12", "\"12\"")]
    #[case("1.5", "\"1.5\"")]
    #[case("", "\"\"")]
    #[case("a: b", "\"a: b\"")]
    #[case("#x", "\"#x\"")]
    #[case("-dash", "\"-dash\"")]
    #[case("with space", "\"with space\"")]
    #[case("multi\nline", "\"multi\\nline\"")]
    #[case("123abc-host", "123abc-host")]
    fn strings_are_quoted_when_any_yaml_might_misread_them(
        #[case] input: &str,
        #[case] want: &str,
    ) {
        assert_eq!(string(input), want);
    }

    #[test]
    fn layout_matches_kubectl_and_round_trips() {
        let text = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://x\n  name: n\ncontexts: []\npreferences: {}\nusers:\n- name: u\n  user:\n    exec:\n      args:\n      - eks\n      - get-token\n      env: null\n";
        let v: Value = serde_yaml::from_str(text).unwrap();
        let out = to_yaml(&v).unwrap();
        assert_eq!(out, text.replace("name: n\n", "name: \"n\"\n"));
        let back: Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn nested_sequences_round_trip() {
        let v: Value =
            serde_yaml::from_str("a:\n- - 1\n  - 2\n- []\n- {}\n- x: [1]\n  y: z\n").unwrap();
        let back: Value = serde_yaml::from_str(&to_yaml(&v).unwrap()).unwrap();
        assert_eq!(back, v);
    }
}
