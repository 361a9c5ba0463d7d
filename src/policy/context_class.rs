//! Context classes: `protected` (production-like: switching needs confirmation), `local`
//! (a cluster on this machine) or `remote`. A protected match wins over every local sign, so a
//! context named `prod` pointing at a loopback tunnel is still treated as production.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::glob::Glob;

/// The class of a context.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContextClass {
    Local,
    Protected,
    Remote,
}

impl ContextClass {
    pub fn as_str(self) -> &'static str {
        match self {
            ContextClass::Local => "local",
            ContextClass::Protected => "protected",
            ContextClass::Remote => "remote",
        }
    }
}

impl std::fmt::Display for ContextClass {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A class with the reason it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Classification {
    pub class: ContextClass,
    pub reason: String,
}

/// Patterns and paths classification depends on.
#[derive(Debug, Clone)]
pub struct ClassRules {
    pub protected: Vec<Glob>,
    pub local: Vec<Glob>,
    /// minikube's home (`$MINIKUBE_HOME` or `~/.minikube`): a CA file under it means minikube.
    pub minikube_home: Option<PathBuf>,
}

impl ClassRules {
    pub fn new(protected: &[String], local: &[String], minikube_home: Option<PathBuf>) -> Self {
        ClassRules {
            protected: protected.iter().map(|p| Glob::new(p)).collect(),
            local: local.iter().map(|p| Glob::new(p)).collect(),
            minikube_home,
        }
    }

    /// minikube's home from the environment: MINIKUBE_HOME (which may name the `.minikube`
    /// folder itself or its parent) or ~/.minikube.
    pub fn minikube_home_from_env() -> Option<PathBuf> {
        if let Some(h) = std::env::var_os("MINIKUBE_HOME").filter(|h| !h.is_empty()) {
            let h = PathBuf::from(h);
            return Some(if h.ends_with(".minikube") {
                h
            } else {
                h.join(".minikube")
            });
        }
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".minikube"))
    }
}

/// Names that local cluster tools give their contexts (exact) and prefixes they use.
const LOCAL_NAMES: &[&str] = &[
    "minikube",
    "docker-desktop",
    "docker-for-desktop",
    "rancher-desktop",
    "colima",
    "orbstack",
    "microk8s",
];
const LOCAL_PREFIXES: &[&str] = &["kind-", "k3d-", "colima-"];

/// Classifies a context from its name, its cluster's name, server URL and CA file path.
pub fn classify(
    rules: &ClassRules,
    context: &str,
    cluster: &str,
    server: Option<&str>,
    ca_file: Option<&str>,
) -> Classification {
    let found = |class, reason: String| Classification { class, reason };
    for g in &rules.protected {
        for (what, name) in [("context", context), ("cluster", cluster)] {
            if !name.is_empty() && g.matches(name) {
                return found(
                    ContextClass::Protected,
                    format!(
                        "{what} name `{name}` matches protected pattern `{}`",
                        g.as_str()
                    ),
                );
            }
        }
    }
    for name in [context, cluster] {
        let lower = name.to_lowercase();
        if LOCAL_NAMES.contains(&lower.as_str()) {
            return found(
                ContextClass::Local,
                format!("`{name}` is a local cluster tool's name"),
            );
        }
        if let Some(p) = LOCAL_PREFIXES.iter().find(|p| lower.starts_with(*p)) {
            return found(ContextClass::Local, format!("`{name}` starts with `{p}`"));
        }
        if let Some(g) = rules.local.iter().find(|g| g.matches(name)) {
            return found(
                ContextClass::Local,
                format!("`{name}` matches local pattern `{}`", g.as_str()),
            );
        }
    }
    if let (Some(ca), Some(home)) = (ca_file, &rules.minikube_home)
        && Path::new(ca).starts_with(home)
    {
        return found(
            ContextClass::Local,
            format!("its CA file is under {}", home.display()),
        );
    }
    if let Some(host) = server.and_then(server_host)
        && is_loopback_host(&host)
    {
        return found(
            ContextClass::Local,
            format!("its server `{host}` is on this machine"),
        );
    }
    found(
        ContextClass::Remote,
        "no local or protected sign".to_string(),
    )
}

