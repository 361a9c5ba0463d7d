//! The AWS error paths of `devk creds refresh`, each with a clear message and its own exit
//! code: no credentials (9), an expired SSO session (9, naming the `aws sso login` to run), an
//! unreachable endpoint or a region whose endpoint does not resolve (8), a malformed region
//! (2). The kubeconfig's one local context points at a closed port: AWS is asked first, so the
//! cluster is never contacted.

use std::path::{Path, PathBuf};

use crate::creds::aws_isolated;
use crate::support::{self, Run};

/// A kubeconfig with one local context whose cluster is never contacted: the AWS errors come
/// first.
fn local_only(home: &Path) -> PathBuf {
    let path = home.join("kubeconfig");
    std::fs::write(
        &path,
        support::kubeconfig(
            Some("minikube"),
            &[("minikube", "minikube", "https://127.0.0.1:9", None)],
        ),
    )
    .unwrap();
    path
}

fn refresh_offline(test: &str, env: &[(&str, &str)], args: &[&str]) -> Option<Run> {
    let moto = support::moto_url(test)?;
    let home = tempfile::tempdir().unwrap();
    let kc = local_only(home.path());
    let mut cmd = aws_isolated(home.path(), &moto);
    cmd.arg("--kubeconfig")
        .arg(&kc)
        .args(["creds", "refresh"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(("HOME_SSO", _)) = env.first().copied() {
        write_expired_sso(home.path());
    }
    Some(support::run(&mut cmd))
}

#[test]
fn no_credentials_is_unauthorized_with_what_to_do() {
    let Some(run) = refresh_offline("no_credentials_is_unauthorized", &[], &[]) else {
        return;
    };
    assert_eq!(run.code, 9, "{run:?}");
    assert!(run.stderr.contains("no AWS credentials found"), "{run:?}");
    assert!(run.stderr.contains("aws sso login"), "{run:?}");
}

#[test]
fn unreachable_endpoint_is_exit_8_naming_the_override() {
    let Some(run) = refresh_offline(
        "unreachable_endpoint_is_exit_8",
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL_ECR", "http://127.0.0.1:9"),
        ],
        &[],
    ) else {
        return;
    };
    assert_eq!(run.code, 8, "{run:?}");
    assert!(
        run.stderr
            .contains("cannot reach the ECR endpoint for region `eu-west-1`"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("AWS_ENDPOINT_URL_ECR is set to http://127.0.0.1:9"),
        "{run:?}"
    );
}

#[test]
fn unknown_region_host_is_exit_8() {
    // An endpoint name that never resolves (.invalid, RFC 6761) stands for a region AWS does
    // not serve: the lookup fails the same way, without asking any AWS host.
    let Some(run) = refresh_offline(
        "unknown_region_host_is_exit_8",
        &[
            ("AWS_ACCESS_KEY_ID", "testing"),
            ("AWS_SECRET_ACCESS_KEY", "testing"),
            ("AWS_ENDPOINT_URL_ECR", "http://ecr.xx-nowhere-1.invalid"),
        ],
        &["--region", "xx-nowhere-1"],
    ) else {
        return;
    };
    assert_eq!(run.code, 8, "{run:?}");
    assert!(run.stderr.contains("region `xx-nowhere-1`"), "{run:?}");
    assert!(run.stderr.contains("Check the region name"), "{run:?}");
}

#[test]
fn malformed_region_flag_is_a_usage_error() {
    let Some(run) = refresh_offline("malformed_region_flag", &[], &["--region", "Europe"]) else {
        return;
    };
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not an AWS region name"), "{run:?}");
}

/// An SSO profile whose cached token expired (no refresh token, so the SDK cannot renew it
/// and gives up without any network call).
fn write_expired_sso(home: &Path) {
    std::fs::write(
        home.join("aws-config"),
        "[profile dev-sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Developer\nregion = eu-west-1\n\n[sso-session corp]\nsso_start_url = https://corp.example.invalid/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
    )
    .unwrap();
    let cache = home.join(".aws/sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // The SDK names the cache file after the SHA-1 of the session name: sha1("corp").
    std::fs::write(
        cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json"),
        r#"{"accessToken":"expired-access","expiresAt":"2020-01-01T00:00:00Z","region":"eu-west-1","startUrl":"https://corp.example.invalid/start"}"#,
    )
    .unwrap();
}

#[test]
fn expired_sso_session_says_which_login_to_run() {
    let Some(run) = refresh_offline(
        "expired_sso_session_says_which_login_to_run",
        &[("HOME_SSO", "1")],
        &["--profile", "dev-sso"],
    ) else {
        return;
    };
    assert_eq!(run.code, 9, "{run:?}");
    assert!(
        run.stderr.contains("run `aws sso login --profile dev-sso`"),
        "{run:?}"
    );
    assert!(!run.stderr.contains("expired-access"), "{run:?}");
}
