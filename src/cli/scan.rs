//! `devk scan`: the pre-push scanner run by hand, on what the next push would send, on a
//! revision range, or on the whole history; text, JSON or SARIF; with a baseline.

use std::path::PathBuf;

use super::hook::{fail, settings};
use super::output::out;
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::githook::{self, ScanTarget, report};

/// How `devk scan` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ScanFormat {
    Text,
    /// The counts and the findings (masked).
    Json,
    /// SARIF 2.1.0, for code scanning (GitHub, GitLab, Azure DevOps).
    Sarif,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scan every commit reachable from any ref.
    #[arg(long, conflicts_with = "range")]
    pub all_history: bool,
    /// A revision (its whole history) or a range such as `main..topic` or `v1.0..`. Without
    /// one (and without --all-history): the commits of HEAD on no remote-tracking ref, which is
    /// what the next push would send.
    #[arg(value_name = "REV_RANGE")]
    pub range: Option<String>,
    /// The repository (any directory inside it).
    #[arg(long, value_name = "DIR", default_value = ".", value_hint = clap::ValueHint::DirPath)]
    pub repo: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "text", conflicts_with = "json")]
    pub format: ScanFormat,
    /// Same as --format json.
    #[arg(long)]
    pub json: bool,
    /// The baseline file (default: .devk-baseline.json at the repository root, when there is
    /// one). Findings it lists at their path are allowed.
    #[arg(long, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub baseline: Option<PathBuf>,
    /// Record this scan's findings in the baseline (created if needed), list them once, and
    /// exit 0: later scans and hooks allow them.
    #[arg(long)]
    pub update_baseline: bool,
}

/// Exits 0 when nothing is found, 1 when a secret is found (as the hook does).
pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let mut settings = settings(g)?;
    settings.baseline = args.baseline.clone();
    let format = if args.json {
        ScanFormat::Json
    } else {
        args.format
    };
    let (target, label) = match (&args.range, args.all_history) {
        (Some(r), _) => (ScanTarget::Range(r.clone()), r.clone()),
        (None, true) => (ScanTarget::AllHistory, "all history".to_owned()),
        (None, false) => (ScanTarget::Unpushed, "not yet pushed".to_owned()),
    };
    let result = githook::scan(&args.repo, &target, &settings).map_err(fail)?;
    if args.update_baseline {
        let (path, added) =
            githook::update_baseline(&args.repo, args.baseline.as_deref(), &result.findings)
                .map_err(fail)?;
        let mut text = format!(
            "devk: recorded {} in {} ({label}); later scans and hooks allow {}\n",
            report::plural(added.len(), "new finding", "new findings"),
            path.display(),
            if added.len() == 1 { "it" } else { "them" }
        );
        text.push_str(&report::render_findings(&added));
        return out(&text);
    }
    let found = !result.findings.is_empty();
    match format {
        ScanFormat::Json => {
            let value = serde_json::json!({
                "target": label,
                "stats": result.stats,
                "findings": result.findings,
            });
            out(&format!("{value:#}\n"))?;
        }
        ScanFormat::Sarif => {
            out(&format!("{:#}\n", githook::sarif::render(&result.findings)))?;
        }
        ScanFormat::Text if found => out(&report::render_blocked(
            &result.findings,
            result.stats.commits,
            &label,
            false,
        ))?,
        ScanFormat::Text => out(&format!(
            "devk: no secrets in {} ({label}){}\n",
            report::plural(result.stats.commits, "commit", "commits"),
            if result.stats.baselined > 0 {
                format!(
                    "; {} allowed by the baseline",
                    report::plural(result.stats.baselined, "finding", "findings")
                )
            } else {
                String::new()
            }
        ))?,
    }
    if found {
        return Err(Failure::new(Exit::Failure, ""));
    }
    Ok(())
}
