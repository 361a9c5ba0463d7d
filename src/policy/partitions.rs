//! AWS partitions and the ECR registry host forms in each. The partition table is the AWS SDK's
//! own partition data (`assets/aws-partitions.json`, copied from the `partitions.json` that
//! aws-sdk-ecr embeds, by `scripts/update-aws-partitions`), so a new partition or a new domain
//! reaches devk as one data change. A test in `src/ecr` checks the table against the SDK's
//! endpoint resolver.
//!
//! ECR registry hosts in a partition (AWS ECR documentation, "Amazon ECR endpoints"):
//! - `ACCOUNT.dkr.ecr.REGION.DNS_SUFFIX` and the FIPS form `ACCOUNT.dkr.ecr-fips.REGION.DNS_SUFFIX`;
//! - dual-stack `ACCOUNT.dkr-ecr[-fips].REGION.on.aws` (`on.amazonwebservices.com.cn` in China):
//!   ECR's dual-stack registry domain is the partition's `dualStackDnsSuffix` with `api.`
//!   turned into `on.`; the `api.` domain itself is accepted too;
//! - VPC endpoint names `vpce-ID.dkr.ecr.REGION.vpce.DNS_SUFFIX`.
//!
//! Over-matching is the safe side here: a host under an AWS partition domain that looks like a
//! registry is treated as ECR (a refused push), never as an unrestricted registry.

use std::sync::LazyLock;

/// The checked-in partition data.
const PARTITIONS_JSON: &str = include_str!("../../assets/aws-partitions.json");

/// One AWS partition, as the SDK describes it.
#[derive(Debug, Clone)]
pub struct Partition {
    /// `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-iso-e`, `aws-iso-f`,
    /// `aws-eusc`, ...
    pub id: String,
    /// `amazonaws.com`, `amazonaws.com.cn`, `c2s.ic.gov`, ...
    pub dns_suffix: String,
    /// `api.aws`, `api.amazonwebservices.com.cn`, ...
    pub dual_stack_dns_suffix: String,
    /// The regions the SDK lists (without the `*-global` pseudo-regions).
    pub regions: Vec<String>,
    region_regex: regex::Regex,
}

impl Partition {
    /// Whether a region name belongs to this partition by its shape (`^us\-gov\-\w+\-\d+$`).
    pub fn owns_region(&self, region: &str) -> bool {
        self.region_regex.is_match(region)
    }

    /// The domains ECR registry hosts of this partition live under, with whether each is a
    /// dual-stack domain.
    pub fn registry_domains(&self) -> Vec<(String, bool)> {
        let mut out = vec![
            (self.dns_suffix.clone(), false),
            (self.dual_stack_dns_suffix.clone(), true),
        ];
        if let Some(rest) = self.dual_stack_dns_suffix.strip_prefix("api.") {
            out.push((format!("on.{rest}"), true));
        }
        out
    }
}

#[derive(serde::Deserialize)]
struct File {
    partitions: Vec<RawPartition>,
}

#[derive(serde::Deserialize)]
struct RawPartition {
    id: String,
    outputs: Outputs,
    #[serde(rename = "regionRegex")]
    region_regex: String,
    regions: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(serde::Deserialize)]
struct Outputs {
    #[serde(rename = "dnsSuffix")]
    dns_suffix: String,
    #[serde(rename = "dualStackDnsSuffix")]
    dual_stack_dns_suffix: String,
}

fn parse(text: &str) -> Result<Vec<Partition>, String> {
    let file: File = serde_json::from_str(text).map_err(|e| e.to_string())?;
    file.partitions
        .into_iter()
        .map(|p| {
            let region_regex = regex::Regex::new(&p.region_regex)
                .map_err(|e| format!("partition {}: {e}", p.id))?;
            Ok(Partition {
                regions: p
                    .regions
                    .into_keys()
                    .filter(|r| !r.ends_with("-global"))
                    .collect(),
                id: p.id,
                dns_suffix: p.outputs.dns_suffix.to_ascii_lowercase(),
                dual_stack_dns_suffix: p.outputs.dual_stack_dns_suffix.to_ascii_lowercase(),
                region_regex,
            })
        })
        .collect()
}

static PARTITIONS: LazyLock<Vec<Partition>> = LazyLock::new(|| {
    #[expect(
        clippy::expect_used,
        reason = "compiled-in data, not input: a test pins that it parses"
    )]
    parse(PARTITIONS_JSON).expect("assets/aws-partitions.json parses")
});

/// Every AWS partition devk knows, in the SDK's order.
pub fn partitions() -> &'static [Partition] {
    &PARTITIONS
}

/// A host recognised as a private ECR registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrHost {
    /// The 12-digit account ID; `None` for VPC endpoint names.
    pub account: Option<String>,
    pub region: String,
    pub fips: bool,
    pub dual_stack: bool,
    /// The partition ID (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub partition: String,
}

