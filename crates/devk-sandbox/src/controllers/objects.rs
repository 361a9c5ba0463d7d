//! Workload objects: built from a scenario workload, defaulted and validated as the API
//! server does on create and update (so that `kubectl describe` finds every field it prints).

use serde_json::{Map, Value, json};

use crate::podsim;
use crate::quantity::default_pull_policy;
use crate::scenario::{OwnerKind, WorkloadSpec};
use crate::status::Cause;
use crate::store::Res;
use crate::util::{Nanos, new_uid, rfc3339};

/// The controller object for scenario workload `w` (not of kind Pod), created at `at`.
pub fn workload_object(w: &WorkloadSpec, at: Nanos) -> (Res, Value) {
    let res = match w.kind {
        OwnerKind::ReplicaSet => Res::ReplicaSet,
        OwnerKind::StatefulSet => Res::StatefulSet,
        OwnerKind::DaemonSet => Res::DaemonSet,
        OwnerKind::Job => Res::Job,
        _ => Res::Deployment,
    };
    let mut labels = Map::new();
    for (k, v) in &w.labels {
        labels.insert(k.clone(), json!(v));
    }
    let mut spec = json!({"template": podsim::template(w)});
    match res {
        Res::Job => {
            spec["completions"] = json!(w.replicas.max(1));
            spec["parallelism"] = json!(w.replicas.max(1));
        }
        Res::DaemonSet => {
            spec["selector"] = json!({"matchLabels": {"app": w.name}});
        }
        _ => {
            spec["replicas"] = json!(w.replicas);
            spec["selector"] = json!({"matchLabels": {"app": w.name}});
        }
    }
    if res == Res::StatefulSet {
        spec["serviceName"] = json!(w.name);
    }
    if let Some(node) = &w.node {
        spec["template"]["spec"]["nodeName"] = json!(node);
    }
    let mut obj = json!({
        "apiVersion": res.gv().api_version(),
        "kind": res.kind(),
        "metadata": {"name": w.name, "namespace": w.namespace, "uid": new_uid(),
                     "creationTimestamp": rfc3339(at), "labels": labels, "generation": 1},
        "spec": spec,
    });
    defaults(res, &mut obj);
    (res, obj)
}

fn set_default(obj: &mut Value, path: &[&str], v: Value) {
    let mut cur = obj;
    for (i, key) in path.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Some(m) = cur.as_object_mut() else {
            return;
        };
        if i + 1 == path.len() {
            m.entry(key.to_string()).or_insert(v);
            return;
        }
        cur = m.entry(key.to_string()).or_insert(json!({}));
    }
}

/// The pod spec defaults of a template (or a pod).
pub fn pod_spec_defaults(spec: &mut Value, restart_policy: &str) {
    set_default(spec, &["restartPolicy"], json!(restart_policy));
    set_default(spec, &["dnsPolicy"], json!("ClusterFirst"));
    set_default(spec, &["schedulerName"], json!("default-scheduler"));
    set_default(spec, &["securityContext"], json!({}));
    set_default(spec, &["terminationGracePeriodSeconds"], json!(30));
    if let Some(sa) = spec.get("serviceAccountName").cloned() {
        set_default(spec, &["serviceAccount"], sa);
    }
    for key in ["initContainers", "containers"] {
        for c in spec
            .get_mut(key)
            .and_then(Value::as_array_mut)
            .into_iter()
            .flatten()
        {
            let image = c
                .get("image")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            set_default(c, &["imagePullPolicy"], json!(default_pull_policy(&image)));
            set_default(c, &["resources"], json!({}));
            set_default(
                c,
                &["terminationMessagePath"],
                json!("/dev/termination-log"),
            );
            set_default(c, &["terminationMessagePolicy"], json!("File"));
            for p in c
                .get_mut("ports")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                set_default(p, &["protocol"], json!("TCP"));
            }
        }
    }
}

