//! Logs of many pods and containers at once, as stern does: pods matching a query are found
//! (and, when following, watched: new pods join, deleted ones end with a marker, a restarted
//! container is followed into its new instance), one resumable stream runs per container, and
//! everything arrives on one bounded channel in batches.

use std::collections::HashMap;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::Client;
use kube::api::{Api, ListParams};
use kube::runtime::{WatchStreamExt, watcher};
use regex::Regex;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error_chain;
use super::logs::{StreamEvent, StreamSpec, stream};
use crate::logs::buffer::Source;
use crate::logs::timestamp::Nanos;

/// What to stream.
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
    pub follow: bool,
    pub since: Option<Nanos>,
    pub tail: Option<i64>,
    /// Most streams at once (kubectl and stern use 50 by default).
    pub max_streams: usize,
    /// Re-arm a stream after this long without data.
    pub silence: Duration,
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    Lines {
        source: Source,
        lines: Vec<(Nanos, String)>,
    },
    /// A visible note in the log: reconnected, restarted, deleted, ended.
    Marker { source: Source, text: String },
    /// The query matches more containers than the cap; `wanted` is how many it matched.
    CapReached { wanted: usize, cap: usize },
    /// Finding pods failed (the session keeps trying when following).
    Error(String),
    /// No-follow: every stream has ended.
    Done,
}

/// The containers of `pod` the query selects, with their restart counts.
fn containers(q: &LogQuery, pod: &Pod) -> Vec<(String, i32)> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let status = pod.status.as_ref();
    let restarts = |name: &str, init: bool| {
        let list = if init {
            status.and_then(|s| s.init_container_statuses.as_deref())
        } else {
            status.and_then(|s| s.container_statuses.as_deref())
        };
        list.unwrap_or_default()
            .iter()
            .find(|c| c.name == name)
            .map(|c| {
                let started = c
                    .state
                    .as_ref()
                    .is_some_and(|s| s.running.is_some() || s.terminated.is_some())
                    || c.restart_count > 0
                    || c.last_state
                        .as_ref()
                        .is_some_and(|s| s.terminated.is_some());
                (started, c.restart_count)
            })
    };
    let mut out = Vec::new();
    let inits = spec
        .init_containers
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|c| (c, true));
    let mains = spec.containers.iter().map(|c| (c, false));
    for (c, init) in inits.filter(|_| q.init_containers).chain(mains) {
        if q.container.as_ref().is_some_and(|re| !re.is_match(&c.name))
            || q.exclude_container
                .as_ref()
                .is_some_and(|re| re.is_match(&c.name))
        {
            continue;
        }
        if let Some((true, n)) = restarts(&c.name, init) {
            out.push((c.name.clone(), n));
        }
    }
    out
}

fn pod_matches(q: &LogQuery, pod: &Pod) -> bool {
    let name = pod.metadata.name.as_deref().unwrap_or_default();
    q.pod.as_ref().is_none_or(|re| re.is_match(name))
        && q.owner
            .as_ref()
            .is_none_or(|o| super::pods::owner_of(pod).as_ref() == Some(o))
}

fn source_of(pod: &Pod, container: &str) -> Source {
    Source {
        namespace: pod.metadata.namespace.clone().unwrap_or_default(),
        pod: pod.metadata.name.clone().unwrap_or_default(),
        container: container.to_string(),
    }
}

/// The running streams of a session.
struct Streams {
    client: Client,
    query: LogQuery,
    out: mpsc::Sender<Vec<SessionEvent>>,
    running: HashMap<Source, (JoinHandle<()>, i32)>,
    /// Containers not started because of the cap.
    over_cap: std::collections::HashSet<Source>,
    /// Every container ever streamed, so a pod deleted after its streams ended still gets
    /// its marker.
    streamed: std::collections::HashSet<Source>,
    ended: mpsc::Sender<Source>,
}

