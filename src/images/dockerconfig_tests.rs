use super::*;
use crate::encoding::base64_encode;
use rstest::rstest;

fn cfg(json: &str) -> DockerConfig {
    DockerConfig::parse(json, Path::new("/home/u/.docker/config.json")).unwrap()
}

fn basic(u: &str, p: &str) -> Credentials {
    Credentials::Basic {
        username: u.into(),
        password: p.into(),
    }
}

fn auth(u: &str, p: &str) -> String {
    base64_encode(format!("{u}:{p}").as_bytes())
}

#[rstest]
#[case::hub_short("docker.io", DOCKER_HUB_KEY)]
#[case::hub_index("index.docker.io", DOCKER_HUB_KEY)]
#[case::hub_registry1("registry-1.docker.io", DOCKER_HUB_KEY)]
#[case::hub_upper("Docker.IO", DOCKER_HUB_KEY)]
#[case::host_port("127.0.0.1:5000", "127.0.0.1:5000")]
#[case::host_upper("GHCR.io", "ghcr.io")]
fn registry_keys_follow_docker(#[case] registry: &str, #[case] key: &str) {
    assert_eq!(registry_key(registry), key);
}

#[rstest]
#[case::exact_key(r#"{"auths":{"127.0.0.1:5000":{"auth":"AUTH"}}}"#, "127.0.0.1:5000")]
#[case::legacy_https_key(
    r#"{"auths":{"https://127.0.0.1:5000/v1/":{"auth":"AUTH"}}}"#,
    "127.0.0.1:5000"
)]
#[case::legacy_http_key(
    r#"{"auths":{"http://127.0.0.1:5000":{"auth":"AUTH"}}}"#,
    "127.0.0.1:5000"
)]
#[case::hub_key(
    r#"{"auths":{"https://index.docker.io/v1/":{"auth":"AUTH"}}}"#,
    "docker.io"
)]
#[case::hub_via_index(
    r#"{"auths":{"https://index.docker.io/v1/":{"auth":"AUTH"}}}"#,
    "index.docker.io"
)]
fn auths_entries_match_like_docker(#[case] json: &str, #[case] registry: &str) {
    let c = cfg(&json.replace("AUTH", &auth("dev", "s:e:cret")));
    assert_eq!(
        c.source_for(registry).unwrap(),
        Source::File(basic("dev", "s:e:cret"))
    );
}

#[rstest]
#[case::other_port(r#"{"auths":{"127.0.0.1:5001":{"auth":"AUTH"}}}"#)]
#[case::other_host(r#"{"auths":{"localhost:5000":{"auth":"AUTH"}}}"#)]
#[case::hub_is_not_local(r#"{"auths":{"https://index.docker.io/v1/":{"auth":"AUTH"}}}"#)]
#[case::empty("{}")]
#[case::empty_file("")]
fn unrelated_entries_give_no_credentials(#[case] json: &str) {
    let c = cfg(&json.replace("AUTH", &auth("dev", "x")));
    assert_eq!(c.source_for("127.0.0.1:5000").unwrap(), Source::None);
}

#[test]
fn username_password_and_identity_token_entries() {
    let c = cfg(r#"{"auths":{
        "a.example":{"username":"ann","password":"pw"},
        "b.example":{"identitytoken":"tok","auth":""},
        "c.example":{"email":"x@y"}}}"#);
    assert_eq!(
        c.source_for("a.example").unwrap(),
        Source::File(basic("ann", "pw"))
    );
    assert_eq!(
        c.source_for("b.example").unwrap(),
        Source::File(Credentials::IdentityToken("tok".into()))
    );
    assert_eq!(c.source_for("c.example").unwrap(), Source::None);
}

#[test]
fn cred_helpers_win_over_creds_store_which_wins_over_auths() {
    let json = format!(
        r#"{{"credsStore":"desktop",
            "credHelpers":{{"ghcr.io":"gh","https://legacy.example:5000/v1/":"leg"}},
            "auths":{{"ghcr.io":{{"auth":"{}"}},"quay.io":{{}}}}}}"#,
        auth("u", "p")
    );
    let c = cfg(&json);
    assert_eq!(
        c.source_for("ghcr.io").unwrap(),
        Source::Helper {
            helper: "gh".into(),
            server: "ghcr.io".into(),
            fallback: Some(basic("u", "p")),
        }
    );
    assert_eq!(
        c.source_for("legacy.example:5000").unwrap(),
        Source::Helper {
            helper: "leg".into(),
            server: "legacy.example:5000".into(),
            fallback: None,
        }
    );
    assert_eq!(
        c.source_for("docker.io").unwrap(),
        Source::Helper {
            helper: "desktop".into(),
            server: DOCKER_HUB_KEY.into(),
            fallback: None,
        }
    );
}

#[rstest]
#[case::not_base64(r#"{"auths":{"r.example":{"auth":"!!!"}}}"#)]
#[case::no_colon(r#"{"auths":{"r.example":{"auth":"ZGV2"}}}"#)]
fn a_broken_auth_is_an_error_naming_file_and_key(#[case] json: &str) {
    let e = cfg(json).source_for("r.example").unwrap_err().to_string();
    assert!(e.contains("/home/u/.docker/config.json"), "{e}");
    assert!(e.contains("auths.r.example"), "{e}");
    assert!(e.contains("docker login r.example"), "{e}");
}

#[test]
fn invalid_json_names_the_file() {
    let e = DockerConfig::parse("{nope", Path::new("/x/config.json"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("/x/config.json"), "{e}");
}

#[test]
fn helper_replies_and_token_convention() {
    assert_eq!(
        parse_helper_reply(br#"{"ServerURL":"r","Username":"dev","Secret":"pw"}"#).unwrap(),
        basic("dev", "pw")
    );
    assert_eq!(
        parse_helper_reply(br#"{"Username":"<token>","Secret":"refresh"}"#).unwrap(),
        Credentials::IdentityToken("refresh".into())
    );
    assert!(parse_helper_reply(b"credentials not found").is_err());
}

#[test]
fn debug_never_shows_secrets() {
    let shown = format!(
        "{:?} {:?}",
        basic("dev", "hunter2"),
        Credentials::IdentityToken("tok-123".into())
    );
    assert!(
        !shown.contains("hunter2") && !shown.contains("tok-123"),
        "{shown}"
    );
    assert!(shown.contains("dev"), "{shown}");
}

#[test]
fn missing_file_is_an_empty_config() {
    let dir = tempfile::tempdir().unwrap();
    let c = DockerConfig::load(&dir.path().join("config.json")).unwrap();
    assert_eq!(c.source_for("ghcr.io").unwrap(), Source::None);
}

#[test]
fn a_missing_helper_is_an_error_naming_it() {
    let e = resolve(
        Source::Helper {
            helper: "devk-test-no-such-helper".into(),
            server: "r.example".into(),
            fallback: Some(basic("u", "p")),
        },
        Path::new("/x/config.json"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("docker-credential-devk-test-no-such-helper"),
        "{e}"
    );
    assert!(
        e.contains("r.example") && e.contains("/x/config.json"),
        "{e}"
    );
}
