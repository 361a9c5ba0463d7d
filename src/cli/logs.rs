//! `devk logs`: stern-style logs of many pods and containers, with reconnects that lose and
//! repeat nothing.

use std::io::{self, BufWriter, IsTerminal, Write};
use std::time::Duration;

use clap_complete::ArgValueCompleter;
use regex::Regex;
use tokio::sync::mpsc;

use super::output::note;
use super::{Failure, Globals, complete};
use crate::cluster::logsession::{self, LogQuery, SessionEvent};
use crate::cluster::{self, ClusterError};
use crate::exit::Exit;
use crate::kubeconfig::Kubeconfig;
use crate::logs::buffer::Source;
use crate::logs::timestamp;

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
    include: Vec<Regex>,
    exclude: Vec<Regex>,
}

impl<W: Write> Printer<W> {
    fn keep(&self, text: &str) -> bool {
        (self.include.is_empty() || self.include.iter().any(|r| r.is_match(text)))
            && !self.exclude.iter().any(|r| r.is_match(text))
    }

    fn lines(&mut self, source: &Source, lines: &[(i64, String)]) -> io::Result<()> {
        let prefix = match self.format {
            Format::Text if self.color => {
                let c = colour_of(&source.pod);
                format!(
                    "\x1b[{c}m{}\x1b[0m \x1b[2;{c}m{}\x1b[0m ",
                    source.pod, source.container
                )
            }
            Format::Text => format!("{} {} ", source.pod, source.container),
            _ => String::new(),
        };
        for (ts, text) in lines {
            if !self.keep(text) {
                continue;
            }
            match self.format {
                Format::Json => {
                    let v = serde_json::json!({
                        "namespace": source.namespace, "pod": source.pod, "container": source.container,
                        "timestamp": timestamp::format(*ts), "message": text,
                    });
                    writeln!(self.w, "{v}")?;
                }
                Format::Text | Format::Raw => {
                    self.w.write_all(prefix.as_bytes())?;
                    if self.timestamps {
                        write!(self.w, "{} ", timestamp::format(*ts))?;
                    }
                    self.w.write_all(text.as_bytes())?;
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
    let mut query = LogQuery {
        namespaces,
        pod: None,
        owner: None,
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
        follow: !args.no_follow,
        since,
        tail: args.tail,
        max_streams: args.max_streams.unwrap_or(cfg.logs.max_streams).max(1),
        silence: Duration::from_secs(cfg.logs.silence_seconds),
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
    let rt = super::output::async_runtime(2)?;
    let query_text = args.query.clone();
    rt.block_on(async move {
        let client = cluster::client_for(&sources, &context).await?;
        if let Some(q) = &query_text {
            resolve_query(&client, q, &mut query).await?;
        }
        let timeout = Duration::from_millis(cfg.namespace.check_timeout_ms.max(5000));
        let wanted = tokio::time::timeout(timeout, logsession::count_containers(&client, &query))
            .await
            .map_err(|_| ClusterError::Timeout { context: context.clone(), timeout })?
            .map_err(|message| ClusterError::Unreachable { context: context.clone(), message })?;
        if wanted > query.max_streams {
            return Err(Failure::new(
                Exit::Refused,
                format!(
                    "the query matches {wanted} containers, more than the cap of {} streams; narrow it (a pod regex, -l, -c) or raise the cap with --max-streams or logs.max_streams",
                    query.max_streams
                ),
            ));
        }
        if wanted == 0 && !query.follow {
            note("devk: no running containers match; nothing to show");
            return Ok(());
        }
        print_session(client, query, printer).await
    })
}

async fn print_session<W: Write>(
    client: kube::Client,
    query: LogQuery,
    mut printer: Printer<W>,
) -> Result<(), Failure> {
    let follow = query.follow;
    let (tx, mut rx) = mpsc::channel::<Vec<SessionEvent>>(64);
    let session = tokio::spawn(logsession::run(client, query, tx));
    while let Some(batch) = rx.recv().await {
        for ev in batch {
            match ev {
                SessionEvent::Lines { source, lines } => {
                    printer.lines(&source, &lines).map_err(io_failure)?
                }
                SessionEvent::Marker { source, text } => {
                    note(&format!("--- {}/{}: {text}", source.pod, source.container))
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
    session.abort();
    printer.w.flush().map_err(io_failure)
}

/// Turns `deploy/web` and friends into a label selector, and anything else into a pod regex.
async fn resolve_query(
    client: &kube::Client,
    q: &str,
    query: &mut LogQuery,
) -> Result<(), Failure> {
    use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
    use k8s_openapi::api::batch::v1::Job;
    use k8s_openapi::api::core::v1::Service;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
    use kube::Api;

    let Some((kind, name)) = q.split_once('/') else {
        query.pod = Some(regex("QUERY", q)?);
        return Ok(());
    };
    let ns = query
        .namespaces
        .first()
        .cloned()
        .unwrap_or_else(|| "default".into());
    let not_found = |what: &str, e: kube::Error| {
        Failure::new(
            Exit::NotFound,
            format!("cannot read {what} `{name}` in namespace {ns}: {e}"),
        )
    };
    fn labels(sel: Option<LabelSelector>) -> Option<String> {
        let sel = sel?;
        let mut parts: Vec<String> = sel
            .match_labels
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        for e in sel.match_expressions.unwrap_or_default() {
            let values = e.values.unwrap_or_default().join(",");
            parts.push(match e.operator.as_str() {
                "In" => format!("{} in ({values})", e.key),
                "NotIn" => format!("{} notin ({values})", e.key),
                "Exists" => e.key.clone(),
                _ => format!("!{}", e.key),
            });
        }
        (!parts.is_empty()).then(|| parts.join(","))
    }
    let selector = match kind.to_lowercase().as_str() {
        "pod" | "po" | "pods" => {
            query.pod = Some(regex("QUERY", &format!("^{}$", regex::escape(name)))?);
            return Ok(());
        }
        "deploy" | "deployment" | "deployments" => {
            let d = Api::<Deployment>::namespaced(client.clone(), &ns)
                .get(name)
                .await
                .map_err(|e| not_found("deployment", e))?;
            labels(d.spec.map(|s| s.selector))
        }
        "sts" | "statefulset" | "statefulsets" => {
            let d = Api::<StatefulSet>::namespaced(client.clone(), &ns)
                .get(name)
                .await
                .map_err(|e| not_found("statefulset", e))?;
            labels(d.spec.map(|s| s.selector))
        }
        "ds" | "daemonset" | "daemonsets" => {
            let d = Api::<DaemonSet>::namespaced(client.clone(), &ns)
                .get(name)
                .await
                .map_err(|e| not_found("daemonset", e))?;
            labels(d.spec.map(|s| s.selector))
        }
        "job" | "jobs" => {
            let d = Api::<Job>::namespaced(client.clone(), &ns)
                .get(name)
                .await
                .map_err(|e| not_found("job", e))?;
            labels(d.spec.and_then(|s| s.selector))
        }
        "svc" | "service" | "services" => {
            let d = Api::<Service>::namespaced(client.clone(), &ns)
                .get(name)
                .await
                .map_err(|e| not_found("service", e))?;
            d.spec.and_then(|s| s.selector).map(|m| {
                m.into_iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            })
        }
        other => {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "`{other}/` is not a kind devk follows; use deploy/, sts/, ds/, job/, svc/ or pod/"
                ),
            ));
        }
    };
    let Some(selector) = selector.filter(|s| !s.is_empty()) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!("{q} has no pod selector"),
        ));
    };
    query.label_selector = Some(match &query.label_selector {
        Some(extra) => format!("{selector},{extra}"),
        None => selector,
    });
    Ok(())
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
            include: vec![Regex::new("keep").unwrap()],
            exclude: vec![Regex::new("drop").unwrap()],
        };
        p.lines(
            &src,
            &[
                (0, "keep me".into()),
                (0, "keep drop".into()),
                (0, "other".into()),
            ],
        )
        .unwrap();
        assert_eq!(String::from_utf8(p.w).unwrap(), "web-1 app keep me\n");
        assert_eq!(colour_of("web-1"), colour_of("web-1"));
    }
}
