//! Registry credentials from the user's Docker config, found the way the Docker CLI finds
//! them: `$DOCKER_CONFIG/config.json` (or `~/.docker/config.json`); per registry a
//! `credHelpers` entry first, then the global `credsStore`, then the `auths` entry (`auth` =
//! base64 `user:pass`, or `username`/`password`, or `identitytoken`).
//!
//! Registry keys are matched as Docker matches them: Docker Hub is stored under
//! `https://index.docker.io/v1/`, every other registry under `host[:port]`; legacy keys written
//! with a scheme or a path (`https://host:5000/v1/`) match their `host[:port]`.
//!
//! Parsing and lookup are pure ([`DockerConfig::parse`], [`DockerConfig::source_for`]); only
//! [`run_helper`] starts a process (`docker-credential-<name> get`, the documented helper
//! protocol: server URL on stdin, `{"Username","Secret"}` JSON on stdout).

use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::encoding::base64_decode;

/// The key Docker stores Docker Hub credentials under.
pub const DOCKER_HUB_KEY: &str = "https://index.docker.io/v1/";

/// Credentials for one registry. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    Basic {
        username: String,
        password: String,
    },
    /// An OAuth identity (refresh) token, as `docker login` stores for some registries.
    IdentityToken(String),
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credentials::Basic { username, .. } => {
                write!(f, "Basic {{ username: {username:?}, password: *** }}")
            }
            Credentials::IdentityToken(_) => f.write_str("IdentityToken(***)"),
        }
    }
}

impl Credentials {
    /// The user name to show (never the secret).
    pub fn username(&self) -> &str {
        match self {
            Credentials::Basic { username, .. } => username,
            Credentials::IdentityToken(_) => "<token>",
        }
    }
}

/// Where the credentials for a registry come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `credHelpers[key]` or `credsStore`: run `docker-credential-<helper> get` with `server`.
    Helper {
        helper: String,
        server: String,
        /// The `auths` entry to fall back on when the helper has nothing for the registry.
        fallback: Option<Credentials>,
    },
    /// An `auths` entry with credentials in the file.
    File(Credentials),
    /// Nothing configured: push anonymously.
    None,
}

/// Why the Docker config or a credential helper could not give credentials.
#[derive(Debug, thiserror::Error)]
pub enum CredsError {
    #[error("cannot read Docker config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Docker config {path} is not valid JSON: {problem}; fix or remove the file")]
    Parse { path: PathBuf, problem: String },
    #[error(
        "Docker config {path}: the `auth` of `auths.{key}` is not base64 `user:password`; \
         run `docker login {key}` again"
    )]
    BadAuth { path: PathBuf, key: String },
    #[error(
        "credential helper `docker-credential-{helper}` for {server} failed: {problem}; \
         check the helper (or `credHelpers`/`credsStore` in {path})"
    )]
    Helper {
        helper: String,
        server: String,
        path: PathBuf,
        problem: String,
    },
}

#[derive(Debug, Default, Deserialize)]
struct RawConfig {
    #[serde(default)]
    auths: BTreeMap<String, RawAuth>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawAuth {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// A parsed Docker config.
#[derive(Debug, Default)]
pub struct DockerConfig {
    /// The file it came from (for messages); may not exist.
    pub path: PathBuf,
    raw: RawConfig,
}

/// The Docker config file the Docker CLI reads: `$DOCKER_CONFIG/config.json`, else
/// `~/.docker/config.json`.
pub fn config_path() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir).join("config.json"));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
        .or_else(|| directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf()))
        .map(|h| h.join(".docker").join("config.json"))
}

/// The key a registry's credentials are stored under: `https://index.docker.io/v1/` for
/// Docker Hub, `host[:port]` (lower-case host) otherwise.
pub fn registry_key(registry: &str) -> String {
    let r = registry.to_ascii_lowercase();
    if matches!(
        r.as_str(),
        "docker.io" | "index.docker.io" | "registry-1.docker.io"
    ) {
        DOCKER_HUB_KEY.to_string()
    } else {
        r
    }
}

/// `host[:port]` of a key written as a URL (`https://host:5000/v1/`), as Docker's
/// `ConvertToHostname` reads legacy keys.
fn key_hostname(key: &str) -> String {
    let rest = key
        .strip_prefix("http://")
        .or_else(|| key.strip_prefix("https://"))
        .unwrap_or(key);
    rest.split('/').next().unwrap_or(rest).to_ascii_lowercase()
}

