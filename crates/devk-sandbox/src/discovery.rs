//! Discovery documents: `/version`, `/api`, `/api/v1` and `/apis`. The sandbox serves the
//! legacy (unaggregated) form; clients that ask for aggregated discovery
//! (`as=APIGroupDiscoveryList`) fall back to it when the response is plain `application/json`.

use serde_json::{Value, json};

use super::store::Res;

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

/// `/apis`: no groups besides the core one.
pub fn api_groups() -> Value {
    json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
}

const VERBS: [&str; 7] = [
    "create", "delete", "get", "list", "patch", "update", "watch",
];

/// `/api/v1`.
pub fn core_v1() -> Value {
    let mut resources = Vec::new();
    for res in Res::ALL {
        let (singular, short, hash): (&str, &[&str], &str) = match res {
            Res::Event => ("event", &["ev"], "r2yiGXH7wu8="),
            Res::Namespace => ("namespace", &["ns"], "Q3oi5N2YM8M="),
            Res::Pod => ("pod", &["po"], "xPOwRZ+Yhw8="),
            Res::Secret => ("secret", &[], "S6u1pOWzb84="),
            Res::ServiceAccount => ("serviceaccount", &["sa"], "pbx9ZvyFpBE="),
        };
        let mut r = json!({
            "name": res.plural(),
            "singularName": singular,
            "namespaced": res.namespaced(),
            "kind": res.kind(),
            "verbs": VERBS,
            "storageVersionHash": hash,
        });
        if !short.is_empty() {
            r["shortNames"] = json!(short);
        }
        if res == Res::Pod {
            r["categories"] = json!(["all"]);
        }
        resources.push(r);
        if res == Res::Pod {
            resources.push(
                json!({"name": "pods/log", "singularName": "", "namespaced": true,
                                  "kind": "Pod", "verbs": ["get"]}),
            );
        }
    }
    json!({"kind": "APIResourceList", "groupVersion": "v1", "resources": resources})
}
