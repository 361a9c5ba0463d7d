//! Which Docker Engine to talk to, and a connection to it.
//!
//! The endpoint is chosen the way the docker CLI chooses it: `DOCKER_HOST` first, then the
//! docker context (`DOCKER_CONTEXT`, else `currentContext` in `$DOCKER_CONFIG/config.json`,
//! whose endpoint lives in `contexts/meta/<sha256(name)>/meta.json`), else the default
//! socket `/var/run/docker.sock`. A minikube profile's daemon comes from the variables of
//! `minikube docker-env` ([`Endpoint::from_env_vars`]). [`Endpoint::describe`] says which one
//! was used, so every error and progress line can name it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use bollard::{API_DEFAULT_VERSION, Docker};

use crate::exit::Exit;

/// The socket the docker CLI uses when nothing else is configured.
pub const DEFAULT_HOST: &str = "unix:///var/run/docker.sock";

/// Seconds bollard waits for a response to start. Builds answer as soon as the context is
/// uploaded, but a large context on a slow link can take minutes.
const TIMEOUT_SECS: u64 = 600;

/// Why talking to the engine failed.
#[derive(Debug, thiserror::Error)]
pub enum DockerError {
    #[error(
        "cannot reach the Docker Engine at {endpoint} ({source_of}): {reason}\n  \
         start dockerd (or Docker Desktop), or point DOCKER_HOST / `docker context use` at a running engine"
    )]
    Unreachable {
        endpoint: String,
        source_of: String,
        reason: String,
    },
    #[error("{file}: {message}")]
    Config { file: String, message: String },
    #[error(
        "docker context `{name}` not found (looked for {meta}); list contexts with `docker context ls`"
    )]
    ContextNotFound { name: String, meta: String },
    #[error("Docker endpoint `{host}` from {source_of} is not supported: {why}")]
    Unsupported {
        host: String,
        source_of: String,
        why: String,
    },
}

impl DockerError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Unreachable { .. } => Exit::Unreachable,
            Self::Config { .. } | Self::Unsupported { .. } => Exit::Config,
            Self::ContextNotFound { .. } => Exit::NotFound,
        }
    }
}

/// Where an endpoint came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The `DOCKER_HOST` variable.
    DockerHostEnv,
    /// A docker context; `meta` is its meta.json.
    Context { name: String, meta: PathBuf },
    /// Nothing configured: the default socket.
    Default,
    /// `minikube docker-env` for a profile.
    Minikube { profile: String },
    /// Given explicitly (tests, `--host`).
    Explicit,
}

/// Client certificate files for a TLS endpoint (`ca.pem`, `cert.pem`, `key.pem`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub dir: PathBuf,
}

/// A Docker Engine address plus how to reach it and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// `unix:///path`, `tcp://host:port`, `http://...`.
    pub host: String,
    pub tls: Option<TlsFiles>,
    pub source: Source,
}

/// The process environment as far as endpoint selection cares (plain values, so tests can
/// make one without touching the real environment).
#[derive(Debug, Clone, Default)]
pub struct EnvSnapshot {
    pub docker_host: Option<String>,
    pub docker_tls_verify: Option<String>,
    pub docker_cert_path: Option<String>,
    pub docker_context: Option<String>,
    /// `$DOCKER_CONFIG`, else `$HOME/.docker`.
    pub config_dir: Option<PathBuf>,
}

impl EnvSnapshot {
    /// Reads the variables of the running process. Empty values count as unset, as in docker.
    pub fn from_process() -> EnvSnapshot {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let config_dir = var("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| Path::new(&h).join(".docker")));
        EnvSnapshot {
            docker_host: var("DOCKER_HOST"),
            docker_tls_verify: var("DOCKER_TLS_VERIFY"),
            docker_cert_path: var("DOCKER_CERT_PATH"),
            docker_context: var("DOCKER_CONTEXT"),
            config_dir,
        }
    }
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Source::DockerHostEnv => "from DOCKER_HOST".into(),
            Source::Context { name, meta } => {
                format!("docker context `{name}`, {}", meta.display())
            }
            Source::Default => "the default socket; set DOCKER_HOST to use another".into(),
            Source::Minikube { profile } => {
                format!("minikube profile `{profile}`, from `minikube docker-env`")
            }
            Source::Explicit => "given explicitly".into(),
        }
    }
}

impl Endpoint {
    /// An endpoint given explicitly, without TLS.
    pub fn explicit(host: &str) -> Endpoint {
        Endpoint {
            host: host.to_string(),
            tls: None,
            source: Source::Explicit,
        }
    }

