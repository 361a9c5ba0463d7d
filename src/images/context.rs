//! The build context as the docker CLI sends it: a tar of the context directory, walked in
//! lexical order, minus what `.dockerignore` excludes (with moby's walk rules: an excluded
//! directory is still entered when a `!` exception starts with it), with the Dockerfile and
//! `.dockerignore` always kept. Entries carry mode and mtime (whole seconds), uid/gid 0
//! (the CLI's ChownOpts), symlinks as symlinks, hard links as links, long names through GNU
//! long-name entries. Sockets and device nodes are skipped.
//!
//! [`stream`] writes the tar on a blocking thread into a bounded channel, so a large context
//! is never held in memory.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use tar::{EntryType, Header};
use tokio::sync::mpsc;

use super::dockerignore::{self, IgnoreError, MatchInfo, Matcher};
use crate::exit::Exit;

/// Size of the chunks handed to the HTTP body.
const CHUNK: usize = 256 * 1024;

/// Why the context could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{path}: {source}")]
    Ignore { path: String, source: IgnoreError },
    #[error("build context {path} is not a directory")]
    NotADirectory { path: String },
    #[error("Dockerfile {path} not found; pass -f PATH or set images.dockerfile in devk.toml")]
    NoDockerfile { path: String },
}

impl ContextError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Io { .. } => Exit::Io,
            Self::Ignore { .. } => Exit::Config,
            Self::NotADirectory { .. } | Self::NoDockerfile { .. } => Exit::NotFound,
        }
    }
}

fn io_err(path: &Path, e: impl std::fmt::Display) -> ContextError {
    ContextError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The message of a context write that failed because the engine closed the upload.
const STOPPED_READING: &str = "the Docker Engine stopped reading the context";

impl ContextError {
    /// True when the engine closed the upload (its own error says why).
    pub fn is_stopped_reading(&self) -> bool {
        matches!(self, Self::Io { message, .. } if message == STOPPED_READING)
    }
}

/// What to send: the directory, the ignore rules and where the Dockerfile is in the tar.
#[derive(Debug, Clone)]
pub struct Plan {
    pub root: PathBuf,
    matcher: Matcher,
    /// The Dockerfile's path inside the tar (the `dockerfile` build parameter).
    pub dockerfile: String,
    /// A Dockerfile from outside the context, added as `dockerfile` (the CLI's
    /// `.dockerfile.<id>` trick; `.dockerignore` gets the name appended so the daemon drops
    /// it from the context again).
    outside: Option<Vec<u8>>,
}

/// Counts of what went into the tar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    pub entries: u64,
    /// Tar bytes written.
    pub bytes: u64,
}

