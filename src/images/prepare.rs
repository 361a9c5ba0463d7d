//! Everything decided before a build starts, shared by `devk build` and the TUI: the
//! context plan, the tags, the build arguments and the engine to use. No engine is
//! contacted here (minikube is asked for its docker-env when the target is minikube).

use std::path::PathBuf;

use crate::config::Config;
use crate::config::images::{MinikubeMode, parse_build_arg};
use crate::exit::Exit;

use super::build::BuildRequest;
use super::context::{self, ContextError};
use super::docker::{DockerError, Endpoint, EnvSnapshot};
use super::tags::{self, GitState, TagError};
use super::target::{self, CurrentContext, MinikubeTargetError, Target};

/// What the user asked for (flags), before config defaults are applied.
#[derive(Debug, Clone, Default)]
pub struct BuildInputs {
    /// The context directory (default: `[images] context`).
    pub context: Option<PathBuf>,
    /// `-f`, relative to `cwd` (default: `[images] dockerfile`, relative to the context).
    pub dockerfile: Option<PathBuf>,
    pub cwd: PathBuf,
    /// `--name` (default: `[images] name`).
    pub name: Option<String>,
    /// `-t`: replaces the git tags.
    pub tags: Vec<String>,
    pub target: Option<String>,
    /// `KEY=VALUE`, or `KEY` to take the value from the environment.
    pub build_args: Vec<String>,
    pub platform: Option<String>,
    /// `--into`: overrides `[images] minikube`.
    pub into: Option<MinikubeMode>,
    pub no_cache: bool,
}

/// A build ready to run.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub request: BuildRequest,
    pub target: Target,
    pub endpoint: Endpoint,
    /// Things worth telling the user (a branch tag left out on a dirty tree, ...).
    pub notes: Vec<String>,
}

/// Why a build could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum PrepareError {
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Context(#[from] ContextError),
    #[error("{0}")]
    Tags(#[from] TagError),
    #[error("{0}")]
    Minikube(#[from] MinikubeTargetError),
    #[error("{0}")]
    Docker(#[from] DockerError),
}

impl PrepareError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) => Exit::Usage,
            Self::Context(e) => e.exit(),
            Self::Tags(e) => e.exit(),
            Self::Minikube(e) => e.source.exit(),
            Self::Docker(e) => e.exit(),
        }
    }
}

/// Refuses a reference the engine would reject, before anything is sent.
fn check_reference(reference: &str) -> Result<(), PrepareError> {
    let (repo, tag) = super::build::split_reference(reference);
    let tag_ok = tag.is_none_or(|t| {
        t.len() <= 128
            && t.bytes()
                .next()
                .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    });
    if crate::config::images::valid_repository(repo) && tag_ok {
        return Ok(());
    }
    Err(PrepareError::Usage(format!(
        "`{reference}` is not a valid image reference: NAME[:TAG] with a lowercase name \
         (letters, digits, `.`, `_`, `-`, `/`, an optional registry host:port) and a tag of \
         letters, digits, `_`, `.`, `-`"
    )))
}

