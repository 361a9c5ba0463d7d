//! Walking commits with git2 and scanning the lines each one adds.
//!
//! A line counts as added by a commit when the file's version in the parent (in every parent,
//! for a merge) does not contain it. That is what a diff's `+` lines hold, minus lines that were
//! only moved or copied within the file, which were already there (and scanned when they were
//! added). It needs no line diff: one pass of the trigger regex over the new blob decides
//! whether anything in it needs a closer look, and only then are the old versions read.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use git2::{ObjectType, Odb, Oid, Repository, Sort, Tree};

use super::HookError;
use super::report::Finding;
use super::rules::{Allowlist, Rules};

/// Git's own test for binary content: a NUL byte in the first 8000 bytes.
const BINARY_PROBE: usize = 8000;

/// Counts of what a scan looked at and what it skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScanStats {
    /// Commits scanned.
    pub commits: usize,
    /// Changed text files scanned (one per commit and path).
    pub files: usize,
    /// Changed files skipped because they are binary.
    pub skipped_binary: usize,
    /// Changed files skipped because they are larger than `hook.max_blob_bytes`.
    pub skipped_large: usize,
    /// Matches that were allowed (AWS example keys, `devk:allow`, `.devkignore`).
    pub allowed: usize,
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanResult {
    pub stats: ScanStats,
    pub findings: Vec<Finding>,
}

/// The commits reachable from `tips` and from none of `hides`, oldest first.
pub fn commits_between(
    repo: &Repository,
    tips: &[Oid],
    hides: &[Oid],
) -> Result<Vec<Oid>, HookError> {
    if tips.is_empty() {
        return Ok(Vec::new());
    }
    let mut walk = repo.revwalk()?;
    walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
    for tip in tips {
        walk.push(*tip)?;
    }
    for hide in hides {
        walk.hide(*hide)?;
    }
    Ok(walk.collect::<Result<Vec<_>, _>>()?)
}

/// Everything a scan needs besides the commits.
pub struct Scanner<'a> {
    pub rules: &'a Rules,
    pub allow: &'a Allowlist,
    /// Changed files larger than this are skipped.
    pub max_blob_bytes: u64,
}

impl Scanner<'_> {
    /// Scans the lines each of `commits` adds. Two threads share the work when there is enough
    /// of it (each opens the repository on its own: a git2 repository is not shared between
    /// threads).
    pub fn scan(&self, repo: &Repository, commits: &[Oid]) -> Result<ScanResult, HookError> {
        const PER_THREAD_MIN: usize = 200;
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(commits.len() / PER_THREAD_MIN)
            .clamp(1, 8);
        if threads == 1 {
            return self.scan_in(repo, commits);
        }
        let chunk = commits.len().div_ceil(threads);
        let path = repo.path().to_path_buf();
        let parts: Vec<Result<ScanResult, HookError>> = std::thread::scope(|s| {
            let handles: Vec<_> = commits
                .chunks(chunk)
                .map(|part| {
                    let path = path.as_path();
                    s.spawn(move || self.scan_in(&open_again(path)?, part))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(HookError::Internal("a scanning thread stopped".to_owned()))
                    })
                })
                .collect()
        });
        let mut total = ScanResult::default();
        for part in parts {
            let part = part?;
            total.stats.commits += part.stats.commits;
            total.stats.files += part.stats.files;
            total.stats.skipped_binary += part.stats.skipped_binary;
            total.stats.skipped_large += part.stats.skipped_large;
            total.stats.allowed += part.stats.allowed;
            total.findings.extend(part.findings);
        }
        Ok(total)
    }

    fn scan_in(&self, repo: &Repository, commits: &[Oid]) -> Result<ScanResult, HookError> {
        let odb = repo.odb()?;
        let mut result = ScanResult::default();
        let mut changed = Vec::new();
        let mut path = Vec::new();
        for &oid in commits {
            let commit = repo.find_commit(oid)?;
            let tree = commit.tree()?;
            let parents: Vec<Tree<'_>> = commit
                .parents()
                .map(|p| p.tree())
                .collect::<Result<_, _>>()?;
            changed.clear();
            changed_blobs(repo, parents.first(), &tree, &mut path, &mut changed)?;
            result.stats.commits += 1;
            let commit_hex = oid.to_string();
            for change in &changed {
                let mut olds: Vec<Oid> = change.old.into_iter().collect();
                if parents.len() > 1 {
                    // A merge adds only what no parent had.
                    let path = Path::new(OsStr::from_bytes(&change.path));
                    for parent in &parents[1..] {
                        if let Ok(entry) = parent.get_path(path)
                            && entry.kind() == Some(ObjectType::Blob)
                        {
                            olds.push(entry.id());
                        }
                    }
                    if olds.contains(&change.new) {
                        continue;
                    }
                }
                let file = FileRef {
                    commit: &commit_hex,
                    path: &change.path,
                    new: change.new,
                    olds: &olds,
                };
                self.scan_file(&odb, &file, &mut result)?;
            }
        }
        Ok(result)
    }

    fn scan_file(
        &self,
        odb: &Odb<'_>,
        file: &FileRef<'_>,
        result: &mut ScanResult,
    ) -> Result<(), HookError> {
        let (size, _) = odb.read_header(file.new)?;
        if size as u64 > self.max_blob_bytes {
            result.stats.skipped_large += 1;
            return Ok(());
        }
        let object = odb.read(file.new)?;
        let data = object.data();
        if is_binary(data) {
            result.stats.skipped_binary += 1;
            return Ok(());
        }
        result.stats.files += 1;
        if !self.rules.may_match(data) {
            return Ok(());
        }
        // The old versions are read only now that something in the new one looks suspicious.
        let old_objects: Vec<_> = file
            .olds
            .iter()
            .filter(|oid| {
                odb.read_header(**oid)
                    .is_ok_and(|(size, _)| size as u64 <= self.max_blob_bytes)
            })
            .map(|oid| odb.read(*oid))
            .collect::<Result<_, _>>()?;
        let old_lines: HashSet<&[u8]> = old_objects
            .iter()
            .filter(|o| !is_binary(o.data()))
            .flat_map(|o| o.data().split(|b| *b == b'\n').map(trim_cr))
            .collect();

        let mut line_no = 1usize;
        let mut counted_to = 0usize;
        let mut done_to = 0usize;
        for offset in self.rules.trigger_offsets(data) {
            if offset < done_to {
                continue;
            }
            line_no += data[counted_to..offset]
                .iter()
                .filter(|b| **b == b'\n')
                .count();
            counted_to = offset;
            let start = data[..offset]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1);
            let end = data[offset..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(data.len(), |i| offset + i);
            done_to = end + 1;
            let line = trim_cr(&data[start..end]);
            if old_lines.contains(line) {
                continue;
            }
            for hit in self.rules.scan_line(line) {
                if self.allow.allows(&hit, line).is_some() {
                    result.stats.allowed += 1;
                    continue;
                }
                result.findings.push(Finding {
                    commit: file.commit.to_owned(),
                    path: String::from_utf8_lossy(file.path).into_owned(),
                    line: line_no,
                    rule: hit.rule.name(),
                    masked: hit.masked(),
                    fingerprint: hit.fingerprint(),
                });
            }
        }
        Ok(())
    }
}

