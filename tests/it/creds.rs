//! `devk creds` against moto's ECR API (through the SDK's standard AWS_ENDPOINT_URL_ECR
//! override) and the sandbox API server: secrets created and updated, service accounts patched
//! without losing entries, idempotence, refusal on protected contexts, addon mode, status,
//! clean, the AWS error paths, and a real pull through dockerd with the auth devk wrote.
//!
//! Every devk run gets fake keys, temp AWS config files, IMDS off and AWS_ENDPOINT_URL pointing
//! at a closed local port, so nothing can reach a real AWS host.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use devk::sandbox::{SandboxHandle, SandboxOptions, Scenario, start};
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use kube::api::{Api, PostParams};
use serde_json::Value;

use crate::support::{self, Run};

/// What moto returns for the default account: `AWS:123456789012-auth-token`, expired 2015.
pub(crate) const MOTO_ENDPOINT: &str = "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com";
pub(crate) const MOTO_PASSWORD: &str = "123456789012-auth-token";
const MOTO_TOKEN_B64: &str = "QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu";

pub(crate) struct World {
    pub(crate) rt: tokio::runtime::Runtime,
    _handle: SandboxHandle,
    pub(crate) home: tempfile::TempDir,
    pub(crate) kubeconfig: PathBuf,
    pub(crate) moto: String,
}

impl World {
    pub(crate) fn start(test: &str) -> Option<World> {
        let moto = support::moto_url(test)?;
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let fixture =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sandbox/creds.toml");
        let handle = rt
            .block_on(start(SandboxOptions {
                scenario: Scenario::load(&fixture).unwrap(),
                addr: "127.0.0.1:0".parse().unwrap(),
                token: "creds-test-token".into(),
            }))
            .unwrap();
        let home = tempfile::tempdir().unwrap();
        let kubeconfig = home.path().join("kubeconfig");
        std::fs::write(&kubeconfig, handle.kubeconfig_yaml()).unwrap();
        Some(World {
            rt,
            _handle: handle,
            home,
            kubeconfig,
            moto,
        })
    }

    /// `devk creds ARGS` with fake keys and ECR pointed at moto.
    pub(crate) fn devk(&self, args: &[&str]) -> Run {
        self.devk_env(
            args,
            &[
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
            ],
        )
    }

    fn devk_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut cmd = aws_isolated(self.home.path(), &self.moto);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("creds")
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        support::run(&mut cmd)
    }

    fn client(&self) -> kube::Client {
        let sources = devk::kubeconfig::Sources::from_env(Some(&self.kubeconfig));
        self.rt
            .block_on(devk::cluster::client_for(&sources, "demo"))
            .unwrap()
    }

    pub(crate) fn secret(&self, ns: &str, name: &str) -> Option<Secret> {
        let api: Api<Secret> = Api::namespaced(self.client(), ns);
        self.rt.block_on(api.get_opt(name)).unwrap()
    }

    fn sa(&self, ns: &str, name: &str) -> ServiceAccount {
        let api: Api<ServiceAccount> = Api::namespaced(self.client(), ns);
        self.rt.block_on(api.get(name)).unwrap()
    }

    fn write_project_config(&self, text: &str) {
        std::fs::write(self.home.path().join("devk.toml"), text).unwrap();
    }
}

/// A devk command whose AWS world is fake and local: only moto answers.
pub(crate) fn aws_isolated(home: &Path, moto: &str) -> Command {
    let mut cmd = support::devk(home);
    for (k, _) in std::env::vars() {
        if k.starts_with("AWS_") {
            cmd.env_remove(k);
        }
    }
    cmd.env("AWS_CONFIG_FILE", home.join("aws-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("aws-credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "eu-west-1")
        // A catch-all for any other AWS service (SSO, STS): a closed port on this machine.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .env("AWS_ENDPOINT_URL_ECR", moto);
    cmd
}

fn pull_names(sa: &ServiceAccount) -> Vec<String> {
    sa.image_pull_secrets
        .clone()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.name)
        .collect()
}

pub(crate) fn dockerconfig(s: &Secret) -> Value {
    serde_json::from_slice(&s.data.as_ref().unwrap()[".dockerconfigjson"].0).unwrap()
}