/// Resolves the Dockerfile (relative paths are relative to the current directory, as with
/// `docker build -f`; default `<root>/Dockerfile`) and reads `.dockerignore`.
pub fn plan(root: &Path, dockerfile: Option<&Path>, cwd: &Path) -> Result<Plan, ContextError> {
    let root = cwd.join(root);
    let root = std::fs::canonicalize(&root).map_err(|e| io_err(&root, e))?;
    if !root.is_dir() {
        return Err(ContextError::NotADirectory {
            path: root.display().to_string(),
        });
    }
    let file = match dockerfile {
        Some(f) => cwd.join(f),
        None => {
            let upper = root.join("Dockerfile");
            let lower = root.join("dockerfile");
            if !upper.exists() && lower.exists() {
                lower
            } else {
                upper
            }
        }
    };
    let file = std::fs::canonicalize(&file).map_err(|_| ContextError::NoDockerfile {
        path: file.display().to_string(),
    })?;
    let (dockerfile, outside) = match file.strip_prefix(&root) {
        Ok(rel) => (slash_path(rel), None),
        Err(_) => {
            let body = std::fs::read(&file).map_err(|e| io_err(&file, e))?;
            let digest = ring::digest::digest(&ring::digest::SHA256, &body);
            let id: String = digest.as_ref()[..10]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            (format!(".dockerfile.{id}"), Some(body))
        }
    };
    let ignore_path = root.join(".dockerignore");
    let lines = match std::fs::read(&ignore_path) {
        Ok(b) => dockerignore::parse(&String::from_utf8_lossy(&b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(io_err(&ignore_path, e)),
    };
    let ignore = |source| ContextError::Ignore {
        path: ignore_path.display().to_string(),
        source,
    };
    // An outside Dockerfile is not in the walk; only `.dockerignore` needs keeping then.
    let keep = if outside.is_some() {
        ".dockerignore"
    } else {
        dockerfile.as_str()
    };
    let lines = dockerignore::keep_build_files(lines, keep).map_err(ignore)?;
    let matcher = Matcher::new(&lines).map_err(ignore)?;
    Ok(Plan {
        root,
        matcher,
        dockerfile,
        outside,
    })
}

fn slash_path(rel: &Path) -> String {
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// The paths (relative, slash-separated, directories without a trailing slash) that
/// [`write_tar`] would send, in order. For tests and `--dry-run`-style listings.
pub fn list(plan: &Plan) -> Result<Vec<String>, ContextError> {
    let mut out = Vec::new();
    walk(plan, |e| {
        out.push(e.rel.clone());
        Ok(())
    })?;
    if plan.outside.is_some() {
        out.push(plan.dockerfile.clone());
    }
    Ok(out)
}

struct Entry {
    abs: PathBuf,
    /// For matching (non-UTF-8 bytes replaced, as they cannot appear in a pattern anyway).
    rel: String,
    meta: std::fs::Metadata,
}

impl Entry {
    /// The name in the tar: the path's own bytes, so non-UTF-8 names arrive unchanged.
    fn tar_path<'a>(&'a self, root: &Path) -> &'a Path {
        self.abs.strip_prefix(root).unwrap_or(&self.abs)
    }
}

fn walk(
    plan: &Plan,
    mut visit: impl FnMut(&Entry) -> Result<(), ContextError>,
) -> Result<(), ContextError> {
    walk_dir(plan, &plan.root, "", &MatchInfo::default(), &mut visit)
}

fn walk_dir(
    plan: &Plan,
    dir: &Path,
    rel_dir: &str,
    parent: &MatchInfo,
    visit: &mut dyn FnMut(&Entry) -> Result<(), ContextError>,
) -> Result<(), ContextError> {
    let mut names: Vec<std::ffi::OsString> = std::fs::read_dir(dir)
        .map_err(|e| io_err(dir, e))?
        .map(|r| r.map(|e| e.file_name()))
        .collect::<Result<_, _>>()
        .map_err(|e| io_err(dir, e))?;
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let abs = dir.join(&name);
        let name = name.to_string_lossy();
        let rel = if rel_dir.is_empty() {
            name.into_owned()
        } else {
            format!("{rel_dir}/{name}")
        };
        let meta = std::fs::symlink_metadata(&abs).map_err(|e| io_err(&abs, e))?;
        let (skip, info) = plan.matcher.matches_using_parent_results(&rel, parent);
        let is_dir = meta.is_dir();
        if skip {
            // An excluded directory is still entered when an exception starts with it
            // (moby's TarWithOptions); its own entry is left out.
            if is_dir && has_exception_under(&plan.matcher, &rel) {
                walk_dir(plan, &abs, &rel, &info, visit)?;
            }
            continue;
        }
        visit(&Entry {
            abs: abs.clone(),
            rel: rel.clone(),
            meta,
        })?;
        if is_dir {
            walk_dir(plan, &abs, &rel, &info, visit)?;
        }
    }
    Ok(())
}

fn has_exception_under(m: &Matcher, dir: &str) -> bool {
    if !m.exclusions() {
        return false;
    }
    let dir_slash = format!("{dir}/");
    m.patterns()
        .iter()
        .any(|p| p.exclusion() && format!("{}/", p.text()).starts_with(&dir_slash))
}

