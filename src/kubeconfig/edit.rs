//! Edits to the merged kubeconfig, written back the way client-go's `ModifyConfig` does: a
//! changed entry goes to the file it came from; `current-context` and new entries go to the
//! file kubectl would choose (`Sources::destination`).

use std::path::Path;

use super::yaml::{Mapping, Value};

use super::KubeconfigError;
use super::document::Kind;
use super::lock::{FileLock, LockOptions};
use super::signals::SignalDefer;
use super::sources::Sources;
use super::view::Kubeconfig;

impl Kubeconfig {
    /// Index of the file that receives `current-context` and new entries.
    fn destination_index(&self) -> usize {
        let files = self.files();
        let dest = self
            .sources()
            .destination(|p| files.iter().any(|f| f.path() == p && f.exists()));
        files.iter().position(|f| f.path() == dest).unwrap_or(0)
    }

    fn no_such_context(&self, name: &str) -> KubeconfigError {
        KubeconfigError::NoSuchContext {
            name: name.to_string(),
            sources: self.sources().describe(),
        }
    }

    /// Makes `name` the current context.
    pub fn use_context(&mut self, name: &str) -> Result<(), KubeconfigError> {
        if self.context(name).is_none() {
            return Err(self.no_such_context(name));
        }
        let dest = self.destination_index();
        self.files_mut()[dest].set_current_context(name);
        Ok(())
    }

    /// Sets (or with None, clears) the namespace of context `name`, in the file defining it.
    pub fn set_namespace(
        &mut self,
        name: &str,
        namespace: Option<&str>,
    ) -> Result<(), KubeconfigError> {
        let Some(i) = self.origin(Kind::Context, name) else {
            return Err(self.no_such_context(name));
        };
        self.files_mut()[i].upsert_entry(Kind::Context, name, |body| match namespace {
            Some(ns) => {
                body.insert("namespace".into(), Value::String(ns.into()));
            }
            None => {
                body.shift_remove("namespace");
            }
        });
        Ok(())
    }

    /// Creates or edits entry `name` of `kind`: an existing entry is edited in its own file, a
    /// new one is added to the destination file.
    pub fn upsert(&mut self, kind: Kind, name: &str, edit: impl FnOnce(&mut Mapping)) {
        let i = self
            .origin(kind, name)
            .unwrap_or_else(|| self.destination_index());
        self.files_mut()[i].upsert_entry(kind, name, edit);
        self.refresh();
    }

    /// Renames context `old` to `new` in place, and follows it with `current-context`.
    pub fn rename_context(&mut self, old: &str, new: &str) -> Result<(), KubeconfigError> {
        let Some(i) = self.origin(Kind::Context, old) else {
            return Err(self.no_such_context(old));
        };
        if let Some(j) = self.origin(Kind::Context, new) {
            return Err(KubeconfigError::ContextExists {
                name: new.to_string(),
                path: self.files()[j].path().to_path_buf(),
            });
        }
        let was_current = self.current_context() == Some(old);
        self.files_mut()[i].rename_entry(Kind::Context, old, new);
        self.refresh();
        if was_current {
            self.use_context(new)?;
        }
        Ok(())
    }

    /// Deletes context `name` from the file defining it. Like kubectl, `current-context` is
    /// left as it is; returns true when the deleted context was the current one.
    pub fn delete_context(&mut self, name: &str) -> Result<bool, KubeconfigError> {
        let Some(i) = self.origin(Kind::Context, name) else {
            return Err(self.no_such_context(name));
        };
        let was_current = self.current_context() == Some(name);
        self.files_mut()[i].remove_entry(Kind::Context, name);
        self.refresh();
        Ok(was_current)
    }

    /// Paths of the files an edit changed.
    pub fn changed_files(&self) -> Vec<&Path> {
        self.files()
            .iter()
            .filter(|f| f.is_changed())
            .map(|f| f.path())
            .collect()
    }
}

/// Loads the kubeconfig, applies `edit`, and writes every changed file: each under kubectl's
/// lock, atomically, keeping its mode. If a file changed on disk between reading and locking
/// (another kubectl or devk wrote it), the whole edit is redone on the fresh contents, so
/// neither side's update is lost.
pub fn update<T, E>(
    sources: &Sources,
    allow_missing_explicit: bool,
    lock: impl Into<LockOptions>,
    edit: impl FnMut(&mut Kubeconfig) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<KubeconfigError>,
{
    update_loaded(None, sources, allow_missing_explicit, lock, edit)
}

/// Like `update`, starting from a kubeconfig the caller already loaded (a switch reads the
/// files once, not twice, on the hot path). It is reloaded only if it changed on disk.
pub fn update_loaded<T, E>(
    loaded: Option<Kubeconfig>,
    sources: &Sources,
    allow_missing_explicit: bool,
    lock: impl Into<LockOptions>,
    mut edit: impl FnMut(&mut Kubeconfig) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<KubeconfigError>,
{
    const ATTEMPTS: usize = 5;
    let opts = lock.into();
    // Declared before the locks, so dropped after them: a signal during the write takes
    // effect once every lock file is gone.
    let signals = SignalDefer::new(opts.exit_on_signal);
    let mut last_contended = None;
    let mut loaded = loaded;
    for _ in 0..ATTEMPTS {
        let mut kc = match loaded.take() {
            Some(kc) => kc,
            None => Kubeconfig::load(sources.clone(), allow_missing_explicit)?,
        };
        let result = edit(&mut kc)?;
        let mut changed: Vec<usize> = (0..kc.files().len())
            .filter(|&i| kc.files()[i].is_changed())
            .collect();
        if changed.is_empty() {
            return Ok(result);
        }
        if changed.iter().any(|&i| kc.files()[i].needs_full_parse()) {
            // Started from a light load, but this edit rewrites a tree: redo it on a full one.
            loaded = None;
            continue;
        }
        // Lock in path order so two devk processes can never deadlock.
        changed.sort_by(|&a, &b| kc.files()[a].path().cmp(kc.files()[b].path()));
        let mut locks = Vec::with_capacity(changed.len());
        for &i in &changed {
            locks.push(FileLock::acquire(kc.files()[i].path(), &opts, &|| {
                signals.pending()
            })?);
        }
        let stale = changed.iter().find(|&&i| {
            let f = &kc.files()[i];
            let now = std::fs::read_to_string(f.path()).ok();
            match (f.exists(), now) {
                (true, Some(text)) => text != f.original_text(),
                (false, None) => false,
                _ => true,
            }
        });
        if let Some(&i) = stale {
            last_contended = Some(kc.files()[i].path().to_path_buf());
            drop(locks);
            continue;
        }
        for &i in &changed {
            let f = &kc.files()[i];
            let text = f.render()?;
            crate::fsutil::remove_abandoned_temps(f.path());
            crate::fsutil::atomic_write(f.path(), text.as_bytes(), crate::fsutil::PRIVATE_MODE)
                .map_err(|source| KubeconfigError::Write {
                    path: f.path().to_path_buf(),
                    source,
                })?;
        }
        drop(locks);
        return Ok(result);
    }
    Err(KubeconfigError::Contended {
        path: last_contended.unwrap_or_default(),
    }
    .into())
}
