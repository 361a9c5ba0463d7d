//! Per-shell kubeconfigs for `devk switch --shell NAME`: one terminal works on a context
//! without changing the current context of every other terminal.
//!
//! The shell gets `KUBECONFIG=<per-shell file>:<the files it used before>`. The per-shell file
//! sets `current-context` and holds a copy of that context's entry. Because the first file
//! that defines a name wins, kubectl and devk in that shell see the chosen context, and a
//! namespace change there (`devk ns`, `kubectl config set-context --current --namespace`) lands
//! in the per-shell file only. Clusters and users still come from the original files.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::kubeconfig::yaml::{Mapping, Value};

use crate::kubeconfig::{Kind, Kubeconfig};

const PREFIX: &str = "shell-";

/// The folder holding per-shell kubeconfigs.
pub fn shells_dir(state_dir: &Path) -> PathBuf {
    state_dir.join("shells")
}

/// The contents of a per-shell kubeconfig for `context` (optionally with `namespace`).
pub fn per_shell_yaml(kc: &Kubeconfig, context: &str, namespace: Option<&str>) -> Option<String> {
    let origin = kc.origin(Kind::Context, context)?;
    let body = kc.files()[origin].entry(Kind::Context, context)?;
    let mut body = body.cloned().unwrap_or_default();
    if let Some(ns) = namespace {
        body.insert("namespace".into(), Value::String(ns.into()));
    }
    let mut entry = Mapping::new();
    entry.insert("context".into(), Value::Object(body));
    entry.insert("name".into(), Value::String(context.into()));
    let mut doc = Mapping::new();
    doc.insert("apiVersion".into(), "v1".into());
    doc.insert("kind".into(), "Config".into());
    doc.insert("current-context".into(), Value::String(context.into()));
    doc.insert("contexts".into(), Value::Array(vec![Value::Object(entry)]));
    Some(crate::kubeconfig::to_yaml(&Value::Object(doc)))
}

/// True when `path` is a per-shell kubeconfig in `dir`.
pub fn is_per_shell_file(dir: &Path, path: &Path) -> bool {
    path.parent() == Some(dir)
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(PREFIX))
}

/// A new per-shell file name for the shell process `owner`.
pub fn new_file_name(dir: &Path, owner: u32) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    dir.join(format!("{PREFIX}{owner}-{nanos:09}.yaml"))
}

/// The shell process the export is meant for. `eval "$(devk ...)"` runs devk in a subshell
/// of the user's shell; walking up past parents with the same command name finds the shell
/// that stays alive (Linux; elsewhere the direct parent).
pub fn owner_pid() -> u32 {
    let mut pid = std::os::unix::process::parent_id();
    for _ in 0..8 {
        let Some((comm, ppid)) = proc_stat(pid) else {
            break;
        };
        match proc_stat(ppid) {
            Some((parent_comm, _)) if parent_comm == comm && ppid > 1 => pid = ppid,
            _ => break,
        }
    }
    pid
}

/// (command name, parent pid) of a process, from /proc.
fn proc_stat(pid: u32) -> Option<(String, u32)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let open = stat.find('(')?;
    let close = stat.rfind(')')?;
    let comm = stat.get(open + 1..close)?.to_string();
    let ppid = stat
        .get(close + 2..)?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((comm, ppid))
}

fn pid_alive(pid: u32) -> Option<bool> {
    if !Path::new("/proc/self").exists() {
        return None;
    }
    Some(Path::new(&format!("/proc/{pid}")).exists())
}

/// Removes per-shell files whose shell has exited, and any not touched for `max_age`.
/// Returns how many were removed. `keep` is never removed.
pub fn clean_up(dir: &Path, max_age: Duration, keep: Option<&Path>) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut removed = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        if Some(path.as_path()) == keep || !is_per_shell_file(dir, &path) {
            continue;
        }
        let owner = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix(PREFIX))
            .and_then(|n| n.split('-').next())
            .and_then(|p| p.parse::<u32>().ok());
        let dead = owner.and_then(pid_alive).is_some_and(|alive| !alive);
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .is_some_and(|age| age > max_age);
        if (dead || old) && std::fs::remove_file(&path).is_ok() {
            removed += 1;
        }
    }
    removed
}

/// A shell command that sets KUBECONFIG to `files`, for bash/zsh or fish.
pub fn export_line(files: &[PathBuf], fish: bool) -> String {
    let joined = std::env::join_paths(files)
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let quoted = format!("'{}'", joined.replace('\'', r"'\''"));
    if fish {
        format!("set -gx KUBECONFIG {quoted}")
    } else {
        format!("export KUBECONFIG={quoted}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_line_quotes_for_the_shell() {
        let files = vec![PathBuf::from("/a/it's"), PathBuf::from("/b")];
        assert_eq!(
            export_line(&files, false),
            r"export KUBECONFIG='/a/it'\''s:/b'"
        );
        assert_eq!(
            export_line(&files, true),
            r"set -gx KUBECONFIG '/a/it'\''s:/b'"
        );
    }

    #[test]
    fn clean_up_removes_files_of_dead_shells_only() {
        let dir = tempfile::tempdir().unwrap();
        let alive = dir
            .path()
            .join(format!("{PREFIX}{}-1.yaml", std::process::id()));
        // PID 0x7ffffffe is far above pid_max on any Linux: never alive.
        let dead = dir
            .path()
            .join(format!("{PREFIX}{}-1.yaml", 0x7fff_fffe_u32));
        let other = dir.path().join("unrelated.yaml");
        for p in [&alive, &dead, &other] {
            std::fs::write(p, "x").unwrap();
        }
        assert_eq!(clean_up(dir.path(), Duration::from_secs(3600), None), 1);
        assert!(alive.exists() && !dead.exists() && other.exists());
        // Everything older than max_age goes, except the file being kept.
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(
            clean_up(dir.path(), Duration::from_millis(1), Some(&alive)),
            0
        );
        assert!(alive.exists());
    }
}
