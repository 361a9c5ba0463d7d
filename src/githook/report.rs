//! What a scan tells the user: findings (masked), the advice that goes with a blocked push,
//! and the record of the last hook run that the TUI reads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::HookError;
use super::refs::PushKind;
use super::walk::ScanStats;

/// One secret found. Holds no secret: the value is masked and fingerprinted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Full id of the commit that added the line.
    pub commit: String,
    /// The file, as in the commit's tree.
    pub path: String,
    /// 1-based line number in the commit's version of the file.
    pub line: usize,
    /// Rule name (`aws-access-key-id`, ..., `custom-N`).
    pub rule: String,
    /// The matched value with only its first 4 characters visible.
    pub masked: String,
    /// What to list in `.devkignore` to allow this value.
    pub fingerprint: String,
}

/// How the last hook run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Nothing found: the push went on.
    Clean,
    /// Secrets found: the push was stopped.
    Blocked,
    /// The scan could not run: the push was stopped (the hook fails closed).
    Error,
}

/// One ref of the push, as git announced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushedRef {
    pub local_ref: String,
    pub remote_ref: String,
    pub kind: PushKind,
}

/// The record of the last pre-push run, at `<git common dir>/devk/last-scan.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastScan {
    /// Format version of this file.
    pub version: u32,
    /// When the scan finished (RFC 3339, UTC).
    pub finished_at: String,
    /// The remote's name (or URL when pushing to a URL).
    pub remote: String,
    /// The remote's URL, with any password in it replaced by `***`.
    pub url: String,
    pub refs: Vec<PushedRef>,
    pub outcome: Outcome,
    /// Why the scan could not run (outcome `error`).
    pub error: Option<String>,
    pub stats: ScanStats,
    pub findings: Vec<Finding>,
    pub duration_ms: u64,
}

/// The file format version written now.
pub const LAST_SCAN_VERSION: u32 = 1;

/// Where the last-scan record of the repository with common git dir `common_dir` lives.
pub fn last_scan_path(common_dir: &Path) -> PathBuf {
    common_dir.join("devk").join("last-scan.json")
}

/// Writes the record atomically, private to the user.
pub fn write_last_scan(common_dir: &Path, scan: &LastScan) -> Result<(), HookError> {
    let path = last_scan_path(common_dir);
    let mut text = serde_json::to_string_pretty(scan)
        .map_err(|e| HookError::Internal(format!("cannot encode the last scan: {e}")))?;
    text.push('\n');
    crate::fsutil::atomic_write(&path, text.as_bytes(), crate::fsutil::PRIVATE_MODE)
        .map_err(|source| HookError::Io { path, source })
}

/// Reads the record; `None` when no hook run has written one yet.
pub fn read_last_scan(common_dir: &Path) -> Result<Option<LastScan>, HookError> {
    let path = last_scan_path(common_dir);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(HookError::Io { path, source }),
    };
    serde_json::from_str(&text).map(Some).map_err(|e| {
        HookError::Internal(format!("{} is not a devk scan record: {e}", path.display()))
    })
}

/// `url` without a password: `https://user:secret@host/x` becomes `https://user:***@host/x`.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    let userinfo = &rest[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    let masked = if userinfo.contains(':') {
        format!("{user}:***")
    } else {
        // A lone token as the user name (https://TOKEN@host) is a credential too.
        "***".to_owned()
    };
    format!("{}{masked}{}", &url[..scheme_end + 3], &rest[at..])
}

/// At most this many findings are listed; the rest are counted.
const MAX_LISTED: usize = 50;

/// The findings as text, two lines each: where, then what.
pub fn render_findings(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings.iter().take(MAX_LISTED) {
        let short = &f.commit[..f.commit.len().min(10)];
        let _ = writeln!(out, "  {short}  {}:{}", f.path, f.line);
        let _ = writeln!(
            out,
            "      {:<22} {}   fingerprint {}",
            f.rule, f.masked, f.fingerprint
        );
    }
    if findings.len() > MAX_LISTED {
        let _ = writeln!(out, "  ... and {} more", findings.len() - MAX_LISTED);
    }
    out
}

/// What to do about findings. `first_commit` (the oldest commit with a finding) makes the
/// rebase advice concrete; `in_hook` adds the one-off bypass.
pub fn advice(first_commit: Option<&str>, in_hook: bool) -> String {
    let rebase = first_commit.map_or_else(
        || "<oldest commit with a secret>^".to_owned(),
        |c| format!("{}^", &c[..c.len().min(10)]),
    );
    let mut out = format!(
        "A secret stays in history even when a later commit deletes it, so take it out of the\n\
         commit that added it:\n\
         \x20 - added in the last commit: remove it from the file, `git add` it, `git commit --amend`\n\
         \x20 - added in an earlier commit: `git rebase -i {rebase}`, mark that commit `edit`,\n\
         \x20   remove the secret, `git commit --amend`, `git rebase --continue`\n\
         Then rotate the key anyway and treat the old one as leaked (AWS: deactivate the access\n\
         key in IAM and create a new one).\n\
         A false positive? Either\n\
         \x20 - add `devk:allow` in a comment on that line, or\n\
         \x20 - add its fingerprint to .devkignore at the repository root (one per line), or\n\
         \x20 - record what is there now in the baseline: devk scan --all-history --update-baseline\n",
    );
    if in_hook {
        out.push_str("To push once without this check: git push --no-verify\n");
    }
    out
}

