//! The kube-rs adapter: builds a client from devk's merged kubeconfig view and answers the few
//! questions the CLI asks (does this namespace exist, which namespaces are there), always
//! within a deadline, because an unreachable cluster must never hang a command.

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::api::{Api, ListParams};

pub mod diagnose;
pub mod logs;
pub mod logstreams;
pub mod pods;
pub mod pullsecrets;
pub mod resolve;

use crate::exit::Exit;
use crate::kubeconfig::{Kubeconfig, Sources};

/// Why a cluster question could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("cannot build a client for context `{context}`: {message}")]
    Config { context: String, message: String },
    /// The kubeconfig cannot give a client for the context (a missing cluster or user entry,
    /// an unreadable file): the user must fix the file; retrying will not help.
    #[error(transparent)]
    Kubeconfig(crate::kubeconfig::KubeconfigError),
    #[error("the cluster of context `{context}` did not answer within {} ms", timeout.as_millis())]
    Timeout { context: String, timeout: Duration },
    #[error(
        "cannot reach the cluster of context `{context}`: {message}; check the server address, your VPN or tunnel, and that the cluster is running"
    )]
    Unreachable { context: String, message: String },
    #[error(
        "the cluster of context `{context}` rejected devk's credentials (401): the token or certificate is expired or wrong; log in again (for EKS: `aws sso login` or refresh your AWS credentials)"
    )]
    Unauthorized { context: String },
    #[error("the cluster of context `{context}` refused: {message}")]
    Forbidden { context: String, message: String },
    #[error("the cluster of context `{context}` answered with an error: {message}")]
    Api { context: String, message: String },
}

impl ClusterError {
    pub fn exit(&self) -> Exit {
        match self {
            Self::Config { .. } => Exit::Kubeconfig,
            Self::Kubeconfig(e) => e.exit(),
            Self::Timeout { .. } | Self::Unreachable { .. } => Exit::Unreachable,
            Self::Unauthorized { .. } => Exit::Unauthorized,
            Self::Forbidden { .. } => Exit::Refused,
            Self::Api { .. } => Exit::Failure,
        }
    }
}

/// Installs rustls' process-wide crypto provider once (kube and, later, the AWS SDK share it;
/// without one the first TLS handshake panics).
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// Builds a kube client for `context` from devk's own merged view of the kubeconfig files
/// (`client_from`). The files are read once more, in full: a light read leaves out the
/// certificate data a client needs.
pub async fn client_for(sources: &Sources, context: &str) -> Result<kube::Client, ClusterError> {
    let kc = Kubeconfig::load(sources.clone(), false).map_err(ClusterError::Kubeconfig)?;
    client_from(&kc, context).await
}

/// Builds a kube client for `context` from `kc`: kube-rs gets the context, cluster and user
/// exactly as devk's merge (client-go's rules) resolved them, never the files themselves, so
/// what devk shows is what it connects to. A context whose cluster or user entry is missing
/// is a kubeconfig error (exit 4) naming the file and the entry, not an unreachable cluster.
pub async fn client_from(kc: &Kubeconfig, context: &str) -> Result<kube::Client, ClusterError> {
    install_crypto_provider();
    let cfg_err = |message: String| ClusterError::Config {
        context: context.to_string(),
        message,
    };
    let doc = kc
        .client_document(context)
        .map_err(ClusterError::Kubeconfig)?;
    let one: kube::config::Kubeconfig =
        serde_json::from_value(doc).map_err(|e| cfg_err(e.to_string()))?;
    let options = kube::config::KubeConfigOptions {
        context: Some(context.to_string()),
        ..Default::default()
    };
    let config = kube::Config::from_custom_kubeconfig(one, &options)
        .await
        .map_err(|e| cfg_err(e.to_string()))?;
    kube::Client::try_from(config).map_err(|e| cfg_err(e.to_string()))
}

/// The answer to "does namespace N exist?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NamespaceCheck {
    Exists,
    /// The cluster answered: no such namespace. Carries the namespaces it does have, when it
    /// let devk list them.
    Missing {
        available: Vec<String>,
    },
}

pub(crate) fn classify_kube_error(context: &str, e: kube::Error) -> ClusterError {
    let context = context.to_string();
    match e {
        kube::Error::Api(status) if status.code == 401 => ClusterError::Unauthorized { context },
        kube::Error::Api(status) if status.code == 403 => ClusterError::Forbidden {
            context,
            message: status.message,
        },
        kube::Error::Api(status) => ClusterError::Api {
            context,
            message: format!("{} ({})", status.message, status.code),
        },
        kube::Error::Auth(err) => ClusterError::Config {
            context,
            message: err.to_string(),
        },
        other => ClusterError::Unreachable {
            context,
            message: error_chain(&other),
        },
    }
}

/// An error with its causes, innermost last ("client error (Connect): tcp connect error:
/// Connection refused"), because kube's top-level messages alone do not say what failed.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = c.source();
    }
    parts.join(": ")
}

async fn with_deadline<T>(
    context: &str,
    timeout: Duration,
    fut: impl std::future::Future<Output = Result<T, ClusterError>>,
) -> Result<T, ClusterError> {
    tokio::time::timeout(timeout, fut)
        .await
        .unwrap_or_else(|_| {
            Err(ClusterError::Timeout {
                context: context.to_string(),
                timeout,
            })
        })
}

/// Checks whether `namespace` exists in the cluster of `context`, within `timeout`.
pub async fn check_namespace(
    sources: &Sources,
    context: &str,
    namespace: &str,
    timeout: Duration,
) -> Result<NamespaceCheck, ClusterError> {
    with_deadline(context, timeout, async {
        let client = client_for(sources, context).await?;
        let api: Api<Namespace> = Api::all(client);
        match api.get_opt(namespace).await {
            Ok(Some(_)) => Ok(NamespaceCheck::Exists),
            Ok(None) => {
                let available = match api.list(&ListParams::default()).await {
                    Ok(list) => list
                        .items
                        .into_iter()
                        .filter_map(|n| n.metadata.name)
                        .collect(),
                    Err(_) => Vec::new(),
                };
                Ok(NamespaceCheck::Missing { available })
            }
            Err(e) => Err(classify_kube_error(context, e)),
        }
    })
    .await
}

/// Lists the namespaces of the cluster of `context`, within `timeout`.
pub async fn list_namespaces(
    sources: &Sources,
    context: &str,
    timeout: Duration,
) -> Result<Vec<String>, ClusterError> {
    with_deadline(context, timeout, async {
        let client = client_for(sources, context).await?;
        all_namespaces(&client, context).await
    })
    .await
}

/// Every namespace of the cluster `client` talks to, sorted.
pub async fn all_namespaces(
    client: &kube::Client,
    context: &str,
) -> Result<Vec<String>, ClusterError> {
    let api: Api<Namespace> = Api::all(client.clone());
    let list = api
        .list(&ListParams::default())
        .await
        .map_err(|e| classify_kube_error(context, e))?;
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter_map(|n| n.metadata.name)
        .collect();
    names.sort();
    Ok(names)
}

/// A small current-thread runtime for CLI commands that make one or two cluster calls; the
/// hot commands (`current`, `switch`) never create one.
pub fn block_on<F: std::future::Future>(fut: F) -> std::io::Result<F::Output> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    Ok(rt.block_on(fut))
}
