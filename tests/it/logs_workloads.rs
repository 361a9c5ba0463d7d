//! `devk logs KIND/NAME` against the sandbox's workloads: a Deployment, StatefulSet,
//! DaemonSet, Job and Service resolve to their pods (`--no-follow`), and following a
//! Deployment keeps going across a rollout, the new ReplicaSet's pods joining.

use std::process::Stdio;
use std::time::Duration;

use crate::sandbox_kubectl::{kubectl, sandbox_with};
use crate::support::{devk, run};

fn pod_prefixes(out: &str) -> std::collections::BTreeSet<String> {
    out.lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn devk_logs_resolves_each_workload_kind_to_its_pods() {
    let env = sandbox_with("workloads.toml").await;
    for (query, prefix, pods) in [
        ("deploy/web", "web-", 2),
        ("sts/db", "db-", 2),
        ("ds/agent", "agent-", 2),
        ("job/backfill", "backfill-", 1),
        ("svc/web", "web-", 2),
    ] {
        let mut cmd = devk(env.dir.path());
        cmd.env("KUBECONFIG", &env.kubeconfig).args([
            "logs",
            query,
            "-n",
            "apps",
            "--no-follow",
            "--tail",
            "3",
        ]);
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{query}: {r:?}");
        let seen = pod_prefixes(&r.stdout);
        assert_eq!(seen.len(), pods, "{query}: {seen:?}\n{r:?}");
        assert!(
            seen.iter().all(|p| p.starts_with(prefix)),
            "{query}: {seen:?}"
        );
    }
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig).args([
        "logs",
        "deploy/nope",
        "-n",
        "apps",
        "--no-follow",
    ]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 5, "{r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn following_a_deployment_picks_up_the_pods_of_a_rollout() {
    let Some(k) = kubectl("following_a_deployment_picks_up_the_pods_of_a_rollout") else {
        return;
    };
    let env = sandbox_with("workloads.toml").await;
    let mut cmd = std::process::Command::new(crate::support::devk_bin());
    crate::support::isolate(&mut cmd, env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig)
        .args(["logs", "deploy/web", "-n", "apps", "--tail", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut cmd = tokio::process::Command::from(cmd);
    cmd.kill_on_drop(true);
    let mut child = cmd.spawn().unwrap();
    let before: Vec<String> = env
        .ok(
            &k,
            &["get", "pods", "-n", "apps", "-l", "app=web", "-o", "name"],
        )
        .await
        .lines()
        .map(|l| l.trim_start_matches("pod/").to_string())
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    env.ok(
        &k,
        &[
            "set",
            "image",
            "-n",
            "apps",
            "deploy/web",
            "web=registry.example.com/web:1.2.0",
        ],
    )
    .await;
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
    let after: Vec<String> = env
        .ok(
            &k,
            &["get", "pods", "-n", "apps", "-l", "app=web", "-o", "name"],
        )
        .await
        .lines()
        .map(|l| l.trim_start_matches("pod/").to_string())
        .filter(|p| !before.contains(p))
        .collect();
    assert_eq!(after.len(), 2, "{after:?}");
    // Let the new pods log, then stop following.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _ = child.start_kill();
    let out = child.wait_with_output().await.unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let seen = pod_prefixes(&text);
    for p in before.iter().chain(after.iter()) {
        assert!(
            seen.contains(p),
            "{p} missing from the followed logs: {seen:?}"
        );
    }
}
