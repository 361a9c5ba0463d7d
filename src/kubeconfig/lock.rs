//! kubectl's lock convention: `<file>.lock`, created exclusively, removed when done. Using the
//! same lock file means devk and kubectl never interleave their writes.
//!
//! devk's own lock files say who holds them (`devk pid=… host=… start=…`), appear with that
//! text already in them (written to a private file first, then hard-linked into place), and
//! are `flock`ed by their holder. So a lock left by a devk that was killed can be told apart
//! and removed: its holder is on this host and no longer running (or its pid now belongs to
//! another process), and nobody holds its flock. kubectl's lock files are empty: devk never
//! removes those, it reports their age and the command to remove them.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

use super::KubeconfigError;
use super::holder::{Holder, this_process};

/// How to take a lock.
#[derive(Debug, Clone, Copy)]
pub struct LockOptions {
    /// How long to wait for another holder to let go.
    pub timeout: Duration,
    /// Told, in a sentence, when devk removed a stale lock left by a devk that died.
    pub on_stale: Option<fn(&str)>,
    /// After the write, end the process with a SIGINT/SIGTERM/SIGHUP that arrived during it
    /// (the CLI). Front ends with their own signal handling (the TUI) leave it off.
    pub exit_on_signal: bool,
}

impl LockOptions {
    /// The CLI's options: stale locks reported by `on_stale`, signals honoured after the write.
    pub fn cli(timeout: Duration, on_stale: fn(&str)) -> LockOptions {
        LockOptions {
            timeout,
            on_stale: Some(on_stale),
            exit_on_signal: true,
        }
    }
}

impl From<Duration> for LockOptions {
    fn from(timeout: Duration) -> LockOptions {
        LockOptions {
            timeout,
            on_stale: None,
            exit_on_signal: false,
        }
    }
}

/// A held lock; dropping it removes the lock file.
#[derive(Debug)]
pub struct FileLock {
    lock: PathBuf,
    /// Keeps the flock that tells other devk processes this lock is alive.
    _file: File,
}

/// The lock file kubectl uses for `path`.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

/// The private file a lock is prepared in before it is linked into place.
fn staging_path(lock: &Path, pid: u32) -> PathBuf {
    let mut s = lock.as_os_str().to_owned();
    s.push(format!(".{pid}.devk"));
    PathBuf::from(s)
}

impl FileLock {
    /// Takes the lock for `path`, waiting up to `opts.timeout` for another holder to let go,
    /// and removing a stale lock of a dead devk on the way. `interrupted` ends the wait early.
    pub fn acquire(
        path: &Path,
        opts: &LockOptions,
        interrupted: &dyn Fn() -> bool,
    ) -> Result<FileLock, KubeconfigError> {
        let lock = lock_path(path);
        let write_err = |source: io::Error| KubeconfigError::Write {
            path: lock.clone(),
            source,
        };
        if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(write_err)?;
        }
        let me = this_process();
        let start = Instant::now();
        let mut pause = Duration::from_millis(2);
        loop {
            match try_create(&lock, &me.to_string()) {
                Ok(file) => {
                    remove_dead_staging(&lock);
                    return Ok(FileLock { lock, _file: file });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(write_err(e)),
            }
            let holder = Holder::read(&lock);
            if holder.is_dead_devk(&me) && remove_stale(&lock, &holder) {
                if let (Some(tell), Holder::Devk { pid, .. }) = (opts.on_stale, &holder) {
                    tell(&format!(
                        "devk: removed {}: a stale lock left by devk (pid {pid}), which is no longer running",
                        lock.display()
                    ));
                }
                continue;
            }
            if start.elapsed() >= opts.timeout || interrupted() {
                return Err(KubeconfigError::Locked {
                    holder: holder.describe(&me, age(&lock)),
                    lock,
                    waited_ms: opts.timeout.as_millis() as u64,
                });
            }
            std::thread::sleep(pause.min(opts.timeout.saturating_sub(start.elapsed())));
            pause = (pause * 2).min(Duration::from_millis(50));
        }
    }
}

/// Creates `lock` holding `text`, all at once: the text goes into a private staging file that
/// is flocked and then hard-linked to the lock path (which fails if the lock exists). Where
/// hard links are not supported, falls back to an exclusive create and a write.
fn try_create(lock: &Path, text: &str) -> io::Result<File> {
    use std::io::Write;
    let staging = staging_path(lock, std::process::id());
    let mut file = match crate::fsutil::create_new(&staging, 0o600) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            // Left by an earlier process with this pid, which is gone (pids are unique).
            std::fs::remove_file(&staging)?;
            crate::fsutil::create_new(&staging, 0o600)?
        }
        Err(e) => return Err(e),
    };
    let prepared = file
        .try_lock()
        .map_err(io::Error::from)
        .and_then(|()| file.write_all(text.as_bytes()));
    let linked = prepared.and_then(|()| std::fs::hard_link(&staging, lock));
    let _ = std::fs::remove_file(&staging);
    match linked {
        Ok(()) => Ok(file),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            let mut file = crate::fsutil::create_new(lock, 0o600)?;
            let _ = file.try_lock();
            file.write_all(text.as_bytes())?;
            Ok(file)
        }
    }
}

/// Removes `lock` if it is still the file `holder` was read from and nobody holds its flock.
/// The flock makes two devk processes that find the same stale lock remove it once, and never
/// remove a lock that a live devk has just created in its place.
fn remove_stale(lock: &Path, holder: &Holder) -> bool {
    let Ok(file) = File::open(lock) else {
        // Gone already: someone else removed it; just try again.
        return true;
    };
    if file.try_lock().is_err() {
        return false;
    }
    let same_file = match (file.metadata(), std::fs::metadata(lock)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    };
    let same_holder = std::fs::read_to_string(lock).is_ok_and(|t| Holder::parse(&t) == *holder);
    if !(same_file && same_holder) {
        return false;
    }
    let removed = std::fs::remove_file(lock).is_ok();
    if let Holder::Devk { pid, .. } = holder {
        let _ = std::fs::remove_file(staging_path(lock, *pid));
    }
    removed
}

/// Removes staging files of devk processes that died between creating one and linking it.
fn remove_dead_staging(lock: &Path) {
    let (Some(dir), Some(name)) = (lock.parent(), lock.file_name().and_then(|n| n.to_str())) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!("{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|rest| rest.strip_suffix(".devk"))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && super::holder::process_gone(pid, None) == Some(true) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// How long ago the lock file was created (its modification time), if known.
fn age(lock: &Path) -> Option<Duration> {
    let modified = std::fs::metadata(lock).ok()?.modified().ok()?;
    SystemTime::now().duration_since(modified).ok()
}

impl Drop for FileLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.lock);
    }
}
