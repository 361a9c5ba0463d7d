//! Opening a log session, for `devk logs` and the TUI's log view: connect, check that the
//! namespaces exist, resolve the target (a pod regex, `pod/NAME`, or a workload whose pod
//! selector the cluster holds), count what matches against the stream cap, then run the
//! streams (`cluster::logstreams`) in the background. Every question before streaming has a
//! deadline, because an unreachable cluster must never hang a command.

use std::time::Duration;

use k8s_openapi::api::core::v1::Namespace;
use kube::Api;
use regex::Regex;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::cluster::resolve::{self, ResolveError};
use crate::cluster::{self, ClusterError, classify_kube_error, logstreams};
use crate::exit::Exit;
use crate::fuzzy::{self, Resolution};
use crate::kubeconfig::Sources;
use crate::logs::session::{LogQuery, SessionEvent};
use crate::logs::target::{Target, TargetError};

/// What to open.
#[derive(Debug, Clone)]
pub struct LogRequest {
    pub context: String,
    /// What QUERY named, if anything (narrows `query`).
    pub target: Option<Target>,
    pub query: LogQuery,
    /// Refuse a query that matches more containers than `query.max_streams` (the CLI);
    /// otherwise stream the first ones and report the rest (the log view).
    pub refuse_over_cap: bool,
    /// Deadline for the questions asked before streaming.
    pub timeout: Duration,
}

/// A running session. Dropping it stops every stream.
pub struct LogSession {
    /// Events in batches; closed when the session is over (no-follow) or stopped.
    pub events: mpsc::Receiver<Vec<SessionEvent>>,
    /// The query as resolved (a workload turned into its label selector).
    pub query: LogQuery,
    /// Containers that matched when the session opened.
    pub matched: usize,
    task: JoinHandle<()>,
}

impl Drop for LogSession {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Why a session could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum LogsError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(transparent)]
    Target(#[from] TargetError),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
    #[error("namespace `{namespace}` does not exist in the cluster of context `{context}`{}", suggest(.suggestions))]
    NamespaceMissing {
        namespace: String,
        context: String,
        suggestions: Vec<String>,
    },
    #[error(
        "{query} is a workload in one namespace; pass exactly one -n NAMESPACE (not -A or several)"
    )]
    WorkloadNamespace { query: String },
    #[error(
        "the query matches {wanted} containers, more than the cap of {cap} streams; narrow it (a pod regex, -l, -c) or raise the cap with --max-streams or logs.max_streams"
    )]
    OverCap { wanted: usize, cap: usize },
    #[error(
        "no matching container has restarted, so there is no previous instance to show (drop --previous for the current one)"
    )]
    NoPrevious,
}

fn suggest(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => format!("; did you mean one of: {}?", many.join(", ")),
    }
}

impl LogsError {
    pub fn exit(&self) -> Exit {
        match self {
            Self::Cluster(e) => e.exit(),
            Self::Resolve(e) => e.exit(),
            Self::Target(_) | Self::WorkloadNamespace { .. } => Exit::Usage,
            Self::NamespaceMissing { .. } | Self::NoPrevious => Exit::NotFound,
            Self::OverCap { .. } => Exit::Refused,
        }
    }
}

/// Opens a session for `req` against the kubeconfig `sources`.
pub async fn open(sources: &Sources, req: LogRequest) -> Result<LogSession, LogsError> {
    let timeout = req.timeout;
    let context = req.context.clone();
    let prepared = tokio::time::timeout(timeout, async {
        let client = cluster::client_for(sources, &req.context).await?;
        let query = prepare(&client, &req).await?;
        let matched = logstreams::count_containers(&client, &query)
            .await
            .map_err(|e| classify_kube_error(&req.context, e))?;
        Ok::<_, LogsError>((client, query, matched))
    })
    .await
    .map_err(|_| ClusterError::Timeout { context, timeout })?;
    let (client, query, matched) = prepared?;
    if req.refuse_over_cap && matched > query.max_streams {
        return Err(LogsError::OverCap {
            wanted: matched,
            cap: query.max_streams,
        });
    }
    if query.previous && matched == 0 {
        return Err(LogsError::NoPrevious);
    }
    let (tx, events) = mpsc::channel(64);
    let task = tokio::spawn(logstreams::run(client, query.clone(), tx));
    Ok(LogSession {
        events,
        query,
        matched,
        task,
    })
}

/// Checks the namespaces and turns the target into the query's pod regex or selector.
async fn prepare(client: &kube::Client, req: &LogRequest) -> Result<LogQuery, LogsError> {
    let mut query = req.query.clone();
    for ns in &query.namespaces {
        check_namespace(client, &req.context, ns).await?;
    }
    match &req.target {
        None => {}
        Some(Target::Pods(re)) => query.pod = Some(re.clone()),
        Some(Target::Pod(name)) => {
            let exact = format!("^{}$", regex::escape(name));
            query.pod = Regex::new(&exact).ok();
        }
        Some(Target::Workload { kind, name }) => {
            let [ns] = query.namespaces.as_slice() else {
                return Err(LogsError::WorkloadNamespace {
                    query: format!("{}/{name}", kind.noun()),
                });
            };
            let selector = resolve::pod_selector(client, &req.context, ns, *kind, name).await?;
            query.label_selector = Some(match &query.label_selector {
                Some(extra) => format!("{selector},{extra}"),
                None => selector,
            });
        }
    }
    Ok(query)
}

/// Fails when the cluster says `namespace` does not exist. A user who may not read
/// namespaces (403, common with namespace-scoped RBAC) is given the benefit of the doubt.
async fn check_namespace(
    client: &kube::Client,
    context: &str,
    namespace: &str,
) -> Result<(), LogsError> {
    let api: Api<Namespace> = Api::all(client.clone());
    match api.get_opt(namespace).await {
        Ok(Some(_)) => Ok(()),
        Ok(None) => {
            let names = cluster::all_namespaces(client, context)
                .await
                .unwrap_or_default();
            let suggestions = match fuzzy::resolve(namespace, &names) {
                Resolution::Found(n) => vec![n],
                Resolution::Ambiguous(many) => many.into_iter().take(3).collect(),
                Resolution::NotFound(close) => close,
            };
            Err(LogsError::NamespaceMissing {
                namespace: namespace.to_string(),
                context: context.to_string(),
                suggestions,
            })
        }
        Err(kube::Error::Api(s)) if s.code == 403 => Ok(()),
        Err(e) => Err(match classify_kube_error(context, e) {
            ClusterError::Api { message, .. } => ClusterError::Api {
                context: context.to_string(),
                message: format!("cannot check namespace {namespace}: {message}"),
            },
            other => other,
        }
        .into()),
    }
}