/// The report of a blocked push or a scan with findings.
pub fn render_blocked(findings: &[Finding], commits: usize, target: &str, in_hook: bool) -> String {
    let secrets = plural(findings.len(), "secret", "secrets");
    let commits = plural(commits, "commit", "commits");
    let mut out = if in_hook {
        format!("devk: push to {target} blocked: {secrets} in the {commits} being pushed\n\n")
    } else {
        format!("devk: {secrets} in {commits} ({target})\n\n")
    };
    out.push_str(&render_findings(findings));
    out.push('\n');
    out.push_str(&advice(
        findings.first().map(|f| f.commit.as_str()),
        in_hook,
    ));
    out
}

/// The report of a commit stopped by the pre-commit hook.
pub fn render_staged_blocked(findings: &[Finding]) -> String {
    let mut out = format!(
        "devk: commit blocked: {} in the staged changes\n\n",
        plural(findings.len(), "secret", "secrets")
    );
    out.push_str(&render_findings(findings));
    out.push_str(
        "\nTake it out of the file and stage the file again (`git add FILE`), or unstage the file\n\
         (`git restore --staged FILE`). If the key was ever used, rotate it anyway.\n\
         A false positive? Add `devk:allow` in a comment on that line, or its fingerprint to\n\
         .devkignore at the repository root.\n\
         To commit once without this check: git commit --no-verify\n",
    );
    out
}

pub fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::password(
        "https://dev:hunter2@git.example.com/r.git",
        "https://dev:***@git.example.com/r.git"
    )]
    #[case::token_user("https://ghp_abc@github.com/o/r", "https://***@github.com/o/r")]
    #[case::ssh_user("ssh://git@host/r", "ssh://***@host/r")]
    #[case::scp_like("git@github.com:o/r.git", "git@github.com:o/r.git")]
    #[case::path("/tmp/remote.git", "/tmp/remote.git")]
    #[case::at_in_path("https://host/a@b", "https://host/a@b")]
    fn url_passwords_are_redacted(#[case] url: &str, #[case] want: &str) {
        assert_eq!(redact_url(url), want);
    }

    fn finding(n: usize) -> Finding {
        Finding {
            commit: format!("{n:040}"),
            path: "conf/app.env".into(),
            line: n,
            rule: "aws-access-key-id".into(),
            masked: "AKIA****************".into(),
            fingerprint: "aws-access-key-id:0011223344556677".into(),
        }
    }

    #[test]
    fn blocked_report_names_file_rule_and_advice() {
        let text = render_blocked(&[finding(3)], 2, "origin", true);
        assert!(
            text.starts_with(
                "devk: push to origin blocked: 1 secret in the 2 commits being pushed"
            ),
            "{text}"
        );
        assert!(text.contains("  0000000000  conf/app.env:3\n"), "{text}");
        assert!(
            text.contains("aws-access-key-id      AKIA****************"),
            "{text}"
        );
        assert!(text.contains("git commit --amend"));
        assert!(text.contains("`git rebase -i 0000000000^`"), "{text}");
        assert!(text.contains("rotate the key"));
        assert!(text.contains(".devkignore"));
        assert!(text.contains("git push --no-verify"));
        assert!(!render_blocked(&[finding(3)], 1, "HEAD", false).contains("--no-verify"));
    }

    #[test]
    fn long_lists_are_cut() {
        let many: Vec<Finding> = (1..=60).map(finding).collect();
        let text = render_findings(&many);
        assert!(text.ends_with("  ... and 10 more\n"), "{text}");
    }

    #[test]
    fn last_scan_round_trips_atomically() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_last_scan(dir.path()).unwrap(), None);
        let scan = LastScan {
            version: LAST_SCAN_VERSION,
            finished_at: "2026-01-01T00:00:00Z".into(),
            remote: "origin".into(),
            url: "/tmp/r.git".into(),
            refs: vec![PushedRef {
                local_ref: "refs/heads/main".into(),
                remote_ref: "refs/heads/main".into(),
                kind: PushKind::Update,
            }],
            outcome: Outcome::Blocked,
            error: None,
            stats: ScanStats::default(),
            findings: vec![finding(1)],
            duration_ms: 4,
        };
        write_last_scan(dir.path(), &scan).unwrap();
        assert_eq!(read_last_scan(dir.path()).unwrap(), Some(scan));
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(last_scan_path(dir.path()))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
