//! `devk push`: push a local image with the user's Docker credentials, after the push policy
//! said yes. The order is the guarantee: the reference is checked before devk even resolves
//! the engine, and every tag and digest of the image ID is checked before the engine is asked
//! to push, so a refused push sends no byte anywhere.
//!
//! Which references count: the push target itself (ECR in any form, or a registry in
//! `policy.ci_only_registries`), and every other RepoTag and RepoDigest of the same image ID
//! (an image tagged for ECR is one `docker push` away from it; `decide_push` explains that
//! rule and its way out, `docker rmi` of that tag).

use std::path::PathBuf;

use bollard::Docker;
use futures::StreamExt;
use tokio::sync::mpsc;

use super::docker::{DockerError, Endpoint, EnvSnapshot, connect_checked};
use super::dockerconfig::{self, Credentials, CredsError, Source};
use super::push_stream::{PushEvent, RawFailure, push_raw, registry_auth_header};
use super::pushed::{self, PushRecord};
use crate::exit::Exit;
use crate::policy::{Env, ImageRef, PushDecision, PushRules, decide_push, decide_push_str};

/// What a push needs besides the reference.
#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The environment the CI detection reads.
    pub env: Env,
    pub rules: PushRules,
    /// The engine; `None` resolves it like the docker CLI (after the policy check).
    pub endpoint: Option<Endpoint>,
    /// The Docker config file with the credentials (`None`: `$DOCKER_CONFIG` or ~/.docker).
    pub docker_config: Option<PathBuf>,
    /// devk's state dir, where successful pushes are recorded (`None`: not recorded).
    pub state_dir: Option<PathBuf>,
}

/// A push that went through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushOutcome {
    /// The fully qualified reference pushed.
    pub reference: String,
    pub image_id: String,
    pub digest: Option<String>,
    /// The policy decision that allowed it.
    pub decision: PushDecision,
    /// A note when the push could not be recorded in the state dir (the push itself worked).
    pub record_problem: Option<String>,
}

/// Why a push did not happen; each maps to an exit code.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{0}")]
    BadReference(String),
    #[error("{}", .0.message())]
    Refused(Box<PushDecision>),
    #[error(transparent)]
    Engine(#[from] DockerError),
    #[error(
        "no local image {reference}\n  build it first (`devk build`) or tag an \
         existing image (`docker tag IMAGE {reference}`); `devk images` lists the project's images"
    )]
    NoImage { reference: String },
    #[error(transparent)]
    Credentials(#[from] CredsError),
    #[error(
        "registry {registry} rejected the credentials ({source_of}): {message}\n  \
         log in again with `docker login {registry}`, then retry the push"
    )]
    Unauthorized {
        registry: String,
        source_of: String,
        message: String,
    },
    #[error(
        "cannot reach registry {registry}: {message}\n  check that it is running and \
         reachable from the Docker Engine ({engine}); a registry on plain HTTP outside \
         127.0.0.0/8 must be in the engine's `insecure-registries`"
    )]
    RegistryUnreachable {
        registry: String,
        engine: String,
        message: String,
    },
    #[error("push of {reference} failed: {message}")]
    Failed { reference: String, message: String },
}

impl PushError {
    pub fn exit(&self) -> Exit {
        match self {
            PushError::BadReference(_) => Exit::Usage,
            PushError::Refused(_) => Exit::Refused,
            PushError::Engine(e) => e.exit(),
            PushError::NoImage { .. } => Exit::NotFound,
            // A Docker config devk cannot read (I/O, not JSON, a broken `auth`) is exit 10, as
            // in `devk doctor`; 3 is for devk's own config.
            PushError::Credentials(
                CredsError::Read { .. } | CredsError::Parse { .. } | CredsError::BadAuth { .. },
            ) => Exit::Io,
            PushError::Credentials(CredsError::Helper { .. }) => Exit::Unauthorized,
            PushError::Unauthorized { .. } => Exit::Unauthorized,
            PushError::RegistryUnreachable { .. } => Exit::Unreachable,
            PushError::Failed { .. } => Exit::Failure,
        }
    }
}