/// The host part of a server URL (`https://[::1]:6443/x` -> `::1`).
fn server_host(server: &str) -> Option<String> {
    let rest = server.split_once("://").map_or(server, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next()?;
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = hostport.strip_prefix('[') {
        v6.split(']').next()?
    } else {
        hostport.split(':').next()?
    };
    (!host.is_empty()).then(|| host.to_lowercase())
}

fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn rules() -> ClassRules {
        ClassRules::new(
            &["*prod*".into(), "*prd*".into(), "*production*".into()],
            &["dev-box".into()],
            Some(PathBuf::from("/home/u/.minikube")),
        )
    }

    #[rstest]
    #[case::minikube(
        "minikube",
        "minikube",
        Some("https://192.168.49.2:8443"),
        None,
        ContextClass::Local
    )]
    #[case::kind(
        "kind-dev",
        "kind-dev",
        Some("https://127.0.0.1:39211"),
        None,
        ContextClass::Local
    )]
    #[case::k3d(
        "k3d-a",
        "k3d-a",
        Some("https://0.0.0.0:6550"),
        None,
        ContextClass::Local
    )]
    #[case::docker_desktop(
        "docker-desktop",
        "docker-desktop",
        Some("https://kubernetes.docker.internal:6443"),
        None,
        ContextClass::Local
    )]
    #[case::rancher("rancher-desktop", "rancher-desktop", None, None, ContextClass::Local)]
    #[case::colima("colima", "colima", None, None, ContextClass::Local)]
    #[case::orbstack("orbstack", "orbstack", None, None, ContextClass::Local)]
    #[case::microk8s("microk8s", "microk8s-cluster", None, None, ContextClass::Local)]
    #[case::minikube_profile_by_ca(
        "team",
        "team",
        Some("https://192.168.58.2:8443"),
        Some("/home/u/.minikube/ca.crt"),
        ContextClass::Local
    )]
    #[case::loopback_v4(
        "tunnel",
        "tunnel",
        Some("https://127.0.0.5:6443"),
        None,
        ContextClass::Local
    )]
    #[case::loopback_v6("t6", "t6", Some("https://[::1]:6443"), None, ContextClass::Local)]
    #[case::localhost("lh", "lh", Some("http://localhost:8080"), None, ContextClass::Local)]
    #[case::configured_local("dev-box", "c", Some("https://10.0.0.1"), None, ContextClass::Local)]
    #[case::eks_remote(
        "arn:aws:eks:eu-west-1:123:cluster/staging",
        "staging",
        Some("https://ABC.gr7.eu-west-1.eks.amazonaws.com"),
        None,
        ContextClass::Remote
    )]
    #[case::prod_name(
        "prod",
        "eks-1",
        Some("https://x.eks.amazonaws.com"),
        None,
        ContextClass::Protected
    )]
    #[case::prod_in_cluster_name("dev", "prd-eu", Some("https://x"), None, ContextClass::Protected)]
    #[case::prod_wins_over_loopback(
        "prod-tunnel",
        "p",
        Some("https://127.0.0.1:6443"),
        None,
        ContextClass::Protected
    )]
    #[case::prod_wins_over_minikube_ca(
        "my-production",
        "m",
        None,
        Some("/home/u/.minikube/ca.crt"),
        ContextClass::Protected
    )]
    #[case::prod_wins_over_kind_prefix(
        "kind-prod",
        "kind-prod",
        None,
        None,
        ContextClass::Protected
    )]
    #[case::case_insensitive("PROD", "x", None, None, ContextClass::Protected)]
    #[case::not_loopback_lookalike(
        "x",
        "x",
        Some("https://127.0.0.1.example.com"),
        None,
        ContextClass::Remote
    )]
    fn classify_contexts(
        #[case] context: &str,
        #[case] cluster: &str,
        #[case] server: Option<&str>,
        #[case] ca: Option<&str>,
        #[case] want: ContextClass,
    ) {
        let c = classify(&rules(), context, cluster, server, ca);
        assert_eq!(c.class, want, "{}", c.reason);
    }

    #[test]
    fn protected_reason_names_the_pattern() {
        let c = classify(&rules(), "eu-prod", "c", None, None);
        assert!(c.reason.contains("*prod*"), "{}", c.reason);
    }
}
