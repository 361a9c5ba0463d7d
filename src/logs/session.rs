//! What a log session is asked for and what it reports: plain values shared by the adapter
//! that runs the streams (`cluster::logstreams`), the use case that opens a session
//! (`ops::logs`), `devk logs` and the TUI's log view.

use std::time::Duration;

use regex::Regex;

use super::buffer::Source;
use super::line::LogLine;
use super::timestamp::Nanos;

/// Which containers to stream, and how.
#[derive(Debug, Clone)]
pub struct LogQuery {
    /// Namespaces to look in; empty means all namespaces.
    pub namespaces: Vec<String>,
    /// Pod names to include (None: all).
    pub pod: Option<Regex>,
    /// Only pods controlled by this owner (`ReplicaSet/web-5d8f`): a workload's pods, including
    /// the ones it starts later.
    pub owner: Option<String>,
    pub label_selector: Option<String>,
    pub field_selector: Option<String>,
    pub container: Option<Regex>,
    pub exclude_container: Option<Regex>,
    pub init_containers: bool,
    /// Keep streaming (and watching for pods) instead of printing what there is.
    pub follow: bool,
    /// The previous (terminated) instance of each restarted container, instead of the
    /// current one (the API's `previous=true`). Never follows: that instance is over.
    pub previous: bool,
    pub since: Option<Nanos>,
    pub tail: Option<i64>,
    /// Most streams at once (kubectl and stern use 50 by default).
    pub max_streams: usize,
    /// Re-arm a stream after this long without data.
    pub silence: Duration,
    /// Longest message kept per line, in bytes; the rest is cut (`logs.max_line_kib`).
    pub max_line_bytes: usize,
}

impl LogQuery {
    /// A query for every container of every pod in `namespaces`, following, with the default
    /// limits; callers narrow it.
    pub fn new(namespaces: Vec<String>) -> LogQuery {
        LogQuery {
            namespaces,
            pod: None,
            owner: None,
            label_selector: None,
            field_selector: None,
            container: None,
            exclude_container: None,
            init_containers: false,
            follow: true,
            previous: false,
            since: None,
            tail: None,
            max_streams: 50,
            silence: Duration::from_secs(300),
            max_line_bytes: super::line::DEFAULT_MAX_LINE_KIB * 1024,
        }
    }
}

/// What a session reports, in batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Lines {
        source: Source,
        lines: Vec<LogLine>,
    },
    /// A visible note in the log: reconnected, exited, restarted, deleted, ended.
    Marker {
        source: Source,
        text: String,
    },
    /// The query matches more containers than the cap; `wanted` is how many it matched.
    CapReached {
        wanted: usize,
        cap: usize,
    },
    /// Finding pods failed (the session keeps trying when following).
    Error(String),
    /// No-follow: every stream has ended.
    Done,
}
