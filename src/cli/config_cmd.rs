//! `devk config check`: validate every config layer and show where each value comes from.

use super::output::out;
use super::{Failure, Globals};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Validate the config files and DEVK_* variables; print what was loaded from where.
    Check,
    /// Print the built-in default config (a commented starting point for your own file).
    Defaults,
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    match args.action {
        Action::Check => {
            let loaded = g.config()?;
            out(&loaded.render_check_report())
        }
        Action::Defaults => out(crate::config::DEFAULT_CONFIG),
    }
}
