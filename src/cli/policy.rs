//! `devk policy explain REF`: the push decision for an image reference, with its rule, why,
//! and what to do instead. Exits 0 when a push would be allowed here and 6 (refused) when not,
//! so scripts and CI jobs can ask before pushing. Reads the config and the environment only.

use super::output::out;
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::policy::{Env, PushDecision, PushRules, decide_push_str};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Print the push decision and its rule for an image reference (exit 0 allowed, 6 refused).
    Explain(ExplainArgs),
}

#[derive(Debug, clap::Args)]
pub struct ExplainArgs {
    /// The image reference, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.
    #[arg(value_name = "REF")]
    pub reference: String,
    /// Another tag of the same image ID (repeatable): a push is refused when any tag of the
    /// image is in a CI-only registry.
    #[arg(long = "other-tag", value_name = "REF")]
    pub other_tags: Vec<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

pub use super::output::TextOrJson as Format;

/// Push rules from `[policy]` in the loaded config.
pub fn push_rules(g: &Globals) -> Result<PushRules, Failure> {
    let cfg = g.config()?.config;
    // The config check has already rejected unknown CI system names with their origin.
    PushRules::new(&cfg.policy.ci_only_registries, &cfg.policy.ci_systems)
        .map_err(|e| Failure::new(Exit::Config, e))
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let Action::Explain(args) = args.action;
    let rules = push_rules(g)?;
    let decision = decide_push_str(
        &args.reference,
        &args.other_tags,
        &Env::from_process(),
        &rules,
    )
    .map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let text = match args.output {
        Format::Text => text(&decision),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&decision)
                .map_err(|e| Failure::new(Exit::Failure, e.to_string()))?;
            s.push('\n');
            s
        }
    };
    out(&text)?;
    if decision.allowed {
        Ok(())
    } else {
        // The explanation is the result, already on stdout; the exit code says "refused".
        Err(Failure::new(Exit::Refused, ""))
    }
}

/// The text form: verdict, rule, why and (when refused) what to do instead.
pub fn text(d: &PushDecision) -> String {
    let verdict = if d.allowed { "allowed" } else { "refused" };
    let mut s = format!(
        "push of {}: {verdict}\nrule:    {} ({})\nwhy:     {}\n",
        d.reference, d.rule, d.rule_summary, d.why
    );
    if !d.advice.is_empty() {
        s.push_str(&format!("instead: {}\n", d.advice));
    }
    s
}
