//! Server-side printing of the workload kinds (Deployments, ReplicaSets, StatefulSets,
//! DaemonSets, Jobs), with the columns and cells of the API server's printers.

use serde_json::{Value, json};

use super::store::Res;
use super::util::{Nanos, human_duration, parse_rfc3339};

fn col(name: &str, ty: &str, format: &str, description: &str, priority: u8) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

/// The column definitions after Name for `res` (a workload kind), Age included.
pub fn columns(res: Res, name: Value, age: Value) -> Vec<Value> {
    let containers = col(
        "Containers",
        "string",
        "",
        "Names of each container in the template.",
        1,
    );
    let images = col(
        "Images",
        "string",
        "",
        "Images referenced by each container in the template.",
        1,
    );
    let selector = col(
        "Selector",
        "string",
        "",
        "Label selector used to match pods.",
        1,
    );
    let int = |n: &str, d: &str| col(n, "integer", "", d, 0);
    match res {
        Res::Deployment => vec![
            name,
            col(
                "Ready",
                "string",
                "",
                "Number of the pod with ready state",
                0,
            ),
            int(
                "Up-to-date",
                "Total number of non-terminated pods targeted by this deployment that have the desired template spec.",
            ),
            int(
                "Available",
                "Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.",
            ),
            age,
            containers,
            images,
            selector,
        ],
        Res::ReplicaSet => vec![
            name,
            int("Desired", "Replicas is the number of desired pods."),
            int(
                "Current",
                "Replicas is the most recently observed number of replicas.",
            ),
            int(
                "Ready",
                "The number of ready replicas for this replica set.",
            ),
            age,
            containers,
            images,
            selector,
        ],
        Res::StatefulSet => vec![
            name,
            col(
                "Ready",
                "string",
                "",
                "Number of the pod with ready state",
                0,
            ),
            age,
            containers,
            images,
        ],
        Res::DaemonSet => vec![
            name,
            int(
                "Desired",
                "The total number of nodes that should be running the daemon pod.",
            ),
            int(
                "Current",
                "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.",
            ),
            int(
                "Ready",
                "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.",
            ),
            int(
                "Up-to-date",
                "The total number of nodes that are running updated daemon pod",
            ),
            int(
                "Available",
                "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.",
            ),
            col(
                "Node Selector",
                "string",
                "",
                "NodeSelector is a selector which must be true for the pod to fit on a node.",
                0,
            ),
            age,
            containers,
            images,
            selector,
        ],
        _ => vec![
            name,
            col("Status", "string", "", "Status of the job.", 0),
            col(
                "Completions",
                "string",
                "",
                "The desired number of successfully finished pods the job should be run with.",
                0,
            ),
            col(
                "Duration",
                "string",
                "",
                "Time required to complete the job.",
                0,
            ),
            age,
            containers,
            images,
            selector,
        ],
    }
}

fn int(v: &Value, ptr: &str) -> i64 {
    v.pointer(ptr).and_then(Value::as_i64).unwrap_or(0)
}

fn s<'a>(v: &'a Value, ptr: &str) -> &'a str {
    v.pointer(ptr).and_then(Value::as_str).unwrap_or_default()
}

/// `metav1.FormatLabelSelector`: `a=b,c in (d)`, or `<none>`.
pub fn format_selector(sel: Option<&Value>) -> String {
    let Some(sel) = sel else {
        return "<none>".into();
    };
    let mut parts: Vec<String> = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    for e in sel
        .get("matchExpressions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let values: Vec<&str> = e
            .get("values")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let key = s(e, "/key");
        parts.push(match s(e, "/operator") {
            "In" => format!("{key} in ({})", values.join(",")),
            "NotIn" => format!("{key} notin ({})", values.join(",")),
            "Exists" => key.to_string(),
            _ => format!("!{key}"),
        });
    }
    if parts.is_empty() {
        "<none>".into()
    } else {
        parts.join(",")
    }
}

fn containers_and_images(obj: &Value) -> (String, String) {
    let list = obj
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array);
    let names: Vec<&str> = list.into_iter().flatten().map(|c| s(c, "/name")).collect();
    let images: Vec<&str> = list.into_iter().flatten().map(|c| s(c, "/image")).collect();
    (names.join(","), images.join(","))
}

fn has_condition(obj: &Value, ty: &str) -> bool {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)
        .is_some_and(|cs| {
            cs.iter()
                .any(|c| s(c, "/type") == ty && s(c, "/status") == "True")
        })
}

