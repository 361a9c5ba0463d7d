//! The Contexts tab's background work: read the kubeconfig into a snapshot, switch the
//! current context, set a context's namespace (checked with its cluster first). Each answers
//! with one message.

use tokio::sync::mpsc;

use crate::cluster::{self, NamespaceCheck};
use crate::contexts::rows;
use crate::kubeconfig::{Kubeconfig, Sources, update as edit_kubeconfig};
use crate::policy::ClassRules;
use crate::tui::msg::{KubeSnapshot, Msg};
use crate::tui::runtime::Env;

/// Reads the kubeconfig into what the UI shows.
pub fn snapshot(sources: &Sources, rules: &ClassRules) -> Result<KubeSnapshot, String> {
    let kc = Kubeconfig::load_light(sources.clone(), false).map_err(|e| e.to_string())?;
    Ok(KubeSnapshot {
        rows: rows(&kc, rules),
        current: kc.current_context().map(str::to_string),
    })
}

/// Switches the current context (blocking: the kubeconfig lock may be waited for).
pub(crate) fn switch(env: &Env, context: &str, tx: &mpsc::Sender<Msg>) {
    let result = edit_kubeconfig(&env.sources, false, env.lock_timeout, |kc| {
        kc.use_context(context)
    })
    .map_err(|e| e.to_string())
    .and_then(|()| snapshot(&env.sources, &env.rules));
    let shown = crate::contexts::display::display_name(context);
    let what = match shown.detail {
        Some(detail) => format!("Switched to {} ({detail})", shown.name),
        None => format!("Switched to {context}"),
    };
    let _ = tx.blocking_send(Msg::Changed { what, result });
}

/// Lists the namespaces of the cluster of `context`, for the namespace dialog.
pub(crate) async fn load_namespaces(env: Env, context: String, tx: mpsc::Sender<Msg>) {
    // Longer than the existence check: the dialog says it is asking meanwhile, and a busy
    // cluster with hundreds of namespaces may take seconds to list them.
    let timeout = env
        .namespace_timeout
        .max(std::time::Duration::from_secs(10));
    let result = cluster::list_namespaces(&env.sources, &context, timeout)
        .await
        .map_err(|e| e.to_string());
    let _ = tx.send(Msg::Namespaces { context, result }).await;
}

/// Sets the namespace of `context`, unless its cluster says the namespace does not exist.
pub(crate) async fn set_namespace(
    env: Env,
    context: String,
    namespace: String,
    tx: mpsc::Sender<Msg>,
) {
    let result = checked_set_namespace(&env, &context, &namespace).await;
    let _ = tx
        .send(Msg::Changed {
            what: format!("Namespace of {context} is now {namespace}"),
            result,
        })
        .await;
}

async fn checked_set_namespace(
    env: &Env,
    context: &str,
    namespace: &str,
) -> Result<KubeSnapshot, String> {
    match cluster::check_namespace(&env.sources, context, namespace, env.namespace_timeout).await {
        Ok(NamespaceCheck::Missing { .. }) => {
            return Err(format!(
                "Namespace {namespace} does not exist in {context}; nothing changed"
            ));
        }
        // Exists, or the cluster could not say: set it (the CLI has --force for the first case).
        Ok(NamespaceCheck::Exists) | Err(_) => {}
    }
    let env2 = env.clone();
    let (context, namespace) = (context.to_string(), namespace.to_string());
    tokio::task::spawn_blocking(move || {
        edit_kubeconfig(&env2.sources, false, env2.lock_timeout, |kc| {
            kc.set_namespace(&context, Some(&namespace))
        })
        .map_err(|e| e.to_string())
        .and_then(|()| snapshot(&env2.sources, &env2.rules))
    })
    .await
    .map_err(|e| e.to_string())?
}
