//! `devk ns`: show, list or set the namespace of the current context.

use std::time::Duration;

use clap_complete::ArgValueCompleter;

use super::output::{note, out, paint, stdout_color};
use super::{Failure, Globals, complete};
use crate::cluster::{self, NamespaceCheck};
use crate::exit::Exit;
use crate::kubeconfig::{Kubeconfig, Sources, update_loaded};
use crate::state::{State, state_dir};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Namespace to use, or `-` for the previous one. Without it, lists the namespaces.
    #[arg(add = ArgValueCompleter::new(complete::namespaces), allow_hyphen_values = true)]
    pub namespace: Option<String>,

    /// Set the namespace even if the cluster says it does not exist.
    #[arg(long)]
    pub force: bool,
}

/// Confirms with the cluster (within `timeout`) that `namespace` exists in `context`. When the
/// cluster cannot answer, says so and lets the change go ahead; when it answers "no such
/// namespace", refuses unless `force`.
pub fn verify_namespace(
    sources: &Sources,
    context: &str,
    namespace: &str,
    timeout: Duration,
    force: bool,
) -> Result<(), Failure> {
    if force {
        return Ok(());
    }
    let answer = cluster::block_on(cluster::check_namespace(
        sources, context, namespace, timeout,
    ))
    .map_err(|e| {
        Failure::new(
            Exit::Failure,
            format!("cannot start the async runtime: {e}"),
        )
    })?;
    match answer {
        Ok(NamespaceCheck::Exists) => Ok(()),
        Ok(NamespaceCheck::Missing { available }) => {
            let listed = if available.is_empty() {
                String::new()
            } else {
                format!("; it has: {}", available.join(", "))
            };
            Err(Failure::new(
                Exit::NotFound,
                format!(
                    "namespace `{namespace}` does not exist in the cluster of context `{context}`{listed}. Pass --force to set it anyway"
                ),
            ))
        }
        Err(e) => {
            note(&format!(
                "devk: could not check that namespace `{namespace}` exists ({e}); setting it anyway"
            ));
            Ok(())
        }
    }
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let loaded = g.config()?;
    let cfg = &loaded.config;
    let sources = g.sources();
    let kc = Kubeconfig::load_light(sources.clone(), false)?;
    let Some(context) = kc.current_context().map(str::to_string) else {
        return Err(Failure::new(
            Exit::NotFound,
            "no current context; pick one with `devk switch NAME` first",
        ));
    };
    let Some(ctx) = kc.context(&context) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!(
                "the current context `{context}` is not defined in {}",
                sources.describe()
            ),
        ));
    };
    let current_ns = ctx.namespace_or_default().to_string();
    let timeout = Duration::from_millis(cfg.namespace.check_timeout_ms);

    let Some(requested) = args.namespace else {
        return list(&sources, &context, &current_ns, timeout);
    };
    let dir = state_dir();
    let mut state = dir.as_deref().map(State::load).unwrap_or_default();
    let target = if requested == "-" {
        match state.previous_namespaces.get(&context) {
            Some(prev) => prev.clone(),
            None => {
                return Err(Failure::new(
                    Exit::NotFound,
                    format!("no previous namespace recorded for context `{context}`"),
                ));
            }
        }
    } else {
        requested
    };
    if target == current_ns {
        note(&format!(
            "Already using namespace \"{target}\" in context \"{context}\"."
        ));
        return Ok(());
    }
    verify_namespace(&sources, &context, &target, timeout, args.force)?;
    let lock_timeout = super::kubeconfig_lock(cfg);
    update_loaded(Some(kc), &sources, false, lock_timeout, |kc| {
        kc.set_namespace(&context, Some(&target))
    })?;
    if let Some(dir) = dir {
        state
            .previous_namespaces
            .insert(context.clone(), current_ns);
        if let Err(e) = state.save(&dir) {
            note(&format!(
                "devk: could not record the previous namespace: {e}"
            ));
        }
    }
    out(&format!(
        "Active namespace is \"{target}\" in context \"{context}\".\n"
    ))
}

fn list(sources: &Sources, context: &str, current: &str, timeout: Duration) -> Result<(), Failure> {
    let names = cluster::block_on(cluster::list_namespaces(sources, context, timeout))
        .map_err(|e| {
            Failure::new(
                Exit::Failure,
                format!("cannot start the async runtime: {e}"),
            )
        })?
        .map_err(|e| {
            Failure::new(
                e.exit(),
                format!("{e}\n  the current namespace is `{current}` (from the kubeconfig)"),
            )
        })?;
    let color = stdout_color();
    let text: String = names
        .iter()
        .map(|n| {
            if n == current {
                format!("{}\n", paint(n, "1;32", color))
            } else {
                format!("{n}\n")
            }
        })
        .collect();
    out(&text)
}
