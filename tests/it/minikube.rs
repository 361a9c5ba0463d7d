//! `devk minikube` against RECORDED minikube outputs, not a real minikube (it cannot be
//! installed here). `tests/fixtures/minikube/fake-minikube` is put first on PATH as
//! `minikube`; it replays outputs rebuilt from the source of minikube v1.32.0 to v1.38.0 (see the
//! fixtures' README),
//! streams long operations line by line with small delays, fails with minikube's own error
//! text and exit code where a test asks for it, and records its arguments to a file.

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Run, devk, kubeconfig, run};

/// Every supported release; each directory is rebuilt from minikube's source at that tag.
const VERSIONS: [&str; 7] = [
    "v1.32.0", "v1.33.0", "v1.34.0", "v1.35.0", "v1.36.0", "v1.37.0", "v1.38.0",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minikube")
}

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Home {
        let home = Home {
            dir: tempfile::tempdir().unwrap(),
        };
        let bin = home.path().join("bin");
        fs::create_dir_all(&bin).unwrap();
        std::os::unix::fs::symlink(fixtures().join("fake-minikube"), bin.join("minikube")).unwrap();
        home
    }
    fn path(&self) -> &Path {
        self.dir.path()
    }
    fn argv_file(&self) -> PathBuf {
        self.path().join("minikube-argv")
    }
    /// Every minikube invocation so far, one line each.
    fn argv(&self) -> String {
        fs::read_to_string(self.argv_file()).unwrap_or_default()
    }
    /// devk with the fake minikube first on PATH, replaying `version`.
    fn cmd(&self, version: &str, args: &[&str]) -> Command {
        let mut cmd = devk(self.path());
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![self.path().join("bin")];
        paths.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(paths).unwrap())
            .env("FAKE_MINIKUBE_DIR", fixtures())
            .env("FAKE_MINIKUBE_VERSION", version)
            .env("FAKE_MINIKUBE_ARGV", self.argv_file())
            .env("FAKE_MINIKUBE_DELAY", "0.01")
            .args(args);
        cmd
    }
    fn devk(&self, version: &str, args: &[&str]) -> Run {
        run(&mut self.cmd(version, args))
    }
}