/// The first check, on the reference alone: runs before any engine or network is touched.
/// A reference without a tag means `:latest`, as for `docker push`; digests cannot be pushed.
pub fn check_reference(reference: &str, opts: &PushOptions) -> Result<ImageRef, PushError> {
    let r = ImageRef::parse(reference).map_err(|e| PushError::BadReference(e.to_string()))?;
    let decision = decide_push(&r, &[], &opts.env, &opts.rules);
    if !decision.allowed {
        return Err(PushError::Refused(Box::new(decision)));
    }
    if r.digest().is_some() {
        return Err(PushError::BadReference(format!(
            "{reference}: a digest reference cannot be pushed; push a tag (`name:tag`)"
        )));
    }
    Ok(r)
}

/// The reference of `image` in the local registry `registry` (`[images] local_registry`):
/// same repository path and tag (`app:1` -> `127.0.0.1:5000/app:1`; Docker Hub's implicit
/// `library/` is left out).
pub fn local_target(image: &str, registry: &str) -> Result<String, PushError> {
    let r = ImageRef::parse(image).map_err(|e| PushError::BadReference(e.to_string()))?;
    let registry = registry.trim().trim_end_matches('/');
    if registry.is_empty() {
        return Err(PushError::BadReference(
            "no local registry: set `local_registry` under [images] in devk.toml \
             (e.g. \"127.0.0.1:5000\")"
                .into(),
        ));
    }
    let path = match r.path().strip_prefix("library/") {
        Some(p) if r.registry() == crate::policy::DEFAULT_REGISTRY => p,
        _ => r.path(),
    };
    let target = format!("{registry}/{path}:{}", r.tag_or_latest());
    ImageRef::parse(&target).map_err(|e| {
        PushError::BadReference(format!("[images] local_registry `{registry}`: {e}"))
    })?;
    Ok(target)
}

/// Tags the local image `source` as `target` (for a push to the local registry). The target
/// is checked by the policy first, like any push target.
pub async fn tag_local(source: &str, target: &str, opts: &PushOptions) -> Result<(), PushError> {
    let t = check_reference(target, opts)?;
    let endpoint = match &opts.endpoint {
        Some(e) => e.clone(),
        None => Endpoint::resolve(&EnvSnapshot::from_process())?,
    };
    let docker = connect_checked(&endpoint).await?;
    let repo = format!("{}/{}", t.registry(), t.path());
    let options = bollard::query_parameters::TagImageOptionsBuilder::new()
        .repo(&repo)
        .tag(t.tag_or_latest())
        .build();
    docker
        .tag_image(source, Some(options))
        .await
        .map_err(|e| match e {
            bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            } => PushError::NoImage {
                reference: source.to_string(),
            },
            other => PushError::Failed {
                reference: target.to_string(),
                message: format!("cannot tag {source} as {target}: {other}"),
            },
        })
}

/// The second check, over every RepoTag and RepoDigest of the image ID.
pub fn check_image(
    reference: &ImageRef,
    repo_tags: &[String],
    repo_digests: &[String],
    opts: &PushOptions,
) -> Result<PushDecision, PushError> {
    let others: Vec<String> = repo_tags
        .iter()
        .chain(repo_digests)
        .filter(|t| !t.starts_with("<none>"))
        .cloned()
        .collect();
    let decision = decide_push_str(&reference.to_string(), &others, &opts.env, &opts.rules)
        .map_err(|e| PushError::BadReference(e.to_string()))?;
    if decision.allowed {
        Ok(decision)
    } else {
        Err(PushError::Refused(Box::new(decision)))
    }
}

