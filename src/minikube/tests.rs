//! Parser tests on outputs rebuilt from minikube's source at each release tag, v1.32.0 to
//! v1.38.0 (tests/fixtures/minikube/, see its README for the source files of each). minikube
//! cannot run here: no test starts one.

use super::parse;
use super::*;
use rstest::rstest;

macro_rules! fixture {
    ($version:literal, $case:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/minikube/",
            $version,
            "/",
            $case
        ))
    };
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "profile-list.out"), "Running", false)]
#[case::v1_33(fixture!("v1.33.0", "profile-list.out"), "Running", true)]
#[case::v1_34(fixture!("v1.34.0", "profile-list.out"), "Running", true)]
#[case::v1_35(fixture!("v1.35.0", "profile-list.out"), "OK", true)]
#[case::v1_36(fixture!("v1.36.0", "profile-list.out"), "OK", true)]
#[case::v1_37(fixture!("v1.37.0", "profile-list.out"), "OK", true)]
#[case::v1_38(fixture!("v1.38.0", "profile-list.out"), "OK", true)]
fn profile_list_parses_valid_and_invalid_profiles(
    #[case] json: &str,
    #[case] running_word: &str,
    #[case] reports_kube_context: bool,
) {
    let profiles = parse::profile_list(json).unwrap();
    let names: Vec<&str> = profiles.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["minikube", "dev", "broken"]);

    let mk = &profiles[0];
    assert_eq!(mk.status, running_word);
    assert!(mk.is_running());
    assert!(mk.active && mk.valid);
    assert_eq!(mk.active_kube_context, reports_kube_context);
    assert_eq!(mk.driver, "docker");
    assert_eq!(mk.container_runtime, "docker");
    assert_eq!(mk.nodes, 1);
    assert_eq!(mk.ip.as_deref(), Some("192.168.49.2"));
    assert_eq!(mk.port, Some(8443));
    assert!(mk.kubernetes_version.starts_with("v1."));

    let dev = &profiles[1];
    assert_eq!(dev.status, "Stopped");
    assert!(!dev.is_running() && !dev.active);
    assert_eq!((dev.driver.as_str(), dev.nodes), ("kvm2", 2));
    assert_eq!(dev.container_runtime, "containerd");
    assert_eq!((dev.cpus, dev.memory_mib), (4, 8192));

    let broken = &profiles[2];
    assert!(!broken.valid);
    assert_eq!((broken.driver.as_str(), broken.nodes), ("", 0));
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "profile-list-empty.out"))]
#[case::v1_33(fixture!("v1.33.0", "profile-list-empty.out"))]
#[case::v1_34(fixture!("v1.34.0", "profile-list-empty.out"))]
#[case::v1_35(fixture!("v1.35.0", "profile-list-empty.out"))]
#[case::v1_36(fixture!("v1.36.0", "profile-list-empty.out"))]
#[case::v1_37(fixture!("v1.37.0", "profile-list-empty.out"))]
#[case::v1_38(fixture!("v1.38.0", "profile-list-empty.out"))]
fn profile_list_without_profiles_is_empty(#[case] json: &str) {
    assert!(parse::profile_list(json).unwrap().is_empty());
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "profile-list-missing-driver.out"))]
#[case::v1_33(fixture!("v1.33.0", "profile-list-missing-driver.out"))]
#[case::v1_34(fixture!("v1.34.0", "profile-list-missing-driver.out"))]
#[case::v1_35(fixture!("v1.35.0", "profile-list-missing-driver.out"))]
#[case::v1_36(fixture!("v1.36.0", "profile-list-missing-driver.out"))]
#[case::v1_37(fixture!("v1.37.0", "profile-list-missing-driver.out"))]
#[case::v1_38(fixture!("v1.38.0", "profile-list-missing-driver.out"))]
fn profile_list_missing_required_field_names_it(#[case] json: &str) {
    let err = parse::profile_list(json).unwrap_err();
    assert!(err.contains("missing field `Driver`"), "{err}");
}