/// The Job printer's STATUS cell.
pub fn job_status(job: &Value) -> &'static str {
    if has_condition(job, "Complete") {
        "Complete"
    } else if has_condition(job, "Failed") {
        "Failed"
    } else if job
        .pointer("/metadata/deletionTimestamp")
        .is_some_and(|v| !v.is_null())
    {
        "Terminating"
    } else if has_condition(job, "SuccessCriteriaMet") {
        "SuccessCriteriaMet"
    } else if has_condition(job, "Suspended") {
        "Suspended"
    } else if has_condition(job, "FailureTarget") {
        "FailureTarget"
    } else {
        "Running"
    }
}

/// The cells of one workload row (Name first).
pub fn cells(res: Res, obj: &Value, age: String, now: Nanos) -> Vec<Value> {
    let name = json!(s(obj, "/metadata/name"));
    let (containers, images) = containers_and_images(obj);
    let selector = format_selector(obj.pointer("/spec/selector"));
    match res {
        Res::Deployment => vec![
            name,
            json!(format!(
                "{}/{}",
                int(obj, "/status/readyReplicas"),
                int(obj, "/spec/replicas")
            )),
            json!(int(obj, "/status/updatedReplicas")),
            json!(int(obj, "/status/availableReplicas")),
            json!(age),
            json!(containers),
            json!(images),
            json!(selector),
        ],
        Res::ReplicaSet => vec![
            name,
            json!(int(obj, "/spec/replicas")),
            json!(int(obj, "/status/replicas")),
            json!(int(obj, "/status/readyReplicas")),
            json!(age),
            json!(containers),
            json!(images),
            json!(selector),
        ],
        Res::StatefulSet => vec![
            name,
            json!(format!(
                "{}/{}",
                int(obj, "/status/readyReplicas"),
                int(obj, "/spec/replicas")
            )),
            json!(age),
            json!(containers),
            json!(images),
        ],
        Res::DaemonSet => {
            let node_selector = obj
                .pointer("/spec/template/spec/nodeSelector")
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
                json!(int(obj, "/status/desiredNumberScheduled")),
                json!(int(obj, "/status/currentNumberScheduled")),
                json!(int(obj, "/status/numberReady")),
                json!(int(obj, "/status/updatedNumberScheduled")),
                json!(int(obj, "/status/numberAvailable")),
                json!(node_selector),
                json!(age),
                json!(containers),
                json!(images),
                json!(selector),
            ]
        }
        _ => {
            let succeeded = int(obj, "/status/succeeded");
            let completions = match obj.pointer("/spec/completions").and_then(Value::as_i64) {
                Some(c) => format!("{succeeded}/{c}"),
                None => match int(obj, "/spec/parallelism") {
                    p if p > 1 => format!("{succeeded}/1 of {p}"),
                    _ => format!("{succeeded}/1"),
                },
            };
            let start = parse_rfc3339(s(obj, "/status/startTime"));
            let end = parse_rfc3339(s(obj, "/status/completionTime"));
            let duration = match (start, end) {
                (None, _) => String::new(),
                (Some(a), None) => human_duration(now - a),
                (Some(a), Some(b)) => human_duration(b - a),
            };
            vec![
                name,
                json!(job_status(obj)),
                json!(completions),
                json!(duration),
                json!(age),
                json!(containers),
                json!(images),
                json!(selector),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployment_row_counts_ready_of_desired() {
        let d = json!({"metadata": {"name": "web"}, "spec": {"replicas": 3,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}});
        let c = cells(Res::Deployment, &d, "5m".into(), 0);
        assert_eq!(c[1], "2/3");
        assert_eq!(c[2], 3);
        assert_eq!(c[7], "app=web");
    }

    #[test]
    fn job_row_shows_status_and_completions() {
        let j = json!({"metadata": {"name": "j"}, "spec": {"completions": 1},
            "status": {"succeeded": 1, "startTime": "2024-01-01T00:00:00Z", "completionTime": "2024-01-01T00:00:20Z",
                       "conditions": [{"type": "Complete", "status": "True"}]}});
        let c = cells(Res::Job, &j, "1m".into(), 0);
        assert_eq!(c[1], "Complete");
        assert_eq!(c[2], "1/1");
        assert_eq!(c[3], "20s");
    }
}
