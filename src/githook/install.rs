//! Installing, removing and inspecting the pre-push hook.
//!
//! The hooks directory is the one git really uses, so git itself is asked
//! (`git rev-parse --git-path hooks`): that honours `core.hooksPath` (relative to the work
//! tree, `~/` expanded, set in any config file git reads), linked worktrees (whose hooks live
//! in the main repository) and `.git` files that point elsewhere.
//!
//! A pre-push hook that is not devk's is never overwritten: it is renamed to
//! `pre-push.devk-chained` next to devk's hook, which runs it first with the same arguments and
//! input and stops the push with its exit code if it fails. Uninstalling puts it back.

use std::fs;
use std::io;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Serialize;

use super::HookError;

/// The hook script, with `@DEVK_BIN@` standing for the quoted path of devk at install time.
pub const TEMPLATE: &str = include_str!("../../assets/pre-push.sh");

/// The line that marks a hook as devk's, followed by the template version.
pub const MARKER: &str = "# devk-managed-hook: pre-push v";

/// The version of the template above; a hook with an older one is reported as outdated.
pub const TEMPLATE_VERSION: u32 = 1;

/// The name the previous hook is kept under.
pub const CHAINED_NAME: &str = "pre-push.devk-chained";

/// The pre-commit hook script (`devk hook install --pre-commit`).
pub const PRE_COMMIT_TEMPLATE: &str = include_str!("../../assets/pre-commit.sh");

/// Which of devk's hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookKind {
    /// Scans the commits being pushed (the default).
    PrePush,
    /// Scans the staged changes before a commit is made.
    PreCommit,
}

impl HookKind {
    /// The hook's file name in the hooks directory.
    pub fn file_name(self) -> &'static str {
        match self {
            HookKind::PrePush => "pre-push",
            HookKind::PreCommit => "pre-commit",
        }
    }

    fn template(self) -> &'static str {
        match self {
            HookKind::PrePush => TEMPLATE,
            HookKind::PreCommit => PRE_COMMIT_TEMPLATE,
        }
    }

    fn marker(self) -> &'static str {
        match self {
            HookKind::PrePush => MARKER,
            HookKind::PreCommit => "# devk-managed-hook: pre-commit v",
        }
    }

    /// The name the hook that was there before devk's is kept under.
    pub fn chained_name(self) -> String {
        format!("{}.devk-chained", self.file_name())
    }

    /// The template version of a devk hook of this kind, `None` for any other file.
    pub fn version_in(self, text: &str) -> Option<u32> {
        text.lines()
            .find_map(|l| l.strip_prefix(self.marker()))
            .and_then(|v| v.trim().parse().ok())
    }
}

/// Where git looks for this repository's hooks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HooksLocation {
    /// The hooks directory (absolute).
    pub dir: PathBuf,
    /// The `core.hooksPath` value, when one is set.
    pub hooks_path: Option<String>,
    /// The repository's common git directory (the main `.git`, also for linked worktrees).
    pub common_dir: PathBuf,
}

impl HooksLocation {
    pub fn hook(&self) -> PathBuf {
        self.hook_for(HookKind::PrePush)
    }

    pub fn chained(&self) -> PathBuf {
        self.chained_for(HookKind::PrePush)
    }

    /// The path of devk's hook of `kind`.
    pub fn hook_for(&self, kind: HookKind) -> PathBuf {
        self.dir.join(kind.file_name())
    }

    /// The path the previous hook of `kind` is kept under.
    pub fn chained_for(&self, kind: HookKind) -> PathBuf {
        self.dir.join(kind.chained_name())
    }
}

/// Asks git where the hooks of the repository containing `repo_dir` live.
pub fn locate(repo_dir: &Path) -> Result<HooksLocation, HookError> {
    let out = git(
        repo_dir,
        &["rev-parse", "--git-common-dir", "--git-path", "hooks"],
    )?;
    let mut lines = out.lines();
    let (Some(common), Some(hooks)) = (lines.next(), lines.next()) else {
        return Err(HookError::Internal(format!(
            "unexpected output from `git rev-parse`: {out:?}"
        )));
    };
    // rev-parse prints these relative to the directory it ran in.
    let base = fs::canonicalize(repo_dir).unwrap_or_else(|_| repo_dir.to_path_buf());
    let common_dir = normalize(&base.join(common));
    let dir = normalize(&base.join(hooks));
    let hooks_path = git(repo_dir, &["config", "--get", "core.hooksPath"])
        .ok()
        .map(|v| v.trim_end_matches('\n').to_owned())
        .filter(|v| !v.is_empty());
    Ok(HooksLocation {
        dir,
        hooks_path,
        common_dir,
    })
}

