//! ECR pull credentials for local clusters. Nodes of a minikube or kind cluster cannot use IAM
//! roles, so devk mints an ECR authorization token from the developer's own AWS credentials
//! and writes it into the cluster as a `kubernetes.io/dockerconfigjson` pull secret, visibly,
//! and again before it expires.
//!
//! The pure core (what to write, whom to patch, when to refresh, what to show) lives in
//! `crate::creds` (re-exported here as [`pullsecret`], [`schedule`], [`status`], [`target`]);
//! [`sdk`] is the only file that talks to AWS, `cluster::pullsecrets` the only one that writes
//! the secrets, and [`refresh`] the use case that drives both.

pub mod refresh;
pub mod sdk;

// The pure core moved to `crate::creds` (plain values, no AWS or Kubernetes types); these
// paths stay for the front ends.
pub use crate::creds::{
    AuthToken, AwsKeys, RegistrySpec, Sensitive, check_region, pullsecret, schedule, status, target,
};

#[cfg(test)]
mod partition_check;

use crate::exit::Exit;

/// The proxy endpoint of `account`'s registry, from the one ECR returned for the caller's
/// (`https://CALLER.dkr.ecr.REGION.DOMAIN`): same scheme, region and partition domain.
pub fn endpoint_for_account(returned: &str, account: &str) -> String {
    let (scheme, rest) = returned
        .split_once("://")
        .map_or(("https", returned), |(s, r)| (s, r));
    match rest.split_once('.') {
        Some((_, tail)) => format!("{scheme}://{account}.{tail}"),
        None => format!("{scheme}://{account}.{rest}"),
    }
}

impl AuthToken {
    /// Decodes ECR's `authorizationToken` (base64 of `AWS:password`).
    pub fn decode(
        proxy_endpoint: &str,
        authorization_token: &str,
        expires_at: i64,
    ) -> Result<AuthToken, EcrError> {
        let bad = || EcrError::BadResponse {
            message: format!(
                "the authorization token for {proxy_endpoint} is not base64 of USER:PASSWORD"
            ),
        };
        let raw = crate::encoding::base64_decode(authorization_token.trim().as_bytes())
            .ok_or_else(bad)?;
        let text = String::from_utf8(raw).map_err(|_| bad())?;
        let (user, password) = text.split_once(':').ok_or_else(bad)?;
        if user.is_empty() || password.is_empty() {
            return Err(bad());
        }
        Ok(AuthToken {
            proxy_endpoint: proxy_endpoint.to_owned(),
            username: user.to_owned(),
            password: Sensitive::new(password),
            expires_at,
        })
    }
}

/// Why no token could be had. Messages name the profile, region or endpoint and say what to
/// do; they never contain a token or key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EcrError {
    #[error(
        "no AWS credentials found{profile}: {detail}. Log in (`aws sso login --profile NAME` or `aws configure`), or pass --profile / set creds.profile in devk.toml"
    )]
    NoCredentials { profile: String, detail: String },
    #[error(
        "the AWS SSO session of profile `{profile}` has expired: run `aws sso login --profile {profile}` and try again"
    )]
    SsoExpired { profile: String },
    #[error(
        "AWS denied ecr:GetAuthorizationToken{profile} in {region}: {detail}. Your role needs the ecr:GetAuthorizationToken permission (and ecr:BatchGetImage/GetDownloadUrlForLayer to pull)"
    )]
    AccessDenied {
        profile: String,
        region: String,
        detail: String,
    },
    #[error(
        "the AWS credentials{profile} were rejected in {region}: {detail}. Refresh them (`aws sso login`, or new keys) and try again"
    )]
    BadCredentials {
        profile: String,
        region: String,
        detail: String,
    },
    #[error(
        "no AWS region: set creds.region in devk.toml, AWS_REGION, or `region` in your AWS profile (region = eu-west-1); `devk creds refresh` also takes --region"
    )]
    NoRegion,
    #[error(
        "cannot reach the ECR endpoint for region `{region}`{endpoint}: {detail}. Check the region name, your network or VPN{override_hint}"
    )]
    Unreachable {
        region: String,
        endpoint: String,
        detail: String,
        override_hint: String,
    },
    #[error("ECR answered with something devk cannot use: {message}")]
    BadResponse { message: String },
    #[error("ECR refused the request: {message}")]
    Service { message: String },
}

impl EcrError {
    /// No credentials and expired or rejected credentials are "unauthorized" (9); access
    /// denied is too: the identity is known but may not mint tokens, and the fix is the same
    /// kind (other credentials or permissions), not a devk policy refusal (6).
    pub fn exit(&self) -> Exit {
        match self {
            EcrError::NoCredentials { .. }
            | EcrError::SsoExpired { .. }
            | EcrError::AccessDenied { .. }
            | EcrError::BadCredentials { .. } => Exit::Unauthorized,
            EcrError::NoRegion => Exit::Config,
            EcrError::Unreachable { .. } => Exit::Unreachable,
            EcrError::BadResponse { .. } | EcrError::Service { .. } => Exit::Failure,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("123456789012", "123456789012", None)]
    #[case(" 123456789012:eu-west-1 ", "123456789012", Some("eu-west-1"))]
    #[case(
        "123456789012.dkr.ecr.us-east-2.amazonaws.com",
        "123456789012",
        Some("us-east-2")
    )]
    #[case(
        "https://210987654321.dkr.ecr.eu-central-1.amazonaws.com/",
        "210987654321",
        Some("eu-central-1")
    )]
    fn registry_specs_parse(
        #[case] text: &str,
        #[case] account: &str,
        #[case] region: Option<&str>,
    ) {
        let spec = RegistrySpec::parse(text).unwrap();
        assert_eq!(spec.account, account);
        assert_eq!(spec.region.as_deref(), region);
    }

    #[rstest]
    #[case("12345", "12 digits")]
    #[case("123456789012:Europe", "not an AWS region name")]
    #[case("ghcr.io", "not a private ECR registry host")]
    #[case(
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com.evil.io",
        "not a private ECR"
    )]
    fn bad_registry_specs_say_what_to_write(#[case] text: &str, #[case] want: &str) {
        let err = RegistrySpec::parse(text).unwrap_err();
        assert!(err.contains(want), "{err}");
    }

    #[test]
    fn token_decodes_and_never_debug_prints_the_password() {
        let t = AuthToken::decode(
            "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            "QVdTOjEyMzQ1Njc4OTAxMi1hdXRoLXRva2Vu",
            1_420_070_400,
        )
        .unwrap();
        assert_eq!(t.username, "AWS");
        assert_eq!(t.password.expose(), "123456789012-auth-token");
        assert!(!format!("{t:?}").contains("auth-token"));
    }

    #[rstest]
    #[case(
        "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        "https://111122223333.dkr.ecr.eu-west-1.amazonaws.com"
    )]
    #[case(
        "https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
        "https://111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn"
    )]
    fn other_accounts_get_the_same_endpoint_shape(#[case] returned: &str, #[case] want: &str) {
        assert_eq!(endpoint_for_account(returned, "111122223333"), want);
    }

    #[rstest]
    #[case("not base64!")]
    #[case("bm9jb2xvbg==")] // "nocolon"
    #[case("QVdTOg==")] // "AWS:"
    fn malformed_tokens_are_refused_without_echoing_them(#[case] raw: &str) {
        let err = AuthToken::decode("https://x", raw, 0).unwrap_err();
        assert!(!err.to_string().contains(raw), "{err}");
        assert_eq!(err.exit(), Exit::Failure);
    }
}
