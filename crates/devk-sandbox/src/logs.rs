//! Log generation: line `n` of a container instance that started at `T` with rate `R` is
//! stamped `T + n/R`, and its text depends only on (pod, container, instance, n). So any
//! window (sinceTime, tailLines, limitBytes, previous) is exact and repeatable, and a client
//! that reconnects with `sinceTime` gets exactly the lines it has not seen.

use std::sync::Arc;

use super::lifecycle::Instance;
use super::scenario::{LogEncoding, LogFormat, LogSpec};
use super::util::{Nanos, SECOND, fnv64, rfc3339_nano_fixed};

/// The log generator of one container.
#[derive(Debug, Clone, PartialEq)]
pub struct LogGen {
    /// Nanoseconds between lines; 0 = the container never logs.
    pub interval: Nanos,
    pub format: LogFormat,
    pub sequence: bool,
    pub messages: Arc<Vec<String>>,
    /// Lines per instance, if finite.
    pub lines: Option<u64>,
    pub encoding: LogEncoding,
    /// Lines are padded to at least this many bytes.
    pub line_bytes: u64,
    pub pod: String,
    pub container: String,
}

/// Which lines a log request wants.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LogQuery {
    pub since: Option<Nanos>,
    pub tail: Option<u64>,
    pub timestamps: bool,
}

const JSON_MESSAGES: &[&str] = &[
    "GET /api/v1/items 200 {ms}ms",
    "POST /api/v1/orders 201 {ms}ms",
    "GET /api/v1/items/{rand} 200 {ms}ms",
    "cache lookup key=item:{rand} hit=true",
    "GET /healthz 200 1ms",
    "published event order.created id={rand}",
    "DELETE /api/v1/sessions/{rand} 204 {ms}ms",
    "db query took {ms}ms rows={rand}",
];

const TEXT_MESSAGES: &[&str] = &[
    "handled request method=GET path=/ status=200 duration={ms}ms",
    "worker picked up job id={rand}",
    "connection pool: active={rand} idle=4",
    "handled request method=POST path=/submit status=202 duration={ms}ms",
    "flushed {rand} metrics to collector",
    "GET /healthz 200",
];

impl LogGen {
    /// A generator for `container` of `pod` from its scenario spec.
    pub fn new(spec: &LogSpec, pod: &str, container: &str) -> LogGen {
        let interval = if spec.rate > 0.0 {
            ((SECOND as f64 / spec.rate).round() as Nanos).max(1)
        } else {
            0
        };
        let messages: Vec<String> = if spec.messages.is_empty() {
            let defaults = match spec.format {
                LogFormat::Json => JSON_MESSAGES,
                LogFormat::Text => TEXT_MESSAGES,
            };
            defaults.iter().map(|s| s.to_string()).collect()
        } else {
            spec.messages.clone()
        };
        LogGen {
            interval,
            format: spec.format,
            sequence: spec.sequence,
            messages: Arc::new(messages),
            lines: spec.lines,
            encoding: spec.encoding,
            line_bytes: spec.line_bytes,
            pod: pod.into(),
            container: container.into(),
        }
    }

    /// How long an instance with finitely many lines runs (it exits after its last line).
    pub fn finite_run(&self) -> Option<Nanos> {
        self.lines.map(|n| Nanos::from(n) * self.interval.max(1))
    }

    /// The timestamp of line `n` of `inst`.
    pub fn line_time(&self, inst: &Instance, n: u64) -> Nanos {
        inst.start + Nanos::from(n) * self.interval
    }

    /// Number of lines `inst` has written by `t` (lines stamped at or before `t`, before the
    /// instance's exit, within the finite line count).
    pub fn count(&self, inst: &Instance, t: Nanos) -> u64 {
        if self.interval == 0 || t < inst.start {
            return 0;
        }
        let by_time = match inst.end {
            // Lines strictly before the exit time.
            Some(end) if end <= t => {
                let d = end - inst.start;
                if d <= 0 {
                    0
                } else {
                    (d + self.interval - 1) / self.interval
                }
            }
            _ => (t - inst.start) / self.interval + 1,
        };
        let by_time = u64::try_from(by_time).unwrap_or(0);
        self.lines.map_or(by_time, |l| by_time.min(l))
    }

    /// The first line stamped at or after `t`.
    pub fn first_at_or_after(&self, inst: &Instance, t: Nanos) -> u64 {
        if self.interval == 0 || t <= inst.start {
            return 0;
        }
        u64::try_from((t - inst.start + self.interval - 1) / self.interval).unwrap_or(u64::MAX)
    }

    /// The `[first, end)` line range a request gets at `now`, keeping only the last
    /// `history` lines (older ones are "rotated away", as on a node).
    pub fn select(&self, inst: &Instance, now: Nanos, q: &LogQuery, history: u64) -> (u64, u64) {
        let end = self.count(inst, now);
        let mut first = end.saturating_sub(history);
        if let Some(since) = q.since {
            first = first.max(self.first_at_or_after(inst, since));
        }
        if let Some(tail) = q.tail {
            first = first.max(end.saturating_sub(tail));
        }
        (first.min(end), end)
    }

