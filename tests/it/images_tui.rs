//! The TUI's Images tab end to end: the real binary in tmux (`devk demo`), a real dockerd and
//! docker-registry: `p` is refused by the policy with nothing sent, then pushes.

use crate::images_world::{ECR, World, docker, manifest_puts};
use crate::support::require_tool;

#[test]
fn the_tui_images_tab_refuses_then_pushes_the_selected_image() {
    let test = "the_tui_images_tab_refuses_then_pushes";
    let Some(tmux) = require_tool("tmux", test) else {
        return;
    };
    let Some(w) = World::start(test) else { return };
    // A name of its own: other tests push `app` images to the same engine at the same time.
    let image = format!("{}/apptui:tui", w.reg.addr());
    let ecr = format!("{ECR}/apptui:tui");
    w.build(test, &[image.clone(), ecr.clone()]);
    let cfg = w.auths("good", "dev", "secret");
    std::fs::write(
        w.home.path().join("devk.toml"),
        "[images]\nname = \"apptui\"\n",
    )
    .unwrap();
    let cmd = format!(
        "sh -c 'cd {home} && exec env -u CI -u JENKINS_URL -u GITHUB_ACTIONS -u GITLAB_CI \
         DOCKER_HOST={host} DOCKER_CONFIG={cfg} {devk} demo --here'",
        home = w.home.path().display(),
        host = w.host,
        cfg = cfg.display(),
        devk = crate::support::devk_bin().display(),
    );
    let t = crate::tui_e2e::Tmux::start(tmux, w.home.path(), &cmd);
    t.wait_for("the demo", |s| s.contains("SIMULATED CLUSTER"));
    t.keys(&["3"]);
    // The ECR tag sorts first; the row says how many more tags it has.
    t.wait_for("the image list", |s| s.contains(&ecr));

    let before = w.reg.log();
    t.keys(&["p"]);
    let s = t.wait_for("the refusal", |s| s.contains("REFUSED"));
    assert!(s.contains("Refused by rule `ecr-ci-only`"), "{s}");
    assert!(s.contains("also tagged"), "{s}");
    assert!(s.contains("Nothing was sent"), "{s}");
    assert!(s.contains("Instead:"), "{s}");
    assert_eq!(w.reg.log(), before, "no request may reach the registry");

    // Without the ECR tag the same key pushes, with per-layer progress.
    docker(&w.host, w.cli_cfg.path(), &["rmi", &ecr]);
    // Separately: ESC followed at once by `r` reads as alt-r.
    t.keys(&["Escape"]);
    t.wait_for("the output to close", |s| !s.contains("REFUSED"));
    t.keys(&["r"]);
    t.wait_for("the list without the ECR tag", |s| {
        s.contains(&format!("{image} "))
    });
    t.keys(&["p"]);
    let s = t.wait_for("the push to finish", |s| s.contains(" done "));
    assert!(s.contains("Pushed"), "{s}");
    assert_eq!(
        manifest_puts(&w.reg.log(), "apptui", "tui"),
        1,
        "{}",
        w.reg.log()
    );
    t.wait_for("the list to show the push", |s| {
        s.lines()
            .any(|l| l.contains(&format!("{image} ")) && !l.contains("not pushed"))
    });
    t.quit();
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let ok = std::process::Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(["-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
        .status
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn the_tui_images_tab_builds_shows_a_failure_loudly_then_lists_the_image() {
    let test = "the_tui_images_tab_builds";
    let Some(tmux) = require_tool("tmux", test) else {
        return;
    };
    require_tool("git", test);
    let Some(w) = World::start(test) else { return };
    let name = format!("apptuib-{}", std::process::id());
    let ctx = w.home.path().join("ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::copy("/bin/busybox", ctx.join("busybox")).unwrap();
    let dockerfile = |step: &str| {
        std::fs::write(
            ctx.join("Dockerfile"),
            format!(
                // ENV first: no cached step is shared with other tests' images.
                "FROM scratch\nENV DEVK_TEST={name}\nCOPY busybox /busybox\n\
                 RUN [\"/busybox\", \"sh\", \"-c\", \"echo checking-{name}; {step}\"]\n"
            ),
        )
        .unwrap();
    };
    dockerfile("echo missing-config; exit 3");
    git(&ctx, &["init", "-q"]);
    git(&ctx, &["add", "."]);
    git(&ctx, &["commit", "-q", "-m", "one"]);
    std::fs::write(
        w.home.path().join("devk.toml"),
        format!("[images]\nname = \"{name}\"\ncontext = \"ctx\"\nminikube = \"never\"\n"),
    )
    .unwrap();
    let cmd = format!(
        "sh -c 'cd {home} && exec env -u CI DOCKER_HOST={host} {devk} demo --here'",
        home = w.home.path().display(),
        host = w.host,
        devk = crate::support::devk_bin().display(),
    );
    let t = crate::tui_e2e::Tmux::start(tmux, w.home.path(), &cmd);
    t.wait_for("the demo", |s| s.contains("SIMULATED CLUSTER"));
    t.keys(&["3"]);
    t.wait_for("the empty list", |s| s.contains("No local images of"));

    t.keys(&["b"]);
    let s = t.wait_for("the failed build", |s| s.contains("FAILED"));
    // The message wraps where the pid puts it; both parts are on screen.
    assert!(s.contains("returned a") && s.contains("code: 3"), "{s}");
    assert!(
        s.contains("missing-config"),
        "the failing step's output: {s}"
    );

    // Fixed (and so dirty): the same key builds and the image appears in the list.
    dockerfile("true");
    t.keys(&["Escape"]);
    t.wait_for("the output to close", |s| !s.contains("FAILED"));
    t.keys(&["b"]);
    let s = t.wait_for("the build to finish", |s| s.contains(" done "));
    assert!(s.contains(&format!("Built {name}:")), "{s}");
    let s = t.wait_for("the image in the list", |s| {
        s.lines()
            .any(|l| l.contains(&format!("{name}:")) && l.contains("not pushed"))
    });
    let tag = s
        .split_whitespace()
        .find(|w| w.starts_with(&format!("{name}:")))
        .unwrap()
        .to_string();
    w.tags.borrow_mut().push(tag.clone());
    assert!(tag.ends_with("-dirty"), "{tag}");
    t.quit();
}