/// Pushes `reference`, sending progress to `events`. Policy first (see the module docs), then
/// credentials, then the engine's push; a successful push is recorded in the state dir.
pub async fn push(
    reference: &str,
    opts: &PushOptions,
    events: &mpsc::Sender<PushEvent>,
) -> Result<PushOutcome, PushError> {
    let r = check_reference(reference, opts)?;
    let endpoint = match &opts.endpoint {
        Some(e) => e.clone(),
        None => Endpoint::resolve(&EnvSnapshot::from_process())?,
    };
    let docker = connect_checked(&endpoint).await?;
    let full = r.to_string();
    let image = docker.inspect_image(&full).await.map_err(|e| match e {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        } => PushError::NoImage {
            reference: reference.to_string(),
        },
        other => PushError::Engine(DockerError::Unreachable {
            endpoint: endpoint.host.clone(),
            source_of: "inspecting the image".into(),
            reason: other.to_string(),
        }),
    })?;
    let decision = check_image(
        &r,
        image.repo_tags.as_deref().unwrap_or_default(),
        image.repo_digests.as_deref().unwrap_or_default(),
        opts,
    )?;
    let image_id = image.id.unwrap_or_default();

    let config_path = opts
        .docker_config
        .clone()
        .or_else(dockerconfig::config_path)
        .unwrap_or_else(|| PathBuf::from(".docker/config.json"));
    let registry = r.registry().to_string();
    let (creds, source_of) = {
        let path = config_path.clone();
        let registry = registry.clone();
        // The helper is a child process: keep it off the async workers.
        tokio::task::spawn_blocking(move || lookup(&path, &registry))
            .await
            .map_err(|e| PushError::Failed {
                reference: full.clone(),
                message: e.to_string(),
            })??
    };
    let auth = registry_auth_header(&auth_json(creds.as_ref(), &registry));

    let name = format!("{}/{}", r.registry(), r.path());
    let tag = r.tag_or_latest().to_string();
    let result = if endpoint.tls.is_none() && is_plain(&endpoint.host) {
        push_raw(&endpoint.host, &name, &tag, &auth, events).await
    } else {
        push_bollard(&docker, &name, &tag, creds, &registry, events)
            .await
            .map(|()| None)
    };
    let classify =
        |message: String| classify_failure(&full, &registry, &source_of, &endpoint, message);
    let mut digest = match result {
        Ok(d) => d,
        Err(RawFailure::Engine(m)) => {
            return Err(PushError::Engine(DockerError::Unreachable {
                endpoint: endpoint.host.clone(),
                source_of: "during the push".into(),
                reason: m,
            }));
        }
        Err(RawFailure::Status { code: 404, .. }) => {
            return Err(PushError::NoImage {
                reference: reference.to_string(),
            });
        }
        Err(RawFailure::Status { message, .. } | RawFailure::Stream(message)) => {
            return Err(classify(message));
        }
    };
    if digest.is_none() {
        digest = repo_digest_after(&docker, &full, &name).await;
    }
    let record_problem = opts.state_dir.as_ref().and_then(|dir| {
        pushed::record(
            dir,
            PushRecord {
                reference: full.clone(),
                image_id: image_id.clone(),
                digest: digest.clone(),
                pushed_at: jiff::Timestamp::now().to_string(),
            },
        )
        .err()
        .map(|e| {
            format!(
                "pushed, but cannot record the push in {}: {e}",
                dir.display()
            )
        })
    });
    Ok(PushOutcome {
        reference: full,
        image_id,
        digest,
        decision,
        record_problem,
    })
}

fn is_plain(host: &str) -> bool {
    ["unix://", "tcp://", "http://"]
        .iter()
        .any(|p| host.starts_with(p))
}

/// Credentials for `registry` and a description of where they came from (never the secret).
fn lookup(
    path: &std::path::Path,
    registry: &str,
) -> Result<(Option<Credentials>, String), PushError> {
    let cfg = dockerconfig::DockerConfig::load(path)?;
    let source = cfg.source_for(registry)?;
    let described = match &source {
        Source::Helper { helper, .. } => format!("from `docker-credential-{helper}`"),
        Source::File(_) => format!("from `auths` in {}", path.display()),
        Source::None => format!("none found in {}, pushed anonymously", path.display()),
    };
    let creds = dockerconfig::resolve(source, path)?;
    let described = match &creds {
        Some(c) => format!("user `{}` {described}", c.username()),
        None => described,
    };
    Ok((creds, described))
}

