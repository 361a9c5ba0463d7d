//! The baseline: findings accepted when it was made, allowed from then on (detect-secrets'
//! habit). A team adopting the hook on a repository that already has fixture keys in its
//! history records them once (`devk scan --all-history --update-baseline`); every later scan
//! and hook reports only what is new.
//!
//! An entry allows one value at one path: its fingerprint (rule and value, never the value
//! itself) with the file it was found in. The same key pasted into another file is new, which
//! is what sets a baseline apart from a `.devkignore` fingerprint (allowed everywhere).
//!
//! The file is `.devk-baseline.json` at the work tree's root unless `--baseline FILE` names
//! another; scans and hooks read it when it is there. Like `.devkignore` it can only allow
//! findings it lists: a baseline never switches a rule or the hook off.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::HookError;
use super::report::Finding;

/// The baseline file's name at the root of the work tree.
pub const BASELINE_FILE: &str = ".devk-baseline.json";

/// The format version written now.
pub const BASELINE_VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub fingerprint: String,
    /// The rule, line and commit where it was first seen (for people reading the file).
    pub rule: String,
    pub line: usize,
    pub commit: String,
}

/// The baseline file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

impl Baseline {
    /// Reads `path`; `None` when there is no such file.
    pub fn load(path: &Path) -> Result<Option<Baseline>, HookError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(HookError::Io {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        let baseline: Baseline =
            serde_json::from_str(&text).map_err(|e| HookError::BadBaseline {
                path: path.to_path_buf(),
                problem: e.to_string(),
            })?;
        if baseline.version != BASELINE_VERSION {
            return Err(HookError::BadBaseline {
                path: path.to_path_buf(),
                problem: format!(
                    "version {} is not one this devk reads (it writes version {BASELINE_VERSION})",
                    baseline.version
                ),
            });
        }
        Ok(Some(baseline))
    }

    /// The (path, fingerprint) pairs it allows.
    pub fn allowed(&self) -> HashSet<(String, String)> {
        self.entries
            .iter()
            .map(|e| (e.path.clone(), e.fingerprint.clone()))
            .collect()
    }

    /// Adds the findings not in it yet; returns those that were added, in order.
    pub fn add(&mut self, findings: &[Finding]) -> Vec<Finding> {
        let mut known = self.allowed();
        let mut added = Vec::new();
        for f in findings {
            if known.insert((f.path.clone(), f.fingerprint.clone())) {
                self.entries.push(Entry {
                    path: f.path.clone(),
                    fingerprint: f.fingerprint.clone(),
                    rule: f.rule.clone(),
                    line: f.line,
                    commit: f.commit.clone(),
                });
                added.push(f.clone());
            }
        }
        self.entries
            .sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        added
    }

    /// Writes the file atomically (it holds fingerprints, no secrets: ordinary mode).
    pub fn save(&self, path: &Path) -> Result<(), HookError> {
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| HookError::Internal(format!("cannot encode the baseline: {e}")))?;
        text.push('\n');
        crate::fsutil::atomic_write(path, text.as_bytes(), 0o644).map_err(|source| HookError::Io {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Where the baseline is for a work tree: `explicit` (from `--baseline`), or the default file
/// at the root. `None` for a bare repository without `--baseline`.
pub fn location(workdir: Option<&Path>, explicit: Option<&Path>) -> Option<PathBuf> {
    match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => workdir.map(|w| w.join(BASELINE_FILE)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(path: &str, fp: &str) -> Finding {
        Finding {
            commit: "c".repeat(40),
            path: path.into(),
            line: 3,
            rule: "aws-access-key-id".into(),
            masked: "AKIA****".into(),
            fingerprint: fp.into(),
        }
    }

    #[test]
    fn adding_keeps_old_entries_and_reports_only_new_ones() {
        let mut b = Baseline {
            version: BASELINE_VERSION,
            entries: Vec::new(),
        };
        assert_eq!(b.add(&[finding("a", "x:1"), finding("b", "x:1")]).len(), 2);
        let added = b.add(&[finding("a", "x:1"), finding("c", "x:2")]);
        assert_eq!(added, [finding("c", "x:2")]);
        assert_eq!(b.entries.len(), 3);
        assert!(b.allowed().contains(&("b".to_owned(), "x:1".to_owned())));
    }

    #[test]
    fn round_trip_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(BASELINE_FILE);
        assert_eq!(Baseline::load(&path).unwrap(), None);
        let mut b = Baseline {
            version: BASELINE_VERSION,
            entries: Vec::new(),
        };
        b.add(&[finding("a", "x:1")]);
        b.save(&path).unwrap();
        assert_eq!(Baseline::load(&path).unwrap(), Some(b));
        std::fs::write(&path, "{\"version\": 9, \"entries\": []}").unwrap();
        let err = Baseline::load(&path).unwrap_err().to_string();
        assert!(err.contains("version 9"), "{err}");
        std::fs::write(&path, "not json").unwrap();
        let err = Baseline::load(&path).unwrap_err().to_string();
        assert!(err.contains(BASELINE_FILE), "{err}");
    }
}
