//! Deliberate exit codes. Scripts (`devk switch prod && ...`) and git hooks branch on these,
//! so each failure class has its own number and the numbers never change meaning.

use std::process::ExitCode;

/// Why devk stopped. The numeric value is the process exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Everything worked.
    Ok = 0,
    /// An error that fits no class below.
    Failure = 1,
    /// Bad command-line usage (clap uses 2 as well).
    Usage = 2,
    /// A devk config file (config.toml / devk.toml) or DEVK_* variable is invalid.
    Config = 3,
    /// A kubeconfig file is missing, unreadable or invalid.
    Kubeconfig = 4,
    /// The named context/namespace/entry does not exist, or the name is ambiguous.
    NotFound = 5,
    /// Refused by policy or by a missing confirmation (protected context, ECR push outside CI).
    Refused = 6,
    /// Another process holds a lock devk needs (for example `~/.kube/config.lock`).
    Locked = 7,
    /// A cluster or service could not be reached in time.
    Unreachable = 8,
    /// Credentials were rejected or have expired.
    Unauthorized = 9,
    /// A file could not be read or written.
    Io = 10,
}

impl Exit {
    /// The code as a process exit status.
    pub fn code(self) -> u8 {
        self as u8
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}
