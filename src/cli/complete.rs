//! Dynamic completion candidates: context names from the kubeconfig, namespace names from the
//! cluster (with a short deadline) plus those named in the kubeconfig.

use std::collections::BTreeSet;
use std::ffi::OsStr;
use std::time::Duration;

use clap_complete::CompletionCandidate;

use crate::kubeconfig::{Kubeconfig, Sources};

fn starting_with(
    current: &OsStr,
    names: impl IntoIterator<Item = String>,
) -> Vec<CompletionCandidate> {
    let prefix = current.to_string_lossy();
    names
        .into_iter()
        .filter(|n| n.starts_with(prefix.as_ref()))
        .map(CompletionCandidate::new)
        .collect()
}

/// Context names.
pub fn contexts(current: &OsStr) -> Vec<CompletionCandidate> {
    let Ok(kc) = Kubeconfig::load_light(Sources::from_env(None), false) else {
        return Vec::new();
    };
    starting_with(current, kc.context_names())
}

/// Namespace names: from the current context's cluster when it answers within half a second,
/// always including the namespaces the kubeconfig's contexts name.
pub fn namespaces(current: &OsStr) -> Vec<CompletionCandidate> {
    let sources = Sources::from_env(None);
    let Ok(kc) = Kubeconfig::load_light(sources.clone(), false) else {
        return Vec::new();
    };
    let mut names: BTreeSet<String> = kc
        .contexts()
        .into_iter()
        .filter_map(|c| c.namespace)
        .collect();
    if let Some(ctx) = kc.current_context() {
        let listed = crate::cluster::block_on(crate::cluster::list_namespaces(
            &sources,
            ctx,
            Duration::from_millis(500),
        ));
        if let Ok(Ok(found)) = listed {
            names.extend(found);
        }
    }
    starting_with(current, names)
}
