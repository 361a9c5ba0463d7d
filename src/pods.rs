//! Pods as devk shows them: plain values that `cluster::pods` converts the API objects into,
//! for the Pods tab and anything else in the core (no kube or k8s-openapi types here).

/// A pod as devk lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodSummary {
    pub name: String,
    /// `ready/total` containers.
    pub ready: String,
    /// What kubectl's STATUS column would say (CrashLoopBackOff, Running, Init:0/1, ...).
    pub status: String,
    pub restarts: u32,
    /// Creation time, seconds since the Unix epoch.
    pub created: i64,
    pub node: String,
    /// The controller that owns the pod, as `Kind/name` (`ReplicaSet/web-5d8f`), if any.
    pub owner: Option<String>,
}

/// What the watch reports, batched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodUpdate {
    /// The first list (or a re-list after a lost watch) is complete: the full set.
    Reset(Vec<PodSummary>),
    Upsert(PodSummary),
    Delete(String),
    /// The watch failed; it retries with backoff by itself.
    Error(String),
    /// The kubeconfig cannot give a client for the context (a missing cluster or user entry,
    /// an unreadable file): the watch stopped, since retrying cannot help.
    Kubeconfig(String),
}
