//! Running the TUI: the terminal, the loop, the effects.
//!
//! - `terminal.rs`: raw mode, alternate screen, mouse and bracketed paste on; restored on exit
//!   and on panic; crossterm events converted into devk's own `Msg`.
//! - `event_loop.rs`: [`run`] waits on terminal events, a bounded channel of messages from
//!   background tasks, the clock and SIGHUP/SIGTERM; applies every message with `update`;
//!   draws at most `fps` frames a second and only when the model changed. It is generic over
//!   the ratatui backend and takes the events as a stream, so tests drive it into a
//!   `TestBackend`.
//! - `effects.rs`: the effect runner. It turns each `Effect` into a task from the tab that
//!   asked for it (`tabs::<tab>::tasks`) and holds the one pod watch, the one log stream and
//!   the one minikube operation that may run at a time. Tasks never touch the model: they
//!   send messages.
//! - `stats.rs`: frame timings for the benchmarks (`DEVK_FRAME_STATS`), in bounded memory.

mod effects;
mod event_loop;
#[cfg(test)]
mod loop_tests;
mod stats;
pub(super) mod terminal;

pub use event_loop::run;
pub use stats::FrameStats;

use std::time::Duration;

use crate::kubeconfig::Sources;
use crate::policy::ClassRules;

/// What the effect runner needs from the outside world.
#[derive(Debug, Clone)]
pub struct Env {
    pub sources: Sources,
    pub rules: ClassRules,
    pub lock_timeout: Duration,
    pub namespace_timeout: Duration,
    pub max_streams: usize,
    pub silence: Duration,
    pub minikube: crate::minikube::Minikube,
    /// The loaded config (the Images tab builds and pushes with it).
    pub config: std::sync::Arc<crate::config::Config>,
}

/// How the loop ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The user quits.
    Quit,
    /// Right after the first frame (for start-up benchmarks).
    FirstFrame,
}
