//! Why a pod is not running, in one line that says what to do, from the pod's state and
//! events and from what devk knows that no other tool does: its ECR pull secrets (which
//! registry, when they expire, which service accounts list them), the images it built into
//! the host's Docker, the pushes it made, and the push policy (registries kept for CI).
//!
//! Pure: plain values in ([`PodFacts`], [`Knowledge`]), a [`Diagnosis`] out. The cluster
//! adapter (`cluster::diagnose`) reads the pod, its events and the namespace's secrets;
//! `devk why` and the TUI print the result.

mod containers;
mod pull;
mod scheduling;
#[cfg(test)]
mod tests;

use serde::Serialize;

pub use pull::registry_host;

/// How a container ended (last state or current).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Terminated {
    pub exit_code: i32,
    pub reason: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

/// One container of the pod, as its status reports it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainerFacts {
    pub name: String,
    pub image: String,
    /// As in the spec (the API server defaults it).
    pub pull_policy: Option<String>,
    pub init: bool,
    pub ready: bool,
    pub running: bool,
    pub restarts: u32,
    /// Waiting reason and message.
    pub waiting: Option<(String, String)>,
    pub terminated: Option<Terminated>,
    pub last_terminated: Option<Terminated>,
    pub memory_limit: Option<String>,
    pub memory_request: Option<String>,
    pub cpu_request: Option<String>,
}

/// An event about the pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFacts {
    pub reason: String,
    pub message: String,
    pub warning: bool,
    pub count: u32,
}

/// The pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PodFacts {
    pub namespace: String,
    pub name: String,
    pub phase: String,
    pub deleting: bool,
    pub service_account: String,
    /// The pod's own `imagePullSecrets`.
    pub pull_secrets: Vec<String>,
    pub node_selector: Vec<(String, String)>,
    /// Conditions: (type, status, reason, message).
    pub conditions: Vec<(String, String, String, String)>,
    pub containers: Vec<ContainerFacts>,
    /// Events about the pod, oldest first.
    pub events: Vec<EventFacts>,
}

/// A pull secret in the pod's namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretFacts {
    pub name: String,
    /// Registry hosts it has credentials for.
    pub registries: Vec<String>,
    /// Unix seconds, from `devk.dev/token-expires-at`.
    pub expires_at: Option<i64>,
}

/// What devk knows about one image reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageFacts {
    pub reference: String,
    /// The registry is one the push policy keeps for CI.
    pub ci_only: bool,
    /// The host's Docker has this tag (devk built or pulled it there).
    pub in_local_docker: bool,
    /// When devk pushed exactly this reference, if it did.
    pub pushed_at: Option<String>,
}

/// What devk knows besides the pod.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Knowledge {
    /// Unix seconds.
    pub now: i64,
    /// Pull secrets in the namespace (dockerconfigjson ones).
    pub secrets: Vec<SecretFacts>,
    /// Service accounts of the namespace and the pull secrets they list.
    pub service_accounts: Vec<(String, Vec<String>)>,
    pub images: Vec<ImageFacts>,
    /// The minikube profile, when the context is a minikube cluster.
    pub minikube_profile: Option<String>,
    /// The last lines of the previous instance of the crashing container, if read.
    pub previous_logs: Vec<String>,
}

/// What is wrong, as a stable word (`-o json`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    Running,
    Completed,
    Terminating,
    PullSecretMissing,
    PullSecretExpired,
    PullSecretNotListed,
    ImageOnlyLocal,
    ImageNotPushed,
    CiOnlyRegistry,
    ImageNeverPull,
    ImagePull,
    OomKilled,
    CrashLoop,
    ExitsZero,
    LivenessKills,
    NotReady,
    Unschedulable,
    ConfigError,
    Starting,
    Unknown,
}

/// The answer: one line saying why and what to do, and supporting lines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub namespace: String,
    pub pod: String,
    pub running: bool,
    pub cause: Cause,
    /// Why, and what to do, in one line.
    pub summary: String,
    /// Supporting detail: the runtime's message, the previous instance's last lines.
    pub details: Vec<String>,
}

impl Diagnosis {
    /// Whether the reason is known (the CLI exits 1 for a known reason, as for any).
    pub fn known(&self) -> bool {
        self.cause != Cause::Unknown
    }
}

pub(crate) fn diag(
    pod: &PodFacts,
    running: bool,
    cause: Cause,
    summary: String,
    details: Vec<String>,
) -> Diagnosis {
    Diagnosis {
        namespace: pod.namespace.clone(),
        pod: pod.name.clone(),
        running,
        cause,
        summary,
        details,
    }
}

fn condition<'a>(pod: &'a PodFacts, ty: &str) -> Option<&'a (String, String, String, String)> {
    pod.conditions.iter().find(|c| c.0 == ty)
}

/// Diagnoses one pod.
pub fn diagnose(pod: &PodFacts, k: &Knowledge) -> Diagnosis {
    if pod.deleting {
        return diag(
            pod,
            false,
            Cause::Terminating,
            "is being deleted (Terminating)".into(),
            Vec::new(),
        );
    }
    if pod.phase == "Succeeded" {
        return diag(
            pod,
            true,
            Cause::Completed,
            "ran to completion (Succeeded)".into(),
            Vec::new(),
        );
    }
    if let Some(c) = condition(pod, "PodScheduled").filter(|c| c.1 == "False") {
        return scheduling::unschedulable(pod, &c.3);
    }
    // Init containers first: the main ones wait for them.
    let order = pod
        .containers
        .iter()
        .filter(|c| c.init && c.terminated.as_ref().is_none_or(|t| t.exit_code != 0))
        .chain(pod.containers.iter().filter(|c| !c.init));
    for c in order {
        if let Some(d) = containers::container(pod, c, k) {
            return d;
        }
    }
    let all_ready = pod.containers.iter().filter(|c| !c.init).all(|c| c.ready);
    if pod.phase == "Running" && all_ready {
        return diag(
            pod,
            true,
            Cause::Running,
            "is running and ready".into(),
            Vec::new(),
        );
    }
    if pod.phase == "Running" {
        let unready: Vec<&str> = pod
            .containers
            .iter()
            .filter(|c| !c.init && !c.ready)
            .map(|c| c.name.as_str())
            .collect();
        let probe = pod
            .events
            .iter()
            .rev()
            .find(|e| e.reason == "Unhealthy" && e.message.starts_with("Readiness"));
        return match probe {
            Some(e) => diag(
                pod,
                false,
                Cause::NotReady,
                format!(
                    "runs but is not ready: {} ({}x); the Service sends it no traffic — check the probe's endpoint and what the app logs",
                    e.message,
                    e.count.max(1)
                ),
                Vec::new(),
            ),
            None => diag(
                pod,
                false,
                Cause::NotReady,
                format!(
                    "runs, but container(s) {} are not ready yet",
                    unready.join(", ")
                ),
                Vec::new(),
            ),
        };
    }
    let warning = pod.events.iter().rev().find(|e| e.warning);
    match warning {
        Some(e) => diag(
            pod,
            false,
            Cause::Unknown,
            format!(
                "is {} — last warning: {}: {}",
                pod.phase, e.reason, e.message
            ),
            Vec::new(),
        ),
        None => diag(
            pod,
            false,
            Cause::Starting,
            format!("is {}: its containers are being created", pod.phase),
            Vec::new(),
        ),
    }
}
