//! `devk policy explain` and `devk doctor` through the real binary, with an isolated HOME, no
//! CI variables unless a case sets them, and Docker configs in temp directories.

use std::path::Path;
use std::process::Command;

use crate::support::{self, Run};

const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/app:1.4";
const REFUSED: i32 = 6;

/// `devk` with `env` set on top of the isolated environment (which has no CI variables and,
/// here, no Docker config of the machine's own).
fn devk(home: &Path, env: &[(&str, &str)]) -> Command {
    let mut cmd = support::devk(home);
    cmd.env_remove("DOCKER_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

/// A reference, the environment it is explained in, and the expected exit code.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], i32);

fn explain(home: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    support::run(devk(home, env).args(["policy", "explain"]).args(args))
}

#[test]
fn explain_refuses_ecr_outside_ci_with_rule_reason_and_advice() {
    let home = tempfile::tempdir().unwrap();
    let r = explain(home.path(), &[], &[ECR]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(
        r.stdout.contains(&format!("push of {ECR}: refused")),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("rule:    ecr-ci-only (only CI pushes to ECR)"),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("images for UAT and production are built and pushed by CI"),
        "{r:?}"
    );
    assert!(r.stdout.contains("minikube image load"), "{r:?}");
    assert!(r.stdout.contains("localhost:5000/team/app:1.4"), "{r:?}");
}

#[test]
fn explain_exit_codes_follow_the_decision_per_environment() {
    let home = tempfile::tempdir().unwrap();
    let cases: &[Case] = &[
        (ECR, &[], REFUSED),
        (ECR, &[("CI", "true")], 0),
        (ECR, &[("CI", "false")], REFUSED),
        (ECR, &[("JENKINS_URL", "https://j/"), ("BUILD_ID", "9")], 0),
        (ECR, &[("GITHUB_ACTIONS", "true")], 0),
        (ECR, &[("TF_BUILD", "True")], 0),
        ("public.ecr.aws/team/app:1", &[], REFUSED),
        (
            "123456789012.DKR-ECR.US-EAST-1.ON.AWS:443/app",
            &[],
            REFUSED,
        ),
        ("dkr.ecr.example.com/app:1", &[], 0),
        ("nginx", &[], 0),
        ("localhost:5000/x", &[], 0),
        ("ghcr.io/o/app:1", &[], 0),
    ];
    for (reference, env, want) in cases {
        let r = explain(home.path(), env, &[reference]);
        assert_eq!(r.code, *want, "{reference} with {env:?}: {r:?}");
    }
}

#[test]
fn explain_refuses_when_another_tag_of_the_image_is_ecr() {
    let home = tempfile::tempdir().unwrap();
    let r = explain(
        home.path(),
        &[],
        &["localhost:5000/app:dev", "--other-tag", ECR],
    );
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stdout.contains("also tagged"), "{r:?}");
    assert!(r.stdout.contains(&format!("docker rmi {ECR}")), "{r:?}");
}

#[test]
fn explain_json_carries_the_decision() {
    let home = tempfile::tempdir().unwrap();
    let r = explain(home.path(), &[("CI", "true")], &["-o", "json", ECR]);
    assert_eq!(r.code, 0, "{r:?}");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["allowed"], true);
    assert_eq!(v["rule"], "ecr-ci-only");
    assert_eq!(v["registry"]["kind"], "ecr-private");
    assert_eq!(v["registry"]["region"], "eu-west-1");
    assert_eq!(v["ci"]["accepted"], "generic");
}

#[test]
fn project_config_narrows_ci_and_adds_ci_only_registries() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("devk.toml"),
        "[policy]\nci_systems = [\"jenkins\"]\nci_only_registries = [\"registry.corp.example\"]\n",
    )
    .unwrap();
    let r = explain(home.path(), &[("GITHUB_ACTIONS", "true")], &[ECR]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stdout.contains("accepts only jenkins"), "{r:?}");
    let r = explain(
        home.path(),
        &[("JENKINS_URL", "https://j/"), ("BUILD_ID", "1")],
        &[ECR],
    );
    assert_eq!(r.code, 0, "{r:?}");
    let r = explain(home.path(), &[], &["registry.corp.example/app:1"]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(r.stdout.contains("ci-only-registry"), "{r:?}");
}

