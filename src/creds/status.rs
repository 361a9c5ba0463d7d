//! `devk creds status` and the Registry creds tab: per context and namespace, which pull
//! secrets exist, the registries they cover, when they expire and which service accounts use
//! them. Built from what the cluster adapter read, as plain values.

use serde::Serialize;

use super::pullsecret::{ADDON_PULL_SECRET, ADDON_SECRET};
use super::schedule::countdown;

/// Who wrote a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SecretKind {
    /// A pull secret devk wrote (`creds refresh`).
    Devk,
    /// minikube registry-creds' settings secret (`kube-system/registry-creds-ecr`).
    AddonSettings,
    /// A pull secret the registry-creds addon minted (`awsecr-cred`).
    AddonPull,
}

impl SecretKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Devk => "devk",
            SecretKind::AddonSettings => "addon settings",
            SecretKind::AddonPull => "addon",
        }
    }

    /// The kind of a secret from its name and whether it carries devk's label; None for
    /// secrets status does not report.
    pub fn of(name: &str, managed_by_devk: bool) -> Option<SecretKind> {
        match name {
            ADDON_SECRET => Some(SecretKind::AddonSettings),
            _ if managed_by_devk => Some(SecretKind::Devk),
            ADDON_PULL_SECRET => Some(SecretKind::AddonPull),
            _ => None,
        }
    }
}

/// A secret as the adapter read it (no values beyond the registry names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenSecret {
    pub namespace: String,
    pub name: String,
    pub kind: SecretKind,
    pub registries: Vec<String>,
    pub expires_at: Option<i64>,
    pub refreshed_at: Option<i64>,
}

/// A service account and the pull secrets it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenServiceAccount {
    pub namespace: String,
    pub name: String,
    pub pull_secrets: Vec<String>,
}

/// One row of `devk creds status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    pub context: String,
    pub namespace: String,
    pub secret: String,
    pub kind: SecretKind,
    pub registries: Vec<String>,
    /// RFC 3339, when known.
    pub expires_at: Option<String>,
    /// The same, in unix seconds (for countdowns).
    #[serde(skip)]
    pub expires_unix: Option<i64>,
    /// `valid 11h 02m`, `expired`, or `unknown` (no expiry annotation).
    pub state: String,
    pub expired: bool,
    pub refreshed_at: Option<String>,
    pub service_accounts: Vec<String>,
}

/// Rows sorted by namespace and secret name.
pub fn rows(
    context: &str,
    secrets: &[SeenSecret],
    accounts: &[SeenServiceAccount],
    now: i64,
) -> Vec<StatusRow> {
    let mut out: Vec<StatusRow> = secrets
        .iter()
        .map(|s| {
            let (state, expired) = match s.expires_at {
                Some(exp) if exp <= now => ("expired".to_owned(), true),
                Some(exp) => (format!("valid {}", countdown(exp - now)), false),
                None => ("unknown".to_owned(), false),
            };
            let mut service_accounts: Vec<String> = accounts
                .iter()
                .filter(|a| a.namespace == s.namespace && a.pull_secrets.contains(&s.name))
                .map(|a| a.name.clone())
                .collect();
            service_accounts.sort();
            StatusRow {
                context: context.to_owned(),
                namespace: s.namespace.clone(),
                secret: s.name.clone(),
                kind: s.kind,
                registries: s.registries.clone(),
                expires_at: s.expires_at.map(super::pullsecret::rfc3339),
                expires_unix: s.expires_at,
                state,
                expired,
                refreshed_at: s.refreshed_at.map(super::pullsecret::rfc3339),
                service_accounts,
            }
        })
        .collect();
    out.sort_by(|a, b| (&a.namespace, &a.secret).cmp(&(&b.namespace, &b.secret)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(ns: &str, name: &str, kind: SecretKind, exp: Option<i64>) -> SeenSecret {
        SeenSecret {
            namespace: ns.into(),
            name: name.into(),
            kind,
            registries: vec!["https://111122223333.dkr.ecr.eu-west-1.amazonaws.com".into()],
            expires_at: exp,
            refreshed_at: Some(0),
        }
    }

    #[test]
    fn rows_join_secrets_with_the_service_accounts_that_use_them() {
        let secrets = [
            secret("dev", "ecr-pull", SecretKind::Devk, Some(1000 + 3900)),
            secret("default", "ecr-pull", SecretKind::Devk, Some(999)),
            secret(
                "kube-system",
                "registry-creds-ecr",
                SecretKind::AddonSettings,
                None,
            ),
        ];
        let sas = [
            SeenServiceAccount {
                namespace: "dev".into(),
                name: "default".into(),
                pull_secrets: vec!["x".into(), "ecr-pull".into()],
            },
            SeenServiceAccount {
                namespace: "dev".into(),
                name: "builder".into(),
                pull_secrets: vec!["ecr-pull".into()],
            },
            SeenServiceAccount {
                namespace: "default".into(),
                name: "default".into(),
                pull_secrets: vec![],
            },
        ];
        let rows = rows("minikube", &secrets, &sas, 1000);
        let summary: Vec<(&str, &str, &str, Vec<String>)> = rows
            .iter()
            .map(|r| {
                (
                    r.namespace.as_str(),
                    r.secret.as_str(),
                    r.state.as_str(),
                    r.service_accounts.clone(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("default", "ecr-pull", "expired", vec![]),
                (
                    "dev",
                    "ecr-pull",
                    "valid 1h 05m",
                    vec!["builder".to_string(), "default".to_string()]
                ),
                ("kube-system", "registry-creds-ecr", "unknown", vec![]),
            ]
        );
        assert!(rows[0].expired);
        assert_eq!(rows[1].expires_at.as_deref(), Some("1970-01-01T01:21:40Z"));
    }

    #[test]
    fn kinds_come_from_the_name_and_the_label() {
        assert_eq!(SecretKind::of("ecr-pull", true), Some(SecretKind::Devk));
        assert_eq!(
            SecretKind::of("awsecr-cred", false),
            Some(SecretKind::AddonPull)
        );
        assert_eq!(
            SecretKind::of("registry-creds-ecr", true),
            Some(SecretKind::AddonSettings)
        );
        assert_eq!(SecretKind::of("team-secret", false), None);
    }
}
