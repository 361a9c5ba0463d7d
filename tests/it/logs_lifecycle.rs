//! `devk logs` on containers that stop (crash loops, finished jobs, completed init
//! containers) and on servers that fail: counted in the requests the sandbox receives, so a
//! stream that polls in a loop shows up as a number, not a timing. Also lines that are not
//! UTF-8 or too long, previous instances, namespaces that do not exist, and a server without
//! apps/v1.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::logs_sandbox::{Env, Follow, sandbox_from, seqs, sleep};
use crate::support::{devk, require_tool};

async fn sandbox() -> Env {
    sandbox_from("logs_lifecycle.toml").await
}

/// How many log requests the sandbox has received for pods whose names start with `pod`.
fn log_requests(env: &Env, pod: &str) -> usize {
    let path = format!("/pods/{pod}");
    env.handle
        .request_log()
        .iter()
        .filter(|l| l.contains(&path) && l.contains("/log?"))
        .count()
}

fn devk_logs(env: &Env, args: &[&str]) -> Command {
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig)
        .arg("logs")
        .args(args);
    cmd
}

/// Runs `cmd` for at most 20 s (a command that loops is killed, and fails the test through
/// its missing exit code); returns the exit code, stdout as bytes and stderr.
fn run_bounded(mut cmd: Command) -> (Option<i32>, Vec<u8>, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut code = None;
    for _ in 0..200 {
        if let Some(status) = child.try_wait().unwrap() {
            code = status.code();
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    if code.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    (code, out.join().unwrap(), err.join().unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_crash_looping_container_is_waited_for_not_polled() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["crashy", "-o", "raw"]);
    // Three exits take about 10 s (1 s runs, 3 s back-offs).
    f.wait_for(|_, err| err.matches("waiting for restart").count() >= 3)
        .await;
    let (out, err) = f.stop();
    let exits = err.matches("waiting for restart").count();
    assert!(exits >= 2, "stdout:\n{out}\nstderr:\n{err}");
    assert!(
        err.contains("container exited (code 1, Error) at "),
        "{err}"
    );
    assert!(err.contains("container restarted (restart "), "{err}");
    assert!(
        !err.contains("reconnected"),
        "an exit is not a disconnect: {err}"
    );
    // Each instance is read by one request; the back-offs in between ask nothing.
    let instances = out.matches("starting main (instance ").count();
    let requests = log_requests(&env, "crashy");
    assert!(
        requests <= instances + 1,
        "{requests} log requests for {instances} instances\n{err}"
    );
    // Every instance's lines, in order, none twice: each instance counts from 0.
    let s = seqs(&out);
    assert_eq!(
        s.windows(2).filter(|w| w[1] != w[0] + 1).count() + 1,
        instances
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_completed_pod_is_read_once_and_ends_with_a_marker() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["done", "-o", "raw"]);
    f.wait_for(|_, err| err.contains("end of its log")).await;
    // Long enough for a stream that reconnects in a loop to show it.
    sleep(3000).await;
    let (out, err) = f.stop();
    assert_eq!(seqs(&out), (0..20).collect::<Vec<_>>(), "{out}");
    assert!(
        err.contains("done-") && err.contains("container completed (code 0, Completed) at "),
        "{err}"
    );
    assert!(err.contains("(pod Succeeded); end of its log"), "{err}");
    assert_eq!(err.lines().count(), 1, "one marker: {err}");
    assert_eq!(log_requests(&env, "done-"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_completed_init_container_ends_its_stream_once() {
    let env = sandbox().await;
    let f = Follow::start(&env, &["initdone", "--init-containers"]);
    f.wait_for(|out, err| {
        err.contains("init container completed") && out.contains("initdone main")
    })
    .await;
    sleep(3000).await;
    let (out, err) = f.stop();
    assert!(
        out.contains("initdone setup ") && out.contains("setting up"),
        "{out}"
    );
    assert!(
        err.contains("initdone/setup: init container completed (code 0, Completed) at "),
        "{err}"
    );
    let setup = env
        .handle
        .request_log()
        .iter()
        .filter(|l| l.contains("/pods/initdone/log") && l.contains("container=setup"))
        .count();
    assert_eq!(setup, 1, "{:#?}", env.handle.request_log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_container_keeps_one_connection() {
    let env = sandbox().await;
    // Three seconds of new lines (five a second) on one connection.
    let f = Follow::start(&env, &["steady", "-o", "raw", "--tail", "1"]);
    f.wait_for(|out, _| seqs(out).len() >= 15).await;
    let (out, err) = f.stop();
    assert!(seqs(&out).len() >= 15, "{out}\n{err}");
    assert_eq!(log_requests(&env, "steady"), 1, "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_are_retried_with_a_growing_back_off() {
    let env = sandbox().await;
    // 500, not 503: kube's client retries 429/503/504 itself (from 5 ms, doubling) before
    // devk sees the error, which would blur the count of devk's own retries.
    env.handle.fail_pod_logs(Some(500));
    let f = Follow::start(&env, &["steady", "-o", "raw"]);
    // Six seconds of 500s. The back-off waits at least 0.125, 0.25, 0.5, 1, 2, 4 s: at most
    // six retries fit, however the jitter falls (a loop would make hundreds).
    sleep(6000).await;
    let failing = log_requests(&env, "steady");
    env.handle.fail_pod_logs(None);
    f.wait_for(|out, _| !seqs(out).is_empty()).await;
    let (out, err) = f.stop();
    assert!(
        (2..=7).contains(&failing),
        "{failing} requests in 6 s of 503s"
    );
    assert!(
        !seqs(&out).is_empty(),
        "streams again once the server recovers: {err}"
    );
    assert!(err.contains("reconnected after"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn lines_that_are_not_utf8_are_printed_as_bytes_like_kubectl() {
    let Some(kubectl) = require_tool(
        "kubectl",
        "lines_that_are_not_utf8_are_printed_as_bytes_like_kubectl",
    ) else {
        return;
    };
    let env = sandbox().await;
    let (code, devk_out, err) =
        run_bounded(devk_logs(&env, &["pod/latin", "--no-follow", "-o", "raw"]));
    assert_eq!(code, Some(0), "{err}");
    let k = Command::new(&kubectl)
        .args(["logs", "latin"])
        .env("KUBECONFIG", &env.kubeconfig)
        .output()
        .unwrap();
    assert!(k.status.success());
    assert!(
        devk_out.windows(4).any(|w| w == b"caf\xe9"),
        "the container's own bytes"
    );
    // The pod logs on while the two commands run: compare what both saw.
    let lines =
        |b: &[u8]| -> Vec<Vec<u8>> { b.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect() };
    let (d, k) = (lines(&devk_out), lines(&k.stdout));
    let common = d.len().min(k.len()).saturating_sub(2);
    assert!(common > 10, "{common} lines");
    assert_eq!(
        d[..common],
        k[..common],
        "devk -o raw prints kubectl's bytes"
    );
    // Read once: a line that is not UTF-8 is not an error to reconnect after.
    assert_eq!(
        log_requests(&env, "latin"),
        2,
        "one request from devk, one from kubectl"
    );
    // The text format shows the line lossily to a reader, with the prefix.
    let (_, text, _) = run_bounded(devk_logs(&env, &["latin", "--no-follow", "--tail", "1"]));
    assert!(
        text.starts_with(b"latin main "),
        "{:?}",
        String::from_utf8_lossy(&text)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_line_longer_than_the_cap_is_cut_and_marked() {
    let env = sandbox().await;
    let mut cmd = devk(env.dir.path());
    cmd.env("KUBECONFIG", &env.kubeconfig).args([
        "--set",
        "logs.max_line_kib=1",
        "logs",
        "long",
        "--no-follow",
        "-o",
        "raw",
    ]);
    let (code, out, err) = run_bounded(cmd);
    assert_eq!(code, Some(0), "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(out.lines().count() >= 5, "{out}");
    for line in out.lines() {
        let (kept, note) = line.split_once(" [devk: ").expect("every line is cut");
        assert_eq!(kept.len(), 1024, "{line}");
        // 5000 bytes per line: the rest is counted.
        assert_eq!(note, "3976 more bytes cut (logs.max_line_kib)]", "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn previous_shows_the_last_instance_like_kubectl_p() {
    let Some(kubectl) = require_tool("kubectl", "previous_shows_the_last_instance_like_kubectl_p")
    else {
        return;
    };
    let env = sandbox().await;
    // Nothing restarted yet: nothing to show, said so.
    let (code, _, err) = run_bounded(devk_logs(&env, &["again", "-p"]));
    assert_eq!(code, Some(5), "{err}");
    assert!(err.contains("no matching container has restarted"), "{err}");
    assert!(env.handle.restart_container("default", "again", "main"));
    let (code, devk_out, err) = run_bounded(devk_logs(&env, &["pod/again", "-p", "-o", "raw"]));
    assert_eq!(code, Some(0), "{err}");
    let k = Command::new(&kubectl)
        .args(["logs", "again", "-p"])
        .env("KUBECONFIG", &env.kubeconfig)
        .output()
        .unwrap();
    assert!(k.status.success(), "{}", String::from_utf8_lossy(&k.stderr));
    assert_eq!(
        String::from_utf8_lossy(&devk_out),
        String::from_utf8_lossy(&k.stdout),
        "devk logs -p prints what kubectl logs -p prints"
    );
    let out = String::from_utf8_lossy(&devk_out);
    assert!(out.contains("starting main (instance 0)"), "{out}");
    assert!(!out.contains("instance 1"), "{out}");
    assert!(
        seqs(&out).len() > 40,
        "ten seconds of the first instance: {out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn all_namespaces_prefixes_carry_the_namespace() {
    let env = sandbox().await;
    let (code, out, err) = run_bounded(devk_logs(
        &env,
        &["-A", "steady", "--no-follow", "--tail", "2"],
    ));
    assert_eq!(code, Some(0), "{err}");
    let out = String::from_utf8(out).unwrap();
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        out.lines().all(|l| l.starts_with("default steady main ")),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_namespace_that_does_not_exist_is_an_error() {
    let env = sandbox().await;
    for args in [&["-n", "nope"][..], &["-n", "nope", "--no-follow"][..]] {
        let (code, out, err) = run_bounded(devk_logs(&env, args));
        assert_eq!(code, Some(5), "{args:?}: {err}");
        assert!(out.is_empty());
        assert!(
            err.contains("namespace `nope` does not exist in the cluster of context `demo`"),
            "{err}"
        );
    }
    let (code, _, err) = run_bounded(devk_logs(&env, &["-n", "defautl"]));
    assert_eq!(code, Some(5), "{err}");
    assert!(err.contains("did you mean `default`?"), "{err}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_workload_on_a_server_without_apps_v1_is_a_one_line_error() {
    let env = sandbox().await;
    let (code, out, err) = run_bounded(devk_logs(&env, &["deploy/web"]));
    assert_eq!(code, Some(5), "{err}");
    assert!(out.is_empty());
    assert_eq!(
        err.trim_end(),
        "devk: the cluster of context `demo` does not serve apps/v1 (deployments), so deployment/web cannot be resolved; name the pods instead (a pod name regex or -l LABELS)"
    );
    let (code, _, err) = run_bounded(devk_logs(&env, &["-A", "deploy/web"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("pass exactly one -n NAMESPACE"), "{err}");
    // kubectl sees the same server: no apps group in discovery.
    if let Some(kubectl) = require_tool(
        "kubectl",
        "a_workload_on_a_server_without_apps_v1_is_a_one_line_error",
    ) {
        let k = Command::new(&kubectl)
            .args(["get", "deployments"])
            .env("KUBECONFIG", &env.kubeconfig)
            .output()
            .unwrap();
        assert!(!k.status.success());
        assert!(
            String::from_utf8_lossy(&k.stderr)
                .contains("the server doesn't have a resource type \"deployments\""),
            "{}",
            String::from_utf8_lossy(&k.stderr)
        );
    }
}
