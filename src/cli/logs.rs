//! `devk logs`: stern-style logs of many pods and containers, with reconnects that lose and
//! repeat nothing. Parses the arguments, opens a session with `ops::logs::open`, prints.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use clap_complete::ArgValueCompleter;
use regex::Regex;

use super::output::note;
use super::{Failure, Globals, complete};
use crate::exit::Exit;
use crate::kubeconfig::Kubeconfig;
use crate::logs::buffer::Source;
use crate::logs::line::{LogLine, cut_note};
use crate::logs::session::{LogQuery, SessionEvent};
use crate::logs::target::Target;
use crate::logs::timestamp;
use crate::ops::{
    self,
    logs::{LogRequest, LogSession},
};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pod name regex, or KIND/NAME for a workload's pods (deploy/, sts/, ds/, job/, svc/, pod/).
    /// Default: every pod.
    pub query: Option<String>,
    /// Namespace (repeatable). Default: the context's namespace.
    #[arg(short, long = "namespace", add = ArgValueCompleter::new(complete::namespaces))]
    pub namespaces: Vec<String>,
    /// All namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Label selector (`app=web,tier!=cache`).
    #[arg(short = 'l', long)]
    pub selector: Option<String>,
    /// Field selector (`spec.nodeName=node-1`).
    #[arg(long)]
    pub field_selector: Option<String>,
    /// Containers to include (regex).
    #[arg(short, long)]
    pub container: Option<String>,
    /// Containers to exclude (regex).
    #[arg(short = 'E', long)]
    pub exclude_container: Option<String>,
    /// Keep only lines matching one of these regexes (repeatable).
    #[arg(long)]
    pub include: Vec<String>,
    /// Drop lines matching one of these regexes (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Only lines newer than this (`30s`, `10m`, `2h`).
    #[arg(long)]
    pub since: Option<String>,
    /// Only the last N lines of each container to start with.
    #[arg(long)]
    pub tail: Option<i64>,
    /// Print each line's timestamp.
    #[arg(long)]
    pub timestamps: bool,
    /// Print what there is and exit, instead of following.
    #[arg(long)]
    pub no_follow: bool,
    /// Include init containers.
    #[arg(long)]
    pub init_containers: bool,
    /// The previous instance of each restarted container (as `kubectl logs -p`); prints and
    /// exits.
    #[arg(short = 'p', long)]
    pub previous: bool,
    /// Output format: text (prefixed, coloured), json (one object per line), raw (message only).
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// When to colour the prefixes.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub color: Color,
    /// Most containers streamed at once (default from config: logs.max_streams).
    #[arg(long)]
    pub max_streams: Option<usize>,
    /// Use this context instead of the current one.
    #[arg(long, add = ArgValueCompleter::new(complete::contexts))]
    pub context: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Raw,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Parses `90s`, `10m`, `1h30m`, `2d`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let mut total = 0u64;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: u64 = num.parse().ok()?;
        num.clear();
        total += n * match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
    }
    if !num.is_empty() {
        return None;
    }
    (total > 0).then(|| Duration::from_secs(total))
}

fn regex(flag: &str, s: &str) -> Result<Regex, Failure> {
    Regex::new(s).map_err(|e| {
        Failure::new(
            Exit::Usage,
            format!("{flag} `{s}` is not a valid regex: {e}"),
        )
    })
}

/// The stable colour of a pod name (one of six, so neighbours rarely share one).
pub fn colour_of(name: &str) -> u8 {
    let h = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    31 + (h % 6) as u8
}

