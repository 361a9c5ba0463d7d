//! YAML output that kubectl reads back exactly. Hand-written because no maintained YAML
//! serializer does both things this one does: (1) quote every string that is not plainly a
//! string in YAML 1.1 as well as 1.2 (serializers follow YAML 1.2 and leave `n`, `yes`, `on`
//! or `1_000` unquoted; kubectl's go-yaml reads those as booleans or numbers and then fails on
//! a context named `n`), and (2) lay blocks out as kubectl does (list dashes at the parent
//! key's indentation), so a file devk rewrites diffs cleanly against one kubectl wrote.

use super::{Mapping, Value};

/// Serializes a document.
pub fn to_yaml(doc: &Value) -> String {
    let mut out = String::new();
    match doc {
        Value::Object(m) if !m.is_empty() => mapping(&mut out, m, 0, false),
        Value::Array(s) if !s.is_empty() => sequence(&mut out, s, 0, false),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
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
        out.push_str(&string(k));
        out.push(':');
        match v {
            Value::Object(inner) if !inner.is_empty() => {
                out.push('\n');
                mapping(out, inner, indent + 2, false);
            }
            Value::Array(inner) if !inner.is_empty() => {
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
            Value::Object(inner) if !inner.is_empty() => mapping(out, inner, indent + 2, true),
            Value::Array(inner) if !inner.is_empty() => sequence(out, inner, indent + 2, true),
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
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
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
        let text = "apiVersion: v1\nclusters:\n- cluster:\n    server: https://x\n  name: \"n\"\ncontexts: []\npreferences: {}\nusers:\n- name: u\n  user:\n    exec:\n      args:\n      - eks\n      - get-token\n      env: null\n";
        let v: Value = crate::kubeconfig::yaml::parse_full(text).unwrap();
        let out = to_yaml(&v);
        assert_eq!(out, text);
        let back: Value = crate::kubeconfig::yaml::parse_full(&out).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn nested_sequences_round_trip() {
        let v: Value =
            crate::kubeconfig::yaml::parse_full("a:\n- - 1\n  - 2\n- []\n- {}\n- x: [1]\n  y: z\n")
                .unwrap();
        let back: Value = crate::kubeconfig::yaml::parse_full(&to_yaml(&v)).unwrap();
        assert_eq!(back, v);
    }
}
