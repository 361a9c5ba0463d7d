//! Walking commits with git2 and scanning the lines each one adds.
//!
//! A line counts as added by a commit when the file's version in the parent (in every parent,
//! for a merge) does not contain it. That is what a diff's `+` lines hold, minus lines that were
//! only moved or copied within the file, which were already there (and scanned when they were
//! added). It needs no line diff: one pass of the trigger regex over the new blob decides
//! whether anything in it needs a closer look, and only then are the old versions read.

use std::collections::{HashMap, HashSet};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use git2::{ObjectType, Odb, Oid, Repository, Sort, Tree};

use super::HookError;
use super::report::Finding;
use super::rules::{Allowed, Allowlist, Rules};

/// Git's own test for binary content: a NUL byte in the first 8000 bytes.
const BINARY_PROBE: usize = 8000;

/// Counts of what a scan looked at and what it skipped.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScanStats {
    /// Commits scanned.
    pub commits: usize,
    /// Changed text files scanned (one per commit and path). A scan that read the object store
    /// (`devk scan --all-history`) counts each distinct file version once instead, here and in
    /// the two counts below.
    pub files: usize,
    /// Changed files skipped because they are binary.
    pub skipped_binary: usize,
    /// Changed files skipped because they are larger than `hook.max_blob_bytes`.
    pub skipped_large: usize,
    /// Matches that were allowed (`devk:allow`, `.devkignore`, the baseline). Stand-ins such as
    /// the AWS documentation's example keys are not matches at all.
    pub allowed: usize,
    /// Matches allowed by the baseline ([`super::baseline`]).
    #[serde(default)]
    pub baselined: usize,
}

