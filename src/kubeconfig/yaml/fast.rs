//! A reader for the plain forms kubectl, `aws eks update-kubeconfig`, minikube and devk write:
//! block mappings and sequences (list dashes at or below the parent key), one-line scalars that
//! are strings in every YAML version, simple quoted strings, `{}`/`[]`, one-line flow lists of
//! plain words, comments, and JSON. It reads a 1,000-context file about ten times faster than a
//! full YAML parser, which is what keeps `devk current` at prompt speed.
//!
//! It is exact or it declines: `parse` returns None for anything outside that subset (anchors,
//! tags, block or multi-line scalars, ambiguous plain scalars such as `yes` or `012`, floats,
//! non-ASCII text, tabs, duplicate keys...), and the caller then runs the full parser. Tests
//! check that whenever it answers, the answer equals the full parser's tree.

use serde_json::{Map, Number, Value};

/// Parses `text` if it is within the subset; None means "ask the full parser".
pub fn parse(text: &str) -> Option<Value> {
    parse_for(text, Want::All)
}

/// How much of a kubeconfig a reader needs. The whole text is always checked (so the answer
/// is exact, or None); only the parts wanted are built, which is most of the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `current-context`, the contexts, and the names (and shape) of clusters and users:
    /// `devk current`, `devk ns`.
    Current,
    /// Also the scalar fields of cluster and user bodies and of their nested mappings
    /// (`exec.command`), with certificate blobs as `x`, without lists (`exec.args`): what the
    /// context overview, classification and a switch read.
    Summary,
}

/// Like `parse`, building only what `purpose` needs of a kubeconfig document (the rest is
/// checked, then dropped). The tree is for reading: it is not the whole file.
pub fn parse_kubeconfig(text: &str, purpose: Purpose) -> Option<Value> {
    parse_for(text, Want::Doc(purpose))
}

fn parse_for(text: &str, want: Want) -> Option<Value> {
    let trimmed = text.trim_start_matches([' ', '\n', '\r']);
    if trimmed.starts_with('{') {
        return json::parse(text);
    }
    let lines = lines(text)?;
    if lines.is_empty() {
        return Some(Value::Null);
    }
    let mut p = Parser { lines, at: 0 };
    if p.lines[0].indent != 0 || p.lines[0].dash {
        return None;
    }
    let doc = p.mapping(0, want)?;
    (p.at == p.lines.len()).then_some(doc)
}

/// The three kubeconfig lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Clusters,
    Users,
    Contexts,
}

/// What to build of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Everything.
    All,
    /// Nothing: checked, then dropped.
    Skip,
    /// The document: per top-level key.
    Doc(Purpose),
    /// A kubeconfig list and its entries.
    List(List, Purpose),
    Entry(List, Purpose),
    /// A cluster or user body in a summary: its fields as `Field`.
    Summary,
    /// A field of a summary: a scalar (a blob as `x`), a mapping's scalars, no list.
    Field {
        blob: bool,
    },
    /// A scalar only.
    Scalar,
    /// A body reduced to its type: `{}` for a mapping, `[]` for a list, a scalar as it is.
    Shape,
}

/// Keys whose values are long base64 blobs that readers never need.
const BLOB_KEYS: [&str; 3] = [
    "certificate-authority-data",
    "client-certificate-data",
    "client-key-data",
];

impl Want {
    /// What to build of the value under `key` of a mapping built with `self`.
    fn child(self, key: &str) -> Want {
        match self {
            Want::All => Want::All,
            Want::Doc(p) => match key {
                "current-context" | "apiVersion" | "kind" => Want::All,
                "clusters" => Want::List(List::Clusters, p),
                "users" => Want::List(List::Users, p),
                "contexts" => Want::List(List::Contexts, p),
                _ => Want::Skip,
            },
            Want::Entry(list, p) => match (list, key) {
                (_, "name") | (List::Contexts, "context") => Want::All,
                (List::Clusters, "cluster") | (List::Users, "user") => match p {
                    Purpose::Current => Want::Shape,
                    Purpose::Summary => Want::Summary,
                },
                _ => Want::Skip,
            },
            Want::Summary => Want::Field {
                blob: BLOB_KEYS.contains(&key),
            },
            Want::Field { .. } => Want::Scalar,
            Want::List(..) | Want::Skip | Want::Scalar | Want::Shape => Want::Skip,
        }
    }

