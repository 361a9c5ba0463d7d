//! Services: the API server's defaults (type ClusterIP, a cluster IP from 10.96.0.0/12,
//! ports with protocol and targetPort), and the Service a scenario workload with ports gets
//! (as its manifests would have), so that `svc/NAME` resolves to the workload's pods.

use serde_json::{Value, json};

use super::cluster::Cluster;
use super::scenario::{OwnerKind, WorkloadSpec};
use super::util::{Nanos, new_uid, rfc3339};

/// Fills in what the API server defaults in a Service (not the cluster IP).
pub fn defaults(obj: &mut Value) {
    if !obj.get("spec").is_some_and(Value::is_object) {
        obj["spec"] = json!({});
    }
    let spec = &mut obj["spec"];
    for (k, v) in [
        ("type", json!("ClusterIP")),
        ("sessionAffinity", json!("None")),
        ("ipFamilies", json!(["IPv4"])),
        ("ipFamilyPolicy", json!("SingleStack")),
        ("internalTrafficPolicy", json!("Cluster")),
    ] {
        if spec.get(k).is_none_or(Value::is_null) {
            spec[k] = v;
        }
    }
    for p in spec
        .get_mut("ports")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
    {
        if p.get("protocol").is_none() {
            p["protocol"] = json!("TCP");
        }
        if p.get("targetPort").is_none()
            && let Some(port) = p.get("port").cloned()
        {
            p["targetPort"] = port;
        }
    }
    if obj.get("status").is_none_or(Value::is_null) {
        obj["status"] = json!({"loadBalancer": {}});
    }
}

impl Cluster {
    /// Gives a Service without one a cluster IP.
    pub fn assign_cluster_ip(&mut self, obj: &mut Value) {
        let has = obj
            .pointer("/spec/clusterIP")
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty());
        if has {
            return;
        }
        self.next_ip += 1;
        let n = self.next_ip;
        let ip = format!("10.96.{}.{}", n / 250, n % 250 + 1);
        obj["spec"]["clusterIP"] = json!(ip);
        obj["spec"]["clusterIPs"] = json!([ip]);
    }

    /// The Service of scenario workload `w`, if its containers listen on ports.
    pub(super) fn workload_service(&mut self, w: &WorkloadSpec, at: Nanos) -> Option<Value> {
        let ports: Vec<Value> = w
            .containers
            .iter()
            .flat_map(|c| c.ports.iter())
            .map(
                |p| json!({"name": format!("p{p}"), "port": p, "targetPort": p, "protocol": "TCP"}),
            )
            .collect();
        if ports.is_empty() || matches!(w.kind, OwnerKind::Pod | OwnerKind::Job) {
            return None;
        }
        let mut svc = json!({"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": w.name, "namespace": w.namespace, "uid": new_uid(),
                         "creationTimestamp": rfc3339(at), "labels": {"app": w.name}},
            "spec": {"selector": {"app": w.name}, "ports": ports}});
        defaults(&mut svc);
        self.assign_cluster_ip(&mut svc);
        Some(svc)
    }
}
