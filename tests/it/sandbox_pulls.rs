//! Why pods do not run, as the sandbox simulates it and the real kubectl reads it: image pulls
//! (ECR without or with an expired pull secret, a local-only `:latest` image, a tag never
//! pushed), scheduling, OOM kills and failing probes, each with the kubelet's events.

use serde_json::Value;

use crate::sandbox_kubectl::{kubectl, sandbox_with};
use crate::sandbox_workloads::{json, wait_until};

fn waiting_reason(pods: &Value) -> String {
    pods["items"][0]["status"]["containerStatuses"][0]["state"]["waiting"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn ecr_image_without_pull_secret_fails_then_pulls_once_the_secret_is_there() {
    let Some(k) =
        kubectl("ecr_image_without_pull_secret_fails_then_pulls_once_the_secret_is_there")
    else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let args = ["get", "pods", "-n", "broken", "-l", "app=ecr-missing"];
    wait_until(&env, &k, &args, |o| o.contains("ImagePullBackOff")).await;
    let describe = env
        .ok(
            &k,
            &["describe", "pods", "-n", "broken", "-l", "app=ecr-missing"],
        )
        .await;
    assert!(describe.contains("no basic auth credentials"), "{describe}");
    assert!(describe.contains("Error: ErrImagePull"), "{describe}");
    assert!(describe.contains("Back-off pulling image"), "{describe}");
    let logs = env
        .run(&k, &["logs", "-n", "broken", "deploy/ecr-missing"])
        .await;
    assert!(
        logs.stderr.contains("is waiting to start"),
        "{}",
        logs.stderr
    );
    // What `devk creds refresh` does: a pull secret for the registry on the service account.
    env.ok(
        &k,
        &[
            "create",
            "secret",
            "docker-registry",
            "ecr",
            "-n",
            "broken",
            "--docker-server=123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            "--docker-username=AWS",
            "--docker-password=token",
        ],
    )
    .await;
    env.ok(
        &k,
        &[
            "patch",
            "serviceaccount",
            "default",
            "-n",
            "broken",
            "-p",
            r#"{"imagePullSecrets":[{"name":"ecr"}]}"#,
        ],
    )
    .await;
    wait_until(&env, &k, &args, |o| {
        o.contains("Running") && o.contains("1/1")
    })
    .await;
    let describe = env
        .ok(
            &k,
            &["describe", "pods", "-n", "broken", "-l", "app=ecr-missing"],
        )
        .await;
    assert!(describe.contains("Successfully pulled image"), "{describe}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expired_ecr_token_and_unpullable_images_fail_with_the_kubelets_messages() {
    let Some(k) =
        kubectl("an_expired_ecr_token_and_unpullable_images_fail_with_the_kubelets_messages")
    else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    for (app, message) in [
        ("ecr-expired", "Your authorization token has expired"),
        (
            "local-latest",
            "pull access denied for shop/web, repository does not exist",
        ),
        (
            "never-pushed",
            "manifest for registry.example.com/web:9.9.9 not found: manifest unknown",
        ),
    ] {
        let args = ["get", "pods", "-n", "broken", "-l", &format!("app={app}")];
        wait_until(&env, &k, &args, |o| {
            o.contains("ImagePullBackOff") || o.contains("ErrImagePull")
        })
        .await;
        let describe = env
            .ok(
                &k,
                &[
                    "describe",
                    "pods",
                    "-n",
                    "broken",
                    "-l",
                    &format!("app={app}"),
                ],
            )
            .await;
        assert!(describe.contains(message), "{app}: {describe}");
    }
    // A :latest image defaults to imagePullPolicy Always, which is why the local image fails.
    let pods = json(
        &env,
        &k,
        &["get", "pods", "-n", "broken", "-l", "app=local-latest"],
    )
    .await;
    assert_eq!(
        pods["items"][0]["spec"]["containers"][0]["imagePullPolicy"],
        "Always"
    );
    assert!(["ErrImagePull", "ImagePullBackOff"].contains(&waiting_reason(&pods).as_str()));
}

#[tokio::test(flavor = "multi_thread")]
async fn unschedulable_oom_killed_and_unready_pods_report_why() {
    let Some(k) = kubectl("unschedulable_oom_killed_and_unready_pods_report_why") else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let hungry = env
        .ok(
            &k,
            &["describe", "pods", "-n", "broken", "-l", "app=hungry"],
        )
        .await;
    assert!(hungry.contains("FailedScheduling"), "{hungry}");
    assert!(
        hungry.contains("0/2 nodes are available: 2 Insufficient memory."),
        "{hungry}"
    );
    let pods = json(
        &env,
        &k,
        &["get", "pods", "-n", "broken", "-l", "app=hungry"],
    )
    .await;
    let cond = &pods["items"][0]["status"]["conditions"][0];
    assert_eq!(
        (cond["type"].as_str(), cond["reason"].as_str()),
        (Some("PodScheduled"), Some("Unschedulable"))
    );

    let oom = json(&env, &k, &["get", "pods", "-n", "broken", "-l", "app=oom"]).await;
    let last = &oom["items"][0]["status"]["containerStatuses"][0]["lastState"]["terminated"];
    assert_eq!(last["reason"], "OOMKilled", "{oom}");
    assert_eq!(last["exitCode"], 137);
    assert!(last["startedAt"].is_string() && last["finishedAt"].is_string());
    assert_eq!(
        oom["items"][0]["spec"]["containers"][0]["resources"]["limits"]["memory"],
        "128Mi"
    );

    let unready = wait_until(
        &env,
        &k,
        &["describe", "pods", "-n", "broken", "-l", "app=unready"],
        |o| o.contains("Readiness probe failed"),
    )
    .await;
    assert!(unready.contains("Unhealthy"), "{unready}");
    // Deleting a running pod stops its containers (Killing).
    env.ok(
        &k,
        &[
            "delete",
            "pods",
            "-n",
            "broken",
            "-l",
            "app=unready",
            "--wait=false",
        ],
    )
    .await;
    wait_until(
        &env,
        &k,
        &[
            "get",
            "events",
            "-n",
            "broken",
            "--field-selector",
            "reason=Killing",
        ],
        |o| o.contains("Stopping container app"),
    )
    .await;
}