/// Merges config defaults with `inputs`, reads git and `.dockerignore`, and picks the engine.
/// `env` looks up process variables; `current` is the current kube context (for
/// `minikube = "auto"`); `profiles` lists minikube's profile names (called only when needed).
pub fn prepare(
    cfg: &Config,
    inputs: BuildInputs,
    env: &dyn Fn(&str) -> Option<String>,
    current: Option<&CurrentContext>,
    profiles: impl FnOnce() -> Result<Vec<String>, String>,
) -> Result<Prepared, PrepareError> {
    let images = &cfg.images;
    let mut notes = Vec::new();
    let context_dir = inputs
        .context
        .clone()
        .unwrap_or_else(|| PathBuf::from(&images.context));
    let context_abs = inputs.cwd.join(&context_dir);
    let dockerfile = match (&inputs.dockerfile, images.dockerfile.as_str()) {
        (Some(f), _) => Some(inputs.cwd.join(f)),
        (None, "") => None,
        (None, f) => Some(context_abs.join(f)),
    };
    let plan = context::plan(&context_dir, dockerfile.as_deref(), &inputs.cwd)?;

    let name = inputs
        .name
        .clone()
        .or_else(|| (!images.name.is_empty()).then(|| images.name.clone()));
    let no_name = || {
        PrepareError::Usage(
            "no image name: set `name` under [images] in devk.toml, pass --name NAME, or give full references with -t NAME:TAG"
                .into(),
        )
    };
    let tag_list = if inputs.tags.is_empty() {
        let name = name.as_deref().ok_or_else(no_name)?;
        let state = GitState::read(&context_abs, tags::ci_branch(env))?;
        if images.branch_tag && state.dirty && state.branch.is_some() {
            notes.push("branch tag left out: the work tree has uncommitted changes".into());
        }
        tags::tags_for(name, &state, images.branch_tag)
    } else {
        let mut out = Vec::new();
        for t in &inputs.tags {
            if t.contains(':') || t.contains('/') {
                out.push(t.clone());
            } else {
                let name = name.as_deref().ok_or_else(no_name)?;
                out.push(tags::explicit_tag(name, t));
            }
        }
        out
    };
    for t in &tag_list {
        check_reference(t)?;
    }

    let mut args: Vec<(String, String)> = images
        .build_arg_pairs()
        .map_err(|e| PrepareError::Usage(format!("[images] build_args: {e}")))?;
    for raw in &inputs.build_args {
        let pair = if raw.contains('=') {
            parse_build_arg(raw).map_err(|e| PrepareError::Usage(format!("--build-arg {e}")))?
        } else {
            // docker: `--build-arg KEY` takes KEY's value from the environment, if set.
            match env(raw) {
                Some(v) => (raw.clone(), v),
                None => continue,
            }
        };
        args.retain(|(k, _)| *k != pair.0);
        args.push(pair);
    }

    let mode = match inputs.into {
        Some(m) => m,
        None => images
            .minikube_mode()
            .map_err(|e| PrepareError::Usage(format!("[images] minikube {e}")))?,
    };
    let target = target::choose(mode, &images.minikube_profile, current, profiles);
    let endpoint = match &target {
        Target::Environment => Endpoint::resolve(&EnvSnapshot::from_process())?,
        Target::Minikube { profile, .. } => {
            let mk = crate::minikube::from_config(cfg);
            target::minikube_endpoint(&mk, profile.as_deref())?
        }
    };
    let non_empty = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(Prepared {
        request: BuildRequest {
            plan,
            tags: tag_list,
            target: inputs.target.clone(),
            build_args: args,
            platform: inputs
                .platform
                .clone()
                .or_else(|| non_empty(&images.platform)),
            no_cache: inputs.no_cache,
        },
        target,
        endpoint,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project() -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("Dockerfile"), "FROM scratch\n").unwrap();
        d
    }

    fn no_profiles() -> Result<Vec<String>, String> {
        Err("minikube not consulted".into())
    }

    #[test]
    fn flags_override_config_build_args_and_bare_keys_come_from_the_environment() {
        let d = project();
        let mut cfg = Config::default();
        cfg.images.build_args = vec!["A=1".into(), "B=2".into()];
        cfg.images.platform = "linux/arm64".into();
        let inputs = BuildInputs {
            cwd: d.path().into(),
            tags: vec!["app:1".into()],
            build_args: vec!["B=3".into(), "C".into(), "UNSET".into()],
            into: Some(MinikubeMode::Never),
            ..Default::default()
        };
        let env = |k: &str| (k == "C").then(|| "from-env".to_string());
        let p = prepare(&cfg, inputs, &env, None, no_profiles).unwrap();
        assert_eq!(
            p.request.build_args,
            [
                ("A".to_string(), "1".to_string()),
                ("B".into(), "3".into()),
                ("C".into(), "from-env".into())
            ]
        );
        assert_eq!(p.request.platform.as_deref(), Some("linux/arm64"));
        assert_eq!(p.request.tags, ["app:1"]);
        assert_eq!(p.target, Target::Environment);
    }

    #[test]
    fn bare_tags_need_a_name_and_config_dockerfile_is_relative_to_the_context() {
        let d = project();
        std::fs::create_dir_all(d.path().join("ctx/docker")).unwrap();
        std::fs::write(d.path().join("ctx/docker/app.Dockerfile"), "FROM scratch\n").unwrap();
        let mut cfg = Config::default();
        cfg.images.context = "ctx".into();
        cfg.images.dockerfile = "docker/app.Dockerfile".into();
        let inputs = BuildInputs {
            cwd: d.path().into(),
            tags: vec!["v1".into()],
            into: Some(MinikubeMode::Never),
            ..Default::default()
        };
        let err = prepare(&cfg, inputs.clone(), &|_| None, None, no_profiles).unwrap_err();
        assert_eq!(err.exit(), Exit::Usage);
        cfg.images.name = "team/app".into();
        let p = prepare(&cfg, inputs, &|_| None, None, no_profiles).unwrap();
        assert_eq!(p.request.tags, ["team/app:v1"]);
        assert_eq!(p.request.plan.dockerfile, "docker/app.Dockerfile");
    }

    #[test]
    fn invalid_references_are_usage_errors_before_any_engine() {
        for ok in ["app:1", "127.0.0.1:5000/team/app:v1.2_3", "app"] {
            assert!(check_reference(ok).is_ok(), "{ok}");
        }
        for bad in [
            "App:1",
            "app:-x",
            "app:a b",
            "app:",
            &format!("app:{}", "t".repeat(129)),
        ] {
            let err = check_reference(bad).unwrap_err();
            assert_eq!(err.exit(), Exit::Usage, "{bad}");
        }
    }
}