    /// Appends line `n` of `inst` (with its newline) to `out`, in the container's encoding.
    pub fn render(&self, inst: &Instance, n: u64, timestamps: bool, out: &mut Vec<u8>) {
        let t = self.line_time(inst, n);
        let stamp = rfc3339_nano_fixed(t);
        if timestamps {
            out.extend_from_slice(stamp.as_bytes());
            out.push(b' ');
        }
        let (level, mut msg) = self.message(inst, n);
        let mut body = self.body(&stamp, level, &msg, n);
        let want = usize::try_from(self.line_bytes).unwrap_or(usize::MAX);
        let len = match self.encoding {
            LogEncoding::Utf8 => body.len(),
            LogEncoding::Latin1 => body.chars().count(),
        };
        if len < want {
            // Padding goes into the message, so a JSON line stays valid JSON.
            msg.push(' ');
            let missing = want.saturating_sub(len + 1);
            msg.extend(FILLER.chars().cycle().take(missing));
            body = self.body(&stamp, level, &msg, n);
        }
        match self.encoding {
            LogEncoding::Utf8 => out.extend_from_slice(body.as_bytes()),
            LogEncoding::Latin1 => out.extend(
                body.chars()
                    .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')),
            ),
        }
        out.push(b'\n');
    }

    /// The level and message of line `n`: its first line says it starts, the last line of a
    /// failed instance says why it exits, the rest come from the templates.
    fn message(&self, inst: &Instance, n: u64) -> (&'static str, String) {
        let idx = inst.index.to_string();
        let ns = n.to_string();
        let h = fnv64(&[&self.pod, &self.container, &idx, &ns]);
        let is_last = inst.end.is_some_and(|end| {
            let total = self.count(inst, end);
            total > 0 && n == total - 1
        });
        if n == 0 {
            (
                "info",
                format!("starting {} (instance {})", self.container, inst.index),
            )
        } else if is_last && inst.exit_code != 0 {
            (
                "error",
                format!(
                    "fatal: unrecoverable error, exiting with code {}",
                    inst.exit_code
                ),
            )
        } else if is_last && self.lines.is_some() {
            ("info", "done".to_string())
        } else {
            let level = match h % 100 {
                0..=1 => "error",
                2..=7 => "warn",
                8..=15 => "debug",
                _ => "info",
            };
            let tpl = &self.messages[(h >> 8) as usize % self.messages.len().max(1)];
            let msg = tpl
                .replace("{seq}", &ns)
                .replace("{pod}", &self.pod)
                .replace("{container}", &self.container)
                .replace("{ms}", &(1 + (h >> 20) % 250).to_string())
                .replace("{rand}", &((h >> 32) % 1000).to_string());
            (level, msg)
        }
    }

    /// A line as the application writes it (without the kubelet's timestamp and newline).
    fn body(&self, stamp: &str, level: &str, msg: &str, n: u64) -> String {
        // Millisecond app timestamps, as most loggers write them.
        let app_time = format!("{}Z", &stamp[..23]);
        let mut out = String::with_capacity(msg.len() + 64);
        match self.format {
            LogFormat::Json => {
                let msg = serde_json::to_string(msg).unwrap_or_default();
                out.push_str(&format!(
                    "{{\"time\":\"{app_time}\",\"level\":\"{level}\",\"logger\":\"{}\",\"msg\":{msg}",
                    self.container
                ));
                if self.sequence {
                    out.push_str(&format!(",\"seq\":{n}"));
                }
                out.push('}');
            }
            LogFormat::Text => {
                out.push_str(&format!("{app_time} {:<5} {msg}", level.to_uppercase()));
                if self.sequence {
                    out.push_str(&format!(" seq={n}"));
                }
            }
        }
        out
    }
}

/// What `line_bytes` pads messages with.
const FILLER: &str = "0123456789abcdefghijklmnopqrstuvwxyz";

