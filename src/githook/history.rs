//! `devk scan --all-history` read straight from the object store.
//!
//! Walking 5,000 commits through libgit2 means diffing thousands of trees and reading each
//! changed blob through its delta chain: seconds, most of it spent before a single line is
//! looked at. A whole-history scan gives the same findings for much less:
//!
//! 1. Every blob in the store is resolved once ([`ObjectStore::for_each`], all cores) and
//!    checked with the rules. A blob where no rule fires on any line cannot give a finding in
//!    any commit: the lines a commit adds are lines of the blobs it brings in. Usually no blob,
//!    or a handful, is left: the suspects.
//! 2. Commits (and, when there are suspects, trees) are resolved once more. A tree is relevant
//!    when a suspect is somewhere below it.
//! 3. Commits are walked oldest first as [`super::walk`] walks them, but only relevant subtrees
//!    that changed are entered, and only suspects that appear at a path are kept.
//! 4. Each (commit, path, suspect) is scanned by [`Scanner::scan_file`] itself, with the
//!    versions in the parents read through libgit2, so what counts as an added line, and every
//!    allow rule, are exactly the walker's. Tests compare the two on the same repositories.
//!
//! Repositories this reader does not handle (alternates, shallow or partial clones, SHA-256,
//! anything it cannot parse) get `None`, and the caller uses the walker.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use git2::{ObjectType, Oid, Repository};

use super::HookError;
use super::walk::{FileRef, ScanResult, Scanner, is_binary};
use crate::gitobjects::parse::{EntryMode, commit_links, tree_entries};
use crate::gitobjects::{Kind, ObjectStore, Oid20, OidMap};

/// Packs are held in memory up to this size in all (the fastest way to read them); larger ones
/// are read entry by entry, so a big repository does not cost its pack size in memory.
const IN_MEMORY_PACK_BYTES: u64 = 256 << 20;

/// An entry number that is not in the store.
const MISSING: u32 = u32::MAX;

/// Scans every commit reachable from `tips` and from none of `hides` as [`Scanner::scan`]
/// would, or returns `None` when the repository's object store is not one this reader handles.
pub(super) fn scan_from_store(
    repo: &Repository,
    tips: &[Oid],
    hides: &[Oid],
    scanner: &Scanner<'_>,
) -> Result<Option<ScanResult>, HookError> {
    if !plain_store(repo) {
        return Ok(None);
    }
    let Ok(store) = ObjectStore::open(&repo.commondir().join("objects"), IN_MEMORY_PACK_BYTES)
    else {
        return Ok(None);
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let Some(plan) = plan(&store, tips, hides, scanner, threads) else {
        return Ok(None);
    };
    let mut result = ScanResult {
        from_store: true,
        ..ScanResult::default()
    };
    result.stats.commits = plan.commits;
    result.stats.files = plan.files;
    result.stats.skipped_binary = plan.skipped_binary;
    result.stats.skipped_large = plan.skipped_large;
    let odb = repo.odb()?;
    for candidate in &plan.candidates {
        let mut one = ScanResult::default();
        let commit = repo.find_commit(oid(candidate.commit)?)?;
        let new = oid(candidate.blob)?;
        let path = Path::new(OsStr::from_bytes(&candidate.path));
        let mut olds = Vec::new();
        for parent in commit.parents() {
            if let Ok(entry) = parent.tree()?.get_path(path)
                && entry.kind() == Some(ObjectType::Blob)
            {
                olds.push(entry.id());
            }
        }
        // A merge adds only what no parent had (the walker's rule).
        if commit.parent_count() > 1 && olds.contains(&new) {
            continue;
        }
        let commit_hex = candidate.commit.to_hex();
        let file = FileRef {
            commit: &commit_hex,
            path: &candidate.path,
            new,
            olds: &olds,
        };
        scanner.scan_file(&odb, &file, &mut one)?;
        result.stats.allowed += one.stats.allowed;
        result.stats.baselined += one.stats.baselined;
        result.findings.extend(one.findings);
    }
    Ok(Some(result))
}

/// No alternates, grafts, shallow history or other object format: the cases where the store
/// alone does not say what history holds.
fn plain_store(repo: &Repository) -> bool {
    let common = repo.commondir();
    let sha1 = repo
        .config()
        .and_then(|c| c.get_string("extensions.objectformat"))
        .map_or(true, |f| f.eq_ignore_ascii_case("sha1"));
    sha1 && !repo.is_shallow() && !common.join("info/grafts").exists()
}

fn oid(id: Oid20) -> Result<Oid, HookError> {
    Ok(Oid::from_bytes(&id.0)?)
}

/// A path where a suspect blob appears in a commit and did not in its first parent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    commit: Oid20,
    path: Vec<u8>,
    blob: Oid20,
}

