//! devk's YAML engine for kubeconfigs. Trees are `serde_json` values (ordered maps: unknown
//! fields and key order survive an edit). Reading first tries `fast` (exact for the forms
//! kubectl and the cloud CLIs write, ten times faster), then the full YAML parser,
//! serde-saphyr, set up to read scalars as kubectl's go-yaml does (YAML 1.1: `yes` is a
//! boolean, `012` an octal number), so devk refuses or reads a file the way kubectl does.
//! Writing is `emit` (YAML that kubectl reads back exactly).

pub mod emit;
mod fast;

use serde::de::DeserializeOwned;
pub use serde_json::Value;

/// A YAML mapping as devk keeps it: string keys, in file order.
pub type Mapping = serde_json::Map<String, Value>;

/// Why a text is not a YAML document of the expected shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// 1-based line, when the parser knows it.
    pub line: Option<usize>,
    pub message: String,
}

/// Parses a document (the fast reader when it can answer, else the full parser). An empty
/// document is `Null`.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    match fast::parse(text) {
        Some(v) => Ok(v),
        None => parse_full(text),
    }
}

pub use fast::Purpose;

/// The fast reader alone: None when the text is outside the forms it reads exactly.
pub fn parse_fast(text: &str) -> Option<Value> {
    fast::parse(text)
}

/// The fast reader, building only what `purpose` needs of a kubeconfig (for reading only).
pub fn parse_fast_kubeconfig(text: &str, purpose: Purpose) -> Option<Value> {
    fast::parse_kubeconfig(text, purpose)
}

/// Parses with the full YAML parser only.
pub fn parse_full(text: &str) -> Result<Value, YamlError> {
    if is_blank(text) {
        return Ok(Value::Null);
    }
    parse_typed(text)
}

/// Deserializes `text` into `T` with the same reading rules as `parse`.
pub fn parse_typed<T: DeserializeOwned>(text: &str) -> Result<T, YamlError> {
    serde_saphyr::from_str_with_options(text, options()).map_err(|e| YamlError {
        line: e.location().map(|l| l.line() as usize).filter(|&l| l > 0),
        message: message(&e),
    })
}

/// True for a text with nothing but blank lines and comments.
fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    // Kubeconfigs of large organisations have tens of thousands of entries; the default caps
    // (250,000 nodes) would refuse a 10,000-context file. The alias limits stay.
    budget.max_nodes = 50_000_000;
    budget.max_events = 100_000_000;
    let mut o = serde_saphyr::Options::default();
    o.budget = Some(budget);
    // go-yaml (kubectl) reads `012` as octal 10.
    o.legacy_octal_numbers = true;
    o.with_snippet = false;
    o
}

/// The parser's message without its location prefix (devk prints `file:line` itself).
fn message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or_default();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    let first = match first.find(": ") {
        Some(i) if first.starts_with("line ") => &first[i + 2..],
        _ => first,
    };
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// Serializes any value as YAML with the same emitter devk writes kubeconfigs with.
pub fn to_string(v: &Value) -> String {
    emit::to_yaml(v)
}

#[cfg(test)]
mod tests;
