//! Which files make up the kubeconfig, and which file kubectl would write new things to.
//! These rules follow client-go's `ClientConfigLoadingRules` and kubectl's `PathOptions`.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The ordered list of kubeconfig files in effect, and how it was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sources {
    /// Files in precedence order (first wins). Empty entries and duplicates removed.
    pub files: Vec<PathBuf>,
    /// How the list was chosen.
    pub origin: SourceOrigin,
}

/// Where the file list came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceOrigin {
    /// `--kubeconfig FILE`: exactly one file, which must exist.
    Explicit,
    /// The `KUBECONFIG` variable (a `:`-separated list).
    Env,
    /// `~/.kube/config`.
    Home,
}

impl Sources {
    /// Resolves the file list: `--kubeconfig`, else every file in `KUBECONFIG` (deduplicated,
    /// empty entries dropped), else `~/.kube/config`.
    pub fn resolve(explicit: Option<&Path>, env: Option<&OsStr>, home: &Path) -> Sources {
        if let Some(p) = explicit {
            return Sources {
                files: vec![p.to_path_buf()],
                origin: SourceOrigin::Explicit,
            };
        }
        if let Some(value) = env.filter(|v| !v.is_empty()) {
            let mut files: Vec<PathBuf> = Vec::new();
            for p in std::env::split_paths(value) {
                if !p.as_os_str().is_empty() && !files.contains(&p) {
                    files.push(p);
                }
            }
            if !files.is_empty() {
                return Sources {
                    files,
                    origin: SourceOrigin::Env,
                };
            }
        }
        Sources {
            files: vec![home.join(".kube").join("config")],
            origin: SourceOrigin::Home,
        }
    }

    /// Resolves from the process environment.
    pub fn from_env(explicit: Option<&Path>) -> Sources {
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()))
            .unwrap_or_else(|| PathBuf::from("."));
        Sources::resolve(explicit, std::env::var_os("KUBECONFIG").as_deref(), &home)
    }

    /// The file kubectl writes `current-context`, preferences and new entries to
    /// (`PathOptions.GetDefaultFilename`): the explicit file; else the single KUBECONFIG entry;
    /// else the first KUBECONFIG entry that exists; else the last one; else `~/.kube/config`.
    pub fn destination(&self, exists: impl Fn(&Path) -> bool) -> &Path {
        match self.origin {
            SourceOrigin::Explicit | SourceOrigin::Home => &self.files[0],
            SourceOrigin::Env => {
                if self.files.len() == 1 {
                    return &self.files[0];
                }
                self.files
                    .iter()
                    .find(|f| exists(f))
                    .unwrap_or(&self.files[self.files.len() - 1])
            }
        }
    }

    /// A short human description for messages: one path, or `KUBECONFIG (n files)`.
    pub fn describe(&self) -> String {
        match (&self.origin, self.files.as_slice()) {
            (_, [one]) => one.display().to_string(),
            _ => format!(
                "KUBECONFIG ({})",
                self.files
                    .iter()
                    .map(|f| f.display().to_string())
                    .collect::<Vec<_>>()
                    .join(":")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn p(s: &str) -> PathBuf {
        PathBuf::from(s)
    }

    #[rstest]
    #[case::explicit_wins_over_env(Some("/x/cfg"), Some("/a:/b"), &["/x/cfg"], SourceOrigin::Explicit)]
    #[case::env_list_in_order(None, Some("/a:/b:/c"), &["/a", "/b", "/c"], SourceOrigin::Env)]
    #[case::env_duplicates_removed(None, Some("/a:/b:/a"), &["/a", "/b"], SourceOrigin::Env)]
    #[case::env_empty_entries_skipped(None, Some(":/a::/b:"), &["/a", "/b"], SourceOrigin::Env)]
    #[case::empty_env_falls_back_to_home(None, Some(""), &["/home/u/.kube/config"], SourceOrigin::Home)]
    #[case::only_colons_falls_back_to_home(None, Some("::"), &["/home/u/.kube/config"], SourceOrigin::Home)]
    #[case::no_env_uses_home(None, None, &["/home/u/.kube/config"], SourceOrigin::Home)]
    fn resolve_picks_files_like_client_go(
        #[case] explicit: Option<&str>,
        #[case] env: Option<&str>,
        #[case] want: &[&str],
        #[case] origin: SourceOrigin,
    ) {
        let s = Sources::resolve(
            explicit.map(Path::new),
            env.map(OsStr::new),
            Path::new("/home/u"),
        );
        assert_eq!(s.files, want.iter().map(|w| p(w)).collect::<Vec<_>>());
        assert_eq!(s.origin, origin);
    }

    #[rstest]
    #[case::single_env_entry_even_if_missing("/a", &[], "/a")]
    #[case::first_existing_entry("/a:/b:/c", &["/b", "/c"], "/b")]
    #[case::last_entry_when_none_exist("/a:/b:/c", &[], "/c")]
    fn destination_matches_kubectl(
        #[case] env: &str,
        #[case] existing: &[&str],
        #[case] want: &str,
    ) {
        let s = Sources::resolve(None, Some(OsStr::new(env)), Path::new("/h"));
        let dest = s.destination(|f| existing.iter().any(|e| Path::new(e) == f));
        assert_eq!(dest, Path::new(want));
    }

    #[test]
    fn destination_is_explicit_file() {
        let s = Sources::resolve(
            Some(Path::new("/x")),
            Some(OsStr::new("/a:/b")),
            Path::new("/h"),
        );
        assert_eq!(s.destination(|_| true), Path::new("/x"));
    }
}
