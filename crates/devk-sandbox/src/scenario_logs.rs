//! The `[workload.container.logs]` table of a scenario: how a container logs (rate, format,
//! templates, a finite line count, the encoding, padding to a line length).

use serde::Deserialize;
use toml::Spanned;

use super::error::SandboxError;
use super::scenario::{Ctx, LogEncoding, LogFormat, LogSpec};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawLogs {
    rate: Option<Spanned<f64>>,
    format: Option<Spanned<String>>,
    #[serde(default)]
    sequence: bool,
    #[serde(default)]
    messages: Vec<String>,
    lines: Option<Spanned<i64>>,
    encoding: Option<Spanned<String>>,
    line_bytes: Option<Spanned<i64>>,
}

/// The longest line `line_bytes` may ask for (16 MiB: longer than any log line devk or the
/// kubelet should have to hold, short enough to keep a test's memory small).
const MAX_LINE_BYTES: i64 = 16 << 20;

/// The log spec of a container (`init`: an init container, which must finish), with errors
/// pointing at the offending value, or at the container's name (`name_span`).
pub(crate) fn logs(
    ctx: &Ctx<'_>,
    raw: Option<RawLogs>,
    init: bool,
    name_span: std::ops::Range<usize>,
) -> Result<LogSpec, SandboxError> {
    Ok(match raw {
        None => LogSpec {
            rate: 1.0,
            format: LogFormat::Text,
            sequence: false,
            messages: Vec::new(),
            lines: init.then_some(5),
            encoding: LogEncoding::Utf8,
            line_bytes: 0,
        },
        Some(l) => {
            let rate = l.rate.as_ref().map_or(1.0, |r| *r.get_ref());
            if let Some(r) = &l.rate
                && !(0.0..=100_000.0).contains(&rate)
            {
                return Err(ctx.err(
                    r.span(),
                    "`rate` must be between 0 and 100000 lines per second",
                ));
            }
            let format = match &l.format {
                None => LogFormat::Text,
                Some(f) => match f.get_ref().as_str() {
                    "json" => LogFormat::Json,
                    "text" => LogFormat::Text,
                    other => {
                        return Err(ctx.err(
                            f.span(),
                            format!("unknown log format {other:?}; expected \"json\" or \"text\""),
                        ));
                    }
                },
            };
            let lines = match &l.lines {
                None => init.then_some(5),
                Some(n) if *n.get_ref() >= 1 => Some(*n.get_ref() as u64),
                Some(n) => return Err(ctx.err(n.span(), "`lines` must be at least 1")),
            };
            if init && rate == 0.0 {
                return Err(ctx.err(
                    name_span.clone(),
                    "an init container needs a `rate` above 0 so that it finishes",
                ));
            }
            let encoding = match &l.encoding {
                None => LogEncoding::Utf8,
                Some(e) => match e.get_ref().as_str() {
                    "utf-8" | "utf8" => LogEncoding::Utf8,
                    "latin1" | "latin-1" | "iso-8859-1" => LogEncoding::Latin1,
                    other => {
                        return Err(ctx.err(
                            e.span(),
                            format!(
                                "unknown log encoding {other:?}; expected \"utf-8\" or \"latin1\""
                            ),
                        ));
                    }
                },
            };
            let line_bytes = match &l.line_bytes {
                None => 0,
                Some(n) if (0..=MAX_LINE_BYTES).contains(n.get_ref()) => *n.get_ref() as u64,
                Some(n) => {
                    return Err(ctx.err(
                        n.span(),
                        format!("`line_bytes` must be between 0 and {MAX_LINE_BYTES}"),
                    ));
                }
            };
            LogSpec {
                rate,
                format,
                sequence: l.sequence,
                messages: l.messages,
                lines,
                encoding,
                line_bytes,
            }
        }
    })
}
