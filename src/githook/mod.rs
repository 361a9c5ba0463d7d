//! The pre-push hook: no AWS keys or other secrets leave the machine.
//!
//! `devk hook install` writes a small shell hook ([`install`]) that runs
//! `devk hook pre-push "$@"`. That command ([`pre_push`]) reads git's ref lines from stdin,
//! works out which commits are new to the remote ([`refs`]), scans the lines those commits add
//! ([`walk`]) against the rules ([`rules`]), and exits 1 when it finds a secret, which makes git
//! stop the push. `devk scan` ([`scan`]) runs the same scanner by hand.
//!
//! This path is synchronous and small on purpose: it runs on every `git push`, so it starts no
//! async runtime and touches no Docker, AWS or terminal UI code.

pub mod allow;
pub mod baseline;
mod history;
pub mod install;
pub mod refs;
pub mod report;
pub mod rules;
pub mod sarif;
pub mod staged;
pub mod walk;

use std::path::{Path, PathBuf};
use std::time::Instant;

use git2::{Oid, Repository};

use crate::exit::Exit;

pub use install::{
    HookKind, HookState, HookStatus, HooksLocation, InstallAction, InstallReport, UninstallReport,
    install, install_hook, status, status_of, uninstall, uninstall_hook,
};
pub use refs::{PushKind, PushLine};
pub use report::{Finding, LastScan, Outcome};
pub use walk::{ScanResult, ScanStats};

/// The file at the work tree's root whose fingerprints allow findings.
pub const IGNORE_FILE: &str = ".devkignore";

/// Exit code of a scan that found secrets (git only needs a non-zero code to stop a push).
pub const EXIT_SECRETS_FOUND: u8 = 1;

/// Everything that can stop a scan or an install. Messages never hold a secret.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    #[error("{} is not inside a git repository", .0.display())]
    NotARepo(PathBuf),
    #[error("git is not on PATH; devk needs it to find the hooks directory")]
    GitMissing,
    #[error("git: {0}")]
    Git(String),
    #[error("git: {0}")]
    Libgit(#[from] git2::Error),
    #[error("cannot read or write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("pre-push input line {line}: {problem} (is `devk hook pre-push` run by git?)")]
    BadInput { line: usize, problem: String },
    #[error("`hook.custom_patterns` item {index} {problem}")]
    BadPattern { index: usize, problem: String },
    #[error(
        "`hook.extra_rules` names `{0}`, which is not an optional rule (known: {known})",
        known = rules::EXTRA_RULES.join(", ")
    )]
    UnknownRule(String),
    #[error("{} is not a devk baseline: {problem} (make a new one with `devk scan --update-baseline`)", path.display())]
    BadBaseline { path: PathBuf, problem: String },
    #[error("`{spec}` is not a revision or range: {problem}")]
    BadRange { spec: String, problem: String },
    #[error("{0}")]
    Refused(String),
    #[error("{0}")]
    Internal(String),
}

impl HookError {
    /// The exit code this error ends devk with.
    pub fn exit(&self) -> Exit {
        match self {
            HookError::NotARepo(_) => Exit::NotFound,
            HookError::Io { .. } => Exit::Io,
            HookError::BadInput { .. } | HookError::BadRange { .. } => Exit::Usage,
            HookError::BadPattern { .. }
            | HookError::UnknownRule(_)
            | HookError::BadBaseline { .. } => Exit::Config,
            HookError::Refused(_) => Exit::Refused,
            HookError::GitMissing
            | HookError::Git(_)
            | HookError::Libgit(_)
            | HookError::Internal(_) => Exit::Failure,
        }
    }
}

/// The `[hook]` settings a scan uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanSettings {
    /// Extra regexes, each matched against every added line.
    pub custom_patterns: Vec<String>,
    /// Optional built-in rules turned on ([`rules::EXTRA_RULES`]).
    pub extra_rules: Vec<String>,
    /// The baseline file (`--baseline`); `None`: `.devk-baseline.json` at the work tree's root,
    /// when there is one.
    pub baseline: Option<PathBuf>,
    /// Changed files larger than this many bytes are skipped.
    pub max_blob_bytes: u64,
    /// When a scan reads the object store directly ([`history`]) instead of walking commits
    /// through libgit2 (same findings either way).
    pub store: StoreUse,
}