/// Writes the context tar to `out`.
pub fn write_tar<W: Write>(plan: &Plan, out: W) -> Result<Summary, ContextError> {
    let mut counter = Counting {
        inner: out,
        bytes: 0,
    };
    let mut builder = tar::Builder::new(&mut counter);
    let mut entries = 0u64;
    let mut links: HashMap<(u64, u64), PathBuf> = HashMap::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    walk(plan, |e| {
        let ft = e.meta.file_type();
        let mut h = Header::new_gnu();
        h.set_mode(e.meta.permissions().mode() & 0o7777);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(u64::try_from(e.meta.mtime()).unwrap_or(0));
        h.set_size(0);
        let add = |r: io::Result<()>| r.map_err(|err| io_err(&e.abs, err));
        let path = e.tar_path(&plan.root);
        if ft.is_dir() {
            h.set_entry_type(EntryType::Directory);
            add(builder.append_data(&mut h, path, io::empty()))?;
        } else if ft.is_symlink() {
            let target = std::fs::read_link(&e.abs).map_err(|err| io_err(&e.abs, err))?;
            h.set_entry_type(EntryType::Symlink);
            add(builder.append_link(&mut h, path, &target))?;
        } else if ft.is_file() {
            let key = (e.meta.dev(), e.meta.ino());
            if e.meta.nlink() > 1
                && let Some(first) = links.get(&key)
            {
                h.set_entry_type(EntryType::Link);
                add(builder.append_link(&mut h, path, first))?;
            } else {
                if e.meta.nlink() > 1 {
                    links.insert(key, path.to_path_buf());
                }
                h.set_entry_type(EntryType::Regular);
                if e.rel == ".dockerignore" && plan.outside.is_some() {
                    let mut body = std::fs::read(&e.abs).map_err(|err| io_err(&e.abs, err))?;
                    body.extend_from_slice(format!("\n{}\n", plan.dockerfile).as_bytes());
                    h.set_size(body.len() as u64);
                    add(builder.append_data(&mut h, path, body.as_slice()))?;
                } else {
                    let file = std::fs::File::open(&e.abs).map_err(|err| io_err(&e.abs, err))?;
                    h.set_size(e.meta.len());
                    // A file that shrinks while being read would corrupt the tar; take
                    // exactly the size in the header.
                    add(builder.append_data(&mut h, path, Exact::new(file, e.meta.len())))?;
                }
            }
        } else {
            return Ok(());
        }
        entries += 1;
        Ok(())
    })?;
    if let Some(body) = &plan.outside {
        let mut extra = vec![(plan.dockerfile.clone(), body.clone())];
        if !plan.root.join(".dockerignore").exists() {
            extra.push((
                ".dockerignore".to_string(),
                format!(".dockerignore\n{}\n", plan.dockerfile).into_bytes(),
            ));
        }
        for (name, body) in extra {
            let mut h = Header::new_gnu();
            h.set_entry_type(EntryType::Regular);
            h.set_mode(0o600);
            h.set_uid(0);
            h.set_gid(0);
            h.set_mtime(now);
            h.set_size(body.len() as u64);
            builder
                .append_data(&mut h, &name, body.as_slice())
                .map_err(|e| io_err(&plan.root, e))?;
            entries += 1;
        }
    }
    builder.finish().map_err(|e| io_err(&plan.root, e))?;
    drop(builder);
    counter.flush().map_err(|e| io_err(&plan.root, e))?;
    Ok(Summary {
        entries,
        bytes: counter.bytes,
    })
}

/// Reads exactly `len` bytes: pads with zeros if the file shrank, stops if it grew.
struct Exact<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Exact<R> {
    fn new(inner: R, len: u64) -> Self {
        Exact { inner, left: len }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = match self.inner.read(&mut buf[..max])? {
            0 => {
                buf[..max].fill(0);
                max
            }
            n => n,
        };
        self.left -= n as u64;
        Ok(n)
    }
}

struct Counting<W> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A `Write` that hands fixed-size chunks to a bounded channel (blocking when the HTTP
/// body is not being read fast enough).
struct ChannelWriter {
    tx: mpsc::Sender<io::Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK)));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, STOPPED_READING))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(buf);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.send()
    }
}

/// Starts writing the tar on a blocking thread. Returns the chunk receiver (the request
/// body) and the task that ends with the summary. A tar error is also sent down the
/// channel so the upload fails instead of sending a truncated context.
pub fn stream(
    plan: Plan,
) -> (
    mpsc::Receiver<io::Result<Bytes>>,
    tokio::task::JoinHandle<Result<Summary, ContextError>>,
) {
    let (tx, rx) = mpsc::channel(8);
    let task = tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let result = write_tar(&plan, &mut w);
        if let Err(e) = &result {
            let _ = tx.blocking_send(Err(io::Error::other(e.to_string())));
        }
        result
    });
    (rx, task)
}

#[cfg(test)]
#[path = "context_tests.rs"]
mod tests;
