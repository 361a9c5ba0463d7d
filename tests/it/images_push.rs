//! `devk push` and `devk images` against a real dockerd and a real docker-registry with
//! htpasswd auth: credentials from `auths` and from a credential helper, rejected credentials,
//! and the push policy refusing before any request leaves (proved with the registry's log and
//! with an engine address that does not exist).

use crate::images_world::{ECR, World, docker, manifest_puts, text};
use crate::support::devk;

#[test]
fn push_to_a_local_registry_uses_auths_and_is_listed_by_devk_images() {
    let test = "push_to_a_local_registry_uses_auths";
    let Some(w) = World::start(test) else { return };
    let image = format!("{}/app:1", w.reg.addr());
    w.build(test, std::slice::from_ref(&image));
    let cfg = w.auths("good", "dev", "secret");

    let out = w.push(&image, &cfg, false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with(&format!("pushed {image} sha256:")),
        "{}",
        text(&out)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(": Pushed"),
        "per-layer progress:\n{}",
        text(&out)
    );
    assert_eq!(
        manifest_puts(&w.reg.log(), "app", "1"),
        1,
        "{}",
        w.reg.log()
    );

    // The push is recorded and `devk images` shows where the image went.
    let listed = devk(w.home.path())
        .args(["images", "--name", "app"])
        .env("DOCKER_HOST", &w.host)
        .output()
        .unwrap();
    assert_eq!(listed.status.code(), Some(0), "{}", text(&listed));
    let table = String::from_utf8_lossy(&listed.stdout);
    let row = table
        .lines()
        .find(|l| l.starts_with(&image))
        .unwrap_or_else(|| panic!("no row for {image}:\n{table}"));
    assert!(row.ends_with(&image), "pushed-to column: {row}");
    let json = devk(w.home.path())
        .args(["images", "--name", "app", "-o", "json"])
        .env("DOCKER_HOST", &w.host)
        .output()
        .unwrap();
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    let pushed = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["tags"][0] == image.as_str())
        .unwrap()["pushed_to"][0]
        .clone();
    assert_eq!(pushed["reference"], image.as_str());
    assert!(pushed["digest"].as_str().unwrap().starts_with("sha256:"));
    assert!(pushed["pushed_at"].is_string());
}

#[test]
fn rejected_credentials_exit_9_and_say_docker_login() {
    let test = "rejected_credentials_exit_9";
    let Some(w) = World::start(test) else { return };
    let image = format!("{}/app:bad", w.reg.addr());
    w.build(test, std::slice::from_ref(&image));
    let cfg = w.auths("bad", "dev", "not-the-password");
    let out = w.push(&image, &cfg, false);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(9), "{all}");
    assert!(all.contains("rejected the credentials"), "{all}");
    assert!(all.contains(&format!("registry {}", w.reg.addr())), "{all}");
    assert!(
        all.contains(&format!("docker login {}", w.reg.addr())),
        "{all}"
    );
    assert!(
        !all.contains("not-the-password"),
        "the secret leaked: {all}"
    );
    assert_eq!(manifest_puts(&w.reg.log(), "app", "bad"), 0);
}

#[test]
fn push_local_tags_for_the_configured_local_registry_and_pushes() {
    let test = "push_local_tags_for_the_configured_local_registry";
    let Some(w) = World::start(test) else { return };
    let source = format!("apploc-{}:1", std::process::id());
    let target = format!("{}/{source}", w.reg.addr());
    w.build(test, std::slice::from_ref(&source));
    w.tags.borrow_mut().push(target.clone());
    let cfg = w.auths("good", "dev", "secret");
    std::fs::write(
        w.home.path().join("devk.toml"),
        format!("[images]\nlocal_registry = \"{}\"\n", w.reg.addr()),
    )
    .unwrap();
    let mut cmd = devk(w.home.path());
    let out = cmd
        .args(["push", "--local", &source])
        .env("DOCKER_HOST", &w.host)
        .env("DOCKER_CONFIG", &cfg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with(&format!("pushed {target} sha256:")),
        "{}",
        text(&out)
    );
    let repo = source.split(':').next().unwrap();
    assert_eq!(manifest_puts(&w.reg.log(), repo, "1"), 1, "{}", w.reg.log());
}

#[test]
fn the_bollard_push_path_pushes_with_statuses() {
    // The path TLS engines (minikube's daemon) take; here on the plain socket.
    let test = "the_bollard_push_path_pushes";
    let Some(w) = World::start(test) else { return };
    let image = format!("{}/appbollard:1", w.reg.addr());
    w.build(test, std::slice::from_ref(&image));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (statuses, result) = rt.block_on(async {
        let endpoint = devk::images::docker::Endpoint::explicit(&w.host);
        let docker = devk::images::docker::connect_checked(&endpoint)
            .await
            .unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::channel(256);
        let creds = devk::images::dockerconfig::Credentials::Basic {
            username: "dev".into(),
            password: "secret".into(),
        };
        let addr = w.reg.addr();
        let name = format!("{addr}/appbollard");
        let push = devk::images::push::push_bollard(&docker, &name, "1", Some(creds), &addr, &tx);
        let result = push.await;
        drop(tx);
        let mut statuses = Vec::new();
        while let Some(ev) = rx.recv().await {
            statuses.push(ev);
        }
        (statuses, result)
    });
    assert!(result.is_ok(), "{:?}", result.err());
    assert!(
        statuses.iter().any(|e| matches!(
            e,
            devk::images::push_stream::PushEvent::Status(s) if s == "Pushed"
        )),
        "{statuses:?}"
    );
    assert_eq!(manifest_puts(&w.reg.log(), "appbollard", "1"), 1);
}

