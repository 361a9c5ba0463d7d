//! Image tags from git: `<name>:<short-sha>`, `-dirty` appended when the work tree has
//! uncommitted changes (tracked edits, staged changes or untracked, non-ignored files: any
//! of them can end up in the image), plus the branch as an extra tag when configured.
//!
//! [`GitState::read`] is the git2 adapter; [`tags_for`] and [`sanitize_tag`] are pure.

use std::path::Path;

use crate::exit::Exit;

/// Why tags could not be worked out.
#[derive(Debug, thiserror::Error)]
pub enum TagError {
    #[error(
        "{path} is not inside a git repository, so there is no commit to tag the image with; \
         pass -t TAG or run from a git checkout"
    )]
    NotARepo { path: String },
    #[error("git repository at {path} has no commit yet; commit once or pass -t TAG")]
    NoCommit { path: String },
    #[error("git repository at {path}: {message}")]
    Git { path: String, message: String },
}

impl TagError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::NotARepo { .. } | Self::NoCommit { .. } => Exit::NotFound,
            Self::Git { .. } => Exit::Failure,
        }
    }
}

/// What the tags are made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GitState {
    /// `git rev-parse --short HEAD`.
    pub short_sha: String,
    pub dirty: bool,
    /// The checked-out branch; `None` when HEAD is detached.
    pub branch: Option<String>,
}

impl GitState {
    /// Reads the repository that contains `path`. On a detached HEAD (CI checkouts) the
    /// branch comes from `branch_fallback` (for example Jenkins' `BRANCH_NAME`).
    pub fn read(path: &Path, branch_fallback: Option<String>) -> Result<GitState, TagError> {
        let shown = path.display().to_string();
        let repo = git2::Repository::discover(path).map_err(|_| TagError::NotARepo {
            path: shown.clone(),
        })?;
        let root = repo
            .workdir()
            .map_or_else(|| shown.clone(), |p| p.display().to_string());
        let git = |e: git2::Error| TagError::Git {
            path: root.clone(),
            message: e.message().to_string(),
        };
        let head = repo
            .head()
            .map_err(|_| TagError::NoCommit { path: root.clone() })?;
        let commit = head
            .peel_to_commit()
            .map_err(|_| TagError::NoCommit { path: root.clone() })?;
        let short = commit.as_object().short_id().map_err(git)?;
        let short_sha = short.as_str().unwrap_or_default().to_string();
        let branch = if head.is_branch() {
            head.shorthand().ok().map(str::to_string)
        } else {
            branch_fallback
        };
        let mut opts = git2::StatusOptions::new();
        opts.include_untracked(true)
            .recurse_untracked_dirs(false)
            .include_ignored(false)
            .exclude_submodules(true);
        let dirty = !repo.statuses(Some(&mut opts)).map_err(git)?.is_empty();
        Ok(GitState {
            short_sha,
            dirty,
            branch,
        })
    }
}

/// The branch a CI system checked out, from its environment (HEAD is detached there):
/// Jenkins multibranch `BRANCH_NAME`, Jenkins git plugin `GIT_BRANCH` (`origin/main`),
/// GitLab `CI_COMMIT_REF_NAME`, GitHub `GITHUB_HEAD_REF`/`GITHUB_REF_NAME`.
pub fn ci_branch(var: impl Fn(&str) -> Option<String>) -> Option<String> {
    let get = |k: &str| var(k).filter(|v| !v.is_empty());
    get("BRANCH_NAME")
        .or_else(|| {
            get("GIT_BRANCH").map(|b| b.strip_prefix("origin/").map(str::to_string).unwrap_or(b))
        })
        .or_else(|| get("CI_COMMIT_REF_NAME"))
        .or_else(|| get("GITHUB_HEAD_REF"))
        .or_else(|| get("GITHUB_REF_NAME"))
}

/// Makes `raw` a valid Docker tag (`[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`): other characters
/// become `-`, a leading `.` or `-` becomes `_`, the result is cut to 128 characters.
/// `None` when nothing usable is left.
pub fn sanitize_tag(raw: &str) -> Option<String> {
    let mut out: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    if out.trim_matches(['-', '.', '_']).is_empty() {
        return None;
    }
    if out.starts_with(['.', '-']) {
        out.replace_range(..1, "_");
    }
    out.truncate(128);
    Some(out)
}

