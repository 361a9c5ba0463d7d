//! One kubeconfig file as an order-preserving YAML tree. Fields devk does not understand
//! (extensions, exec plugins, auth-provider blocks, preferences) are kept untouched, and so is
//! the order of entries and keys.

use std::io;
use std::path::{Path, PathBuf};

use super::KubeconfigError;
use super::shape::{Shape, shape_problem, type_name};
use super::yaml::{self, Mapping, Purpose, Value};

/// How much of a file to build. Every depth checks the whole file; `Summary` and `Current`
/// trees are for reading only (an edit that rewrites the tree reads the file again in full).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// The whole tree.
    Full,
    /// Without certificate blobs and lists inside cluster and user bodies: the context
    /// overview, classification, a switch.
    Summary,
    /// `current-context`, the contexts and the names of clusters and users: `devk current`.
    Current,
}

/// The three named lists of a kubeconfig.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Cluster,
    User,
    Context,
}

impl Kind {
    /// The top-level list key (`clusters`).
    pub fn list_key(self) -> &'static str {
        match self {
            Kind::Cluster => "clusters",
            Kind::User => "users",
            Kind::Context => "contexts",
        }
    }

    /// The key of the body inside each entry (`cluster`).
    pub fn body_key(self) -> &'static str {
        match self {
            Kind::Cluster => "cluster",
            Kind::User => "user",
            Kind::Context => "context",
        }
    }

    pub const ALL: [Kind; 3] = [Kind::Cluster, Kind::User, Kind::Context];
}

pub(super) const CURRENT_CONTEXT: &str = "current-context";

/// What has been changed in a file since it was read; decides how it is written back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Change {
    #[default]
    None,
    /// Only `current-context`: written as a one-line edit of the original text, so comments
    /// and formatting survive the most common write (a context switch).
    CurrentContextOnly,
    /// Anything else: the whole tree is serialized again.
    Tree,
}

/// A parsed kubeconfig file.
#[derive(Debug, Clone)]
pub struct KubeFile {
    path: PathBuf,
    exists: bool,
    text: String,
    doc: Mapping,
    /// `current-context` as read (for checking the one-line edit).
    original_current: Option<Value>,
    change: Change,
    /// Parsed without the embedded certificate and key blobs (see `elide_blobs`): good for
    /// reading and for a `current-context` edit, not for writing the tree back.
    light: bool,
}

/// Keys whose values are long base64 blobs that devk never reads.
const BLOB_KEYS: [&str; 3] = [
    "certificate-authority-data",
    "client-certificate-data",
    "client-key-data",
];

/// The text with every single-line base64 blob under `BLOB_KEYS` replaced by `x`. Embedded
/// certificates are most of a large kubeconfig's bytes, and YAML parsing is most of the time
/// `devk current` and the TUI's first frame take; the commands that only read skip them.
fn elide_blobs(text: &str) -> std::borrow::Cow<'_, str> {
    let is_blob = |v: &str| {
        v.len() >= 64
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'=')
    };
    let mut out: Option<String> = None;
    let mut done = 0;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches(['\n', '\r']);
        let trimmed = body.trim_start();
        let item = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        if let Some(key) = BLOB_KEYS
            .iter()
            .find(|k| item.starts_with(*k) && item[k.len()..].starts_with(": "))
        {
            let value = &item[key.len() + 2..];
            if is_blob(value.trim_end()) {
                let o = out.get_or_insert_with(|| String::with_capacity(text.len() / 4));
                o.push_str(&text[done..at]);
                o.push_str(&body[..body.len() - value.len()]);
                o.push('x');
                o.push_str(&line[body.len()..]);
                done = at + line.len();
            }
        }
        at += line.len();
    }
    match out {
        Some(mut o) => {
            o.push_str(&text[done..]);
            std::borrow::Cow::Owned(o)
        }
        None => std::borrow::Cow::Borrowed(text),
    }
}