impl Streams {
    /// Starts streams for the selected containers of `pod` not yet streaming.
    async fn add_pod(&mut self, pod: &Pod) -> bool {
        if !pod_matches(&self.query, pod) {
            return true;
        }
        for (container, restarts) in containers(&self.query, pod) {
            let source = source_of(pod, &container);
            if let Some((_, seen)) = self.running.get_mut(&source) {
                if restarts > *seen {
                    *seen = restarts;
                    let ev = SessionEvent::Marker {
                        source: source.clone(),
                        text: format!(
                            "container restarted (restart {restarts}); following the new instance"
                        ),
                    };
                    if self.out.send(vec![ev]).await.is_err() {
                        return false;
                    }
                }
                continue;
            }
            if self.running.len() >= self.query.max_streams {
                if self.over_cap.insert(source) {
                    let ev = SessionEvent::CapReached {
                        wanted: self.running.len() + self.over_cap.len(),
                        cap: self.query.max_streams,
                    };
                    if self.out.send(vec![ev]).await.is_err() {
                        return false;
                    }
                }
                continue;
            }
            let spec = StreamSpec {
                pod: source.pod.clone(),
                container,
                follow: self.query.follow,
                since: self.query.since,
                tail: self.query.tail,
                previous: false,
                silence: self.query.silence,
            };
            let api: Api<Pod> = Api::namespaced(self.client.clone(), &source.namespace);
            let task = tokio::spawn(forward(
                api,
                spec,
                source.clone(),
                self.out.clone(),
                self.ended.clone(),
            ));
            self.streamed.insert(source.clone());
            self.running.insert(source, (task, restarts));
        }
        true
    }

    fn pod_deleted(&mut self, pod: &Pod) -> Vec<SessionEvent> {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let of_pod = |s: &Source| s.pod == name && s.namespace == ns;
        self.over_cap.retain(|s| !of_pod(s));
        let gone: Vec<Source> = self
            .streamed
            .iter()
            .filter(|s| of_pod(s))
            .cloned()
            .collect();
        for s in &gone {
            self.streamed.remove(s);
        }
        gone.into_iter()
            .map(|source| SessionEvent::Marker {
                source,
                text: "pod deleted".into(),
            })
            .collect()
    }
}

/// Runs one stream, forwarding its events as session events.
async fn forward(
    api: Api<Pod>,
    spec: StreamSpec,
    source: Source,
    out: mpsc::Sender<Vec<SessionEvent>>,
    ended: mpsc::Sender<Source>,
) {
    let follow = spec.follow;
    let (tx, mut rx) = mpsc::channel::<Vec<StreamEvent>>(8);
    let task = tokio::spawn(stream(api, spec, tx));
    while let Some(batch) = rx.recv().await {
        let mut events = Vec::with_capacity(2);
        let mut lines = Vec::with_capacity(batch.len());
        for ev in batch {
            match ev {
                StreamEvent::Line { ts, text } => lines.push((ts, text)),
                StreamEvent::Resumed { down_for, cause } => {
                    if !lines.is_empty() {
                        events.push(SessionEvent::Lines {
                            source: source.clone(),
                            lines: std::mem::take(&mut lines),
                        });
                    }
                    events.push(SessionEvent::Marker {
                        source: source.clone(),
                        text: format!(
                            "reconnected after {:.1} s ({cause}); no lines lost",
                            down_for.as_secs_f64()
                        ),
                    });
                }
                StreamEvent::Ended { reason } => {
                    if !lines.is_empty() {
                        events.push(SessionEvent::Lines {
                            source: source.clone(),
                            lines: std::mem::take(&mut lines),
                        });
                    }
                    // Reaching the end is the point of a no-follow read, not news; a pod that
                    // is gone is reported by the watch ("pod deleted").
                    if follow && !reason.ends_with("is gone") {
                        events.push(SessionEvent::Marker {
                            source: source.clone(),
                            text: format!("stream ended: {reason}"),
                        });
                    }
                }
            }
        }
        if !lines.is_empty() {
            events.push(SessionEvent::Lines {
                source: source.clone(),
                lines,
            });
        }
        if out.send(events).await.is_err() {
            task.abort();
            return;
        }
    }
    let _ = ended.send(source).await;
}