#[test]
fn profile_list_error_body_is_an_error() {
    let err = parse::profile_list(r#"{"error":{"Op":"open","Path":"/x"}}"#).unwrap_err();
    assert!(err.contains("minikube reported an error"), "{err}");
}

#[rstest]
#[case::v1_32_running(fixture!("v1.32.0", "status.out"), true)]
#[case::v1_32_stopped(fixture!("v1.32.0", "status-stopped.out"), false)]
#[case::v1_33_running(fixture!("v1.33.0", "status.out"), true)]
#[case::v1_33_stopped(fixture!("v1.33.0", "status-stopped.out"), false)]
#[case::v1_34_running(fixture!("v1.34.0", "status.out"), true)]
#[case::v1_34_stopped(fixture!("v1.34.0", "status-stopped.out"), false)]
#[case::v1_35_running(fixture!("v1.35.0", "status.out"), true)]
#[case::v1_35_stopped(fixture!("v1.35.0", "status-stopped.out"), false)]
#[case::v1_36_running(fixture!("v1.36.0", "status.out"), true)]
#[case::v1_36_stopped(fixture!("v1.36.0", "status-stopped.out"), false)]
#[case::v1_37_running(fixture!("v1.37.0", "status.out"), true)]
#[case::v1_37_stopped(fixture!("v1.37.0", "status-stopped.out"), false)]
#[case::v1_38_running(fixture!("v1.38.0", "status.out"), true)]
#[case::v1_38_stopped(fixture!("v1.38.0", "status-stopped.out"), false)]
fn status_parses_a_single_node_object(#[case] json: &str, #[case] running: bool) {
    let nodes = parse::status(json).unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0].name, "minikube");
    assert!(!nodes[0].worker);
    assert_eq!(nodes[0].is_running(), running);
    let want = if running { "Configured" } else { "Stopped" };
    assert_eq!(nodes[0].kubeconfig, want);
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "status-multinode.out"))]
#[case::v1_33(fixture!("v1.33.0", "status-multinode.out"))]
#[case::v1_34(fixture!("v1.34.0", "status-multinode.out"))]
#[case::v1_35(fixture!("v1.35.0", "status-multinode.out"))]
#[case::v1_36(fixture!("v1.36.0", "status-multinode.out"))]
#[case::v1_37(fixture!("v1.37.0", "status-multinode.out"))]
#[case::v1_38(fixture!("v1.38.0", "status-multinode.out"))]
fn status_parses_a_multi_node_array(#[case] json: &str) {
    let nodes = parse::status(json).unwrap();
    assert_eq!(nodes.len(), 2);
    assert_eq!(nodes[1].name, "dev-m02");
    assert!(nodes[1].worker && nodes[1].is_running());
    assert_eq!(nodes[1].apiserver, "Irrelevant");
}

#[test]
fn status_missing_field_names_it() {
    let err = parse::status(r#"{"Name":"minikube","Host":"Running"}"#).unwrap_err();
    assert!(err.contains("missing field `Kubelet`"), "{err}");
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "addons-list.out"), "helm-tiller")]
#[case::v1_33(fixture!("v1.33.0", "addons-list.out"), "yakd")]
#[case::v1_34(fixture!("v1.34.0", "addons-list.out"), "volcano")]
#[case::v1_35(fixture!("v1.35.0", "addons-list.out"), "amd-gpu-device-plugin")]
#[case::v1_36(fixture!("v1.36.0", "addons-list.out"), "amd-gpu-device-plugin")]
#[case::v1_37(fixture!("v1.37.0", "addons-list.out"), "kubetail")]
#[case::v1_38(fixture!("v1.38.0", "addons-list.out"), "kubetail")]
fn addons_list_parses_states(#[case] json: &str, #[case] only_here: &str) {
    let addons = parse::addons(json).unwrap();
    let enabled: Vec<&str> = addons
        .iter()
        .filter(|a| a.enabled)
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(enabled, ["default-storageclass", "storage-provisioner"]);
    assert!(addons.iter().any(|a| a.name == only_here));
    assert!(
        addons
            .iter()
            .all(|a| a.profile.as_deref() == Some("minikube"))
    );
}

#[test]
fn addons_without_a_cluster_are_disabled_and_odd_states_are_errors() {
    let addons = parse::addons(r#"{"dashboard":{},"ingress":{}}"#).unwrap();
    assert!(addons.iter().all(|a| !a.enabled && a.profile.is_none()));
    let err = parse::addons(r#"{"dashboard":{"Status":"maybe"}}"#).unwrap_err();
    assert!(err.contains("`maybe`"), "{err}");
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "docker-env.out"))]
#[case::v1_34(fixture!("v1.34.0", "docker-env.out"))]
fn docker_env_parses_name_value_lines(#[case] text: &str) {
    let env = parse::docker_env(text).unwrap();
    assert_eq!(env.get("DOCKER_HOST"), Some("tcp://192.168.49.2:2376"));
    assert_eq!(env.get("DOCKER_TLS_VERIFY"), Some("1"));
    assert_eq!(env.vars.len(), 4);
    assert_eq!(env.vars[3].0, "MINIKUBE_ACTIVE_DOCKERD");
}