/// Runs git in `dir` and returns its stdout; a failure carries git's message.
fn git(dir: &Path, args: &[&str]) -> Result<String, HookError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| {
            if e.kind() == io::ErrorKind::NotFound {
                HookError::GitMissing
            } else {
                HookError::Internal(format!("cannot run git: {e}"))
            }
        })?;
    if !out.status.success() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        if stderr.contains("not a git repository") {
            return Err(HookError::NotARepo(dir.to_path_buf()));
        }
        return Err(HookError::Git(stderr.trim().to_owned()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Removes `.` and `a/..` from an absolute path without touching the filesystem (the hooks
/// directory may not exist yet).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The hook text for a devk binary at `devk_bin`.
pub fn render(devk_bin: &Path) -> String {
    render_for(HookKind::PrePush, devk_bin)
}

/// The text of the hook of `kind` for a devk binary at `devk_bin`.
pub fn render_for(kind: HookKind, devk_bin: &Path) -> String {
    kind.template()
        .replace("@DEVK_BIN@", &shell_quote(&devk_bin.to_string_lossy()))
}

fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The template version of a devk pre-push hook, `None` for any other file.
pub fn devk_version(text: &str) -> Option<u32> {
    HookKind::PrePush.version_in(text)
}

/// The devk path recorded in a devk hook.
fn recorded_bin(text: &str) -> Option<String> {
    let value = text
        .lines()
        .find_map(|l| l.strip_prefix("devk_installed="))?;
    let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace(r"'\''", "'"))
}

/// What `install` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallReport {
    pub location: HooksLocation,
    pub action: InstallAction,
    /// The previous hook, now run first by devk's.
    pub chained: Option<PathBuf>,
    /// A stale chained hook moved aside by `--force`.
    pub moved_aside: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstallAction {
    /// No hook was there.
    Installed,
    /// A foreign hook was there; it is now chained.
    Chained,
    /// devk's hook was there; it was rewritten (a newer template or another devk path).
    Updated,
    /// devk's hook was there, exactly as it would be written now.
    Unchanged,
}

/// Installs devk's pre-push hook in the repository containing `repo_dir`; the hook records
/// `devk_bin` as the fallback path of devk. `force` resolves the one case that is refused:
/// a foreign hook while a chained hook from an earlier install is still there.
pub fn install(repo_dir: &Path, devk_bin: &Path, force: bool) -> Result<InstallReport, HookError> {
    install_hook(HookKind::PrePush, repo_dir, devk_bin, force)
}

/// [`install`] for the hook of `kind`.
pub fn install_hook(
    kind: HookKind,
    repo_dir: &Path,
    devk_bin: &Path,
    force: bool,
) -> Result<InstallReport, HookError> {
    let location = locate(repo_dir)?;
    let hook = location.hook_for(kind);
    let chained = location.chained_for(kind);
    let text = render_for(kind, devk_bin);
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| HookError::Io { path, source }
    };
    fs::create_dir_all(&location.dir).map_err(io_err(&location.dir))?;

    let mut report = InstallReport {
        location: location.clone(),
        action: InstallAction::Installed,
        chained: None,
        moved_aside: None,
    };
    match fs::symlink_metadata(&hook) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&hook)(e)),
        Ok(meta) if meta.is_dir() => {
            return Err(HookError::Refused(format!(
                "{} is a directory, not a hook; move it away and run `devk hook install` again",
                hook.display()
            )));
        }
        Ok(_) => {
            // A dangling symlink reads as missing: it is a foreign hook all the same.
            let existing = fs::read(&hook).unwrap_or_default();
            let existing = String::from_utf8_lossy(&existing);
            if kind.version_in(&existing).is_some() {
                report.action = if existing == text {
                    InstallAction::Unchanged
                } else {
                    InstallAction::Updated
                };
            } else {
                if fs::symlink_metadata(&chained).is_ok() {
                    if !force {
                        return Err(HookError::Refused(format!(
                            "{} is not devk's hook, and {} (kept by an earlier install) is in \
                             the way of chaining it. Run `devk hook install --force` to chain \
                             the current hook and move the older one to {}.old, or sort the \
                             two out by hand",
                            hook.display(),
                            chained.display(),
                            chained.display()
                        )));
                    }
                    let aside = location.dir.join(format!("{}.old", kind.chained_name()));
                    fs::rename(&chained, &aside).map_err(io_err(&chained))?;
                    report.moved_aside = Some(aside);
                }
                fs::rename(&hook, &chained).map_err(io_err(&hook))?;
                report.action = InstallAction::Chained;
            }
        }
    }
    if fs::symlink_metadata(&chained).is_ok() {
        report.chained = Some(chained);
    }
    if report.action != InstallAction::Unchanged {
        crate::fsutil::atomic_write(&hook, text.as_bytes(), 0o755).map_err(io_err(&hook))?;
    }
    make_executable(&hook).map_err(io_err(&hook))?;
    Ok(report)
}

/// Sets the execute bits where the read bits are (git skips hooks that are not executable).
fn make_executable(path: &Path) -> io::Result<()> {
    let mut perms = fs::metadata(path)?.permissions();
    let mode = perms.mode();
    let wanted = mode | ((mode & 0o444) >> 2);
    if wanted != mode {
        perms.set_mode(wanted);
        fs::set_permissions(path, perms)?;
    }
    Ok(())
}

