//! `GET /api/v1/namespaces/NS/pods/NAME/log`: option validation with the API server's
//! messages, container and instance selection with the kubelet's rules, and a chunked
//! `text/plain` stream that follows the container (`follow=true`) until it exits.

use std::time::Duration;

use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::lifecycle::Instance;
use super::logs::{LogGen, LogQuery, limit_chunk};
use super::server::App;
use super::status::{ApiError, Cause};
use super::store::Res;
use super::util::{Nanos, Params, SECOND, now, parse_bool, parse_rfc3339};

/// Bytes per chunk when sending a backlog.
const CHUNK: usize = 32 * 1024;

struct Options {
    container: String,
    follow: bool,
    previous: bool,
    query: LogQuery,
    limit_bytes: Option<u64>,
}

fn int_param(params: &Params, key: &str) -> Result<Option<i64>, ApiError> {
    match params.non_empty(key) {
        None => Ok(None),
        Some(v) => v.parse::<i64>().map(Some).map_err(|_| {
            ApiError::bad_request(format!(
                "strconv.ParseInt: parsing {v:?}: invalid syntax (query parameter {key})"
            ))
        }),
    }
}

fn bool_param(params: &Params, key: &str) -> Result<bool, ApiError> {
    let v = params.get(key).unwrap_or("");
    parse_bool(v).ok_or_else(|| {
        ApiError::bad_request(format!("strconv.ParseBool: parsing {v:?}: invalid syntax"))
    })
}