/// Applies `limitBytes` to a chunk about to be sent: returns how much of `chunk` may go out
/// given `sent` bytes so far, or `None` when the limit was already reached.
pub fn limit_chunk(limit: Option<u64>, sent: u64, chunk_len: usize) -> Option<usize> {
    match limit {
        None => Some(chunk_len),
        Some(l) if sent >= l => None,
        Some(l) => Some(chunk_len.min(usize::try_from(l - sent).unwrap_or(usize::MAX))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::parse_rfc3339;

    fn generator(rate: f64, lines: Option<u64>) -> LogGen {
        let spec = LogSpec {
            rate,
            format: LogFormat::Text,
            sequence: true,
            messages: vec!["m".into()],
            lines,
            encoding: LogEncoding::Utf8,
            line_bytes: 0,
        };
        LogGen::new(&spec, "pod", "app")
    }

    fn instance(start: Nanos, end: Option<Nanos>, exit_code: i32) -> Instance {
        Instance {
            index: 0,
            start,
            end,
            exit_code,
            id: "containerd://x".into(),
        }
    }

    fn bytes(g: &LogGen, inst: &Instance, range: (u64, u64), ts: bool) -> Vec<u8> {
        let mut s = Vec::new();
        for n in range.0..range.1 {
            g.render(inst, n, ts, &mut s);
        }
        s
    }

    fn text(g: &LogGen, inst: &Instance, range: (u64, u64), ts: bool) -> String {
        String::from_utf8(bytes(g, inst, range, ts)).unwrap()
    }

    #[test]
    fn lines_are_stamped_at_start_plus_n_over_rate() {
        let g = generator(4.0, None);
        let t0 = parse_rfc3339("2024-01-01T00:00:00Z").unwrap();
        let inst = instance(t0, None, 0);
        assert_eq!(g.count(&inst, t0 + SECOND), 5); // 0, .25, .5, .75, 1.0
        let out = text(&g, &inst, (0, 2), true);
        assert!(out.starts_with(
            "2024-01-01T00:00:00.000000000Z 2024-01-01T00:00:00.000Z INFO  starting app"
        ));
        assert!(out.contains("\n2024-01-01T00:00:00.250000000Z "), "{out}");
        assert!(out.ends_with(" seq=1\n"));
    }

    #[test]
    fn since_time_and_tail_lines_are_exact() {
        let g = generator(10.0, None);
        let inst = instance(0, None, 0);
        let now = 10 * SECOND; // 101 lines: 0..=100
        let q = |since, tail| LogQuery {
            since,
            tail,
            timestamps: false,
        };
        assert_eq!(g.select(&inst, now, &q(None, None), 10_000), (0, 101));
        assert_eq!(
            g.select(&inst, now, &q(Some(SECOND * 5), None), 10_000),
            (50, 101)
        );
        assert_eq!(
            g.select(&inst, now, &q(Some(SECOND * 5 + 1), None), 10_000),
            (51, 101)
        );
        assert_eq!(g.select(&inst, now, &q(None, Some(3)), 10_000), (98, 101));
        assert_eq!(
            g.select(&inst, now, &q(Some(SECOND * 9), Some(50)), 10_000),
            (90, 101)
        );
        assert_eq!(g.select(&inst, now, &q(None, Some(0)), 10_000), (101, 101));
        // Bounded history: only the newest 20 lines are kept.
        assert_eq!(g.select(&inst, now, &q(None, None), 20), (81, 101));
    }

    #[test]
    fn exited_instances_stop_before_their_end_and_end_with_the_error() {
        let g = generator(1.0, None);
        let inst = instance(0, Some(5 * SECOND), 3);
        assert_eq!(g.count(&inst, 100 * SECOND), 5);
        let out = text(&g, &inst, (4, 5), false);
        assert!(out.contains("exiting with code 3"), "{out}");
        let finite = generator(2.0, Some(3));
        assert_eq!(finite.finite_run(), Some(3 * SECOND / 2));
        assert_eq!(finite.count(&instance(0, None, 0), 100 * SECOND), 3);
    }

    #[test]
    fn limit_bytes_truncates_mid_line() {
        assert_eq!(limit_chunk(Some(10), 0, 25), Some(10));
        assert_eq!(limit_chunk(Some(10), 10, 25), None);
        assert_eq!(limit_chunk(None, 10, 25), Some(25));
    }

    #[test]
    fn output_is_deterministic() {
        let g = generator(3.0, None);
        let inst = instance(123, None, 0);
        assert_eq!(
            text(&g, &inst, (0, 50), true),
            text(&g, &inst, (0, 50), true)
        );
    }

    #[test]
    fn latin1_lines_are_not_utf8_and_padding_reaches_line_bytes() {
        let mut g = generator(1.0, None);
        g.messages = Arc::new(vec!["caf\u{e9} \u{263a}".into()]);
        g.encoding = LogEncoding::Latin1;
        let inst = instance(0, None, 0);
        let out = bytes(&g, &inst, (1, 2), false);
        assert!(std::str::from_utf8(&out).is_err());
        assert!(out.windows(6).any(|w| w == b"caf\xe9 ?"), "{out:?}");
        g.encoding = LogEncoding::Utf8;
        g.line_bytes = 5000;
        for format in [LogFormat::Text, LogFormat::Json] {
            g.format = format;
            let line = text(&g, &inst, (1, 2), false);
            assert_eq!(
                line.len(),
                5001,
                "{format:?}: padded to 5000 bytes plus the newline"
            );
            if format == LogFormat::Json {
                assert!(serde_json::from_str::<serde_json::Value>(&line).is_ok());
            }
        }
    }
}
