//! The build set-up `devk build` and the Images tab share: what the real world says about the
//! current kube context, minikube's profiles and the environment, handed to the pure
//! [`prepare`](super::prepare::prepare). Both front ends call [`prepare_here`]; neither
//! gathers these inputs itself.

use super::prepare::{BuildInputs, PrepareError, Prepared, prepare};
use super::target::CurrentContext;
use crate::config::Config;
use crate::kubeconfig::{Kubeconfig, Sources};
use crate::policy::ClassRules;

/// The current kube context and its class, read from `sources` (light load: the prompt-speed
/// path). `None` without a kubeconfig or a current context.
pub fn current_context(sources: &Sources, rules: &ClassRules) -> Option<CurrentContext> {
    let kc = Kubeconfig::load_light(sources.clone(), true).ok()?;
    let name = kc.current_context()?.to_string();
    let ctx = kc.context(&name)?;
    let class = crate::contexts::classify_context(&kc, rules, &ctx).class;
    Some(CurrentContext { name, class })
}

/// Prepares a build in this process's world: the current context from `sources`, minikube's
/// profiles from `minikube.binary` (asked only when the target depends on them) and the
/// process environment. Blocking (reads git, may run minikube).
pub fn prepare_here(
    cfg: &Config,
    inputs: BuildInputs,
    sources: &Sources,
    rules: &ClassRules,
) -> Result<Prepared, PrepareError> {
    let current = current_context(sources, rules);
    let mk = crate::minikube::from_config(cfg);
    let profiles = || {
        mk.profiles()
            .map(|ps| ps.into_iter().map(|p| p.name).collect())
            .map_err(|e| e.to_string())
    };
    let env = |k: &str| std::env::var(k).ok();
    prepare(cfg, inputs, &env, current.as_ref(), profiles)
}
