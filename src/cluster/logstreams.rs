//! Logs of many pods and containers at once, as stern does: pods matching a query are found
//! (and, when following, watched: new pods join, deleted ones end with a marker), one
//! resumable stream runs per container, and everything arrives on one bounded channel in
//! batches. The pod watch is also what every stream learns its container's status from
//! (converted here into `logs::lifecycle::Observed`), so a container that exited is waited for
//! rather than asked for again.

use std::collections::{HashMap, HashSet};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{ContainerState as KubeState, ContainerStatus, Pod};
use kube::Client;
use kube::api::{Api, ListParams};
use kube::runtime::{WatchStreamExt, watcher};
use tokio::sync::{mpsc, watch};

use super::error_chain;
use super::logs::{StreamSpec, stream};
use crate::logs::buffer::Source;
use crate::logs::lifecycle::{ContainerState, Observed, RestartRule, Termination};
use crate::logs::session::{LogQuery, SessionEvent};

fn nanos(t: &k8s_openapi::apimachinery::pkg::apis::meta::v1::Time) -> Option<i64> {
    i64::try_from(t.0.as_nanosecond()).ok()
}

fn termination(t: &k8s_openapi::api::core::v1::ContainerStateTerminated) -> Termination {
    Termination {
        exit_code: t.exit_code,
        reason: t.reason.clone(),
        finished_at: t.finished_at.as_ref().and_then(nanos),
    }
}

fn state_of(status: Option<&ContainerStatus>) -> ContainerState {
    let Some(s) = status else {
        return ContainerState::Unknown;
    };
    let last = s
        .last_state
        .as_ref()
        .and_then(|l| l.terminated.as_ref())
        .map(termination);
    match s.state.as_ref() {
        Some(KubeState {
            running: Some(_), ..
        }) => ContainerState::Running,
        Some(KubeState {
            terminated: Some(t),
            ..
        }) => ContainerState::Terminated(termination(t)),
        Some(KubeState {
            waiting: Some(w), ..
        }) => ContainerState::Waiting {
            reason: w.reason.clone(),
            last,
        },
        _ => ContainerState::Unknown,
    }
}

/// Every container of `pod` (init containers first) with what its status says.
fn observe(pod: &Pod) -> Vec<(String, Observed)> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let status = pod.status.as_ref();
    let phase = status.and_then(|s| s.phase.clone());
    let pod_finished = matches!(phase.as_deref(), Some("Succeeded" | "Failed"));
    let find = |name: &str, init: bool| {
        let list = if init {
            status.and_then(|s| s.init_container_statuses.as_deref())
        } else {
            status.and_then(|s| s.container_statuses.as_deref())
        };
        list.unwrap_or_default().iter().find(|c| c.name == name)
    };
    let inits = spec
        .init_containers
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|c| (c, true));
    let mains = spec.containers.iter().map(|c| (c, false));
    inits
        .chain(mains)
        .map(|(c, init)| {
            let st = find(&c.name, init);
            let seen = Observed {
                restarts: st.map_or(0, |s| s.restart_count),
                state: state_of(st),
                rule: RestartRule::for_container(
                    spec.restart_policy.as_deref(),
                    c.restart_policy.as_deref(),
                    init,
                ),
                init,
                pod_finished,
                phase: phase.clone(),
            };
            (c.name.clone(), seen)
        })
        .collect()
}