impl DockerConfig {
    /// Reads the Docker config at `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<DockerConfig, CredsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => DockerConfig::parse(&text, path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DockerConfig {
                path: path.to_path_buf(),
                raw: RawConfig::default(),
            }),
            Err(source) => Err(CredsError::Read {
                path: path.to_path_buf(),
                source,
            }),
        }
    }

    /// Parses config text (`path` only names the file in errors).
    pub fn parse(text: &str, path: &Path) -> Result<DockerConfig, CredsError> {
        let raw = if text.trim().is_empty() {
            RawConfig::default()
        } else {
            serde_json::from_str(text).map_err(|e| CredsError::Parse {
                path: path.to_path_buf(),
                problem: e.to_string(),
            })?
        };
        Ok(DockerConfig {
            path: path.to_path_buf(),
            raw,
        })
    }

    /// Where the credentials for `registry` (`host[:port]` or `docker.io`) come from.
    pub fn source_for(&self, registry: &str) -> Result<Source, CredsError> {
        let key = registry_key(registry);
        let file = self.file_entry(&key)?;
        let helper = self
            .raw
            .cred_helpers
            .iter()
            .find(|(k, _)| **k == key || key_hostname(k) == key_hostname(&key))
            .map(|(_, h)| h.clone())
            .or_else(|| self.raw.creds_store.clone())
            .filter(|h| !h.is_empty());
        Ok(match (helper, file) {
            (Some(helper), fallback) => Source::Helper {
                helper,
                server: key,
                fallback,
            },
            (None, Some(c)) => Source::File(c),
            (None, None) => Source::None,
        })
    }

    /// The `auths` entry for `key`: the exact key first, then any legacy key naming the same
    /// `host[:port]`.
    fn file_entry(&self, key: &str) -> Result<Option<Credentials>, CredsError> {
        let want = key_hostname(key);
        let found = self
            .raw
            .auths
            .get_key_value(key)
            .or_else(|| self.raw.auths.iter().find(|(k, _)| key_hostname(k) == want));
        let Some((k, entry)) = found else {
            return Ok(None);
        };
        let bad = || CredsError::BadAuth {
            path: self.path.clone(),
            key: k.clone(),
        };
        if let Some(token) = entry.identitytoken.as_deref().filter(|t| !t.is_empty()) {
            return Ok(Some(Credentials::IdentityToken(token.to_string())));
        }
        if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let bytes = base64_decode(auth.trim().as_bytes()).ok_or_else(bad)?;
            let text = String::from_utf8(bytes).map_err(|_| bad())?;
            let (user, pass) = text.split_once(':').ok_or_else(bad)?;
            return Ok(Some(Credentials::Basic {
                username: user.to_string(),
                password: pass.trim_end_matches('\n').to_string(),
            }));
        }
        match (&entry.username, &entry.password) {
            (Some(u), Some(p)) if !u.is_empty() => Ok(Some(Credentials::Basic {
                username: u.clone(),
                password: p.clone(),
            })),
            _ => Ok(None),
        }
    }
}

/// What a credential helper printed for `get`.
#[derive(Debug, Deserialize)]
struct HelperReply {
    #[serde(rename = "Username", default)]
    username: String,
    #[serde(rename = "Secret", default)]
    secret: String,
}

/// Parses a helper's `get` output; `<token>` as user name means the secret is an identity
/// token (the helper protocol's convention).
pub fn parse_helper_reply(stdout: &[u8]) -> Result<Credentials, String> {
    let reply: HelperReply = serde_json::from_slice(stdout)
        .map_err(|e| format!("its output is not the JSON the helper protocol defines ({e})"))?;
    if reply.username == "<token>" {
        Ok(Credentials::IdentityToken(reply.secret))
    } else {
        Ok(Credentials::Basic {
            username: reply.username,
            password: reply.secret,
        })
    }
}

/// Resolves a [`Source`] to credentials, running the helper when there is one. A helper that
/// reports "credentials not found" gives the `auths` fallback, or none.
pub fn resolve(source: Source, config_path: &Path) -> Result<Option<Credentials>, CredsError> {
    match source {
        Source::None => Ok(None),
        Source::File(c) => Ok(Some(c)),
        Source::Helper {
            helper,
            server,
            fallback,
        } => match run_helper(&helper, &server) {
            Ok(found) => Ok(found.or(fallback)),
            Err(problem) => Err(CredsError::Helper {
                helper,
                server,
                path: config_path.to_path_buf(),
                problem,
            }),
        },
    }
}

/// Runs `docker-credential-<helper> get` with `server` on stdin. `Ok(None)` when the helper
/// has no credentials for the server.
pub fn run_helper(helper: &str, server: &str) -> Result<Option<Credentials>, String> {
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{program}`: {e} (is it installed and on PATH?)"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(server.as_bytes())
            .map_err(|e| format!("cannot write to `{program}`: {e}"))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("`{program}` did not finish: {e}"))?;
    if out.status.success() {
        return parse_helper_reply(&out.stdout).map(Some);
    }
    // The protocol's "not found" answer; anything else is a real failure. The helper's own
    // output is not shown beyond its first line: it never carries the secret on failure, but
    // stay short.
    let said =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if said.to_ascii_lowercase().contains("credentials not found") {
        return Ok(None);
    }
    let first = said.lines().next().unwrap_or("").trim().to_string();
    Err(format!(
        "`{program} get` exited with {}: {first}",
        out.status
    ))
}

#[cfg(test)]
#[path = "dockerconfig_tests.rs"]
mod tests;