/// When a scan reads the object store instead of walking commits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreUse {
    /// Always walk commits (`DEVK_SCAN_WALK=1`).
    Never,
    /// Whole-history scans, and ranges long enough that one pass over every object costs less
    /// than walking their commits ([`store_is_cheaper`]).
    Auto,
    /// Whenever the store is one devk can read.
    Always,
}

/// Whether one pass over a store of `objects` objects likely costs less than walking `commits`
/// commits: measured on the benchmark repository, about 0.6 ms a commit for the walker and
/// 4 µs an object for a store pass (BENCHMARKS.md, "Pre-push hook").
pub fn store_is_cheaper(commits: usize, objects: u64) -> bool {
    commits as u64 * 150 > objects
}

impl Default for ScanSettings {
    fn default() -> Self {
        ScanSettings {
            custom_patterns: Vec::new(),
            extra_rules: Vec::new(),
            baseline: None,
            max_blob_bytes: 1 << 20,
            store: StoreUse::Auto,
        }
    }
}

/// What the pre-push hook was given: git's `$1`, `$2` and stdin.
#[derive(Debug, Clone)]
pub struct PrePushInput<'a> {
    pub remote: &'a str,
    pub url: &'a str,
    pub stdin: &'a str,
}

/// The result of a pre-push run.
#[derive(Debug)]
pub struct PrePushOutcome {
    pub result: ScanResult,
    /// Pushed refs whose object is not a commit, left unscanned.
    pub unscannable: Vec<String>,
    /// The last-scan record could not be written (the push is not stopped for that).
    pub record_error: Option<HookError>,
}

/// Runs the pre-push check in the repository git runs the hook for (`$GIT_DIR`, or the
/// current directory). Writes `<git common dir>/devk/last-scan.json` whatever the outcome.
pub fn pre_push(
    input: &PrePushInput<'_>,
    settings: &ScanSettings,
) -> Result<PrePushOutcome, HookError> {
    let started = Instant::now();
    let repo = Repository::open_from_env().map_err(|_| {
        HookError::NotARepo(std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")))
    })?;
    let lines = refs::parse_push_lines(input.stdin);
    let run = lines.as_ref().map_err(clone_error).and_then(|lines| {
        let plan = refs::plan(&repo, input.remote, input.url, lines)?;
        let result = run_scan(&repo, &plan.tips, &plan.hides, false, settings)?;
        Ok((result, plan.unscannable))
    });
    let record = LastScan {
        version: report::LAST_SCAN_VERSION,
        finished_at: jiff::Timestamp::now().to_string(),
        remote: report::redact_url(input.remote),
        url: report::redact_url(input.url),
        refs: lines
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .map(|l| report::PushedRef {
                local_ref: l.local_ref.clone(),
                remote_ref: l.remote_ref.clone(),
                kind: l.kind(),
            })
            .collect(),
        outcome: match &run {
            Ok((r, _)) if r.findings.is_empty() => Outcome::Clean,
            Ok(_) => Outcome::Blocked,
            Err(_) => Outcome::Error,
        },
        error: run.as_ref().err().map(ToString::to_string),
        stats: run
            .as_ref()
            .map(|(r, _)| r.stats.clone())
            .unwrap_or_default(),
        findings: run
            .as_ref()
            .map(|(r, _)| r.findings.clone())
            .unwrap_or_default(),
        duration_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    };
    let record_error = report::write_last_scan(repo.commondir(), &record).err();
    let (result, unscannable) = run?;
    Ok(PrePushOutcome {
        result,
        unscannable,
        record_error,
    })
}

/// `HookError` is not `Clone` (it wraps io and git2 errors); the parse error it clones here is
/// always `BadInput`.
fn clone_error(e: &HookError) -> HookError {
    match e {
        HookError::BadInput { line, problem } => HookError::BadInput {
            line: *line,
            problem: problem.clone(),
        },
        other => HookError::Internal(other.to_string()),
    }
}

/// Which commits `devk scan` looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanTarget {
    /// The commits of HEAD that no remote-tracking ref has: what the next push would send.
    Unpushed,
    /// Every commit reachable from any ref or HEAD.
    AllHistory,
    /// A revision (`v1.2`: its whole history) or a range (`A..B`, `A...B`).
    Range(String),
}

