//! Small persistent state kept between runs: the previous context (for `devk switch -`) and
//! the previous namespace per context (for `devk ns -`). It lives in the XDG state dir.
//! It is devk's own cache: an unreadable file is treated as empty and replaced, never fatal.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// What devk remembers between runs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The context that was current before the last switch.
    #[serde(default)]
    pub previous_context: Option<String>,
    /// Per context, the namespace that was active before the last `devk ns`.
    #[serde(default)]
    pub previous_namespaces: BTreeMap<String, String>,
}

/// devk's state directory: `$XDG_STATE_HOME/devk` (usually `~/.local/state/devk`).
pub fn state_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "devk")?;
    Some(
        dirs.state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .to_path_buf(),
    )
}

const FILE: &str = "state.json";

impl State {
    /// Reads the state in `dir`; a missing or unreadable file gives the empty state.
    pub fn load(dir: &Path) -> State {
        std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the state atomically.
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::fsutil::atomic_write(&dir.join(FILE), &json, crate::fsutil::PRIVATE_MODE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_and_garbage_reads_as_empty() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(State::load(dir.path()), State::default());
        let s = State {
            previous_context: Some("dev".into()),
            previous_namespaces: [("dev".to_string(), "kube-system".to_string())].into(),
        };
        s.save(dir.path()).unwrap();
        assert_eq!(State::load(dir.path()), s);
        std::fs::write(dir.path().join(FILE), "{not json").unwrap();
        assert_eq!(State::load(dir.path()), State::default());
    }
}
