//! Discovery documents: `/version`, `/api`, `/api/v1` and `/apis`. The sandbox serves the
//! legacy (unaggregated) form; clients that ask for aggregated discovery
//! (`as=APIGroupDiscoveryList`) fall back to it when the response is plain `application/json`.

use serde_json::{Value, json};

use super::res::{Gv, Res};

/// The Kubernetes version the sandbox reports. The kubectl dispatcher on some systems picks
/// its kubectl binary from this, so it must be a real release number.
pub const GIT_VERSION: &str = "v1.33.1";

/// `/version`.
pub fn version() -> Value {
    json!({
        "major": "1",
        "minor": "33",
        "emulationMajor": "1",
        "emulationMinor": "33",
        "minCompatibilityMajor": "1",
        "minCompatibilityMinor": "32",
        "gitVersion": GIT_VERSION,
        "gitCommit": "8adc0f041b8e7ad1d30e29cc59c6ae7a15e19828",
        "gitTreeState": "clean",
        "buildDate": "2025-05-15T08:19:08Z",
        "goVersion": "go1.24.2",
        "compiler": "gc",
        "platform": "linux/amd64",
    })
}

/// `/api`.
pub fn api_versions(server_address: &str) -> Value {
    json!({
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    })
}

/// `/apis`: the groups besides the core one.
pub fn api_groups() -> Value {
    let groups: Vec<Value> = Gv::ALL
        .into_iter()
        .filter(|g| *g != Gv::Core)
        .map(|g| {
            let gv = json!({"groupVersion": g.api_version(), "version": "v1"});
            json!({"name": g.group(), "versions": [gv], "preferredVersion": gv})
        })
        .collect();
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups})
}

/// `doc` (an `APIGroupList`) without the groups named in `disabled`.
pub fn without_groups(mut doc: Value, disabled: &[String]) -> Value {
    if let Some(groups) = doc.get_mut("groups").and_then(Value::as_array_mut) {
        groups.retain(|g| {
            g.get("name")
                .and_then(Value::as_str)
                .is_none_or(|n| !disabled.iter().any(|d| d == n))
        });
    }
    doc
}

const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

fn storage_hash(res: Res) -> &'static str {
    match res {
        Res::Event | Res::EventV1 => "r2yiGXH7wu8=",
        Res::Namespace => "Q3oi5N2YM8M=",
        Res::Pod => "xPOwRZ+Yhw8=",
        Res::Secret => "S6u1pOWzb84=",
        Res::ServiceAccount => "pbx9ZvyFpBE=",
        Res::Service => "0/CO1lhkEBI=",
        Res::Deployment => "8aSe+NMegvE=",
        Res::ReplicaSet => "P1RzHs8/mWQ=",
        Res::StatefulSet => "H+vl74LkKdo=",
        Res::DaemonSet => "dd7pWHUlMKQ=",
        Res::Job => "mudhfqk/qZY=",
    }
}

/// `/api/v1`.
pub fn core_v1() -> Value {
    group_resources(Gv::Core)
}

/// `/api/v1` or `/apis/GROUP/v1`: the resources of one group version, with their
/// subresources (`pods/log`, `deployments/scale`, `.../status`).
pub fn group_resources(gv: Gv) -> Value {
    let mut resources = Vec::new();
    for res in Res::ALL.into_iter().filter(|r| r.gv() == gv) {
        let (singular, short) = res.names();
        // The events.k8s.io view is read-only here.
        let verbs: &[&str] = if res == Res::EventV1 {
            &["get", "list", "watch"]
        } else {
            &VERBS
        };
        let mut r = json!({
            "name": res.plural(),
            "singularName": singular,
            "namespaced": res.namespaced(),
            "kind": res.kind(),
            "verbs": verbs,
            "storageVersionHash": storage_hash(res),
        });
        if !short.is_empty() {
            r["shortNames"] = json!(short);
        }
        if matches!(res, Res::Pod | Res::Service) || Res::WORKLOADS.contains(&res) {
            r["categories"] = json!(["all"]);
        }
        resources.push(r);
        let sub = |name: &str, kind: &str, verbs: &[&str]| {
            json!({"name": format!("{}/{name}", res.plural()), "singularName": "",
                   "namespaced": res.namespaced(), "kind": kind, "verbs": verbs})
        };
        if res == Res::Pod {
            resources.push(sub("log", "Pod", &["get"]));
        }
        if res.scalable() {
            let mut s = sub("scale", "Scale", &["get", "patch", "update"]);
            s["group"] = json!("autoscaling");
            s["version"] = json!("v1");
            resources.push(s);
        }
        if res.has_status() {
            resources.push(sub("status", res.kind(), &["get"]));
        }
    }
    json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv.api_version(), "resources": resources})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_groups_leave_the_group_list() {
        let doc = json!({"kind": "APIGroupList", "groups": [{"name": "apps"}, {"name": "batch"}]});
        let left = without_groups(doc, &["apps".to_string()]);
        assert_eq!(left["groups"], json!([{"name": "batch"}]));
    }
}
