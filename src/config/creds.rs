//! `[creds]`: ECR pull secrets for local clusters (`devk creds`, the Registry creds tab).

use serde::Deserialize;

use super::error::ConfigError;

/// `[creds]` as written; [`CredsConfig::check`] validates what types cannot.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CredsConfig {
    /// Name of the pull secret in each namespace.
    pub secret_name: String,
    /// Namespaces to write; empty = the context's namespace.
    pub namespaces: Vec<String>,
    /// Service accounts whose imagePullSecrets get the secret.
    pub service_accounts: Vec<String>,
    /// `ACCOUNT`, `ACCOUNT:REGION` or a registry host.
    pub registries: Vec<String>,
    /// AWS profile ("" = the chain's).
    pub profile: String,
    /// AWS region ("" = the chain's).
    pub region: String,
    /// Globs of remote/protected contexts that may still receive secrets.
    pub allowed_contexts: Vec<String>,
    /// `1h`, `90m`, `45` (minutes).
    pub refresh_before: String,
    pub auto_refresh: bool,
    /// Write minikube's registry-creds addon secret instead.
    pub addon: bool,
    pub addon_assume_role: String,
}

impl CredsConfig {
    /// Parsed registries (checked by [`check`], so errors here are already reported).
    pub fn registry_specs(&self) -> Result<Vec<crate::creds::RegistrySpec>, String> {
        self.registries
            .iter()
            .map(|r| crate::creds::RegistrySpec::parse(r))
            .collect()
    }

    /// `refresh_before` in seconds.
    pub fn refresh_before_secs(&self) -> Result<i64, String> {
        crate::creds::schedule::parse_refresh_before(&self.refresh_before)
    }
}

/// A Kubernetes object name (RFC 1123 label / subdomain, lowercase).
fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 253
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && name
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric())
        && name
            .bytes()
            .last()
            .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Problems in `[creds]`, each naming its key and origin.
pub(crate) fn check(c: &CredsConfig, origin: &dyn Fn(&str) -> String) -> Vec<ConfigError> {
    let mut errors = Vec::new();
    let mut bad = |key: &str, problem: String| {
        errors.push(ConfigError::Invalid {
            origin: origin(key),
            key: key.to_owned(),
            problem,
        })
    };
    if !valid_name(&c.secret_name) {
        bad(
            "creds.secret_name",
            format!(
                "`{}` is not a Kubernetes secret name (lowercase letters, digits, `-` and `.`), e.g. \"ecr-pull\"",
                c.secret_name
            ),
        );
    }
    for (key, names) in [
        ("creds.namespaces", &c.namespaces),
        ("creds.service_accounts", &c.service_accounts),
    ] {
        for (i, n) in names.iter().enumerate() {
            if !valid_name(n) {
                bad(
                    key,
                    format!(
                        "item {}: `{n}` is not a Kubernetes name (lowercase letters, digits and `-`)",
                        i + 1
                    ),
                );
            }
        }
    }
    for (i, r) in c.registries.iter().enumerate() {
        if let Err(e) = crate::creds::RegistrySpec::parse(r) {
            bad("creds.registries", format!("item {}: {e}", i + 1));
        }
    }
    if !c.region.is_empty()
        && let Err(e) = crate::creds::check_region(&c.region)
    {
        bad("creds.region", e);
    }
    match c.refresh_before_secs() {
        Err(e) => bad("creds.refresh_before", e),
        Ok(s) if s > 11 * 3600 => bad(
            "creds.refresh_before",
            format!(
                "`{}` is longer than 11h; ECR tokens live 12 hours, so devk would refresh all the time",
                c.refresh_before
            ),
        ),
        Ok(_) => {}
    }
    for (i, g) in c.allowed_contexts.iter().enumerate() {
        if g.trim().is_empty() {
            bad(
                "creds.allowed_contexts",
                format!(
                    "has an empty glob (item {}); remove it or write a context name",
                    i + 1
                ),
            );
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use rstest::rstest;

    #[test]
    fn defaults_pass() {
        let c = Config::default().creds;
        assert_eq!(c.secret_name, "ecr-pull");
        assert_eq!(c.refresh_before_secs(), Ok(3600));
        assert!(check(&c, &|_| String::new()).is_empty());
    }

    #[rstest]
    #[case::secret_name(|c: &mut CredsConfig| c.secret_name = "ECR_Pull".into(), "creds.secret_name")]
    #[case::namespace(|c: &mut CredsConfig| c.namespaces = vec!["dev".into(), "Dev!".into()], "creds.namespaces` item 2")]
    #[case::registry(|c: &mut CredsConfig| c.registries = vec!["1234".into()], "creds.registries` item 1: `1234`")]
    #[case::region(|c: &mut CredsConfig| c.region = "Europe".into(), "creds.region")]
    #[case::refresh(|c: &mut CredsConfig| c.refresh_before = "1 day".into(), "creds.refresh_before")]
    #[case::refresh_too_long(|c: &mut CredsConfig| c.refresh_before = "12h".into(), "longer than 11h")]
    #[case::allowed(|c: &mut CredsConfig| c.allowed_contexts = vec!["".into()], "creds.allowed_contexts")]
    fn bad_values_name_their_key(#[case] edit: fn(&mut CredsConfig), #[case] want: &str) {
        let mut c = Config::default().creds;
        edit(&mut c);
        let errors: Vec<String> = check(&c, &|k| format!("<{k}>"))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].contains(want), "{}", errors[0]);
    }
}
