//! Watches: newline-delimited `{"type": ..., "object": ...}` events over a chunked response,
//! resumable from a resourceVersion (410 Expired once it has been compacted away), with
//! bookmarks, `timeoutSeconds`, `sendInitialEvents` and selector transitions.

use std::sync::Arc;
use std::time::Duration;

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::api::{Output, Request, bool_param, negotiate, selected, selectors};
use super::selectors::{FieldSelector, LabelSelector};
use super::server::App;
use super::status::ApiError;
use super::store::{Change, ChangeType, Res};
use super::table;
use super::util::now;

/// How often a watch that allows bookmarks gets one.
const BOOKMARK_EVERY: Duration = Duration::from_secs(5);
/// Server-side watch timeout when the client sets none (the real server picks 30-60 min).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

struct Filter {
    res: Res,
    ns: Option<String>,
    name: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn scope(&self, c: &Change) -> bool {
        c.res == self.res.storage() && self.ns.as_ref().is_none_or(|ns| *ns == c.namespace)
    }

    fn matches(&self, obj: &Value) -> bool {
        let name_ok = self
            .name
            .as_ref()
            .is_none_or(|n| obj.pointer("/metadata/name").and_then(Value::as_str) == Some(n));
        name_ok && selected(obj, &self.labels, &self.fields)
    }

    /// The event type a watcher with this filter sees for `c`, if any: a modification that
    /// moves an object into (out of) the selection is an ADDED (DELETED), as the watch cache
    /// reports it.
    fn event_type(&self, c: &Change) -> Option<&'static str> {
        if !self.scope(c) {
            return None;
        }
        let now_in = self.matches(&c.object);
        match c.ty {
            ChangeType::Added | ChangeType::Deleted => now_in.then_some(c.ty.as_str()),
            ChangeType::Modified => {
                let was_in = c.old.as_ref().is_some_and(|o| self.matches(o));
                match (was_in, now_in) {
                    (true, true) => Some("MODIFIED"),
                    (false, true) => Some("ADDED"),
                    (true, false) => Some("DELETED"),
                    (false, false) => None,
                }
            }
        }
    }
}

fn encode(ty: &str, object: Value) -> String {
    let mut line = json!({"type": ty, "object": object}).to_string();
    line.push('\n');
    line
}

