//! The one error type of the minikube adapter, with messages written for the user.

use crate::exit::Exit;

/// Where minikube explains how to install it.
pub const INSTALL_URL: &str = "https://minikube.sigs.k8s.io/docs/start/";

/// minikube's exit code for "profile not found" (`ExGuestNotFound`).
pub const EXIT_PROFILE_NOT_FOUND: i32 = 85;

/// Everything that can go wrong when devk talks to minikube.
#[derive(Debug, thiserror::Error)]
pub enum MinikubeError {
    #[error(
        "minikube is not installed (`{binary}` was not found on PATH); install it from {INSTALL_URL}, or set `minikube.binary` to its path in ~/.config/devk/config.toml (or DEVK_MINIKUBE_BINARY)"
    )]
    NotInstalled { binary: String },

    #[error(
        "minikube.binary is `{path}`, which does not exist; set `minikube.binary` to the path of the minikube binary, or to \"minikube\" to use the one on PATH (`devk config check` shows where it was set)"
    )]
    BinaryMissing { path: String },

    #[error("cannot run `{command}`: {source}")]
    Spawn {
        command: String,
        #[source]
        source: std::io::Error,
    },

    #[error(
        "minikube has no profile `{profile}`; `devk minikube list` shows the profiles, `devk minikube start {profile}` creates it"
    )]
    ProfileNotFound { profile: String },

    #[error("{}", failed_message(command, *code, lines))]
    Failed {
        command: String,
        /// minikube's exit code; `None` when it was ended by a signal.
        code: Option<i32>,
        /// minikube's own error lines.
        lines: Vec<String>,
    },

    #[error("`{command}` was cancelled")]
    Cancelled { command: String },

    #[error(
        "cannot read the output of `{command}` (minikube {version}): {problem}; devk may not support this minikube version yet"
    )]
    Parse {
        command: String,
        /// `v1.34.0`, or `version unknown`.
        version: String,
        problem: String,
    },

    #[error("{0}")]
    Config(String),
}

fn failed_message(command: &str, code: Option<i32>, lines: &[String]) -> String {
    let how = match code {
        Some(c) => format!("exit code {c}"),
        None => "killed by a signal".to_string(),
    };
    if lines.is_empty() {
        format!("`{command}` failed ({how})")
    } else {
        format!(
            "`{command}` failed ({how}); minikube said:\n  {}",
            lines.join("\n  ")
        )
    }
}

impl MinikubeError {
    /// The exit code devk ends with for this error.
    pub fn exit(&self) -> Exit {
        match self {
            MinikubeError::NotInstalled { .. }
            | MinikubeError::BinaryMissing { .. }
            | MinikubeError::ProfileNotFound { .. } => Exit::NotFound,
            MinikubeError::Spawn { .. } => Exit::Io,
            MinikubeError::Config(_) => Exit::Config,
            MinikubeError::Failed { .. }
            | MinikubeError::Cancelled { .. }
            | MinikubeError::Parse { .. } => Exit::Failure,
        }
    }

    /// True when there is no minikube to run (not on PATH, or the configured path is missing).
    pub fn is_missing(&self) -> bool {
        matches!(
            self,
            MinikubeError::NotInstalled { .. } | MinikubeError::BinaryMissing { .. }
        )
    }

    /// minikube's own exit code, when it ran and failed.
    pub fn minikube_code(&self) -> Option<i32> {
        match self {
            MinikubeError::Failed { code, .. } => *code,
            _ => None,
        }
    }
}