/// What `uninstall` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UninstallReport {
    pub location: HooksLocation,
    /// devk's hook was there and was removed.
    pub removed: bool,
    /// The chained hook that is back in place as `pre-push`.
    pub restored: Option<PathBuf>,
}

/// Removes devk's hook and puts back the hook it chained. A hook that is not devk's is left
/// alone (an error). With no hook there, nothing happens.
pub fn uninstall(repo_dir: &Path) -> Result<UninstallReport, HookError> {
    uninstall_hook(HookKind::PrePush, repo_dir)
}

/// [`uninstall`] for the hook of `kind`.
pub fn uninstall_hook(kind: HookKind, repo_dir: &Path) -> Result<UninstallReport, HookError> {
    let location = locate(repo_dir)?;
    let hook = location.hook_for(kind);
    let chained = location.chained_for(kind);
    let mut report = UninstallReport {
        location: location.clone(),
        removed: false,
        restored: None,
    };
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| HookError::Io { path, source }
    };
    match fs::symlink_metadata(&hook) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(io_err(&hook)(e)),
        Ok(_) => {
            let text = fs::read(&hook).unwrap_or_default();
            if kind.version_in(&String::from_utf8_lossy(&text)).is_none() {
                return Err(HookError::Refused(format!(
                    "{} is not devk's hook; it was left as it is",
                    hook.display()
                )));
            }
            fs::remove_file(&hook).map_err(io_err(&hook))?;
            report.removed = true;
        }
    }
    if fs::symlink_metadata(&chained).is_ok() {
        fs::rename(&chained, &hook).map_err(io_err(&chained))?;
        report.restored = Some(hook);
    }
    Ok(report)
}

/// What is installed as the pre-push hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum HookState {
    /// No pre-push hook.
    Missing,
    /// devk's hook. `current` is false for a hook written by an older devk (run
    /// `devk hook install` to update it); `executable` false means git will skip it.
    Devk {
        version: u32,
        current: bool,
        executable: bool,
        /// The devk path recorded at install time (used when devk is not on PATH).
        devk_bin: Option<String>,
    },
    /// Some other pre-push hook: devk's is not installed.
    Foreign,
}

/// The hook's state in one repository, for `devk hook status` and the TUI.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookStatus {
    pub location: HooksLocation,
    pub hook: PathBuf,
    pub state: HookState,
    /// The previous hook that devk's runs first, when there is one.
    pub chained: Option<PathBuf>,
}

/// Reports what is installed in the repository containing `repo_dir`.
pub fn status(repo_dir: &Path) -> Result<HookStatus, HookError> {
    status_of(HookKind::PrePush, repo_dir)
}

/// [`status`] for the hook of `kind`.
pub fn status_of(kind: HookKind, repo_dir: &Path) -> Result<HookStatus, HookError> {
    let location = locate(repo_dir)?;
    let hook = location.hook_for(kind);
    let chained = location.chained_for(kind);
    let state = match fs::read(&hook) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(&hook).is_ok() {
                HookState::Foreign
            } else {
                HookState::Missing
            }
        }
        Err(source) => return Err(HookError::Io { path: hook, source }),
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            match kind.version_in(&text) {
                Some(version) => HookState::Devk {
                    version,
                    current: version == TEMPLATE_VERSION,
                    executable: fs::metadata(&hook)
                        .is_ok_and(|m| m.permissions().mode() & 0o111 != 0),
                    devk_bin: recorded_bin(&text),
                },
                None => HookState::Foreign,
            }
        }
    };
    Ok(HookStatus {
        location,
        hook,
        state,
        chained: fs::symlink_metadata(&chained).is_ok().then_some(chained),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_is_marked_with_the_current_version() {
        let text = render(Path::new("/opt/devk/bin/devk"));
        assert_eq!(devk_version(&text), Some(TEMPLATE_VERSION));
        assert!(text.starts_with("#!/bin/sh\n"));
        assert!(text.contains("devk_installed='/opt/devk/bin/devk'\n"));
        assert!(text.contains("git push --no-verify"));
        assert_eq!(recorded_bin(&text).as_deref(), Some("/opt/devk/bin/devk"));
        assert_eq!(devk_version("#!/bin/sh\nexec lint\n"), None);
    }

    #[test]
    fn recorded_path_survives_quotes() {
        let text = render(Path::new("/home/o'neil/bin/devk"));
        assert!(text.contains(r"devk_installed='/home/o'\''neil/bin/devk'"));
        assert_eq!(
            recorded_bin(&text).as_deref(),
            Some("/home/o'neil/bin/devk")
        );
    }

    #[test]
    fn normalize_drops_dot_dot() {
        assert_eq!(
            normalize(Path::new("/r/sub/../.git/./hooks")),
            PathBuf::from("/r/.git/hooks")
        );
    }
}