#[test]
fn docker_env_without_docker_host_is_an_error() {
    let err = parse::docker_env("DOCKER_TLS_VERIFY=1\n").unwrap_err();
    assert!(err.contains("DOCKER_HOST"), "{err}");
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "version-short.out"), "v1.32.0")]
#[case::v1_33(fixture!("v1.33.0", "version-short.out"), "v1.33.0")]
#[case::v1_34(fixture!("v1.34.0", "version-short.out"), "v1.34.0")]
#[case::v1_35(fixture!("v1.35.0", "version-short.out"), "v1.35.0")]
#[case::v1_36(fixture!("v1.36.0", "version-short.out"), "v1.36.0")]
#[case::v1_37(fixture!("v1.37.0", "version-short.out"), "v1.37.0")]
#[case::v1_38(fixture!("v1.38.0", "version-short.out"), "v1.38.0")]
#[case::long_form("minikube version: v1.35.0\ncommit: abc\n", "v1.35.0")]
fn version_is_read_from_short_and_long_forms(#[case] text: &str, #[case] want: &str) {
    assert_eq!(parse::version(text).as_deref(), Some(want));
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "status-not-found.out"))]
#[case::v1_33(fixture!("v1.33.0", "status-not-found.out"))]
#[case::v1_34(fixture!("v1.34.0", "status-not-found.out"))]
#[case::v1_35(fixture!("v1.35.0", "status-not-found.out"))]
#[case::v1_36(fixture!("v1.36.0", "status-not-found.out"))]
#[case::v1_37(fixture!("v1.37.0", "status-not-found.out"))]
#[case::v1_38(fixture!("v1.38.0", "status-not-found.out"))]
fn json_error_events_are_reduced_to_their_messages(#[case] stdout: &str) {
    let lines = parse::error_lines(stdout, "");
    assert_eq!(
        lines[0],
        r#"Profile "ghost" not found. Run "minikube profile list" to view all profiles."#
    );
}

#[rstest]
#[case::v1_32(fixture!("v1.32.0", "start-insufficient-cpus.err"))]
#[case::v1_34(fixture!("v1.34.0", "start-insufficient-cpus.err"))]
fn error_lines_prefer_stderr_without_blank_lines(#[case] stderr: &str) {
    let lines = parse::error_lines("😄  minikube v1 on Ubuntu", stderr);
    assert_eq!(lines.len(), 1);
    assert!(lines[0].contains("RSRC_INSUFFICIENT_CORES"), "{lines:?}");
}

#[test]
fn start_options_only_pass_what_is_set() {
    let none = StartOptions::default();
    assert_eq!(
        Minikube::start_args(None, &none),
        ["start"].map(String::from)
    );
    let some = StartOptions {
        driver: "docker".into(),
        cpus: 4,
        memory: "8g".into(),
        kubernetes_version: String::new(),
    };
    assert_eq!(
        Minikube::start_args(Some("dev"), &some),
        [
            "start",
            "-p",
            "dev",
            "--driver=docker",
            "--cpus=4",
            "--memory=8g"
        ]
        .map(String::from)
    );
}

#[test]
fn missing_binary_on_path_is_not_installed_with_the_install_link_and_exit_5() {
    let mk = Minikube::new("devk-test-no-such-minikube");
    let err = mk.profiles().unwrap_err();
    assert!(matches!(err, MinikubeError::NotInstalled { .. }), "{err}");
    assert!(err.to_string().contains(INSTALL_URL));
    assert!(err.to_string().contains("not found on PATH"), "{err}");
    assert_eq!(err.exit(), crate::exit::Exit::NotFound);
    assert!(mk.locate().unwrap_err().is_missing());
}

#[test]
fn a_configured_path_that_does_not_exist_says_so_not_path() {
    let mk = Minikube::new("/nonexistent/mk");
    let err = mk.profiles().unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with("minikube.binary is `/nonexistent/mk`, which does not exist"),
        "{text}"
    );
    assert!(!text.contains("PATH;"), "{text}");
    assert_eq!(err.exit(), crate::exit::Exit::NotFound);
    assert!(matches!(
        mk.locate(),
        Err(MinikubeError::BinaryMissing { .. })
    ));
}