/// The `X-Registry-Auth` JSON the engine expects.
fn auth_json(creds: Option<&Credentials>, registry: &str) -> String {
    let server = dockerconfig::registry_key(registry);
    let v = match creds {
        None => serde_json::json!({}),
        Some(Credentials::Basic { username, password }) => serde_json::json!({
            "username": username, "password": password, "serveraddress": server,
        }),
        Some(Credentials::IdentityToken(t)) => serde_json::json!({
            "identitytoken": t, "serveraddress": server,
        }),
    };
    v.to_string()
}

/// A registry's or engine's error message turned into the error it means.
pub fn classify_failure(
    reference: &str,
    registry: &str,
    source_of: &str,
    endpoint: &Endpoint,
    message: String,
) -> PushError {
    let m = message.to_ascii_lowercase();
    let unauthorized = [
        "unauthorized",
        "authentication required",
        // The registry's DENIED error code; not any "permission denied".
        "denied:",
        "is denied",
        "no basic auth credentials",
        // Not bare "401": digests in messages are hex and may contain it.
        "forbidden",
    ];
    let unreachable = [
        "connection refused",
        "no such host",
        "i/o timeout",
        "dial tcp",
        "network is unreachable",
        "no route to host",
        "tls handshake",
        "http response to https client",
        "connection reset",
    ];
    if unauthorized.iter().any(|k| m.contains(k)) {
        PushError::Unauthorized {
            registry: registry.to_string(),
            source_of: source_of.to_string(),
            message,
        }
    } else if unreachable.iter().any(|k| m.contains(k)) {
        PushError::RegistryUnreachable {
            registry: registry.to_string(),
            engine: endpoint.describe(),
            message,
        }
    } else {
        PushError::Failed {
            reference: reference.to_string(),
            message,
        }
    }
}

/// The push through bollard (TLS endpoints, such as minikube's daemon): statuses only, as
/// bollard drops the layer ids. [`push`] uses it for endpoints the raw stream cannot reach.
pub async fn push_bollard(
    docker: &Docker,
    name: &str,
    tag: &str,
    creds: Option<Credentials>,
    registry: &str,
    events: &mpsc::Sender<PushEvent>,
) -> Result<(), RawFailure> {
    let server = dockerconfig::registry_key(registry);
    let credentials = creds.map(|c| match c {
        Credentials::Basic { username, password } => bollard::auth::DockerCredentials {
            username: Some(username),
            password: Some(password),
            serveraddress: Some(server.clone()),
            ..Default::default()
        },
        Credentials::IdentityToken(t) => bollard::auth::DockerCredentials {
            identitytoken: Some(t),
            serveraddress: Some(server.clone()),
            ..Default::default()
        },
    });
    let options = bollard::query_parameters::PushImageOptionsBuilder::new()
        .tag(tag)
        .build();
    let mut stream = docker.push_image(name, Some(options), credentials);
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(status) = info.status.filter(|s| !s.is_empty()) {
                    let _ = events.send(PushEvent::Status(status)).await;
                }
            }
            Err(bollard::errors::Error::DockerStreamError { error }) => {
                return Err(RawFailure::Stream(error));
            }
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code,
                message,
            }) => {
                return Err(RawFailure::Status {
                    code: status_code,
                    message,
                });
            }
            Err(e) => return Err(RawFailure::Engine(e.to_string())),
        }
    }
    Ok(())
}

/// The repo digest the engine recorded for `name` after the push (bollard path).
async fn repo_digest_after(docker: &Docker, full: &str, name: &str) -> Option<String> {
    let image = docker.inspect_image(full).await.ok()?;
    image.repo_digests?.into_iter().find_map(|d| {
        d.split_once('@')
            .filter(|(repo, _)| *repo == name || name.ends_with(&format!("/{repo}")))
            .map(|(_, digest)| digest.to_string())
    })
}

#[cfg(test)]
#[path = "push_tests.rs"]
mod tests;