    /// What to build of each item of a list built with `self`.
    fn item(self) -> Want {
        match self {
            Want::All => Want::All,
            Want::List(list, p) => Want::Entry(list, p),
            _ => Want::Skip,
        }
    }
}

/// One logical line: a list dash, or content (`key: value`, `key:` or a scalar). A dash with
/// content after it becomes two logical lines, the content at its own column.
#[derive(Debug)]
struct Line<'a> {
    indent: usize,
    dash: bool,
    content: &'a str,
}

fn lines(text: &str) -> Option<Vec<Line<'_>>> {
    let mut out = Vec::with_capacity(text.len() / 24);
    for (n, raw) in text.split('\n').enumerate() {
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if !raw.is_ascii() || memchr::memchr2(b'\t', b'\r', raw.as_bytes()).is_some() {
            return None;
        }
        let body = raw.trim_start_matches(' ');
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if n == 0 && body.starts_with("%") || body.starts_with("---") || body.starts_with("...") {
            return None;
        }
        let mut indent = raw.len() - body.len();
        let mut body = body;
        if body == "-" || body.starts_with("- ") {
            out.push(Line {
                indent,
                dash: true,
                content: "",
            });
            let rest = body[1..].trim_start_matches(' ');
            if rest.is_empty() || rest.starts_with('#') {
                continue;
            }
            if rest == "-" || rest.starts_with("- ") {
                return None;
            }
            indent += body.len() - rest.len();
            body = rest;
        }
        out.push(Line {
            indent,
            dash: false,
            content: body,
        });
    }
    Some(out)
}

struct Parser<'a> {
    lines: Vec<Line<'a>>,
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<&Line<'a>> {
        self.lines.get(self.at)
    }

    /// The value of a node whose lines start at `self.at` with indentation `indent`.
    fn block(&mut self, indent: usize, want: Want) -> Option<Value> {
        let line = self.peek()?;
        if line.dash {
            return self.sequence(indent, want);
        }
        if split_key(line.content).is_some() {
            return self.mapping(indent, want);
        }
        // A lone scalar (a list item such as `- eks`).
        let v = scalar(line.content, want)?;
        self.at += 1;
        Some(v)
    }

    fn mapping(&mut self, indent: usize, want: Want) -> Option<Value> {
        let build = !matches!(want, Want::Skip | Want::Scalar | Want::Shape);
        let mut map = Map::new();
        // Keys of a mapping that is not built, for the duplicate check.
        let mut keys: Vec<&str> = Vec::new();
        while let Some(line) = self.lines.get(self.at) {
            if line.indent < indent {
                break;
            }
            if line.indent > indent || line.dash {
                return None;
            }
            let (key, rest) = split_key(line.content)?;
            if !is_key(key) || map.contains_key(key) || keys.contains(&key) {
                return None;
            }
            let child = if build { want.child(key) } else { Want::Skip };
            self.at += 1;
            let value = if rest.is_empty() {
                match self.peek() {
                    Some(next) if next.indent > indent => {
                        let i = next.indent;
                        self.block(i, child)?
                    }
                    // kubectl's style: the list's dashes at the key's own indentation.
                    Some(next) if next.indent == indent && next.dash => {
                        self.sequence(indent, child)?
                    }
                    _ => Value::Null,
                }
            } else {
                let v = scalar(rest, child)?;
                // A deeper line after a scalar would continue it (a multi-line plain scalar).
                if self.peek().is_some_and(|next| next.indent > indent) {
                    return None;
                }
                v
            };
            if child == Want::Skip {
                keys.push(key);
            } else {
                map.insert(key.to_string(), value);
            }
        }
        Some(match want {
            _ if build => Value::Object(map),
            Want::Shape => Value::Object(Map::new()),
            _ => Value::Null,
        })
    }

    fn sequence(&mut self, indent: usize, want: Want) -> Option<Value> {
        let build = matches!(want, Want::All | Want::List(..));
        let item_want = want.item();
        let mut items = Vec::new();
        while let Some(line) = self.peek() {
            if line.indent < indent || line.indent == indent && !line.dash {
                break;
            }
            if line.indent > indent {
                return None;
            }
            self.at += 1;
            let item = match self.peek() {
                Some(next) if next.indent > indent => {
                    let (i, lone) = (next.indent, split_key(next.content).is_none() && !next.dash);
                    let v = self.block(i, item_want)?;
                    if lone && self.peek().is_some_and(|n| n.indent > indent) {
                        return None;
                    }
                    v
                }
                _ => Value::Null,
            };
            if build {
                items.push(item);
            }
        }
        Some(match want {
            _ if build => Value::Array(items),
            Want::Shape => Value::Array(Vec::new()),
            _ => Value::Null,
        })
    }
}