/// A file whose content differs from the parent's (or that the parent does not have).
struct Changed {
    path: Vec<u8>,
    new: Oid,
    /// The parent's blob at the same path, if it had one.
    old: Option<Oid>,
}

/// The blobs (regular files and symlinks) of `new` that differ from `old`, with their paths.
///
/// A subtree whose id did not change is skipped without being read, so the cost follows the
/// size of the change, not the size of the tree (libgit2's tree-to-tree diff walks both trees
/// in full, which made a full-history scan quadratic on large repositories).
fn changed_blobs(
    repo: &Repository,
    old: Option<&Tree<'_>>,
    new: &Tree<'_>,
    path: &mut Vec<u8>,
    out: &mut Vec<Changed>,
) -> Result<(), HookError> {
    for entry in new.iter() {
        let old_entry = old.and_then(|t| t.get_name_bytes(entry.name_bytes()));
        if old_entry.as_ref().is_some_and(|o| o.id() == entry.id()) {
            continue;
        }
        let len = path.len();
        path.extend_from_slice(entry.name_bytes());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let subtree = repo.find_tree(entry.id())?;
                let old_subtree = match &old_entry {
                    Some(o) if o.kind() == Some(ObjectType::Tree) => Some(repo.find_tree(o.id())?),
                    _ => None,
                };
                path.push(b'/');
                changed_blobs(repo, old_subtree.as_ref(), &subtree, path, out)?;
            }
            // Gitlinks (submodules) have kind Commit and are not scanned.
            Some(ObjectType::Blob) => out.push(Changed {
                path: path.clone(),
                new: entry.id(),
                old: old_entry
                    .filter(|o| o.kind() == Some(ObjectType::Blob))
                    .map(|o| o.id()),
            }),
            _ => {}
        }
        path.truncate(len);
    }
    Ok(())
}

/// One changed file of one commit.
struct FileRef<'a> {
    commit: &'a str,
    path: &'a [u8],
    new: Oid,
    /// The file's versions in the parents (empty for a new file).
    olds: &'a [Oid],
}

fn open_again(path: &Path) -> Result<Repository, HookError> {
    Ok(Repository::open(path)?)
}

fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_PROBE)].contains(&0)
}

fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}
