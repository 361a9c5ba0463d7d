//! What kind of registry a host is: Amazon ECR (private or Public), a registry devk.toml names
//! as CI-only, one on this machine, or any other. ECR is recognised in every host form AWS
//! serves in every partition (the SDK's partition table, see [`super::partitions`]: commercial,
//! China, GovCloud, the ISO partitions, the European Sovereign Cloud; FIPS, dual-stack, VPC
//! endpoint names), in any case, with or without a port, by strict suffix matching on the
//! partitions' domains, so look-alikes such as `dkr.ecr.example.com` or
//! `x.amazonaws.com.evil.io` are not ECR.

use std::fmt;

use super::glob::Glob;
use super::image_ref::is_loopback_host;
use super::partitions::ecr_host;

/// The kind of a registry host.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RegistryKind {
    /// A private ECR registry (`<account>.dkr.ecr.<region>.amazonaws.com` and its variants).
    EcrPrivate {
        /// The 12-digit account ID; `None` for VPC endpoint names, which carry none.
        account: Option<String>,
        region: String,
        fips: bool,
        dual_stack: bool,
        /// The AWS partition: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, ...
        partition: String,
    },
    /// ECR Public (`public.ecr.aws`).
    EcrPublic,
    /// A host matching a `policy.ci_only_registries` glob.
    CiOnly { pattern: String },
    /// A registry on this machine (`localhost`, loopback addresses, `*.localhost`, `*.local`).
    Local,
    /// Any other registry (Docker Hub, GHCR, a company registry, ...).
    Other,
}

impl RegistryKind {
    /// True when only CI may push to this registry.
    pub fn is_ci_only(&self) -> bool {
        matches!(
            self,
            RegistryKind::EcrPrivate { .. } | RegistryKind::EcrPublic | RegistryKind::CiOnly { .. }
        )
    }

    /// True for either kind of ECR.
    pub fn is_ecr(&self) -> bool {
        matches!(
            self,
            RegistryKind::EcrPrivate { .. } | RegistryKind::EcrPublic
        )
    }
}

impl fmt::Display for RegistryKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RegistryKind::EcrPrivate {
                account,
                region,
                fips,
                dual_stack,
                partition,
            } => {
                f.write_str("an Amazon ECR private registry")?;
                let mut notes = Vec::new();
                if let Some(a) = account {
                    notes.push(format!("account {a}"));
                }
                notes.push(format!("region {region}"));
                if *fips {
                    notes.push("FIPS endpoint".into());
                }
                if *dual_stack {
                    notes.push("dual-stack endpoint".into());
                }
                if partition != "aws" {
                    notes.push(format!("partition {partition}"));
                }
                write!(f, " ({})", notes.join(", "))
            }
            RegistryKind::EcrPublic => f.write_str("Amazon ECR Public"),
            RegistryKind::CiOnly { pattern } => write!(
                f,
                "a CI-only registry (matches `{pattern}` in policy.ci_only_registries)"
            ),
            RegistryKind::Local => f.write_str("a registry on this machine"),
            RegistryKind::Other => f.write_str("a registry outside the push policy"),
        }
    }
}

/// Classifies a registry host (`host` or `host:port`, any case) against the built-in ECR
/// rules, then the CI-only globs.
pub fn classify_registry(registry: &str, ci_only: &[Glob]) -> RegistryKind {
    let lower = registry.trim().to_ascii_lowercase();
    let (host, has_port) = strip_port(&lower);
    if let Some(kind) = ecr_kind(host) {
        return kind;
    }
    if let Some(g) = ci_only
        .iter()
        .find(|g| g.matches(host) || (has_port && g.matches(&lower)))
    {
        return RegistryKind::CiOnly {
            pattern: g.as_str().to_string(),
        };
    }
    if is_loopback_host(host) || host.ends_with(".local") {
        return RegistryKind::Local;
    }
    RegistryKind::Other
}

