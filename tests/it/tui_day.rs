//! A scripted day (issue 13): the real binary in tmux, at 80x24 and at 120x40, on a team's
//! cluster (the sandbox): EKS-named contexts, 400 namespaces, and in `payments` 300 pods with
//! generated names of about 60 characters, one of them crash-looping and one a completed job.
//! Open, filter, paste, help and `q`, the protected dialog, the namespace dialog, the log view
//! of the crashing pod, Home, Esc, and quitting with exit status 0.

use std::path::Path;
use std::time::Duration;

use devk::sandbox::{SandboxHandle, SandboxOptions, Scenario, start};

use crate::support::{devk_bin, require_tool};
use crate::tui_e2e::Tmux;

const STAGING: &str = "arn:aws:eks:eu-west-1:123456789012:cluster/payments-staging";
const PROD: &str = "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod";

/// The five 50-replica Deployments and one of 48, plus a crash-looping pod and a job: 300.
const WORKLOADS: [(&str, u32); 6] = [
    ("payments-fraud-detection-scoring-worker-canary", 50),
    ("payments-fraud-detection-scoring-worker-stable", 50),
    ("payments-ledger-reconciliation-batch-processor", 50),
    ("payments-settlement-gateway-webhook-dispatcher", 50),
    ("payments-risk-engine-feature-store-materializer", 50),
    ("payments-customer-notification-email-renderer-v2", 48),
];

fn scenario() -> String {
    let mut s = String::from(
        "[sandbox]\nhistory_lines = 200\nnodes = [\"ip-10-0-1-17.eu-west-1.compute.internal\"]\n\
         node_cpu = \"400\"\nnode_memory = \"4000Gi\"\nstart_namespace = \"payments\"\n\n\
         [[namespace]]\nname = \"payments\"\n",
    );
    for i in 0..400 {
        s.push_str(&format!("\n[[namespace]]\nname = \"team-{i:03}\"\n"));
    }
    for (name, replicas) in WORKLOADS {
        s.push_str(&format!(
            "\n[[workload]]\nnamespace = \"payments\"\nname = \"{name}\"\nreplicas = {replicas}\nage = \"3h\"\n  \
             [[workload.container]]\n  name = \"app\"\n  image = \"registry.example.com/payments/app:1.0\"\n  \
             [workload.container.logs]\n  rate = 0\n"
        ));
    }
    // Crash-looping for 10 minutes (60 lines a run): waiting out a 5-minute back-off now, so
    // it waits (and devk with it) for the whole day.
    s.push_str(
        "\n[[workload]]\nnamespace = \"payments\"\nname = \"payments-fraud-model-loader\"\nkind = \"Pod\"\nage = \"10m\"\n  \
         [[workload.container]]\n  name = \"loader\"\n  image = \"registry.example.com/payments/loader:0.3\"\n  \
         crash_loop = { run_for = \"30s\", backoff = \"10s\", max_backoff = \"5m\", exit_code = 1 }\n  \
         [workload.container.logs]\n  rate = 2\n  sequence = true\n  messages = [\"loading model shard\"]\n\
         \n[[workload]]\nnamespace = \"payments\"\nname = \"payments-nightly-ledger-report\"\nkind = \"Job\"\nage = \"1h\"\n  \
         [[workload.container]]\n  name = \"report\"\n  image = \"registry.example.com/payments/report:2.0\"\n  \
         [workload.container.logs]\n  rate = 2\n  lines = 3\n  messages = [\"report row\"]\n",
    );
    s
}

/// A kubeconfig as `aws eks update-kubeconfig` writes them, both contexts on the sandbox.
fn kubeconfig(h: &SandboxHandle) -> String {
    let ca = devk::encoding::base64_encode(h.ca_pem().as_bytes());
    let url = h.https_url();
    let token = h.token();
    let mut clusters = String::new();
    let mut contexts = String::new();
    for name in [STAGING, PROD] {
        clusters.push_str(&format!(
            "- name: \"{name}\"\n  cluster:\n    server: {url}\n    certificate-authority-data: {ca}\n"
        ));
        contexts.push_str(&format!(
            "- name: \"{name}\"\n  context:\n    cluster: \"{name}\"\n    user: \"{name}\"\n    namespace: payments\n"
        ));
    }
    let users: String = [STAGING, PROD]
        .iter()
        .map(|name| format!("- name: \"{name}\"\n  user:\n    token: {token}\n"))
        .collect();
    format!(
        "apiVersion: v1\nkind: Config\nclusters:\n{clusters}users:\n{users}contexts:\n{contexts}current-context: \"{STAGING}\"\n"
    )
}

fn header(screen: &str) -> &str {
    screen.lines().next().unwrap_or("")
}

/// Markers in the log body (each starts a row with `── `; a long one wraps onto more rows).
fn markers(screen: &str) -> usize {
    screen
        .lines()
        .filter(|l| l.trim_start_matches(['│', '┃']).starts_with("── "))
        .count()
}

/// Tmux reads Escape and the next key as alt-key: a pause after each Escape.
fn escape(t: &Tmux) {
    t.keys(&["Escape"]);
    std::thread::sleep(Duration::from_millis(700));
}