/// Formats and writes lines: the one place output goes through, so a closed pipe ends devk
/// quietly and nothing is formatted twice.
struct Printer<W: Write> {
    w: W,
    format: Format,
    color: bool,
    timestamps: bool,
    /// Prefix lines with the namespace too (-A, or several -n).
    show_namespace: bool,
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl<W: Write> Printer<W> {
    fn keep(&self, text: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.is_match(text)))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }

    /// `ns/pod/container` or `pod/container`, for markers.
    fn marker_prefix(&self, source: &Source) -> String {
        if self.show_namespace {
            format!("{}/{}/{}", source.namespace, source.pod, source.container)
        } else {
            format!("{}/{}", source.pod, source.container)
        }
    }

    fn prefix(&self, source: &Source) -> String {
        let ns = if self.show_namespace {
            format!("{} ", source.namespace)
        } else {
            String::new()
        };
        match self.format {
            Format::Text if self.color => {
                let c = colour_of(&source.pod);
                format!(
                    "\x1b[2m{ns}\x1b[0m\x1b[{c}m{}\x1b[0m \x1b[2;{c}m{}\x1b[0m ",
                    source.pod, source.container
                )
            }
            Format::Text => format!("{ns}{} {} ", source.pod, source.container),
            _ => String::new(),
        }
    }

    /// Writes lines as the container wrote them (bytes, valid UTF-8 or not); JSON, which has
    /// to be text, gets them lossily.
    fn lines(&mut self, source: &Source, lines: &[LogLine]) -> io::Result<()> {
        let prefix = self.prefix(source);
        for line in lines {
            let text = line.text();
            if !self.keep(&text) {
                continue;
            }
            match self.format {
                Format::Json => {
                    let mut v = serde_json::json!({
                        "namespace": source.namespace, "pod": source.pod, "container": source.container,
                        "timestamp": timestamp::format(line.ts), "message": text,
                    });
                    if line.cut > 0 {
                        v["cut_bytes"] = serde_json::json!(line.cut);
                    }
                    writeln!(self.w, "{v}")?;
                }
                Format::Text | Format::Raw => {
                    self.w.write_all(prefix.as_bytes())?;
                    if self.timestamps {
                        write!(self.w, "{} ", timestamp::format(line.ts))?;
                    }
                    self.w.write_all(&line.bytes)?;
                    if line.cut > 0 {
                        self.w.write_all(cut_note(line.cut).as_bytes())?;
                    }
                    self.w.write_all(b"\n")?;
                }
            }
        }
        Ok(())
    }
}

fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::new(Exit::Ok, "")
    } else {
        Failure::new(Exit::Io, format!("cannot write logs: {e}"))
    }
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let cfg = g.config()?.config;
    let sources = g.sources();
    let kc = Kubeconfig::load_light(sources.clone(), false)?;
    let context = match args
        .context
        .clone()
        .or_else(|| kc.current_context().map(str::to_string))
    {
        Some(c) => c,
        None => {
            return Err(Failure::new(
                Exit::NotFound,
                "no current context; pass --context or `devk switch NAME`",
            ));
        }
    };
    let Some(ctx) = kc.context(&context) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!("no context `{context}` in {}", sources.describe()),
        ));
    };
    let namespaces = if args.all_namespaces {
        Vec::new()
    } else if args.namespaces.is_empty() {
        vec![ctx.namespace_or_default().to_string()]
    } else {
        args.namespaces.clone()
    };
    let since = match &args.since {
        None => None,
        Some(s) => {
            let d = parse_duration(s).ok_or_else(|| {
                Failure::new(
                    Exit::Usage,
                    format!("--since `{s}` is not a duration like 30s, 10m or 2h"),
                )
            })?;
            let now = jiff::Timestamp::now().as_nanosecond();
            Some(i64::try_from(now - d.as_nanos() as i128).unwrap_or(0))
        }
    };
    let target = args
        .query
        .as_deref()
        .map(Target::parse)
        .transpose()
        .map_err(|e| Failure::new(Exit::Usage, e.to_string()))?;
    let show_namespace = namespaces.len() != 1;
    let query = LogQuery {
        label_selector: args.selector.clone(),
        field_selector: args.field_selector.clone(),
        container: args
            .container
            .as_deref()
            .map(|c| regex("-c", c))
            .transpose()?,
        exclude_container: args
            .exclude_container
            .as_deref()
            .map(|c| regex("-E", c))
            .transpose()?,
        init_containers: args.init_containers,
        // The previous instance is over: print it and exit, as `kubectl logs -p` does.
        follow: !args.no_follow && !args.previous,
        previous: args.previous,
        since,
        tail: args.tail,
        max_streams: args.max_streams.unwrap_or(cfg.logs.max_streams).max(1),
        silence: Duration::from_secs(cfg.logs.silence_seconds),
        max_line_bytes: usize::try_from(cfg.logs.max_line_kib)
            .unwrap_or(usize::MAX)
            .saturating_mul(1024),
        ..LogQuery::new(namespaces)
    };
    let color = match args.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    };
    let printer = Printer {
        w: BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        format: args.output,
        color,
        timestamps: args.timestamps,
        show_namespace,
        include: args
            .include
            .iter()
            .map(|r| regex("--include", r))
            .collect::<Result<_, _>>()?,
        exclude: args
            .exclude
            .iter()
            .map(|r| regex("--exclude", r))
            .collect::<Result<_, _>>()?,
    };
    let request = LogRequest {
        context,
        target,
        query,
        refuse_over_cap: true,
        timeout: Duration::from_millis(cfg.namespace.check_timeout_ms.max(5000)),
    };
    let rt = super::output::async_runtime(2)?;
    rt.block_on(async move {
        let session = ops::logs::open(&sources, request)
            .await
            .map_err(|e| Failure::new(e.exit(), e.to_string()))?;
        if session.matched == 0 {
            if !session.query.follow {
                note("devk: no running containers match; nothing to show");
                return Ok(());
            }
            note("devk: no containers match yet; waiting for pods to appear (Ctrl-C stops)");
        }
        print_session(session, printer).await
    })
}

