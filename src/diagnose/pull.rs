//! Image pull failures, told with what devk knows: the namespace's ECR pull secrets and who
//! lists them, the images in the host's Docker, devk's pushes, and registries kept for CI.

use super::{Cause, ContainerFacts, Diagnosis, ImageFacts, Knowledge, PodFacts, diag};

/// The registry host of an image reference (`docker.io` for Docker Hub's short names).
pub fn registry_host(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

/// Whether `host` is an Amazon ECR registry.
pub fn is_ecr(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host);
    host.contains(".dkr.ecr.")
        && (host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn"))
}

/// The tag of a reference (`latest` when it has none).
fn tag(image: &str) -> &str {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.rsplit_once(':').map_or("latest", |(_, t)| t)
}

fn when(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|_| unix.to_string())
}

/// The runtime's error: the waiting message, or the last Failed event that quotes it.
fn runtime_error(pod: &PodFacts, c: &ContainerFacts, message: &str) -> String {
    let from_event = pod.events.iter().rev().find(|e| {
        e.reason == "Failed"
            && e.message.starts_with("Failed to pull image")
            && e.message.contains(&c.image)
    });
    match from_event {
        Some(e) => e
            .message
            .split_once("\": ")
            .map_or(e.message.clone(), |(_, rest)| rest.to_string()),
        None => message
            .split_once("ErrImagePull: ")
            .map_or(message.to_string(), |(_, rest)| rest.to_string()),
    }
}

/// A registry refusing credentials (Docker words that "pull access denied" too, so this is
/// asked first).
fn auth_error(err: &str) -> bool {
    [
        "no basic auth credentials",
        "authorization token has expired",
        "401 Unauthorized",
        "403 Forbidden",
        "authorization failed",
    ]
    .iter()
    .any(|s| err.contains(s))
}

fn not_found(err: &str) -> bool {
    !auth_error(err)
        && [
            "not found",
            "manifest unknown",
            "pull access denied",
            "repository does not exist",
            "NotFound",
        ]
        .iter()
        .any(|s| err.contains(s))
}

/// Pull trouble of container `c` (waiting in ErrImagePull or ImagePullBackOff).
pub(super) fn image_pull(
    pod: &PodFacts,
    c: &ContainerFacts,
    k: &Knowledge,
    message: &str,
) -> Diagnosis {
    let err = runtime_error(pod, c, message);
    let host = registry_host(&c.image);
    let ns = &pod.namespace;
    let sa = if pod.service_account.is_empty() {
        "default"
    } else {
        &pod.service_account
    };
    let refresh = format!("`devk creds refresh -n {ns} --service-account {sa}`");
    let details = vec![err.clone()];
    if is_ecr(host) && !not_found(&err) {
        let covering: Vec<_> = k
            .secrets
            .iter()
            .filter(|s| s.registries.iter().any(|r| r == host))
            .collect();
        let listed: Vec<&String> = pod
            .pull_secrets
            .iter()
            .chain(
                k.service_accounts
                    .iter()
                    .filter(|(n, _)| n == sa)
                    .flat_map(|(_, l)| l.iter()),
            )
            .collect();
        if covering.is_empty() {
            return diag(
                pod,
                false,
                Cause::PullSecretMissing,
                format!(
                    "{} is in ECR ({host}) and namespace {ns} has no pull secret for it: run {refresh}, or refresh it in the Registry creds tab",
                    c.image
                ),
                details,
            );
        }
        let mine: Vec<_> = covering
            .iter()
            .filter(|s| listed.contains(&&s.name))
            .collect();
        if let Some(s) = mine
            .iter()
            .find(|s| s.expires_at.is_some_and(|e| e <= k.now))
        {
            return diag(
                pod,
                false,
                Cause::PullSecretExpired,
                format!(
                    "the pull secret {} for {host} expired at {}: run {refresh}, or refresh it in the Registry creds tab",
                    s.name,
                    when(s.expires_at.unwrap_or_default())
                ),
                details,
            );
        }
        if mine.is_empty() {
            let names: Vec<&str> = covering.iter().map(|s| s.name.as_str()).collect();
            return diag(
                pod,
                false,
                Cause::PullSecretNotListed,
                format!(
                    "the pull secret {} for {host} exists, but neither the pod nor its service account {sa} lists it: run {refresh} to add it",
                    names.join(", ")
                ),
                details,
            );
        }
    }
    let none = ImageFacts::default();
    let facts = k
        .images
        .iter()
        .find(|i| i.reference == c.image)
        .unwrap_or(&none);
    if not_found(&err) || facts.in_local_docker {
        let latest = tag(&c.image) == "latest" || c.pull_policy.as_deref() == Some("Always");
        if facts.in_local_docker {
            let how = match &k.minikube_profile {
                Some(p) => format!(
                    "build it into the cluster's runtime: `devk build --into minikube` (or `minikube -p {p} image load {}`)",
                    c.image
                ),
                None => "push it to a registry the nodes reach, or load it into the nodes' runtime"
                    .into(),
            };
            let policy = if latest {
                "; with :latest (or imagePullPolicy Always) the node pulls every time, so set imagePullPolicy: IfNotPresent"
            } else {
                ""
            };
            return diag(
                pod,
                false,
                Cause::ImageOnlyLocal,
                format!(
                    "{} exists only in the host's Docker, not where the nodes pull from ({host}): {how}{policy}",
                    c.image
                ),
                details,
            );
        }
        if facts.ci_only {
            return diag(
                pod,
                false,
                Cause::CiOnlyRegistry,
                format!(
                    "{} was never pushed: {host} is kept for CI by devk's push policy, so only a CI build pushes tag {}; check that build, or run a local build in the cluster (`devk build --into minikube`)",
                    c.image,
                    tag(&c.image)
                ),
                details,
            );
        }
        if let Some(at) = &facts.pushed_at {
            return diag(
                pod,
                false,
                Cause::ImagePull,
                format!(
                    "devk pushed {} at {at}, yet the nodes cannot pull it: check that the nodes reach {host} (the host's 127.0.0.1 is not the nodes')",
                    c.image
                ),
                details,
            );
        }
        return diag(
            pod,
            false,
            Cause::ImageNotPushed,
            format!(
                "{}: tag {} is not in {host} (devk never pushed it, and the host's Docker does not have it): push it (`devk push`) or fix the tag{}",
                c.image,
                tag(&c.image),
                if latest {
                    "; if it is built on the nodes (`devk build --into minikube`), set imagePullPolicy: IfNotPresent, as :latest defaults to Always"
                } else {
                    ""
                }
            ),
            details,
        );
    }
    diag(
        pod,
        false,
        Cause::ImagePull,
        format!("cannot pull {}: {err}", c.image),
        details,
    )
}