fn day(tmux: &Path, kubeconfig: &Path, home: &Path, (w, h): (u16, u16)) {
    let cmd = format!(
        "env KUBECONFIG={} {}",
        kubeconfig.display(),
        devk_bin().display()
    );
    let t = Tmux::start_sized(tmux.to_path_buf(), home, &cmd, w, h);
    let size = format!("{w}x{h}");

    // Each check is one predicate over a whole screen: a capture can catch devk between two
    // rows of a redraw, so nothing is asserted on a screen read for something else.

    // Open: the cluster's name, namespace, class and connection in the header.
    t.wait_for("the header", |s| {
        let top = header(s);
        top.contains("connected")
            && top.contains("payments-staging")
            && top.contains("payments │")
            && top.contains("local")
            && !s.contains("arn:aws:eks:eu-west-1:12345 ")
    });

    // Filter to the production context; a paste on the main screen presses no keys (no
    // build for `b`, no quit for `q`); a paste into the filter is typed.
    t.keys(&["/"]);
    t.text("prod");
    t.keys(&["Enter"]);
    t.wait_for("the filter", |s| {
        s.contains("/prod") && s.contains("1 of 2")
    });
    t.paste("web-builder q");
    t.keys(&["?"]);
    t.wait_for("help", |s| s.contains("Keys (from [keys]"));
    // `q` on help closes help, and devk keeps running, on the Contexts tab, building nothing.
    t.keys(&["q"]);
    t.wait_for("help to close", |s| {
        !s.contains("Keys (from [keys]")
            && s.contains("/prod")
            && s.contains("┌ Contexts")
            && !s.contains("Building")
    });

    // The protected dialog fits and says what to type: the cluster's name.
    t.keys(&["Enter"]);
    t.wait_for("the protected dialog", |s| {
        s.contains("Switch to a PROTECTED context") && s.contains("Type payments-prod to switch")
    });
    t.paste("payments-pro");
    t.keys(&["Enter"]);
    t.wait_for("the mismatch, the input inside the box", |s| {
        s.contains("That is not payments-prod") && s.lines().any(|l| l.contains("┃> payments-pro▏"))
    });
    t.text("d");
    t.keys(&["Enter"]);
    t.wait_for("the switch", |s| {
        let top = header(s);
        top.contains("payments-prod")
            && top.contains("PROTECTED")
            && (top.contains("ns payments") || top.contains("namespace payments"))
    });
    escape(&t);

    // 400 namespaces in the namespace dialog, with the position.
    t.keys(&["n"]);
    t.wait_for("the namespace list", |s| s.contains("/405 "));
    escape(&t);

    // 300 pods with names cut in the middle; the completed job and the crash-looping pod.
    t.keys(&["2"]);
    t.wait_for("300 pods", |s| s.contains("/300 ") && s.contains("…"));
    t.keys(&["/"]);
    t.text("nightly");
    t.keys(&["Enter"]);
    t.wait_for("the completed job", |s| s.contains("Completed"));
    escape(&t);
    t.keys(&["/"]);
    t.text("model-loader");
    t.keys(&["Enter"]);
    t.wait_for("the crash-looping pod", |s| s.contains("CrashLoopBackOff"));

    // Its log view: its last lines, then one marker that it exited and waits for a restart.
    t.keys(&["Enter"]);
    t.wait_for(
        "the crash output, the last line right above the exit",
        |s| {
            let lines: Vec<&str> = s.lines().collect();
            lines
                .iter()
                .position(|l| l.contains("container exited (code 1"))
                .is_some_and(|at| at > 0 && lines[at - 1].contains("unrecoverable error"))
        },
    );
    // (Needs the logs helper's fix, on main: before it, 30 "reconnected" markers in 6 s.)
    std::thread::sleep(Duration::from_secs(3));
    let s = t.screen();
    assert!(markers(&s) <= 2, "{size}: at most a marker or two:\n{s}");

    // Home: a full first page (the oldest line on top, every row filled).
    t.keys(&["Home"]);
    t.wait_for("a full first page", |s| {
        let body: Vec<&str> = s.lines().skip(4).take(usize::from(h) - 6).collect();
        s.contains("‖ paused")
            && body.first().is_some_and(|l| l.contains(" seq=0"))
            && body.iter().all(|l| {
                !l.trim_matches(|c| c == '│' || c == '┃' || c == ' ')
                    .is_empty()
            })
    });

    // Esc leaves the log view, then clears the pod filter.
    escape(&t);
    t.wait_for("the pod list", |s| {
        s.contains("READY") && s.contains("/model-loader")
    });
    escape(&t);
    t.wait_for("every pod again", |s| s.contains("/300 "));

    // q on a main screen: devk exits with status 0.
    t.quit();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scripted_day_at_80x24_and_120x40() {
    let Some(tmux) = require_tool("tmux", "a_scripted_day_at_80x24_and_120x40") else {
        return;
    };
    let scenario = Scenario::from_toml_str(&scenario(), "scripted-day").unwrap();
    let handle = start(SandboxOptions {
        scenario,
        addr: "127.0.0.1:0".parse().unwrap(),
        token: "scripted-day-token".into(),
    })
    .await
    .unwrap();
    for size in [(80, 24), (120, 40)] {
        let home = tempfile::tempdir().unwrap();
        let kc = home.path().join("kubeconfig");
        std::fs::write(&kc, kubeconfig(&handle)).unwrap();
        // Blocking waits on this thread; the sandbox runs on the runtime's workers.
        let (tmux, kc2, home2) = (tmux.clone(), kc.clone(), home.path().to_path_buf());
        tokio::task::spawn_blocking(move || day(&tmux, &kc2, &home2, size))
            .await
            .unwrap();
    }
    handle.shutdown().await;
}