async fn print_session<W: Write>(
    mut session: LogSession,
    mut printer: Printer<W>,
) -> Result<(), Failure> {
    let follow = session.query.follow;
    while let Some(batch) = session.events.recv().await {
        for ev in batch {
            match ev {
                SessionEvent::Lines { source, lines } => {
                    printer.lines(&source, &lines).map_err(io_failure)?
                }
                SessionEvent::Marker { source, text } => {
                    note(&format!("--- {}: {text}", printer.marker_prefix(&source)))
                }
                SessionEvent::CapReached { wanted, cap } => note(&format!(
                    "devk: {wanted} containers match, more than the cap of {cap}; the rest are not streamed"
                )),
                SessionEvent::Error(e) => note(&format!("devk: {e}")),
                SessionEvent::Done => {}
            }
        }
        if follow {
            printer.w.flush().map_err(io_failure)?;
        }
    }
    printer.w.flush().map_err(io_failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
    }

    #[test]
    fn printer_prefixes_filters_and_formats() {
        let src = Source {
            namespace: "ns".into(),
            pod: "web-1".into(),
            container: "app".into(),
        };
        let mut p = Printer {
            w: Vec::new(),
            format: Format::Text,
            color: false,
            timestamps: false,
            show_namespace: false,
            include: vec![Regex::new("keep").unwrap()],
            exclude: vec![Regex::new("drop").unwrap()],
        };
        p.lines(
            &src,
            &[
                LogLine::new(0, "keep me"),
                LogLine::new(0, "keep drop"),
                LogLine::new(0, "other"),
            ],
        )
        .unwrap();
        assert_eq!(String::from_utf8(p.w).unwrap(), "web-1 app keep me\n");
        assert_eq!(colour_of("web-1"), colour_of("web-1"));
    }

    #[test]
    fn lines_are_written_as_bytes_with_the_namespace_when_several_are_shown() {
        let src = Source {
            namespace: "payments".into(),
            pod: "fraud-1".into(),
            container: "worker".into(),
        };
        let mut p = Printer {
            w: Vec::new(),
            format: Format::Text,
            color: false,
            timestamps: false,
            show_namespace: true,
            include: vec![],
            exclude: vec![],
        };
        let latin1 = LogLine {
            ts: 0,
            bytes: b"caf\xe9"[..].into(),
            cut: 0,
        };
        let cut = LogLine {
            ts: 0,
            bytes: b"xxxx"[..].into(),
            cut: 10,
        };
        p.lines(&src, &[latin1.clone(), cut]).unwrap();
        assert_eq!(
            p.w,
            b"payments fraud-1 worker caf\xe9\npayments fraud-1 worker xxxx [devk: 10 more bytes cut (logs.max_line_kib)]\n"
        );
        assert_eq!(p.marker_prefix(&src), "payments/fraud-1/worker");
        let mut j = Printer {
            w: Vec::new(),
            format: Format::Json,
            show_namespace: false,
            ..p
        };
        j.lines(&src, &[latin1]).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&j.w).unwrap();
        assert_eq!(v["message"], "caf\u{fffd}");
    }
}
