//! The one place devk talks to AWS: credentials from the standard chain (environment keys,
//! `~/.aws` profiles, SSO, assume-role, credential_process) and ECR's GetAuthorizationToken.
//! HTTPS goes through rustls with ring (no aws-lc). The SDK's own endpoint overrides
//! (`AWS_ENDPOINT_URL_ECR`, `AWS_ENDPOINT_URL`, `endpoint_url` in a profile) keep working:
//! devk hands the loaded shared config to the ECR client untouched.

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::time::Duration;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::ProvideCredentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ecr::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};

use super::{AuthToken, AwsKeys, EcrError, RegistrySpec, Sensitive};

/// `--profile` / `--region` and their devk.toml values (flags win). Empty means "unset".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
}

impl AwsOptions {
    /// The profile named in messages: the chosen one, `$AWS_PROFILE`, or `default`.
    fn profile_label(&self) -> String {
        self.profile
            .clone()
            .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".to_owned())
    }
}

/// Connection and per-call limits: an unreachable endpoint must end a refresh, not hang it.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const OPERATION_TIMEOUT: Duration = Duration::from_secs(30);

async fn load(opts: &AwsOptions) -> SdkConfig {
    crate::cluster::install_crypto_provider();
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https();
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .operation_timeout(OPERATION_TIMEOUT)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .timeout_config(timeouts);
    if let Some(p) = &opts.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = &opts.region {
        loader = loader.region(Region::new(r.clone()));
    }
    loader.load().await
}

/// Mints the tokens for `registries`: one GetAuthorizationToken call per region. ECR's token
/// is valid for every registry the caller may read in that region (the old `registryIds`
/// parameter is deprecated and changes nothing), so each configured account gets the same
/// token under its own proxy endpoint, derived from the one ECR returned. With no registries
/// configured: the caller's own registry in the default region.
pub async fn fetch_tokens(
    opts: &AwsOptions,
    registries: &[RegistrySpec],
) -> Result<Vec<AuthToken>, EcrError> {
    let sdk = load(opts).await;
    let default_region = sdk.region().map(|r| r.to_string());
    let mut by_region: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for spec in registries {
        let region = spec
            .region
            .clone()
            .or_else(|| default_region.clone())
            .ok_or(EcrError::NoRegion)?;
        by_region
            .entry(region)
            .or_default()
            .push(spec.account.clone());
    }
    if registries.is_empty() {
        by_region.insert(default_region.ok_or(EcrError::NoRegion)?, Vec::new());
    }
    let mut tokens = Vec::new();
    for (region, accounts) in by_region {
        let config = aws_sdk_ecr::config::Builder::from(&sdk)
            .region(Region::new(region.clone()))
            .build();
        let client = aws_sdk_ecr::Client::from_conf(config);
        let out = client.get_authorization_token().send().await.map_err(|e| {
            let status = e.raw_response().map(|r| r.status().as_u16());
            classify(opts, &region, status, e)
        })?;
        // One entry covers the region (the token is valid for every registry the caller may
        // read there); any further ones would repeat the same token.
        let Some(data) = out.authorization_data().first() else {
            return Err(EcrError::BadResponse {
                message: format!(
                    "GetAuthorizationToken in {region} returned no authorization data"
                ),
            });
        };
        let (Some(endpoint), Some(token)) = (data.proxy_endpoint(), data.authorization_token())
        else {
            return Err(EcrError::BadResponse {
                message: format!(
                    "the authorization entry in {region} lacks its proxy endpoint or token"
                ),
            });
        };
        let expires_at =
            data.expires_at()
                .map(|t| t.secs())
                .ok_or_else(|| EcrError::BadResponse {
                    message: format!("the token for {endpoint} has no expiry"),
                })?;
        if accounts.is_empty() {
            tokens.push(AuthToken::decode(endpoint, token, expires_at)?);
        }
        for account in &accounts {
            let endpoint = super::endpoint_for_account(endpoint, account);
            tokens.push(AuthToken::decode(&endpoint, token, expires_at)?);
        }
    }
    if tokens.is_empty() {
        return Err(EcrError::BadResponse {
            message: "GetAuthorizationToken returned no authorization data".to_owned(),
        });
    }
    Ok(tokens)
}