fn assert_no_token(run: &Run) {
    for secret in [MOTO_PASSWORD, MOTO_TOKEN_B64, "testing"] {
        assert!(
            !run.stdout.contains(secret) && !run.stderr.contains(secret),
            "a credential value was printed:\n{run:?}"
        );
    }
}

#[test]
fn refresh_writes_the_pull_secret_and_keeps_other_service_account_entries() {
    let Some(w) = World::start("refresh_writes_the_pull_secret") else {
        return;
    };
    let run = w.devk(&[
        "refresh",
        "--context",
        "demo",
        "-n",
        "shop",
        "--service-account",
        "default",
        "--service-account",
        "builder",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("secret shop/ecr-pull: created"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("service account shop/default: added"),
        "{run:?}"
    );
    assert_no_token(&run);

    let s = w.secret("shop", "ecr-pull").unwrap();
    assert_eq!(s.type_.as_deref(), Some("kubernetes.io/dockerconfigjson"));
    let meta = &s.metadata;
    assert_eq!(
        meta.labels.as_ref().unwrap()["app.kubernetes.io/managed-by"],
        "devk"
    );
    // moto's token expired on 2015-01-01; devk records exactly that.
    assert_eq!(
        meta.annotations.as_ref().unwrap()["devk.dev/token-expires-at"],
        "2015-01-01T00:00:00Z"
    );
    let doc = dockerconfig(&s);
    let auths = doc["auths"].as_object().unwrap();
    assert_eq!(auths.keys().collect::<Vec<_>>(), [MOTO_ENDPOINT]);
    assert_eq!(auths[MOTO_ENDPOINT]["username"], "AWS");
    assert_eq!(auths[MOTO_ENDPOINT]["password"], MOTO_PASSWORD);
    assert_eq!(auths[MOTO_ENDPOINT]["auth"], MOTO_TOKEN_B64);

    // The other team's entry is kept, first; devk's is added once.
    assert_eq!(
        pull_names(&w.sa("shop", "default")),
        ["team-registry", "ecr-pull"]
    );
    assert_eq!(pull_names(&w.sa("shop", "builder")), ["ecr-pull"]);
}

#[test]
fn a_second_refresh_changes_nothing_and_a_changed_token_is_updated() {
    let Some(w) = World::start("a_second_refresh_changes_nothing") else {
        return;
    };
    assert_eq!(
        w.devk(&["refresh", "--context", "demo", "-n", "shop"]).code,
        0
    );
    let rv = |w: &World| {
        (
            w.secret("shop", "ecr-pull")
                .unwrap()
                .metadata
                .resource_version,
            w.sa("shop", "default").metadata.resource_version,
        )
    };
    let before = rv(&w);
    let run = w.devk(&["refresh", "--context", "demo", "-n", "shop"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("secret shop/ecr-pull: unchanged"),
        "{run:?}"
    );
    assert!(
        run.stdout
            .contains("service account shop/default: already there"),
        "{run:?}"
    );
    assert_eq!(rv(&w), before, "a second run must not write anything");
    assert_eq!(
        pull_names(&w.sa("shop", "default")),
        ["team-registry", "ecr-pull"]
    );

    // A stale secret (here emptied; in life, the previous 12 hours' token): the
    // next run writes the fresh one, keeping labels others added.
    let api: Api<Secret> = Api::namespaced(w.client(), "shop");
    let mut s = w.secret("shop", "ecr-pull").unwrap();
    s.data.as_mut().unwrap().insert(
        ".dockerconfigjson".into(),
        k8s_openapi::ByteString(br#"{"auths":{}}"#.to_vec()),
    );
    s.metadata
        .labels
        .as_mut()
        .unwrap()
        .insert("team".into(), "shop".into());
    w.rt.block_on(api.replace("ecr-pull", &PostParams::default(), &s))
        .unwrap();
    let run = w.devk(&["refresh", "--context", "demo", "-n", "shop"]);
    assert!(
        run.stdout.contains("secret shop/ecr-pull: updated"),
        "{run:?}"
    );
    let s = w.secret("shop", "ecr-pull").unwrap();
    assert_eq!(
        dockerconfig(&s)["auths"][MOTO_ENDPOINT]["password"],
        MOTO_PASSWORD
    );
    assert_eq!(s.metadata.labels.as_ref().unwrap()["team"], "shop");
}

#[test]
fn an_already_expired_token_is_written_once_with_a_warning_not_retried() {
    let Some(w) = World::start("an_already_expired_token") else {
        return;
    };
    let run = w.devk(&["refresh", "--context", "demo", "-n", "shop"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("expired at 2015-01-01T00:00:00Z"),
        "{run:?}"
    );
    assert!(run.stderr.contains("had already expired"), "{run:?}");
    assert!(
        run.stderr.contains("no sooner than every 5 minutes"),
        "{run:?}"
    );
    assert_eq!(
        run.stderr.matches("had already expired").count(),
        1,
        "{run:?}"
    );
}

#[test]
fn protected_context_is_refused_and_nothing_is_written() {
    let Some(w) = World::start("protected_context_is_refused") else {
        return;
    };
    let run = w.devk(&["refresh", "--context", "demo-prod", "-n", "shop"]);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.stderr.contains("context `demo-prod` is protected"),
        "{run:?}"
    );
    assert!(run.stderr.contains("IAM role"), "{run:?}");
    assert!(run.stderr.contains("creds.allowed_contexts"), "{run:?}");
    assert!(w.secret("shop", "ecr-pull").is_none());
    let run = w.devk(&["clean", "--context", "demo-prod"]);
    assert_eq!(run.code, 6, "{run:?}");

    // Named in a project devk.toml: still refused, a repository cannot widen this.
    w.write_project_config("[creds]\nallowed_contexts = [\"demo-prod\"]\n");
    let run = w.devk(&["refresh", "--context", "demo-prod", "-n", "shop"]);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(w.secret("shop", "ecr-pull").is_none());

    // Named in the user's own config file: allowed.
    let user_config = w.home.path().join(".config/devk");
    std::fs::create_dir_all(&user_config).unwrap();
    std::fs::write(
        user_config.join("config.toml"),
        "[creds]\nallowed_contexts = [\"demo-prod\"]\n",
    )
    .unwrap();
    let run = w.devk(&["refresh", "--context", "demo-prod", "-n", "shop"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(w.secret("shop", "ecr-pull").is_some());
}

#[test]
fn a_secret_of_the_same_name_that_devk_did_not_make_is_left_alone() {
    let Some(w) = World::start("a_secret_of_the_same_name") else {
        return;
    };
    let run = w.devk(&["refresh", "--context", "demo", "-n", "taken"]);
    assert_eq!(run.code, 6, "{run:?}");
    assert!(
        run.stderr
            .contains("taken/ecr-pull exists and was not created by devk"),
        "{run:?}"
    );
    let s = w.secret("taken", "ecr-pull").unwrap();
    assert_eq!(s.data.unwrap()["note"].0, b"made by hand");
}

#[test]
fn addon_mode_writes_the_registry_creds_secret_with_its_keys_and_labels() {
    let Some(w) = World::start("addon_mode_writes") else {
        return;
    };
    w.write_project_config(
        "[creds]\nregistries = [\"111122223333:eu-west-1\", \"444455556666\"]\naddon_assume_role = \"arn:aws:iam::111122223333:role/puller\"\n",
    );
    let run = w.devk_env(
        &["refresh", "--context", "demo", "--addon"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "testing-secret-key"),
            ("AWS_SESSION_TOKEN", "testing-session"),
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout
            .contains("secret kube-system/registry-creds-ecr: created"),
        "{run:?}"
    );
    assert!(
        run.stdout.contains("awsecr-cred"),
        "the addon's naming is explained: {run:?}"
    );
    for v in [
        "AKIAIOSFODNN7EXAMPLE",
        "testing-secret-key",
        "testing-session",
    ] {
        assert!(
            !run.stdout.contains(v) && !run.stderr.contains(v),
            "{run:?}"
        );
    }
    let s = w.secret("kube-system", "registry-creds-ecr").unwrap();
    let data: BTreeMap<String, String> = s
        .data
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8(v.0).unwrap()))
        .collect();
    assert_eq!(data["AWS_ACCESS_KEY_ID"], "AKIAIOSFODNN7EXAMPLE");
    assert_eq!(data["AWS_SECRET_ACCESS_KEY"], "testing-secret-key");
    assert_eq!(data["AWS_SESSION_TOKEN"], "testing-session");
    assert_eq!(data["aws-account"], "111122223333,444455556666");
    assert_eq!(data["aws-region"], "eu-west-1");
    assert_eq!(
        data["aws-assume-role"],
        "arn:aws:iam::111122223333:role/puller"
    );
    let labels = s.metadata.labels.unwrap();
    assert_eq!(labels["app"], "registry-creds");
    assert_eq!(labels["cloud"], "ecr");
    assert_eq!(labels["kubernetes.io/minikube-addons"], "registry-creds");
}

#[test]
fn status_lists_secrets_and_clean_removes_only_what_devk_made() {
    let Some(w) = World::start("status_lists_secrets") else {
        return;
    };
    assert_eq!(
        w.devk(&[
            "refresh",
            "--context",
            "demo",
            "-n",
            "shop",
            "-n",
            "default"
        ])
        .code,
        0
    );
    let run = w.devk(&["status", "--context", "demo", "-o", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_no_token(&run);
    let rows: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let summary: Vec<(String, String, String, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["namespace"].as_str().unwrap().to_owned(),
                r["secret"].as_str().unwrap().to_owned(),
                r["service_accounts"].to_string(),
                r["expired"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "default".into(),
                "ecr-pull".into(),
                r#"["default"]"#.into(),
                true
            ),
            (
                "shop".into(),
                "ecr-pull".into(),
                r#"["default"]"#.into(),
                true
            ),
        ]
    );
    assert_eq!(rows[0]["registries"][0], MOTO_ENDPOINT);
    assert_eq!(rows[0]["expires_at"], "2015-01-01T00:00:00Z");
    let table = w.devk(&["status", "--context", "demo"]);
    assert!(table.stdout.contains("EXPIRES"), "{table:?}");
    assert!(table.stdout.contains("expired"), "{table:?}");

    let run = w.devk(&["clean", "--context", "demo"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("deleted secret shop/ecr-pull"),
        "{run:?}"
    );
    assert!(w.secret("shop", "ecr-pull").is_none());
    assert!(w.secret("default", "ecr-pull").is_none());
    assert!(w.secret("taken", "ecr-pull").is_some(), "not devk's: kept");
    assert!(
        w.secret("shop", "team-registry").is_some(),
        "not devk's: kept"
    );
    let sa = w.sa("shop", "default");
    assert_eq!(pull_names(&sa), ["team-registry"]);
    assert!(sa.metadata.annotations.unwrap_or_default().is_empty());
    let again = w.devk(&["clean", "--context", "demo"]);
    assert!(
        again.stderr.contains("nothing of devk's to clean"),
        "{again:?}"
    );
}

#[test]
fn kubectl_shows_the_secret_devk_wrote() {
    let Some(w) = World::start("kubectl_shows_the_secret") else {
        return;
    };
    let Some(kubectl) = support::require_tool("kubectl", "kubectl_shows_the_secret") else {
        return;
    };
    assert_eq!(
        w.devk(&["refresh", "--context", "demo", "-n", "shop"]).code,
        0
    );
    let mut cmd = Command::new(kubectl);
    support::isolate(&mut cmd, w.home.path());
    cmd.arg("--kubeconfig").arg(&w.kubeconfig).args([
        "--context",
        "demo",
        "-n",
        "shop",
        "get",
        "secret",
        "ecr-pull",
        "-o",
        "yaml",
    ]);
    let out = support::run(&mut cmd);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("type: kubernetes.io/dockerconfigjson"),
        "{out:?}"
    );
    assert!(
        out.stdout
            .contains("devk.dev/token-expires-at: \"2015-01-01T00:00:00Z\""),
        "{out:?}"
    );
    assert!(
        out.stdout.contains("app.kubernetes.io/managed-by: devk"),
        "{out:?}"
    );
    assert!(out.stdout.contains(".dockerconfigjson: "), "{out:?}");
}
