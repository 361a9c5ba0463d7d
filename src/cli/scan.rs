//! `devk scan`: the pre-push scanner run by hand, on what the next push would send, on a
//! revision range, or on the whole history.

use std::path::PathBuf;

use super::hook::{fail, settings};
use super::output::out;
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::githook::{self, ScanTarget, report};

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
    /// Print JSON: the counts and the findings (masked).
    #[arg(long)]
    pub json: bool,
}

/// Exits 0 when nothing is found, 1 when a secret is found (as the hook does).
pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let settings = settings(g)?;
    let (target, label) = match (&args.range, args.all_history) {
        (Some(r), _) => (ScanTarget::Range(r.clone()), r.clone()),
        (None, true) => (ScanTarget::AllHistory, "all history".to_owned()),
        (None, false) => (ScanTarget::Unpushed, "not yet pushed".to_owned()),
    };
    let result = githook::scan(&args.repo, &target, &settings).map_err(fail)?;
    let found = !result.findings.is_empty();
    if args.json {
        let value = serde_json::json!({
            "target": label,
            "stats": result.stats,
            "findings": result.findings,
        });
        out(&format!("{value:#}\n"))?;
    } else if found {
        out(&report::render_blocked(
            &result.findings,
            result.stats.commits,
            &label,
            false,
        ))?;
    } else {
        out(&format!(
            "devk: no secrets in {} ({label})\n",
            report::plural(result.stats.commits, "commit", "commits")
        ))?;
    }
    if found {
        return Err(Failure::new(Exit::Failure, ""));
    }
    Ok(())
}