    /// One line naming the address and where it came from, e.g.
    /// `unix:///var/run/docker.sock (the default socket; ...)`.
    pub fn describe(&self) -> String {
        let tls = if self.tls.is_some() { ", TLS" } else { "" };
        format!("{} ({}{tls})", self.host, self.source.describe())
    }

    /// Chooses the endpoint as the docker CLI does: DOCKER_HOST, the docker context, the
    /// default socket.
    pub fn resolve(env: &EnvSnapshot) -> Result<Endpoint, DockerError> {
        if let Some(host) = &env.docker_host {
            let tls = tls_from_env(env);
            return Ok(Endpoint {
                host: host.clone(),
                tls,
                source: Source::DockerHostEnv,
            });
        }
        let Some(dir) = &env.config_dir else {
            return Ok(default_endpoint());
        };
        let name = match &env.docker_context {
            Some(n) => Some(n.clone()),
            None => current_context(&dir.join("config.json"))?,
        };
        match name {
            None => Ok(default_endpoint()),
            Some(n) if n == "default" => Ok(default_endpoint()),
            Some(n) => context_endpoint(dir, &n),
        }
    }

    /// The endpoint that `minikube docker-env` describes for `profile`.
    pub fn from_env_vars(
        vars: &[(String, String)],
        profile: &str,
    ) -> Result<Endpoint, DockerError> {
        let get = |k: &str| {
            vars.iter()
                .find(|(n, v)| n == k && !v.is_empty())
                .map(|(_, v)| v.clone())
        };
        let Some(host) = get("DOCKER_HOST") else {
            return Err(DockerError::Config {
                file: "minikube docker-env".into(),
                message: format!("no DOCKER_HOST for profile `{profile}`"),
            });
        };
        let env = EnvSnapshot {
            docker_host: Some(host.clone()),
            docker_tls_verify: get("DOCKER_TLS_VERIFY"),
            docker_cert_path: get("DOCKER_CERT_PATH"),
            docker_context: None,
            config_dir: None,
        };
        Ok(Endpoint {
            host,
            tls: tls_from_env(&env),
            source: Source::Minikube {
                profile: profile.to_string(),
            },
        })
    }
}

fn default_endpoint() -> Endpoint {
    Endpoint {
        host: DEFAULT_HOST.into(),
        tls: None,
        source: Source::Default,
    }
}

/// DOCKER_TLS_VERIFY (any non-empty value, as in the docker CLI) turns TLS on with the
/// certificates in DOCKER_CERT_PATH (default: the docker config dir).
fn tls_from_env(env: &EnvSnapshot) -> Option<TlsFiles> {
    env.docker_tls_verify.as_ref()?;
    let dir = env
        .docker_cert_path
        .as_ref()
        .map(PathBuf::from)
        .or_else(|| env.config_dir.clone())?;
    Some(TlsFiles { dir })
}

#[derive(serde::Deserialize)]
struct ConfigJson {
    #[serde(rename = "currentContext", default)]
    current_context: Option<String>,
}

fn current_context(path: &Path) -> Result<Option<String>, DockerError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(DockerError::Config {
                file: path.display().to_string(),
                message: format!("cannot read: {e}"),
            });
        }
    };
    let cfg: ConfigJson = serde_json::from_str(&text).map_err(|e| DockerError::Config {
        file: path.display().to_string(),
        message: format!("not valid JSON: {e}; fix or remove the file"),
    })?;
    Ok(cfg.current_context.filter(|c| !c.is_empty()))
}

#[derive(serde::Deserialize)]
struct MetaJson {
    #[serde(rename = "Endpoints", default)]
    endpoints: std::collections::HashMap<String, MetaEndpoint>,
}

#[derive(serde::Deserialize)]
struct MetaEndpoint {
    #[serde(rename = "Host", default)]
    host: Option<String>,
    #[serde(rename = "SkipTLSVerify", default)]
    skip_tls_verify: bool,
}

