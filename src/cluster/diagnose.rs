//! Reads what the diagnosis needs from the cluster (the pod, its events, the namespace's pull
//! secrets and service accounts, the last lines of a crashed instance) and converts it into
//! `diagnose`'s plain values.

use k8s_openapi::api::core::v1::{Event, Pod, Secret, ServiceAccount};
use kube::api::{Api, ListParams, LogParams};
use serde_json::Value;

use crate::creds::pullsecret::{EXPIRES_ANNOTATION, parse_rfc3339, registries_of};
use crate::diagnose::{ContainerFacts, EventFacts, Knowledge, PodFacts, SecretFacts, Terminated};

fn s(v: &Value, p: &str) -> String {
    v.pointer(p)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn terminated(v: Option<&Value>) -> Option<Terminated> {
    let t = v?;
    Some(Terminated {
        exit_code: t.get("exitCode").and_then(Value::as_i64).unwrap_or(0) as i32,
        reason: s(t, "/reason"),
        started_at: t.get("startedAt").and_then(Value::as_str).map(String::from),
        finished_at: t
            .get("finishedAt")
            .and_then(Value::as_str)
            .map(String::from),
    })
}

/// The facts of a pod object (as JSON) and its events.
pub fn pod_facts(pod: &Value, events: &[Value]) -> PodFacts {
    let mut containers = Vec::new();
    for (key, status_key, init) in [
        ("initContainers", "initContainerStatuses", true),
        ("containers", "containerStatuses", false),
    ] {
        let statuses = pod
            .pointer(&format!("/status/{status_key}"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for c in pod
            .pointer(&format!("/spec/{key}"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = s(c, "/name");
            let st = statuses.iter().find(|x| s(x, "/name") == name);
            let waiting = st
                .and_then(|x| x.pointer("/state/waiting"))
                .map(|w| (s(w, "/reason"), s(w, "/message")));
            let opt = |p: &str| c.pointer(p).and_then(Value::as_str).map(String::from);
            containers.push(ContainerFacts {
                image: s(c, "/image"),
                pull_policy: opt("/imagePullPolicy"),
                init,
                ready: st
                    .and_then(|x| x.get("ready"))
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                running: st.is_some_and(|x| x.pointer("/state/running").is_some()),
                restarts: st
                    .and_then(|x| x.get("restartCount"))
                    .and_then(Value::as_u64)
                    .unwrap_or(0) as u32,
                waiting,
                terminated: terminated(st.and_then(|x| x.pointer("/state/terminated"))),
                last_terminated: terminated(st.and_then(|x| x.pointer("/lastState/terminated"))),
                memory_limit: opt("/resources/limits/memory"),
                memory_request: opt("/resources/requests/memory"),
                cpu_request: opt("/resources/requests/cpu"),
                name,
            });
        }
    }
    let conditions = pod
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            (
                s(c, "/type"),
                s(c, "/status"),
                s(c, "/reason"),
                s(c, "/message"),
            )
        })
        .collect();
    let names = |p: &str| -> Vec<String> {
        pod.pointer(p)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| s(r, "/name"))
            .collect()
    };
    let mut evs: Vec<&Value> = events.iter().collect();
    evs.sort_by_key(|e| s(e, "/lastTimestamp"));
    PodFacts {
        namespace: s(pod, "/metadata/namespace"),
        name: s(pod, "/metadata/name"),
        phase: s(pod, "/status/phase"),
        deleting: pod
            .pointer("/metadata/deletionTimestamp")
            .is_some_and(|v| !v.is_null()),
        service_account: s(pod, "/spec/serviceAccountName"),
        pull_secrets: names("/spec/imagePullSecrets"),
        node_selector: pod
            .pointer("/spec/nodeSelector")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .unwrap_or_default(),
        conditions,
        containers,
        events: evs
            .into_iter()
            .map(|e| EventFacts {
                reason: s(e, "/reason"),
                message: s(e, "/message"),
                warning: s(e, "/type") == "Warning",
                count: e.get("count").and_then(Value::as_u64).unwrap_or(1) as u32,
            })
            .collect(),
    }
}

/// The pull secrets of a namespace as the diagnosis sees them (registries and expiry only).
pub fn secret_facts(secrets: &[Secret]) -> Vec<SecretFacts> {
    secrets
        .iter()
        .filter(|s| s.type_.as_deref() == Some("kubernetes.io/dockerconfigjson"))
        .map(|sec| SecretFacts {
            name: sec.metadata.name.clone().unwrap_or_default(),
            registries: sec
                .data
                .as_ref()
                .and_then(|d| d.get(".dockerconfigjson"))
                .map(|b| registries_of(&b.0))
                .unwrap_or_default()
                .into_iter()
                .map(|r| {
                    r.trim_start_matches("https://")
                        .split('/')
                        .next()
                        .unwrap_or_default()
                        .to_string()
                })
                .collect(),
            expires_at: sec
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get(EXPIRES_ANNOTATION))
                .and_then(|t| parse_rfc3339(t)),
        })
        .collect()
}

/// Reads a pod and its events; None when there is no such pod.
pub async fn read_pod(
    client: &kube::Client,
    ns: &str,
    name: &str,
) -> Result<Option<PodFacts>, kube::Error> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let Some(pod) = pods.get_opt(name).await? else {
        return Ok(None);
    };
    let events: Api<Event> = Api::namespaced(client.clone(), ns);
    let lp = ListParams::default().fields(&format!("involvedObject.name={name}"));
    let evs: Vec<Value> = events
        .list(&lp)
        .await?
        .items
        .iter()
        .filter_map(|e| serde_json::to_value(e).ok())
        .collect();
    let json = serde_json::to_value(&pod).unwrap_or_default();
    Ok(Some(pod_facts(&json, &evs)))
}

/// Reads the namespace's pull secrets and service accounts and, for a crashing container,
/// the last lines of its previous instance.
pub async fn read_knowledge(
    client: &kube::Client,
    pod: &PodFacts,
    k: &mut Knowledge,
) -> Result<(), kube::Error> {
    let ns = &pod.namespace;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    k.secrets = secret_facts(&secrets.list(&ListParams::default()).await?.items);
    let sas: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    k.service_accounts = sas
        .list(&ListParams::default())
        .await?
        .items
        .into_iter()
        .map(|sa| {
            let pulls = sa
                .image_pull_secrets
                .unwrap_or_default()
                .into_iter()
                .map(|r| r.name)
                .collect();
            (sa.metadata.name.unwrap_or_default(), pulls)
        })
        .collect();
    let crashed = pod.containers.iter().find(|c| {
        c.last_terminated.is_some()
            && c.waiting
                .as_ref()
                .is_some_and(|w| w.0 == "CrashLoopBackOff")
    });
    if let Some(c) = crashed {
        let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
        let lp = LogParams {
            container: Some(c.name.clone()),
            previous: true,
            tail_lines: Some(5),
            ..LogParams::default()
        };
        // A previous instance whose logs are gone is no reason to fail the diagnosis.
        if let Ok(text) = pods.logs(&pod.name, &lp).await {
            k.previous_logs = text.lines().map(String::from).collect();
        }
    }
    Ok(())
}