#[test]
fn an_unreachable_registry_exits_8() {
    let test = "an_unreachable_registry_exits_8";
    let Some(w) = World::start(test) else { return };
    let closed = crate::support::free_port();
    let image = format!("127.0.0.1:{closed}/app:gone");
    w.build(test, std::slice::from_ref(&image));
    let cfg = w.auths("good", "dev", "secret");
    let out = w.push(&image, &cfg, false);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(8), "{all}");
    assert!(
        all.contains(&format!("cannot reach registry 127.0.0.1:{closed}")),
        "{all}"
    );
}

#[test]
fn a_ci_only_registry_in_devk_toml_is_refused_outside_ci_with_no_request() {
    let test = "a_ci_only_registry_in_devk_toml";
    let Some(w) = World::start(test) else { return };
    let image = format!("{}/app:ci", w.reg.addr());
    w.build(test, std::slice::from_ref(&image));
    let cfg = w.auths("good", "dev", "secret");
    std::fs::write(
        w.home.path().join("devk.toml"),
        format!("[policy]\nci_only_registries = [\"{}\"]\n", w.reg.addr()),
    )
    .unwrap();

    let before = w.reg.log();
    let out = w.push(&image, &cfg, false);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(6), "{all}");
    assert!(all.contains("ci-only-registry"), "{all}");
    assert!(all.contains(devk::policy::WHY_CI_ONLY), "{all}");
    assert!(all.contains("minikube image load"), "{all}");
    assert_eq!(w.reg.log(), before, "no request may reach the registry");

    let out = w.push(&image, &cfg, true);
    assert_eq!(out.status.code(), Some(0), "in CI: {}", text(&out));
    assert_eq!(manifest_puts(&w.reg.log(), "app", "ci"), 1);
}

#[test]
fn an_ecr_reference_is_refused_before_the_engine_is_contacted() {
    let test = "an_ecr_reference_is_refused_before_the_engine";
    let Some(w) = World::start(test) else { return };
    let cfg = w.auths("good", "dev", "secret");
    let nowhere = format!("unix://{}/no-such-docker.sock", w.home.path().display());
    // The same missing engine makes an allowed push fail as unreachable (8) ...
    let local = w.push_via(
        &format!("{}/app:x", w.reg.addr()),
        &cfg,
        false,
        &nowhere,
        None,
    );
    assert_eq!(local.status.code(), Some(8), "{}", text(&local));
    // ... so a 6 here means devk refused without trying to reach it.
    for image in [
        format!("{ECR}/app:1"),
        format!("{ECR}/team/app"),
        "public.ecr.aws/team/app:1".to_string(),
    ] {
        let out = w.push_via(&image, &cfg, false, &nowhere, None);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(6), "{image}: {all}");
        assert!(all.contains("ecr-ci-only"), "{all}");
        assert!(all.contains("images for UAT and production are built and pushed by CI"));
        assert!(all.contains("minikube image load"), "{all}");
    }
}

#[test]
fn a_second_ecr_tag_of_the_image_refuses_the_local_push() {
    let test = "a_second_ecr_tag_of_the_image";
    let Some(w) = World::start(test) else { return };
    let image = format!("{}/app:two", w.reg.addr());
    let ecr = format!("{ECR}/app:two");
    w.build(test, &[image.clone(), ecr.clone()]);
    let cfg = w.auths("good", "dev", "secret");
    let before = w.reg.log();
    let out = w.push(&image, &cfg, false);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(6), "{all}");
    assert!(all.contains(&format!("also tagged {ecr}")), "{all}");
    assert!(all.contains(&format!("docker rmi {ecr}")), "{all}");
    assert_eq!(w.reg.log(), before, "no request may reach the registry");

    // Removing the ECR tag, as the advice says, lets the push through.
    docker(&w.host, w.cli_cfg.path(), &["rmi", &ecr]);
    let out = w.push(&image, &cfg, false);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(manifest_puts(&w.reg.log(), "app", "two"), 1);
}

#[test]
fn a_credential_helper_supplies_the_registry_credentials() {
    let test = "a_credential_helper_supplies";
    let Some(w) = World::start(test) else { return };
    let image = format!("{}/app:helper", w.reg.addr());
    w.build(test, std::slice::from_ref(&image));
    let bin = w.home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let asked = w.home.path().join("helper-asked");
    let helper = bin.join("docker-credential-devktest");
    // The documented helper protocol: `get`, the server on stdin, JSON on stdout.
    std::fs::write(
        &helper,
        format!(
            "#!/bin/sh\n[ \"$1\" = get ] || exit 2\nread -r server || true\n\
             printf '%s' \"$server\" > {asked}\n\
             if [ \"$server\" = \"{addr}\" ]; then\n\
             printf '{{\"ServerURL\":\"%s\",\"Username\":\"dev\",\"Secret\":\"secret\"}}' \"$server\"\n\
             else echo 'credentials not found in native keychain'; exit 1; fi\n",
            asked = asked.display(),
            addr = w.reg.addr()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let cfg = w.devk_config(
        "helper",
        &serde_json::json!({"credHelpers": {w.reg.addr(): "devktest"}}),
    );
    let out = w.push_via(&image, &cfg, false, &w.host, Some(&bin));
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(std::fs::read_to_string(&asked).unwrap(), w.reg.addr());
    assert_eq!(manifest_puts(&w.reg.log(), "app", "helper"), 1);
}

#[test]
fn devk_images_without_a_project_name_says_what_to_set() {
    let home = tempfile::tempdir().unwrap();
    let out = devk(home.path()).arg("images").output().unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("[images]") && all.contains("--name"), "{all}");
    let out = devk(home.path())
        .args(["push", "--local", "app:1"])
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(3), "{all}");
    assert!(all.contains("local_registry"), "{all}");
}
