//! The terminal UI: Elm-style. `app` holds the model and `update` (no I/O), `views` draws it,
//! `runtime` runs the loop and the effects, this file sets the terminal up and restores it
//! (also on panic).

pub mod app;
pub mod creds;
mod creds_tasks;
#[cfg(test)]
mod fixtures;
pub mod images;
mod images_tasks;
pub mod keymap;
pub mod keys;
pub mod logview;
pub mod minikube;
pub mod msg;
pub mod runtime;
pub mod theme;
pub mod update;
mod update_creds;
mod update_images;
mod update_logs;
mod update_minikube;
pub mod views;

use std::io::{self, Stdout};
use std::time::Duration;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture, Event,
    EventStream, KeyEventKind, MouseEventKind,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use futures::StreamExt;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

use crate::config::Loaded;
use crate::exit::Exit;
use crate::kubeconfig::Sources;
use crate::policy::ClassRules;
use app::Model;
use keymap::Keymap;
use keys::{Key, KeyCode};
use msg::{Mouse, Msg};
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

/// Converts a crossterm event into a message (None for events devk ignores).
pub fn convert(event: Event) -> Option<Msg> {
    use crossterm::event::{KeyCode as C, KeyModifiers as M};
    match event {
        Event::Key(k) if k.kind != KeyEventKind::Release => {
            let code = match k.code {
                C::Char(c) => KeyCode::Char(c),
                C::Enter => KeyCode::Enter,
                C::Esc => KeyCode::Esc,
                C::Tab => KeyCode::Tab,
                C::BackTab => KeyCode::BackTab,
                C::Up => KeyCode::Up,
                C::Down => KeyCode::Down,
                C::Left => KeyCode::Left,
                C::Right => KeyCode::Right,
                C::PageUp => KeyCode::PageUp,
                C::PageDown => KeyCode::PageDown,
                C::Home => KeyCode::Home,
                C::End => KeyCode::End,
                C::Backspace => KeyCode::Backspace,
                C::Delete => KeyCode::Delete,
                C::F(n) => KeyCode::F(n),
                _ => return None,
            };
            Some(Msg::Key(Key {
                code,
                ctrl: k.modifiers.contains(M::CONTROL),
                alt: k.modifiers.contains(M::ALT),
            }))
        }
        Event::Paste(s) => Some(Msg::Paste(s)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::Mouse(m) => match m.kind {
            MouseEventKind::Down(_) => Some(Msg::Mouse(Mouse::Click {
                column: m.column,
                row: m.row,
            })),
            MouseEventKind::ScrollUp => Some(Msg::Mouse(Mouse::ScrollUp)),
            MouseEventKind::ScrollDown => Some(Msg::Mouse(Mouse::ScrollDown)),
            _ => None,
        },
        _ => None,
    }
}

fn restore_terminal() {
    let _ = disable_raw_mode();
    let _ = crossterm::execute!(
        io::stdout(),
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        crossterm::cursor::Show
    );
}

fn setup_terminal() -> io::Result<Terminal<CrosstermBackend<Stdout>>> {
    // Restore the terminal before the panic message prints, or it would be unreadable and the
    // shell left in raw mode.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore_terminal();
        default_hook(info);
    }));
    enable_raw_mode()?;
    crossterm::execute!(
        io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste
    )?;
    Terminal::new(CrosstermBackend::new(io::stdout()))
}

/// Opens the TUI on the current terminal and runs it until the user quits.
pub fn run_tui(loaded: &Loaded, opts: TuiOptions) -> Result<(), TuiError> {
    let (keymap, theme) = keymap_and_theme(loaded, theme::color_enabled())?;
    let cfg = &loaded.config;
    let rules = ClassRules::new(
        &cfg.contexts.protected,
        &cfg.contexts.local,
        ClassRules::minikube_home_from_env(),
    );
    let snapshot = runtime::snapshot(&opts.sources, &rules).map_err(|message| TuiError {
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
    model.creds = creds::CredsState::new(cfg.creds.clone());
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
    let mut terminal = setup_terminal().map_err(io_err)?;
    let fps = cfg.tui.fps;
    let result = rt.block_on(async {
        let events = EventStream::new().filter_map(|e| async move { e.ok().and_then(convert) });
        let events = Box::pin(events);
        runtime::run(&mut terminal, model, &theme, env, events, fps, opts.until).await
    });
    restore_terminal();
    // Leave background tasks (a watch stuck connecting) behind without waiting for them.
    rt.shutdown_timeout(Duration::from_millis(100));
    result.map(|_| ()).map_err(io_err)
}
