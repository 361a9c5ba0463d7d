//! One refresh of one context, shared by `devk creds refresh` and the TUI: mint tokens (or
//! resolve keys, in addon mode) first, so nothing in the cluster changes when AWS says no;
//! then write the secret into each namespace and add it to the chosen service accounts.

use std::time::Duration;

use super::pullsecret::{self, ADDON_NAMESPACE, ADDON_SECRET};
use super::sdk::{self, AwsOptions};
use super::{EcrError, RegistrySpec};
use crate::cluster::pullsecrets::{self as cluster, Change, PullSecretError, SaChange};
use crate::cluster::{ClusterError, all_namespaces, client_for};
use crate::exit::Exit;
use crate::kubeconfig::Sources;

/// Which namespaces get the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Namespaces {
    List(Vec<String>),
    All,
}

/// The namespaces a refresh writes to when the command line names none: `creds.namespaces`,
/// else the context's namespace (`default` when the context sets none). `devk creds` and the
/// Registry creds tab both start from this.
pub fn default_namespaces(configured: &[String], context_namespace: &str) -> Vec<String> {
    if !configured.is_empty() {
        configured.to_vec()
    } else if context_namespace.is_empty() {
        vec!["default".to_owned()]
    } else {
        vec![context_namespace.to_owned()]
    }
}

/// Addon mode: minikube's registry-creds settings secret instead of devk's pull secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddonMode {
    pub accounts: Vec<String>,
    pub assume_role: String,
}

/// Everything one refresh needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub context: String,
    pub namespaces: Namespaces,
    pub service_accounts: Vec<String>,
    pub secret_name: String,
    pub registries: Vec<RegistrySpec>,
    pub aws: AwsOptions,
    pub addon: Option<AddonMode>,
}

impl Request {
    /// The request for `context` from `[creds]` and the caller's choices (flags or the TUI's
    /// defaults). `addon`: minikube registry-creds mode, for the accounts of
    /// `creds.registries`.
    pub fn from_config(
        creds: &crate::config::CredsConfig,
        context: &str,
        namespaces: Namespaces,
        service_accounts: Vec<String>,
        aws: AwsOptions,
        addon: bool,
    ) -> Result<Request, String> {
        let registries = creds
            .registry_specs()
            .map_err(|e| format!("creds.registries: {e}"))?;
        let addon = addon.then(|| AddonMode {
            accounts: registries.iter().map(|r| r.account.clone()).collect(),
            assume_role: creds.addon_assume_role.clone(),
        });
        Ok(Request {
            context: context.to_owned(),
            namespaces,
            service_accounts,
            secret_name: creds.secret_name.clone(),
            registries,
            aws,
            addon,
        })
    }
}

/// What a refresh did. Holds no token or key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub context: String,
    /// The registries (proxy endpoints) the secret covers; in addon mode, the accounts.
    pub registries: Vec<String>,
    /// Unix seconds; None when the credentials do not expire (addon mode, long-term keys).
    pub expires_at: Option<i64>,
    /// (namespace, secret, change).
    pub secrets: Vec<(String, String, Change)>,
    /// (namespace, service account, change).
    pub service_accounts: Vec<(String, String, SaChange)>,
}

/// Why a refresh failed. Messages never hold a token or key.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    #[error(transparent)]
    Ecr(#[from] EcrError),
    #[error(transparent)]
    Cluster(#[from] PullSecretError),
    #[error(
        "addon mode needs the ECR accounts the addon should pull from: set creds.registries in devk.toml (e.g. [\"123456789012:eu-west-1\"])"
    )]
    AddonWithoutAccounts,
}

impl RefreshError {
    pub fn exit(&self) -> Exit {
        match self {
            RefreshError::Ecr(e) => e.exit(),
            RefreshError::Cluster(e) => e.exit(),
            RefreshError::AddonWithoutAccounts => Exit::Config,
        }
    }
}