/// Recognises a private ECR registry host (lowercase, no port, no trailing dot) in any
/// partition; `None` when it is not one.
pub fn ecr_host(host: &str) -> Option<EcrHost> {
    // The longest domain that ends the host, then the partitions sharing it (aws and
    // aws-us-gov both use amazonaws.com).
    let mut best: Option<(&str, bool)> = None;
    let mut owners: Vec<&Partition> = Vec::new();
    for p in partitions() {
        for (domain, dual) in p.registry_domains() {
            let Some(stem) = host.strip_suffix(domain.as_str()) else {
                continue;
            };
            let Some(stem) = stem.strip_suffix('.') else {
                continue;
            };
            match best {
                Some((b, _)) if b.len() < stem.len() => {}
                Some((b, _)) if b.len() == stem.len() => owners.push(p),
                _ => {
                    best = Some((stem, dual));
                    owners = vec![p];
                }
            }
        }
    }
    let (stem, dual_domain) = best?;
    let labels: Vec<&str> = stem.split('.').collect();
    // `dkr.ecr[-fips]` (IPv4 endpoints) or `dkr-ecr[-fips]` (dual-stack endpoints), then the
    // region. Anything may come before (account ID, VPC endpoint ID) or after (`vpce`).
    for (i, label) in labels.iter().enumerate() {
        let (fips, dash_form, region_at) = match (*label, labels.get(i + 1).copied()) {
            ("dkr", Some("ecr")) => (false, false, i + 2),
            ("dkr", Some("ecr-fips")) => (true, false, i + 2),
            ("dkr-ecr", _) => (false, true, i + 1),
            ("dkr-ecr-fips", _) => (true, true, i + 1),
            _ => continue,
        };
        let region = labels.get(region_at).filter(|r| !r.is_empty())?;
        let account = (i == 1)
            .then(|| labels[0])
            .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_string);
        let partition = owners
            .iter()
            .find(|p| p.owns_region(region))
            .or(owners.first())?;
        return Some(EcrHost {
            account,
            region: (*region).to_string(),
            fips,
            dual_stack: dash_form || dual_domain,
            partition: partition.id.clone(),
        });
    }
    None
}

/// The registry host forms of one account in one region of a partition: (host, fips,
/// dual-stack). For tests and for `devk policy explain`'s documentation.
pub fn registry_hosts(
    partition: &Partition,
    account: &str,
    region: &str,
) -> Vec<(String, bool, bool)> {
    let suffix = &partition.dns_suffix;
    let mut out = vec![
        (format!("{account}.dkr.ecr.{region}.{suffix}"), false, false),
        (
            format!("{account}.dkr.ecr-fips.{region}.{suffix}"),
            true,
            false,
        ),
    ];
    for (domain, dual) in partition.registry_domains() {
        if dual {
            out.push((format!("{account}.dkr-ecr.{region}.{domain}"), false, true));
            out.push((
                format!("{account}.dkr-ecr-fips.{region}.{domain}"),
                true,
                true,
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[test]
    fn the_checked_in_table_parses_and_names_every_partition() {
        let ids: Vec<&str> = partitions().iter().map(|p| p.id.as_str()).collect();
        for want in [
            "aws",
            "aws-cn",
            "aws-us-gov",
            "aws-iso",
            "aws-iso-b",
            "aws-iso-e",
            "aws-iso-f",
            "aws-eusc",
        ] {
            assert!(ids.contains(&want), "{want} missing from {ids:?}");
        }
        assert!(partitions().iter().all(|p| !p.regions.is_empty()));
    }

    /// Every form of every region of every partition is ECR, in the right partition.
    #[test]
    fn every_registry_form_in_every_partition_is_ecr() {
        let mut checked = 0;
        for p in partitions() {
            for region in &p.regions {
                for (host, fips, dual) in registry_hosts(p, "123456789012", region) {
                    let got = ecr_host(&host);
                    assert_eq!(
                        got,
                        Some(EcrHost {
                            account: Some("123456789012".into()),
                            region: region.clone(),
                            fips,
                            dual_stack: dual,
                            partition: p.id.clone(),
                        }),
                        "{host}"
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 200, "{checked}");
    }

    #[rstest]
    #[case::commercial("123456789012.dkr.ecr.eu-west-1.amazonaws.com", "aws")]
    #[case::govcloud("123456789012.dkr.ecr.us-gov-west-1.amazonaws.com", "aws-us-gov")]
    #[case::govcloud_fips("123456789012.dkr.ecr-fips.us-gov-east-1.amazonaws.com", "aws-us-gov")]
    #[case::china("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn", "aws-cn")]
    #[case::china_dual_stack(
        "123456789012.dkr-ecr.cn-northwest-1.on.amazonwebservices.com.cn",
        "aws-cn"
    )]
    #[case::c2s("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov", "aws-iso")]
    #[case::sc2s("123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov", "aws-iso-b")]
    #[case::adc_e("123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk", "aws-iso-e")]
    #[case::hci("123456789012.dkr.ecr.us-isof-south-1.csp.hci.ic.gov", "aws-iso-f")]
    #[case::sovereign_cloud("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu", "aws-eusc")]
    #[case::region_the_table_does_not_list_yet(
        "123456789012.dkr.ecr.us-isob-west-9.sc2s.sgov.gov",
        "aws-iso-b"
    )]
    #[case::vpc_endpoint("vpce-0a1b-2c3d.dkr.ecr.us-iso-east-1.vpce.c2s.ic.gov", "aws-iso")]
    fn registry_hosts_are_ecr_in_their_partition(#[case] host: &str, #[case] partition: &str) {
        assert_eq!(
            ecr_host(host).map(|h| h.partition).as_deref(),
            Some(partition),
            "{host}"
        );
    }

    #[rstest]
    #[case("dkr.ecr.example.com")]
    #[case("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov.evil.io")]
    #[case("123456789012.dkr.ecr.eu-west-1.notamazonaws.com")]
    #[case("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu.example")]
    #[case("api.ecr.us-iso-east-1.c2s.ic.gov")]
    #[case("c2s.ic.gov")]
    #[case("xc2s.ic.gov")]
    fn look_alikes_are_not_ecr(#[case] host: &str) {
        assert_eq!(ecr_host(host), None, "{host}");
    }
}