/// `host:port` -> `host`, `[::1]:5000` -> `::1`, and whether a port was there.
fn strip_port(registry: &str) -> (&str, bool) {
    if let Some(v6) = registry.strip_prefix('[') {
        let (host, rest) = v6.split_once(']').unwrap_or((v6, ""));
        return (host, !rest.is_empty());
    }
    match registry.split_once(':') {
        Some((h, _)) => (h, true),
        None => (registry, false),
    }
}

fn ecr_kind(host: &str) -> Option<RegistryKind> {
    let host = host.trim_end_matches('.');
    if host == "public.ecr.aws" || host.ends_with(".public.ecr.aws") {
        return Some(RegistryKind::EcrPublic);
    }
    let found = ecr_host(host)?;
    Some(RegistryKind::EcrPrivate {
        account: found.account,
        region: found.region,
        fips: found.fips,
        dual_stack: found.dual_stack,
        partition: found.partition,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn ecr(
        account: Option<&str>,
        region: &str,
        fips: bool,
        dual: bool,
        partition: &str,
    ) -> RegistryKind {
        RegistryKind::EcrPrivate {
            account: account.map(str::to_string),
            region: region.into(),
            fips,
            dual_stack: dual,
            partition: partition.into(),
        }
    }

    const A: Option<&str> = Some("123456789012");

    #[rstest]
    #[case(
        "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
        ecr(A, "eu-west-1", false, false, "aws")
    )]
    #[case(
        "123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM:443",
        ecr(A, "eu-west-1", false, false, "aws")
    )]
    #[case(
        "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
        ecr(A, "cn-north-1", false, false, "aws-cn")
    )]
    #[case(
        "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com",
        ecr(A, "us-gov-west-1", true, false, "aws-us-gov")
    )]
    #[case(
        "123456789012.dkr-ecr.us-east-1.on.aws",
        ecr(A, "us-east-1", false, true, "aws")
    )]
    #[case(
        "123456789012.dkr-ecr-fips.us-east-1.on.aws",
        ecr(A, "us-east-1", true, true, "aws")
    )]
    #[case(
        "vpce-0a1b-2c3d.dkr.ecr.us-east-1.vpce.amazonaws.com",
        ecr(None, "us-east-1", false, false, "aws")
    )]
    #[case("public.ecr.aws", RegistryKind::EcrPublic)]
    #[case("PUBLIC.ECR.AWS:443", RegistryKind::EcrPublic)]
    #[case("dkr.ecr.example.com", RegistryKind::Other)]
    #[case(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io",
        RegistryKind::Other
    )]
    #[case("ecr.us-east-1.amazonaws.com", RegistryKind::Other)]
    #[case("public.ecr.aws.evil.io", RegistryKind::Other)]
    #[case("notpublic.ecr.aws.example", RegistryKind::Other)]
    #[case("docker.io", RegistryKind::Other)]
    #[case("ghcr.io", RegistryKind::Other)]
    #[case("localhost:5000", RegistryKind::Local)]
    #[case("127.0.0.1:5000", RegistryKind::Local)]
    #[case("[::1]:5000", RegistryKind::Local)]
    #[case("registry.localhost", RegistryKind::Local)]
    #[case("registry.local:5000", RegistryKind::Local)]
    #[case("registry.corp.example:5000", RegistryKind::CiOnly { pattern: "*.corp.example".into() })]
    #[case("harbor.example.com:8443", RegistryKind::CiOnly { pattern: "harbor.example.com:8443".into() })]
    #[case("harbor.example.com:9000", RegistryKind::Other)]
    fn classifies_registry_hosts(#[case] host: &str, #[case] want: RegistryKind) {
        let globs = [
            Glob::new("*.corp.example"),
            Glob::new("harbor.example.com:8443"),
        ];
        assert_eq!(classify_registry(host, &globs), want);
    }

    #[test]
    fn ecr_wins_over_a_ci_only_glob_and_display_names_the_region() {
        let k = classify_registry(
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com",
            &[Glob::new("*")],
        );
        assert!(k.is_ecr());
        assert_eq!(
            k.to_string(),
            "an Amazon ECR private registry (account 123456789012, region eu-west-1)"
        );
    }
}
