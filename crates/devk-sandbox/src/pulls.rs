//! Image pulls as a kubelet with the Docker runtime (minikube's default) would do them: from
//! the container's image and pull policy, the images the scenario declares, and the pull
//! secrets of the pod and its service account.
//!
//! - An image on the nodes with policy `IfNotPresent` is "already present on machine". Images
//!   the scenario does not declare are on the nodes, except ECR images.
//! - Otherwise it is pulled from its registry: an image the scenario declares with
//!   `registry = false` is not found there (a tag never pushed, a registry the nodes cannot
//!   reach, an image that only exists in the host's Docker).
//! - An ECR image pulls only with a `kubernetes.io/dockerconfigjson` secret for that registry,
//!   listed by the pod or its service account, whose token has not expired. The sandbox cannot
//!   read an ECR token, so it judges expiry by the secret's `devk.dev/token-expires-at`
//!   annotation (RFC 3339, written by `devk creds refresh`); a secret without it is taken as
//!   valid.
//!
//! A failed pull is retried with the kubelet's image back-off (10 s doubling to 5 min), and
//! each retry looks at the secrets again, so a refreshed secret lets the next retry succeed.

use serde_json::Value;

use super::quantity::{default_pull_policy, is_ecr, normalize, registry_host};
use super::scenario::ImageSpec;
use super::store::{Res, Store};
use super::util::{Nanos, SECOND, base64_decode, parse_rfc3339, stable_hex};

/// The secret annotation devk writes with the expiry of the token inside.
pub const EXPIRES_ANNOTATION: &str = "devk.dev/token-expires-at";

/// How long a failed pull shows as ErrImagePull before the back-off (ImagePullBackOff).
pub const ERR_IMAGE_PULL_FOR: Nanos = 3 * SECOND;

/// A container's pull progress.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pull {
    /// The image is on the node; the container may start.
    pub done: bool,
    /// Failed attempts so far.
    pub attempts: u32,
    /// When the last failed attempt was made.
    pub last_attempt: Nanos,
    /// When the next attempt is due.
    pub next_attempt: Nanos,
    /// The runtime's message of the last failure.
    pub error: Option<String>,
    /// Policy `Never` and the image is not on the node.
    pub never: bool,
    /// The image came from its registry (a Pulled "Successfully pulled" event was recorded).
    pub from_registry: bool,
    /// The back-off after the last failure has been reported (BackOff event).
    pub backoff_reported: bool,
}

impl Pull {
    /// The waiting reason and message while the image is not there, if it failed.
    pub fn waiting(&self, image: &str, now: Nanos) -> Option<(&'static str, String)> {
        let err = self.error.as_ref()?;
        if self.never {
            return Some(("ErrImageNeverPull", err.clone()));
        }
        if now < self.last_attempt + ERR_IMAGE_PULL_FOR {
            Some(("ErrImagePull", err.clone()))
        } else {
            Some((
                "ImagePullBackOff",
                format!("Back-off pulling image \"{image}\": ErrImagePull: {err}"),
            ))
        }
    }
}

/// The image back-off after `attempts` failures.
pub fn backoff(attempts: u32) -> Nanos {
    let exp = attempts.saturating_sub(1).min(5);
    (10 * SECOND * (1 << exp)).min(300 * SECOND)
}

/// What one pull attempt does.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Already on the node.
    Present,
    /// Pulled from the registry in this long; the image is this many bytes.
    Pulled { took: Nanos, size: u64 },
    /// The runtime's error.
    Failed(String),
    /// Policy Never and not on the node.
    NeverPull(String),
}

/// Whether usable credentials for a registry are at hand.
#[derive(Debug, Clone, PartialEq)]
pub enum Creds {
    Valid,
    Expired(String),
    Missing,
}

