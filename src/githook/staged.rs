//! The pre-commit scan: the lines the staged changes add, against HEAD.
//!
//! git runs the hook with `GIT_INDEX_FILE` pointing at the index the commit will be made from
//! (a temporary one for `git commit -a` or `git commit FILE`), so that index is read, not
//! always `.git/index`. Each staged file is checked as the walker checks a commit's file: the
//! lines its staged version has and its HEAD version does not.

use std::path::{Path, PathBuf};

use git2::{Delta, DiffOptions, Index, Repository};

use super::walk::{FileRef, ScanResult};
use super::{HookError, ScanSettings};

/// What findings of a staged scan carry as their commit.
pub const STAGED: &str = "(staged)";

/// Scans the staged changes of the repository git runs the hook in (`$GIT_DIR`, or the
/// current directory).
pub fn pre_commit(settings: &ScanSettings) -> Result<ScanResult, HookError> {
    let repo = Repository::open_from_env().map_err(|_| {
        HookError::NotARepo(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
    })?;
    let index = match std::env::var_os("GIT_INDEX_FILE") {
        Some(path) => {
            let path = PathBuf::from(path);
            let path = if path.is_relative() {
                // git gives it relative to the directory the hook runs in.
                std::env::current_dir()
                    .map(|d| d.join(&path))
                    .unwrap_or(path)
            } else {
                path
            };
            Index::open(&path)?
        }
        None => repo.index()?,
    };
    scan_index(&repo, &index, settings)
}

/// Scans the changes between HEAD (nothing, before the first commit) and `index`.
pub fn scan_index(
    repo: &Repository,
    index: &Index,
    settings: &ScanSettings,
) -> Result<ScanResult, HookError> {
    let (rules, allow) = super::rules_and_allowlist(repo, settings)?;
    let scanner = super::scanner(&rules, &allow, settings);
    let head = repo.head().ok().and_then(|h| h.peel_to_tree().ok());
    let mut opts = DiffOptions::new();
    opts.include_typechange(true).ignore_submodules(true);
    let diff = repo.diff_tree_to_index(head.as_ref(), Some(index), Some(&mut opts))?;
    let odb = repo.odb()?;
    let mut result = ScanResult::default();
    for delta in diff.deltas() {
        if !matches!(
            delta.status(),
            Delta::Added | Delta::Modified | Delta::Renamed | Delta::Copied | Delta::Typechange
        ) {
            continue;
        }
        let new = delta.new_file();
        // Gitlinks (submodules) are commits, not files.
        if new.mode() == git2::FileMode::Commit {
            continue;
        }
        let Some(path) = new.path_bytes() else {
            continue;
        };
        let old = delta.old_file();
        let olds: Vec<git2::Oid> = (!old.id().is_zero() && old.mode() != git2::FileMode::Commit)
            .then_some(old.id())
            .into_iter()
            .collect();
        let file = FileRef {
            commit: STAGED,
            path,
            new: new.id(),
            olds: &olds,
        };
        scanner.scan_file(&odb, &file, &mut result)?;
    }
    result.stats.commits = 0;
    Ok(result)
}

/// For tests and tools: scans the staged changes of the repository containing `repo_dir`
/// through its own index.
pub fn scan_staged(repo_dir: &Path, settings: &ScanSettings) -> Result<ScanResult, HookError> {
    let repo =
        Repository::discover(repo_dir).map_err(|_| HookError::NotARepo(repo_dir.to_path_buf()))?;
    let index = repo.index()?;
    scan_index(&repo, &index, settings)
}