#[test]
fn not_found_profile_is_read_from_the_message() {
    let out = Captured {
        code: 85,
        stdout: fixture!("v1.34.0", "status-not-found.out").to_string(),
        stderr: String::new(),
    };
    assert_eq!(super::not_found_profile(&out, None), "ghost");
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// These two run `sh` in place of minikube: they pin the runner's streaming and
// cancellation, which do not depend on what minikube prints.
#[test]
fn stream_delivers_lines_of_both_pipes_and_reports_the_exit_code() {
    let sh = Minikube::new("sh");
    let args = ["-c", "echo one; echo oops >&2; echo two; exit 29"].map(String::from);
    let mut lines = Vec::new();
    let err = runtime()
        .block_on(sh.stream(&args, |l| lines.push(l), std::future::pending()))
        .unwrap_err();
    let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
    assert!(
        texts.contains(&"one") && texts.contains(&"two"),
        "{texts:?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.stream == Stream::Stderr && l.text == "oops")
    );
    assert_eq!(err.minikube_code(), Some(29));
    let MinikubeError::Failed { lines, .. } = err else {
        panic!("not Failed")
    };
    assert_eq!(lines, ["oops"]);
}

#[test]
fn stream_cancel_interrupts_the_child_promptly() {
    let sh = Minikube::new("sh");
    let args = ["-c", "echo started; exec sleep 30"].map(String::from);
    let started = std::time::Instant::now();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let mut tx = Some(tx);
    let err = runtime()
        .block_on(sh.stream(
            &args,
            |_| {
                if let Some(tx) = tx.take() {
                    let _ = tx.send(());
                }
            },
            async {
                let _ = rx.await;
            },
        ))
        .unwrap_err();
    assert!(matches!(err, MinikubeError::Cancelled { .. }), "{err}");
    assert!(started.elapsed() < std::time::Duration::from_secs(8));
}

#[rstest]
// Up to v1.34: libmachine's state names (cmd/minikube/cmd/config/profile_list.go).
#[case("Running", ProfileState::Running)]
#[case("Stopped", ProfileState::Stopped)]
#[case("Saved", ProfileState::Stopped)]
#[case("Starting", ProfileState::Busy)]
#[case("Stopping", ProfileState::Busy)]
#[case("Timeout", ProfileState::Error)]
// v1.33 and v1.34 HA clusters.
#[case("HAppy", ProfileState::Running)]
#[case("Degraded", ProfileState::Degraded)]
// From v1.35: cluster.GetState names (pkg/minikube/cluster/status.go).
#[case("OK", ProfileState::Running)]
#[case("Warning", ProfileState::Running)]
#[case("Paused", ProfileState::Paused)]
#[case("Pausing", ProfileState::Busy)]
#[case("Unpausing", ProfileState::Busy)]
#[case("Deleting", ProfileState::Busy)]
#[case("NotFound", ProfileState::Stopped)]
#[case("Error", ProfileState::Error)]
#[case("InsufficientStorage", ProfileState::Error)]
#[case("Unknown", ProfileState::Unknown)]
#[case("Skipped", ProfileState::Unknown)]
#[case("", ProfileState::Unknown)]
fn profile_states_of_every_version_are_read(#[case] word: &str, #[case] want: ProfileState) {
    assert_eq!(ProfileState::from_word(word), want);
}

/// What each release's `ClusterConfig` carries (pkg/minikube/config/types.go at the tag):
/// `VMDriver` until v1.32, `Mount` until v1.36, `Rosetta` from v1.38. devk reads none of
/// them, so every release parses the same.
#[rstest]
#[case::v1_32(fixture!("v1.32.0", "profile-list.out"), true, true, false)]
#[case::v1_33(fixture!("v1.33.0", "profile-list.out"), false, true, false)]
#[case::v1_36(fixture!("v1.36.0", "profile-list.out"), false, true, false)]
#[case::v1_37(fixture!("v1.37.0", "profile-list.out"), false, false, false)]
#[case::v1_38(fixture!("v1.38.0", "profile-list.out"), false, false, true)]
fn fixtures_follow_each_releases_cluster_config(
    #[case] json: &str,
    #[case] vm_driver: bool,
    #[case] mount: bool,
    #[case] rosetta: bool,
) {
    let doc: serde_json::Value = serde_json::from_str(json).unwrap();
    let config = &doc["valid"][0]["Config"];
    assert_eq!(config.get("VMDriver").is_some(), vm_driver);
    assert_eq!(config.get("Mount").is_some(), mount);
    assert_eq!(config.get("Rosetta").is_some(), rosetta);
    assert_eq!(parse::profile_list(json).unwrap().len(), 3);
}