/// The containers of `pod` the query selects and that have something to read.
fn containers(q: &LogQuery, pod: &Pod) -> Vec<(String, Observed)> {
    observe(pod)
        .into_iter()
        .filter(|(name, seen)| {
            (q.init_containers || !seen.init)
                && q.container.as_ref().is_none_or(|re| re.is_match(name))
                && !q
                    .exclude_container
                    .as_ref()
                    .is_some_and(|re| re.is_match(name))
                && if q.previous {
                    seen.has_previous()
                } else {
                    seen.started()
                }
        })
        .collect()
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

/// A container the session has streamed, or streams.
struct Tracked {
    /// The pod's uid: a pod created again under the same name is a new stream.
    uid: String,
    /// The stream's view of the container's status; dropping it stops a waiting stream.
    status: watch::Sender<Observed>,
    /// Which stream (to ignore the end of one that was replaced).
    id: u64,
    active: bool,
    /// Restart count when the stream started (an ended stream starts again on a restart).
    restarts: i32,
}

/// The streams of a session.
struct Streams {
    client: Client,
    query: LogQuery,
    out: mpsc::Sender<Vec<SessionEvent>>,
    tracked: HashMap<Source, Tracked>,
    /// Containers not started because of the cap.
    over_cap: HashSet<Source>,
    ended: mpsc::Sender<(Source, u64)>,
    next_id: u64,
    /// Streams started and not yet ended (no-follow waits for them).
    live: usize,
}

impl Streams {
    fn active(&self) -> usize {
        self.tracked.values().filter(|t| t.active).count()
    }

    /// Starts streams for the selected containers of `pod` and hands every stream its
    /// container's latest status. False when the receiver is gone.
    async fn add_pod(&mut self, pod: &Pod) -> bool {
        if !pod_matches(&self.query, pod) {
            return true;
        }
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        for (container, seen) in containers(&self.query, pod) {
            let source = source_of(pod, &container);
            let mut intro = None;
            if let Some(t) = self.tracked.get_mut(&source) {
                if t.uid == uid {
                    t.status.send_if_modified(|cur| {
                        let changed = *cur != seen;
                        if changed {
                            *cur = seen.clone();
                        }
                        changed
                    });
                    // An ended stream whose container ran again after all (a status that
                    // said "finished" too early, or a pod-level restart): read the new one.
                    if t.active || !self.query.follow || seen.restarts <= t.restarts {
                        continue;
                    }
                    intro = Some(crate::logs::lifecycle::restarted_marker(seen.restarts));
                }
                self.tracked.remove(&source);
            }
            if self.active() >= self.query.max_streams {
                if self.over_cap.insert(source) {
                    let ev = SessionEvent::CapReached {
                        wanted: self.active() + self.over_cap.len(),
                        cap: self.query.max_streams,
                    };
                    if self.out.send(vec![ev]).await.is_err() {
                        return false;
                    }
                }
                continue;
            }
            if let Some(text) = intro {
                let ev = SessionEvent::Marker {
                    source: source.clone(),
                    text,
                };
                if self.out.send(vec![ev]).await.is_err() {
                    return false;
                }
            }
            self.start(source, container, uid.clone(), seen);
        }
        true
    }

    fn start(&mut self, source: Source, container: String, uid: String, seen: Observed) {
        let spec = StreamSpec {
            pod: source.pod.clone(),
            container,
            follow: self.query.follow,
            since: self.query.since,
            tail: self.query.tail,
            previous: self.query.previous,
            silence: self.query.silence,
            max_line_bytes: self.query.max_line_bytes,
        };
        self.next_id += 1;
        let id = self.next_id;
        let restarts = seen.restarts;
        let (status, rx) = watch::channel(seen);
        let api: Api<Pod> = Api::namespaced(self.client.clone(), &source.namespace);
        let (out, ended, key) = (self.out.clone(), self.ended.clone(), source.clone());
        tokio::spawn(async move {
            stream(api, spec, key.clone(), rx, out).await;
            let _ = ended.send((key, id)).await;
        });
        self.live += 1;
        self.tracked.insert(
            source,
            Tracked {
                uid,
                status,
                id,
                active: true,
                restarts,
            },
        );
    }

    /// Stops the streams of a deleted pod (a waiting one would wait forever) and returns
    /// their markers.
    fn pod_deleted(&mut self, pod: &Pod) -> Vec<SessionEvent> {
        let name = pod.metadata.name.clone().unwrap_or_default();
        let ns = pod.metadata.namespace.clone().unwrap_or_default();
        let uid = pod.metadata.uid.clone().unwrap_or_default();
        let of_pod = |s: &Source| s.pod == name && s.namespace == ns;
        self.over_cap.retain(|s| !of_pod(s));
        let gone: Vec<Source> = self
            .tracked
            .iter()
            .filter(|(s, t)| of_pod(s) && (t.uid == uid || uid.is_empty()))
            .map(|(s, _)| s.clone())
            .collect();
        gone.into_iter()
            .map(|source| {
                self.tracked.remove(&source);
                SessionEvent::Marker {
                    source,
                    text: "pod deleted".into(),
                }
            })
            .collect()
    }

    fn stream_ended(&mut self, source: &Source, id: u64) {
        self.live = self.live.saturating_sub(1);
        if let Some(t) = self.tracked.get_mut(source)
            && t.id == id
        {
            t.active = false;
        }
    }
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
pub async fn count_containers(client: &Client, q: &LogQuery) -> Result<usize, kube::Error> {
    let mut n = 0;
    for api in apis(client, q) {
        let pods = api.list(&list_params(q)).await?;
        n += pods
            .items
            .iter()
            .filter(|p| pod_matches(q, p))
            .map(|p| containers(q, p).len())
            .sum::<usize>();
    }
    Ok(n)
}

/// Runs the session until `out` closes (following) or every stream ended (no follow, or
/// previous instances).
pub async fn run(client: Client, query: LogQuery, out: mpsc::Sender<Vec<SessionEvent>>) {
    let (ended_tx, mut ended_rx) = mpsc::channel::<(Source, u64)>(64);
    let follow = query.follow && !query.previous;
    let mut streams = Streams {
        client: client.clone(),
        query: LogQuery {
            follow,
            ..query.clone()
        },
        out: out.clone(),
        tracked: HashMap::new(),
        over_cap: HashSet::new(),
        ended: ended_tx,
        next_id: 0,
        live: 0,
    };
    if !follow {
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
        while streams.live > 0 {
            match ended_rx.recv().await {
                Some((source, id)) => streams.stream_ended(&source, id),
                None => break,
            }
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
                        let text = format!("cannot watch pods: {}", error_chain(&e));
                        if out.send(vec![SessionEvent::Error(text)]).await.is_err() {
                            return;
                        }
                    }
                }
            }
            Some((source, id)) = ended_rx.recv() => streams.stream_ended(&source, id),
            _ = out.closed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(json: serde_json::Value) -> Pod {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn statuses_become_plain_observations() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "job-1", "namespace": "ns", "uid": "u"},
            "spec": {"restartPolicy": "Never",
                     "initContainers": [{"name": "init"}],
                     "containers": [{"name": "main"}, {"name": "later"}]},
            "status": {"phase": "Failed",
                "initContainerStatuses": [{"name": "init", "ready": true, "restartCount": 0, "image": "x", "imageID": "",
                    "state": {"terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": "2024-01-01T00:00:01Z"}}}],
                "containerStatuses": [
                    {"name": "main", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                     "state": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": "2024-01-01T00:00:03Z"}}},
                    {"name": "later", "ready": false, "restartCount": 0, "image": "x", "imageID": "",
                     "state": {"waiting": {"reason": "PodInitializing"}}}
                ]}
        }));
        let seen = observe(&p);
        let names: Vec<&str> = seen.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["init", "main", "later"]);
        let (_, init) = &seen[0];
        assert!(init.init && init.pod_finished && init.started());
        assert_eq!(init.rule, RestartRule::Never);
        let (_, main) = &seen[1];
        assert_eq!(
            main.state,
            ContainerState::Terminated(Termination {
                exit_code: 1,
                reason: Some("Error".into()),
                finished_at: Some(1_704_067_203_000_000_000),
            })
        );
        assert!(!seen[2].1.started(), "never ran: nothing to read");
        let mut q = LogQuery::new(vec!["ns".into()]);
        let picked: Vec<String> = containers(&q, &p).into_iter().map(|(n, _)| n).collect();
        assert_eq!(picked, ["main"], "init containers only when asked for");
        q.init_containers = true;
        assert_eq!(containers(&q, &p).len(), 2);
        q.previous = true;
        assert!(
            containers(&q, &p).is_empty(),
            "nothing restarted: no previous instance"
        );
    }

    #[test]
    fn crash_loop_back_off_keeps_the_last_termination() {
        let p = pod(serde_json::json!({
            "metadata": {"name": "c"},
            "spec": {"containers": [{"name": "w"}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "w", "ready": false, "restartCount": 4, "image": "x", "imageID": "",
                 "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"exitCode": 1, "reason": "Error"}}}]}
        }));
        let (_, seen) = &observe(&p)[0];
        assert_eq!(seen.restarts, 4);
        assert!(seen.has_previous() && seen.started());
        assert!(matches!(
            &seen.state,
            ContainerState::Waiting { last: Some(t), .. } if t.exit_code == 1
        ));
    }
}
