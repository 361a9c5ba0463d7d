//! `devk completions` and `devk man`, generated from the clap definitions.

use std::io::Write;
use std::path::PathBuf;

use clap_complete::env::{Bash, EnvCompleter, Fish, Zsh};

use super::Failure;
use super::output::out;
use crate::exit::Exit;

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print the script for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write devk.1 and one page per command into this folder (default: devk.1 to stdout).
    #[arg(long, value_hint = clap::ValueHint::DirPath)]
    pub dir: Option<PathBuf>,
}

/// Prints the registration script. It calls back into `devk` for every completion, so context
/// and namespace names are always current: `source <(devk completions bash)`.
pub fn completions(args: CompletionsArgs) -> Result<(), Failure> {
    let completer: &dyn EnvCompleter = match args.shell {
        Shell::Bash => &Bash,
        Shell::Zsh => &Zsh,
        Shell::Fish => &Fish,
    };
    let mut buf = Vec::new();
    completer
        .write_registration("COMPLETE", "devk", "devk", "devk", &mut buf)
        .map_err(|e| Failure::new(Exit::Io, e.to_string()))?;
    out(&String::from_utf8_lossy(&buf))
}

pub fn man(args: ManArgs) -> Result<(), Failure> {
    let cmd = super::command();
    let io_err = |e: std::io::Error| Failure::new(Exit::Io, format!("cannot write man page: {e}"));
    match args.dir {
        None => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(cmd)
                .render(&mut buf)
                .map_err(io_err)?;
            out(&String::from_utf8_lossy(&buf))
        }
        Some(dir) => {
            std::fs::create_dir_all(&dir).map_err(io_err)?;
            clap_mangen::generate_to(cmd, &dir).map_err(io_err)?;
            let _ = writeln!(std::io::stderr(), "man pages written to {}", dir.display());
            Ok(())
        }
    }
}
