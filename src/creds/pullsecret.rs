//! What devk writes into a cluster, as plain values: the `kubernetes.io/dockerconfigjson`
//! pull secret, minikube's registry-creds addon secret, and the change to a service account's
//! `imagePullSecrets`. The cluster adapter (`cluster::creds`) only sends these.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{AuthToken, AwsKeys};
use crate::encoding::base64_encode;

/// The label devk puts on everything it creates; `devk creds clean` removes only these.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
pub const MANAGED_BY_VALUE: &str = "devk";
/// When the token inside the secret expires (RFC 3339, UTC).
pub const EXPIRES_ANNOTATION: &str = "devk.dev/token-expires-at";
/// When devk last wrote the secret (RFC 3339, UTC).
pub const REFRESHED_ANNOTATION: &str = "devk.dev/refreshed-at";
/// On a service account: the pull secret devk added to its `imagePullSecrets` (only when the
/// entry was not there before), so `clean` removes exactly what devk added.
pub const SA_ADDED_ANNOTATION: &str = "devk.dev/added-pull-secret";
pub const DOCKERCONFIGJSON_TYPE: &str = "kubernetes.io/dockerconfigjson";
pub const DOCKERCONFIGJSON_KEY: &str = ".dockerconfigjson";

/// minikube's registry-creds addon reads its ECR settings from this secret...
pub const ADDON_NAMESPACE: &str = "kube-system";
pub const ADDON_SECRET: &str = "registry-creds-ecr";
/// ...and writes the pull secret it mints under this name in every namespace.
pub const ADDON_PULL_SECRET: &str = "awsecr-cred";

/// A secret to create or replace, as plain data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretPlan {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    /// Decoded values (the adapter base64-encodes them on the wire).
    pub data: BTreeMap<String, Vec<u8>>,
}

impl SecretPlan {
    /// True when `data`, `type` and the labels devk sets already hold these values: writing
    /// again would only move the refreshed-at time.
    pub fn same_content(
        &self,
        type_: &str,
        labels: &BTreeMap<String, String>,
        data: &BTreeMap<String, Vec<u8>>,
    ) -> bool {
        self.type_ == type_
            && &self.data == data
            && self
                .labels
                .iter()
                .all(|(k, v)| labels.get(k).is_some_and(|have| have == v))
    }
}

/// RFC 3339 in UTC, second precision.
pub fn rfc3339(unix: i64) -> String {
    crate::format::timestamp(unix)
}