fn list_params(q: &LogQuery) -> ListParams {
    let mut lp = ListParams::default();
    if let Some(l) = &q.label_selector {
        lp = lp.labels(l);
    }
    if let Some(f) = &q.field_selector {
        lp = lp.fields(f);
    }
    lp
}

fn apis(client: &Client, q: &LogQuery) -> Vec<Api<Pod>> {
    if q.namespaces.is_empty() {
        vec![Api::all(client.clone())]
    } else {
        q.namespaces
            .iter()
            .map(|ns| Api::namespaced(client.clone(), ns))
            .collect()
    }
}

/// Counts the containers a query selects right now (for the cap message before streaming).
pub async fn count_containers(client: &Client, q: &LogQuery) -> Result<usize, String> {
    let mut n = 0;
    for api in apis(client, q) {
        let pods = api
            .list(&list_params(q))
            .await
            .map_err(|e| error_chain(&e))?;
        n += pods
            .items
            .iter()
            .filter(|p| pod_matches(q, p))
            .map(|p| containers(q, p).len())
            .sum::<usize>();
    }
    Ok(n)
}

/// Runs the session until `out` closes (following) or every stream ended (no follow).
pub async fn run(client: Client, query: LogQuery, out: mpsc::Sender<Vec<SessionEvent>>) {
    let (ended_tx, mut ended_rx) = mpsc::channel::<Source>(64);
    let mut streams = Streams {
        client: client.clone(),
        query: query.clone(),
        out: out.clone(),
        running: HashMap::new(),
        over_cap: Default::default(),
        streamed: Default::default(),
        ended: ended_tx,
    };
    if !query.follow {
        for api in apis(&client, &query) {
            match api.list(&list_params(&query)).await {
                Ok(list) => {
                    let mut pods = list.items;
                    pods.sort_by(|a, b| a.metadata.name.cmp(&b.metadata.name));
                    for p in &pods {
                        if !streams.add_pod(p).await {
                            return;
                        }
                    }
                }
                Err(e) => {
                    let _ = out.send(vec![SessionEvent::Error(error_chain(&e))]).await;
                }
            }
        }
        let mut left = streams.running.len();
        while left > 0 {
            if ended_rx.recv().await.is_none() {
                break;
            }
            left -= 1;
        }
        let _ = out.send(vec![SessionEvent::Done]).await;
        return;
    }
    let watches = apis(&client, &query)
        .into_iter()
        .map(|api| {
            let mut cfg = watcher::Config::default();
            if let Some(l) = &query.label_selector {
                cfg = cfg.labels(l);
            }
            if let Some(f) = &query.field_selector {
                cfg = cfg.fields(f);
            }
            watcher(api, cfg).default_backoff().boxed()
        })
        .collect::<Vec<_>>();
    let mut events = futures::stream::select_all(watches);
    loop {
        tokio::select! {
            ev = events.next() => {
                let Some(ev) = ev else { return };
                match ev {
                    Ok(watcher::Event::Apply(p) | watcher::Event::InitApply(p)) => {
                        if !streams.add_pod(&p).await {
                            return;
                        }
                    }
                    Ok(watcher::Event::Delete(p)) => {
                        let markers = streams.pod_deleted(&p);
                        if !markers.is_empty() && out.send(markers).await.is_err() {
                            return;
                        }
                    }
                    Ok(_) => {}
                    Err(e) => {
                        if out.send(vec![SessionEvent::Error(format!("cannot watch pods: {}", error_chain(&e)))]).await.is_err() {
                            return;
                        }
                    }
                }
            }
            Some(source) = ended_rx.recv() => {
                // A stream that ended may start again if its pod comes back (same name).
                streams.running.remove(&source);
            }
            _ = out.closed() => return,
        }
    }
}
