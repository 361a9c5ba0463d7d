//! `devk` / `devk ui`: the terminal UI.

use std::io::IsTerminal;

use super::{Failure, Globals};
use crate::exit::Exit;
use crate::tui::runtime::Until;
use crate::tui::{TuiOptions, run_tui};

#[derive(Debug, Default, clap::Args)]
pub struct Args {
    /// Draw the first frame and exit (measures start-up; see BENCHMARKS.md).
    #[arg(long)]
    pub exit_after_first_frame: bool,
}

/// Runs the TUI on `sources` (the demo passes its own).
pub fn open(
    g: &Globals,
    sources: crate::kubeconfig::Sources,
    simulated: bool,
    args: &Args,
) -> Result<(), Failure> {
    if !std::io::stdout().is_terminal() && !args.exit_after_first_frame {
        return Err(Failure::new(
            Exit::Usage,
            "the TUI needs a terminal; for scripts use the subcommands (`devk --help`)",
        ));
    }
    let loaded = g.config()?;
    let until = if args.exit_after_first_frame {
        Until::FirstFrame
    } else {
        Until::Quit
    };
    let ended_by = run_tui(
        &loaded,
        TuiOptions {
            first_run_hint: if simulated {
                None
            } else {
                super::demo::first_run_screen(&sources)
            },
            sources,
            simulated,
            until,
        },
    )
    .map_err(|e| Failure::new(e.exit, e.message))?;
    match ended_by {
        Some(signal) => Err(Failure::signal(signal)),
        None => Ok(()),
    }
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    open(g, g.sources(), false, &args)
}
