//! The creds feature's pure core: ECR pull secret values and plans, which registries and
//! contexts, when to refresh, what to show. Plain values only: no AWS SDK, Kubernetes or
//! terminal types, so `cluster` (which writes the secrets), `ecr` (which mints the tokens),
//! `config` and the front ends all depend on this module and it on none of them.

pub mod pullsecret;
pub mod schedule;
pub mod status;
pub mod target;

use std::fmt;

/// A value that must never be shown: its `Debug` says `<redacted>` and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Sensitive(String);

impl Sensitive {
    pub fn new(value: impl Into<String>) -> Sensitive {
        Sensitive(value.into())
    }

    /// The value itself, for the one place that writes it into a secret.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One registry from `creds.registries`: an AWS account, optionally with its region.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RegistrySpec {
    pub account: String,
    /// None: `--region`, `creds.region`, then the AWS chain decide.
    pub region: Option<String>,
}

impl RegistrySpec {
    /// Parses `123456789012`, `123456789012:eu-west-1`, or a registry host
    /// `123456789012.dkr.ecr.eu-west-1.amazonaws.com` (as in an image reference).
    pub fn parse(text: &str) -> Result<RegistrySpec, String> {
        let t = text.trim();
        let t = t
            .strip_prefix("https://")
            .unwrap_or(t)
            .trim_end_matches('/');
        if t.contains('.') {
            return match crate::policy::classify_registry(t, &[]) {
                crate::policy::RegistryKind::EcrPrivate {
                    account: Some(account),
                    region,
                    ..
                } => Ok(RegistrySpec {
                    account,
                    region: Some(region),
                }),
                _ => Err(format!(
                    "`{text}` is not a private ECR registry host; write an account ID (123456789012), ACCOUNT:REGION (123456789012:eu-west-1) or ACCOUNT.dkr.ecr.REGION.amazonaws.com"
                )),
            };
        }
        let (account, region) = match t.split_once(':') {
            Some((a, r)) => (a, Some(r)),
            None => (t, None),
        };
        if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{text}`: an AWS account ID is 12 digits (123456789012), optionally followed by :REGION"
            ));
        }
        let region = match region {
            Some(r) => Some(check_region(r).map_err(|e| format!("`{text}`: {e}"))?),
            None => None,
        };
        Ok(RegistrySpec {
            account: account.to_owned(),
            region,
        })
    }
}

/// Checks the shape of a region name (`eu-west-1`, `us-gov-west-1`, `cn-north-1`): lowercase
/// letters and digits in dash-separated parts ending in a number. Whether AWS serves it is
/// for the endpoint to answer.
pub fn check_region(region: &str) -> Result<String, String> {
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if well_formed {
        Ok(region.to_owned())
    } else {
        Err(format!(
            "`{region}` is not an AWS region name (like eu-west-1 or us-east-2)"
        ))
    }
}

/// An ECR authorization token for one registry, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthToken {
    /// `https://ACCOUNT.dkr.ecr.REGION.amazonaws.com`, as ECR returned it.
    pub proxy_endpoint: String,
    /// Always `AWS` for ECR.
    pub username: String,
    pub password: Sensitive,
    /// Unix seconds.
    pub expires_at: i64,
}

/// AWS credentials as the registry-creds addon stores them (addon mode only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwsKeys {
    pub access_key_id: Sensitive,
    pub secret_access_key: Sensitive,
    pub session_token: Option<Sensitive>,
    /// Unix seconds, for temporary credentials (SSO, assume-role).
    pub expires_at: Option<i64>,
    /// The region the chain resolved.
    pub region: String,
}