/// Scans the repository containing `repo_dir` by hand (`devk scan`).
pub fn scan(
    repo_dir: &Path,
    target: &ScanTarget,
    settings: &ScanSettings,
) -> Result<ScanResult, HookError> {
    let repo =
        Repository::discover(repo_dir).map_err(|_| HookError::NotARepo(repo_dir.to_path_buf()))?;
    let (tips, hides) = match target {
        ScanTarget::Unpushed => {
            let head = match repo.head() {
                Ok(h) => h.peel_to_commit()?.id(),
                // An unborn branch has nothing to push.
                Err(_) => return Ok(ScanResult::default()),
            };
            (vec![head], ref_commits(&repo, "refs/remotes/")?)
        }
        ScanTarget::AllHistory => {
            let mut tips = ref_commits(&repo, "refs/")?;
            if let Ok(head) = repo.head().and_then(|h| h.peel_to_commit()) {
                tips.push(head.id());
            }
            (tips, Vec::new())
        }
        ScanTarget::Range(spec) => range(&repo, spec)?,
    };
    run_scan(
        &repo,
        &tips,
        &hides,
        *target == ScanTarget::AllHistory,
        settings,
    )
}

/// Scans the commits reachable from `tips` and from none of `hides`, from the object store or
/// by walking them, as `settings.store` and their number decide.
fn run_scan(
    repo: &Repository,
    tips: &[Oid],
    hides: &[Oid],
    all_history: bool,
    settings: &ScanSettings,
) -> Result<ScanResult, HookError> {
    if tips.is_empty() {
        return Ok(ScanResult::default());
    }
    let (rules, allow) = rules_and_allowlist(repo, settings)?;
    let scanner = scanner(&rules, &allow, settings);
    let mut walked = None;
    let try_store = match settings.store {
        StoreUse::Never => false,
        StoreUse::Always => true,
        StoreUse::Auto if all_history => true,
        StoreUse::Auto => {
            let commits = walk::commits_between(repo, tips, hides)?;
            let objects = crate::gitobjects::packed_objects(&repo.commondir().join("objects"));
            let cheaper = store_is_cheaper(commits.len(), objects);
            walked = Some(commits);
            cheaper
        }
    };
    if try_store && let Some(result) = history::scan_from_store(repo, tips, hides, &scanner)? {
        return Ok(result);
    }
    let commits = match walked {
        Some(commits) => commits,
        None => walk::commits_between(repo, tips, hides)?,
    };
    scanner.scan(repo, &commits)
}

/// The commits that refs under `prefix` point at (tags peeled).
fn ref_commits(repo: &Repository, prefix: &str) -> Result<Vec<Oid>, HookError> {
    let mut out = Vec::new();
    for reference in repo.references()?.flatten() {
        if reference.name_bytes().starts_with(prefix.as_bytes())
            && let Ok(commit) = reference.peel_to_commit()
            && !out.contains(&commit.id())
        {
            out.push(commit.id());
        }
    }
    Ok(out)
}