/// Parses an RFC 3339 time to unix seconds.
pub fn parse_rfc3339(text: &str) -> Option<i64> {
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// The `.dockerconfigjson` document for `tokens`: one `auths` entry per proxy endpoint, keyed
/// by the endpoint exactly as ECR returned it (kubelet and Docker match with or without the
/// scheme). Sorted, so the same tokens give the same bytes.
pub fn dockerconfigjson(tokens: &[AuthToken]) -> Vec<u8> {
    let mut auths = serde_json::Map::new();
    let mut sorted: Vec<&AuthToken> = tokens.iter().collect();
    sorted.sort_by(|a, b| a.proxy_endpoint.cmp(&b.proxy_endpoint));
    for t in sorted {
        let pair = format!("{}:{}", t.username, t.password.expose());
        auths.insert(
            t.proxy_endpoint.clone(),
            json!({
                "username": t.username,
                "password": t.password.expose(),
                "auth": base64_encode(pair.as_bytes()),
            }),
        );
    }
    let doc = json!({ "auths": auths });
    serde_json::to_vec(&doc).unwrap_or_default()
}

/// The registries (auths keys) a `.dockerconfigjson` covers; never its credentials.
pub fn registries_of(dockerconfigjson: &[u8]) -> Vec<String> {
    let Ok(doc) = serde_json::from_slice::<Value>(dockerconfigjson) else {
        return Vec::new();
    };
    let mut keys: Vec<String> = doc
        .get("auths")
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    keys.sort();
    keys
}

fn devk_labels() -> BTreeMap<String, String> {
    BTreeMap::from([(MANAGED_BY_LABEL.to_owned(), MANAGED_BY_VALUE.to_owned())])
}

/// The earliest expiry among `tokens` (the secret is as fresh as its stalest entry).
pub fn earliest_expiry(tokens: &[AuthToken]) -> Option<i64> {
    tokens.iter().map(|t| t.expires_at).min()
}

/// The pull secret for one namespace.
pub fn pull_secret(namespace: &str, name: &str, tokens: &[AuthToken], now: i64) -> SecretPlan {
    let mut annotations = BTreeMap::from([(REFRESHED_ANNOTATION.to_owned(), rfc3339(now))]);
    if let Some(exp) = earliest_expiry(tokens) {
        annotations.insert(EXPIRES_ANNOTATION.to_owned(), rfc3339(exp));
    }
    SecretPlan {
        namespace: namespace.to_owned(),
        name: name.to_owned(),
        type_: DOCKERCONFIGJSON_TYPE.to_owned(),
        labels: devk_labels(),
        annotations,
        data: BTreeMap::from([(DOCKERCONFIGJSON_KEY.to_owned(), dockerconfigjson(tokens))]),
    }
}

/// minikube's `kube-system/registry-creds-ecr`, as `minikube addons configure registry-creds`
/// writes it (same keys and labels), filled from the developer's resolved credentials.
/// `accounts` is the comma-separated list the addon accepts in `aws-account`.
pub fn addon_secret(
    keys: &AwsKeys,
    accounts: &[String],
    assume_role: &str,
    now: i64,
) -> SecretPlan {
    let mut labels = devk_labels();
    for (k, v) in [
        ("app", "registry-creds"),
        ("cloud", "ecr"),
        ("kubernetes.io/minikube-addons", "registry-creds"),
    ] {
        labels.insert(k.to_owned(), v.to_owned());
    }
    let mut annotations = BTreeMap::from([(REFRESHED_ANNOTATION.to_owned(), rfc3339(now))]);
    if let Some(exp) = keys.expires_at {
        annotations.insert(EXPIRES_ANNOTATION.to_owned(), rfc3339(exp));
    }
    let data = BTreeMap::from(
        [
            ("AWS_ACCESS_KEY_ID", keys.access_key_id.expose()),
            ("AWS_SECRET_ACCESS_KEY", keys.secret_access_key.expose()),
            (
                "AWS_SESSION_TOKEN",
                keys.session_token.as_ref().map_or("", |t| t.expose()),
            ),
            ("aws-account", &accounts.join(",")),
            ("aws-region", &keys.region),
            ("aws-assume-role", assume_role),
        ]
        .map(|(k, v)| (k.to_owned(), v.as_bytes().to_vec())),
    );
    SecretPlan {
        namespace: ADDON_NAMESPACE.to_owned(),
        name: ADDON_SECRET.to_owned(),
        type_: "Opaque".to_owned(),
        labels,
        annotations,
        data,
    }
}

/// The change to one service account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaPatch {
    /// The new `imagePullSecrets` names, in order.
    pub pull_secrets: Vec<String>,
    /// The new value of [`SA_ADDED_ANNOTATION`] (None: remove it).
    pub added_annotation: Option<String>,
}

