//! Short names for the context names tools generate, so a team's clusters do not all look the
//! same when cut to a column: `aws eks update-kubeconfig` names a context
//! `arn:aws:eks:REGION:ACCOUNT:cluster/NAME`, `gcloud container clusters get-credentials`
//! `gke_PROJECT_LOCATION_NAME`, eksctl `USER@NAME.REGION.eksctl.io`, and `oc login`
//! `NAMESPACE/SERVER:PORT/USER`. Each is shown by its cluster's name, with where it is (region
//! and account, project and location...) as secondary text. Any other name is shown as it is.
//!
//! Pure: strings in, strings out. Used by the TUI and by `devk contexts`.

use std::collections::HashMap;

/// How a context is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName {
    /// The cluster's own name (`payments-prod`), or the whole context name when it is not a
    /// generated one.
    pub name: String,
    /// Where the cluster is (`eu-west-1 · 123456789012`), for generated names.
    pub detail: Option<String>,
    /// What generated the name, for the details pane and the confirmation dialog.
    pub kind: Kind,
}

/// The tool that generated a context name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Not a generated name.
    Plain,
    /// `aws eks update-kubeconfig`: an EKS cluster ARN (any AWS partition).
    EksArn,
    /// eksctl.
    Eksctl,
    /// `gcloud container clusters get-credentials`.
    Gke,
    /// `oc login` (OpenShift).
    OpenShift,
}

impl Kind {
    /// What the secondary text is, in words.
    pub fn detail_label(self) -> &'static str {
        match self {
            Kind::Plain => "",
            Kind::EksArn => "region · account",
            Kind::Eksctl => "region · user",
            Kind::Gke => "project · location",
            Kind::OpenShift => "user · namespace",
        }
    }
}

/// How `context` is shown.
pub fn display_name(context: &str) -> DisplayName {
    eks_arn(context)
        .or_else(|| gke(context))
        .or_else(|| eksctl(context))
        .or_else(|| openshift(context))
        .unwrap_or_else(|| DisplayName {
            name: context.to_string(),
            detail: None,
            kind: Kind::Plain,
        })
}

fn generated(name: &str, detail: String, kind: Kind) -> Option<DisplayName> {
    Some(DisplayName {
        name: name.to_string(),
        detail: Some(detail),
        kind,
    })
}

