//! Helpers shared by the fuzz targets: how one fuzz input carries several files, and a scratch
//! directory for the entry points that read files.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Separates the files packed into one input (`scripts/fuzz-seeds` writes seeds this way).
/// Chosen to be rare in the formats involved and easy for the fuzzer to copy around.
pub const SECTION: &[u8] = b"\n%%devk-fuzz%%\n";

/// The input split at every [`SECTION`] marker.
pub fn sections(data: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = data;
    while let Some(at) = find(rest, SECTION) {
        out.push(&rest[..at]);
        rest = &rest[at + SECTION.len()..];
    }
    out.push(rest);
    out
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// A directory that lives as long as the fuzzing process (one per process, reused by every
/// run: the targets overwrite what they wrote before).
pub fn scratch() -> &'static Path {
    static DIR: OnceLock<Option<tempfile::TempDir>> = OnceLock::new();
    static FALLBACK: OnceLock<PathBuf> = OnceLock::new();
    match DIR.get_or_init(|| tempfile::Builder::new().prefix("devk-fuzz-").tempdir().ok()) {
        Some(dir) => dir.path(),
        None => FALLBACK.get_or_init(std::env::temp_dir),
    }
}

/// Writes `bytes` to `path` (creating its directory), or removes `path` when `bytes` is None.
pub fn put(path: &Path, bytes: Option<&[u8]>) {
    match bytes {
        Some(b) => {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let _ = std::fs::write(path, b);
        }
        None => {
            let _ = std::fs::remove_file(path);
        }
    }
}
