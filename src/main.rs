//! The devk binary: completions hook, then parse, run, and map the result to an exit code.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::ExitCode;

fn main() -> ExitCode {
    // `COMPLETE=bash devk ...` is the shell asking for completions; answer and exit.
    clap_complete::CompleteEnv::with_factory(devk::cli::command).complete();
    devk::cli::main()
}
