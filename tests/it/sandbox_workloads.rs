//! The sandbox's apps/v1 and batch/v1 workloads against the real kubectl: listing every kind,
//! rollouts by `set image` and `rollout restart`, `rollout status`, `rollout undo`, `scale`,
//! `describe` and `delete` with its garbage collection.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::sandbox_kubectl::{Env, kubectl, sandbox_with};

/// Runs kubectl until `done` accepts its output (at most a minute; the sandbox's controllers
/// act within a tick, pods get ready within about a second).
pub(crate) async fn wait_until(
    env: &Env,
    k: &Path,
    args: &[&str],
    done: impl Fn(&str) -> bool,
) -> String {
    let mut last = String::new();
    for _ in 0..300 {
        let out = env.run(k, args).await;
        if out.ok && done(&out.stdout) {
            return out.stdout;
        }
        last = format!("{}{}", out.stdout, out.stderr);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("kubectl {args:?} never satisfied the condition; last output:\n{last}");
}

pub(crate) async fn json(env: &Env, k: &Path, args: &[&str]) -> Value {
    let mut a = args.to_vec();
    a.extend(["-o", "json"]);
    serde_json::from_str(&env.ok(k, &a).await).unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["metadata"]["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_get_lists_every_workload_kind_with_its_printer_columns() {
    let Some(k) = kubectl("kubectl_get_lists_every_workload_kind_with_its_printer_columns") else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let out = env.ok(&k, &["get", "deploy,rs,sts,ds,job", "-A"]).await;
    for want in [
        "deployment.apps/web",
        "replicaset.apps/web-",
        "statefulset.apps/db",
        "daemonset.apps/agent",
        "job.batch/migrate",
    ] {
        assert!(out.contains(want), "{want} missing:\n{out}");
    }
    let header = |kind: &str| {
        out.lines()
            .find(|l| l.contains(kind))
            .map(String::from)
            .unwrap_or_default()
    };
    let headers: Vec<Vec<&str>> = out
        .lines()
        .filter(|l| l.starts_with("NAMESPACE"))
        .map(|l| l.split_whitespace().collect())
        .collect();
    for want in [
        vec![
            "NAMESPACE",
            "NAME",
            "READY",
            "UP-TO-DATE",
            "AVAILABLE",
            "AGE",
        ],
        vec!["NAMESPACE", "NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        vec!["NAMESPACE", "NAME", "READY", "AGE"],
        vec![
            "NAMESPACE",
            "NAME",
            "STATUS",
            "COMPLETIONS",
            "DURATION",
            "AGE",
        ],
    ] {
        assert!(headers.contains(&want), "{want:?} not in {headers:?}");
    }
    let web = header("deployment.apps/web");
    assert!(web.contains("2/2"), "{web}");
    // The StatefulSet's pods are named by ordinal, the DaemonSet runs one per node.
    let pods = names(&json(&env, &k, &["get", "pods", "-n", "apps"]).await);
    assert!(
        pods.contains(&"db-0".to_string()) && pods.contains(&"db-1".to_string()),
        "{pods:?}"
    );
    assert_eq!(
        pods.iter().filter(|p| p.starts_with("agent-")).count(),
        2,
        "{pods:?}"
    );
    let job = wait_until(&env, &k, &["get", "job", "migrate", "-n", "apps"], |o| {
        o.contains("Complete")
    })
    .await;
    assert!(job.contains("1/1"), "{job}");
}

#[tokio::test(flavor = "multi_thread")]
async fn set_image_rolls_out_a_new_replicaset_and_rollout_status_finishes() {
    let Some(k) = kubectl("set_image_rolls_out_a_new_replicaset_and_rollout_status_finishes")
    else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let before = names(&json(&env, &k, &["get", "rs", "-n", "apps", "-l", "app=web"]).await);
    assert_eq!(before.len(), 1);
    let out = env
        .ok(
            &k,
            &[
                "set",
                "image",
                "-n",
                "apps",
                "deploy/web",
                "web=registry.example.com/web:1.1.0",
            ],
        )
        .await;
    assert_eq!(out.trim(), "deployment.apps/web image updated");
    let status = env
        .ok(
            &k,
            &[
                "rollout",
                "status",
                "-n",
                "apps",
                "deploy/web",
                "--timeout=60s",
            ],
        )
        .await;
    assert!(status.contains("successfully rolled out"), "{status}");
    let d = json(&env, &k, &["get", "deploy", "web", "-n", "apps"]).await;
    assert_eq!(d["metadata"]["generation"], 2);
    assert_eq!(d["status"]["observedGeneration"], 2);
    assert_eq!(d["status"]["updatedReplicas"], 2);
    assert_eq!(
        d["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "2"
    );
    let conditions: Vec<(String, String)> = d["status"]["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["type"].as_str().unwrap().into(),
                c["reason"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        conditions.contains(&("Available".into(), "MinimumReplicasAvailable".into())),
        "{conditions:?}"
    );
    assert!(
        conditions.contains(&("Progressing".into(), "NewReplicaSetAvailable".into())),
        "{conditions:?}"
    );
    let rs = json(&env, &k, &["get", "rs", "-n", "apps", "-l", "app=web"]).await;
    let items = rs["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let new = items
        .iter()
        .find(|r| !before.contains(&r["metadata"]["name"].as_str().unwrap().to_string()))
        .unwrap();
    assert_eq!(new["spec"]["replicas"], 2);
    assert_eq!(new["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    let old = items
        .iter()
        .find(|r| r["metadata"]["name"] == before[0].as_str())
        .unwrap();
    assert_eq!(old["spec"]["replicas"], 0);
    // Every pod left runs the new image and belongs to the new ReplicaSet.
    let pods = wait_until(
        &env,
        &k,
        &["get", "pods", "-n", "apps", "-l", "app=web", "-o", "json"],
        |o| {
            let v: Value = serde_json::from_str(o).unwrap_or_default();
            v["items"].as_array().is_some_and(|a| a.len() == 2)
        },
    )
    .await;
    let pods: Value = serde_json::from_str(&pods).unwrap();
    for p in pods["items"].as_array().unwrap() {
        assert_eq!(
            p["spec"]["containers"][0]["image"],
            "registry.example.com/web:1.1.0"
        );
        assert_eq!(
            p["metadata"]["ownerReferences"][0]["name"],
            new["metadata"]["name"]
        );
    }
    let describe = env
        .ok(&k, &["describe", "deploy", "web", "-n", "apps"])
        .await;
    assert!(describe.contains("ScalingReplicaSet"), "{describe}");
    assert!(
        describe.contains(&format!(
            "NewReplicaSet:   {}",
            new["metadata"]["name"].as_str().unwrap()
        )),
        "{describe}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn rollout_restart_then_undo_returns_to_the_previous_replicaset() {
    let Some(k) = kubectl("rollout_restart_then_undo_returns_to_the_previous_replicaset") else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let first = names(&json(&env, &k, &["get", "rs", "-n", "apps", "-l", "app=web"]).await);
    let out = env
        .ok(&k, &["rollout", "restart", "-n", "apps", "deploy/web"])
        .await;
    assert_eq!(out.trim(), "deployment.apps/web restarted");
    env.ok(
        &k,
        &[
            "rollout",
            "status",
            "-n",
            "apps",
            "deploy/web",
            "--timeout=60s",
        ],
    )
    .await;
    let d = json(&env, &k, &["get", "deploy", "web", "-n", "apps"]).await;
    assert!(
        d["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_string()
    );
    let out = env
        .ok(&k, &["rollout", "undo", "-n", "apps", "deploy/web"])
        .await;
    assert_eq!(out.trim(), "deployment.apps/web rolled back");
    env.ok(
        &k,
        &[
            "rollout",
            "status",
            "-n",
            "apps",
            "deploy/web",
            "--timeout=60s",
        ],
    )
    .await;
    let rs = json(&env, &k, &["get", "rs", "-n", "apps", "-l", "app=web"]).await;
    let active: Vec<&Value> = rs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["spec"]["replicas"] != 0)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["metadata"]["name"], first[0].as_str());
    assert_eq!(
        active[0]["metadata"]["annotations"]["deployment.kubernetes.io/revision"],
        "3"
    );
    let history = env
        .ok(&k, &["rollout", "history", "-n", "apps", "deploy/web"])
        .await;
    assert!(
        history.contains("2 ") && history.contains("3 "),
        "{history}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_scale_changes_the_pod_count_of_deployments_and_statefulsets() {
    let Some(k) = kubectl("kubectl_scale_changes_the_pod_count_of_deployments_and_statefulsets")
    else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let out = env
        .ok(&k, &["scale", "-n", "apps", "deploy/web", "--replicas=4"])
        .await;
    assert_eq!(out.trim(), "deployment.apps/web scaled");
    wait_until(&env, &k, &["get", "deploy", "web", "-n", "apps"], |o| {
        o.contains("4/4")
    })
    .await;
    env.ok(&k, &["scale", "-n", "apps", "sts/db", "--replicas=1"])
        .await;
    wait_until(
        &env,
        &k,
        &["get", "pods", "-n", "apps", "-o", "name"],
        |o| !o.contains("pod/db-1") && o.contains("pod/db-0"),
    )
    .await;
    let sts = json(&env, &k, &["get", "sts", "db", "-n", "apps"]).await;
    assert_eq!(sts["spec"]["replicas"], 1);
    let out = env
        .run(&k, &["scale", "-n", "apps", "deploy/web", "--replicas=-1"])
        .await;
    assert!(!out.ok);
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_deployment_removes_its_replicasets_and_pods() {
    let Some(k) = kubectl("deleting_a_deployment_removes_its_replicasets_and_pods") else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let out = env.ok(&k, &["delete", "-n", "apps", "deploy/web"]).await;
    assert_eq!(out.trim(), "deployment.apps \"web\" deleted");
    wait_until(
        &env,
        &k,
        &[
            "get", "rs,pods", "-n", "apps", "-l", "app=web", "-o", "name",
        ],
        |o| o.trim().is_empty(),
    )
    .await;
    // A pod of a StatefulSet comes back under the same name when deleted.
    env.ok(&k, &["delete", "pod", "-n", "apps", "db-1", "--wait=true"])
        .await;
    wait_until(&env, &k, &["get", "pod", "db-1", "-n", "apps"], |o| {
        o.contains("Running")
    })
    .await;
    // Orphaning leaves the pods without an owner.
    env.ok(
        &k,
        &["delete", "-n", "apps", "ds/agent", "--cascade=orphan"],
    )
    .await;
    let pods = json(&env, &k, &["get", "pods", "-n", "apps", "-l", "app=agent"]).await;
    let items = pods["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(
        items
            .iter()
            .all(|p| p["metadata"]["ownerReferences"].is_null())
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn daemonset_and_statefulset_rollouts_finish_and_events_read_both_ways() {
    let Some(k) = kubectl("daemonset_and_statefulset_rollouts_finish_and_events_read_both_ways")
    else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    for target in ["ds/agent", "sts/db"] {
        env.ok(&k, &["rollout", "restart", "-n", "apps", target])
            .await;
        let out = env
            .ok(
                &k,
                &["rollout", "status", "-n", "apps", target, "--timeout=60s"],
            )
            .await;
        assert!(
            out.contains("successfully rolled out") || out.contains("roll out complete"),
            "{out}"
        );
    }
    let sts = json(&env, &k, &["get", "sts", "db", "-n", "apps"]).await;
    assert_eq!(
        sts["status"]["currentRevision"],
        sts["status"]["updateRevision"]
    );
    let events = env.ok(&k, &["events", "-n", "apps"]).await;
    assert!(
        events.contains("SuccessfulDelete") && events.contains("SuccessfulCreate"),
        "{events}"
    );
    let v1 = json(&env, &k, &["get", "events.v1.events.k8s.io", "-n", "apps"]).await;
    let first = &v1["items"][0];
    assert!(
        first["regarding"]["name"].is_string() && first["note"].is_string(),
        "{first}"
    );
}