#[test]
fn recorded_list_shows_valid_and_invalid_profiles_for_each_version() {
    for version in VERSIONS {
        let home = Home::new();
        let r = home.devk(version, &["minikube", "list"]);
        assert_eq!(r.code, 0, "{version}: {r:?}");
        let line = |name: &str| {
            r.stdout
                .lines()
                .find(|l| l.split_whitespace().any(|w| w == name))
                .unwrap_or_else(|| panic!("{version}: no {name} in {r:?}"))
                .to_string()
        };
        assert!(line("minikube").starts_with('*'), "{r:?}");
        assert!(line("dev").contains("Stopped") && line("dev").contains("kvm2"));
        assert!(line("broken").contains("invalid"));
        assert!(home.argv().contains("profile list -o json"));

        let r = home.devk(version, &["mk", "list", "-o", "json"]);
        assert_eq!(r.code, 0, "{r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 3);
        assert_eq!(v[0]["name"], "minikube");
        assert_eq!(v[0]["ip"], "192.168.49.2");
        // ActiveKubeContext exists since v1.33.
        assert_eq!(v[0]["active_kube_context"], version != "v1.32.0");
    }
}

#[test]
fn recorded_status_running_and_stopped_for_each_version() {
    for version in VERSIONS {
        let home = Home::new();
        let r = home.devk(version, &["mk", "status", "minikube"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(r.stdout.contains("control-plane") && r.stdout.contains("Configured"));
        assert!(home.argv().contains("status -o json -p minikube"));

        // minikube exits 7 for a stopped cluster; devk reports the state and succeeds.
        let mut cmd = home.cmd(version, &["mk", "status", "-o", "json"]);
        cmd.env("FAKE_MINIKUBE_CASE_STATUS", "status-stopped");
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{r:?}");
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        assert_eq!(v[0]["host"], "Stopped");
    }
}

#[test]
fn recorded_status_of_unknown_profile_exits_5() {
    let home = Home::new();
    let mut cmd = home.cmd("v1.34.0", &["mk", "status", "ghost"]);
    cmd.env("FAKE_MINIKUBE_CASE_STATUS", "status-not-found");
    let r = run(&mut cmd);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("no profile `ghost`"), "{r:?}");
}

#[test]
fn recorded_addons_list_for_each_version() {
    for version in VERSIONS {
        let home = Home::new();
        let r = home.devk(version, &["mk", "addons"]);
        assert_eq!(r.code, 0, "{r:?}");
        let enabled: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.ends_with(" enabled"))
            .filter_map(|l| l.split_whitespace().next())
            .collect();
        assert_eq!(enabled, ["default-storageclass", "storage-provisioner"]);
        let r = home.devk(version, &["mk", "addons", "dev", "-o", "json"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(home.argv().contains("addons list -o json -p dev"));
    }
}

#[test]
fn missing_minikube_says_how_to_install_and_exits_5_while_devk_works() {
    let home = Home::new();
    let empty = home.path().join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    for args in [
        &["mk", "list"][..],
        &["mk", "status"],
        &["mk", "start"],
        &["mk", "addons"],
        &["mk", "docker-env"],
        &["mk", "stop"],
    ] {
        let mut cmd = devk(home.path());
        cmd.env("PATH", &empty).args(args);
        let r = run(&mut cmd);
        assert_eq!(r.code, 5, "{args:?}: {r:?}");
        assert!(
            r.stderr.contains("minikube is not installed")
                && r.stderr
                    .contains("https://minikube.sigs.k8s.io/docs/start/"),
            "{r:?}"
        );
    }
    // Nothing else depends on minikube.
    let kc = home.path().join("kubeconfig");
    fs::write(
        &kc,
        kubeconfig(
            Some("minikube"),
            &[("minikube", "mk", "https://127.0.0.1:8443", None)],
        ),
    )
    .unwrap();
    let mut cmd = devk(home.path());
    cmd.env("PATH", &empty)
        .env("KUBECONFIG", &kc)
        .args(["current"]);
    let r = run(&mut cmd);
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (0, "minikube:default\n"),
        "{r:?}"
    );
}

#[test]
fn a_minikube_binary_path_that_does_not_exist_is_named_as_such() {
    let home = Home::new();
    let mut cmd = devk(home.path());
    cmd.args(["--set", "minikube.binary=/nonexistent/mk", "mk", "list"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(
        r.stderr
            .contains("minikube.binary is `/nonexistent/mk`, which does not exist"),
        "{r:?}"
    );
    assert!(!r.stderr.contains("not found on PATH"), "{r:?}");
}

#[test]
fn mk_use_without_minikube_suggests_no_minikube_command() {
    let home = Home::new();
    let empty = home.path().join("empty-bin");
    fs::create_dir_all(&empty).unwrap();
    let kc = home.path().join("kubeconfig");
    fs::write(
        &kc,
        kubeconfig(
            Some("minikube"),
            &[("minikube", "mk", "https://127.0.0.1:8443", None)],
        ),
    )
    .unwrap();
    let mut cmd = devk(home.path());
    cmd.env("PATH", &empty)
        .env("KUBECONFIG", &kc)
        .args(["mk", "use", "foo"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("no context `foo`"), "{r:?}");
    assert!(r.stderr.contains("minikube is not installed"), "{r:?}");
    assert!(
        !r.stderr.contains("minikube start") && !r.stderr.contains("update-context"),
        "suggests a minikube command without minikube: {r:?}"
    );
}

#[test]
fn recorded_start_streams_output_live_with_config_defaults() {
    let home = Home::new();
    fs::write(
        home.path().join("devk.toml"),
        "[minikube]\ndriver = \"docker\"\ncpus = 4\n",
    )
    .unwrap();
    let mut cmd = home.cmd("v1.34.0", &["mk", "start", "dev", "--memory", "4g"]);
    cmd.env("FAKE_MINIKUBE_DELAY", "0.2")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let first_at = started.elapsed();
    let rest: Vec<String> = lines.map(Result::unwrap).collect();
    let status = child.wait().unwrap();
    let total = started.elapsed();
    assert!(status.success());
    assert_eq!(first, "😄  minikube v1.34.0 on Ubuntu 20.04 (docker/amd64)");
    assert!(rest.last().unwrap().starts_with("🏄  Done!"), "{rest:?}");
    // 15 lines 0.2 s apart: the first must be shown long before minikube finishes.
    assert!(
        first_at + Duration::from_millis(1500) < total,
        "first line after {first_at:?}, end after {total:?}"
    );
    assert!(
        home.argv()
            .contains("start -p dev --driver=docker --cpus=4 --memory=4g"),
        "{}",
        home.argv()
    );
}

#[test]
fn recorded_failing_start_shows_minikube_error_lines_and_exit_code() {
    for version in VERSIONS {
        let home = Home::new();
        let mut cmd = home.cmd(version, &["mk", "start", "--cpus", "1"]);
        cmd.env("FAKE_MINIKUBE_CASE_START", "start-insufficient-cpus");
        let r = run(&mut cmd);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains(
                "Exiting due to RSRC_INSUFFICIENT_CORES: Requested cpu count 1 is less than the minimum allowed of 2"
            ),
            "{r:?}"
        );
        assert!(r.stderr.contains("minikube exit code 29"), "{r:?}");
    }
}

#[test]
fn recorded_addons_enable_streams_and_passes_the_profile() {
    let home = Home::new();
    let r = home.devk(
        "v1.34.0",
        &["mk", "addons", "enable", "metrics-server", "-p", "dev"],
    );
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stdout.contains("The 'metrics-server' addon is enabled"),
        "{r:?}"
    );
    assert!(home.argv().contains("addons enable metrics-server -p dev"));
}

#[test]
fn recorded_docker_env_prints_lines_for_eval() {
    for version in VERSIONS {
        let home = Home::new();
        let mut cmd = home.cmd(version, &["mk", "docker-env", "minikube"]);
        cmd.env("SHELL", "/bin/bash");
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout
                .contains("export DOCKER_HOST=\"tcp://192.168.49.2:2376\"\n"),
            "{r:?}"
        );
        assert!(home.argv().contains("docker-env --shell none -p minikube"));
        // What `eval "$(devk minikube docker-env)"` leaves in a shell.
        let out = Command::new("sh")
            .args([
                "-c",
                "eval \"$1\"; echo \"$DOCKER_HOST|$DOCKER_CERT_PATH|$MINIKUBE_ACTIVE_DOCKERD\"",
                "sh",
                &r.stdout,
            ])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            "tcp://192.168.49.2:2376|/home/dev/.minikube/certs|minikube\n"
        );
    }
    let home = Home::new();
    let mut cmd = home.cmd("v1.34.0", &["mk", "docker-env"]);
    cmd.env("SHELL", "/usr/bin/fish");
    let r = run(&mut cmd);
    assert!(
        r.stdout
            .contains("set -gx DOCKER_HOST \"tcp://192.168.49.2:2376\";"),
        "{r:?}"
    );
}

#[test]
fn recorded_use_sets_minikube_profile_and_switches_kube_context() {
    let home = Home::new();
    let kc = home.path().join("kubeconfig");
    fs::write(
        &kc,
        kubeconfig(
            Some("minikube"),
            &[
                ("minikube", "minikube", "https://192.168.49.2:8443", None),
                ("dev", "dev", "https://192.168.39.12:8443", None),
            ],
        ),
    )
    .unwrap();
    let mut cmd = home.cmd("v1.34.0", &["mk", "use", "dev"]);
    cmd.env("KUBECONFIG", &kc);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(home.argv().contains("profile dev"), "{}", home.argv());
    let mut cmd = devk(home.path());
    cmd.env("KUBECONFIG", &kc)
        .args(["current", "-o", "context"]);
    let r = run(&mut cmd);
    assert_eq!(r.stdout, "dev\n", "{r:?}");

    // A profile without a context changes nothing, minikube included.
    let mut cmd = home.cmd("v1.34.0", &["mk", "use", "ghost"]);
    cmd.env("KUBECONFIG", &kc);
    let r = run(&mut cmd);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(!home.argv().contains("profile ghost"));
}

#[test]
fn recorded_delete_is_refused_without_yes_when_there_is_no_terminal() {
    let home = Home::new();
    let r = home.devk("v1.34.0", &["mk", "delete", "dev"]);
    assert_eq!(r.code, 6, "{r:?}");
    assert!(r.stderr.contains("pass --yes"), "{r:?}");
    assert!(!home.argv().contains("delete"), "{}", home.argv());

    let r = home.devk("v1.34.0", &["mk", "delete", "dev", "--yes"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stdout.contains("Removed all traces"), "{r:?}");
    assert!(home.argv().contains("delete -p dev"));
}
