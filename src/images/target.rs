//! Which Docker daemon a build goes to: the one the environment points at, or a minikube
//! profile's daemon (so the cluster can run the image without a registry).
//!
//! [`choose`] is the pure decision; [`minikube_endpoint`] asks minikube for the daemon's
//! address (`minikube docker-env`), which bollard reaches over TLS with minikube's certs.

use crate::config::images::MinikubeMode;
use crate::minikube::{Minikube, MinikubeError};
use crate::policy::ContextClass;

use super::docker::Endpoint;

/// Where to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The engine from DOCKER_HOST / the docker context / the default socket.
    Environment,
    /// A minikube profile's daemon (`None`: minikube's active profile).
    Minikube {
        profile: Option<String>,
        why: String,
    },
}

/// The current kube context as far as the decision cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrentContext {
    pub name: String,
    pub class: ContextClass,
}

/// Decides the target. `configured_profile` applies to `always`; `auto` uses the profile
/// named like the current context. `profiles` is only called for `auto` with a local current context
/// (it runs `minikube profile list`); an error there (minikube missing) means "not
/// minikube" for `auto`.
pub fn choose<E>(
    mode: MinikubeMode,
    configured_profile: &str,
    current: Option<&CurrentContext>,
    profiles: impl FnOnce() -> Result<Vec<String>, E>,
) -> Target {
    let configured = (!configured_profile.is_empty()).then(|| configured_profile.to_string());
    match mode {
        MinikubeMode::Never => Target::Environment,
        MinikubeMode::Always => Target::Minikube {
            why: match &configured {
                Some(p) => format!("asked for minikube profile `{p}`"),
                None => "asked for minikube (its active profile)".into(),
            },
            profile: configured,
        },
        MinikubeMode::Auto => {
            let Some(ctx) = current.filter(|c| c.class == ContextClass::Local) else {
                return Target::Environment;
            };
            // minikube names the kube context after the profile.
            match profiles() {
                Ok(list) if list.contains(&ctx.name) => Target::Minikube {
                    why: format!(
                        "the current context `{}` is local and a minikube profile",
                        ctx.name
                    ),
                    profile: Some(ctx.name.clone()),
                },
                _ => Target::Environment,
            }
        }
    }
}

/// Why building into minikube is not possible.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot build into minikube{}: {source}\n  start the cluster (`devk mk start`), or build with \
     `--into local` and load the image with `minikube image load IMAGE` (also the way for \
     clusters whose runtime is containerd or cri-o)",
    profile.as_ref().map(|p| format!(" profile `{p}`")).unwrap_or_default()
)]
pub struct MinikubeTargetError {
    pub profile: Option<String>,
    #[source]
    pub source: MinikubeError,
}

/// The endpoint of `profile`'s Docker daemon, from `minikube docker-env`.
pub fn minikube_endpoint(
    mk: &Minikube,
    profile: Option<&str>,
) -> Result<Endpoint, MinikubeTargetError> {
    let err = |source| MinikubeTargetError {
        profile: profile.map(str::to_string),
        source,
    };
    let env = mk.docker_env(profile).map_err(err)?;
    let name = profile
        .map(str::to_string)
        .or_else(|| env.get("MINIKUBE_ACTIVE_DOCKERD").map(str::to_string))
        .unwrap_or_else(|| "minikube".into());
    Endpoint::from_env_vars(&env.vars, &name).map_err(|e| err(MinikubeError::Config(e.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(name: &str, class: ContextClass) -> CurrentContext {
        CurrentContext {
            name: name.into(),
            class,
        }
    }

    fn profiles(list: &[&str]) -> impl FnOnce() -> Result<Vec<String>, String> {
        let v: Vec<String> = list.iter().map(|s| s.to_string()).collect();
        move || Ok(v)
    }

    #[test]
    fn auto_builds_into_minikube_for_a_local_context_named_like_a_profile() {
        let t = choose(
            MinikubeMode::Auto,
            "",
            Some(&ctx("minikube", ContextClass::Local)),
            profiles(&["minikube", "other"]),
        );
        assert!(
            matches!(&t, Target::Minikube { profile: Some(p), .. } if p == "minikube"),
            "{t:?}"
        );
    }

    #[test]
    fn auto_stays_on_the_environment_otherwise() {
        let never_called = || -> Result<Vec<String>, String> { panic!("profiles looked up") };
        let remote = ctx("minikube", ContextClass::Remote);
        assert_eq!(
            choose(MinikubeMode::Auto, "", Some(&remote), never_called),
            Target::Environment
        );
        assert_eq!(
            choose(MinikubeMode::Auto, "", None, never_called),
            Target::Environment
        );
        let kind = ctx("kind-dev", ContextClass::Local);
        assert_eq!(
            choose(MinikubeMode::Auto, "", Some(&kind), profiles(&["minikube"])),
            Target::Environment
        );
        // minikube not installed: auto quietly means "not minikube".
        let missing = || -> Result<Vec<String>, String> { Err("not installed".into()) };
        let mk = ctx("minikube", ContextClass::Local);
        assert_eq!(
            choose(MinikubeMode::Auto, "", Some(&mk), missing),
            Target::Environment
        );
    }

    #[test]
    fn always_and_never_ignore_the_context() {
        let remote = ctx("prod", ContextClass::Protected);
        assert!(matches!(
            choose(MinikubeMode::Always, "dev", Some(&remote), profiles(&[])),
            Target::Minikube { profile: Some(p), .. } if p == "dev"
        ));
        let mk = ctx("minikube", ContextClass::Local);
        assert_eq!(
            choose(MinikubeMode::Never, "", Some(&mk), profiles(&["minikube"])),
            Target::Environment
        );
    }
}
