//! `devk hook`: install, remove and inspect the pre-push (and pre-commit) hook, and
//! `devk hook pre-push` / `devk hook pre-commit`, which the hooks run. Those paths load the
//! config and scan; they start nothing else.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::output::{note, out};
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::githook::{
    self, HookError, HookKind, HookState, HookStatus, InstallAction, LastScan, Outcome,
    PrePushInput, ScanSettings, StoreUse, report,
};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Install the pre-push hook (a hook already there is kept and run first).
    Install(InstallArgs),
    /// Remove devk's pre-push hook and put back the hook it ran first.
    Uninstall(UninstallArgs),
    /// Show which pre-push hook is installed and how the last push check ended.
    Status(StatusArgs),
    /// Run by the hook on `git push`: scans what is about to be pushed (git's ref lines on
    /// stdin). Exits 1 when it finds a secret, which stops the push.
    #[command(name = "pre-push")]
    PrePush(PrePushArgs),
    /// Run by the pre-commit hook (`install --pre-commit`): scans the staged changes. Exits 1
    /// when it finds a secret, which stops the commit.
    #[command(name = "pre-commit")]
    PreCommit,
}

#[derive(Debug, clap::Args)]
pub struct RepoArgs {
    /// The repository (any directory inside it).
    #[arg(long, value_name = "DIR", default_value = ".", value_hint = clap::ValueHint::DirPath)]
    pub repo: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct InstallArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Chain the current hook even though a hook chained by an earlier install is still there
    /// (that one is moved to pre-push.devk-chained.old).
    #[arg(long)]
    pub force: bool,
    /// Install the pre-commit hook instead: it scans the staged changes before each commit.
    #[arg(long)]
    pub pre_commit: bool,
}

#[derive(Debug, clap::Args)]
pub struct UninstallArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Remove the pre-commit hook instead.
    #[arg(long)]
    pub pre_commit: bool,
}

fn kind(pre_commit: bool) -> HookKind {
    if pre_commit {
        HookKind::PreCommit
    } else {
        HookKind::PrePush
    }
}

#[derive(Debug, clap::Args)]
pub struct StatusArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Print JSON: the hook's state and the last scan record.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, clap::Args)]
pub struct PrePushArgs {
    /// The remote's name (or its URL when pushing to a URL): git's $1.
    pub remote: String,
    /// The remote's URL: git's $2.
    #[arg(default_value = "")]
    pub url: String,
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    match args.action {
        Action::Install(a) => install(&a),
        Action::Uninstall(a) => uninstall(&a.repo.repo, kind(a.pre_commit)),
        Action::Status(a) => status(&a),
        Action::PrePush(a) => pre_push(&a, g),
        Action::PreCommit => pre_commit(g),
    }
}

pub(super) fn fail(e: HookError) -> Failure {
    Failure::new(e.exit(), e.to_string())
}

/// The `[hook]` settings from the layered config.
pub(super) fn settings(g: &Globals) -> Result<ScanSettings, Failure> {
    let config = g.config()?.config;
    Ok(ScanSettings {
        custom_patterns: config.hook.custom_patterns,
        extra_rules: config.hook.extra_rules,
        baseline: None,
        max_blob_bytes: config.hook.max_blob_bytes,
        // An escape hatch (and the benchmark's control): walk history through libgit2.
        store: if std::env::var("DEVK_SCAN_WALK").is_ok_and(|v| v == "1") {
            StoreUse::Never
        } else {
            StoreUse::Auto
        },
    })
}

fn install(a: &InstallArgs) -> Result<(), Failure> {
    let bin = std::env::current_exe()
        .map_err(|e| Failure::new(Exit::Io, format!("cannot tell where devk itself is: {e}")))?;
    let kind = kind(a.pre_commit);
    let report = githook::install_hook(kind, &a.repo.repo, &bin, a.force).map_err(fail)?;
    let hook = report.location.hook_for(kind);
    let name = kind.file_name();
    let mut text = match report.action {
        InstallAction::Installed => format!("installed the {name} hook at {}\n", hook.display()),
        InstallAction::Chained => format!(
            "installed the {name} hook at {}; the hook that was there runs first\n",
            hook.display()
        ),
        InstallAction::Updated => format!("updated the {name} hook at {}\n", hook.display()),
        InstallAction::Unchanged => {
            format!("the {name} hook at {} is up to date\n", hook.display())
        }
    };
    if let Some(chained) = &report.chained {
        text.push_str(&format!("  runs first: {}\n", chained.display()));
    }
    if let Some(aside) = &report.moved_aside {
        text.push_str(&format!(
            "  moved the previously chained hook to {}\n",
            aside.display()
        ));
    }
    if let Some(hooks_path) = &report.location.hooks_path {
        text.push_str(&format!(
            "  (core.hooksPath = {hooks_path}: every repository using that directory gets the hook)\n"
        ));
    }
    out(&text)
}

fn uninstall(repo: &Path, kind: HookKind) -> Result<(), Failure> {
    let report = githook::uninstall_hook(kind, repo).map_err(fail)?;
    let hook = report.location.hook_for(kind);
    let name = kind.file_name();
    let text = match (report.removed, &report.restored) {
        (true, Some(_)) => format!(
            "removed devk's {name} hook; the previous hook is back at {}\n",
            hook.display()
        ),
        (true, None) => format!("removed devk's {name} hook from {}\n", hook.display()),
        (false, Some(_)) => format!(
            "devk's hook was not there; put the chained hook back at {}\n",
            hook.display()
        ),
        (false, None) => format!("no {name} hook at {}; nothing to do\n", hook.display()),
    };
    out(&text)
}