/// What the passes over the store found.
#[derive(Debug, Default)]
struct Plan {
    commits: usize,
    files: usize,
    skipped_binary: usize,
    skipped_large: usize,
    candidates: Vec<Candidate>,
}

/// The passes over the store; `None` when an object history needs is missing or unreadable.
fn plan(
    store: &ObjectStore,
    tips: &[Oid],
    hides: &[Oid],
    scanner: &Scanner<'_>,
    threads: usize,
) -> Option<Plan> {
    let mut plan = Plan::default();
    // 1. Blobs.
    let blob_parts = store
        .for_each(&[Kind::Blob], threads, BlobPass::default, |pass, object| {
            if object.data.len() as u64 > scanner.max_blob_bytes {
                pass.skipped_large += 1;
            } else if is_binary(object.data) {
                pass.skipped_binary += 1;
            } else {
                pass.files += 1;
                if scanner.rules.may_hold_secret(object.data) {
                    pass.suspects.push(store.oid(object.entry));
                }
            }
        })
        .ok()?;
    let mut suspects = Suspects::default();
    for part in blob_parts {
        plan.files += part.files;
        plan.skipped_binary += part.skipped_binary;
        plan.skipped_large += part.skipped_large;
        for id in part.suspects {
            suspects.insert(id);
        }
    }
    // 2. Commits, and the trees when there is something to place in them.
    let kinds: &[Kind] = if suspects.is_empty() {
        &[Kind::Commit]
    } else {
        &[Kind::Commit, Kind::Tree]
    };
    let parts = store
        .for_each(kinds, threads, LinkPass::default, |pass, object| {
            let ok = match object.kind {
                Kind::Commit => pass.add_commit(object.entry, object.data),
                _ => pass.add_tree(store, &suspects, object.entry, object.data),
            };
            pass.corrupt |= !ok;
        })
        .ok()?;
    let graph = Graph::merge(store, parts)?;
    let entries = |ids: &[Oid]| -> Option<Vec<u32>> {
        ids.iter()
            .map(|t| store.lookup(&Oid20(t.as_bytes().try_into().ok()?)))
            .collect()
    };
    let order = graph.oldest_first(&entries(tips)?, &entries(hides)?)?;
    plan.commits = order.len();
    if suspects.is_empty() {
        return Some(plan);
    }
    // 3. Where suspects appear.
    let mut relevance = vec![Relevance::Unknown; store.len()];
    let mut path = Vec::new();
    for &commit in &order {
        let (tree, parents) = graph.commits.get(&commit)?;
        let old = parents
            .first()
            .and_then(|p| graph.commits.get(p))
            .map(|c| c.0);
        if old == Some(*tree) || !graph.relevant(*tree, &mut relevance)? {
            continue;
        }
        let commit_id = store.oid(commit);
        graph.placed(
            store,
            *tree,
            old,
            &mut relevance,
            &mut path,
            &mut |path, blob| {
                plan.candidates.push(Candidate {
                    commit: commit_id,
                    path: path.to_vec(),
                    blob,
                })
            },
        )?;
    }
    Some(plan)
}

#[derive(Default)]
struct BlobPass {
    files: usize,
    skipped_binary: usize,
    skipped_large: usize,
    suspects: Vec<Oid20>,
}

/// The suspect blobs, with a filter on their first two bytes that rejects nearly every other
/// id with one load (trees hold millions of blob entries; suspects are few).
struct Suspects {
    filter: Vec<u64>,
    ids: OidMap<()>,
}

impl Default for Suspects {
    fn default() -> Self {
        Suspects {
            filter: vec![0; 1024],
            ids: OidMap::default(),
        }
    }
}

impl Suspects {
    fn slot(id: &Oid20) -> (usize, u64) {
        let n = usize::from(u16::from_be_bytes([id.0[0], id.0[1]]));
        (n / 64, 1 << (n % 64))
    }

    fn insert(&mut self, id: Oid20) {
        let (word, bit) = Self::slot(&id);
        self.filter[word] |= bit;
        self.ids.insert(id, ());
    }

    fn contains(&self, id: &Oid20) -> bool {
        let (word, bit) = Self::slot(id);
        self.filter[word] & bit != 0 && self.ids.contains_key(id)
    }

    fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A tree entry kept for the walk: every subtree, and every suspect blob.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Edge {
    /// Where the name is in the names arena of the pass (later, of the graph).
    name_at: u32,
    name_len: u32,
    /// The entry of the subtree or blob in the store ([`MISSING`] if it has none).
    target: u32,
    is_tree: bool,
}

/// Slots of a pass's cache of subtree ids (a power of two).
const SUBTREE_CACHE: usize = 8192;

/// One thread's share of the commit and tree pass.
struct LinkPass {
    commits: Vec<(u32, Oid20, Vec<Oid20>)>,
    trees: Vec<(u32, u32, u32)>,
    edges: Vec<Edge>,
    /// Entry names, one after the other (hashing them into a table cost more than the copy).
    names: Vec<u8>,
    corrupt: bool,
    /// Subtree id -> entry, direct-mapped. Consecutive versions of a directory share most of
    /// their subtrees, and the store's id table is too big to stay in the CPU's cache.
    subtrees: Vec<(Oid20, u32)>,
}

impl Default for LinkPass {
    fn default() -> Self {
        LinkPass {
            commits: Vec::new(),
            trees: Vec::new(),
            edges: Vec::new(),
            names: Vec::new(),
            corrupt: false,
            // The all-zero id is no object's, so an empty slot never answers for a real one.
            subtrees: vec![(Oid20([0; 20]), MISSING); SUBTREE_CACHE],
        }
    }
}

impl LinkPass {
    fn subtree_entry(&mut self, store: &ObjectStore, id: &Oid20) -> u32 {
        let slot = usize::from(u16::from_le_bytes([id.0[0], id.0[1]])) % SUBTREE_CACHE;
        let cached = self.subtrees[slot];
        if cached.0 == *id {
            return cached.1;
        }
        let entry = store.lookup(id).unwrap_or(MISSING);
        self.subtrees[slot] = (*id, entry);
        entry
    }

    fn add_commit(&mut self, entry: u32, data: &[u8]) -> bool {
        match commit_links(data) {
            Ok(links) => {
                self.commits.push((entry, links.tree, links.parents));
                true
            }
            Err(_) => false,
        }
    }

