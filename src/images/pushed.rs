//! Where images have been pushed: one record per successful `devk push` (reference, image ID,
//! manifest digest, time), kept in devk's state dir (`pushes.json`, next to `state.json`) and
//! written atomically. It is devk's own cache: an unreadable file reads as empty.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// The file name inside the state dir.
const FILE: &str = "pushes.json";

/// How many records are kept (newest win): enough for months of pushes, small to read.
const MAX_RECORDS: usize = 500;

/// One successful push.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRecord {
    /// The fully qualified reference pushed (`127.0.0.1:5000/app:1`).
    pub reference: String,
    /// The local image ID (`sha256:...`).
    pub image_id: String,
    /// The manifest digest the registry stored, when the engine reported it.
    #[serde(default)]
    pub digest: Option<String>,
    /// When, as an RFC 3339 UTC timestamp.
    pub pushed_at: String,
}

/// All records, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushLog {
    #[serde(default)]
    pub pushes: Vec<PushRecord>,
}

impl PushLog {
    /// Reads the log in `dir`; missing or unreadable reads as empty.
    pub fn load(dir: &Path) -> PushLog {
        std::fs::read(dir.join(FILE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    /// Writes the log atomically (creating `dir`).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?;
        crate::fsutil::atomic_write(&dir.join(FILE), &json, crate::fsutil::PRIVATE_MODE)
    }

    /// Adds a record; an older record of the same reference is replaced (the reference now
    /// names what was pushed last), and the oldest records beyond the cap are dropped.
    pub fn add(&mut self, record: PushRecord) {
        self.pushes.retain(|r| r.reference != record.reference);
        self.pushes.push(record);
        if self.pushes.len() > MAX_RECORDS {
            let extra = self.pushes.len() - MAX_RECORDS;
            self.pushes.drain(..extra);
        }
    }

    /// The pushes of one image ID, newest first.
    pub fn for_image<'a>(&'a self, image_id: &'a str) -> impl Iterator<Item = &'a PushRecord> {
        self.pushes
            .iter()
            .rev()
            .filter(move |r| r.image_id == image_id)
    }
}

/// Loads, adds and saves in one step (the read-modify-write of one `devk push`), under an
/// exclusive lock on a side file so two pushes ending at once both keep their record. An
/// advisory `flock`: released by the kernel when a process dies, so it never goes stale.
pub fn record(dir: &Path, record: PushRecord) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(format!("{FILE}.lock")))?;
    lock.lock()?;
    let mut log = PushLog::load(dir);
    log.add(record);
    log.save(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(reference: &str, id: &str, at: &str) -> PushRecord {
        PushRecord {
            reference: reference.into(),
            image_id: id.into(),
            digest: Some("sha256:d".into()),
            pushed_at: at.into(),
        }
    }

    #[test]
    fn records_round_trip_replace_by_reference_and_list_per_image() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state/devk");
        assert_eq!(PushLog::load(&state), PushLog::default());
        record(
            &state,
            rec("r:5000/app:1", "sha256:a", "2026-01-01T00:00:00Z"),
        )
        .unwrap();
        record(
            &state,
            rec("r:5000/app:2", "sha256:a", "2026-01-02T00:00:00Z"),
        )
        .unwrap();
        record(
            &state,
            rec("r:5000/app:1", "sha256:b", "2026-01-03T00:00:00Z"),
        )
        .unwrap();
        let log = PushLog::load(&state);
        assert_eq!(log.pushes.len(), 2);
        let a: Vec<_> = log.for_image("sha256:a").map(|r| &r.reference).collect();
        assert_eq!(a, ["r:5000/app:2"]);
        let b: Vec<_> = log.for_image("sha256:b").map(|r| &r.reference).collect();
        assert_eq!(b, ["r:5000/app:1"]);
        std::fs::write(state.join(FILE), "{garbage").unwrap();
        assert_eq!(PushLog::load(&state), PushLog::default());
    }

    #[test]
    fn concurrent_records_are_all_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::thread::scope(|s| {
            for t in 0..4 {
                let dir = dir.path();
                s.spawn(move || {
                    for i in 0..25 {
                        let r = rec(
                            &format!("reg/app:{t}-{i}"),
                            "sha256:1",
                            "2026-01-01T00:00:00Z",
                        );
                        record(dir, r).unwrap();
                    }
                });
            }
        });
        assert_eq!(PushLog::load(dir.path()).pushes.len(), 100);
    }

    #[test]
    fn the_log_is_capped_keeping_the_newest() {
        let mut log = PushLog::default();
        for i in 0..(MAX_RECORDS + 3) {
            log.add(rec(&format!("r/app:{i}"), "sha256:a", "t"));
        }
        assert_eq!(log.pushes.len(), MAX_RECORDS);
        assert_eq!(log.pushes[0].reference, "r/app:3");
    }
}
