use std::io;
use std::path::PathBuf;

use crate::exit::Exit;

/// Everything that can be wrong with devk's configuration. Each message names where the bad
/// input came from (file and line, environment variable, or `--set` flag) so that the user can
/// go straight to it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A config file could not be read (other than not existing, which just means "no layer").
    #[error("cannot read config file {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },

    /// A config file is not valid TOML.
    #[error("{file}:{line}:{column}: invalid TOML: {message}")]
    Syntax {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },

    /// A key that devk does not know.
    #[error(
        "{origin}: unknown key `{key}`{}",
        suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default()
    )]
    UnknownKey {
        origin: String,
        key: String,
        suggestion: Option<String>,
    },

    /// A known key whose value has the wrong TOML type (or an environment variable or flag whose
    /// text cannot be read as that type).
    #[error("{origin}: `{key}` must be {expected}, found {found}")]
    WrongType {
        origin: String,
        key: String,
        expected: String,
        found: String,
    },

    /// A value of the right type that devk still cannot use (an empty glob, a zero timeout).
    #[error("{origin}: `{key}` {problem}")]
    Invalid {
        origin: String,
        key: String,
        problem: String,
    },

    /// A `--set` argument that is not `KEY=VALUE`.
    #[error(
        "--set {arg:?}: {problem}; write it as --set KEY=VALUE, e.g. --set contexts.local=dev-*"
    )]
    BadFlag { arg: String, problem: String },

    /// Several of the above, reported together so that one run shows every problem.
    #[error("{}", join(.0))]
    Many(Vec<ConfigError>),
}

fn join(errors: &[ConfigError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigError {
    /// The exit code this error ends devk with.
    pub fn exit(&self) -> Exit {
        Exit::Config
    }

    /// The individual problems: the inner list for `Many`, otherwise just this error.
    pub fn problems(&self) -> Vec<&ConfigError> {
        match self {
            ConfigError::Many(all) => all.iter().flat_map(ConfigError::problems).collect(),
            other => vec![other],
        }
    }

    /// One error for a list: the error itself when there is only one, `None` for none.
    pub(crate) fn from_list(errors: Vec<ConfigError>) -> Option<ConfigError> {
        (!errors.is_empty()).then(|| ConfigError::collect(errors))
    }

    /// One error for a list of problems: the problem itself when there is only one.
    pub(crate) fn collect(mut errors: Vec<ConfigError>) -> ConfigError {
        if errors.len() == 1 {
            errors.swap_remove(0)
        } else {
            ConfigError::Many(errors)
        }
    }
}
