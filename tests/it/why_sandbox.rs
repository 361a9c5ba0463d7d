//! `devk why` against the sandbox: the diagnosis of pods that do not run, each from a
//! scenario workload that causes it, with the documented exit codes.

use crate::sandbox_kubectl::sandbox_with;
use crate::support::{devk, run};

async fn why(env: &crate::sandbox_kubectl::Env, args: &[&str]) -> crate::support::Run {
    // Pods need a moment to reach their failing state (pull back-off, first OOM kill).
    let mut last = None;
    for _ in 0..50 {
        let mut cmd = devk(env.dir.path());
        cmd.env("KUBECONFIG", &env.kubeconfig).arg("why").args(args);
        let r = run(&mut cmd);
        if r.code != 1 || !r.stdout.contains("being created") {
            return r;
        }
        last = Some(r);
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    last.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn why_explains_each_failing_workload_and_exits_by_the_table() {
    let env = sandbox_with("workloads.toml").await;
    for (target, cause, words) in [
        // The namespace has a secret for the registry, but the default service account does
        // not list it.
        (
            "deploy/ecr-missing",
            "pull-secret-not-listed",
            "its service account default lists it: run `devk creds refresh -n broken --service-account default`",
        ),
        (
            "deploy/ecr-expired",
            "pull-secret-expired",
            "the pull secret ecr-old",
        ),
        (
            "deploy/never-pushed",
            "image-not-pushed",
            "tag 9.9.9 is not in registry.example.com",
        ),
        (
            "deploy/hungry",
            "unschedulable",
            "no node has enough free memory (it asks for 64Gi)",
        ),
        ("deploy/unready", "not-ready", "Readiness probe failed"),
    ] {
        let r = why(&env, &["-n", "broken", target, "-o", "json"]).await;
        assert_eq!(r.code, 1, "{target}: {r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v[0]["cause"], cause, "{target}: {v}");
        assert!(
            v[0]["summary"].as_str().unwrap().contains(words),
            "{target}: {v}"
        );
    }
    let mut oom = why(&env, &["-n", "broken", "deploy/oom"]).await;
    for _ in 0..50 {
        if oom.stdout.contains("OOMKilled") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        oom = why(&env, &["-n", "broken", "deploy/oom"]).await;
    }
    assert!(oom.stdout.contains("128Mi"), "{oom:?}");
    let ok = why(&env, &["-n", "apps", "deploy/web"]).await;
    assert_eq!(ok.code, 0, "{ok:?}");
    assert!(ok.stdout.contains("is running and ready"), "{ok:?}");
    let missing = why(&env, &["-n", "apps", "no-such-pod"]).await;
    assert_eq!(missing.code, 5, "{missing:?}");
    let missing = why(&env, &["-n", "apps", "deploy/no-such"]).await;
    assert_eq!(missing.code, 5, "{missing:?}");
}
