//! Shared helpers for the integration tests.

use std::path::PathBuf;
use std::process::Command;

/// Path to the devk binary built for these tests.
pub fn devk_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_devk"))
}

/// True when the test script promised that every service is present.
pub fn services_required() -> bool {
    std::env::var("DEVK_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// Returns the path of an external tool, or `None` after printing that the test is skipped.
/// Under the test script (DEVK_REQUIRE_SERVICES=1) a missing tool fails the test instead.
pub fn require_tool(name: &str, test: &str) -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(name))
            .find(|p| p.is_file())
    });
    match found {
        Some(p) => Some(p),
        None if services_required() => {
            panic!("{test}: `{name}` is required under scripts/test but is not on PATH")
        }
        None => {
            eprintln!("SKIPPED {test}: `{name}` not on PATH (run scripts/test to install it)");
            None
        }
    }
}

/// A `devk` command with an isolated HOME and XDG dirs, so tests never touch the real user's
/// files.
pub fn devk(home: &std::path::Path) -> Command {
    let mut cmd = Command::new(devk_bin());
    isolate(&mut cmd, home);
    cmd
}

/// The variables devk's CI detection reads (src/policy/ci.rs): a test sets them itself or they
/// are not there, so a test run inside CI behaves as on a developer's machine.
pub const CI_VARS: &[&str] = &[
    "CI",
    "JENKINS_URL",
    "BUILD_ID",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CODEBUILD_BUILD_ID",
    "CIRCLECI",
    "TF_BUILD",
];

/// Points HOME and the XDG base dirs of `cmd` into `home` and clears variables that would leak
/// the developer's own setup (or the CI machine's) into a test.
pub fn isolate(cmd: &mut Command, home: &std::path::Path) {
    cmd.env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_STATE_HOME", home.join(".local/state"))
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env_remove("KUBECONFIG")
        .current_dir(home);
    for v in CI_VARS {
        cmd.env_remove(v);
    }
    for (k, _) in std::env::vars() {
        if k.starts_with("DEVK_") && k != "DEVK_REQUIRE_SERVICES" {
            cmd.env_remove(k);
        }
    }
}

/// A kubeconfig text with `contexts` as (name, cluster, server, namespace), one token user,
/// and `current` as current-context.
pub fn kubeconfig(current: Option<&str>, contexts: &[(&str, &str, &str, Option<&str>)]) -> String {
    let mut s = String::from("apiVersion: v1\nkind: Config\n");
    if let Some(c) = current {
        s.push_str(&format!("current-context: {c}\n"));
    }
    s.push_str("clusters:\n");
    let mut seen = Vec::new();
    for (_, cluster, server, _) in contexts {
        if !seen.contains(cluster) {
            seen.push(*cluster);
            s.push_str(&format!(
                "- name: {cluster}\n  cluster:\n    server: {server}\n"
            ));
        }
    }
    s.push_str("contexts:\n");
    for (name, cluster, _, ns) in contexts {
        s.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {cluster}\n    user: dev\n"
        ));
        if let Some(ns) = ns {
            s.push_str(&format!("    namespace: {ns}\n"));
        }
    }
    s.push_str("users:\n- name: dev\n  user:\n    token: not-a-real-token\n");
    s
}

/// The output of a finished command, for assertions.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `cmd` to completion with stdin closed.
pub fn run(cmd: &mut Command) -> Run {
    let out = cmd
        .stdin(std::process::Stdio::null())
        .output()
        .expect("spawn command");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Reads a service address that scripts/services.sh exported, or skips (plain `cargo test`) /
/// fails (under scripts/test) like `require_tool`.
fn service_env(var: &str, what: &str, test: &str) -> Option<String> {
    match std::env::var(var) {
        Ok(v) if !v.is_empty() => Some(v),
        _ if services_required() => {
            panic!("{test}: {what} is required under scripts/test but {var} is not set")
        }
        _ => {
            eprintln!(
                "SKIPPED {test}: {what} not running ({var} unset; \
                 run scripts/test, or eval \"$(scripts/services.sh up)\")"
            );
            None
        }
    }
}

/// The Docker Engine the test script started (a `unix://` DOCKER_HOST), if any.
pub fn docker_host(test: &str) -> Option<String> {
    service_env("DEVK_TEST_DOCKER_HOST", "the Docker Engine", test)
}

/// The base URL of the moto_server (ECR API) the test script started, if any.
pub fn moto_url(test: &str) -> Option<String> {
    service_env("DEVK_TEST_MOTO_URL", "moto_server (ECR API)", test)
}

/// The statically linked busybox (Debian busybox-static): the only binary `FROM scratch` test
/// images need for their RUN steps.
pub fn busybox(test: &str) -> Option<PathBuf> {
    let p = PathBuf::from("/bin/busybox");
    if p.is_file() {
        return Some(p);
    }
    if services_required() {
        panic!("{test}: /bin/busybox (busybox-static) is required under scripts/test");
    }
    eprintln!("SKIPPED {test}: /bin/busybox (busybox-static) is missing");
    None
}

/// A real docker-registry (Debian's distribution 2.8) with htpasswd basic auth on a free
/// loopback port, private to one test: its log holds every request it received. Killed on drop.
pub struct Registry {
    child: std::process::Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts a registry accepting `users` as (name, password), or skips/fails when
    /// docker-registry or htpasswd is missing.
    pub fn start(test: &str, users: &[(&str, &str)]) -> Option<Registry> {
        let registry = require_tool("docker-registry", test)?;
        let htpasswd = require_tool("htpasswd", test)?;
        let dir = tempfile::tempdir().expect("registry temp dir");
        let mut passwd = String::new();
        for (user, pass) in users {
            // -B: bcrypt, the only hash distribution accepts.
            let out = Command::new(&htpasswd)
                .args(["-Bbn", user, pass])
                .output()
                .expect("run htpasswd");
            assert!(out.status.success(), "htpasswd failed for {user}");
            passwd.push_str(String::from_utf8_lossy(&out.stdout).trim());
            passwd.push('\n');
        }
        std::fs::write(dir.path().join("htpasswd"), passwd).expect("write htpasswd");
        let port = free_port();
        let config = format!(
            "version: 0.1\nlog:\n  level: info\n  accesslog:\n    disabled: false\n\
             storage:\n  filesystem:\n    rootdirectory: {root}\n  delete:\n    enabled: true\n\
             http:\n  addr: 127.0.0.1:{port}\n\
             auth:\n  htpasswd:\n    realm: devk-test\n    path: {pw}\n",
            root = dir.path().join("data").display(),
            pw = dir.path().join("htpasswd").display(),
        );
        let config_path = dir.path().join("config.yml");
        std::fs::write(&config_path, config).expect("write registry config");
        let log = std::fs::File::create(dir.path().join("registry.log")).expect("registry log");
        let child = Command::new(registry)
            .arg("serve")
            .arg(&config_path)
            .stdin(std::process::Stdio::null())
            .stdout(log.try_clone().expect("clone log handle"))
            .stderr(log)
            .spawn()
            .expect("start docker-registry");
        let reg = Registry { child, port, dir };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "docker-registry did not listen on {port}; log:\n{}",
                reg.log()
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        Some(reg)
    }

    /// "127.0.0.1:PORT": the registry part of image references pushed here.
    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Everything the registry logged so far (one access-log line per request).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("registry.log")).unwrap_or_default()
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP port on 127.0.0.1 that was free a moment ago.
pub fn free_port() -> u16 {
    let l = std::net::TcpListener::bind(("127.0.0.1", 0)).expect("bind a free port");
    l.local_addr().expect("local addr").port()
}