    fn add_tree(
        &mut self,
        store: &ObjectStore,
        suspects: &Suspects,
        entry: u32,
        data: &[u8],
    ) -> bool {
        let start = self.edges.len() as u32;
        for item in tree_entries(data) {
            let Ok(item) = item else {
                return false;
            };
            let (is_tree, target) = match item.mode {
                EntryMode::Tree => (true, self.subtree_entry(store, &item.oid)),
                EntryMode::Blob if suspects.contains(&item.oid) => {
                    (false, store.lookup(&item.oid).unwrap_or(MISSING))
                }
                _ => continue,
            };
            self.edges.push(Edge {
                name_at: self.names.len() as u32,
                name_len: item.name.len() as u32,
                target,
                is_tree,
            });
            self.names.extend_from_slice(item.name);
        }
        self.trees.push((entry, start, self.edges.len() as u32));
        true
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Relevance {
    Unknown,
    Visiting,
    No,
    Yes,
}

/// Commits and trees, merged from the pass's threads.
struct Graph {
    /// Commit entry -> (tree entry, parent entries).
    commits: HashMap<u32, (u32, Vec<u32>)>,
    /// Tree entry -> its edges (`edges[start..end]`); `(MISSING, MISSING)` for non-trees.
    tree_edges: Vec<(u32, u32)>,
    edges: Vec<Edge>,
    names: Vec<u8>,
}

impl Graph {
    fn merge(store: &ObjectStore, parts: Vec<LinkPass>) -> Option<Graph> {
        let mut graph = Graph {
            commits: HashMap::new(),
            tree_edges: vec![(MISSING, MISSING); store.len()],
            edges: Vec::new(),
            names: Vec::new(),
        };
        for part in parts {
            if part.corrupt {
                return None;
            }
            let names_base = u32::try_from(graph.names.len()).ok()?;
            graph.names.extend_from_slice(&part.names);
            let base = graph.edges.len() as u32;
            graph.edges.extend(part.edges.iter().map(|e| Edge {
                name_at: names_base + e.name_at,
                ..*e
            }));
            for (tree, start, end) in part.trees {
                graph.tree_edges[tree as usize] = (base + start, base + end);
            }
            for (commit, tree, parents) in part.commits {
                let tree = store.lookup(&tree)?;
                let parents = parents
                    .iter()
                    .map(|p| store.lookup(p))
                    .collect::<Option<Vec<u32>>>()?;
                graph.commits.insert(commit, (tree, parents));
            }
        }
        Some(graph)
    }

    /// The commits reachable from `tips` and from none of `hides`, parents before children;
    /// `None` if one is missing.
    fn oldest_first(&self, tips: &[u32], hides: &[u32]) -> Option<Vec<u32>> {
        let mut order = Vec::new();
        // Hidden commits count as seen: the walk stops at them.
        let mut seen = std::collections::HashSet::new();
        let mut hidden: Vec<u32> = hides.to_vec();
        while let Some(commit) = hidden.pop() {
            if seen.insert(commit) {
                hidden.extend(&self.commits.get(&commit)?.1);
            }
        }
        let mut stack: Vec<(u32, usize)> = Vec::new();
        for &tip in tips {
            if !seen.insert(tip) {
                continue;
            }
            stack.push((tip, 0));
            while let Some((commit, next)) = stack.last_mut() {
                let (_, parents) = self.commits.get(commit)?;
                match parents.get(*next) {
                    Some(&parent) => {
                        *next += 1;
                        if seen.insert(parent) {
                            stack.push((parent, 0));
                        }
                    }
                    None => {
                        order.push(*commit);
                        stack.pop();
                    }
                }
            }
        }
        Some(order)
    }

    fn name(&self, edge: &Edge) -> &[u8] {
        &self.names[edge.name_at as usize..(edge.name_at + edge.name_len) as usize]
    }

    fn edges_of(&self, tree: u32) -> Option<&[Edge]> {
        let (start, end) = *self.tree_edges.get(tree as usize)?;
        if start == MISSING {
            return None;
        }
        Some(&self.edges[start as usize..end as usize])
    }

    /// Whether a suspect is somewhere under `tree`; `None` if a tree below it is missing.
    fn relevant(&self, tree: u32, memo: &mut [Relevance]) -> Option<bool> {
        match memo[tree as usize] {
            Relevance::Yes => return Some(true),
            Relevance::No => return Some(false),
            Relevance::Visiting => return None,
            Relevance::Unknown => {}
        }
        let mut stack = vec![(tree, 0usize)];
        memo[tree as usize] = Relevance::Visiting;
        while let Some((node, next)) = stack.last_mut() {
            let edges = self.edges_of(*node)?;
            match edges.get(*next) {
                Some(edge) => {
                    *next += 1;
                    if !edge.is_tree {
                        memo[*node as usize] = Relevance::Yes;
                        continue;
                    }
                    let child = edge.target;
                    if child == MISSING {
                        return None;
                    }
                    match memo[child as usize] {
                        Relevance::Unknown => {
                            memo[child as usize] = Relevance::Visiting;
                            stack.push((child, 0));
                        }
                        Relevance::Yes => memo[*node as usize] = Relevance::Yes,
                        // Trees cannot contain themselves; a cycle means corruption.
                        Relevance::Visiting => return None,
                        Relevance::No => {}
                    }
                }
                None => {
                    let node = *node;
                    if memo[node as usize] != Relevance::Yes {
                        memo[node as usize] = Relevance::No;
                    }
                    stack.pop();
                    if let Some((parent, _)) = stack.last()
                        && memo[node as usize] == Relevance::Yes
                    {
                        memo[*parent as usize] = Relevance::Yes;
                    }
                }
            }
        }
        Some(memo[tree as usize] == Relevance::Yes)
    }

    /// Calls `found(path, blob)` for each suspect under `new` that `old` (the first parent's
    /// tree at the same path) does not have at the same path, in the walker's order.
    fn placed(
        &self,
        store: &ObjectStore,
        new: u32,
        old: Option<u32>,
        memo: &mut [Relevance],
        path: &mut Vec<u8>,
        found: &mut impl FnMut(&[u8], Oid20),
    ) -> Option<()> {
        let old_edges = match old {
            Some(o) => self.edges_of(o)?,
            None => &[],
        };
        for edge in self.edges_of(new)? {
            // Relevance first: most subtrees hold no suspect, and looking one up is a memo read.
            if edge.is_tree && (edge.target == MISSING || !self.relevant(edge.target, memo)?) {
                if edge.target == MISSING {
                    return None;
                }
                continue;
            }
            let name = self.name(edge);
            let same_name = |o: &&Edge| o.is_tree == edge.is_tree && self.name(o) == name;
            let before = old_edges.iter().find(same_name).map(|o| o.target);
            if before == Some(edge.target) {
                continue;
            }
            let len = path.len();
            path.extend_from_slice(name);
            if edge.is_tree {
                if before == Some(MISSING) {
                    return None;
                }
                path.push(b'/');
                self.placed(store, edge.target, before, memo, path, found)?;
            } else {
                found(path, store.oid(edge.target));
            }
            path.truncate(len);
        }
        Some(())
    }
}
