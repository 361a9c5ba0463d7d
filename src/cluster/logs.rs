//! One container's log stream that never loses or repeats a line and never asks the API
//! server in a loop. It always asks for timestamps and remembers where it is
//! (`logs::resume`). When the server ends a response, the pod's status (kept up to date by the
//! session's pod watch, handed in through a `watch` channel) says why (`logs::lifecycle`): a
//! container that exited is waited for without any request until the watch shows its next
//! instance, or ends the stream when nothing will run again; only a container that still runs
//! is reconnected, with `sinceTime`, after a back-off that grows until a connection proves
//! healthy. A stream that goes silent for a long time is re-armed (a silently dead HTTP stream
//! looks exactly like a quiet container). Lines are bytes (`logs::line`).

use std::time::{Duration, Instant};

use futures::{AsyncBufRead, AsyncBufReadExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use tokio::sync::{mpsc, watch};

use super::error_chain;
use crate::logs::backoff::Backoff;
use crate::logs::buffer::Source;
use crate::logs::lifecycle::{self, AfterEnd, Observed};
use crate::logs::line::{LineSplitter, LogLine};
use crate::logs::resume::Resume;
use crate::logs::session::SessionEvent;
use crate::logs::timestamp::Nanos;

/// Which container, and how to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSpec {
    pub pod: String,
    pub container: String,
    pub follow: bool,
    /// Start at this time (nanoseconds), or None for the container's start.
    pub since: Option<Nanos>,
    /// Only the last N lines on the first connection.
    pub tail: Option<i64>,
    /// The previous (terminated) instance; read once, never followed.
    pub previous: bool,
    /// Re-arm after this long without a byte.
    pub silence: Duration,
    /// Longest message kept per line.
    pub max_line_bytes: usize,
}

/// Lines per batch and the longest a line waits in a batch: a chatty pod makes few large
/// messages (back-pressure goes to the HTTP stream through the bounded channel).
const BATCH_LINES: usize = 200;
const BATCH_WAIT: Duration = Duration::from_millis(50);

/// A connection that delivered a new line, or stayed up this long, was healthy: the back-off
/// starts again from its base. Anything less keeps it growing.
const HEALTHY: Duration = Duration::from_secs(10);

/// After a clean end of a response while the status still says "running", how long to give
/// the pod watch to report the exit (the kubelet reports a container's end a second or two
/// after its log closes) before treating the end as a cut connection.
const STATUS_GRACE: Duration = Duration::from_secs(2);

const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(10);

/// `sinceTime` for a resume. kube rounds sinceTime to the nearest second, which could round
/// up past lines not yet seen: floor it here so the rounding is a no-op.
fn since_param(ns: Nanos) -> Option<jiff::Timestamp> {
    let floored = ns - ns.rem_euclid(1_000_000_000);
    jiff::Timestamp::from_nanosecond(i128::from(floored)).ok()
}

/// Why a connection ended.
enum End {
    /// The receiver is gone: stop quietly.
    Closed,
    /// The server ended the response cleanly (the container exited, or the server let go).
    Eof,
    /// Silent for too long.
    Silent,
    /// The request failed or the connection broke.
    Error(String),
}

/// What to do after an end.
enum Step {
    Reconnect,
    Stop,
}

/// Streams `spec` as events of `source` into `out` until the stream is over or `out` closes.
/// `status` carries the container's latest status from the session's pod watch; when its
/// sender is dropped (the pod is gone) a waiting stream stops.
pub async fn stream(
    api: Api<Pod>,
    spec: StreamSpec,
    source: Source,
    status: watch::Receiver<Observed>,
    out: mpsc::Sender<Vec<SessionEvent>>,
) {
    let seed = seed(&source);
    let mut s = Stream {
        splitter: LineSplitter::new(spec.max_line_bytes),
        api,
        spec,
        source,
        status,
        out,
        resume: Resume::default(),
        backoff: Backoff::new(BACKOFF_BASE, BACKOFF_CAP, seed),
        down: None,
    };
    s.run().await;
}

struct Stream {
    api: Api<Pod>,
    spec: StreamSpec,
    source: Source,
    status: watch::Receiver<Observed>,
    out: mpsc::Sender<Vec<SessionEvent>>,
    resume: Resume,
    backoff: Backoff,
    splitter: LineSplitter,
    /// Since when, and why, the stream has been down (for the "reconnected" marker).
    down: Option<(Instant, String)>,
}

