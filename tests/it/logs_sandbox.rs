//! `devk logs` against the sandbox cluster: reconnects lose and repeat nothing, pods that join,
//! go away or restart are handled, multi-container selection, the stream cap, and the output
//! matches `kubectl logs` for the same pod.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use devk::sandbox::{SandboxHandle, SandboxOptions, Scenario, start};

use crate::support::{devk, require_tool};

pub(crate) struct Env {
    pub(crate) handle: SandboxHandle,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) kubeconfig: PathBuf,
}

async fn sandbox() -> Env {
    sandbox_from("logs.toml").await
}

/// A sandbox running `tests/fixtures/sandbox/FIXTURE`, and a kubeconfig for it.
pub(crate) async fn sandbox_from(fixture: &str) -> Env {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sandbox")
        .join(fixture);
    let scenario = Scenario::load(&path).unwrap();
    let handle = start(SandboxOptions {
        scenario,
        addr: "127.0.0.1:0".parse().unwrap(),
        token: "logs-token".into(),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig, handle.kubeconfig_yaml()).unwrap();
    Env {
        handle,
        dir,
        kubeconfig,
    }
}

/// A running `devk logs` whose stdout and stderr are collected in the background.
pub(crate) struct Follow {
    child: Child,
    out: Arc<Mutex<String>>,
    err: Arc<Mutex<String>>,
}

impl Follow {
    pub(crate) fn start(env: &Env, args: &[&str]) -> Follow {
        Follow::start_with(env, &[], args)
    }

    /// With global flags (`--set ...`) before the `logs` command.
    pub(crate) fn start_with(env: &Env, global: &[&str], args: &[&str]) -> Follow {
        let mut cmd = devk(env.dir.path());
        cmd.env("KUBECONFIG", &env.kubeconfig)
            .args(global)
            .arg("logs")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let out = Arc::new(Mutex::new(String::new()));
        let err = Arc::new(Mutex::new(String::new()));
        for (pipe, sink) in [
            (
                Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
                out.clone(),
            ),
            (Box::new(child.stderr.take().unwrap()), err.clone()),
        ] {
            std::thread::spawn(move || {
                for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                    let mut s = sink.lock().unwrap();
                    s.push_str(&line);
                    s.push('\n');
                }
            });
        }
        Follow { child, out, err }
    }

    /// Waits (15 s at most) until the output so far satisfies `pred`: the machine running the
    /// tests may be slow, and a fixed sleep would make the test flaky.
    pub(crate) async fn wait_for(&self, pred: impl Fn(&str, &str) -> bool) {
        for _ in 0..150 {
            let done = pred(&self.out.lock().unwrap(), &self.err.lock().unwrap());
            if done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub(crate) fn stop(mut self) -> (String, String) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        std::thread::sleep(Duration::from_millis(100));
        let out = self.out.lock().unwrap().clone();
        let err = self.err.lock().unwrap().clone();
        (out, err)
    }
}

pub(crate) fn seqs(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| {
            l.rsplit_once("seq=")
                .and_then(|(_, n)| n.trim().parse().ok())
        })
        .collect()
}

fn assert_consecutive(seqs: &[u64]) {
    assert!(seqs.len() > 10, "too few lines: {}", seqs.len());
    for w in seqs.windows(2) {
        assert_eq!(
            w[1],
            w[0] + 1,
            "gap or duplicate around {} ({} lines)",
            w[0],
            seqs.len()
        );
    }
}