/// The resolved credentials, for minikube's registry-creds addon (`--addon`).
pub async fn resolve_keys(opts: &AwsOptions) -> Result<AwsKeys, EcrError> {
    let sdk = load(opts).await;
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .ok_or(EcrError::NoRegion)?;
    let Some(provider) = sdk.credentials_provider() else {
        return Err(no_credentials(
            opts,
            "no credentials provider is configured",
        ));
    };
    let creds = provider
        .provide_credentials()
        .await
        .map_err(|e| credentials_error(opts, &e))?;
    Ok(AwsKeys {
        access_key_id: Sensitive::new(creds.access_key_id()),
        secret_access_key: Sensitive::new(creds.secret_access_key()),
        session_token: creds.session_token().map(Sensitive::new),
        expires_at: creds.expiry().and_then(|t| {
            t.duration_since(std::time::UNIX_EPOCH)
                .ok()
                .map(|d| d.as_secs() as i64)
        }),
        region,
    })
}

fn profile_suffix(opts: &AwsOptions) -> String {
    format!(" (profile `{}`)", opts.profile_label())
}

fn no_credentials(opts: &AwsOptions, detail: &str) -> EcrError {
    EcrError::NoCredentials {
        profile: profile_suffix(opts),
        detail: detail.to_owned(),
    }
}

/// Every message in an error's source chain, outermost first, without repeats.
fn chain(e: &(dyn StdError + 'static)) -> Vec<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(c) = cur {
        let s = c.to_string();
        if !s.is_empty() && !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
        cur = c.source();
    }
    parts
}

fn find_credentials_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a CredentialsError> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(e);
    while let Some(c) = cur {
        if let Some(ce) = c.downcast_ref::<CredentialsError>() {
            return Some(ce);
        }
        cur = c.source();
    }
    None
}

fn credentials_error(opts: &AwsOptions, e: &CredentialsError) -> EcrError {
    let text = chain(e).join(": ");
    if text.contains("SSO token has expired") || text.contains("SSO session has expired") {
        return EcrError::SsoExpired {
            profile: opts.profile_label(),
        };
    }
    no_credentials(opts, &text)
}

fn endpoint_override() -> (String, String) {
    for var in ["AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL"] {
        if let Some(url) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
            return (
                format!(" ({url})"),
                format!("; {var} is set to {url}: unset it to use AWS's own endpoint"),
            );
        }
    }
    (String::new(), String::new())
}

