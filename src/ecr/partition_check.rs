//! The partition table in `assets/aws-partitions.json` (which `policy` derives ECR registry
//! hosts from) checked against the AWS SDK's own endpoint resolver: for every region of every
//! partition, with and without FIPS and dual-stack, the ECR API endpoint the SDK resolves must
//! sit under the domain the table names. A stale table (an SDK update that moved or added a
//! domain) fails here; `scripts/update-aws-partitions` refreshes it.

use aws_sdk_ecr::config::endpoint::{DefaultResolver, Params, ResolveEndpoint};

use crate::policy::partitions;

fn resolved_host(region: &str, fips: bool, dual_stack: bool) -> String {
    let params = Params::builder()
        .region(region)
        .use_fips(fips)
        .use_dual_stack(dual_stack)
        .build()
        .unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let endpoint = rt
        .block_on(DefaultResolver::new().resolve_endpoint(&params))
        .unwrap();
    let url = endpoint.url();
    url.trim_start_matches("https://")
        .split(['/', ':'])
        .next()
        .unwrap()
        .to_owned()
}

#[test]
fn the_partition_table_matches_the_sdks_endpoint_resolver() {
    let mut checked = 0;
    for p in partitions() {
        for region in &p.regions {
            for (fips, dual) in [(false, false), (true, false), (false, true), (true, true)] {
                let host = resolved_host(region, fips, dual);
                let domain = if dual {
                    &p.dual_stack_dns_suffix
                } else {
                    &p.dns_suffix
                };
                assert!(
                    host.ends_with(&format!(".{region}.{domain}")),
                    "{} {region} fips={fips} dual={dual}: the SDK resolves {host}, the table says {domain}",
                    p.id
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 100, "{checked}");
}