/// The directory name docker uses for a context: the hex SHA-256 of its name.
pub fn context_dir_name(name: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, name.as_bytes());
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn context_endpoint(config_dir: &Path, name: &str) -> Result<Endpoint, DockerError> {
    let id = context_dir_name(name);
    let meta = config_dir
        .join("contexts")
        .join("meta")
        .join(&id)
        .join("meta.json");
    let text = match std::fs::read_to_string(&meta) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DockerError::ContextNotFound {
                name: name.to_string(),
                meta: meta.display().to_string(),
            });
        }
        Err(e) => {
            return Err(DockerError::Config {
                file: meta.display().to_string(),
                message: format!("cannot read: {e}"),
            });
        }
    };
    let parsed: MetaJson = serde_json::from_str(&text).map_err(|e| DockerError::Config {
        file: meta.display().to_string(),
        message: format!("not valid JSON: {e}"),
    })?;
    let source = Source::Context {
        name: name.to_string(),
        meta: meta.clone(),
    };
    let Some(ep) = parsed.endpoints.get("docker") else {
        return Err(DockerError::Config {
            file: meta.display().to_string(),
            message: format!("context `{name}` has no `Endpoints.docker`"),
        });
    };
    let Some(host) = ep.host.clone().filter(|h| !h.is_empty()) else {
        return Err(DockerError::Config {
            file: meta.display().to_string(),
            message: format!("context `{name}` has no `Endpoints.docker.Host`"),
        });
    };
    let tls_dir = config_dir
        .join("contexts")
        .join("tls")
        .join(&id)
        .join("docker");
    let tls = if tls_dir.join("ca.pem").exists() {
        if ep.skip_tls_verify {
            return Err(DockerError::Unsupported {
                host,
                source_of: source.describe(),
                why: "SkipTLSVerify is set; devk only talks TLS with verification".into(),
            });
        }
        Some(TlsFiles { dir: tls_dir })
    } else {
        None
    };
    Ok(Endpoint { host, tls, source })
}

/// Opens a client for `endpoint` (no request is made yet; see [`connect_checked`]).
pub fn connect(endpoint: &Endpoint) -> Result<Docker, DockerError> {
    let unsupported = |why: &str| DockerError::Unsupported {
        host: endpoint.host.clone(),
        source_of: endpoint.source.describe(),
        why: why.to_string(),
    };
    let unreachable = |reason: String| DockerError::Unreachable {
        endpoint: endpoint.host.clone(),
        source_of: endpoint.source.describe(),
        reason,
    };
    let host = endpoint.host.as_str();
    if let Some(path) = host.strip_prefix("unix://") {
        if !Path::new(path).exists() {
            return Err(unreachable(format!("socket {path} does not exist")));
        }
        return Docker::connect_with_unix(host, TIMEOUT_SECS, API_DEFAULT_VERSION)
            .map_err(|e| unreachable(e.to_string()));
    }
    let is_tcp = host.starts_with("tcp://") || host.starts_with("http://");
    if let Some(tls) = &endpoint.tls {
        if !(is_tcp || host.starts_with("https://")) {
            return Err(unsupported("TLS needs a tcp:// address"));
        }
        crate::cluster::install_crypto_provider();
        let file = |n: &str| tls.dir.join(n);
        for n in ["ca.pem", "cert.pem", "key.pem"] {
            if !file(n).exists() {
                return Err(DockerError::Config {
                    file: file(n).display().to_string(),
                    message: format!(
                        "TLS is on for {host} but this certificate file is missing; \
                         set DOCKER_CERT_PATH to the directory holding ca.pem, cert.pem, key.pem"
                    ),
                });
            }
        }
        return Docker::connect_with_ssl(
            host,
            &file("key.pem"),
            &file("cert.pem"),
            &file("ca.pem"),
            TIMEOUT_SECS,
            API_DEFAULT_VERSION,
        )
        .map_err(|e| unreachable(e.to_string()));
    }
    if is_tcp {
        return Docker::connect_with_http(host, TIMEOUT_SECS, API_DEFAULT_VERSION)
            .map_err(|e| unreachable(e.to_string()));
    }
    Err(unsupported(
        "devk speaks unix://, tcp:// and http:// (https:// or tcp:// with DOCKER_TLS_VERIFY)",
    ))
}

/// Connects and pings, so an engine that is down is reported here with the endpoint and
/// where it came from rather than as a failed build later.
pub async fn connect_checked(endpoint: &Endpoint) -> Result<Docker, DockerError> {
    let docker = connect(endpoint)?;
    let ping = tokio::time::timeout(Duration::from_secs(10), docker.ping()).await;
    let reason = match ping {
        Ok(Ok(_)) => return Ok(docker),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "no answer within 10 s".to_string(),
    };
    Err(DockerError::Unreachable {
        endpoint: endpoint.host.clone(),
        source_of: endpoint.source.describe(),
        reason,
    })
}

/// The endpoint the process environment points at, connected and pinged.
pub async fn connect_default() -> Result<(Docker, Endpoint), DockerError> {
    let endpoint = Endpoint::resolve(&EnvSnapshot::from_process())?;
    let docker = connect_checked(&endpoint).await?;
    Ok((docker, endpoint))
}

#[cfg(test)]
#[path = "docker_tests.rs"]
mod tests;
