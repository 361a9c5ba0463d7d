//! The real kubectl's and kube-rs's log reading against the sandbox: plain, follow, sinceTime,
//! container selection, previous instances, a cut connection resumed without loss, and
//! kube-rs's list/watch.

use std::process::Stdio;
use std::time::Duration;

use devk::sandbox::Scenario;
use futures::{AsyncBufReadExt, StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams, WatchEvent, WatchParams};
use serde_json::Value;
use tokio::io::AsyncBufReadExt as _;

use crate::sandbox_kubectl::{assert_consecutive, kubectl, sandbox, seqs};

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_logs_prints_generated_lines() {
    let Some(k) = kubectl("kubectl_logs_prints_generated_lines") else {
        return;
    };
    let env = sandbox().await;
    let pod = env.pod_named(&k, "default", "web").await;
    let out = env.ok(&k, &["logs", &pod, "--tail=5"]).await;
    let s = seqs(&out);
    assert_eq!(s.len(), 5, "{out}");
    assert_consecutive(&s);
    // One minute at 20 lines per second of history.
    assert!(s[0] > 1000, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_logs_follow_streams_without_gaps() {
    let Some(k) = kubectl("kubectl_logs_follow_streams_without_gaps") else {
        return;
    };
    let env = sandbox().await;
    let pod = env.pod_named(&k, "default", "web").await;
    let mut child = env
        .kubectl(&k, &["logs", "-f", "--tail=3", &pod])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let mut text = String::new();
    let read = async {
        while let Ok(Some(line)) = lines.next_line().await {
            text.push_str(&line);
            text.push('\n');
            if text.lines().count() >= 30 {
                break;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), read)
        .await
        .unwrap();
    child.kill().await.unwrap();
    let s = seqs(&text);
    assert_eq!(s.len(), 30, "{text}");
    assert_consecutive(&s);
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_logs_since_time_starts_at_that_second() {
    let Some(k) = kubectl("kubectl_logs_since_time_starts_at_that_second") else {
        return;
    };
    let env = sandbox().await;
    let pod = env.pod_named(&k, "default", "web").await;
    let since = jiff::Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_secs(3))
        .unwrap();
    let since = since.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let out = env
        .ok(
            &k,
            &[
                "logs",
                &pod,
                "--timestamps",
                &format!("--since-time={since}"),
            ],
        )
        .await;
    let stamps: Vec<&str> = out.lines().map(|l| l.split(' ').next().unwrap()).collect();
    assert!(stamps.len() >= 40, "{out}");
    let since_ts: jiff::Timestamp = since.parse().unwrap();
    // RFC3339 with exactly nine fractional digits, as the kubelet writes them.
    for s in &stamps {
        assert_eq!(s.len(), 30, "{s}");
        assert!(
            s.parse::<jiff::Timestamp>().unwrap() >= since_ts,
            "{s} is before {since}"
        );
    }
    assert!(
        stamps[0].starts_with(&since[..19]),
        "first line should be in the second asked for: {}",
        stamps[0]
    );
    assert_consecutive(&seqs(&out));
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_logs_container_flag_picks_the_container() {
    let Some(k) = kubectl("kubectl_logs_container_flag_picks_the_container") else {
        return;
    };
    let env = sandbox().await;
    let side = env
        .ok(&k, &["logs", "multi", "-c", "sidecar", "--tail=2"])
        .await;
    assert!(side.lines().all(|l| l.contains("sidecar says")), "{side}");
    let app = env
        .ok(&k, &["logs", "multi", "-c", "app", "--tail=2"])
        .await;
    for line in app.lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["logger"], "app");
        assert!(v["seq"].is_u64());
    }
    let init = env.ok(&k, &["logs", "multi", "-c", "init"]).await;
    assert_eq!(init.lines().count(), 3, "{init}");
    // Without -c the API server refuses; kubectl picks the first container itself.
    let client = env.client().await;
    let pods: Api<Pod> = Api::namespaced(client, "default");
    let err = pods.logs("multi", &LogParams::default()).await.unwrap_err();
    let kube::Error::Api(status) = err else {
        panic!("{err:?}")
    };
    assert_eq!(status.code, 400);
    assert_eq!(
        status.message,
        "a container name must be specified for pod multi, choose one of: [init app sidecar]"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_logs_previous_shows_the_instance_before_a_restart() {
    let Some(k) = kubectl("kubectl_logs_previous_shows_the_instance_before_a_restart") else {
        return;
    };
    let env = sandbox().await;
    let none = env.run(&k, &["logs", "flaky", "--previous"]).await;
    assert!(!none.ok);
    assert!(
        none.stderr
            .contains("previous terminated container \"app\" in pod \"flaky\" not found"),
        "{}",
        none.stderr
    );
    assert!(env.handle.restart_container("default", "flaky", "app"));
    let prev = env.ok(&k, &["logs", "flaky", "--previous"]).await;
    assert!(
        prev.lines().last().unwrap().contains("exiting with code 2"),
        "{prev}"
    );
    assert!(
        seqs(&prev).len() >= 50,
        "about nine seconds at 10/s: {prev}"
    );
    let cur = env.ok(&k, &["logs", "flaky"]).await;
    assert!(
        cur.lines()
            .next()
            .unwrap()
            .contains("starting app (instance 1)"),
        "{cur}"
    );
    let out = env.ok(&k, &["get", "pod", "flaky", "-o", "jsonpath={.status.containerStatuses[0].restartCount} {.status.containerStatuses[0].lastState.terminated.exitCode}"]).await;
    assert_eq!(out, "1 2");
}

#[tokio::test(flavor = "multi_thread")]
async fn cut_connection_then_resume_with_since_time_loses_nothing() {
    let env = sandbox().await;
    let pods: Api<Pod> = Api::namespaced(env.client().await, "default");
    let name = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap()
        .items[0]
        .metadata
        .name
        .clone()
        .unwrap();
    let lp = LogParams {
        follow: true,
        tail_lines: Some(1),
        timestamps: true,
        ..LogParams::default()
    };
    let mut lines = pods.log_stream(&name, &lp).await.unwrap().lines();
    let mut seen: Vec<String> = Vec::new();
    while seen.len() < 10 {
        seen.push(
            tokio::time::timeout(Duration::from_secs(10), lines.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap(),
        );
    }
    env.handle.cut_connections();
    // The stream ends with an error (no clean end of the chunked body), like a dropped link.
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match lines.next().await {
                Some(Ok(l)) => seen.push(l),
                other => return other,
            }
        }
    })
    .await
    .unwrap();
    assert!(matches!(end, Some(Err(_))), "{end:?}");
    // Resume from the last timestamp seen, dropping repeats. kube-rs rounds sinceTime to the
    // *nearest* second, which would skip up to half a second of lines: floor it first.
    let last = seen.last().unwrap().split(' ').next().unwrap().to_string();
    let last: jiff::Timestamp = last.parse().unwrap();
    let since = jiff::Timestamp::from_second(last.as_second()).unwrap();
    let lp = LogParams {
        follow: true,
        since_time: Some(since),
        timestamps: true,
        ..LogParams::default()
    };
    let mut lines = pods.log_stream(&name, &lp).await.unwrap().lines();
    let last_seq = *seqs(&seen.join("\n")).last().unwrap();
    let mut all = seqs(&seen.join("\n"));
    let before = all.len();
    while all.len() < before + 30 {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next())
            .await
            .unwrap();
        all.extend(
            seqs(&line.unwrap().unwrap())
                .into_iter()
                .filter(|s| *s > last_seq),
        );
    }
    assert_consecutive(&all);
}

#[tokio::test(flavor = "multi_thread")]
async fn kube_rs_lists_watches_and_streams_logs() {
    let env = sandbox().await;
    let pods: Api<Pod> = Api::namespaced(env.client().await, "default");
    let list = pods
        .list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    assert_eq!(list.items.len(), 2);
    let rv = list.metadata.resource_version.clone().unwrap();

    let mut watch = pods
        .watch(&WatchParams::default().timeout(20), &rv)
        .await
        .unwrap()
        .boxed();
    let fragment =
        "[[workload]]\nname = \"late\"\nkind = \"Pod\"\n[[workload.container]]\nname = \"c\"\n";
    let added = env
        .handle
        .apply(&Scenario::from_toml_str(fragment, "test").unwrap())
        .unwrap();
    assert_eq!(added, ["default/late"]);
    let mut phases = Vec::new();
    while let Some(ev) = tokio::time::timeout(Duration::from_secs(10), watch.try_next())
        .await
        .unwrap()
        .unwrap()
    {
        if let WatchEvent::Added(p) | WatchEvent::Modified(p) = ev
            && p.metadata.name.as_deref() == Some("late")
        {
            let phase = p.status.and_then(|s| s.phase).unwrap_or_default();
            phases.push(phase.clone());
            if phase == "Running" {
                break;
            }
        }
    }
    assert_eq!(phases, ["Pending", "Running"]);

    let name = list.items[0].metadata.name.clone().unwrap();
    let lp = LogParams {
        follow: true,
        tail_lines: Some(2),
        ..LogParams::default()
    };
    let mut lines = pods.log_stream(&name, &lp).await.unwrap().lines();
    let mut got = Vec::new();
    while got.len() < 15 {
        let line = tokio::time::timeout(Duration::from_secs(10), lines.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        got.push(line);
    }
    assert_consecutive(&seqs(&got.join("\n")));

    let lp = LogParams {
        limit_bytes: Some(100),
        ..LogParams::default()
    };
    assert_eq!(pods.logs(&name, &lp).await.unwrap().len(), 100);

    // A streaming list: the current pods as ADDED, then the initial-events-end bookmark.
    let wp = WatchParams::streaming_lists().labels("app=web").timeout(10);
    let mut stream = pods.watch(&wp, "0").await.unwrap().boxed();
    let mut added = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.try_next())
            .await
            .unwrap()
            .unwrap()
        {
            Some(WatchEvent::Added(_)) => added += 1,
            Some(WatchEvent::Bookmark(b)) => {
                assert_eq!(
                    b.metadata
                        .annotations
                        .get("k8s.io/initial-events-end")
                        .map(String::as_str),
                    Some("true")
                );
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(added, 2);
    env.handle.shutdown().await;
}
