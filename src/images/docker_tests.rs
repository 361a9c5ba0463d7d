//! Endpoint selection and connection errors (no engine needed).

use super::*;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[test]
fn context_dir_is_sha256_of_name() {
    // `printf default | sha256sum`
    assert_eq!(
        context_dir_name("default"),
        "37a8eec1ce19687d132fe29051dca629d164e2c4958ba141d5f4133a33f0688f"
    );
}

#[test]
fn docker_host_wins_over_context() {
    let env = EnvSnapshot {
        docker_host: Some("tcp://10.0.0.1:2375".into()),
        docker_context: Some("remote".into()),
        ..Default::default()
    };
    let ep = Endpoint::resolve(&env).unwrap();
    assert_eq!(ep.host, "tcp://10.0.0.1:2375");
    assert_eq!(ep.source, Source::DockerHostEnv);
    assert!(ep.tls.is_none());
}

#[test]
fn no_config_means_default_socket() {
    let dir = tempfile::tempdir().unwrap();
    let env = EnvSnapshot {
        config_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let ep = Endpoint::resolve(&env).unwrap();
    assert_eq!(ep.host, DEFAULT_HOST);
    assert!(ep.describe().contains("default socket"));
}

#[test]
fn current_context_is_read_from_meta_json() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config.json"),
        r#"{"auths":{},"currentContext":"colima"}"#,
    );
    let meta = dir
        .path()
        .join("contexts/meta")
        .join(context_dir_name("colima"))
        .join("meta.json");
    write(
        &meta,
        r#"{"Name":"colima","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///home/u/.colima/docker.sock","SkipTLSVerify":false}}}"#,
    );
    let env = EnvSnapshot {
        config_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let ep = Endpoint::resolve(&env).unwrap();
    assert_eq!(ep.host, "unix:///home/u/.colima/docker.sock");
    assert!(
        ep.describe().contains("docker context `colima`"),
        "{}",
        ep.describe()
    );
}

#[test]
fn context_tls_material_is_used_and_skip_verify_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let id = context_dir_name("remote");
    let meta = dir.path().join("contexts/meta").join(&id).join("meta.json");
    write(
        &meta,
        r#"{"Name":"remote","Endpoints":{"docker":{"Host":"tcp://10.1.2.3:2376","SkipTLSVerify":false}}}"#,
    );
    let tls = dir.path().join("contexts/tls").join(&id).join("docker");
    write(&tls.join("ca.pem"), "not checked here");
    let env = EnvSnapshot {
        docker_context: Some("remote".into()),
        config_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let ep = Endpoint::resolve(&env).unwrap();
    assert_eq!(ep.tls, Some(TlsFiles { dir: tls }));
    assert!(ep.describe().ends_with(", TLS)"), "{}", ep.describe());
    write(
        &meta,
        r#"{"Name":"remote","Endpoints":{"docker":{"Host":"tcp://10.1.2.3:2376","SkipTLSVerify":true}}}"#,
    );
    let err = Endpoint::resolve(&env).unwrap_err();
    assert!(err.to_string().contains("SkipTLSVerify"), "{err}");
}

#[test]
fn docker_context_env_overrides_config_and_default_means_socket() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config.json"),
        r#"{"currentContext":"missing"}"#,
    );
    let env = EnvSnapshot {
        docker_context: Some("default".into()),
        config_dir: Some(dir.path().into()),
        ..Default::default()
    };
    assert_eq!(Endpoint::resolve(&env).unwrap().host, DEFAULT_HOST);
}

#[test]
fn unknown_context_is_not_found_with_the_path() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir.path().join("config.json"),
        r#"{"currentContext":"gone"}"#,
    );
    let env = EnvSnapshot {
        config_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let err = Endpoint::resolve(&env).unwrap_err();
    assert_eq!(err.exit(), Exit::NotFound);
    assert!(err.to_string().contains("`gone`"), "{err}");
}

#[test]
fn broken_config_json_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    write(&dir.path().join("config.json"), "{nope");
    let env = EnvSnapshot {
        config_dir: Some(dir.path().into()),
        ..Default::default()
    };
    let err = Endpoint::resolve(&env).unwrap_err();
    assert_eq!(err.exit(), Exit::Config);
    assert!(err.to_string().contains("config.json"), "{err}");
}

#[test]
fn minikube_vars_give_a_tls_endpoint() {
    // Recorded `minikube docker-env --shell none` output (minikube cannot run here).
    let text = include_str!("../../tests/fixtures/minikube/v1.34.0/docker-env.out");
    let env = crate::minikube::parse::docker_env(text).unwrap();
    let ep = Endpoint::from_env_vars(&env.vars, "minikube").unwrap();
    assert_eq!(ep.host, "tcp://192.168.49.2:2376");
    assert_eq!(
        ep.tls,
        Some(TlsFiles {
            dir: "/home/dev/.minikube/certs".into()
        })
    );
    assert!(ep.describe().contains("minikube profile `minikube`"));
}

#[test]
fn missing_socket_is_unreachable_and_names_it() {
    let err = connect(&Endpoint::explicit("unix:///nonexistent/docker.sock")).unwrap_err();
    assert_eq!(err.exit(), Exit::Unreachable);
    let msg = err.to_string();
    assert!(msg.contains("/nonexistent/docker.sock"), "{msg}");
    assert!(msg.contains("DOCKER_HOST"), "{msg}");
}

#[test]
fn tls_without_cert_files_names_the_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let ep = Endpoint {
        host: "tcp://127.0.0.1:1".into(),
        tls: Some(TlsFiles {
            dir: dir.path().into(),
        }),
        source: Source::Explicit,
    };
    let err = connect(&ep).unwrap_err();
    assert!(err.to_string().contains("ca.pem"), "{err}");
}

#[test]
fn ssh_hosts_are_refused_clearly() {
    let err = connect(&Endpoint::explicit("ssh://me@host")).unwrap_err();
    assert_eq!(err.exit(), Exit::Config);
}