/// Adds `secret` to a service account's `imagePullSecrets` (keeping every other entry, in
/// order, and never adding a second copy). None when nothing changes. `annotation` is the
/// account's current [`SA_ADDED_ANNOTATION`]: devk claims the entry only when it adds it.
pub fn add_pull_secret(
    existing: &[String],
    annotation: Option<&str>,
    secret: &str,
) -> Option<SaPatch> {
    if existing.iter().any(|n| n == secret) {
        return None;
    }
    let mut pull_secrets = existing.to_vec();
    pull_secrets.push(secret.to_owned());
    let mut added: Vec<&str> = annotation
        .map(|a| a.split(',').filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    if !added.contains(&secret) {
        added.push(secret);
    }
    Some(SaPatch {
        pull_secrets,
        added_annotation: Some(added.join(",")),
    })
}

/// Undoes what devk added: removes from `imagePullSecrets` only the entries the annotation
/// says devk added. None when devk added nothing here.
pub fn remove_devk_pull_secrets(existing: &[String], annotation: Option<&str>) -> Option<SaPatch> {
    let added: Vec<&str> = annotation?.split(',').filter(|s| !s.is_empty()).collect();
    let pull_secrets: Vec<String> = existing
        .iter()
        .filter(|n| !added.contains(&n.as_str()))
        .cloned()
        .collect();
    Some(SaPatch {
        pull_secrets,
        added_annotation: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::creds::Sensitive;

    fn token(endpoint: &str, pw: &str, exp: i64) -> AuthToken {
        AuthToken {
            proxy_endpoint: endpoint.into(),
            username: "AWS".into(),
            password: Sensitive::new(pw),
            expires_at: exp,
        }
    }

    const A: &str = "https://111122223333.dkr.ecr.eu-west-1.amazonaws.com";
    const B: &str = "https://444455556666.dkr.ecr.us-east-1.amazonaws.com";

    #[test]
    fn dockerconfigjson_has_one_auth_per_proxy_endpoint() {
        let doc: Value = serde_json::from_slice(&dockerconfigjson(&[
            token(B, "pw-b", 5),
            token(A, "pw-a", 9),
        ]))
        .unwrap();
        let auths = doc["auths"].as_object().unwrap();
        assert_eq!(auths.keys().collect::<Vec<_>>(), [A, B]);
        assert_eq!(auths[A]["username"], "AWS");
        assert_eq!(auths[A]["password"], "pw-a");
        // `auth` is what kubelet and dockerd actually send: base64("AWS:pw-a").
        assert_eq!(auths[A]["auth"], "QVdTOnB3LWE=");
    }

    #[test]
    fn pull_secret_records_the_earliest_expiry_and_the_devk_label() {
        let plan = pull_secret(
            "dev",
            "ecr-pull",
            &[token(A, "x", 1_420_070_400), token(B, "y", 1_800_000_000)],
            1_764_000_000,
        );
        assert_eq!(plan.type_, "kubernetes.io/dockerconfigjson");
        assert_eq!(plan.annotations[EXPIRES_ANNOTATION], "2015-01-01T00:00:00Z");
        assert_eq!(plan.labels[MANAGED_BY_LABEL], "devk");
        assert_eq!(registries_of(&plan.data[DOCKERCONFIGJSON_KEY]), [A, B]);
        assert_eq!(parse_rfc3339("2015-01-01T00:00:00Z"), Some(1_420_070_400));
    }

    #[test]
    fn same_content_ignores_annotations_and_foreign_labels() {
        let plan = pull_secret("dev", "ecr-pull", &[token(A, "x", 1)], 100);
        let mut labels = plan.labels.clone();
        labels.insert("team".into(), "a".into());
        assert!(plan.same_content(DOCKERCONFIGJSON_TYPE, &labels, &plan.data));
        let other = pull_secret("dev", "ecr-pull", &[token(A, "new", 1)], 100);
        assert!(!plan.same_content(DOCKERCONFIGJSON_TYPE, &labels, &other.data));
        assert!(!plan.same_content(DOCKERCONFIGJSON_TYPE, &BTreeMap::new(), &plan.data));
    }

    #[test]
    fn addon_secret_has_the_addons_keys_and_labels() {
        let keys = AwsKeys {
            access_key_id: Sensitive::new("AKIAIOSFODNN7EXAMPLE"),
            secret_access_key: Sensitive::new("secret"),
            session_token: None,
            expires_at: Some(1_800_000_000),
            region: "eu-west-1".into(),
        };
        let plan = addon_secret(
            &keys,
            &["111122223333".into(), "444455556666".into()],
            "",
            0,
        );
        assert_eq!(
            (plan.namespace.as_str(), plan.name.as_str()),
            ("kube-system", "registry-creds-ecr")
        );
        let keys: Vec<&str> = plan.data.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "AWS_ACCESS_KEY_ID",
                "AWS_SECRET_ACCESS_KEY",
                "AWS_SESSION_TOKEN",
                "aws-account",
                "aws-assume-role",
                "aws-region"
            ]
        );
        assert_eq!(plan.data["aws-account"], b"111122223333,444455556666");
        assert_eq!(plan.data["AWS_SESSION_TOKEN"], b"");
        assert_eq!(
            plan.labels["kubernetes.io/minikube-addons"],
            "registry-creds"
        );
        assert_eq!(plan.labels["app"], "registry-creds");
        assert_eq!(plan.labels["cloud"], "ecr");
        assert_eq!(plan.annotations[EXPIRES_ANNOTATION], "2027-01-15T08:00:00Z");
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn adding_keeps_other_entries_and_never_duplicates() {
        let p = add_pull_secret(&names(&["team-secret"]), None, "ecr-pull").unwrap();
        assert_eq!(p.pull_secrets, ["team-secret", "ecr-pull"]);
        assert_eq!(p.added_annotation.as_deref(), Some("ecr-pull"));
        assert_eq!(
            add_pull_secret(&p.pull_secrets, Some("ecr-pull"), "ecr-pull"),
            None
        );
        // Already there before devk: left alone and not claimed.
        assert_eq!(
            add_pull_secret(&names(&["ecr-pull"]), None, "ecr-pull"),
            None
        );
        let q = add_pull_secret(&names(&["a"]), Some("old"), "ecr-pull").unwrap();
        assert_eq!(q.added_annotation.as_deref(), Some("old,ecr-pull"));
    }

    #[test]
    fn removing_takes_only_what_devk_added() {
        let p = remove_devk_pull_secrets(&names(&["team", "ecr-pull", "other"]), Some("ecr-pull"))
            .unwrap();
        assert_eq!(p.pull_secrets, ["team", "other"]);
        assert_eq!(p.added_annotation, None);
        assert_eq!(remove_devk_pull_secrets(&names(&["ecr-pull"]), None), None);
    }
}
