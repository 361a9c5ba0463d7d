//! The sandbox API server against real clients: the real `kubectl` (skipped when it is not
//! installed, required under scripts/test) and kube-rs, which devk's own adapter uses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use devk::sandbox::{SandboxHandle, SandboxOptions, Scenario, start};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::{Api, PostParams, WatchEvent, WatchParams};
use serde_json::Value;

use crate::support;

const TOKEN: &str = "sandbox-test-token";

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sandbox")
        .join(name)
}

pub(crate) struct Env {
    pub(crate) handle: SandboxHandle,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) kubeconfig: PathBuf,
}

pub(crate) async fn sandbox() -> Env {
    sandbox_with("basic.toml").await
}

/// A sandbox running the scenario `tests/fixtures/sandbox/NAME`.
pub(crate) async fn sandbox_with(name: &str) -> Env {
    let scenario = Scenario::load(&fixture(name)).unwrap();
    let handle = start(SandboxOptions {
        scenario,
        addr: "127.0.0.1:0".parse().unwrap(),
        token: TOKEN.into(),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    devk::fsutil::atomic_write(
        &kubeconfig,
        handle.kubeconfig_yaml().as_bytes(),
        devk::fsutil::PRIVATE_MODE,
    )
    .unwrap();
    Env {
        handle,
        dir,
        kubeconfig,
    }
}

pub(crate) struct Output {
    pub(crate) ok: bool,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Env {
    pub(crate) fn kubectl(&self, kubectl: &Path, args: &[&str]) -> tokio::process::Command {
        let mut cmd = std::process::Command::new(kubectl);
        support::isolate(&mut cmd, self.dir.path());
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args);
        let mut cmd = tokio::process::Command::from(cmd);
        cmd.kill_on_drop(true);
        cmd
    }

    pub(crate) async fn run(&self, kubectl: &Path, args: &[&str]) -> Output {
        let out = tokio::time::timeout(
            Duration::from_secs(60),
            self.kubectl(kubectl, args).output(),
        )
        .await
        .unwrap_or_else(|_| panic!("kubectl {args:?} timed out"))
        .unwrap();
        Output {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    pub(crate) async fn ok(&self, kubectl: &Path, args: &[&str]) -> String {
        let out = self.run(kubectl, args).await;
        assert!(
            out.ok,
            "kubectl {args:?} failed:\n{}\nrequests:\n{}",
            out.stderr,
            self.handle.request_log().join("\n")
        );
        out.stdout
    }

    pub(crate) async fn pod_named(&self, kubectl: &Path, ns: &str, app: &str) -> String {
        let out = self
            .ok(
                kubectl,
                &[
                    "get",
                    "pods",
                    "-n",
                    ns,
                    "-l",
                    &format!("app={app}"),
                    "-o",
                    "name",
                ],
            )
            .await;
        out.lines()
            .next()
            .unwrap_or_default()
            .trim_start_matches("pod/")
            .to_string()
    }

    pub(crate) async fn client(&self) -> kube::Client {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let kc = kube::config::Kubeconfig::from_yaml(&self.handle.kubeconfig_yaml()).unwrap();
        let cfg =
            kube::Config::from_custom_kubeconfig(kc, &kube::config::KubeConfigOptions::default())
                .await
                .unwrap();
        kube::Client::try_from(cfg).unwrap()
    }
}

pub(crate) fn kubectl(test: &str) -> Option<PathBuf> {
    support::require_tool("kubectl", test)
}

/// The `seq=N` numbers of text log lines.
pub(crate) fn seqs(text: &str) -> Vec<u64> {
    text.lines()
        .filter_map(|l| {
            l.rsplit_once(" seq=")
                .and_then(|(_, n)| n.trim().parse().ok())
        })
        .collect()
}

pub(crate) fn assert_consecutive(seqs: &[u64]) {
    assert!(!seqs.is_empty());
    for w in seqs.windows(2) {
        assert_eq!(w[1], w[0] + 1, "gap or duplicate in {seqs:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_get_namespaces_lists_builtin_and_scenario_namespaces() {
    let Some(k) = kubectl("kubectl_get_namespaces_lists_builtin_and_scenario_namespaces") else {
        return;
    };
    let env = sandbox().await;
    let out = env.ok(&k, &["get", "ns"]).await;
    for ns in ["default", "kube-system", "kube-public", "team"] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(ns) && l.contains("Active")),
            "{ns} missing:\n{out}"
        );
    }
    let out = env.ok(&k, &["create", "namespace", "extra"]).await;
    assert_eq!(out.trim(), "namespace/extra created");
    // Like a real cluster, a new namespace gets its `default` service account.
    let out = env
        .ok(&k, &["get", "serviceaccounts", "-n", "extra", "-o", "name"])
        .await;
    assert_eq!(out.trim(), "serviceaccount/default");
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_get_pods_json_has_realistic_objects() {
    let Some(k) = kubectl("kubectl_get_pods_json_has_realistic_objects") else {
        return;
    };
    let env = sandbox().await;
    let out = env.ok(&k, &["get", "pods", "-A", "-o", "json"]).await;
    let list: Value = serde_json::from_str(&out).unwrap();
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 6, "{out}");
    let web: Vec<&Value> = items
        .iter()
        .filter(|p| p["metadata"]["labels"]["app"] == "web")
        .collect();
    assert_eq!(web.len(), 2);
    let pod = web[0];
    assert_eq!(pod["status"]["phase"], "Running");
    assert_eq!(pod["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
    assert!(
        pod["status"]["podIP"]
            .as_str()
            .unwrap()
            .starts_with("10.244.")
    );
    let cs = &pod["status"]["containerStatuses"][0];
    assert_eq!(cs["ready"], true);
    assert!(
        cs["containerID"]
            .as_str()
            .unwrap()
            .starts_with("containerd://")
    );
    assert!(cs["state"]["running"]["startedAt"].is_string());
    let batch = items
        .iter()
        .find(|p| {
            p["metadata"]["name"]
                .as_str()
                .unwrap()
                .starts_with("batch-")
        })
        .unwrap();
    assert_eq!(batch["status"]["phase"], "Succeeded");
    assert_eq!(batch["spec"]["restartPolicy"], "Never");
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_get_pods_prints_the_server_side_table() {
    let Some(k) = kubectl("kubectl_get_pods_prints_the_server_side_table") else {
        return;
    };
    let env = sandbox().await;
    let out = env.ok(&k, &["get", "pods", "-n", "team"]).await;
    let header: Vec<&str> = out.lines().next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]);
    let crashy = out.lines().find(|l| l.starts_with("crashy")).unwrap();
    assert!(
        crashy.contains("CrashLoopBackOff") || crashy.contains("Running"),
        "{crashy}"
    );
    assert!(
        crashy.contains(" ago)"),
        "restarts column should say when: {crashy}"
    );
    let batch = out.lines().find(|l| l.starts_with("batch-")).unwrap();
    assert!(
        batch.contains("0/1") && batch.contains("Completed"),
        "{batch}"
    );
    let asked_for_table = env
        .handle
        .request_log()
        .iter()
        .any(|r| r.contains("/namespaces/team/pods") && r.contains("as=Table"));
    assert!(asked_for_table);
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_get_secret_yaml_shows_base64_data() {
    let Some(k) = kubectl("kubectl_get_secret_yaml_shows_base64_data") else {
        return;
    };
    let env = sandbox().await;
    let out = env
        .ok(
            &k,
            &["get", "secret", "api-key", "-n", "team", "-o", "yaml"],
        )
        .await;
    let v: serde_json::Value = serde_saphyr::from_str(&out).unwrap();
    assert_eq!(v["kind"].as_str(), Some("Secret"));
    assert_eq!(v["type"].as_str(), Some("Opaque"));
    assert_eq!(v["data"]["key"].as_str(), Some("czNjcmV0"));
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_creates_a_docker_registry_secret() {
    let Some(k) = kubectl("kubectl_creates_a_docker_registry_secret") else {
        return;
    };
    let env = sandbox().await;
    let server = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    let docker_server = format!("--docker-server={server}");
    let create = [
        "create",
        "secret",
        "docker-registry",
        "ecr-pull",
        docker_server.as_str(),
        "--docker-username=AWS",
        "--docker-password=x",
    ];
    let out = env.ok(&k, &create).await;
    assert_eq!(out.trim(), "secret/ecr-pull created");
    let again = env.run(&k, &create).await;
    assert!(
        again.stderr.contains("secrets \"ecr-pull\" already exists"),
        "{}",
        again.stderr
    );
    let client = env.client().await;
    let secret = Api::<Secret>::namespaced(client, "default")
        .get("ecr-pull")
        .await
        .unwrap();
    assert_eq!(
        secret.type_.as_deref(),
        Some("kubernetes.io/dockerconfigjson")
    );
    let raw = &secret.data.unwrap()[".dockerconfigjson"].0;
    let config: Value = serde_json::from_slice(raw).unwrap();
    assert_eq!(config["auths"][server]["username"], "AWS");
    assert_eq!(config["auths"][server]["auth"], "QVdTOng=");
    let bad = env
        .run(
            &k,
            &[
                "create",
                "secret",
                "generic",
                "Bad_Name",
                "--from-literal=a=b",
            ],
        )
        .await;
    assert!(
        bad.stderr
            .contains("Secret \"Bad_Name\" is invalid: metadata.name: Invalid value"),
        "{}",
        bad.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_patch_serviceaccount_image_pull_secrets() {
    let Some(k) = kubectl("kubectl_patch_serviceaccount_image_pull_secrets") else {
        return;
    };
    let env = sandbox().await;
    async fn pulls(env: &Env, k: &Path) -> String {
        env.ok(
            k,
            &[
                "get",
                "sa",
                "default",
                "-o",
                "jsonpath={.imagePullSecrets[*].name}",
            ],
        )
        .await
    }
    let out = env
        .ok(
            &k,
            &[
                "patch",
                "serviceaccount",
                "default",
                "-p",
                r#"{"imagePullSecrets":[{"name":"x"}]}"#,
            ],
        )
        .await;
    assert_eq!(out.trim(), "serviceaccount/default patched");
    assert_eq!(pulls(&env, &k).await, "x");
    // Adding a second name: list both, since a strategic merge patch replaces
    // ServiceAccount.imagePullSecrets (no patch merge key on that field, as on a real server).
    env.ok(
        &k,
        &[
            "patch",
            "serviceaccount",
            "default",
            "-p",
            r#"{"imagePullSecrets":[{"name":"x"},{"name":"y"}]}"#,
        ],
    )
    .await;
    assert_eq!(pulls(&env, &k).await, "x y");
    env.ok(
        &k,
        &[
            "patch",
            "sa",
            "default",
            "--type=json",
            "-p",
            r#"[{"op":"add","path":"/imagePullSecrets/-","value":{"name":"z"}}]"#,
        ],
    )
    .await;
    assert_eq!(pulls(&env, &k).await, "x y z");
    env.ok(
        &k,
        &[
            "patch",
            "sa",
            "default",
            "-p",
            r#"{"imagePullSecrets":[{"name":"y"}]}"#,
        ],
    )
    .await;
    assert_eq!(pulls(&env, &k).await, "y");
    env.ok(
        &k,
        &[
            "patch",
            "sa",
            "default",
            "--type=merge",
            "-p",
            r#"{"metadata":{"labels":{"team":"a"}}}"#,
        ],
    )
    .await;
    let out = env
        .ok(
            &k,
            &[
                "get",
                "sa",
                "default",
                "-o",
                "jsonpath={.metadata.labels.team} {.imagePullSecrets[*].name}",
            ],
        )
        .await;
    assert_eq!(out, "a y");
}

#[tokio::test(flavor = "multi_thread")]
async fn kubectl_with_a_wrong_token_is_unauthorized() {
    let Some(k) = kubectl("kubectl_with_a_wrong_token_is_unauthorized") else {
        return;
    };
    let env = sandbox().await;
    let bad = env.dir.path().join("bad-kubeconfig");
    let yaml = env.handle.kubeconfig_yaml().replace(TOKEN, "not-the-token");
    std::fs::write(&bad, yaml).unwrap();
    let mut cmd = std::process::Command::new(&k);
    support::isolate(&mut cmd, env.dir.path());
    let out = cmd
        .arg("--kubeconfig")
        .arg(&bad)
        .args(["get", "pods"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("You must be logged in to the server"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn api_errors_are_status_objects() {
    let env = sandbox().await;
    let client = env.client().await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), "default");
    let kube::Error::Api(e) = pods.get("nope").await.unwrap_err() else {
        panic!()
    };
    assert_eq!(
        (e.code, e.reason.as_str(), e.message.as_str()),
        (404, "NotFound", "pods \"nope\" not found")
    );

    // A watch from a compacted resourceVersion gets a 410 Expired ERROR event.
    let mut w = pods
        .watch(&WatchParams::default().timeout(5), "1")
        .await
        .unwrap()
        .boxed();
    match w.try_next().await.unwrap() {
        Some(WatchEvent::Error(e)) => assert_eq!((e.code, e.reason.as_str()), (410, "Expired")),
        other => panic!("{other:?}"),
    }

    // A write with a stale resourceVersion conflicts.
    let secrets: Api<Secret> = Api::namespaced(client, "team");
    let mut s = secrets.get("api-key").await.unwrap();
    s.metadata.labels = Some([("v".to_string(), "1".to_string())].into());
    let fresh = secrets
        .replace("api-key", &PostParams::default(), &s)
        .await
        .unwrap();
    assert_ne!(fresh.metadata.resource_version, s.metadata.resource_version);
    let kube::Error::Api(e) = secrets
        .replace("api-key", &PostParams::default(), &s)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));

    // A dockerconfigjson secret without its key is invalid.
    let bad: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "broken"}, "type": "kubernetes.io/dockerconfigjson", "data": {}
    }))
    .unwrap();
    let kube::Error::Api(e) = secrets
        .create(&PostParams::default(), &bad)
        .await
        .unwrap_err()
    else {
        panic!()
    };
    assert_eq!((e.code, e.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        e.message,
        "Secret \"broken\" is invalid: data[.dockerconfigjson]: Required value"
    );
}

#[tokio::test]
async fn scenario_file_errors_name_the_file_and_line() {
    let path = fixture("broken.toml");
    let err = Scenario::load(&path).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.starts_with(&format!(
            "{}:7: unknown log format \"yaml\"",
            path.display()
        )),
        "{msg}"
    );
    assert!(matches!(err, devk::sandbox::SandboxError::Scenario { .. }));
    // The CLI maps a scenario error to the configuration exit code.
    let home = tempfile::tempdir().unwrap();
    let run = support::run(
        support::devk(home.path())
            .arg("sandbox")
            .arg("--scenario")
            .arg(&path),
    );
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("unknown log format"), "{run:?}");
}
