//! kubectl's lock convention: `<file>.lock`, created with O_CREAT|O_EXCL, removed when done.
//! Using the same lock file means devk and kubectl never interleave their writes.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::KubeconfigError;

/// A held lock; dropping it removes the lock file.
#[derive(Debug)]
pub struct FileLock {
    lock: PathBuf,
}

/// The lock file kubectl uses for `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

impl FileLock {
    /// Takes the lock for `path`, waiting up to `timeout` for another holder to let go.
    pub fn acquire(path: &Path, timeout: Duration) -> Result<FileLock, KubeconfigError> {
        let lock = lock_path(path);
        if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| KubeconfigError::Write {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match crate::fsutil::create_new(&lock, 0o600) {
                Ok(_) => return Ok(FileLock { lock }),
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if start.elapsed() >= timeout {
                        return Err(KubeconfigError::Locked {
                            lock,
                            waited_ms: timeout.as_millis() as u64,
                        });
                    }
                    std::thread::sleep(pause.min(timeout.saturating_sub(start.elapsed())));
                    pause = (pause * 2).min(Duration::from_millis(50));
                }
                Err(source) => {
                    return Err(KubeconfigError::Write { path: lock, source });
                }
            }
        }
    }
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.lock);
    }
}
