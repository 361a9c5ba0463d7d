//! The context overview shared by `devk contexts`, `devk switch` and the TUI: each context
//! joined with its cluster and user, and classified.

pub mod display;

use serde::Serialize;

use crate::kubeconfig::{ContextInfo, Kubeconfig};
use crate::policy::{ClassRules, Classification, ContextClass, classify};

/// One row of the context list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContextRow {
    pub name: String,
    pub current: bool,
    pub class: ContextClass,
    pub class_reason: String,
    pub cluster: String,
    pub server: Option<String>,
    pub user: String,
    pub auth: String,
    pub namespace: String,
    /// The kubeconfig file that defines the context.
    pub file: String,
}

/// Classifies one context of `kc`.
pub fn classify_context(kc: &Kubeconfig, rules: &ClassRules, ctx: &ContextInfo) -> Classification {
    let cluster = kc.cluster(&ctx.cluster);
    classify(
        rules,
        &ctx.name,
        &ctx.cluster,
        cluster.as_ref().and_then(|c| c.server.as_deref()),
        cluster
            .as_ref()
            .and_then(|c| c.certificate_authority.as_deref()),
    )
}

/// Every context of `kc` as a row, sorted by name.
pub fn rows(kc: &Kubeconfig, rules: &ClassRules) -> Vec<ContextRow> {
    let current = kc.current_context();
    kc.contexts()
        .into_iter()
        .map(|ctx| row(kc, rules, &ctx, current))
        .collect()
}

fn row(
    kc: &Kubeconfig,
    rules: &ClassRules,
    ctx: &ContextInfo,
    current: Option<&str>,
) -> ContextRow {
    let c = classify_context(kc, rules, ctx);
    let cluster = kc.cluster(&ctx.cluster);
    let auth = kc
        .user(&ctx.user)
        .map(|u| u.auth.to_string())
        .unwrap_or_else(|| "<missing user>".to_string());
    ContextRow {
        name: ctx.name.clone(),
        current: current == Some(ctx.name.as_str()),
        class: c.class,
        class_reason: c.reason,
        cluster: ctx.cluster.clone(),
        server: cluster.and_then(|c| c.server),
        user: ctx.user.clone(),
        auth,
        namespace: ctx.namespace_or_default().to_string(),
        file: kc.files()[ctx.file].path().display().to_string(),
    }
}
