//! devk's own view of what minikube reports. The parsers in `parse.rs` fill these from
//! minikube's JSON and text; nothing outside this module sees minikube's field names.

use serde::Serialize;

/// One minikube profile (a local cluster), from `minikube profile list -o json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    pub name: String,
    /// minikube's word for the cluster state, as it printed it: `OK`, `Running`, `Stopped`,
    /// `Paused`, `Starting`, `Unknown`, ... (it changed over versions; see [`Profile::is_running`]).
    pub status: String,
    /// `docker`, `kvm2`, `qemu2`, ... Empty for an invalid profile.
    pub driver: String,
    /// `docker`, `containerd`, `cri-o`. Empty when minikube did not say.
    pub container_runtime: String,
    /// `v1.31.0`. Empty for an invalid profile.
    pub kubernetes_version: String,
    /// Number of nodes in the cluster config.
    pub nodes: usize,
    /// The primary control plane's IP, when the profile has one.
    pub ip: Option<String>,
    /// The API server port of the primary control plane.
    pub port: Option<u16>,
    /// CPUs and memory (MiB) the profile was created with (0 when unknown).
    pub cpus: u64,
    pub memory_mib: u64,
    /// minikube's active profile (`minikube profile NAME`). Reported by minikube v1.26+.
    pub active: bool,
    /// The profile whose context is kubectl's current context. Reported by newer minikube
    /// versions only; `false` when absent.
    pub active_kube_context: bool,
    /// False for a profile minikube lists under "invalid" (broken config; `delete` it).
    pub valid: bool,
}

impl Profile {
    /// What the status word means, in either of minikube's vocabularies.
    pub fn state(&self) -> ProfileState {
        ProfileState::from_word(&self.status)
    }

    /// True when the cluster answers (its API server serves requests).
    pub fn is_running(&self) -> bool {
        matches!(self.state(), ProfileState::Running | ProfileState::Degraded)
    }
}

/// A profile's state, whichever words the minikube version used for it.
///
/// Up to v1.34 `profile list` reports the machine or API server state as libmachine names it
/// (`Running`, `Stopped`, `Paused`, `Saved`, `Starting`, `Stopping`, `Error`, `Timeout`, or
/// `Unknown`; v1.33 added `HAppy` and `Degraded` for HA clusters) from
/// `cmd/minikube/cmd/config/profile_list.go`. From v1.35 it reports `cluster.GetState` names
/// (`pkg/minikube/cluster/status.go`): `Starting`, `Pausing`, `Unpausing`, `Stopping`,
/// `Deleting`, `OK`, `HAppy`, `Warning`, `Degraded`, `NotFound`, `Stopped`, `Paused`, `Error`,
/// `InsufficientStorage`, `Unknown`. `Skipped` is `profile list --light`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileState {
    /// The API server serves requests (`Running`, `OK`, `HAppy`, `Warning`).
    Running,
    /// An HA cluster that serves but lost a control plane (`Degraded`).
    Degraded,
    /// Paused (`minikube unpause` resumes it).
    Paused,
    /// On its way somewhere (`Starting`, `Stopping`, `Pausing`, `Unpausing`, `Deleting`).
    Busy,
    /// Not running (`Stopped`, `Saved`, `NotFound`).
    Stopped,
    /// Broken (`Error`, `Timeout`, `InsufficientStorage`, `Misconfigured`).
    Error,
    /// minikube could not tell (`Unknown`, `Skipped`, or a word devk does not know).
    Unknown,
}

impl ProfileState {
    /// Reads minikube's word for a profile's state.
    pub fn from_word(word: &str) -> ProfileState {
        match word {
            "Running" | "OK" | "HAppy" | "Warning" => ProfileState::Running,
            "Degraded" => ProfileState::Degraded,
            "Paused" => ProfileState::Paused,
            "Starting" | "Stopping" | "Pausing" | "Unpausing" | "Deleting" => ProfileState::Busy,
            "Stopped" | "Saved" | "NotFound" => ProfileState::Stopped,
            "Error" | "Timeout" | "InsufficientStorage" | "Misconfigured" => ProfileState::Error,
            _ => ProfileState::Unknown,
        }
    }
}

/// The state of one node, from `minikube status -o json -p P`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Status {
    /// The machine name: the profile for the first node, `P-m02`, ... for the others.
    pub name: String,
    /// `Running`, `Stopped`, `Paused`, `Nonexistent`, `InsufficientStorage`, ...
    pub host: String,
    pub kubelet: String,
    /// `Running`, `Stopped`, ... or `Irrelevant` on a worker node.
    pub apiserver: String,
    /// `Configured`, `Misconfigured`, `Stopped`, ... or `Irrelevant` on a worker node.
    pub kubeconfig: String,
    pub worker: bool,
    /// Time until a scheduled stop (`minikube stop --schedule`), when one is set.
    pub time_to_stop: Option<String>,
    /// `in-use` when this shell has minikube's docker-env applied.
    pub docker_env: Option<String>,
}

impl Status {
    /// True when host, kubelet and (on a control plane) the API server all run.
    pub fn is_running(&self) -> bool {
        self.host == "Running"
            && self.kubelet == "Running"
            && (self.worker || self.apiserver == "Running")
    }
}

/// One addon, from `minikube addons list -o json -p P`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Addon {
    pub name: String,
    pub enabled: bool,
    /// The profile minikube reported the status for; `None` when minikube listed the addon
    /// without a cluster to check it against.
    pub profile: Option<String>,
}

/// The variables that point a Docker client at the profile's Docker daemon, in minikube's
/// order (`DOCKER_TLS_VERIFY`, `DOCKER_HOST`, `DOCKER_CERT_PATH`, `MINIKUBE_ACTIVE_DOCKERD`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DockerEnv {
    pub vars: Vec<(String, String)>,
}

impl DockerEnv {
    /// The value of one variable.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Which pipe a line of a long operation's output came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// One line of output from a long minikube operation, as it arrives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputLine {
    pub stream: Stream,
    pub text: String,
}

/// Options for `minikube start`. Empty strings and zero mean "minikube's own default".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartOptions {
    pub driver: String,
    pub cpus: u64,
    pub memory: String,
    pub kubernetes_version: String,
}

impl StartOptions {
    /// The flags to add to `minikube start`.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if !self.driver.is_empty() {
            args.push(format!("--driver={}", self.driver));
        }
        if self.cpus > 0 {
            args.push(format!("--cpus={}", self.cpus));
        }
        if !self.memory.is_empty() {
            args.push(format!("--memory={}", self.memory));
        }
        if !self.kubernetes_version.is_empty() {
            args.push(format!("--kubernetes-version={}", self.kubernetes_version));
        }
        args
    }
}