fn status(a: &StatusArgs) -> Result<(), Failure> {
    let status = githook::status(&a.repo.repo).map_err(fail)?;
    let pre_commit = githook::status_of(HookKind::PreCommit, &a.repo.repo).map_err(fail)?;
    // A damaged record should not hide the hook's state.
    let last = githook::last_scan(&a.repo.repo).ok().flatten();
    if a.json {
        let value = serde_json::json!({
            "hook": status,
            "pre_commit": pre_commit,
            "last_scan": last,
        });
        return out(&format!("{value:#}\n"));
    }
    let mut text = render_status(&status, last.as_ref());
    let line = match &pre_commit.state {
        HookState::Missing => "not installed (`devk hook install --pre-commit` adds it)".to_owned(),
        HookState::Foreign => "another hook, not devk's".to_owned(),
        HookState::Devk { executable, .. } if !executable => {
            "devk's hook, NOT executable: git skips it (run `devk hook install --pre-commit`)"
                .to_owned()
        }
        HookState::Devk { .. } => "devk's hook: staged changes are scanned".to_owned(),
    };
    text.push_str(&format!("pre-commit {line}\n"));
    out(&text)
}

fn pre_commit(g: &Globals) -> Result<(), Failure> {
    let closed = |f: Failure| {
        Failure::new(
            f.exit,
            format!(
                "{}\nThe commit was stopped: the hook fails closed when it cannot check. Fix the \
                 problem above, or commit once without the check: git commit --no-verify",
                f.message
            ),
        )
    };
    let settings = settings(g).map_err(closed)?;
    let result = githook::staged::pre_commit(&settings).map_err(|e| closed(fail(e)))?;
    if result.findings.is_empty() {
        return Ok(());
    }
    note(report::render_staged_blocked(&result.findings).trim_end());
    Err(Failure::new(Exit::Failure, ""))
}

fn render_status(s: &HookStatus, last: Option<&LastScan>) -> String {
    let mut text = format!("hooks dir  {}", s.location.dir.display());
    match &s.location.hooks_path {
        Some(v) => text.push_str(&format!("  (core.hooksPath = {v})\n")),
        None => text.push('\n'),
    }
    let hook = match &s.state {
        HookState::Missing => "not installed (run `devk hook install`)".to_owned(),
        HookState::Foreign => {
            "another hook, not devk's (`devk hook install` keeps it and runs it first)".to_owned()
        }
        HookState::Devk {
            version,
            current,
            executable,
            devk_bin,
        } => {
            let mut t = format!("devk's hook (v{version})");
            if !current {
                t.push_str(", outdated: run `devk hook install` to update it");
            }
            if !executable {
                t.push_str(", NOT executable: git skips it (run `devk hook install`)");
            }
            if let Some(bin) = devk_bin {
                t.push_str(&format!("; devk at {bin} when not on PATH"));
            }
            t
        }
    };
    text.push_str(&format!("pre-push   {hook}\n"));
    if let Some(chained) = &s.chained {
        text.push_str(&format!("runs first {}\n", chained.display()));
    }
    match last {
        None => text.push_str("last scan  none yet\n"),
        Some(l) => {
            let what = match l.outcome {
                Outcome::Clean => "clean".to_owned(),
                Outcome::Blocked => format!(
                    "blocked, {}",
                    report::plural(l.findings.len(), "secret", "secrets")
                ),
                Outcome::Error => format!(
                    "failed ({}), push stopped",
                    l.error.as_deref().unwrap_or("unknown error")
                ),
            };
            text.push_str(&format!(
                "last scan  {}: push to {}: {what} ({} scanned)\n",
                l.finished_at,
                l.remote,
                report::plural(l.stats.commits, "commit", "commits")
            ));
        }
    }
    text
}

fn pre_push(a: &PrePushArgs, g: &Globals) -> Result<(), Failure> {
    let closed = |f: Failure| {
        Failure::new(
            f.exit,
            format!(
                "{}\nThe push was stopped: the hook fails closed when it cannot check. Fix the \
                 problem above, or push once without the check: git push --no-verify",
                f.message
            ),
        )
    };
    let settings = settings(g).map_err(closed)?;
    let mut stdin = String::new();
    std::io::stdin().read_to_string(&mut stdin).map_err(|e| {
        closed(Failure::new(
            Exit::Io,
            format!("cannot read git's input: {e}"),
        ))
    })?;
    let input = PrePushInput {
        remote: &a.remote,
        url: &a.url,
        stdin: &stdin,
    };
    let outcome = githook::pre_push(&input, &settings).map_err(|e| closed(fail(e)))?;
    if let Some(e) = &outcome.record_error {
        note(&format!("devk: could not record this scan: {e}"));
    }
    for r in &outcome.unscannable {
        note(&format!(
            "devk: {r} does not point at a commit; it was not scanned"
        ));
    }
    let remote = report::redact_url(&a.remote);
    let result = &outcome.result;
    if result.findings.is_empty() {
        note(&format!(
            "devk: no secrets in {} pushed to {remote}",
            report::plural(result.stats.commits, "new commit", "new commits")
        ));
        return Ok(());
    }
    note(report::render_blocked(&result.findings, result.stats.commits, &remote, true).trim_end());
    Err(Failure::new(Exit::Failure, ""))
}
