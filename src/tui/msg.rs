//! Messages into `update` and effects out of it. Both are plain data: no terminal, kube or
//! tokio types, so `update` is tested with values alone.

use crate::contexts::ContextRow;

use super::keys::Key;
use super::tabs::{creds, hook, images, logs, minikube, pods::PodChange};

/// What the kubeconfig says after a load or a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KubeSnapshot {
    pub rows: Vec<ContextRow>,
    pub current: Option<String>,
}

/// Mouse input, reduced to what devk uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mouse {
    Click { column: u16, row: u16 },
    ScrollUp,
    ScrollDown,
}

/// Everything that can happen to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msg {
    Key(Key),
    /// Pasted text (into an input field).
    Paste(String),
    Mouse(Mouse),
    Resize {
        width: u16,
        height: u16,
    },
    /// The wall clock, seconds since the epoch (pod ages).
    Clock(i64),
    /// The kubeconfig was (re)loaded or written.
    Kube(Result<KubeSnapshot, String>),
    /// A switch or namespace change finished (the snapshot after it, or the error).
    Changed {
        what: String,
        result: Result<KubeSnapshot, String>,
    },
    /// The pod watch of generation `gen` connected.
    PodsConnected {
        generation: u64,
    },
    /// A batch of pod changes from the watch of generation `gen`.
    Pods {
        generation: u64,
        changes: Vec<PodChange>,
    },
    /// The pod watch of generation `gen` failed; it retries by itself.
    PodsError {
        generation: u64,
        message: String,
    },
    /// The pod watch of generation `gen` cannot start: the kubeconfig is wrong for the
    /// context (a missing cluster or user entry). It does not retry.
    PodsKubeconfigError {
        generation: u64,
        message: String,
    },
    /// Log lines and markers for the log view of generation `generation`.
    Logs {
        generation: u64,
        events: Vec<crate::logs::session::SessionEvent>,
    },
    /// The namespaces of the cluster of `context` (for the namespace dialog).
    Namespaces {
        context: String,
        result: Result<Vec<String>, String>,
    },
    /// A message for the footer (a file saved, a copy made, an error).
    Notice {
        text: String,
        error: bool,
    },
    /// Profiles and addons from minikube (or why they could not be read).
    Minikube(Result<Box<minikube::MinikubeInfo>, String>),
    /// A line of output from the running minikube operation.
    MinikubeLine(String),
    /// The minikube operation ended (Err: minikube's error lines and exit code).
    MinikubeDone(Result<(), String>),
    /// The pre-push hook's state in the current repository and its last scan.
    Hook(Result<Box<hook::HookInfo>, String>),
    /// The pull secrets of the context read for creds generation `generation`.
    CredsStatus {
        generation: u64,
        result: Result<Vec<crate::ecr::status::StatusRow>, String>,
    },
    /// A pull-secret refresh ended.
    CredsRefreshed {
        generation: u64,
        automatic: bool,
        result: Result<crate::ecr::refresh::Report, creds::RefreshFailure>,
    },
    /// The project's local images (or why they could not be listed).
    Images(Result<Vec<crate::images::list::ImageRow>, String>),
    /// Progress of the running build.
    ImageBuild(Vec<crate::images::build::BuildEvent>),
    /// Progress of the running push.
    ImagePush(Vec<crate::images::push_stream::PushEvent>),
    /// The build or push ended.
    ImageOpDone(images::OpEnd),
}

/// Work for the runtime. `update` returns these; the runtime runs them and answers with `Msg`s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Switch the current context.
    Switch {
        context: String,
    },
    /// Set the namespace of a context (checked with the cluster first).
    SetNamespace {
        context: String,
        namespace: String,
    },
    /// List the namespaces of the cluster of `context`.
    LoadNamespaces {
        context: String,
    },
    /// (Re)start the pod watch for context/namespace; stops any older one.
    WatchPods {
        generation: u64,
        context: String,
        namespace: String,
    },
    /// Stop the pod watch (no current context).
    StopPods,
    /// (Re)start the log stream for a view; stops any older one.
    StreamLogs {
        generation: u64,
        selection: logs::Selection,
        since: Option<crate::logs::timestamp::Nanos>,
        tail: Option<i64>,
    },
    StopLogs,
    /// Write log text to a new file (0600) in the current directory.
    SaveLogs {
        text: String,
    },
    /// Put text on the clipboard (OSC 52).
    Copy {
        text: String,
    },
    /// Read the hook's state in the current directory's repository.
    LoadHook,
    /// Read minikube's profiles, and the addons of `profile`.
    LoadMinikube {
        profile: Option<String>,
    },
    /// Run a long minikube operation (`start`, `stop`, `addons enable ...`), streaming output.
    RunMinikube {
        args: Vec<String>,
    },
    /// Interrupt the running minikube operation (SIGINT, as ctrl-c would).
    CancelMinikube,
    /// Read the pull secrets (and service accounts) of `context`.
    LoadCreds {
        generation: u64,
        context: String,
    },
    /// Mint an ECR token and write the pull secrets (`devk creds refresh`).
    RefreshCreds {
        generation: u64,
        automatic: bool,
        request: Box<crate::ecr::refresh::Request>,
    },
    /// List the local images of the project `name`.
    LoadImages {
        name: String,
    },
    /// Build the project (`[images]` config, as `devk build` with no arguments).
    BuildImage,
    /// Push `reference`, policy first (a refusal sends nothing). With `source`, first tag the
    /// local image `source` as `reference` (a push to `[images] local_registry`).
    PushImage {
        reference: String,
        source: Option<String>,
    },
    Quit,
}
