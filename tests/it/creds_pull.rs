//! The pull secret devk writes works with a real registry and the real dockerd.
//!
//! moto's GetAuthorizationToken always answers with the proxy endpoint
//! `https://123456789012.dkr.ecr.eu-west-1.amazonaws.com`, which devk cannot (and must not)
//! change, and no ECR registry exists here. So the test stands a local docker-registry in for
//! ECR: it accepts the user `AWS` with moto's token as password (exactly what ECR checks), and
//! the test takes the `auth` value from the secret devk wrote (read back from the sandbox) and
//! uses it, unchanged, for the local registry's address. That is the kubelet's path: it finds
//! the secret's entry for the image's registry and sends that `auth` as basic credentials.

use std::path::Path;
use std::process::{Command, Output};

use crate::creds::{MOTO_ENDPOINT, MOTO_PASSWORD, World, dockerconfig};
use crate::support::{Registry, busybox, docker_host, require_tool};

fn docker(host: &str, cfg: &Path, args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .env("DOCKER_HOST", host)
        .env("DOCKER_CONFIG", cfg)
        .env("DOCKER_BUILDKIT", "0")
        .output()
        .expect("run docker")
}

fn ok(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn the_secrets_auth_pulls_an_image_from_a_real_registry_through_dockerd() {
    let test = "the_secrets_auth_pulls_an_image";
    let Some(w) = World::start(test) else { return };
    if require_tool("docker", test).is_none() || busybox(test).is_none() {
        return;
    }
    let Some(host) = docker_host(test) else {
        return;
    };
    let Some(reg) = Registry::start(test, &[("AWS", MOTO_PASSWORD)]) else {
        return;
    };
    let image = format!("{}/devk-creds/app-{}:1", reg.addr(), std::process::id());

    // Push an image as the registry's AWS user, then forget it locally.
    let pusher = tempfile::tempdir().unwrap();
    let ctx = crate::images_world::scratch_context(test);
    let dir = ctx.path().display().to_string();
    ok(
        docker(&host, pusher.path(), &["build", "-q", "-t", &image, &dir]),
        "docker build",
    );
    let login = devk::encoding::base64_encode(format!("AWS:{MOTO_PASSWORD}").as_bytes());
    std::fs::write(
        pusher.path().join("config.json"),
        serde_json::json!({"auths": {reg.addr(): {"auth": login}}}).to_string(),
    )
    .unwrap();
    ok(
        docker(&host, pusher.path(), &["push", &image]),
        "docker push",
    );
    ok(
        docker(&host, pusher.path(), &["rmi", "-f", &image]),
        "docker rmi",
    );
    assert!(
        !docker(&host, pusher.path(), &["image", "inspect", &image])
            .status
            .success()
    );

    // devk writes the pull secret from moto's token.
    let run = w.devk(&["refresh", "--context", "demo", "-n", "shop"]);
    assert_eq!(run.code, 0, "{run:?}");
    let secret = w.secret("shop", "ecr-pull").unwrap();
    let auth = dockerconfig(&secret)["auths"][MOTO_ENDPOINT]["auth"]
        .as_str()
        .unwrap()
        .to_owned();

    // A wrong password is refused: the registry really checks.
    let wrong = tempfile::tempdir().unwrap();
    let bad = devk::encoding::base64_encode(b"AWS:not-the-token");
    std::fs::write(
        wrong.path().join("config.json"),
        serde_json::json!({"auths": {reg.addr(): {"auth": bad}}}).to_string(),
    )
    .unwrap();
    assert!(
        !docker(&host, wrong.path(), &["pull", &image])
            .status
            .success()
    );

    // Only the secret's auth, under the registry's address: the pull succeeds.
    let puller = tempfile::tempdir().unwrap();
    std::fs::write(
        puller.path().join("config.json"),
        serde_json::json!({"auths": {reg.addr(): {"auth": auth}}}).to_string(),
    )
    .unwrap();
    ok(
        docker(&host, puller.path(), &["pull", &image]),
        "docker pull with the secret's auth",
    );
    ok(
        docker(&host, puller.path(), &["image", "inspect", &image]),
        "image inspect",
    );
    let _ = docker(&host, puller.path(), &["rmi", "-f", &image]);
}