impl Stream {
    async fn run(&mut self) {
        let mut first = true;
        loop {
            // The instance this connection reads: its restart count as the watch last saw it.
            let instance = self.status.borrow_and_update().restarts;
            self.resume.reconnect();
            let params = LogParams {
                container: Some(self.spec.container.clone()),
                follow: self.spec.follow && !self.spec.previous,
                timestamps: true,
                previous: self.spec.previous,
                since_time: self
                    .resume
                    .since()
                    .or(self.spec.since)
                    .and_then(since_param),
                tail_lines: if first && self.resume.since().is_none() {
                    self.spec.tail
                } else {
                    None
                },
                ..LogParams::default()
            };
            let connected_at = Instant::now();
            let end = match self.api.log_stream(&self.spec.pod, &params).await {
                Ok(reader) => {
                    if let Some((since, cause)) = self.down.take() {
                        let text = format!(
                            "reconnected after {:.1} s ({cause}); no lines lost",
                            since.elapsed().as_secs_f64()
                        );
                        if !self.marker(text).await {
                            return;
                        }
                    }
                    first = false;
                    let (end, delivered) = self.pump(reader).await;
                    if delivered || connected_at.elapsed() >= HEALTHY {
                        self.backoff.reset();
                    }
                    end
                }
                // The pod is gone; the session's watch reports it ("pod deleted").
                Err(kube::Error::Api(s)) if s.code == 404 => return,
                // Not readable (waiting to start, no previous instance): final without follow.
                Err(kube::Error::Api(s)) if s.code == 400 && !self.spec.follow => {
                    let _ = self.marker(s.message.clone()).await;
                    return;
                }
                Err(e) => End::Error(error_chain(&e)),
            };
            let step = match end {
                End::Closed => Step::Stop,
                End::Eof if !self.spec.follow || self.spec.previous => {
                    let _ = self.flush_partial().await;
                    Step::Stop
                }
                End::Eof => self.after_eof(instance).await,
                // Re-arm at once: resuming from the mark costs nothing if it was only quiet.
                End::Silent => {
                    self.splitter.take_partial();
                    Step::Reconnect
                }
                End::Error(cause) => {
                    // The unfinished line is asked for again, whole, from the mark.
                    self.splitter.take_partial();
                    self.down.get_or_insert((Instant::now(), cause));
                    let delay = self.backoff.next_delay();
                    self.sleep(delay).await
                }
            };
            if let Step::Stop = step {
                return;
            }
        }
    }

    /// A clean end while following: read the container's status to learn why.
    async fn after_eof(&mut self, instance: i32) -> Step {
        let grace = self.backoff.next_delay().max(STATUS_GRACE);
        let deadline = tokio::time::Instant::now() + grace;
        let ended_at = Instant::now();
        loop {
            let seen = self.status.borrow_and_update().clone();
            match lifecycle::after_end(&seen, instance) {
                AfterEnd::Restarted { restarts } => {
                    if !self.flush_partial().await
                        || !self.marker(lifecycle::restarted_marker(restarts)).await
                    {
                        return Step::Stop;
                    }
                    return Step::Reconnect;
                }
                AfterEnd::Finished(t) => {
                    let _ = self.flush_partial().await
                        && self.marker(lifecycle::finished_marker(&seen, &t)).await;
                    return Step::Stop;
                }
                AfterEnd::WaitForRestart(t) => {
                    if !self.flush_partial().await
                        || !self.marker(lifecycle::waiting_marker(&t)).await
                    {
                        return Step::Stop;
                    }
                    return self.wait_for_restart(instance).await;
                }
                AfterEnd::StillRunning => {
                    tokio::select! {
                        () = tokio::time::sleep_until(deadline) => {
                            self.splitter.take_partial();
                            self.down.get_or_insert((ended_at, "the server closed the stream".into()));
                            return Step::Reconnect;
                        }
                        changed = self.status.changed() => {
                            if changed.is_err() {
                                return Step::Stop;
                            }
                        }
                        () = self.out.closed() => return Step::Stop,
                    }
                }
            }
        }
    }