impl KubeFile {
    /// Reads and parses `path`. A missing file is an empty config that does not exist yet.
    pub fn read(path: &Path) -> Result<KubeFile, KubeconfigError> {
        KubeFile::read_with(path, Depth::Full)
    }

    /// Like `read`, building only what `depth` asks for (see `Depth`).
    pub fn read_with(path: &Path, depth: Depth) -> Result<KubeFile, KubeconfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => KubeFile::parse_with(path, text, depth),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(KubeFile::empty(path)),
            Err(source) => Err(KubeconfigError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// A file that does not exist yet.
    pub fn empty(path: &Path) -> KubeFile {
        KubeFile {
            path: path.to_path_buf(),
            exists: false,
            text: String::new(),
            doc: Mapping::new(),
            original_current: None,
            change: Change::None,
            light: false,
        }
    }

    /// Parses `text` as the contents of `path`, checking the shape client-go expects.
    pub fn parse(path: &Path, text: String) -> Result<KubeFile, KubeconfigError> {
        KubeFile::parse_with(path, text, Depth::Full)
    }

    /// Like `parse`, building only what `depth` asks for (the text is always kept whole).
    pub fn parse_with(
        path: &Path,
        text: String,
        depth: Depth,
    ) -> Result<KubeFile, KubeconfigError> {
        let invalid = |line: Option<usize>, message: String| KubeconfigError::Invalid {
            path: path.to_path_buf(),
            line,
            message,
        };
        // The fast reader takes the whole text (blobs too) in less time than the full parser
        // takes without them; only when it declines are the blobs elided for the full parser.
        let fast = match depth {
            Depth::Full => yaml::parse_fast(&text).map(|v| (v, false)),
            Depth::Summary => {
                yaml::parse_fast_kubeconfig(&text, Purpose::Summary).map(|v| (v, true))
            }
            Depth::Current => {
                yaml::parse_fast_kubeconfig(&text, Purpose::Current).map(|v| (v, true))
            }
        };
        let (value, light) = match fast {
            Some(read) => read,
            None => {
                let source = if depth != Depth::Full {
                    elide_blobs(&text)
                } else {
                    std::borrow::Cow::Borrowed(text.as_str())
                };
                let light = matches!(source, std::borrow::Cow::Owned(_));
                let v = yaml::parse_full(&source).map_err(|e| invalid(e.line, e.message))?;
                (v, light)
            }
        };
        let doc = match value {
            Value::Null => Mapping::new(),
            Value::Object(m) => m,
            other => {
                return Err(invalid(
                    Some(1),
                    format!(
                        "expected a mapping (apiVersion, clusters, contexts, users, ...) but found {}",
                        type_name(&other)
                    ),
                ));
            }
        };
        if let Some(problem) = shape_problem(&doc) {
            // The tree does not say where the problem is; a typed parse of the same text does.
            let line = yaml::parse_typed::<Shape>(&text).err().and_then(|e| e.line);
            return Err(invalid(line, problem));
        }
        Ok(KubeFile {
            path: path.to_path_buf(),
            exists: true,
            text,
            original_current: doc.get(CURRENT_CONTEXT).cloned(),
            doc,
            change: Change::None,
            light,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn exists(&self) -> bool {
        self.exists
    }

    /// The original text the file was read with ("" for a missing file).
    pub fn original_text(&self) -> &str {
        &self.text
    }

    /// True when this light-parsed file was edited in a way that needs the whole tree written:
    /// it must be read again in full first.
    pub fn needs_full_parse(&self) -> bool {
        self.light && self.change == Change::Tree
    }

    /// True when an edit changed this file.
    pub fn is_changed(&self) -> bool {
        self.change != Change::None
    }

    /// `current-context` as set in this file (empty counts as unset, as in client-go).
    pub fn current_context(&self) -> Option<&str> {
        self.doc
            .get(CURRENT_CONTEXT)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    /// The `preferences` block, if any.
    pub fn preferences(&self) -> Option<&Value> {
        self.doc.get("preferences")
    }

    /// Entries of one kind in file order: (name, body). Bodies that are null read as empty.
    pub fn entries(&self, kind: Kind) -> impl Iterator<Item = (&str, Option<&Mapping>)> {
        self.doc
            .get(kind.list_key())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(move |item| {
                let m = item.as_object()?;
                let name = m.get("name")?.as_str()?;
                Some((name, m.get(kind.body_key()).and_then(Value::as_object)))
            })
    }

    /// The body of the entry at position `pos` of the `kind` list (as `entries_indexed` gives).
    pub fn entry_at(&self, kind: Kind, pos: usize) -> Option<Option<&Mapping>> {
        let item = self
            .doc
            .get(kind.list_key())?
            .as_array()?
            .get(pos)?
            .as_object()?;
        Some(item.get(kind.body_key()).and_then(Value::as_object))
    }

    /// Like `entries`, with each entry's position in its list.
    pub fn entries_indexed(&self, kind: Kind) -> impl Iterator<Item = (usize, &str)> {
        self.doc
            .get(kind.list_key())
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
            .filter_map(|(pos, item)| Some((pos, item.as_object()?.get("name")?.as_str()?)))
    }

    /// The body of the entry `name` (names are unique within a file: `shape_problem`).
    pub fn entry(&self, kind: Kind, name: &str) -> Option<Option<&Mapping>> {
        self.entries(kind)
            .filter(|(n, _)| *n == name)
            .last()
            .map(|(_, b)| b)
    }

    pub fn set_current_context(&mut self, name: &str) {
        if self.current_context() == Some(name) {
            return;
        }
        self.doc
            .insert(CURRENT_CONTEXT.into(), Value::String(name.into()));
        if self.change == Change::None {
            self.change = Change::CurrentContextOnly;
        }
    }

    /// Edits the body of entry `name`, creating the entry (at the end of its list) when the
    /// file has none. The closure sees the body mapping.
    pub fn upsert_entry(&mut self, kind: Kind, name: &str, edit: impl FnOnce(&mut Mapping)) {
        self.change = Change::Tree;
        self.with_list(kind, |list| {
            let pos = list.iter().rposition(|item| entry_name(item) == Some(name));
            let i = match pos {
                Some(i) => i,
                None => {
                    // kubectl writes the body before the name; new entries look the same.
                    let mut m = Mapping::new();
                    m.insert(kind.body_key().into(), Value::Object(Mapping::new()));
                    m.insert("name".into(), Value::String(name.into()));
                    list.push(Value::Object(m));
                    list.len() - 1
                }
            };
            if let Value::Object(m) = &mut list[i] {
                let body = m
                    .entry(kind.body_key())
                    .or_insert_with(|| Value::Object(Mapping::new()));
                if !body.is_object() {
                    *body = Value::Object(Mapping::new());
                }
                if let Value::Object(b) = body {
                    edit(b);
                }
            }
        });
    }

    /// Renames entry `old` to `new` in place. Returns false when the file has no `old`.
    pub fn rename_entry(&mut self, kind: Kind, old: &str, new: &str) -> bool {
        let renamed = self.with_list(kind, |list| {
            let Some(i) = list.iter().rposition(|item| entry_name(item) == Some(old)) else {
                return false;
            };
            if let Value::Object(m) = &mut list[i] {
                m.insert("name".into(), Value::String(new.into()));
            }
            true
        });
        if renamed {
            self.change = Change::Tree;
        }
        renamed
    }

    /// Removes every entry named `name` (duplicates included). Returns false when none existed.
    pub fn remove_entry(&mut self, kind: Kind, name: &str) -> bool {
        let removed = self.with_list(kind, |list| {
            let before = list.len();
            list.retain(|item| entry_name(item) != Some(name));
            list.len() != before
        });
        if removed {
            self.change = Change::Tree;
        }
        removed
    }

    /// Runs `f` on the list of `kind`, creating the list (and the file's header) if needed.
    fn with_list<R>(&mut self, kind: Kind, f: impl FnOnce(&mut Vec<Value>) -> R) -> R {
        if self.doc.is_empty() {
            self.doc.insert("apiVersion".into(), "v1".into());
            self.doc.insert("kind".into(), "Config".into());
        }
        let slot = self
            .doc
            .entry(kind.list_key())
            .or_insert_with(|| Value::Array(Vec::new()));
        let mut list = match std::mem::take(slot) {
            Value::Array(s) => s,
            _ => Vec::new(),
        };
        let result = f(&mut list);
        *slot = Value::Array(list);
        result
    }

    /// The new contents of the file after the edits.
    pub fn render(&self) -> Result<String, KubeconfigError> {
        if self.change == Change::CurrentContextOnly
            && let Some(text) = self.render_current_context_edit()
        {
            return Ok(text);
        }
        Ok(yaml::emit::to_yaml(&Value::Object(self.doc.clone())))
    }

    /// Replaces the top-level `current-context:` line of the original text (or appends one).
    /// Returns None when the line is not a simple one-line scalar, or when the edited text does
    /// not parse back to exactly the edited tree; the caller then serializes the whole tree.
    fn render_current_context_edit(&self) -> Option<String> {
        let scalar = yaml::emit::string(self.doc.get(CURRENT_CONTEXT)?.as_str()?);
        let new_line = format!("{CURRENT_CONTEXT}: {scalar}");
        let lines: Vec<&str> = self.text.split_inclusive('\n').collect();
        let is_key_line = |l: &str| {
            l.strip_prefix(CURRENT_CONTEXT)
                .is_some_and(|rest| rest.starts_with(':'))
        };
        let mut out = String::with_capacity(self.text.len() + new_line.len() + 1);
        let mut replaced = None;
        match lines.iter().position(|l| is_key_line(l)) {
            Some(i) => {
                replaced = Some(lines[i]);
                // A continuation line (indented) means a multi-line scalar: not a simple edit.
                if lines
                    .get(i + 1)
                    .is_some_and(|next| next.starts_with(' ') || next.starts_with('\t'))
                {
                    return None;
                }
                for l in &lines[..i] {
                    out.push_str(l);
                }
                out.push_str(&new_line);
                out.push('\n');
                for l in &lines[i + 1..] {
                    out.push_str(l);
                }
            }
            None => {
                if self.text.trim().is_empty() || self.text.trim_start().starts_with('{') {
                    return None;
                }
                // A line appended at column 0 only joins a top-level mapping written at
                // column 0; an indented one (valid YAML) would end up two documents.
                let first = self.text.lines().find(|l| {
                    let t = l.trim_start();
                    !t.is_empty() && !t.starts_with('#') && t != "---"
                });
                if first.is_some_and(|l| l.starts_with([' ', '\t'])) {
                    return None;
                }
                out.push_str(&self.text);
                if !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&new_line);
                out.push('\n');
            }
        }
        // Safety net: the replaced line must have been exactly the old `current-context`
        // entry (one line, one scalar), and the new line must read back as the new value.
        // Checking the two lines is enough: a column-0 key line in a block mapping cannot be
        // part of another value, and re-parsing the whole file would double a switch's cost.
        let line_means = |l: &str| match yaml::parse_full(l).ok()? {
            Value::Object(m) => Some(m),
            _ => None,
        };
        let mut want_new = Mapping::new();
        want_new.insert(
            CURRENT_CONTEXT.into(),
            self.doc.get(CURRENT_CONTEXT)?.clone(),
        );
        if line_means(&new_line)? != want_new {
            return None;
        }
        if let Some(old_line) = replaced {
            let mut want_old = Mapping::new();
            want_old.insert(
                CURRENT_CONTEXT.into(),
                self.original_current.clone().unwrap_or(Value::Null),
            );
            if line_means(old_line)? != want_old {
                return None;
            }
        }
        Some(out)
    }
}

fn entry_name(item: &Value) -> Option<&str> {
    item.as_object()?.get("name")?.as_str()
}
