//! File writes that must never leave a half-written file behind.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// Mode for new files that may hold credentials (kubeconfigs, pull secrets, saved logs).
pub const PRIVATE_MODE: u32 = 0o600;

/// Writes `contents` to `path` atomically: a temp file in the same directory, fsync, rename,
/// then fsync of the directory. An existing file keeps its permission bits; a new file gets
/// `new_mode`. A symlink at `path` is followed, so the link stays a link and its target is
/// replaced (people keep `~/.kube/config` as a link into a dotfiles repo).
pub fn atomic_write(path: &Path, contents: &[u8], new_mode: u32) -> io::Result<()> {
    let target = resolve_symlink(path)?;
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let mode = match fs::metadata(&target) {
        Ok(meta) => meta.permissions().mode() & 0o7777,
        Err(e) if e.kind() == io::ErrorKind::NotFound => new_mode,
        Err(e) => return Err(e),
    };
    let (prefix, suffix) = temp_affixes(&target);
    let mut tmp = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(suffix)
        .rand_bytes(6)
        .permissions(Permissions::from_mode(mode))
        .tempfile_in(&dir)?;
    tmp.write_all(contents)?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    // The rename is durable only once the directory entry is on disk.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// The prefix and suffix of `atomic_write`'s temp files for `target`.
fn temp_affixes(target: &Path) -> (String, &'static str) {
    let name = target
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("devk");
    (format!(".{name}."), ".tmp")
}

/// Removes temp files that an `atomic_write` of `path` left when its process was killed
/// mid-write. Only to be called while holding the file's lock: every other writer creates its
/// temp file under that lock, so any temp file found then is abandoned.
pub fn remove_abandoned_temps(path: &Path) {
    let Ok(target) = resolve_symlink(path) else {
        return;
    };
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let (prefix, suffix) = temp_affixes(&target);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        // tempfile adds 6 random characters between the two.
        if name.len() == prefix.len() + 6 + suffix.len()
            && name.starts_with(&prefix)
            && name.ends_with(suffix)
        {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Follows a chain of symlinks at `path` (the final component only) to the file a write should
/// replace. A dangling link resolves to its target path, which the write then creates.
pub fn resolve_symlink(path: &Path) -> io::Result<PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&current) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = fs::read_link(&current)?;
                current = if link.is_absolute() {
                    link
                } else {
                    current.parent().unwrap_or(Path::new(".")).join(link)
                };
            }
            Ok(_) => return Ok(current),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(current),
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other(format!(
        "too many levels of symbolic links at {}",
        path.display()
    )))
}

/// Creates a new file with `mode` that must not exist yet (O_CREAT|O_EXCL).
pub fn create_new(path: &Path, mode: u32) -> io::Result<File> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_keeps_mode_of_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cfg");
        fs::write(&p, "old").unwrap();
        fs::set_permissions(&p, Permissions::from_mode(0o640)).unwrap();
        atomic_write(&p, b"new", PRIVATE_MODE).unwrap();
        assert_eq!(fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn atomic_write_new_file_gets_private_mode_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub").join("cfg");
        atomic_write(&p, b"x", PRIVATE_MODE).unwrap();
        assert_eq!(
            fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        let names: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn atomic_write_through_symlink_keeps_the_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real");
        let link = dir.path().join("link");
        fs::write(&real, "old").unwrap();
        std::os::unix::fs::symlink("real", &link).unwrap();
        atomic_write(&link, b"new", PRIVATE_MODE).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), "new");
    }
}
