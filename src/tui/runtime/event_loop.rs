//! The event loop. It waits on terminal events, messages from background tasks (a bounded
//! channel), the clock and the signals that end a session; it applies every message with
//! `update` and draws at most `fps` frames a second, only when the model changed.

use std::time::Duration;

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::MissedTickBehavior;

use super::effects::Runner;
use super::stats::FrameStats;
use super::{Env, Until};
use crate::tui::app::Model;
use crate::tui::msg::Msg;
use crate::tui::tabs::pods::Conn;
use crate::tui::theme::Theme;
use crate::tui::update::update;
use crate::tui::view::view;

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// The next delivery of `sig`; never, when the handler could not be installed.
async fn next_signal(sig: &mut Option<Signal>) {
    match sig {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

/// Runs the UI on `terminal` until the user quits. `events` are the terminal's events, already
/// converted to messages (a test passes its own stream).
pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut model: Model,
    theme: &Theme,
    env: Env,
    events: impl Stream<Item = Msg> + Unpin,
    fps: u64,
    until: Until,
) -> std::io::Result<Model>
where
    B::Error: Into<std::io::Error>,
{
    let size = terminal.size().map_err(Into::into)?;
    model.size = (size.width, size.height);
    model.now = now();
    terminal
        .draw(|f| view(&model, theme, f))
        .map_err(Into::into)?;
    model.dirty = false;
    if until == Until::FirstFrame {
        return Ok(model);
    }
    // Bounded: a flood from the cluster waits here instead of growing memory.
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let mut runner = Runner::new(env, tx);
    for e in model.start() {
        runner.run(e);
    }
    let mut events = events;
    // A closed terminal (SIGHUP) or a `kill` (SIGTERM) ends the loop like `q` does, so the
    // terminal is restored and `devk demo` removes its temporary kubeconfig; the signal is
    // kept in the model so devk can end by it once everything is cleaned up.
    let mut hangup = signal(SignalKind::hangup()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    // Frames are drawn at most `fps` times a second and only when something changed: the
    // frame timer is armed by a change, so an idle UI does not wake up 30 times a second.
    let frame_gap = Duration::from_millis(1000 / fps.max(1));
    let mut last_frame = tokio::time::Instant::now();
    let mut clock = tokio::time::interval(Duration::from_millis(250));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_second = 0;
    let mut stats = FrameStats::default();
    while !model.quit {
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(m) => Some(m),
                None => break,
            },
            Some(m) = rx.recv() => Some(m),
            _ = next_signal(&mut hangup) => {
                model.ended_by = Some(signal_hook::consts::SIGHUP);
                break;
            }
            _ = next_signal(&mut terminate) => {
                model.ended_by = Some(signal_hook::consts::SIGTERM);
                break;
            }
            _ = tokio::time::sleep_until(last_frame + frame_gap), if model.dirty => {
                let started = std::time::Instant::now();
                terminal.draw(|f| view(&model, theme, f)).map_err(Into::into)?;
                stats.record(started);
                model.dirty = false;
                last_frame = tokio::time::Instant::now();
                None
            }
            _ = clock.tick() => {
                let t = now();
                // Seconds move pod ages; the quarter-second ticks only turn spinners.
                let spinning = model.busy.is_some() || model.pods.conn == Conn::Connecting;
                if t != last_second || spinning {
                    last_second = t;
                    Some(Msg::Clock(t))
                } else {
                    None
                }
            }
        };
        if let Some(msg) = msg {
            for e in update(&mut model, msg) {
                runner.run(e);
            }
            // Apply everything already queued before the next frame.
            while let Ok(m) = rx.try_recv() {
                for e in update(&mut model, m) {
                    runner.run(e);
                }
            }
        }
    }
    runner.stop();
    stats.write_if_asked();
    Ok(model)
}
