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
    /// Every exit code, in numeric order.
    pub const ALL: [Exit; 11] = [
        Exit::Ok,
        Exit::Failure,
        Exit::Usage,
        Exit::Config,
        Exit::Kubeconfig,
        Exit::NotFound,
        Exit::Refused,
        Exit::Locked,
        Exit::Unreachable,
        Exit::Unauthorized,
        Exit::Io,
    ];

    /// The code as a process exit status.
    pub fn code(self) -> u8 {
        self as u8
    }

    /// What the code means, as the README's table and the man pages' EXIT STATUS say it.
    pub fn meaning(self) -> &'static str {
        match self {
            Exit::Ok => "success",
            Exit::Failure => "other failure",
            Exit::Usage => "bad command-line usage",
            Exit::Config => "invalid devk config (config.toml, devk.toml, DEVK_*, --set)",
            Exit::Kubeconfig => "invalid or missing kubeconfig",
            Exit::NotFound => "no such context/namespace, or an ambiguous name",
            Exit::Refused => "refused: protected context without confirmation, or a policy refusal",
            Exit::Locked => "a lock is held (`<kubeconfig>.lock`)",
            Exit::Unreachable => "cluster unreachable or too slow",
            Exit::Unauthorized => "credentials rejected or expired",
            Exit::Io => "a file could not be read or written",
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_in_order_with_the_readme_meaning() {
        let readme = include_str!("../README.md");
        for (i, exit) in Exit::ALL.iter().enumerate() {
            assert_eq!(usize::from(exit.code()), i);
            let row = format!("| {} | {} |", exit.code(), exit.meaning());
            assert!(
                readme.contains(&row),
                "README's exit code table lacks {row}"
            );
        }
    }
}
