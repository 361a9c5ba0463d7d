//! Writing to the terminal: stdout for results, stderr for messages, and the one place that
//! turns failures into a message and an exit code.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use crate::exit::Exit;

/// A command's failure: what to tell the user and which exit code to end with.
#[derive(Debug)]
pub struct Failure {
    pub exit: Exit,
    /// Empty for a quiet ending (a closed pipe).
    pub message: String,
    /// A signal devk was ended by (SIGTERM, SIGHUP) after cleaning up: `report` ends the
    /// process by it, so a shell sees 143 for a `kill` and a supervisor sees the signal, as
    /// for any Unix tool, instead of a success.
    signal: Option<i32>,
}

impl Failure {
    pub fn new(exit: Exit, message: impl Into<String>) -> Failure {
        Failure {
            exit,
            message: message.into(),
            signal: None,
        }
    }

    /// devk was ended by `signal`; everything is cleaned up by the time `report` runs.
    pub fn signal(signal: i32) -> Failure {
        Failure {
            signal: Some(signal),
            ..Failure::new(Exit::Failure, "")
        }
    }

    /// Prints the message (if any) and gives the exit code; for a signal, ends the process by
    /// that signal's default action.
    pub fn report(self) -> ExitCode {
        if !self.message.is_empty() {
            let _ = writeln!(io::stderr(), "devk: {}", self.message);
        }
        if let Some(signal) = self.signal {
            let _ = signal_hook::low_level::emulate_default_handler(signal);
            // Only reached if the signal did not end the process: the shell's code for it.
            return ExitCode::from(u8::try_from(128 + signal).unwrap_or(1));
        }
        self.exit.into()
    }
}

impl From<crate::kubeconfig::KubeconfigError> for Failure {
    fn from(e: crate::kubeconfig::KubeconfigError) -> Self {
        Failure::new(e.exit(), e.to_string())
    }
}

impl From<crate::config::ConfigError> for Failure {
    fn from(e: crate::config::ConfigError) -> Self {
        Failure::new(e.exit(), e.to_string())
    }
}

impl From<crate::cluster::ClusterError> for Failure {
    fn from(e: crate::cluster::ClusterError) -> Self {
        Failure::new(e.exit(), e.to_string())
    }
}

/// Writes `text` to stdout. A closed pipe (`devk contexts | head -1`) ends devk quietly with
/// success, as it does for other Unix tools.
pub fn out(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| {
            if e.kind() == io::ErrorKind::BrokenPipe {
                Failure::new(Exit::Ok, "")
            } else {
                Failure::new(Exit::Io, format!("cannot write to stdout: {e}"))
            }
        })
}

/// A note for the user on stderr (never part of the result).
pub fn note(text: &str) {
    let _ = writeln!(io::stderr(), "{text}");
}

/// True when colour should be used on stdout: a terminal, and NO_COLOR unset.
pub fn stdout_color() -> bool {
    io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// ANSI styling that disappears when colour is off.
pub fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// A multi-thread tokio runtime for commands that talk to clusters or serve (`logs`,
/// `sandbox`, `demo`). The hot commands (`current`, `switch`) never create one.
pub fn async_runtime(workers: usize) -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .map_err(|e| {
            Failure::new(
                Exit::Failure,
                format!("cannot start the async runtime: {e}"),
            )
        })
}

/// `-o text|json`, for commands that have no other output format.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum TextOrJson {
    Text,
    Json,
}
