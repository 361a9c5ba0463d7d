//! Which contexts devk writes pull secrets into. Local clusters only: nodes of remote and
//! protected clusters pull with their IAM roles, and a developer's short-lived token in a
//! shared cluster is both useless there and a leak. A context named in
//! `creds.allowed_contexts` is allowed whatever its class (a team's own dev cluster without
//! node roles, for example); only the user's own config file can name one (config::safety).

use crate::policy::{ContextClass, Glob};

/// Why writing pull secrets into a context is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "devk writes ECR pull secrets only into local clusters: context `{context}` is {class} ({reason}). Nodes of remote and protected clusters pull from ECR with their IAM role, so a developer's token does not belong there. If this cluster really has no node role, list it in creds.allowed_contexts in your own config file (~/.config/devk/config.toml; a project devk.toml cannot add one)"
)]
pub struct Refusal {
    pub context: String,
    pub class: ContextClass,
    pub reason: String,
}

/// Allows `context` (of `class`, for `reason`) or says why not.
pub fn check_target(
    context: &str,
    class: ContextClass,
    reason: &str,
    allowed: &[String],
) -> Result<(), Refusal> {
    if class == ContextClass::Local || allowed.iter().any(|g| Glob::new(g).matches(context)) {
        return Ok(());
    }
    Err(Refusal {
        context: context.to_owned(),
        class,
        reason: reason.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_contexts_are_allowed() {
        assert!(check_target("minikube", ContextClass::Local, "tool", &[]).is_ok());
    }

    #[test]
    fn protected_and_remote_are_refused_with_the_reason() {
        let err = check_target(
            "demo-prod",
            ContextClass::Protected,
            "context name `demo-prod` matches protected pattern `*prod*`",
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("context `demo-prod` is protected"), "{err}");
        assert!(err.contains("matches protected pattern"), "{err}");
        assert!(err.contains("IAM role"), "{err}");
        assert!(err.contains("creds.allowed_contexts"), "{err}");
        assert!(check_target("eks-dev", ContextClass::Remote, "r", &[]).is_err());
    }

    #[test]
    fn allowed_contexts_override_the_class() {
        let allowed = vec!["team-dev-*".to_owned()];
        assert!(check_target("team-dev-1", ContextClass::Remote, "r", &allowed).is_ok());
        assert!(check_target("team-prod", ContextClass::Protected, "r", &allowed).is_err());
    }
}
