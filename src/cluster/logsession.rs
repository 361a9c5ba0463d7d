//! The log session in the shape the TUI's log view still calls (text lines, no previous
//! instances), on top of `cluster::logstreams`. It goes away when the log view calls
//! `ops::logs` (after the TUI's regroup lands).

use std::time::Duration;

use kube::Client;
use regex::Regex;
use tokio::sync::mpsc;

use crate::logs::buffer::Source;
use crate::logs::line::DEFAULT_MAX_LINE_KIB;
use crate::logs::session;
use crate::logs::timestamp::Nanos;

/// What to stream (see [`session::LogQuery`]).
#[derive(Debug, Clone)]
pub struct LogQuery {
    pub namespaces: Vec<String>,
    pub pod: Option<Regex>,
    pub owner: Option<String>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub container: Option<Regex>,
    pub exclude_container: Option<Regex>,
    pub init_containers: bool,
    pub follow: bool,
    pub since: Option<Nanos>,
    pub tail: Option<i64>,
    pub max_streams: usize,
    pub silence: Duration,
}

/// What the session reports, with lines as text (shown lossily, cut lines noted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Lines {
        source: Source,
        lines: Vec<(Nanos, String)>,
    },
    Marker {
        source: Source,
        text: String,
    },
    CapReached {
        wanted: usize,
        cap: usize,
    },
    Error(String),
    Done,
}

impl From<session::SessionEvent> for SessionEvent {
    fn from(ev: session::SessionEvent) -> Self {
        match ev {
            session::SessionEvent::Lines { source, lines } => SessionEvent::Lines {
                source,
                lines: lines
                    .iter()
                    .map(|l| (l.ts, l.display().into_owned()))
                    .collect(),
            },
            session::SessionEvent::Marker { source, text } => SessionEvent::Marker { source, text },
            session::SessionEvent::CapReached { wanted, cap } => {
                SessionEvent::CapReached { wanted, cap }
            }
            session::SessionEvent::Error(e) => SessionEvent::Error(e),
            session::SessionEvent::Done => SessionEvent::Done,
        }
    }
}

/// Runs the session until `out` closes (following) or every stream ended (no follow).
pub async fn run(client: Client, query: LogQuery, out: mpsc::Sender<Vec<SessionEvent>>) {
    let q = session::LogQuery {
        namespaces: query.namespaces,
        pod: query.pod,
        owner: query.owner,
        label_selector: query.label_selector,
        field_selector: query.field_selector,
        container: query.container,
        exclude_container: query.exclude_container,
        init_containers: query.init_containers,
        follow: query.follow,
        previous: false,
        since: query.since,
        tail: query.tail,
        max_streams: query.max_streams,
        silence: query.silence,
        max_line_bytes: DEFAULT_MAX_LINE_KIB * 1024,
    };
    let (tx, mut rx) = mpsc::channel(64);
    let session = tokio::spawn(super::logstreams::run(client, q, tx));
    while let Some(batch) = rx.recv().await {
        let batch: Vec<SessionEvent> = batch.into_iter().map(SessionEvent::from).collect();
        if out.send(batch).await.is_err() {
            break;
        }
    }
    session.abort();
}