/// What a scan found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanResult {
    pub stats: ScanStats,
    pub findings: Vec<Finding>,
    /// The scan read the object store directly ([`super::history`]) rather than walking
    /// commits through libgit2. Same findings either way; `stats.files` then counts distinct
    /// file versions.
    pub from_store: bool,
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
        // libgit2 re-hashes every object it reads (SHA-1 with collision detection) unless told
        // not to; git itself does that only in fsck. It is a third of a full-history scan.
        git2::opts::strict_hash_verification(false);
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
            total.stats.baselined += part.stats.baselined;
            total.findings.extend(part.findings);
        }
        Ok(total)
    }

    fn scan_in(&self, repo: &Repository, commits: &[Oid]) -> Result<ScanResult, HookError> {
        let odb = repo.odb()?;
        let mut result = ScanResult::default();
        let mut changed = Vec::new();
        let mut path = Vec::new();
        let mut trees = TreeCache::new(repo);
        for &oid in commits {
            let commit = repo.find_commit(oid)?;
            let tree = trees.get(commit.tree_id())?;
            let parents: Vec<Tree<'_>> = commit
                .parent_ids()
                .map(|p| trees.get(repo.find_commit(p)?.tree_id()))
                .collect::<Result<_, _>>()?;
            changed.clear();
            changed_blobs(&mut trees, parents.first(), &tree, &mut path, &mut changed)?;
            trees.next_generation();
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

    pub(super) fn scan_file(
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
        // The old versions are read only once a rule fires on a line: most trigger words
        // ("key", "token") are ordinary code.
        let mut old_lines: Option<HashSet<Vec<u8>>> = None;
        for found in self.rules.scan_blob(data) {
            let old = match &mut old_lines {
                Some(old) => old,
                none => none.insert(self.old_lines(odb, file.olds)?),
            };
            // A hit is new when one of its lines is (a key's header may stay while its body
            // changes).
            let added = data[found.span.clone()]
                .split(|b| *b == b'\n')
                .any(|l| !old.contains(trim_cr(l)));
            if !added {
                continue;
            }
            let line = line_at(data, found.span.start);
            let path = String::from_utf8_lossy(file.path).into_owned();
            match self.allow.allows_at(&found.hit, line, &path) {
                Some(Allowed::Baseline) => {
                    result.stats.baselined += 1;
                    continue;
                }
                Some(_) => {
                    result.stats.allowed += 1;
                    continue;
                }
                None => {}
            }
            result.findings.push(Finding {
                commit: file.commit.to_owned(),
                path,
                line: found.line,
                rule: found.hit.rule.name(),
                masked: found.hit.masked(),
                fingerprint: found.hit.fingerprint(),
            });
        }
        Ok(())
    }
}

impl Scanner<'_> {
    /// Every line of the file's versions in the parents (those not binary or too large).
    fn old_lines(&self, odb: &Odb<'_>, olds: &[Oid]) -> Result<HashSet<Vec<u8>>, HookError> {
        let mut lines = HashSet::new();
        for oid in olds {
            let (size, _) = odb.read_header(*oid)?;
            if size as u64 > self.max_blob_bytes {
                continue;
            }
            let object = odb.read(*oid)?;
            if !is_binary(object.data()) {
                lines.extend(
                    object
                        .data()
                        .split(|b| *b == b'\n')
                        .map(|l| trim_cr(l).to_vec()),
                );
            }
        }
        Ok(lines)
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
fn changed_blobs<'r>(
    trees: &mut TreeCache<'r>,
    old: Option<&Tree<'r>>,
    new: &Tree<'r>,
    path: &mut Vec<u8>,
    out: &mut Vec<Changed>,
) -> Result<(), HookError> {
    // Both trees are sorted in git's order, so one merge-walk pairs the entries up (a lookup
    // by name would cost an allocation and a binary search per entry).
    let mut olds = old.map(|t| t.iter()).into_iter().flatten().peekable();
    for entry in new.iter() {
        let is_tree = entry.kind() == Some(ObjectType::Tree);
        let mut old_entry = None;
        while let Some(o) = olds.peek() {
            let o_tree = o.kind() == Some(ObjectType::Tree);
            match git_order(o.name_bytes(), o_tree, entry.name_bytes(), is_tree) {
                std::cmp::Ordering::Less => {
                    olds.next();
                }
                std::cmp::Ordering::Equal => {
                    old_entry = olds.next();
                    break;
                }
                std::cmp::Ordering::Greater => break,
            }
        }
        if old_entry.as_ref().is_some_and(|o| o.id() == entry.id()) {
            continue;
        }
        let len = path.len();
        path.extend_from_slice(entry.name_bytes());
        match entry.kind() {
            Some(ObjectType::Tree) => {
                let subtree = trees.get(entry.id())?;
                let old_subtree = match &old_entry {
                    Some(o) if o.kind() == Some(ObjectType::Tree) => Some(trees.get(o.id())?),
                    _ => None,
                };
                path.push(b'/');
                changed_blobs(trees, old_subtree.as_ref(), &subtree, path, out)?;
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

/// Git's order of tree entries: by name, a subtree's name read as if it ended in `/`.
fn git_order(a: &[u8], a_tree: bool, b: &[u8], b_tree: bool) -> std::cmp::Ordering {
    let common = a.len().min(b.len());
    match a[..common].cmp(&b[..common]) {
        std::cmp::Ordering::Equal => {}
        other => return other,
    }
    let next = |name: &[u8], tree: bool| match name.get(common) {
        Some(c) => *c,
        None if tree => b'/',
        None => 0,
    };
    next(a, a_tree)
        .cmp(&next(b, b_tree))
        .then(a.len().cmp(&b.len()))
}

/// The trees read for the previous commit and for this one. A commit's parent is usually the
/// commit scanned just before it, so most of the trees a diff needs were read a moment ago;
/// libgit2's own cache keeps no tree over 4 KiB (a directory of about 100 files).
struct TreeCache<'r> {
    repo: &'r Repository,
    current: HashMap<Oid, Tree<'r>>,
    previous: HashMap<Oid, Tree<'r>>,
}

impl<'r> TreeCache<'r> {
    fn new(repo: &'r Repository) -> Self {
        TreeCache {
            repo,
            current: HashMap::new(),
            previous: HashMap::new(),
        }
    }

    fn get(&mut self, id: Oid) -> Result<Tree<'r>, git2::Error> {
        if let Some(tree) = self.current.get(&id) {
            return Ok(tree.clone());
        }
        let tree = match self.previous.remove(&id) {
            Some(tree) => tree,
            None => self.repo.find_tree(id)?,
        };
        self.current.insert(id, tree.clone());
        Ok(tree)
    }

    fn next_generation(&mut self) {
        self.previous = std::mem::take(&mut self.current);
    }
}

/// One changed file of one commit.
pub(super) struct FileRef<'a> {
    pub commit: &'a str,
    pub path: &'a [u8],
    pub new: Oid,
    /// The file's versions in the parents (empty for a new file).
    pub olds: &'a [Oid],
}

fn open_again(path: &Path) -> Result<Repository, HookError> {
    Ok(Repository::open(path)?)
}

pub(super) fn is_binary(data: &[u8]) -> bool {
    data[..data.len().min(BINARY_PROBE)].contains(&0)
}

/// The line of `data` starting at `start`, without its line ending.
pub(super) fn line_at(data: &[u8], start: usize) -> &[u8] {
    let rest = &data[start.min(data.len())..];
    let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
    trim_cr(&rest[..end])
}

pub(super) fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use git2::Signature;

    /// Commits `files` (path, content) on top of HEAD in `repo`, with nested directories.
    fn commit(repo: &Repository, files: &[(&str, &str)]) -> Oid {
        let mut index = repo.index().unwrap();
        for (path, text) in files {
            let full = repo.workdir().unwrap().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(&full, text).unwrap();
            index.add_path(Path::new(path)).unwrap();
        }
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        let parent = repo.head().ok().map(|h| h.peel_to_commit().unwrap());
        let parents: Vec<_> = parent.iter().collect();
        repo.commit(Some("HEAD"), &sig, &sig, "c", &tree, &parents)
            .unwrap()
    }

    fn scan(repo: &Repository, commits: &[Oid]) -> ScanResult {
        let rules = Rules::new(&[]).unwrap();
        let allow = Allowlist::default();
        let scanner = Scanner {
            rules: &rules,
            allow: &allow,
            max_blob_bytes: 1 << 20,
        };
        scanner.scan(repo, commits).unwrap()
    }

    #[test]
    fn git_order_reads_subtrees_as_ending_in_a_slash() {
        use std::cmp::Ordering::*;
        assert_eq!(git_order(b"a", true, b"a.b", false), Greater);
        assert_eq!(git_order(b"a", false, b"a.b", false), Less);
        assert_eq!(git_order(b"a", true, b"a0", false), Less);
        assert_eq!(git_order(b"a", true, b"a", true), Equal);
        assert_eq!(git_order(b"a", true, b"a", false), Greater);
    }

    #[test]
    fn reports_added_lines_with_their_line_numbers_once() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        let key = format!("AK{}Z7Q2LMNB4XK5PW3R", "IA");
        let first = commit(
            &repo,
            &[
                ("a/b/c.env", &format!("x=1\nID={key}\n")),
                ("other.txt", "nothing\n"),
            ],
        );
        // Moving the line and editing another file adds no secret.
        let second = commit(
            &repo,
            &[
                ("a/b/c.env", &format!("ID={key}\nx=1\ny=2\n")),
                ("other.txt", "still nothing\n"),
            ],
        );
        let third = commit(
            &repo,
            &[
                ("a/d.yaml", &format!("k: 1\nid: {key}\n")),
                ("a.b", "a file sorted between `a` and `a/`\n"),
            ],
        );
        let commits = commits_between(&repo, &[third], &[]).unwrap();
        assert_eq!(commits, [first, second, third]);
        let result = scan(&repo, &commits);
        let found: Vec<(String, usize, String)> = result
            .findings
            .iter()
            .map(|f| (f.path.clone(), f.line, f.commit.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("a/b/c.env".to_owned(), 2, first.to_string()),
                ("a/d.yaml".to_owned(), 2, third.to_string()),
            ]
        );
        assert_eq!(result.stats.commits, 3);
        assert_eq!(result.stats.files, 6);
        assert!(
            scan(&repo, &commits_between(&repo, &[third], &[second]).unwrap())
                .findings
                .len()
                == 1
        );
    }
}