/// The tags for an image `name` built from `state`. The branch tag is only added for a
/// clean work tree, so a dirty local build never moves the branch's tag.
pub fn tags_for(name: &str, state: &GitState, branch_tag: bool) -> Vec<String> {
    let suffix = if state.dirty { "-dirty" } else { "" };
    let mut tags = vec![format!("{name}:{}{suffix}", state.short_sha)];
    if branch_tag
        && !state.dirty
        && let Some(b) = state.branch.as_deref().and_then(sanitize_tag)
    {
        tags.push(format!("{name}:{b}"));
    }
    tags
}

/// A `-t` value: a full reference when it has a name part (`app:1`, `reg:5000/app`), else
/// a tag for `name`.
pub fn explicit_tag(name: &str, tag: &str) -> String {
    if tag.contains(':') || tag.contains('/') {
        tag.to_string()
    } else {
        format!("{name}:{tag}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("main", Some("main"))]
    #[case("feature/JIRA-12 new thing", Some("feature-JIRA-12-new-thing"))]
    #[case("-weird", Some("_weird"))]
    #[case(".hidden", Some("_hidden"))]
    #[case("ünïcode", Some("_n-code"))]
    #[case("///", None)]
    #[case("", None)]
    fn branch_names_become_valid_tags(#[case] raw: &str, #[case] want: Option<&str>) {
        assert_eq!(sanitize_tag(raw).as_deref(), want);
    }

    #[test]
    fn long_branch_names_are_cut_to_128() {
        assert_eq!(sanitize_tag(&"b".repeat(300)).unwrap().len(), 128);
    }

    #[test]
    fn tags_follow_sha_dirty_and_branch_rules() {
        let clean = GitState {
            short_sha: "abc1234".into(),
            dirty: false,
            branch: Some("feat/x".into()),
        };
        assert_eq!(tags_for("app", &clean, false), ["app:abc1234"]);
        assert_eq!(tags_for("app", &clean, true), ["app:abc1234", "app:feat-x"]);
        let dirty = GitState {
            dirty: true,
            ..clean.clone()
        };
        assert_eq!(tags_for("app", &dirty, true), ["app:abc1234-dirty"]);
        let detached = GitState {
            branch: None,
            ..clean
        };
        assert_eq!(tags_for("app", &detached, true), ["app:abc1234"]);
    }

    #[test]
    fn ci_branch_prefers_branch_name_and_strips_origin() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            ci_branch(env(&[("GIT_BRANCH", "origin/main")])).as_deref(),
            Some("main")
        );
        assert_eq!(
            ci_branch(env(&[
                ("GIT_BRANCH", "origin/main"),
                ("BRANCH_NAME", "PR-7")
            ]))
            .as_deref(),
            Some("PR-7")
        );
        assert_eq!(ci_branch(env(&[])), None);
    }

    #[test]
    fn explicit_tags_keep_full_references() {
        assert_eq!(explicit_tag("app", "v1"), "app:v1");
        assert_eq!(explicit_tag("app", "other:v1"), "other:v1");
        assert_eq!(
            explicit_tag("app", "127.0.0.1:5000/app"),
            "127.0.0.1:5000/app"
        );
    }

    fn git(dir: &Path, args: &[&str]) {
        let ok = std::process::Command::new("git")
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@e",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    }

    #[test]
    fn state_reads_short_sha_dirty_and_branch_from_a_repo() {
        let d = tempfile::tempdir().unwrap();
        let r = d.path();
        let err = GitState::read(r, None).unwrap_err();
        assert!(matches!(err, TagError::NotARepo { .. }), "{err}");
        git(r, &["init", "-q"]);
        assert!(matches!(
            GitState::read(r, None),
            Err(TagError::NoCommit { .. })
        ));
        std::fs::write(r.join("a"), "1").unwrap();
        git(r, &["add", "a"]);
        git(r, &["commit", "-q", "-m", "one"]);
        git(r, &["checkout", "-q", "-b", "feat/x"]);
        let s = GitState::read(r, None).unwrap();
        let head = std::process::Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(r)
            .output()
            .unwrap();
        assert_eq!(s.short_sha, String::from_utf8_lossy(&head.stdout).trim());
        assert!(!s.dirty);
        assert_eq!(s.branch.as_deref(), Some("feat/x"));
        std::fs::write(r.join("untracked"), "u").unwrap();
        assert!(GitState::read(r, None).unwrap().dirty);
        std::fs::remove_file(r.join("untracked")).unwrap();
        std::fs::write(r.join("a"), "2").unwrap();
        assert!(GitState::read(r, None).unwrap().dirty);
        git(r, &["checkout", "-q", "--detach"]);
        let s = GitState::read(r, Some("from-ci".into())).unwrap();
        assert_eq!(s.branch.as_deref(), Some("from-ci"));
    }
}