impl From<ClusterError> for RefreshError {
    fn from(e: ClusterError) -> Self {
        RefreshError::Cluster(PullSecretError::Cluster(e))
    }
}

/// How long the cluster writes of one refresh may take in all.
const CLUSTER_DEADLINE: Duration = Duration::from_secs(60);

/// Runs one refresh of `req.context` at `now` (unix seconds, for the refreshed-at annotation).
pub async fn refresh(sources: &Sources, req: &Request, now: i64) -> Result<Report, RefreshError> {
    if let Some(addon) = &req.addon {
        return refresh_addon(sources, req, addon, now).await;
    }
    let tokens = sdk::fetch_tokens(&req.aws, &req.registries).await?;
    let mut report = Report {
        context: req.context.clone(),
        registries: pullsecret::registries_of(&pullsecret::dockerconfigjson(&tokens)),
        expires_at: pullsecret::earliest_expiry(&tokens),
        secrets: Vec::new(),
        service_accounts: Vec::new(),
    };
    let ctx = req.context.as_str();
    let writes = async {
        let client = client_for(sources, ctx).await?;
        let namespaces = match &req.namespaces {
            Namespaces::List(list) => list.clone(),
            Namespaces::All => all_namespaces(&client, ctx).await?,
        };
        for ns in &namespaces {
            let plan = pullsecret::pull_secret(ns, &req.secret_name, &tokens, now);
            let change = cluster::apply_secret(&client, ctx, &plan, false).await?;
            report
                .secrets
                .push((ns.clone(), req.secret_name.clone(), change));
            for sa in &req.service_accounts {
                let change =
                    cluster::add_to_service_account(&client, ctx, ns, sa, &req.secret_name).await?;
                report
                    .service_accounts
                    .push((ns.clone(), sa.clone(), change));
            }
        }
        Ok::<(), RefreshError>(())
    };
    deadline(ctx, writes).await?;
    Ok(report)
}

async fn deadline<T>(
    context: &str,
    fut: impl std::future::Future<Output = Result<T, RefreshError>>,
) -> Result<T, RefreshError> {
    tokio::time::timeout(CLUSTER_DEADLINE, fut)
        .await
        .unwrap_or_else(|_| {
            Err(ClusterError::Timeout {
                context: context.to_owned(),
                timeout: CLUSTER_DEADLINE,
            }
            .into())
        })
}

async fn refresh_addon(
    sources: &Sources,
    req: &Request,
    addon: &AddonMode,
    now: i64,
) -> Result<Report, RefreshError> {
    if addon.accounts.is_empty() {
        return Err(RefreshError::AddonWithoutAccounts);
    }
    let keys = sdk::resolve_keys(&req.aws).await?;
    let plan = pullsecret::addon_secret(&keys, &addon.accounts, &addon.assume_role, now);
    let ctx = req.context.as_str();
    let change = deadline(ctx, async {
        let client = client_for(sources, ctx).await?;
        Ok(cluster::apply_secret(&client, ctx, &plan, true).await?)
    })
    .await?;
    Ok(Report {
        context: req.context.clone(),
        registries: addon
            .accounts
            .iter()
            .map(|a| format!("account {a} ({})", keys.region))
            .collect(),
        expires_at: keys.expires_at,
        secrets: vec![(ADDON_NAMESPACE.to_owned(), ADDON_SECRET.to_owned(), change)],
        service_accounts: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[rstest::rstest]
    #[case::configured(&["shop", "pay"], "dev", &["shop", "pay"])]
    #[case::context_namespace(&[], "dev", &["dev"])]
    #[case::context_without_namespace(&[], "", &["default"])]
    fn default_namespaces_prefer_config_then_the_context(
        #[case] configured: &[&str],
        #[case] context_ns: &str,
        #[case] want: &[&str],
    ) {
        let configured: Vec<String> = configured.iter().map(|s| s.to_string()).collect();
        assert_eq!(default_namespaces(&configured, context_ns), want);
    }
}
