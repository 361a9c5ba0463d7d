use std::io;
use std::path::PathBuf;

use crate::exit::Exit;

/// Everything that can go wrong reading or writing kubeconfig files. Messages say which file,
/// where in it, and what to do.
#[derive(Debug, thiserror::Error)]
pub enum KubeconfigError {
    #[error("cannot read kubeconfig {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },

    #[error(
        "kubeconfig {}{}: {message}\n  devk never writes a file it cannot parse; fix it by hand or point KUBECONFIG elsewhere",
        path.display(),
        line.map(|l| format!(":{l}")).unwrap_or_default()
    )]
    Invalid {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },

    #[error(
        "the kubeconfig file {} (from --kubeconfig) does not exist; check the path, or run `devk context add` with it to create one",
        path.display()
    )]
    ExplicitMissing { path: PathBuf },

    #[error(
        "{} is held by {holder} and was not released within {waited_ms} ms; {}",
        lock.display(),
        if holder.contains("still running") {
            "wait for it to finish, then try again".to_string()
        } else {
            format!("if no kubectl or devk is running, the lock is stale: remove it with `rm {}`", lock.display())
        }
    )]
    Locked {
        lock: PathBuf,
        waited_ms: u64,
        /// Who holds it: "devk (pid 12, still running)", "another program (…, created 3 min ago)".
        holder: String,
    },

    #[error("cannot write kubeconfig {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },

    #[error(
        "{} kept changing while devk tried to update it (another program is writing it); try again",
        path.display()
    )]
    Contended { path: PathBuf },

    #[error("no context named `{name}` in {sources}")]
    NoSuchContext { name: String, sources: String },

    #[error(
        "context `{context}` (in {}) {}; fix the context or add the entry (files: {sources})",
        file.display(),
        if name.is_empty() {
            format!("names no {kind}")
        } else {
            format!("names {kind} `{name}`, which no kubeconfig file defines")
        }
    )]
    MissingEntry {
        context: String,
        /// `cluster` or `user`.
        kind: &'static str,
        /// The name the context gives ("" when it names none).
        name: String,
        /// The file that defines the context.
        file: PathBuf,
        sources: String,
    },

    #[error("a context named `{name}` already exists in {}", path.display())]
    ContextExists { name: String, path: PathBuf },

    #[error("cannot serialize kubeconfig {}: {message}", path.display())]
    Serialize { path: PathBuf, message: String },
}

impl KubeconfigError {
    /// The exit code this error ends devk with.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Read { .. } | Self::Write { .. } | Self::Serialize { .. } => Exit::Io,
            Self::Invalid { .. } | Self::ExplicitMissing { .. } | Self::MissingEntry { .. } => {
                Exit::Kubeconfig
            }
            Self::Locked { .. } | Self::Contended { .. } => Exit::Locked,
            Self::NoSuchContext { .. } => Exit::NotFound,
            Self::ContextExists { .. } => Exit::Usage,
        }
    }
}