pub(crate) async fn sleep(ms: u64) {
    tokio::time::sleep(Duration::from_millis(ms)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn cut_connections_lose_and_duplicate_nothing() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["seq", "-o", "raw"]);
    for _ in 0..3 {
        sleep(700).await;
        env.handle.cut_connections();
    }
    sleep(1200).await;
    let (out, err) = f.stop();
    let s = seqs(&out);
    assert_consecutive(&s);
    assert_eq!(s[0], 0, "from the container's first line");
    assert!(
        err.contains("reconnected after"),
        "a visible marker where the stream reconnected: {err}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn new_pods_joining_the_selector_are_followed() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["-l", "app=seq", "--tail", "1"]);
    f.wait_for(|out, _| {
        out.lines()
            .any(|l| l.starts_with("late main ") && l.ends_with("late pod says hi"))
    })
    .await;
    let (out, _) = f.stop();
    assert!(
        out.lines()
            .any(|l| l.starts_with("late main ") && l.ends_with("late pod says hi")),
        "{out}"
    );
    assert!(out.lines().any(|l| l.starts_with("seq main ")), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_deleted_pod_ends_with_a_marker() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["doomed"]);
    // Deleted 2 s after it appears, then a moment Terminating, as a real pod.
    f.wait_for(|_, err| err.contains("pod deleted")).await;
    let (out, err) = f.stop();
    assert!(
        out.contains("doomed pod line"),
        "stdout: {out}\nstderr: {err}"
    );
    assert!(err.contains("doomed/main: pod deleted"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_restarted_container_is_followed_into_its_new_instance() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["restarter", "-o", "raw"]);
    f.wait_for(|_, err| err.contains("container restarted"))
        .await;
    sleep(500).await;
    let (out, err) = f.stop();
    assert!(err.contains("container restarted"), "{err}");
    // Each instance numbers its lines from 0: the second run of zeros is the new instance.
    let s = seqs(&out);
    let restarts = s.windows(2).filter(|w| w[1] < w[0]).count();
    assert_eq!(restarts, 1, "{s:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn containers_are_selected_by_regex() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["two", "-c", "sid", "--tail", "3"]);
    f.wait_for(|out, _| out.lines().count() >= 5).await;
    let (out, _) = f.stop();
    assert!(
        out.lines().all(|l| l.starts_with("two side "))
            && out.contains("from side")
            && !out.contains("from app"),
        "{out}"
    );
    let f = Follow::start(&env, &["two", "-E", "side", "--tail", "3"]);
    f.wait_for(|out, _| out.lines().count() >= 5).await;
    let (out, _) = f.stop();
    assert!(
        out.lines().all(|l| l.starts_with("two app "))
            && out.contains("from app")
            && !out.contains("from side"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_stream_cap_refuses_a_query_that_is_too_wide() {
    let env = sandbox().await;
    // Let every pod of the scenario start its containers.
    sleep(1500).await;
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig)
        .args(["logs", "--no-follow", "--max-streams", "2"]);
    let r = crate::support::run(&mut cmd);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("more than the cap of 2 streams"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn no_follow_output_matches_kubectl_logs() {
    let Some(kubectl) = require_tool("kubectl", "no_follow_output_matches_kubectl_logs") else {
        return;
    };
    let env = sandbox().await;
    let pod = {
        let out = Command::new(&kubectl)
            .args(["get", "pods", "-o", "name"])
            .env("KUBECONFIG", &env.kubeconfig)
            .output()
            .unwrap();
        let names = String::from_utf8_lossy(&out.stdout).into_owned();
        names
            .lines()
            .find(|l| l.contains("finite"))
            .unwrap()
            .trim_start_matches("pod/")
            .to_string()
    };
    let k = Command::new(&kubectl)
        .args(["logs", &pod])
        .env("KUBECONFIG", &env.kubeconfig)
        .output()
        .unwrap();
    assert!(k.status.success(), "{}", String::from_utf8_lossy(&k.stderr));
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig).args([
        "logs",
        &format!("pod/{pod}"),
        "--no-follow",
        "-o",
        "raw",
    ]);
    let d = crate::support::run(&mut cmd);
    assert_eq!(d.code, 0, "{d:?}");
    let k = String::from_utf8_lossy(&k.stdout);
    assert_eq!(k.lines().count(), 300);
    assert_eq!(
        d.stdout, k,
        "devk -o raw prints exactly what kubectl logs prints"
    );
    // The default text format adds the pod and container in front, nothing else.
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig)
        .args(["logs", &pod, "--no-follow"]);
    let t = crate::support::run(&mut cmd);
    let stripped: String = t
        .stdout
        .lines()
        .map(|l| format!("{}\n", l.strip_prefix(&format!("{pod} main ")).unwrap()))
        .collect();
    assert_eq!(stripped, k);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_stream_is_re_armed_without_repeating_lines() {
    let env = sandbox().await;
    let f = Follow::start_with(
        &env,
        &["--set", "logs.silence_seconds=1"],
        &["slow", "-o", "raw"],
    );
    // Lines come every 2 s, the stream is re-armed every second in between.
    f.wait_for(|out, _| seqs(out).len() >= 8).await;
    let (out, err) = f.stop();
    let s = seqs(&out);
    assert!(s.len() >= 8, "{out}\n{err}");
    for w in s.windows(2) {
        assert_eq!(w[1], w[0] + 1, "gap or duplicate: {s:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_deleted_and_created_again_is_followed_again() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["phoenix"]);
    f.wait_for(|out, _| out.contains("first life")).await;
    assert!(env.handle.delete_pod("default", "phoenix"));
    f.wait_for(|_, err| err.contains("phoenix/main: pod deleted"))
        .await;
    let again = Scenario::from_toml_str(
        "[[workload]]\nname = \"phoenix\"\nkind = \"Pod\"\n  [[workload.container]]\n  name = \"main\"\n  [workload.container.logs]\n  rate = 10\n  messages = [\"second life\"]\n",
        "test",
    )
    .unwrap();
    // The old pod may still be terminating: try until the name is free again.
    for _ in 0..100 {
        if env.handle.apply(&again).is_ok() {
            break;
        }
        sleep(100).await;
    }
    f.wait_for(|out, _| out.contains("second life")).await;
    let (out, err) = f.stop();
    assert!(err.contains("pod deleted"), "{err}");
    let first = out.find("first life").unwrap();
    let second = out
        .find("second life")
        .expect("the recreated pod is followed");
    assert!(first < second);
}
