//! Server-side printing: `meta.k8s.io/v1` Tables with the same columns and cell formats as
//! the API server's printers, which `kubectl get` (without `-o`) asks for.

use serde_json::{Value, json};

use super::store::Res;
use super::util::{Nanos, human_duration, parse_rfc3339};

/// What each row carries besides its cells (`includeObject`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    /// From the `includeObject` query parameter (default: Metadata, as on the real server).
    pub fn from_param(p: Option<&str>) -> Include {
        match p {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

fn col(name: &str, ty: &str, format: &str, description: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

/// The column definitions for `res`.
pub fn columns(res: Res) -> Vec<Value> {
    let name = col("Name", "string", "name", NAME_DESC, 0);
    let age = col("Age", "string", "", AGE_DESC, 0);
    if Res::WORKLOADS.contains(&res) {
        return super::table_apps::columns(res, name, age);
    }
    match res.storage() {
        Res::Pod => vec![
            name,
            col(
                "Ready",
                "string",
                "",
                "The aggregate readiness state of this pod for accepting traffic.",
                0,
            ),
            col(
                "Status",
                "string",
                "",
                "The aggregate status of the containers in this pod.",
                0,
            ),
            col(
                "Restarts",
                "string",
                "",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                0,
            ),
            age,
            col(
                "IP",
                "string",
                "",
                "IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.",
                1,
            ),
            col(
                "Node",
                "string",
                "",
                "NodeName indicates in which node this pod is scheduled.",
                1,
            ),
            col(
                "Nominated Node",
                "string",
                "",
                "nominatedNodeName is set when this pod preempts other pods on the node.",
                1,
            ),
            col(
                "Readiness Gates",
                "string",
                "",
                "If specified, all readiness gates will be evaluated for pod readiness.",
                1,
            ),
        ],
        Res::Namespace => vec![
            name,
            col("Status", "string", "", "The status of the namespace", 0),
            age,
        ],
        Res::Secret => vec![
            name,
            col(
                "Type",
                "string",
                "",
                "Used to facilitate programmatic handling of secret data.",
                0,
            ),
            col("Data", "string", "", "Data contains the secret data.", 0),
            age,
        ],
        Res::Service => vec![
            name,
            col("Type", "string", "", "The type of the service.", 0),
            col(
                "Cluster-IP",
                "string",
                "",
                "The IP address of the service.",
                0,
            ),
            col(
                "External-IP",
                "string",
                "",
                "The external IPs of the service.",
                0,
            ),
            col("Port(s)", "string", "", "The ports of the service.", 0),
            age,
            col(
                "Selector",
                "string",
                "",
                "The label selector of the service.",
                1,
            ),
        ],
        Res::ServiceAccount => vec![
            name,
            col(
                "Secrets",
                "string",
                "",
                "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
                0,
            ),
            age,
        ],
        _ => vec![
            col(
                "Last Seen",
                "string",
                "",
                "The last time an event was observed.",
                0,
            ),
            col(
                "Type",
                "string",
                "",
                "Type of this event (Normal, Warning), new types could be added in the future.",
                0,
            ),
            col(
                "Reason",
                "string",
                "",
                "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
                0,
            ),
            col(
                "Object",
                "string",
                "",
                "The object that this event is about.",
                0,
            ),
            col(
                "Subobject",
                "string",
                "",
                "The subobject (container) of the object.",
                1,
            ),
            col(
                "Source",
                "string",
                "",
                "The component reporting this event.",
                1,
            ),
            col(
                "Message",
                "string",
                "",
                "A human-readable description of the status of this operation.",
                0,
            ),
            col(
                "First Seen",
                "string",
                "",
                "The time at which the event was first recorded.",
                1,
            ),
            col(
                "Count",
                "string",
                "",
                "The number of times this event has occurred.",
                1,
            ),
            col("Name", "string", "name", NAME_DESC, 1),
        ],
    }
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

fn age(v: &Value, ptr: &str, now: Nanos) -> String {
    parse_rfc3339(s(v, ptr)).map_or_else(|| "<unknown>".into(), |t| human_duration(now - t))
}

/// The pod printer: READY, STATUS (Init:x/y, CrashLoopBackOff, Completed, Terminating...),
/// RESTARTS ("3 (2m ago)"), following the API server's printPod.
fn pod_cells(pod: &Value, now: Nanos) -> Vec<Value> {
    let empty = Vec::new();
    let arr = |p: &str| pod.pointer(p).and_then(Value::as_array).unwrap_or(&empty);
    let total = arr("/spec/containers").len();
    let init_total = arr("/spec/initContainers").len();
    let mut reason = match s(pod, "/status/reason") {
        "" => s(pod, "/status/phase").to_string(),
        r => r.to_string(),
    };
    let mut restarts = 0i64;
    let mut last_restart: Option<Nanos> = None;
    let mut note_restart = |c: &Value, restarts: &mut i64| {
        *restarts += c.get("restartCount").and_then(Value::as_i64).unwrap_or(0);
        if let Some(t) = c
            .pointer("/lastState/terminated/finishedAt")
            .and_then(Value::as_str)
            .and_then(parse_rfc3339)
        {
            last_restart = Some(last_restart.map_or(t, |l: Nanos| l.max(t)));
        }
    };
    let mut initializing = false;
    for (i, c) in arr("/status/initContainerStatuses").iter().enumerate() {
        note_restart(c, &mut restarts);
        let code = c
            .pointer("/state/terminated/exitCode")
            .and_then(Value::as_i64);
        let waiting = s(c, "/state/waiting/reason");
        if code == Some(0) {
            continue;
        }
        reason = if let Some(code) = code {
            match s(c, "/state/terminated/reason") {
                "" => format!("Init:ExitCode:{code}"),
                r => format!("Init:{r}"),
            }
        } else if !waiting.is_empty() && waiting != "PodInitializing" {
            format!("Init:{waiting}")
        } else {
            format!("Init:{i}/{init_total}")
        };
        initializing = true;
        break;
    }
    let mut ready = 0;
    if !initializing {
        restarts = 0;
        let mut has_running = false;
        for c in arr("/status/containerStatuses").iter().rev() {
            note_restart(c, &mut restarts);
            let waiting = s(c, "/state/waiting/reason");
            let term = s(c, "/state/terminated/reason");
            if !waiting.is_empty() {
                reason = waiting.to_string();
            } else if !term.is_empty() {
                reason = term.to_string();
            } else if let Some(code) = c
                .pointer("/state/terminated/exitCode")
                .and_then(Value::as_i64)
            {
                reason = format!("ExitCode:{code}");
            } else if c.get("ready").and_then(Value::as_bool) == Some(true)
                && c.pointer("/state/running").is_some()
            {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
    }
    if pod.pointer("/metadata/deletionTimestamp").is_some() {
        reason = "Terminating".into();
    }
    let restarts = match last_restart {
        Some(t) if restarts > 0 => format!("{restarts} ({} ago)", human_duration(now - t)),
        _ => restarts.to_string(),
    };
    let none = |v: &str| {
        if v.is_empty() {
            "<none>".to_string()
        } else {
            v.to_string()
        }
    };
    vec![
        json!(s(pod, "/metadata/name")),
        json!(format!("{ready}/{total}")),
        json!(reason),
        json!(restarts),
        json!(age(pod, "/metadata/creationTimestamp", now)),
        json!(none(s(pod, "/status/podIP"))),
        json!(none(s(pod, "/spec/nodeName"))),
        json!(none(s(pod, "/status/nominatedNodeName"))),
        json!("<none>"),
    ]
}

fn cells(res: Res, obj: &Value, now: Nanos) -> Vec<Value> {
    let name = json!(s(obj, "/metadata/name"));
    let count = |p: &str| {
        obj.pointer(p)
            .map(|v| {
                v.as_object()
                    .map(|o| o.len())
                    .or_else(|| v.as_array().map(Vec::len))
                    .unwrap_or(0)
            })
            .unwrap_or(0)
    };
    if Res::WORKLOADS.contains(&res) {
        let age = age(obj, "/metadata/creationTimestamp", now);
        return super::table_apps::cells(res, obj, age, now);
    }
    match res.storage() {
        Res::Pod => pod_cells(obj, now),
        Res::Namespace => vec![
            name,
            json!(s(obj, "/status/phase")),
            json!(age(obj, "/metadata/creationTimestamp", now)),
        ],
        Res::Secret => vec![
            name,
            json!(s(obj, "/type")),
            json!(count("/data")),
            json!(age(obj, "/metadata/creationTimestamp", now)),
        ],
        Res::Service => {
            let ports: Vec<String> = obj
                .pointer("/spec/ports")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| {
                    let port = p.get("port").and_then(Value::as_i64).unwrap_or(0);
                    let proto = p.get("protocol").and_then(Value::as_str).unwrap_or("TCP");
                    match p.get("nodePort").and_then(Value::as_i64) {
                        Some(n) => format!("{port}:{n}/{proto}"),
                        None => format!("{port}/{proto}"),
                    }
                })
                .collect();
            let selector = obj
                .pointer("/spec/selector")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                        .collect::<Vec<_>>()
                        .join(",")
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "<none>".into());
            vec![
                name,
                json!(s(obj, "/spec/type")),
                json!(match s(obj, "/spec/clusterIP") {
                    "" => "<none>",
                    ip => ip,
                }),
                json!("<none>"),
                json!(if ports.is_empty() {
                    "<none>".to_string()
                } else {
                    ports.join(",")
                }),
                json!(age(obj, "/metadata/creationTimestamp", now)),
                json!(selector),
            ]
        }
        Res::ServiceAccount => vec![
            name,
            json!(count("/secrets")),
            json!(age(obj, "/metadata/creationTimestamp", now)),
        ],
        _ => {
            let kind = s(obj, "/involvedObject/kind").to_lowercase();
            let source = [s(obj, "/source/component"), s(obj, "/source/host")]
                .into_iter()
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                json!(age(obj, "/lastTimestamp", now)),
                json!(s(obj, "/type")),
                json!(s(obj, "/reason")),
                json!(format!("{kind}/{}", s(obj, "/involvedObject/name"))),
                json!(s(obj, "/involvedObject/fieldPath")),
                json!(source),
                json!(s(obj, "/message")),
                json!(age(obj, "/firstTimestamp", now)),
                json!(obj.get("count").and_then(Value::as_i64).unwrap_or(1)),
                name,
            ]
        }
    }
}

/// One row for `obj`.
pub fn row(res: Res, obj: &Value, now: Nanos, include: Include, version: &str) -> Value {
    let mut row = json!({"cells": cells(res, obj, now)});
    match include {
        Include::None => {}
        Include::Object => row["object"] = obj.clone(),
        Include::Metadata => row["object"] = partial_metadata(obj, version),
    }
    row
}

/// `PartialObjectMetadata` for `obj`.
pub fn partial_metadata(obj: &Value, version: &str) -> Value {
    json!({"kind": "PartialObjectMetadata", "apiVersion": format!("meta.k8s.io/{version}"),
           "metadata": obj.get("metadata").cloned().unwrap_or(json!({}))})
}

/// A Table of `objs`; `headers` false leaves out the column definitions (watch events after
/// the first one, as the real server does).
pub fn table(
    res: Res,
    objs: &[&Value],
    rv: u64,
    now: Nanos,
    include: Include,
    version: &str,
    headers: bool,
) -> Value {
    let rows: Vec<Value> = objs
        .iter()
        .map(|o| row(res, o, now, include, version))
        .collect();
    json!({
        "kind": "Table",
        "apiVersion": format!("meta.k8s.io/{version}"),
        "metadata": {"resourceVersion": rv.to_string()},
        "columnDefinitions": if headers { Value::Array(columns(res)) } else { Value::Null },
        "rows": rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_row_shows_crash_loop_and_restarts() {
        let now = parse_rfc3339("2024-01-01T01:00:00Z").unwrap();
        let pod = json!({
            "metadata": {"name": "p", "creationTimestamp": "2024-01-01T00:00:00Z"},
            "spec": {"containers": [{"name": "a"}, {"name": "b"}], "nodeName": "n1"},
            "status": {"phase": "Running", "podIP": "10.0.0.1", "containerStatuses": [
                {"name": "a", "ready": true, "restartCount": 0, "state": {"running": {}}},
                {"name": "b", "ready": false, "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                 "lastState": {"terminated": {"finishedAt": "2024-01-01T00:58:00Z", "exitCode": 1}}}]}
        });
        let c = pod_cells(&pod, now);
        assert_eq!(c[1], "1/2");
        assert_eq!(c[2], "CrashLoopBackOff");
        assert_eq!(c[3], "4 (2m ago)");
        assert_eq!(c[4], "60m");
        assert_eq!(c[6], "n1");
    }

    #[test]
    fn pod_row_shows_init_progress() {
        let pod = json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "a"}], "initContainers": [{"name": "i1"}, {"name": "i2"}]},
            "status": {"phase": "Pending", "initContainerStatuses": [
                {"name": "i1", "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
                {"name": "i2", "state": {"running": {}}}]}
        });
        assert_eq!(pod_cells(&pod, 0)[2], "Init:1/2");
    }
}