/// `arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME`.
fn eks_arn(s: &str) -> Option<DisplayName> {
    let rest = s.strip_prefix("arn:")?;
    let mut parts = rest.splitn(5, ':');
    let (partition, service, region, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let name = resource.strip_prefix("cluster/")?;
    let ok = partition.starts_with("aws")
        && service == "eks"
        && !region.is_empty()
        && !account.is_empty()
        && account.chars().all(|c| c.is_ascii_digit())
        && !name.is_empty();
    ok.then(|| generated(name, format!("{region} · {account}"), Kind::EksArn))?
}

/// `gke_PROJECT_LOCATION_NAME`: project ids, locations and cluster names have no underscore.
fn gke(s: &str) -> Option<DisplayName> {
    let rest = s.strip_prefix("gke_")?;
    let parts: Vec<&str> = rest.split('_').collect();
    let [project, location, name] = parts[..] else {
        return None;
    };
    if [project, location, name].iter().any(|p| p.is_empty()) {
        return None;
    }
    generated(name, format!("{project} · {location}"), Kind::Gke)
}

/// `USER@NAME.REGION.eksctl.io`.
fn eksctl(s: &str) -> Option<DisplayName> {
    let rest = s.strip_suffix(".eksctl.io")?;
    let (user, cluster_region) = rest.rsplit_once('@')?;
    let (name, region) = cluster_region.rsplit_once('.')?;
    if user.is_empty() || name.is_empty() || region.is_empty() {
        return None;
    }
    generated(name, format!("{region} · {user}"), Kind::Eksctl)
}

/// `NAMESPACE/HOST:PORT/USER`, the host with its dots turned into dashes
/// (`default/api-crc-testing:6443/kubeadmin`).
fn openshift(s: &str) -> Option<DisplayName> {
    let mut parts = s.split('/');
    let (namespace, server, user) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || namespace.is_empty() || user.is_empty() {
        return None;
    }
    let (host, port) = server.rsplit_once(':')?;
    if host.is_empty() || port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    generated(server, format!("{user} · {namespace}"), Kind::OpenShift)
}

/// What a person types to confirm an action on the protected context `context`: the cluster's
/// name for a generated context name (`payments-prod` for an EKS ARN), else the context's own
/// name. Typing it proves the user read which cluster they are about to act on, and it is short
/// enough to type without looking away. The TUI dialog and the CLI prompt ask for the same.
pub fn confirmation_word(context: &str) -> String {
    display_name(context).name
}

/// A label per context, all distinct: the display name, and where two contexts share it, the
/// display name with its detail (or, for names that are not generated, the whole name).
pub fn unique_labels<'a>(contexts: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let shown: Vec<(&str, DisplayName)> =
        contexts.into_iter().map(|c| (c, display_name(c))).collect();
    let mut count: HashMap<&str, usize> = HashMap::new();
    for (_, d) in &shown {
        *count.entry(d.name.as_str()).or_default() += 1;
    }
    let labels: Vec<String> = shown
        .iter()
        .map(|(full, d)| {
            if count.get(d.name.as_str()).copied().unwrap_or(0) < 2 {
                return d.name.clone();
            }
            match &d.detail {
                Some(detail) => format!("{} ({detail})", d.name),
                None => (*full).to_string(),
            }
        })
        .collect();
    // Whatever is still shared (a plain name that reads like a qualified one) falls back to
    // the whole context name, which is unique in a kubeconfig.
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for l in &labels {
        *seen.entry(l.as_str()).or_default() += 1;
    }
    labels
        .iter()
        .zip(&shown)
        .map(|(l, (full, _))| {
            if seen.get(l.as_str()).copied().unwrap_or(0) > 1 {
                (*full).to_string()
            } else {
                l.clone()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::eks(
        "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod",
        "payments-prod",
        Some("eu-west-1 · 123456789012"),
        Kind::EksArn
    )]
    #[case::eks_china(
        "arn:aws-cn:eks:cn-north-1:123456789012:cluster/web",
        "web",
        Some("cn-north-1 · 123456789012"),
        Kind::EksArn
    )]
    #[case::eks_gov(
        "arn:aws-us-gov:eks:us-gov-west-1:210987654321:cluster/ledger",
        "ledger",
        Some("us-gov-west-1 · 210987654321"),
        Kind::EksArn
    )]
    #[case::gke_zone(
        "gke_acme-shop-prod_europe-west1-b_checkout",
        "checkout",
        Some("acme-shop-prod · europe-west1-b"),
        Kind::Gke
    )]
    #[case::gke_region(
        "gke_acme-data_us-central1_warehouse-2",
        "warehouse-2",
        Some("acme-data · us-central1"),
        Kind::Gke
    )]
    #[case::eksctl(
        "jane@example.com@orders.us-west-2.eksctl.io",
        "orders",
        Some("us-west-2 · jane@example.com"),
        Kind::Eksctl
    )]
    #[case::openshift(
        "default/api-crc-testing:6443/kubeadmin",
        "api-crc-testing:6443",
        Some("kubeadmin · default"),
        Kind::OpenShift
    )]
    #[case::plain("minikube", "minikube", None, Kind::Plain)]
    #[case::arn_of_something_else(
        "arn:aws:iam::123456789012:role/dev",
        "arn:aws:iam::123456789012:role/dev",
        None,
        Kind::Plain
    )]
    #[case::arn_without_account(
        "arn:aws:eks:eu-west-1::cluster/x",
        "arn:aws:eks:eu-west-1::cluster/x",
        None,
        Kind::Plain
    )]
    #[case::gke_too_few_parts("gke_project_cluster", "gke_project_cluster", None, Kind::Plain)]
    #[case::gke_too_many_parts("gke_a_b_c_d", "gke_a_b_c_d", None, Kind::Plain)]
    #[case::slashes_only("team/dev", "team/dev", None, Kind::Plain)]
    fn generated_names_show_the_cluster_name_and_where_it_is(
        #[case] context: &str,
        #[case] name: &str,
        #[case] detail: Option<&str>,
        #[case] kind: Kind,
    ) {
        let d = display_name(context);
        assert_eq!(
            (d.name.as_str(), d.detail.as_deref(), d.kind),
            (name, detail, kind)
        );
    }

    #[test]
    fn labels_stay_distinct_when_clusters_share_a_name() {
        let names = [
            "arn:aws:eks:eu-west-1:111111111111:cluster/payments",
            "arn:aws:eks:us-east-1:111111111111:cluster/payments",
            "arn:aws:eks:eu-west-1:111111111111:cluster/orders",
            "payments",
            "gke_shop_europe-west1_orders-eu",
        ];
        let labels = unique_labels(names);
        assert_eq!(
            labels,
            [
                "payments (eu-west-1 · 111111111111)",
                "payments (us-east-1 · 111111111111)",
                "orders",
                "payments",
                "orders-eu",
            ]
        );
        let distinct: std::collections::HashSet<&String> = labels.iter().collect();
        assert_eq!(distinct.len(), names.len());
    }
}