/// The pull secrets of a pod: its own `imagePullSecrets` and its service account's.
/// Returns the names and the ones that do not exist.
fn pull_secret_names(store: &Store, ns: &str, pod: &Value) -> (Vec<String>, Vec<String>) {
    let names_of = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|r| r.get("name").and_then(Value::as_str).map(String::from))
            .collect()
    };
    let mut names = names_of(pod.pointer("/spec/imagePullSecrets"));
    let sa = pod
        .pointer("/spec/serviceAccountName")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or("default");
    if let Some(acct) = store.get(Res::ServiceAccount, ns, sa) {
        for n in names_of(acct.get("imagePullSecrets")) {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    let missing = names
        .iter()
        .filter(|n| store.get(Res::Secret, ns, n).is_none())
        .cloned()
        .collect();
    (names, missing)
}

/// Pull secrets the pod names that do not exist (the kubelet warns about them).
pub fn missing_pull_secrets(store: &Store, ns: &str, pod: &Value) -> Vec<String> {
    pull_secret_names(store, ns, pod).1
}

fn auth_hosts(secret: &Value) -> Vec<String> {
    let (key, nested) = match secret.get("type").and_then(Value::as_str) {
        Some("kubernetes.io/dockerconfigjson") => (".dockerconfigjson", true),
        Some("kubernetes.io/dockercfg") => (".dockercfg", false),
        _ => return Vec::new(),
    };
    let Some(raw) = secret
        .pointer(&format!("/data/{}", key.replace('/', "~1")))
        .and_then(Value::as_str)
        .and_then(|b| base64_decode(b.as_bytes()))
    else {
        return Vec::new();
    };
    let Ok(doc) = serde_json::from_slice::<Value>(&raw) else {
        return Vec::new();
    };
    let auths = if nested { doc.get("auths") } else { Some(&doc) };
    auths
        .and_then(Value::as_object)
        .map(|m| {
            m.keys()
                .map(|k| {
                    let k = k
                        .trim_start_matches("https://")
                        .trim_start_matches("http://");
                    k.split('/').next().unwrap_or(k).to_string()
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The credentials the pod has for `host` at `now`.
pub fn creds_for(store: &Store, ns: &str, pod: &Value, host: &str, now: Nanos) -> Creds {
    let (names, _) = pull_secret_names(store, ns, pod);
    let mut best = Creds::Missing;
    for n in names {
        let Some(secret) = store.get(Res::Secret, ns, &n) else {
            continue;
        };
        if !auth_hosts(secret).iter().any(|h| h == host) {
            continue;
        }
        let expires = secret
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(EXPIRES_ANNOTATION))
            .and_then(Value::as_str);
        match expires.map(|e| (e, parse_rfc3339(e))) {
            Some((e, Some(at))) if at <= now => best = Creds::Expired(e.to_string()),
            Some((e, None)) => best = Creds::Expired(e.to_string()),
            _ => return Creds::Valid,
        }
    }
    best
}

fn repo_and_tag(image: &str) -> (String, String) {
    let full = normalize(image);
    let host = registry_host(&full).to_string();
    let rest = full
        .strip_prefix(&format!("{host}/"))
        .unwrap_or(&full)
        .to_string();
    match rest.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => (r.to_string(), t.to_string()),
        _ => (rest, "latest".into()),
    }
}

/// Decides one pull attempt of `image` under `policy` (None: the API server's default).
pub fn judge(
    images: &std::collections::BTreeMap<String, ImageSpec>,
    image: &str,
    policy: Option<&str>,
    creds: impl FnOnce(&str) -> Creds,
) -> Outcome {
    let policy = policy.unwrap_or_else(|| default_pull_policy(image));
    let key = normalize(image);
    let declared = images.get(&key);
    let host = registry_host(&key);
    // Undeclared images behave as on a warm node: present and pullable; except ECR images,
    // which a node has only from a pull with credentials.
    let on_nodes = declared.map_or(!is_ecr(host), |d| d.on_nodes);
    let in_registry = declared.is_none_or(|d| d.in_registry);
    match policy {
        "Never" if on_nodes => return Outcome::Present,
        "Never" => {
            return Outcome::NeverPull(format!(
                "Container image \"{image}\" is not present with pull policy of Never"
            ));
        }
        "IfNotPresent" if on_nodes => return Outcome::Present,
        _ => {}
    }
    let (repo, tag) = repo_and_tag(image);
    if is_ecr(host) {
        match creds(host) {
            Creds::Valid => {}
            Creds::Missing => {
                return Outcome::Failed(format!(
                    "Error response from daemon: Head \"https://{host}/v2/{repo}/manifests/{tag}\": no basic auth credentials"
                ));
            }
            Creds::Expired(_) => {
                return Outcome::Failed(format!(
                    "Error response from daemon: pull access denied for {host}/{repo}, repository does not exist or may require 'docker login': denied: Your authorization token has expired. Reauthenticate and try again."
                ));
            }
        }
    }
    if !in_registry {
        let short = image.split([':', '@']).next().unwrap_or(image);
        return Outcome::Failed(if host == "docker.io" {
            format!(
                "Error response from daemon: pull access denied for {short}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied"
            )
        } else {
            format!(
                "Error response from daemon: manifest for {image} not found: manifest unknown: manifest unknown"
            )
        });
    }
    // A deterministic pull time (0.4-1.9 s) and image size, so that reruns read the same.
    let h = u64::from_str_radix(&stable_hex(&[&key], 8), 16).unwrap_or(0);
    Outcome::Pulled {
        took: SECOND * 2 / 5 + Nanos::from(h % 1500) * SECOND / 1000,
        size: 20_000_000 + (h % 180_000_000),
    }
}

/// `1.234s`, as Go prints a duration of a pull.
pub fn go_seconds(d: Nanos) -> String {
    let ms = d / (SECOND / 1000);
    format!("{}.{:03}s", ms / 1000, ms % 1000)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.0";

    fn declared(reference: &str, in_registry: bool, on_nodes: bool) -> BTreeMap<String, ImageSpec> {
        let mut m = BTreeMap::new();
        m.insert(
            normalize(reference),
            ImageSpec {
                reference: reference.into(),
                in_registry,
                on_nodes,
            },
        );
        m
    }

    #[test]
    fn ecr_images_need_fresh_credentials() {
        let none = BTreeMap::new();
        let missing = judge(&none, ECR, Some("Always"), |_| Creds::Missing);
        assert!(
            matches!(&missing, Outcome::Failed(m) if m.ends_with("no basic auth credentials")),
            "{missing:?}"
        );
        let expired = judge(&none, ECR, Some("Always"), |_| {
            Creds::Expired("2024-01-01T00:00:00Z".into())
        });
        assert!(
            matches!(&expired, Outcome::Failed(m) if m.contains("authorization token has expired"))
        );
        assert!(matches!(
            judge(&none, ECR, Some("Always"), |_| Creds::Valid),
            Outcome::Pulled { .. }
        ));
    }

    #[test]
    fn a_local_only_latest_image_fails_to_pull_but_runs_with_if_not_present() {
        let images = declared("shop/web:latest", false, true);
        let out = judge(&images, "shop/web:latest", None, |_| Creds::Missing);
        assert!(
            matches!(&out, Outcome::Failed(m) if m.contains("pull access denied for shop/web")),
            "{out:?}"
        );
        assert_eq!(
            judge(&images, "shop/web:latest", Some("IfNotPresent"), |_| {
                Creds::Missing
            }),
            Outcome::Present
        );
        let never = declared("registry.example.com/x:2", false, false);
        assert!(matches!(
            judge(&never, "registry.example.com/x:2", None, |_| Creds::Valid),
            Outcome::Failed(m) if m.contains("manifest unknown")
        ));
        assert!(matches!(
            judge(&never, "registry.example.com/x:2", Some("Never"), |_| {
                Creds::Valid
            }),
            Outcome::NeverPull(_)
        ));
    }

    #[test]
    fn back_off_doubles_to_five_minutes() {
        assert_eq!(backoff(1), 10 * SECOND);
        assert_eq!(backoff(2), 20 * SECOND);
        assert_eq!(backoff(9), 300 * SECOND);
        let p = Pull {
            attempts: 1,
            last_attempt: 0,
            error: Some("boom".into()),
            ..Pull::default()
        };
        assert_eq!(p.waiting("i", SECOND).map(|w| w.0), Some("ErrImagePull"));
        assert_eq!(
            p.waiting("i", 5 * SECOND).map(|w| w.1),
            Some("Back-off pulling image \"i\": ErrImagePull: boom".to_string())
        );
    }
}