#[test]
fn unknown_ci_system_in_config_is_a_config_error_naming_the_file() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("devk.toml"),
        "[policy]\nci_systems = [\"travis\"]\n",
    )
    .unwrap();
    let r = explain(home.path(), &[], &["nginx"]);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(r.stderr.contains("devk.toml"), "{r:?}");
    assert!(r.stderr.contains("`travis` is not a CI system"), "{r:?}");
}

#[test]
fn invalid_reference_is_a_usage_error() {
    let home = tempfile::tempdir().unwrap();
    let r = explain(home.path(), &[], &["Team/App"]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("must be lowercase"), "{r:?}");
}

fn doctor(home: &Path, docker_config: Option<&str>, env: &[(&str, &str)]) -> Run {
    let dir = home.join("docker-config");
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(text) = docker_config {
        std::fs::write(dir.join("config.json"), text).unwrap();
    }
    let mut cmd = devk(home, env);
    cmd.env("DOCKER_CONFIG", &dir).arg("doctor");
    support::run(&mut cmd)
}

#[test]
fn doctor_is_clean_without_ecr_credentials() {
    let home = tempfile::tempdir().unwrap();
    let r = doctor(
        home.path(),
        Some(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"}},"credsStore":"pass"}"#,
        ),
        &[],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("no way around the push policy"), "{r:?}");
    let r = doctor(home.path(), None, &[]);
    assert_eq!(r.code, 0, "{r:?}");
}

#[test]
fn doctor_finds_ecr_logins_and_helpers_and_masks_credentials() {
    let home = tempfile::tempdir().unwrap();
    let secret = "QVdTOnNlY3JldC10b2tlbi12YWx1ZQ==";
    let config = format!(
        r#"{{"auths":{{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":{{"auth":"{secret}"}}}},
           "credHelpers":{{"public.ecr.aws":"ecr-login"}},"credsStore":"ecr-login"}}"#
    );
    let r = doctor(home.path(), Some(&config), &[]);
    assert_eq!(r.code, REFUSED, "{r:?}");
    assert!(
        !r.stdout.contains(secret) && !r.stderr.contains(secret),
        "{r:?}"
    );
    assert!(
        r.stdout
            .contains("docker logout 123456789012.dkr.ecr.eu-west-1.amazonaws.com"),
        "{r:?}"
    );
    assert!(r.stdout.contains("remove \"credsStore\""), "{r:?}");
    assert!(
        r.stdout.contains("remove the \"public.ecr.aws\" entry"),
        "{r:?}"
    );
    assert!(
        r.stdout.contains("3 way(s) around the push policy"),
        "{r:?}"
    );

    // On a CI machine the same logins are expected.
    let r = doctor(home.path(), Some(&config), &[("CI", "true")]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("expected on a CI machine"), "{r:?}");
}

#[test]
fn doctor_reports_invalid_docker_config_without_quoting_it() {
    let home = tempfile::tempdir().unwrap();
    let r = doctor(home.path(), Some("{\"auths\": hunter2"), &[]);
    assert_eq!(r.code, 10, "{r:?}");
    assert!(r.stderr.contains("not valid JSON"), "{r:?}");
    assert!(!r.stderr.contains("hunter2"), "{r:?}");
}

#[test]
fn doctor_on_an_unreadable_docker_config_exits_10() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("docker");
    // A directory where the file should be, and bytes that are not UTF-8: neither can be read.
    std::fs::create_dir_all(dir.join("config.json")).unwrap();
    let not_utf8 = home.path().join("docker-bytes");
    std::fs::create_dir_all(&not_utf8).unwrap();
    std::fs::write(not_utf8.join("config.json"), [0xff, 0xfe, b'{']).unwrap();
    for dir in [dir, not_utf8] {
        let mut cmd = devk(home.path(), &[]);
        cmd.env("DOCKER_CONFIG", &dir).arg("doctor");
        let r = support::run(&mut cmd);
        assert_eq!(r.code, 10, "{r:?}");
        assert!(r.stderr.contains("cannot read Docker config"), "{r:?}");
    }
}