/// The defaults the API server fills in for a workload of `res`.
pub fn defaults(res: Res, obj: &mut Value) {
    let spec = &mut obj["spec"];
    match res {
        Res::Deployment => {
            set_default(spec, &["replicas"], json!(1));
            set_default(spec, &["revisionHistoryLimit"], json!(10));
            set_default(spec, &["progressDeadlineSeconds"], json!(600));
            set_default(
                spec,
                &["strategy"],
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}),
            );
        }
        Res::ReplicaSet => set_default(spec, &["replicas"], json!(1)),
        Res::StatefulSet => {
            set_default(spec, &["replicas"], json!(1));
            set_default(spec, &["revisionHistoryLimit"], json!(10));
            set_default(spec, &["podManagementPolicy"], json!("OrderedReady"));
            set_default(
                spec,
                &["updateStrategy"],
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
            );
            set_default(
                spec,
                &["persistentVolumeClaimRetentionPolicy"],
                json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
            );
        }
        Res::DaemonSet => {
            set_default(spec, &["revisionHistoryLimit"], json!(10));
            set_default(
                spec,
                &["updateStrategy"],
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
            );
        }
        Res::Job => {
            set_default(spec, &["parallelism"], json!(1));
            set_default(spec, &["completions"], json!(1));
            set_default(spec, &["backoffLimit"], json!(6));
            set_default(spec, &["completionMode"], json!("NonIndexed"));
            set_default(spec, &["suspend"], json!(false));
            set_default(
                spec,
                &["podReplacementPolicy"],
                json!("TerminatingOrFailed"),
            );
            let manual = spec.get("manualSelector").and_then(Value::as_bool) == Some(true);
            let uid = obj
                .pointer("/metadata/uid")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let name = obj
                .pointer("/metadata/name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let spec = &mut obj["spec"];
            if !manual && spec.get("selector").is_none_or(Value::is_null) && !uid.is_empty() {
                spec["selector"] =
                    json!({"matchLabels": {"batch.kubernetes.io/controller-uid": uid}});
                for (k, v) in [
                    ("batch.kubernetes.io/controller-uid", &uid),
                    ("batch.kubernetes.io/job-name", &name),
                    ("controller-uid", &uid),
                    ("job-name", &name),
                ] {
                    set_default(spec, &["template", "metadata", "labels", k], json!(v));
                }
            }
        }
        _ => {}
    }
    let restart = if res == Res::Job { "Never" } else { "Always" };
    if let Some(t) = obj.pointer_mut("/spec/template/spec") {
        pod_spec_defaults(t, restart);
    }
    if let Some(m) = obj.pointer_mut("/spec/template/metadata")
        && m.is_object()
    {
        set_default(m, &["creationTimestamp"], Value::Null);
    }
}

fn labels_match(selector: &Value, labels: Option<&Map<String, Value>>) -> bool {
    let Some(ml) = selector.get("matchLabels").and_then(Value::as_object) else {
        return selector.get("matchExpressions").is_some();
    };
    ml.iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// What the API server refuses in a workload of `res`.
pub fn causes(res: Res, obj: &Value) -> Vec<Cause> {
    let mut out = Vec::new();
    let template = obj.pointer("/spec/template");
    let containers = obj
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array);
    if template.is_none_or(Value::is_null) {
        out.push(Cause::required("spec.template"));
    }
    if containers.is_none_or(Vec::is_empty) {
        out.push(Cause::required("spec.template.spec.containers"));
    }
    for (i, c) in containers.into_iter().flatten().enumerate() {
        if c.get("name")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            out.push(Cause::required(format!(
                "spec.template.spec.containers[{i}].name"
            )));
        }
        if c.get("image")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            out.push(Cause::required(format!(
                "spec.template.spec.containers[{i}].image"
            )));
        }
    }
    if res != Res::Job {
        match obj.pointer("/spec/selector") {
            None | Some(Value::Null) => out.push(Cause::required("spec.selector")),
            Some(sel) => {
                let labels = obj
                    .pointer("/spec/template/metadata/labels")
                    .and_then(Value::as_object);
                if !labels_match(sel, labels) {
                    out.push(Cause::invalid(
                        "spec.template.metadata.labels",
                        &serde_json::to_string(&labels).unwrap_or_default(),
                        "`selector` does not match template `labels`",
                    ));
                }
            }
        }
    } else {
        let rp = obj
            .pointer("/spec/template/spec/restartPolicy")
            .and_then(Value::as_str);
        if !matches!(rp, Some("Never" | "OnFailure")) {
            out.push(Cause::invalid(
                "spec.template.spec.restartPolicy",
                rp.unwrap_or(""),
                "supported values: \"OnFailure\", \"Never\"",
            ));
        }
    }
    if let Some(r) = obj.pointer("/spec/replicas")
        && r.as_i64().is_none_or(|n| n < 0)
    {
        out.push(Cause::invalid(
            "spec.replicas",
            &r.to_string(),
            "must be greater than or equal to 0",
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_get_the_api_servers_defaults() {
        let mut d = json!({"metadata": {"name": "web"}, "spec": {"selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "web", "image": "nginx"}]}}}});
        defaults(Res::Deployment, &mut d);
        assert_eq!(d["spec"]["replicas"], 1);
        assert_eq!(d["spec"]["strategy"]["rollingUpdate"]["maxSurge"], "25%");
        assert_eq!(
            d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"],
            "Always"
        );
        assert!(causes(Res::Deployment, &d).is_empty());
        d["spec"]["selector"] = json!({"matchLabels": {"app": "other"}});
        assert_eq!(causes(Res::Deployment, &d).len(), 1);
    }

    #[test]
    fn jobs_get_a_generated_selector() {
        let mut j = json!({"metadata": {"name": "j", "uid": "u-1"}, "spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox:1"}]}}}});
        defaults(Res::Job, &mut j);
        assert_eq!(
            j["spec"]["selector"]["matchLabels"]["batch.kubernetes.io/controller-uid"],
            "u-1"
        );
        assert_eq!(j["spec"]["template"]["metadata"]["labels"]["job-name"], "j");
        assert!(causes(Res::Job, &j).is_empty());
    }
}
