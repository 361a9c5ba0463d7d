//! What the image push tests share: the test engine (docker CLI), a docker-registry with
//! htpasswd users, temp Docker configs, and images built FROM scratch and removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{Registry, busybox, devk, docker_host, require_tool};

pub(crate) const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

static BUILDS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The docker CLI on the test engine, with an empty Docker config of its own.
pub(crate) fn docker(host: &str, cfg: &Path, args: &[&str]) -> Output {
    let out = Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", host)
        .env("DOCKER_CONFIG", cfg)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("run docker");
    assert!(
        out.status.success(),
        "docker {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Everything one test needs: the engine, a registry, and temp dirs.
pub(crate) struct World {
    pub(crate) host: String,
    pub(crate) reg: Registry,
    pub(crate) home: tempfile::TempDir,
    pub(crate) cli_cfg: tempfile::TempDir,
    /// Tags this test made on the shared engine, removed on drop.
    pub(crate) tags: std::cell::RefCell<Vec<String>>,
}

impl Drop for World {
    fn drop(&mut self) {
        let tags = self.tags.borrow();
        let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
        if !tags.is_empty() {
            let _ = Command::new("docker")
                .args(["rmi", "-f"])
                .args(tags.iter())
                .env("DOCKER_HOST", &self.host)
                .env("DOCKER_CONFIG", self.cli_cfg.path())
                .output();
        }
    }
}

impl World {
    pub(crate) fn start(test: &str) -> Option<World> {
        require_tool("docker", test)?;
        let host = docker_host(test)?;
        busybox(test)?;
        let reg = Registry::start(test, &[("dev", "secret")])?;
        Some(World {
            host,
            reg,
            home: tempfile::tempdir().unwrap(),
            cli_cfg: tempfile::tempdir().unwrap(),
            tags: Default::default(),
        })
    }

    /// Builds a FROM scratch image with busybox and a file unique to `test`, tagged `tags`.
    pub(crate) fn build(&self, test: &str, tags: &[String]) {
        let ctx = scratch_context(test);
        self.tags.borrow_mut().extend(tags.iter().cloned());
        // One build or removal at a time on the shared engine.
        let _one = BUILDS.lock().unwrap_or_else(|e| e.into_inner());
        let mut args = vec!["build", "-q"];
        for t in tags {
            args.extend(["-t", t.as_str()]);
        }
        let dir = ctx.path().display().to_string();
        args.push(&dir);
        docker(&self.host, self.cli_cfg.path(), &args);
    }

    /// A Docker config dir for devk holding `config` as config.json.
    pub(crate) fn devk_config(&self, name: &str, config: &serde_json::Value) -> PathBuf {
        let dir = self.home.path().join(name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.json"), config.to_string()).unwrap();
        dir
    }

    pub(crate) fn auths(&self, name: &str, user: &str, pass: &str) -> PathBuf {
        let auth = devk::encoding::base64_encode(format!("{user}:{pass}").as_bytes());
        self.devk_config(
            name,
            &serde_json::json!({"auths": {self.reg.addr(): {"auth": auth}}}),
        )
    }

    pub(crate) fn push(&self, image: &str, cfg: &Path, ci: bool) -> Output {
        self.push_via(image, cfg, ci, &self.host, None)
    }

    pub(crate) fn push_via(
        &self,
        image: &str,
        cfg: &Path,
        ci: bool,
        host: &str,
        path_prefix: Option<&Path>,
    ) -> Output {
        let mut cmd = devk(self.home.path());
        cmd.args(["push", image])
            .env("DOCKER_HOST", host)
            .env("DOCKER_CONFIG", cfg);
        // `devk` isolates the environment, CI variables included.
        if ci {
            cmd.env("CI", "true");
        }
        if let Some(p) = path_prefix {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut paths = vec![p.to_path_buf()];
            paths.extend(std::env::split_paths(&path));
            cmd.env("PATH", std::env::join_paths(paths).unwrap());
        }
        cmd.output().expect("run devk push")
    }
}

pub(crate) fn text(out: &Output) -> String {
    format!(
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

pub(crate) fn manifest_puts(log: &str, repo: &str, tag: &str) -> usize {
    log.matches(&format!("PUT /v2/{repo}/manifests/{tag} "))
        .count()
}

/// A build context for a FROM scratch image with the static busybox and a file unique to
/// `test` (and this process). The unique file is the first step: no intermediate image is
/// shared with another build, so another test removing its images cannot pull a cached parent
/// from under this one.
pub(crate) fn scratch_context(test: &str) -> tempfile::TempDir {
    let ctx = tempfile::tempdir().unwrap();
    std::fs::copy("/bin/busybox", ctx.path().join("busybox")).unwrap();
    std::fs::write(
        ctx.path().join("id.txt"),
        format!("{test} {}\n", std::process::id()),
    )
    .unwrap();
    std::fs::write(
        ctx.path().join("Dockerfile"),
        "FROM scratch\nCOPY id.txt /id.txt\nCOPY busybox /bin/busybox\n",
    )
    .unwrap();
    ctx
}
