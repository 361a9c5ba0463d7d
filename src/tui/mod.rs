//! The terminal UI, Elm-style: one model, messages in, effects out.
//!
//! ```text
//! runtime/   terminal set-up and restore, the event loop, the effect runner, frame stats
//! update.rs  the router: update(&mut Model, Msg) -> Vec<Effect>; screen-wide keys here,
//!            the rest to the open overlay or the tab in front (tabs::Page)
//! view.rs    view(&Model, &Theme, &mut Frame): header, tab bar, body frame, status line
//! app.rs     the Model: the current tab, the overlay, the kubeconfig snapshot, notices, and
//!            each tab's state (defined in its folder)
//! msg.rs     Msg (keys, ticks, task results) and Effect (work for the runtime): plain data
//! keymap.rs  (key, scope) -> Action, from `[keys]`; the help overlay is generated from it
//! keys.rs    devk's own key values; theme.rs: styles from `[theme]`, or none (NO_COLOR)
//! tabs/      one folder per tab and one for the log view: state, update, view, tasks, tests
//! overlays/  help, command palette, protected-context confirmation, namespace input
//! widgets/   shared: the list cursor, table scrolling, text input, dialogs, status line
//! ```
//!
//! 1. The runtime waits on terminal events, a bounded channel of messages from tasks and the
//!    clock, and applies each message with `update`, which changes the model and returns
//!    effects. 2. The effect runner starts a task per effect; tasks never touch the model,
//!    they send messages (long streams in batches, each with a generation so results from a
//!    stream the user left are dropped). 3. When the model changed, one frame is drawn, at
//!    most `[tui] fps` a second. Nothing in `update` or `view` blocks or does I/O.

pub mod app;
#[cfg(test)]
mod fixtures;
pub mod keymap;
pub mod keys;
pub mod msg;
pub mod overlays;
pub mod runtime;
pub mod tabs;
pub mod theme;
pub mod update;
pub mod view;
#[cfg(test)]
mod view_tests;
pub mod widgets;
#[cfg(test)]
mod world;
#[cfg(test)]
mod world_tests;

use std::io;
use std::time::Duration;

use crossterm::event::EventStream;
use futures::StreamExt;

use crate::config::Loaded;
use crate::exit::Exit;
use crate::kubeconfig::Sources;
use crate::policy::ClassRules;
use app::Model;
use keymap::Keymap;
use runtime::{Env, Until};
use theme::Theme;

/// A TUI start-up failure: message and exit code.
#[derive(Debug)]
pub struct TuiError {
    pub exit: Exit,
    pub message: String,
}

/// Options for `run_tui`.
#[derive(Debug, Clone)]
pub struct TuiOptions {
    pub sources: Sources,
    /// Show the "simulated cluster" banner (`devk demo`).
    pub simulated: bool,
    pub until: Until,
    /// What the Contexts tab says when no kubeconfig file exists (how to try `devk demo`).
    pub first_run_hint: Option<String>,
}

/// Keymap and theme from config, with every problem named by key and origin.
pub fn keymap_and_theme(loaded: &Loaded, color: bool) -> Result<(Keymap, Theme), TuiError> {
    let mut problems = Vec::new();
    let origin = |key: &str| loaded.origin(key).unwrap_or_else(|| "config".into());
    let keymap = match Keymap::from_config(&loaded.config.keys) {
        Ok(k) => Some(k),
        Err(errs) => {
            for e in errs {
                problems.push(format!("{}: `{}` {}", origin(&e.key), e.key, e.problem));
            }
            None
        }
    };
    let theme = match Theme::from_config(&loaded.config.theme, color) {
        Ok(t) => Some(t),
        Err(errs) => {
            for (key, problem) in errs {
                problems.push(format!("{}: `{key}`: {problem}", origin(&key)));
            }
            None
        }
    };
    match (keymap, theme) {
        (Some(k), Some(t)) => Ok((k, t)),
        _ => Err(TuiError {
            exit: Exit::Config,
            message: problems.join("\n"),
        }),
    }
}

/// The model and the effect runner's environment for `opts`, from the config: what the TUI
/// starts with, on a terminal or in a test.
pub fn prepare(
    cfg: &crate::config::Config,
    keymap: Keymap,
    opts: &TuiOptions,
) -> Result<(Model, Env), TuiError> {
    let rules = ClassRules::new(
        &cfg.contexts.protected,
        &cfg.contexts.local,
        ClassRules::minikube_home_from_env(),
    );
    let snapshot =
        tabs::contexts::tasks::snapshot(&opts.sources, &rules).map_err(|message| TuiError {
            exit: Exit::Kubeconfig,
            message,
        })?;
    let env = Env {
        sources: opts.sources.clone(),
        rules,
        lock_timeout: Duration::from_millis(cfg.kubeconfig.lock_timeout_ms),
        namespace_timeout: Duration::from_millis(cfg.namespace.check_timeout_ms),
        max_streams: cfg.logs.max_streams,
        silence: Duration::from_secs(cfg.logs.silence_seconds),
        minikube: crate::minikube::from_config(cfg),
        config: std::sync::Arc::new(cfg.clone()),
    };
    let mut model = Model::new(snapshot, keymap, 0);
    model.simulated = opts.simulated;
    model.first_run_hint = opts.first_run_hint.clone();
    model.creds = tabs::creds::CredsState::new(cfg.creds.clone());
    model.images.name = cfg.images.name.clone();
    model.images.local_registry = cfg.images.local_registry.clone();
    // Reads DOCKER_HOST or the docker context's meta file; connects to nothing.
    model.images.engine = crate::images::docker::Endpoint::resolve(
        &crate::images::docker::EnvSnapshot::from_process(),
    )
    .map(|e| e.host)
    .unwrap_or_default();
    model.minikube.start_options = crate::minikube::StartOptions {
        driver: cfg.minikube.driver.clone(),
        cpus: cfg.minikube.cpus,
        memory: cfg.minikube.memory.clone(),
        kubernetes_version: cfg.minikube.kubernetes_version.clone(),
    };
    model.log_budget =
        usize::try_from(cfg.logs.buffer_mib.saturating_mul(1 << 20)).unwrap_or(usize::MAX);
    Ok((model, env))
}

/// Opens the TUI on the current terminal and runs it until the user quits.
/// Runs the TUI until `q`, or until a signal ends it: then the signal (SIGHUP, SIGTERM), for
/// the caller to end by once it has cleaned up.
pub fn run_tui(loaded: &Loaded, opts: TuiOptions) -> Result<Option<i32>, TuiError> {
    let (keymap, theme) = keymap_and_theme(loaded, theme::color_enabled())?;
    let cfg = &loaded.config;
    let (model, env) = prepare(cfg, keymap, &opts)?;
    crate::cluster::install_crypto_provider();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| TuiError {
            exit: Exit::Failure,
            message: format!("cannot start the async runtime: {e}"),
        })?;
    let io_err = |e: io::Error| TuiError {
        exit: Exit::Io,
        message: format!("terminal error: {e}"),
    };
    let mut terminal = runtime::terminal::setup().map_err(io_err)?;
    let fps = cfg.tui.fps;
    let result = rt.block_on(async {
        let events = EventStream::new()
            .filter_map(|e| async move { e.ok().and_then(runtime::terminal::convert) });
        let events = Box::pin(events);
        runtime::run(&mut terminal, model, &theme, env, events, fps, opts.until).await
    });
    runtime::terminal::restore();
    // Leave background tasks (a watch stuck connecting) behind without waiting for them.
    rt.shutdown_timeout(Duration::from_millis(100));
    result.map(|m| m.ended_by).map_err(io_err)
}