/// Maps an SDK error to what the user should do. `status` is the HTTP status of the answer,
/// when there was one.
fn classify<E, R>(
    opts: &AwsOptions,
    region: &str,
    status: Option<u16>,
    e: SdkError<E, R>,
) -> EcrError
where
    E: ProvideErrorMetadata + StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(ce) = find_credentials_error(&e) {
        return credentials_error(opts, ce);
    }
    match &e {
        SdkError::ServiceError(ctx) => {
            let err = ctx.err();
            let Some(code) = err.code() else {
                // No error code: not an AWS-shaped answer (a proxy, a broken emulator).
                let (_, hint) = endpoint_override();
                return EcrError::Service {
                    message: format!(
                        "HTTP {} without an AWS error code from the ECR endpoint for {region}{hint}",
                        status.map_or_else(|| "error".to_owned(), |s| s.to_string())
                    ),
                };
            };
            let message = err.message().unwrap_or("").to_owned();
            let detail = if message.is_empty() {
                code.to_owned()
            } else {
                format!("{code}: {message}")
            };
            match code {
                "AccessDeniedException" | "AccessDenied" => EcrError::AccessDenied {
                    profile: profile_suffix(opts),
                    region: region.to_owned(),
                    detail,
                },
                "UnrecognizedClientException"
                | "InvalidSignatureException"
                | "ExpiredTokenException"
                | "InvalidClientTokenId"
                | "IncompleteSignature"
                | "MissingAuthenticationToken" => EcrError::BadCredentials {
                    profile: profile_suffix(opts),
                    region: region.to_owned(),
                    detail,
                },
                _ => EcrError::Service { message: detail },
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            let (endpoint, override_hint) = endpoint_override();
            EcrError::Unreachable {
                region: region.to_owned(),
                endpoint,
                detail: chain(&e).join(": "),
                override_hint,
            }
        }
        _ => {
            let text = chain(&e).join(": ");
            if text.contains("credentials") || text.contains("identity") {
                no_credentials(opts, &text)
            } else {
                EcrError::Service { message: text }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::Exit;
    use aws_sdk_ecr::error::ErrorMetadata;
    use aws_sdk_ecr::operation::get_authorization_token::GetAuthorizationTokenError;
    use rstest::rstest;

    fn service(code: &str, message: &str) -> SdkError<GetAuthorizationTokenError, ()> {
        let meta = ErrorMetadata::builder().code(code).message(message).build();
        SdkError::service_error(GetAuthorizationTokenError::generic(meta), ())
    }

    fn opts() -> AwsOptions {
        AwsOptions {
            profile: Some("dev".into()),
            region: None,
        }
    }

    #[rstest]
    #[case::access_denied(
        "AccessDeniedException",
        "User: arn:aws:sts::111122223333:assumed-role/dev/me is not authorized to perform: ecr:GetAuthorizationToken",
        Exit::Unauthorized,
        "AWS denied ecr:GetAuthorizationToken (profile `dev`) in eu-west-1"
    )]
    #[case::unknown_key(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
        Exit::Unauthorized,
        "were rejected in eu-west-1"
    )]
    #[case::expired(
        "ExpiredTokenException",
        "The security token included in the request is expired",
        Exit::Unauthorized,
        "Refresh them"
    )]
    #[case::other(
        "ThrottlingException",
        "Rate exceeded",
        Exit::Failure,
        "ECR refused the request: ThrottlingException: Rate exceeded"
    )]
    fn service_errors_map_to_exits_and_advice(
        #[case] code: &str,
        #[case] message: &str,
        #[case] exit: Exit,
        #[case] want: &str,
    ) {
        let e = classify(&opts(), "eu-west-1", Some(400), service(code, message));
        assert_eq!(e.exit(), exit);
        assert!(e.to_string().contains(want), "{e}");
    }

    #[test]
    fn credential_errors_inside_the_sdk_error_are_found() {
        let e: SdkError<GetAuthorizationTokenError, ()> = SdkError::construction_failure(
            CredentialsError::provider_error("the SSO token has expired and cannot be refreshed"),
        );
        let e = classify(&opts(), "eu-west-1", None, e);
        assert_eq!(
            e,
            EcrError::SsoExpired {
                profile: "dev".into()
            }
        );
        assert!(e.to_string().contains("aws sso login --profile dev"));
        let none: SdkError<GetAuthorizationTokenError, ()> =
            SdkError::construction_failure(CredentialsError::not_loaded("no providers in chain"));
        assert_eq!(
            classify(&opts(), "eu-west-1", None, none).exit(),
            Exit::Unauthorized
        );
    }

    #[test]
    fn an_answer_without_error_code_says_so_with_its_status() {
        let meta = ErrorMetadata::builder().build();
        let e = SdkError::service_error(GetAuthorizationTokenError::generic(meta), ());
        let e = classify(&opts(), "eu-west-1", Some(500), e);
        assert!(
            e.to_string()
                .starts_with("ECR refused the request: HTTP 500 without an AWS error code"),
            "{e}"
        );
    }

    #[test]
    fn timeouts_are_unreachable() {
        let e: SdkError<GetAuthorizationTokenError, ()> = SdkError::timeout_error("slow");
        assert_eq!(
            classify(&opts(), "eu-west-1", None, e).exit(),
            Exit::Unreachable
        );
    }
}
