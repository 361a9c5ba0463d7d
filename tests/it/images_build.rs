//! `devk build` against the real Docker Engine that scripts/services.sh starts (no mocks):
//! FROM scratch images whose RUN steps use a copied static busybox. minikube cannot run
//! here: the minikube tests use `tests/fixtures/minikube/fake-minikube` with a docker-env
//! case written per test, pointing at the same real engine (or at minikube's recorded TLS
//! endpoint, to pin the TLS path up to the certificate check).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Run, busybox, devk, docker_host, kubeconfig, require_tool, run};

struct Project {
    home: tempfile::TempDir,
    host: String,
}

impl Project {
    /// A home with a `ctx` directory holding busybox, or `None` when the engine is absent.
    fn new(test: &str) -> Option<Project> {
        let host = docker_host(test)?;
        let bb = busybox(test)?;
        require_tool("docker", test)?;
        let home = tempfile::tempdir().unwrap();
        let ctx = home.path().join("ctx");
        fs::create_dir_all(&ctx).unwrap();
        fs::copy(bb, ctx.join("busybox")).unwrap();
        Some(Project { home, host })
    }

    fn ctx(&self) -> PathBuf {
        self.home.path().join("ctx")
    }

    fn put(&self, rel: &str, body: &str) {
        let p = self.ctx().join(rel);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, body).unwrap();
    }

    fn devk(&self, args: &[&str]) -> Run {
        let mut cmd = devk(self.home.path());
        cmd.env("DOCKER_HOST", &self.host)
            .current_dir(self.ctx())
            .arg("build")
            .args(args);
        run(&mut cmd)
    }

    /// True when `reference` names a local image that carries that tag.
    fn has_tag(&self, reference: &str) -> bool {
        self.repo_tags(reference).iter().any(|t| t == reference)
    }

    /// `docker image inspect` of `reference`'s tags (empty when the image is absent). Other
    /// tests' tags can show up too: identical builds share the engine's cache and image ID.
    fn repo_tags(&self, reference: &str) -> Vec<String> {
        let out = Command::new("docker")
            .env("DOCKER_HOST", &self.host)
            .args([
                "image",
                "inspect",
                "--format",
                "{{json .RepoTags}}",
                reference,
            ])
            .output()
            .unwrap();
        if !out.status.success() {
            return Vec::new();
        }
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn rmi(&self, references: &[&str]) {
        let _ = Command::new("docker")
            .env("DOCKER_HOST", &self.host)
            .args(["image", "rm", "-f"])
            .args(references)
            .output();
    }
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn build_honours_dockerignore_exceptions_and_keeps_the_ignored_dockerfile_working() {
    let Some(p) = Project::new("build_honours_dockerignore") else {
        return;
    };
    p.put(
        "Dockerfile",
        r#"FROM scratch
COPY . /
RUN ["/busybox", "test", "!", "-e", "/ignored.txt"]
RUN ["/busybox", "test", "!", "-e", "/logs/a.log"]
RUN ["/busybox", "test", "-e", "/logs/keep.log"]
RUN ["/busybox", "test", "!", "-e", "/x.tmp"]
RUN ["/busybox", "test", "-e", "/deep/dir/kept.tmp"]
RUN ["/busybox", "test", "-e", "/app/main.txt"]
RUN ["/busybox", "test", "!", "-e", "/Dockerfile"]
"#,
    );
    p.put(
        ".dockerignore",
        "# the Dockerfile is ignored, yet the build must still find it\nDockerfile\nignored.txt\nlogs\n!logs/keep.log\n**/*.tmp\n!deep/dir/kept.tmp\n",
    );
    p.put("ignored.txt", "secret");
    p.put("logs/a.log", "a");
    p.put("logs/keep.log", "k");
    p.put("x.tmp", "x");
    p.put("deep/dir/kept.tmp", "kept");
    p.put("app/main.txt", "main");
    let r = p.devk(&["-t", "devk-test/ignore:1"]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, "devk-test/ignore:1\n", "{r:?}");
    assert!(r.stderr.contains("context: "), "{r:?}");
    assert!(p.has_tag("devk-test/ignore:1"), "{r:?}");
    p.rmi(&["devk-test/ignore:1"]);
}

/// The files under /c/ of `image` (the context copied with `COPY . /c/`), via docker export.
fn exported_files(p: &Project, image: &str, name: &str) -> Vec<String> {
    let docker = |args: &[&str]| {
        Command::new("docker")
            .env("DOCKER_HOST", &p.host)
            .args(args)
            .output()
            .unwrap()
    };
    let _ = docker(&["rm", "-f", name]);
    let created = docker(&["create", "--name", name, image, "/none"]);
    assert!(created.status.success(), "{created:?}");
    let export = docker(&["export", name]);
    let _ = docker(&["rm", "-f", name]);
    assert!(export.status.success());
    let mut ar = tar::Archive::new(export.stdout.as_slice());
    let mut files: Vec<String> = ar
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
        .filter_map(|p| {
            p.strip_prefix("c/")
                .map(|r| r.trim_end_matches('/').to_string())
        })
        .filter(|p| !p.is_empty())
        .collect();
    files.sort();
    files
}

#[test]
fn the_context_matches_what_the_docker_cli_sends() {
    let Some(p) = Project::new("the_context_matches_the_docker_cli") else {
        return;
    };
    p.put("Dockerfile", "FROM scratch\nCOPY . /c/\n");
    p.put(
        ".dockerignore",
        "# comment\n*.log\n!important.log\n/abs/path\ndocs\n!docs/README.md\ngen\n!*/keep\n\
         **/node_modules\nbuild/**\n!build/keep/**\na/../b\n  spaced  \nDockerfile\n#x.md\n\
         ./dot/./clean\nq?.txt\n[a-c]z.txt\n",
    );
    for f in [
        "app.log",
        "important.log",
        "abs/path/x",
        "abs/other",
        "docs/README.md",
        "docs/other.md",
        "gen/a/keep",
        "lib/keep",
        "x/node_modules/m.js",
        "node_modules/top.js",
        "build/out.o",
        "build/keep/k.o",
        "b/file",
        "spaced",
        "src/main.rs",
        ".hidden",
        "#x.md",
        "dot/clean",
        "dot/other",
        "q1.txt",
        "q12.txt",
        "bz.txt",
        "dz.txt",
    ] {
        p.put(f, f);
    }
    std::os::unix::fs::symlink("src/main.rs", p.ctx().join("link")).unwrap();
    let r = p.devk(&["-t", "devk-test/same:devk"]);
    assert_eq!(r.code, 0, "{r:?}");
    let docker = Command::new("docker")
        .env("DOCKER_HOST", &p.host)
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", "devk-test/same:docker", "."])
        .current_dir(p.ctx())
        .output()
        .unwrap();
    assert!(docker.status.success(), "{docker:?}");
    let ours = exported_files(&p, "devk-test/same:devk", "devk-same-devk");
    let theirs = exported_files(&p, "devk-test/same:docker", "devk-same-docker");
    assert_eq!(ours, theirs);
    // And the rules did something: a few of the ignored and re-included files.
    assert!(ours.contains(&"important.log".to_string()), "{ours:?}");
    assert!(!ours.contains(&"app.log".to_string()), "{ours:?}");
    assert!(ours.contains(&"docs/README.md".to_string()), "{ours:?}");
    assert!(!ours.contains(&"Dockerfile".to_string()), "{ours:?}");
    p.rmi(&["devk-test/same:devk", "devk-test/same:docker"]);
}

#[test]
fn an_ignored_file_is_absent_so_a_step_checking_for_it_fails() {
    // The same check reversed, so the test above cannot pass with `test` broken.
    let Some(p) = Project::new("an_ignored_file_is_absent") else {
        return;
    };
    p.put(
        "Dockerfile",
        "FROM scratch\nCOPY . /\nRUN [\"/busybox\", \"test\", \"-e\", \"/ignored.txt\"]\n",
    );
    p.put(".dockerignore", "ignored.txt\n");
    p.put("ignored.txt", "secret");
    let r = p.devk(&["-t", "devk-test/absent:1"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("returned a non-zero code: 1"), "{r:?}");
}

#[test]
fn long_paths_symlinks_and_modes_arrive_in_the_image() {
    let Some(p) = Project::new("long_paths_symlinks_and_modes") else {
        return;
    };
    let long = format!("{}/{}/file.txt", "a".repeat(120), "b".repeat(120));
    p.put(&long, "deep");
    p.put("bin/tool", "#!/busybox sh\n");
    fs::set_permissions(
        p.ctx().join("bin/tool"),
        std::os::unix::fs::PermissionsExt::from_mode(0o751),
    )
    .unwrap();
    std::os::unix::fs::symlink("bin/tool", p.ctx().join("tool-link")).unwrap();
    p.put(
        "Dockerfile",
        &format!(
            r#"FROM scratch
COPY . /
RUN ["/busybox", "test", "-f", "/{long}"]
RUN ["/busybox", "sh", "-c", "test \"$(/busybox readlink /tool-link)\" = bin/tool"]
RUN ["/busybox", "sh", "-c", "test \"$(/busybox stat -c %a /bin/tool)\" = 751"]
"#
        ),
    );
    let r = p.devk(&["-t", "devk-test/entries:1"]);
    assert_eq!(r.code, 0, "{r:?}");
    p.rmi(&["devk-test/entries:1"]);
}

#[test]
fn build_args_reach_the_build_and_target_selects_the_stage() {
    let Some(p) = Project::new("build_args_and_target") else {
        return;
    };
    p.put(
        "Dockerfile",
        r#"FROM scratch AS base
LABEL devk.test=args
COPY busybox /busybox
ARG GREETING=unset
RUN ["/busybox", "sh", "-c", "test \"$GREETING\" = hello && echo greeting-is-$GREETING"]

FROM base AS final
RUN ["/busybox", "sh", "-c", "echo final-stage-ran; exit 7"]
"#,
    );
    let r = p.devk(&[
        "--target",
        "base",
        "--build-arg",
        "GREETING=hello",
        "-t",
        "devk-test/args:base",
    ]);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(r.stderr.contains("greeting-is-hello"), "{r:?}");
    assert!(!r.stderr.contains("final-stage-ran"), "{r:?}");
    assert!(p.has_tag("devk-test/args:base"), "{r:?}");

    // Without the argument the ARG default fails the check; without --target the last
    // stage runs.
    let r = p.devk(&["--target", "base", "-t", "devk-test/args:noarg"]);
    assert_eq!(r.code, 1, "{r:?}");
    let r = p.devk(&[
        "--build-arg",
        "GREETING=hello",
        "-t",
        "devk-test/args:final",
    ]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("final-stage-ran"), "{r:?}");
    p.rmi(&["devk-test/args:base"]);
}

#[test]
fn failing_run_step_exits_1_with_the_error_and_the_lines_before_it() {
    let Some(p) = Project::new("failing_run_step") else {
        return;
    };
    p.put(
        "Dockerfile",
        r#"FROM scratch
LABEL devk.test=failing
COPY busybox /busybox
RUN ["/busybox", "sh", "-c", "echo preparing-widgets; echo about-to-fail; exit 3"]
RUN ["/busybox", "echo", "never-reached"]
"#,
    );
    let r = p.devk(&["-t", "devk-test/fail:1"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert_eq!(r.stdout, "", "{r:?}");
    let block = r
        .stderr
        .split("--- last lines of the failing step ---")
        .nth(1)
        .unwrap_or_else(|| panic!("no context block: {r:?}"));
    assert!(block.contains("| Step 4/5 : RUN"), "{r:?}");
    assert!(block.contains("| preparing-widgets"), "{r:?}");
    assert!(block.contains("| about-to-fail"), "{r:?}");
    assert!(block.contains("devk: build failed: The command"), "{r:?}");
    assert!(block.contains("returned a non-zero code: 3"), "{r:?}");
    assert!(!r.stderr.contains("never-reached"), "{r:?}");
    assert!(p.repo_tags("devk-test/fail:1").is_empty());
}

#[test]
fn tags_come_from_git_sha_dirty_state_and_branch() {
    let Some(p) = Project::new("tags_come_from_git") else {
        return;
    };
    let ctx = p.ctx();
    p.put(
        "Dockerfile",
        "FROM scratch\nLABEL devk.test=tags\nCOPY busybox /busybox\n",
    );
    p.put(
        "devk.toml",
        "[images]\nname = \"devk-test/gitapp\"\nbranch_tag = true\n",
    );
    git(&ctx, &["init", "-q"]);
    git(&ctx, &["checkout", "-q", "-b", "feature/JIRA-12+Login"]);
    git(&ctx, &["add", "."]);
    git(&ctx, &["commit", "-q", "-m", "first"]);
    let sha = String::from_utf8(
        Command::new("git")
            .args(["rev-parse", "--short", "HEAD"])
            .current_dir(&ctx)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap()
    .trim()
    .to_string();

    let clean = format!("devk-test/gitapp:{sha}");
    let r = p.devk(&[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(
        r.stdout,
        format!("{clean}\ndevk-test/gitapp:feature-JIRA-12-Login\n"),
        "{r:?}"
    );
    // One image carrying both tags.
    let tags = p.repo_tags(&clean);
    assert!(tags.contains(&clean), "{tags:?}");
    assert!(
        tags.contains(&"devk-test/gitapp:feature-JIRA-12-Login".to_string()),
        "{tags:?}"
    );

    p.put(
        "Dockerfile",
        "FROM scratch\nLABEL devk.test=tags\nCOPY busybox /bin/busybox\n",
    );
    let dirty = format!("devk-test/gitapp:{sha}-dirty");
    let r = p.devk(&[]);
    assert_eq!(r.code, 0, "{r:?}");
    assert_eq!(r.stdout, format!("{dirty}\n"), "{r:?}");
    assert!(r.stderr.contains("branch tag left out"), "{r:?}");
    assert!(p.has_tag(&dirty), "{r:?}");
    p.rmi(&[&clean, "devk-test/gitapp:feature-JIRA-12-Login", &dirty]);
}

#[test]
fn without_git_or_tags_the_build_says_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    let ctx = home.path().join("ctx");
    fs::create_dir_all(&ctx).unwrap();
    fs::write(ctx.join("Dockerfile"), "FROM scratch\n").unwrap();
    let mut cmd = devk(home.path());
    cmd.current_dir(&ctx).args(["build", "--name", "app"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 5, "{r:?}");
    assert!(r.stderr.contains("not inside a git repository"), "{r:?}");
    assert!(r.stderr.contains("-t TAG"), "{r:?}");
    let mut cmd = devk(home.path());
    cmd.current_dir(&ctx).args(["build", "-t", "v1"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stderr.contains("[images]"), "{r:?}");
}

#[test]
fn an_unreachable_engine_names_the_socket_and_exits_8() {
    let home = tempfile::tempdir().unwrap();
    let ctx = home.path().join("ctx");
    fs::create_dir_all(&ctx).unwrap();
    fs::write(ctx.join("Dockerfile"), "FROM scratch\n").unwrap();
    let mut cmd = devk(home.path());
    cmd.env("DOCKER_HOST", "unix:///nonexistent/devk/docker.sock")
        .current_dir(&ctx)
        .args(["build", "-t", "app:1"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 8, "{r:?}");
    assert!(r.stderr.contains("/nonexistent/devk/docker.sock"), "{r:?}");
    assert!(r.stderr.contains("from DOCKER_HOST"), "{r:?}");
}

/// A fake minikube (recorded outputs) whose docker-env case is written by the test.
fn fake_minikube(home: &Path, docker_env: &str) -> PathBuf {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minikube");
    let dir = home.join("mk-fixtures/v1.34.0");
    fs::create_dir_all(&dir).unwrap();
    fs::copy(
        fixtures.join("v1.34.0/profile-list.out"),
        dir.join("profile-list.out"),
    )
    .unwrap();
    fs::write(dir.join("docker-env.out"), docker_env).unwrap();
    fixtures.join("fake-minikube")
}

fn minikube_home(p: &Project, docker_env: &str) -> (PathBuf, PathBuf) {
    let fake = fake_minikube(p.home.path(), docker_env);
    let cfg = p.home.path().join(".config/devk");
    fs::create_dir_all(&cfg).unwrap();
    fs::write(
        cfg.join("config.toml"),
        format!("[minikube]\nbinary = \"{}\"\n", fake.display()),
    )
    .unwrap();
    (fake, p.home.path().join("mk-fixtures"))
}

#[test]
fn build_goes_into_the_minikube_daemon_from_docker_env() {
    let Some(p) = Project::new("build_into_minikube") else {
        return;
    };
    p.put(
        "Dockerfile",
        "FROM scratch\nLABEL devk.test=minikube\nCOPY busybox /busybox\n",
    );
    let env = format!("DOCKER_HOST={}\nMINIKUBE_ACTIVE_DOCKERD=minikube\n", p.host);
    let (_, fixtures) = minikube_home(&p, &env);
    let argv = p.home.path().join("argv");
    let kube = p.home.path().join(".kube");
    fs::create_dir_all(&kube).unwrap();
    fs::write(
        kube.join("config"),
        kubeconfig(
            Some("minikube"),
            &[("minikube", "minikube", "https://192.168.49.2:8443", None)],
        ),
    )
    .unwrap();
    // DOCKER_HOST points nowhere: only minikube's docker-env can make this build work.
    let mut cmd = devk(p.home.path());
    cmd.env("DOCKER_HOST", "unix:///nonexistent/not-minikube.sock")
        .env("FAKE_MINIKUBE_DIR", &fixtures)
        .env("FAKE_MINIKUBE_ARGV", &argv)
        .current_dir(p.ctx())
        .args(["build", "-t", "devk-test/mk:auto"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains("building into minikube's Docker daemon"),
        "{r:?}"
    );
    assert!(r.stderr.contains("minikube profile `minikube`"), "{r:?}");
    let calls = fs::read_to_string(&argv).unwrap();
    assert!(
        calls.contains("docker-env --shell none -p minikube"),
        "{calls}"
    );
    assert!(p.has_tag("devk-test/mk:auto"), "{r:?}");

    // --into local overrides "auto": the environment's (broken) engine is used.
    let mut cmd = devk(p.home.path());
    cmd.env("DOCKER_HOST", "unix:///nonexistent/not-minikube.sock")
        .env("FAKE_MINIKUBE_DIR", &fixtures)
        .current_dir(p.ctx())
        .args(["build", "--into", "local", "-t", "devk-test/mk:local"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 8, "{r:?}");
    p.rmi(&["devk-test/mk:auto"]);
}

#[test]
fn minikube_tls_endpoint_needs_its_certificates() {
    // The recorded v1.34.0 docker-env: tcp://192.168.49.2:2376 with DOCKER_TLS_VERIFY and a
    // cert path that does not exist here, so devk stops at the certificate check.
    let home = tempfile::tempdir().unwrap();
    let ctx = home.path().join("ctx");
    fs::create_dir_all(&ctx).unwrap();
    fs::write(ctx.join("Dockerfile"), "FROM scratch\n").unwrap();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minikube");
    let cfg = home.path().join(".config/devk");
    fs::create_dir_all(&cfg).unwrap();
    fs::write(
        cfg.join("config.toml"),
        format!(
            "[minikube]\nbinary = \"{}\"\n",
            fixtures.join("fake-minikube").display()
        ),
    )
    .unwrap();
    let mut cmd = devk(home.path());
    cmd.current_dir(&ctx)
        .args(["build", "--into", "minikube", "-t", "app:1"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 3, "{r:?}");
    assert!(
        r.stderr.contains("/home/dev/.minikube/certs/ca.pem"),
        "{r:?}"
    );
    assert!(r.stderr.contains("tcp://192.168.49.2:2376"), "{r:?}");
}