fn options(params: &Params, name: &str, now: Nanos) -> Result<Options, ApiError> {
    let since_seconds = int_param(params, "sinceSeconds")?;
    let tail = int_param(params, "tailLines")?;
    let limit = int_param(params, "limitBytes")?;
    let since_time = match params.non_empty("sinceTime") {
        None => None,
        Some(t) => Some(parse_rfc3339(t).ok_or_else(|| {
            ApiError::bad_request(format!(
                "parsing time {t:?} as \"2006-01-02T15:04:05Z07:00\": cannot parse"
            ))
        })?),
    };
    let mut causes = Vec::new();
    if let Some(t) = tail.filter(|t| *t < 0) {
        causes.push(Cause::invalid(
            "tailLines",
            &t.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    if let Some(l) = limit.filter(|l| *l < 1) {
        causes.push(Cause::invalid(
            "limitBytes",
            &l.to_string(),
            "must be greater than 0",
        ));
    }
    if since_seconds.is_some() && since_time.is_some() {
        causes.push(Cause::forbidden(
            "sinceTime",
            "at most one of `sinceTime` or `sinceSeconds` may be specified",
        ));
    }
    if let Some(s) = since_seconds.filter(|s| *s < 1) {
        causes.push(Cause::invalid(
            "sinceSeconds",
            &s.to_string(),
            "must be greater than 0",
        ));
    }
    if !causes.is_empty() {
        return Err(ApiError::invalid("PodLogOptions", name, causes));
    }
    let since = since_time.or(since_seconds.map(|s| now - Nanos::from(s) * SECOND));
    Ok(Options {
        container: params.get("container").unwrap_or("").to_string(),
        follow: bool_param(params, "follow")?,
        previous: bool_param(params, "previous")?,
        query: LogQuery {
            since,
            tail: tail.map(|t| t as u64),
            timestamps: bool_param(params, "timestamps")?,
        },
        limit_bytes: limit.map(|l| l as u64),
    })
}

/// The container a request means: the named one, or the only one; otherwise the API
/// server's 400.
fn pick_container(pod: &Value, name: &str, wanted: &str) -> Result<String, ApiError> {
    let names = |p: &str| -> Vec<String> {
        pod.pointer(p)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.get("name").and_then(Value::as_str).map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (init, main, eph) = (
        names("/spec/initContainers"),
        names("/spec/containers"),
        names("/spec/ephemeralContainers"),
    );
    if wanted.is_empty() {
        return match main.len() {
            1 => Ok(main[0].clone()),
            0 => Err(ApiError::bad_request(format!(
                "a container name must be specified for pod {name}"
            ))),
            _ => {
                let all: Vec<String> = init.into_iter().chain(main).chain(eph).collect();
                Err(ApiError::bad_request(format!(
                    "a container name must be specified for pod {name}, choose one of: [{}]",
                    all.join(" ")
                )))
            }
        };
    }
    if init.iter().chain(&main).chain(&eph).any(|c| c == wanted) {
        Ok(wanted.to_string())
    } else {
        Err(ApiError::bad_request(format!(
            "container {wanted} is not valid for pod {name}"
        )))
    }
}

/// Serves a log request.
pub async fn serve(app: &App, ns: &str, name: &str, params: &Params) -> Response {
    match start(app, ns, name, params) {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

fn start(app: &App, ns: &str, name: &str, params: &Params) -> Result<Response, ApiError> {
    if let Some(code) = app.pod_log_failure() {
        return Err(ApiError::unavailable(code));
    }
    let t_now = now();
    let opts = options(params, name, t_now)?;
    let cluster = app.lock();
    let Some(pod) = cluster.store.get(Res::Pod, ns, name) else {
        return Err(ApiError::not_found("pods", name));
    };
    let container = pick_container(pod, name, &opts.container)?;
    let uid = pod
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let key = (ns.to_string(), name.to_string());
    let Some(sim) = cluster
        .pods
        .get(&key)
        .and_then(|p| super::podsim::find_container(p, &container))
    else {
        // A pod the sandbox does not simulate has no output.
        let (_, resp) = super::stream::streaming("text/plain", &app.cut);
        return Ok(resp);
    };
    let t = sim.timeline(t_now);
    let instance = if opts.previous {
        let last = match &t.current {
            Some(cur) if cur.running_at(t_now) => t.previous.clone(),
            Some(cur) if t.next_start.is_some() => Some(cur.clone()),
            _ => t.previous.clone(),
        };
        last.ok_or_else(|| {
            ApiError::bad_request(format!(
                "previous terminated container {container:?} in pod {name:?} not found"
            ))
        })?
    } else {
        t.current.clone().ok_or_else(|| {
            let reason = if let Some(r) = super::podrun::pull_waiting_reason(sim, t_now) {
                r
            } else if sim.plan.first_start > t_now
                && cluster.pods.get(&key).is_some_and(|p| !p.init.is_empty())
            {
                "PodInitializing"
            } else {
                "ContainerCreating"
            };
            ApiError::bad_request(format!(
                "container {container:?} in pod {name:?} is waiting to start: {reason}"
            ))
        })?
    };
    let loggen = sim.loggen.clone();
    let history = cluster.history_lines;
    drop(cluster);
    let (sink, resp) = super::stream::streaming("text/plain", &app.cut);
    let app = app.clone();
    tokio::spawn(async move {
        let mut follower = Follower {
            loggen,
            inst: instance,
            sent: 0,
            limit: opts.limit_bytes,
            timestamps: opts.query.timestamps,
        };
        let (first, end) = follower
            .loggen
            .select(&follower.inst, t_now, &opts.query, history);
        if !follower.emit(&sink, first, end).await || !opts.follow {
            return;
        }
        // A sinceTime in the future: follow from there, not from now.
        let floor = opts
            .query
            .since
            .map_or(0, |t| follower.loggen.first_at_or_after(&follower.inst, t));
        let mut next = end.max(floor);
        loop {
            let t = now();
            // The plan may have changed (a restart requested at runtime), and the pod may be
            // gone: re-read both.
            let alive = {
                let cluster = app.lock();
                let same_pod = cluster
                    .store
                    .get(Res::Pod, &key.0, &key.1)
                    .is_some_and(|p| {
                        p.pointer("/metadata/uid").and_then(Value::as_str) == Some(uid.as_str())
                    });
                if let Some(c) = cluster
                    .pods
                    .get(&key)
                    .and_then(|p| super::podsim::find_container(p, &container))
                {
                    let tl = c.timeline(t);
                    for i in [tl.current, tl.previous].into_iter().flatten() {
                        if i.index == follower.inst.index {
                            follower.inst.end = i.end;
                        }
                    }
                }
                same_pod
            };
            let end = follower.loggen.count(&follower.inst, t);
            if end > next {
                if !follower.emit(&sink, next, end).await {
                    return;
                }
                next = end;
            }
            let exited = follower.inst.end.is_some_and(|e| e <= t);
            let exhausted = follower.loggen.lines.is_some_and(|l| next >= l);
            if !alive || exited || exhausted {
                return;
            }
            let mut wake = follower.loggen.line_time(&follower.inst, next);
            if let Some(e) = follower.inst.end {
                wake = wake.min(e);
            }
            if follower.loggen.interval == 0 {
                wake = t + SECOND;
            }
            let wait = (wake - t).clamp(5_000_000, SECOND);
            tokio::select! {
                () = tokio::time::sleep(Duration::from_nanos(wait as u64)) => {}
                () = sink.closed() => return,
            }
        }
    });
    Ok(resp)
}

struct Follower {
    loggen: LogGen,
    inst: Instance,
    sent: u64,
    limit: Option<u64>,
    timestamps: bool,
}

impl Follower {
    /// Sends lines `[from, to)`; false when the client is gone or `limitBytes` is used up.
    async fn emit(&mut self, sink: &super::stream::Sink, from: u64, to: u64) -> bool {
        let mut buf = Vec::new();
        let mut n = from;
        while n < to {
            self.loggen.render(&self.inst, n, self.timestamps, &mut buf);
            n += 1;
            if buf.len() >= CHUNK || n == to {
                let Some(allowed) = limit_chunk(self.limit, self.sent, buf.len()) else {
                    return false;
                };
                let mut bytes = std::mem::take(&mut buf);
                bytes.truncate(allowed);
                self.sent += bytes.len() as u64;
                if !sink.send(bytes).await {
                    return false;
                }
                if limit_chunk(self.limit, self.sent, 1).is_none() {
                    return false;
                }
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn multi_container_pod_needs_a_container_name() {
        let pod = json!({"spec": {"initContainers": [{"name": "init"}], "containers": [{"name": "a"}, {"name": "b"}]}});
        let e = pick_container(&pod, "p", "").err();
        assert_eq!(
            e.map(|e| (e.code, e.message)),
            Some((
                400,
                "a container name must be specified for pod p, choose one of: [init a b]".into()
            ))
        );
        assert_eq!(pick_container(&pod, "p", "b").ok(), Some("b".into()));
        assert_eq!(
            pick_container(&pod, "p", "zz").err().map(|e| e.message),
            Some("container zz is not valid for pod p".into())
        );
    }

    #[test]
    fn log_options_are_validated_like_the_api_server() {
        let p = Params::parse(Some("sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z"));
        assert_eq!(options(&p, "p", 0).err().map(|e| e.code), Some(422));
        let p = Params::parse(Some("tailLines=-1"));
        assert_eq!(options(&p, "p", 0).err().map(|e| e.code), Some(422));
        let p = Params::parse(Some("tailLines=abc"));
        assert_eq!(options(&p, "p", 0).err().map(|e| e.code), Some(400));
        let p = Params::parse(Some("sinceSeconds=10&follow=true"));
        let o = options(&p, "p", 100 * SECOND).ok();
        assert_eq!(o.as_ref().map(|o| o.query.since), Some(Some(90 * SECOND)));
        assert_eq!(o.map(|o| o.follow), Some(true));
    }
}