/// Splits `key: rest` / `key:`; None when the line is not a mapping entry.
fn split_key(content: &str) -> Option<(&str, &str)> {
    if content.starts_with(['"', '\'', '[', '{', '?']) {
        return None;
    }
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'#' && i > 0 && bytes[i - 1] == b' ' {
            return None;
        }
        if bytes[i] == b':' && (i + 1 == bytes.len() || bytes[i + 1] == b' ') {
            let rest = content[i + 1..].trim_start_matches(' ');
            let rest = if rest.starts_with('#') { "" } else { rest };
            return Some((&content[..i], rest));
        }
        i += 1;
    }
    None
}

/// Keys devk can take as they are: kubeconfig field names and similar words.
fn is_key(k: &str) -> bool {
    let Some(first) = k.bytes().next() else {
        return false;
    };
    first.is_ascii_alphabetic()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/'))
        && !is_ambiguous_word(k)
}

/// The value after `key: ` or `- `, up to a comment, checked and then built as `want` says.
fn scalar(s: &str, want: Want) -> Option<Value> {
    let v = scalar_value(s, want == Want::Skip)?;
    Some(match (want, v) {
        (Want::Skip, _) => Value::Null,
        (Want::Field { blob: true }, Value::String(_)) => Value::String("x".into()),
        (_, v) => v,
    })
}

/// The value of a scalar; with `check_only`, strings are checked but not copied (Null).
fn scalar_value(s: &str, check_only: bool) -> Option<Value> {
    match s.as_bytes().first()? {
        b'"' => return quoted(s, b'"').map(Value::String),
        b'\'' => return quoted(s, b'\'').map(Value::String),
        _ => {}
    }
    // A comment starts at ` #`; most values have no `#` at all (memchr finds that fast).
    let s = match memchr::memchr(b'#', s.as_bytes()).and_then(|_| s.find(" #")) {
        Some(i) => &s[..i],
        None => s,
    }
    .trim_end_matches(' ');
    match s {
        "{}" => return Some(Value::Object(Map::new())),
        "[]" => return Some(Value::Array(Vec::new())),
        "true" => return Some(Value::Bool(true)),
        "false" => return Some(Value::Bool(false)),
        "null" | "~" => return Some(Value::Null),
        _ => {}
    }
    if s.starts_with('[') && s.ends_with(']') {
        let inner = s[1..s.len() - 1].trim_matches(' ');
        if inner.is_empty() {
            return Some(Value::Array(Vec::new()));
        }
        return inner
            .split(',')
            .map(|item| {
                let item = item.trim_matches(' ');
                plain_string(item, true).then(|| {
                    if check_only {
                        Value::Null
                    } else {
                        Value::String(item.to_string())
                    }
                })
            })
            .collect::<Option<Vec<_>>>()
            .map(Value::Array);
    }
    if let Some(n) = small_integer(s) {
        return Some(Value::Number(n));
    }
    plain_string(s, false).then(|| {
        if check_only {
            Value::Null
        } else {
            Value::String(s.to_string())
        }
    })
}

/// `0`, or digits not starting with 0, that fit easily in an i64.
fn small_integer(s: &str) -> Option<Number> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b[0] == b'0' {
        return None;
    }
    s.parse::<u64>().ok().map(Number::from)
}

