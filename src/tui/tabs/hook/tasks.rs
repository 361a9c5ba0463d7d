//! Reads the pre-push hook's state in the repository around the current directory.

use super::state::HookInfo;

/// The hook's state and the last scan's record (blocking: reads git's files).
pub(crate) fn load() -> Result<Box<HookInfo>, String> {
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let status = crate::githook::install::status(&cwd).map_err(|e| e.to_string())?;
    let last_scan = crate::githook::last_scan(&cwd).map_err(|e| e.to_string())?;
    Ok(Box::new(HookInfo { status, last_scan }))
}
