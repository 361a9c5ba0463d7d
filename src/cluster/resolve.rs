//! Workload resolution: the pod selector of `deploy/web`, `sts/db`, `ds/agent`, `job/migrate`
//! or `svc/api`, read from the cluster, so `devk logs` and the log view follow the pods a
//! workload selects, including the ones it starts later.

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::Api;

use super::{ClusterError, classify_kube_error};
use crate::exit::Exit;
use crate::logs::target::WorkloadKind;

/// Why a workload's pods cannot be found.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error("{} `{name}` not found in namespace {namespace}", kind.noun())]
    NotFound {
        kind: WorkloadKind,
        name: String,
        namespace: String,
    },
    #[error(
        "the cluster of context `{context}` does not serve {} ({}s), so {}/{name} cannot be resolved; name the pods instead (a pod name regex or -l LABELS)",
        kind.api_version(), kind.noun(), kind.noun()
    )]
    NotServed {
        kind: WorkloadKind,
        name: String,
        context: String,
    },
    #[error("{} `{name}` has no pod selector; name its pods with a regex or -l LABELS", kind.noun())]
    NoSelector { kind: WorkloadKind, name: String },
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

impl ResolveError {
    pub fn exit(&self) -> Exit {
        match self {
            Self::NotFound { .. } | Self::NotServed { .. } | Self::NoSelector { .. } => {
                Exit::NotFound
            }
            Self::Cluster(e) => e.exit(),
        }
    }
}

/// A label selector as the API takes it in `labelSelector=`.
fn selector_string(sel: LabelSelector) -> Option<String> {
    let mut parts: Vec<String> = sel
        .match_labels
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.unwrap_or_default() {
        let values = e.values.unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    (!parts.is_empty()).then(|| parts.join(","))
}

/// The label selector of workload `kind/name` in `namespace`.
pub async fn pod_selector(
    client: &kube::Client,
    context: &str,
    namespace: &str,
    kind: WorkloadKind,
    name: &str,
) -> Result<String, ResolveError> {
    let classify = |e: kube::Error| -> ResolveError {
        match &e {
            // A JSON NotFound about this very object: the group is served, the object is not.
            kube::Error::Api(s)
                if s.code == 404
                    && s.reason == "NotFound"
                    && s.details.as_ref().is_none_or(|d| d.name == name) =>
            {
                ResolveError::NotFound {
                    kind,
                    name: name.to_string(),
                    namespace: namespace.to_string(),
                }
            }
            // Anything else with 404 (a plain-text "404 page not found", "the server could
            // not find the requested resource"): the API group or resource is not served.
            kube::Error::Api(s) if s.code == 404 => ResolveError::NotServed {
                kind,
                name: name.to_string(),
                context: context.to_string(),
            },
            _ => ResolveError::Cluster(classify_kube_error(context, e)),
        }
    };
    let c = client.clone();
    let selector = match kind {
        WorkloadKind::Deployment => Api::<Deployment>::namespaced(c, namespace)
            .get(name)
            .await
            .map_err(classify)?
            .spec
            .and_then(|s| selector_string(s.selector)),
        WorkloadKind::StatefulSet => Api::<StatefulSet>::namespaced(c, namespace)
            .get(name)
            .await
            .map_err(classify)?
            .spec
            .and_then(|s| selector_string(s.selector)),
        WorkloadKind::DaemonSet => Api::<DaemonSet>::namespaced(c, namespace)
            .get(name)
            .await
            .map_err(classify)?
            .spec
            .and_then(|s| selector_string(s.selector)),
        WorkloadKind::Job => Api::<Job>::namespaced(c, namespace)
            .get(name)
            .await
            .map_err(classify)?
            .spec
            .and_then(|s| s.selector)
            .and_then(selector_string),
        WorkloadKind::Service => Api::<Service>::namespaced(c, namespace)
            .get(name)
            .await
            .map_err(classify)?
            .spec
            .and_then(|s| s.selector)
            .filter(|m| !m.is_empty())
            .map(|m| {
                m.into_iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            }),
    };
    selector
        .filter(|s| !s.is_empty())
        .ok_or_else(|| ResolveError::NoSelector {
            kind,
            name: name.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_read_like_kubectl_writes_them() {
        let sel: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "web"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["a", "b"]},
                {"key": "canary", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        assert_eq!(
            selector_string(sel).as_deref(),
            Some("app=web,tier in (a,b),!canary")
        );
    }
}
