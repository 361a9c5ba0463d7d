//! `devk ns`: show, list or set the namespace of the current context.

use std::time::Duration;

use clap_complete::ArgValueCompleter;

use super::output::{note, out, paint, stdout_color};
use super::{Failure, Globals, complete};
use crate::cluster::{self, ClusterError, NamespaceCheck};
use crate::exit::Exit;
use crate::fuzzy::{Resolution, resolve};
use crate::kubeconfig::{Kubeconfig, Sources, update_loaded};
use crate::state::{State, state_dir};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Namespace to use (exact, or a unique fuzzy match among the cluster's namespaces), or `-`
    /// for the previous one. Without it, lists the namespaces, the current one marked `*`.
    #[arg(add = ArgValueCompleter::new(complete::namespaces), allow_hyphen_values = true)]
    pub namespace: Option<String>,

    /// Set the namespace even if the cluster says it does not exist.
    #[arg(long)]
    pub force: bool,
}

/// Turns what the user typed into a namespace of `context`'s cluster: the exact name, or a
/// unique fuzzy match among the namespaces the cluster lists (as `devk switch` matches
/// contexts). Ambiguous or unknown names are refused with the closest names, unless `force`
/// (then the name is taken as typed). When the cluster cannot be asked, says so and takes the
/// name as typed.
pub fn resolve_namespace(
    sources: &Sources,
    context: &str,
    query: &str,
    timeout: Duration,
    force: bool,
) -> Result<String, Failure> {
    if force {
        return Ok(query.to_string());
    }
    let runtime_failure = |e: std::io::Error| {
        Failure::new(
            Exit::Failure,
            format!("cannot start the async runtime: {e}"),
        )
    };
    let listed = cluster::block_on(cluster::list_namespaces(sources, context, timeout))
        .map_err(runtime_failure)?;
    let names = match listed {
        Ok(names) => names,
        Err(e @ ClusterError::Kubeconfig(_)) => return Err(e.into()),
        // Not allowed to list (RBAC): the exact name can still be checked.
        Err(ClusterError::Forbidden { .. }) => {
            let answer =
                cluster::block_on(cluster::check_namespace(sources, context, query, timeout))
                    .map_err(runtime_failure)?;
            return match answer {
                Ok(NamespaceCheck::Exists) => Ok(query.to_string()),
                Ok(NamespaceCheck::Missing { available }) => {
                    Err(no_such_namespace(context, query, &available))
                }
                Err(e) => Ok(could_not_check(query, &e)),
            };
        }
        Err(e) => return Ok(could_not_check(query, &e)),
    };
    match resolve(query, &names) {
        Resolution::Found(n) => Ok(n),
        Resolution::Ambiguous(c) => {
            const SHOWN: usize = 8;
            let more = c.len().saturating_sub(SHOWN);
            let tail = if more > 0 {
                format!("\n  ... and {more} more")
            } else {
                String::new()
            };
            Err(Failure::new(
                Exit::NotFound,
                format!(
                    "`{query}` matches {} namespaces of context `{context}`; type more of the name:\n  {}{tail}",
                    c.len(),
                    c[..c.len().min(SHOWN)].join("\n  ")
                ),
            ))
        }
        Resolution::NotFound(_) => Err(no_such_namespace(context, query, &names)),
    }
}

fn could_not_check(namespace: &str, e: &ClusterError) -> String {
    note(&format!(
        "devk: could not check that namespace `{namespace}` exists ({e}); setting it anyway"
    ));
    namespace.to_string()
}

/// "No such namespace", with the closest names the cluster has (never the whole list: a
/// cluster may have hundreds).
fn no_such_namespace(context: &str, namespace: &str, available: &[String]) -> Failure {
    let hint = match resolve(namespace, available) {
        Resolution::NotFound(close) if !close.is_empty() => format!(
            "; did you mean {}?",
            close
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
        _ if available.is_empty() => String::new(),
        _ => "; `devk ns` lists them".to_string(),
    };
    Failure::new(
        Exit::NotFound,
        format!(
            "namespace `{namespace}` does not exist in the cluster of context `{context}`{hint}. Pass --force to set it anyway"
        ),
    )
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let loaded = g.config()?;
    let cfg = &loaded.config;
    let sources = g.sources();
    let kc = Kubeconfig::load_current(sources.clone(), false)?;
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
    let requested_previous = requested == "-";
    let target = if requested_previous {
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
    let target = if requested_previous {
        target
    } else {
        resolve_namespace(&sources, &context, &target, timeout, args.force)?
    };
    if target == current_ns {
        note(&format!(
            "Already using namespace \"{target}\" in context \"{context}\"."
        ));
        return Ok(());
    }
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

/// One namespace a line; the current one marked `* ` (and green on a terminal), the others
/// indented to match, as `git branch` lists branches.
fn listing(names: &[String], current: &str, color: bool) -> String {
    let mut text: String = names
        .iter()
        .map(|n| {
            if n == current {
                format!("* {}\n", paint(n, "1;32", color))
            } else {
                format!("  {n}\n")
            }
        })
        .collect();
    if !names.iter().any(|n| n == current) {
        text.push_str(&format!(
            "(the current namespace `{current}` is not in this list: it does not exist in the cluster)\n"
        ));
    }
    text
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
    out(&listing(&names, current, stdout_color()))
}
