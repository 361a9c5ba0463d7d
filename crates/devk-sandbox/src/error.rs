//! The sandbox's error type, with messages written for the person running `devk demo`.

use std::path::PathBuf;

/// Why the sandbox could not start or could not apply a change.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The scenario file is invalid; `origin` is the file (or `<built-in demo>`).
    #[error("{origin}:{line}: {message}")]
    Scenario {
        /// The file the scenario came from.
        origin: String,
        /// 1-based line of the offending value.
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The scenario file could not be read.
    #[error("cannot read the sandbox scenario {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The listening socket could not be opened.
    #[error(
        "cannot listen on {addr} for the sandbox API server: {source} (pick another port, or 127.0.0.1:0 for a free one)"
    )]
    Bind {
        /// The address asked for.
        addr: std::net::SocketAddr,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The TLS key or certificate could not be made.
    #[error("cannot set up TLS for the sandbox API server: {message}")]
    Tls {
        /// What failed.
        message: String,
    },
    /// A runtime change (`SandboxHandle::apply`) conflicts with the cluster's state.
    #[error("sandbox: {0}")]
    Apply(String),
}
