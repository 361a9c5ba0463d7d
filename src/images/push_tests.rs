use super::*;
use rstest::rstest;

const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

fn opts(env: &[(&str, &str)], ci_only: &[&str]) -> PushOptions {
    PushOptions {
        env: Env::from_pairs(env.iter().copied()),
        rules: PushRules::new(
            &ci_only.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            &[],
        )
        .unwrap(),
        endpoint: None,
        docker_config: None,
        state_dir: None,
    }
}

#[rstest]
#[case::ecr(&format!("{ECR}/app:1"), "ecr-ci-only")]
#[case::ecr_public("public.ecr.aws/t/app:1", "ecr-ci-only")]
#[case::ci_only("127.0.0.1:5000/app:1", "ci-only-registry")]
fn the_reference_alone_is_refused_outside_ci(#[case] reference: &str, #[case] rule: &str) {
    let o = opts(&[], &["127.0.0.1:5000"]);
    match check_reference(reference, &o) {
        Err(e @ PushError::Refused(_)) => {
            assert_eq!(e.exit(), Exit::Refused);
            let m = e.to_string();
            assert!(m.contains(rule), "{m}");
            assert!(m.contains(crate::policy::WHY_CI_ONLY), "{m}");
            assert!(m.contains("minikube image load"), "{m}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(check_reference(reference, &opts(&[("CI", "true")], &["127.0.0.1:5000"])).is_ok());
}

#[test]
fn an_ecr_tag_or_digest_of_the_same_image_refuses_a_local_push() {
    let o = opts(&[], &[]);
    let r = check_reference("127.0.0.1:5000/app:1", &o).unwrap();
    let tags = vec!["127.0.0.1:5000/app:1".to_string(), format!("{ECR}/app:1")];
    let e = check_image(&r, &tags, &[], &o).unwrap_err();
    assert_eq!(e.exit(), Exit::Refused);
    assert!(e.to_string().contains("also tagged"), "{e}");
    let digests = vec![format!("{ECR}/app@sha256:{}", "a".repeat(64))];
    let e = check_image(&r, &tags[..1], &digests, &o).unwrap_err();
    assert_eq!(e.exit(), Exit::Refused);
    let ok = check_image(
        &r,
        &tags[..1],
        &["<none>@<none>".to_string()],
        &opts(&[], &[]),
    );
    assert!(ok.is_ok());
    assert!(check_image(&r, &tags, &digests, &opts(&[("CI", "true")], &[])).is_ok());
}

#[rstest]
#[case::digest(
    "127.0.0.1:5000/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)]
#[case::invalid("Bad Ref")]
fn unpushable_references_are_usage_errors(#[case] reference: &str) {
    let e = check_reference(reference, &opts(&[], &[])).unwrap_err();
    assert_eq!(e.exit(), Exit::Usage, "{e}");
}

#[rstest]
#[case::unauthorized("unauthorized: authentication required", Exit::Unauthorized)]
#[case::denied(
    "denied: requested access to the resource is denied",
    Exit::Unauthorized
)]
#[case::no_basic("no basic auth credentials", Exit::Unauthorized)]
#[case::refused(
    "Get \"http://127.0.0.1:1/v2/\": dial tcp 127.0.0.1:1: connect: connection refused",
    Exit::Unreachable
)]
#[case::dns(
    "Get \"https://nope.invalid/v2/\": dial tcp: lookup nope.invalid: no such host",
    Exit::Unreachable
)]
#[case::other("blob upload unknown", Exit::Failure)]
#[case::storage_permission(
    "filesystem: open /var/lib/registry/x: permission denied",
    Exit::Failure
)]
#[case::forbidden(
    "error parsing HTTP 403 response body: 403 Forbidden",
    Exit::Unauthorized
)]
#[case::digest_with_401(
    "manifest invalid: sha256:4017a0c2f3e91b40e2d4d3c4a1e7c0b9a5f6e8d7c6b5a4f3e2d1c0b9a8f7e6d5",
    Exit::Failure
)]
fn registry_messages_map_to_exit_codes(#[case] message: &str, #[case] exit: Exit) {
    let e = classify_failure(
        "127.0.0.1:5000/app:1",
        "127.0.0.1:5000",
        "user `dev` from `auths`",
        &Endpoint::explicit("unix:///run/docker.sock"),
        message.to_string(),
    );
    assert_eq!(e.exit(), exit, "{e}");
    let text = e.to_string();
    assert!(text.contains(message), "{text}");
    if exit == Exit::Unauthorized {
        assert!(text.contains("docker login 127.0.0.1:5000"), "{text}");
        assert!(text.contains("rejected the credentials"), "{text}");
    }
}

#[test]
fn auth_json_carries_credentials_for_the_engine_only() {
    let basic = Credentials::Basic {
        username: "dev".into(),
        password: "pw".into(),
    };
    let v: serde_json::Value =
        serde_json::from_str(&auth_json(Some(&basic), "127.0.0.1:5000")).unwrap();
    assert_eq!(v["username"], "dev");
    assert_eq!(v["password"], "pw");
    assert_eq!(v["serveraddress"], "127.0.0.1:5000");
    let hub: serde_json::Value = serde_json::from_str(&auth_json(
        Some(&Credentials::IdentityToken("t".into())),
        "docker.io",
    ))
    .unwrap();
    assert_eq!(hub["identitytoken"], "t");
    assert_eq!(hub["serveraddress"], dockerconfig::DOCKER_HUB_KEY);
    assert_eq!(auth_json(None, "x"), "{}");
}

#[rstest]
#[case::bare("app:1", "127.0.0.1:5000/app:1")]
#[case::no_tag("app", "127.0.0.1:5000/app:latest")]
#[case::team("team/app:dev", "127.0.0.1:5000/team/app:dev")]
#[case::other_registry("ghcr.io/org/app:2", "127.0.0.1:5000/org/app:2")]
#[case::trailing_slash_registry("app:1", "127.0.0.1:5000/app:1")]
fn local_targets_keep_path_and_tag(#[case] image: &str, #[case] want: &str) {
    assert_eq!(local_target(image, "127.0.0.1:5000/").unwrap(), want);
}

#[test]
fn local_target_without_a_registry_says_what_to_set() {
    let e = local_target("app:1", " ").unwrap_err();
    assert!(e.to_string().contains("local_registry"), "{e}");
    assert_eq!(e.exit(), Exit::Usage);
}

#[test]
fn a_docker_config_devk_cannot_read_is_exit_10_not_a_config_error() {
    use crate::images::dockerconfig::CredsError;
    let path = std::path::PathBuf::from("/home/dev/.docker/config.json");
    for e in [
        CredsError::Parse {
            path: path.clone(),
            problem: "line 1".into(),
        },
        CredsError::BadAuth {
            path: path.clone(),
            key: "ghcr.io".into(),
        },
    ] {
        assert_eq!(PushError::Credentials(e).exit(), Exit::Io);
    }
}