/// A one-line quoted string with nothing but a comment after it. Escapes are left to the full
/// parser, except `''` in single quotes.
fn quoted(s: &str, q: u8) -> Option<String> {
    let body = &s[1..];
    let mut out = String::new();
    let mut i = 0;
    let b = body.as_bytes();
    loop {
        let c = *b.get(i)?;
        if c == b'\\' && q == b'"' {
            return None;
        }
        if c == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                out.push('\'');
                i += 2;
                continue;
            }
            break;
        }
        out.push(c as char);
        i += 1;
    }
    let after = body[i + 1..].trim_start_matches(' ');
    if !(after.is_empty() || after.starts_with('#') && body[i + 1..].starts_with(' ')) {
        return None;
    }
    Some(out)
}

/// True when `s` is a plain scalar that every YAML reader (1.1 and 1.2) takes as this exact
/// string. `flow` adds the flow indicators (`,[]{}`) to what is refused.
fn plain_string(s: &str, flow: bool) -> bool {
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    // One pass (this runs over every certificate blob): printable, no flow indicator in flow
    // context, no `: ` (a mapping) and no ` #` (a comment).
    let mut prev = 0u8;
    for &c in b {
        let printable = c.is_ascii_graphic() || c == b' ';
        let flow_indicator = flow && matches!(c, b',' | b'[' | b']' | b'{' | b'}');
        let pair = prev == b':' && c == b' ' || prev == b' ' && c == b'#';
        if !printable || flow_indicator || pair {
            return false;
        }
        prev = c;
    }
    if s.ends_with(':') || s.ends_with(' ') {
        return false;
    }
    let indicator = matches!(
        first,
        b'-' | b'?'
            | b':'
            | b','
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
            | b'<'
            | b'='
    );
    if indicator {
        // `--cluster-name`, `-o`: a dash followed by a letter or dash is a word, never a number.
        let word = first == b'-'
            && b.get(1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'-');
        if !word {
            return false;
        }
    }
    if first == b'.' && (b.get(1).is_some_and(u8::is_ascii_digit) || is_ambiguous_word(&s[1..])) {
        return false;
    }
    if first.is_ascii_digit() || first == b'+' {
        // Numbers, sexagesimals and timestamps in YAML 1.1 all stay within these characters.
        let numberish = b.iter().all(|c| {
            c.is_ascii_hexdigit()
                || matches!(
                    c,
                    b'.' | b'_' | b':' | b'-' | b'+' | b'x' | b'X' | b'o' | b'O'
                )
                || matches!(c, b'T' | b't' | b'Z' | b'z' | b' ')
        });
        if numberish {
            return false;
        }
    }
    !is_ambiguous_word(s)
}

/// Words some YAML version reads as a boolean, null or special float.
fn is_ambiguous_word(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf", "~",
    ];
    s.len() <= 5 && WORDS.iter().any(|w| w.eq_ignore_ascii_case(s))
}

/// The JSON form (`kubectl config view --raw -o json` saved to a file): read with serde_json,
/// declined on duplicate keys (YAML refuses them) and on non-integer numbers.
mod json {
    use serde::de::{Deserialize, Deserializer, Error, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Value};

    pub fn parse(text: &str) -> Option<Value> {
        serde_json::from_str::<Strict>(text).ok().map(|s| s.0)
    }

    struct Strict(Value);

    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(StrictVisitor).map(Strict)
        }
    }

    struct StrictVisitor;

    impl<'de> Visitor<'de> for StrictVisitor {
        type Value = Value;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E: Error>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E: Error>(self, v: i64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_u64<E: Error>(self, v: u64) -> Result<Value, E> {
            Ok(Value::from(v))
        }
        fn visit_f64<E: Error>(self, _: f64) -> Result<Value, E> {
            Err(E::custom("floats are left to the full parser"))
        }
        fn visit_str<E: Error>(self, v: &str) -> Result<Value, E> {
            Ok(Value::String(v.to_string()))
        }
        fn visit_string<E: Error>(self, v: String) -> Result<Value, E> {
            Ok(Value::String(v))
        }
        fn visit_unit<E: Error>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
            let mut v = Vec::new();
            while let Some(Strict(item)) = a.next_element()? {
                v.push(item);
            }
            Ok(Value::Array(v))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
            let mut m = Map::new();
            while let Some(k) = a.next_key::<String>()? {
                let Strict(v) = a.next_value()?;
                if m.insert(k, v).is_some() {
                    return Err(A::Error::custom("duplicate key"));
                }
            }
            Ok(Value::Object(m))
        }
    }
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
