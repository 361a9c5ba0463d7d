//! One container's log stream that never loses or repeats a line: it always asks for
//! timestamps, remembers where it is (`logs::resume`), and after any disconnect or error comes
//! back with `sinceTime` and drops what it already delivered. A stream that goes silent for a
//! long time is re-armed (a silently dead HTTP stream looks exactly like a quiet container).

use std::time::{Duration, Instant};

use futures::{AsyncBufReadExt, StreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, LogParams};
use tokio::sync::mpsc;

use super::error_chain;
use crate::logs::backoff::Backoff;
use crate::logs::resume::Resume;
use crate::logs::timestamp::{self, Nanos};

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
    /// The previous (terminated) instance.
    pub previous: bool,
    /// Re-arm after this long without a byte.
    pub silence: Duration,
}

/// What a stream reports, in batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    Line {
        ts: Nanos,
        text: String,
    },
    /// The connection dropped and came back; nothing was lost or repeated.
    Resumed {
        down_for: Duration,
        cause: String,
    },
    /// Ended: the pod is gone, the container finished (without follow), or it cannot be read.
    Ended {
        reason: String,
    },
}

/// Lines per batch and the longest a line waits in a batch: a chatty pod makes few large
/// messages (back-pressure goes to the HTTP stream through the bounded channel).
const BATCH_LINES: usize = 200;
const BATCH_WAIT: Duration = Duration::from_millis(50);

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
    /// The server closed the stream (container exited, or the connection was cut).
    Eof,
    /// Silent for too long.
    Silent,
    Error(String),
}

/// Streams `spec` into `out` until the stream ends or `out` closes.
pub async fn stream(api: Api<Pod>, spec: StreamSpec, out: mpsc::Sender<Vec<StreamEvent>>) {
    let mut resume = Resume::default();
    let mut backoff = Backoff::new(
        Duration::from_millis(250),
        Duration::from_secs(10),
        seed(&spec),
    );
    let mut first = true;
    let mut down_since: Option<(Instant, String)> = None;
    loop {
        resume.reconnect();
        let params = LogParams {
            container: Some(spec.container.clone()),
            follow: spec.follow,
            timestamps: true,
            previous: spec.previous,
            since_time: resume.since().or(spec.since).and_then(since_param),
            tail_lines: if first && resume.since().is_none() {
                spec.tail
            } else {
                None
            },
            ..LogParams::default()
        };
        let end = match api.log_stream(&spec.pod, &params).await {
            Ok(reader) => {
                if let Some((since, cause)) = down_since.take() {
                    let ev = StreamEvent::Resumed {
                        down_for: since.elapsed(),
                        cause,
                    };
                    if out.send(vec![ev]).await.is_err() {
                        return;
                    }
                }
                first = false;
                backoff.reset();
                pump(reader, &mut resume, &spec, &out).await
            }
            Err(kube::Error::Api(s)) if s.code == 404 => {
                let _ = out
                    .send(vec![StreamEvent::Ended {
                        reason: format!("pod {} is gone", spec.pod),
                    }])
                    .await;
                return;
            }
            Err(kube::Error::Api(s)) if s.code == 400 && !spec.follow => {
                let _ = out
                    .send(vec![StreamEvent::Ended { reason: s.message }])
                    .await;
                return;
            }
            Err(e) => End::Error(error_chain(&e)),
        };
        match end {
            End::Closed => return,
            End::Eof if !spec.follow || spec.previous => {
                let _ = out
                    .send(vec![StreamEvent::Ended {
                        reason: "end of log".into(),
                    }])
                    .await;
                return;
            }
            End::Eof => {
                down_since.get_or_insert((Instant::now(), "the server closed the stream".into()));
            }
            End::Silent => {
                // Re-arm at once: resuming from the mark costs nothing if it was only quiet.
                continue;
            }
            End::Error(cause) => {
                down_since.get_or_insert((Instant::now(), cause));
            }
        }
        tokio::time::sleep(backoff.next_delay()).await;
        if out.is_closed() {
            return;
        }
    }
}

fn seed(spec: &StreamSpec) -> u64 {
    spec.pod
        .bytes()
        .chain(spec.container.bytes())
        .fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        })
}

async fn pump(
    reader: impl futures::AsyncBufRead + Unpin,
    resume: &mut Resume,
    spec: &StreamSpec,
    out: &mpsc::Sender<Vec<StreamEvent>>,
) -> End {
    let mut lines = reader.lines();
    let mut batch: Vec<StreamEvent> = Vec::new();
    let mut batch_started = Instant::now();
    loop {
        let wait = if batch.is_empty() {
            spec.silence
        } else {
            BATCH_WAIT.saturating_sub(batch_started.elapsed())
        };
        match tokio::time::timeout(wait, lines.next()).await {
            Ok(Some(Ok(line))) => {
                let (ts, text) = match timestamp::split_line(&line) {
                    Some((ts, text)) => (ts, text.to_string()),
                    // Without a timestamp there is no way to resume exactly; keep the line.
                    None => (resume.since().unwrap_or(0), line),
                };
                if resume.accept(ts) {
                    if batch.is_empty() {
                        batch_started = Instant::now();
                    }
                    batch.push(StreamEvent::Line { ts, text });
                }
                if batch.len() >= BATCH_LINES && out.send(std::mem::take(&mut batch)).await.is_err()
                {
                    return End::Closed;
                }
            }
            Ok(Some(Err(e))) => {
                if !batch.is_empty() && out.send(batch).await.is_err() {
                    return End::Closed;
                }
                return End::Error(e.to_string());
            }
            Ok(None) => {
                if !batch.is_empty() && out.send(batch).await.is_err() {
                    return End::Closed;
                }
                return End::Eof;
            }
            Err(_) if batch.is_empty() => return End::Silent,
            Err(_) => {
                if out.send(std::mem::take(&mut batch)).await.is_err() {
                    return End::Closed;
                }
            }
        }
    }
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