    /// Waits, asking the API server nothing, until the watch shows the container's next
    /// instance (then reads it) or shows that none will come.
    async fn wait_for_restart(&mut self, instance: i32) -> Step {
        loop {
            tokio::select! {
                changed = self.status.changed() => {
                    if changed.is_err() {
                        return Step::Stop;
                    }
                }
                () = self.out.closed() => return Step::Stop,
            }
            let seen = self.status.borrow_and_update().clone();
            match lifecycle::after_end(&seen, instance) {
                AfterEnd::Restarted { restarts } => {
                    if !self.marker(lifecycle::restarted_marker(restarts)).await {
                        return Step::Stop;
                    }
                    return Step::Reconnect;
                }
                AfterEnd::Finished(t) => {
                    let _ = self.marker(lifecycle::finished_marker(&seen, &t)).await;
                    return Step::Stop;
                }
                AfterEnd::WaitForRestart(_) | AfterEnd::StillRunning => {}
            }
        }
    }

    /// Sleeps the back-off `delay`; stops early when nobody listens or the pod is gone.
    async fn sleep(&mut self, delay: Duration) -> Step {
        let deadline = tokio::time::Instant::now() + delay;
        loop {
            tokio::select! {
                () = tokio::time::sleep_until(deadline) => return Step::Reconnect,
                changed = self.status.changed() => {
                    if changed.is_err() {
                        return Step::Stop;
                    }
                }
                () = self.out.closed() => return Step::Stop,
            }
        }
    }

    async fn marker(&self, text: String) -> bool {
        let ev = SessionEvent::Marker {
            source: self.source.clone(),
            text,
        };
        self.out.send(vec![ev]).await.is_ok()
    }

    async fn send_lines(&self, lines: Vec<LogLine>) -> bool {
        let ev = SessionEvent::Lines {
            source: self.source.clone(),
            lines,
        };
        self.out.send(vec![ev]).await.is_ok()
    }

    /// Delivers the unterminated last line of an instance that is over.
    async fn flush_partial(&mut self) -> bool {
        let Some(raw) = self.splitter.take_partial() else {
            return true;
        };
        let line = self.splitter.finish(raw, self.resume.since().unwrap_or(0));
        if self.resume.accept(line.ts) {
            return self.send_lines(vec![line]).await;
        }
        true
    }

    /// Reads one response; returns how it ended and whether it delivered a new line.
    async fn pump(&mut self, reader: impl AsyncBufRead + Unpin) -> (End, bool) {
        let mut reader = reader;
        let mut raw = Vec::new();
        let mut batch: Vec<LogLine> = Vec::new();
        let mut batch_started = Instant::now();
        let mut delivered = false;
        loop {
            let wait = if batch.is_empty() {
                self.spec.silence
            } else {
                BATCH_WAIT.saturating_sub(batch_started.elapsed())
            };
            let read = match tokio::time::timeout(wait, reader.fill_buf()).await {
                Ok(Ok([])) => Ok(None),
                Ok(Ok(buf)) => {
                    self.splitter.feed(buf, &mut raw);
                    Ok(Some(buf.len()))
                }
                Ok(Err(e)) => Err(Some(e.to_string())),
                Err(_) => Err(None),
            };
            match read {
                Ok(Some(n)) => {
                    reader.consume_unpin(n);
                    for r in raw.drain(..) {
                        let line = self.splitter.finish(r, self.resume.since().unwrap_or(0));
                        if self.resume.accept(line.ts) {
                            if batch.is_empty() {
                                batch_started = Instant::now();
                            }
                            batch.push(line);
                            delivered = true;
                        }
                    }
                    if batch.len() >= BATCH_LINES
                        && !self.send_lines(std::mem::take(&mut batch)).await
                    {
                        return (End::Closed, delivered);
                    }
                }
                Ok(None) | Err(Some(_)) => {
                    if !batch.is_empty() && !self.send_lines(std::mem::take(&mut batch)).await {
                        return (End::Closed, delivered);
                    }
                    let end = match read {
                        Err(Some(e)) => End::Error(e),
                        _ => End::Eof,
                    };
                    return (end, delivered);
                }
                Err(None) if batch.is_empty() => return (End::Silent, delivered),
                Err(None) => {
                    if !self.send_lines(std::mem::take(&mut batch)).await {
                        return (End::Closed, delivered);
                    }
                }
            }
        }
    }
}

fn seed(source: &Source) -> u64 {
    source
        .pod
        .bytes()
        .chain(source.container.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_is_floored_to_the_second() {
        let ts = since_param(1_704_067_200_999_999_999).unwrap();
        assert_eq!(ts.to_string(), "2024-01-01T00:00:00Z");
    }
}