/// Serves a watch on `res` (in `ns`, or all namespaces), optionally pinned to one `name`.
pub async fn serve(
    app: &App,
    res: Res,
    ns: Option<String>,
    name: Option<String>,
    req: &Request,
) -> Response {
    match start(app, res, ns, name, req) {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

fn start(
    app: &App,
    res: Res,
    ns: Option<String>,
    name: Option<String>,
    req: &Request,
) -> Result<Response, ApiError> {
    let out = negotiate(&req.accept, &req.params)?;
    let (labels, fields) = selectors(&req.params, res)?;
    let name = name.or_else(|| fields.pinned_name().map(String::from));
    let filter = Filter {
        res,
        ns,
        name,
        labels,
        fields,
    };
    let bookmarks = bool_param(&req.params, "allowWatchBookmarks")?;
    let initial_events = bool_param(&req.params, "sendInitialEvents")?;
    let timeout = match req.params.non_empty("timeoutSeconds") {
        None => DEFAULT_TIMEOUT,
        Some(t) => Duration::from_secs(
            t.parse::<u64>()
                .map_err(|_| ApiError::bad_request(format!("invalid timeoutSeconds {t:?}")))?
                .min(86_400),
        ),
    };
    let rv = match req.params.non_empty("resourceVersion") {
        None | Some("0") => None,
        Some(v) => Some(v.parse::<u64>().map_err(|_| {
            ApiError::bad_request(format!(
                "invalid resource version {v:?}: must be an unsigned integer"
            ))
        })?),
    };
    let cluster = app.lock();
    if let Some(ns) = &filter.ns {
        super::api::require_namespace(&cluster, res, ns)?;
    }
    let mut start_rv = cluster.store.resource_version();
    // Without a resourceVersion (or with sendInitialEvents), the watch starts with synthetic
    // ADDED events for the current state; with one, it replays history after it.
    let (backlog, rx, initial): (Vec<Arc<Change>>, _, Vec<Value>) =
        if rv.is_none() || initial_events {
            let (_, rx) = cluster.store.watch(None)?;
            let objs = cluster
                .store
                .list(res, filter.ns.as_deref())
                .into_iter()
                .filter(|o| filter.matches(o))
                .cloned()
                .collect();
            (Vec::new(), rx, objs)
        } else {
            let (backlog, rx) = match cluster.store.watch(rv) {
                Ok(x) => x,
                Err(e) if e.code == 410 => {
                    // The real server answers 200 and sends the 410 as an ERROR event.
                    drop(cluster);
                    let (sink, resp) = super::stream::streaming("application/json", &app.cut);
                    tokio::spawn(async move {
                        let _ = sink.send(encode("ERROR", e.to_status())).await;
                    });
                    return Ok(resp);
                }
                Err(e) => return Err(e),
            };
            if let Some(v) = rv {
                start_rv = v;
            }
            (backlog, rx, Vec::new())
        };
    drop(cluster);
    let (sink, resp) = super::stream::streaming("application/json", &app.cut);
    let current_rv = start_rv;
    tokio::spawn(async move {
        let mut rx = rx;
        let mut headers = true;
        let mut last_rv = current_rv;
        let render = |obj: &Value, headers: &mut bool, rv: u64| -> Value {
            match &out {
                Output::Json => super::events_v1::served(filter.res, obj),
                Output::Metadata { version } => table::partial_metadata(obj, version),
                Output::Table { version, include } => {
                    let t =
                        table::table(filter.res, &[obj], rv, now(), *include, version, *headers);
                    *headers = false;
                    t
                }
            }
        };
        for obj in &initial {
            if !sink
                .send(encode("ADDED", render(obj, &mut headers, last_rv)))
                .await
            {
                return;
            }
        }
        if initial_events {
            let bm = json!({"kind": res.kind(), "apiVersion": res.gv().api_version(),
                            "metadata": {"resourceVersion": last_rv.to_string(),
                                         "annotations": {"k8s.io/initial-events-end": "true"}}});
            if !sink.send(encode("BOOKMARK", bm)).await {
                return;
            }
        }
        for c in &backlog {
            last_rv = c.rv;
            if let Some(ty) = filter.event_type(c)
                && !sink
                    .send(encode(ty, render(&c.object, &mut headers, c.rv)))
                    .await
            {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut bookmark =
            tokio::time::interval_at(tokio::time::Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
        loop {
            tokio::select! {
                () = &mut deadline => return,
                () = sink.closed() => return,
                _ = bookmark.tick(), if bookmarks => {
                    let bm = json!({"kind": res.kind(), "apiVersion": res.gv().api_version(),
                                    "metadata": {"resourceVersion": last_rv.to_string()}});
                    if !sink.send(encode("BOOKMARK", bm)).await {
                        return;
                    }
                }
                msg = rx.recv() => match msg {
                    Ok(c) => {
                        if c.rv <= last_rv {
                            continue;
                        }
                        last_rv = c.rv;
                        if let Some(ty) = filter.event_type(&c)
                            && !sink.send(encode(ty, render(&c.object, &mut headers, c.rv))).await
                        {
                            return;
                        }
                    }
                    Err(RecvError::Lagged(_)) => {
                        // This watcher fell too far behind the store: like a watch-cache
                        // eviction, end with 410 so that the client relists.
                        let e = ApiError::expired(last_rv, last_rv + 1);
                        let _ = sink.send(encode("ERROR", e.to_status())).await;
                        return;
                    }
                    Err(RecvError::Closed) => return,
                },
            }
        }
    });
    Ok(resp)
}