fn range(repo: &Repository, spec: &str) -> Result<(Vec<Oid>, Vec<Oid>), HookError> {
    let bad = |e: git2::Error| HookError::BadRange {
        spec: spec.to_owned(),
        problem: e.message().to_owned(),
    };
    let parsed = repo.revparse(spec).map_err(bad)?;
    let commit = |o: Option<&git2::Object<'_>>| -> Result<Option<Oid>, HookError> {
        o.map(|o| o.peel_to_commit().map(|c| c.id()).map_err(bad))
            .transpose()
    };
    let from = commit(parsed.from())?;
    let to = commit(parsed.to())?;
    let mode = parsed.mode();
    if mode.contains(git2::RevparseMode::MERGE_BASE) {
        let (Some(a), Some(b)) = (from, to) else {
            return Err(HookError::BadRange {
                spec: spec.to_owned(),
                problem: "both sides of `...` are needed".to_owned(),
            });
        };
        let base = repo.merge_base(a, b).map_err(bad)?;
        Ok((vec![a, b], vec![base]))
    } else if mode.contains(git2::RevparseMode::RANGE) {
        // `A..` means `A..HEAD`, as in git.
        let to = match to {
            Some(t) => t,
            None => repo.head()?.peel_to_commit()?.id(),
        };
        Ok((vec![to], from.into_iter().collect()))
    } else {
        Ok((from.into_iter().collect(), Vec::new()))
    }
}

fn rules_and_allowlist(
    repo: &Repository,
    settings: &ScanSettings,
) -> Result<(rules::Rules, rules::Allowlist), HookError> {
    Ok((
        rules::Rules::with_extra(&settings.custom_patterns, &settings.extra_rules)?,
        load_allowlist(repo, settings)?,
    ))
}

fn scanner<'a>(
    rules: &'a rules::Rules,
    allow: &'a rules::Allowlist,
    settings: &ScanSettings,
) -> walk::Scanner<'a> {
    walk::Scanner {
        rules,
        allow,
        max_blob_bytes: settings.max_blob_bytes,
    }
}

/// `.devkignore` at the root of the work tree (none for a bare repository), and the baseline.
fn load_allowlist(
    repo: &Repository,
    settings: &ScanSettings,
) -> Result<rules::Allowlist, HookError> {
    let mut list = rules::Allowlist::default();
    if let Some(workdir) = repo.workdir() {
        let path = workdir.join(IGNORE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(text) => list = rules::Allowlist::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(HookError::Io { path, source }),
        }
    }
    if let Some(path) = baseline::location(repo.workdir(), settings.baseline.as_deref())
        && let Some(b) = baseline::Baseline::load(&path)?
    {
        list = list.with_baseline(b.allowed());
    }
    Ok(list)
}

/// Records `findings` in the baseline of the repository containing `repo_dir` (`explicit`, or
/// `.devk-baseline.json` at its root), creating it if needed. Returns the file and the findings
/// that were not in it yet.
pub fn update_baseline(
    repo_dir: &Path,
    explicit: Option<&Path>,
    findings: &[Finding],
) -> Result<(PathBuf, Vec<Finding>), HookError> {
    let repo =
        Repository::discover(repo_dir).map_err(|_| HookError::NotARepo(repo_dir.to_path_buf()))?;
    let Some(path) = baseline::location(repo.workdir(), explicit) else {
        return Err(HookError::Refused(
            "a bare repository has no work tree for the baseline; name a file with --baseline"
                .to_owned(),
        ));
    };
    let mut b = baseline::Baseline::load(&path)?.unwrap_or(baseline::Baseline {
        version: baseline::BASELINE_VERSION,
        entries: Vec::new(),
    });
    let added = b.add(findings);
    b.save(&path)?;
    Ok((path, added))
}

/// The record of the last pre-push run in the repository containing `repo_dir`, for the TUI.
/// `None` when the hook has not run there yet.
pub fn last_scan(repo_dir: &Path) -> Result<Option<LastScan>, HookError> {
    let repo =
        Repository::discover(repo_dir).map_err(|_| HookError::NotARepo(repo_dir.to_path_buf()))?;
    report::read_last_scan(repo.commondir())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_store_is_read_for_long_ranges_and_whole_small_repositories() {
        use super::store_is_cheaper;
        // The benchmark repository: 74,556 objects.
        assert!(!store_is_cheaper(20, 74_556));
        assert!(store_is_cheaper(5_000, 74_556));
        assert!(store_is_cheaper(3, 9));
        assert!(!store_is_cheaper(0, 0));
    }
}
