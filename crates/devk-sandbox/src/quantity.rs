//! Resource quantities (`500m`, `2`, `64Mi`, `1G`) and image references (`nginx` is
//! `docker.io/library/nginx:latest`), parsed the way the API server and the container runtime
//! read them, as far as the simulation needs.

/// Millicores of a CPU quantity (`500m`, `2`, `0.5`).
pub fn parse_cpu(s: &str) -> Option<u64> {
    let s = s.trim();
    if let Some(m) = s.strip_suffix('m') {
        return m.parse::<u64>().ok();
    }
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v >= 0.0).then(|| (v * 1000.0).round() as u64)
}

/// Bytes of a memory quantity (`64Mi`, `1Gi`, `128M`, `1e9`, `1000`).
pub fn parse_memory(s: &str) -> Option<u64> {
    let s = s.trim();
    const UNITS: [(&str, u64); 12] = [
        ("Ki", 1 << 10),
        ("Mi", 1 << 20),
        ("Gi", 1 << 30),
        ("Ti", 1 << 40),
        ("Pi", 1 << 50),
        ("Ei", 1 << 60),
        ("k", 1_000),
        ("M", 1_000_000),
        ("G", 1_000_000_000),
        ("T", 1_000_000_000_000),
        ("P", 1_000_000_000_000_000),
        ("E", 1_000_000_000_000_000_000),
    ];
    for (suffix, mult) in UNITS {
        if let Some(n) = s.strip_suffix(suffix) {
            let v: f64 = n.parse().ok()?;
            return (v.is_finite() && v >= 0.0).then_some((v * mult as f64) as u64);
        }
    }
    let v: f64 = s.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v as u64)
}

/// The registry host of an image reference, as the runtime resolves it (`docker.io` when
/// the first path component is not a host).
pub fn registry_host(image: &str) -> &str {
    match image.split_once('/') {
        Some((first, _)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            first
        }
        _ => "docker.io",
    }
}

/// The reference with registry and tag filled in (`nginx` -> `docker.io/library/nginx:latest`).
pub fn normalize(image: &str) -> String {
    let image = image.trim();
    let (name, digest) = match image.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (image, None),
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    let (repo, tag) = match last.rsplit_once(':') {
        Some((_, t)) => (&name[..name.len() - t.len() - 1], Some(t)),
        None => (name, None),
    };
    let host = registry_host(repo);
    let mut full = if host == "docker.io" && !repo.starts_with("docker.io/") {
        if repo.contains('/') {
            format!("docker.io/{repo}")
        } else {
            format!("docker.io/library/{repo}")
        }
    } else {
        repo.to_string()
    };
    match (tag, digest) {
        (_, Some(d)) => {
            if let Some(t) = tag {
                full.push(':');
                full.push_str(t);
            }
            full.push('@');
            full.push_str(d);
        }
        (Some(t), None) => {
            full.push(':');
            full.push_str(t);
        }
        (None, None) => full.push_str(":latest"),
    }
    full
}

/// The tag of a reference (`latest` when there is none and no digest).
pub fn tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    match last.rsplit_once(':') {
        Some((_, t)) => Some(t),
        None if image.contains('@') => None,
        None => Some("latest"),
    }
}

/// The pull policy the API server defaults to: `Always` for `:latest` or an untagged image,
/// `IfNotPresent` otherwise.
pub fn default_pull_policy(image: &str) -> &'static str {
    if tag(image) == Some("latest") {
        "Always"
    } else {
        "IfNotPresent"
    }
}

/// Whether `host` is an Amazon ECR registry (`123456789012.dkr.ecr.REGION.amazonaws.com`).
pub fn is_ecr(host: &str) -> bool {
    let host = host.split(':').next().unwrap_or(host);
    host.contains(".dkr.ecr.")
        && (host.ends_with(".amazonaws.com") || host.ends_with(".amazonaws.com.cn"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_like_the_api_server() {
        assert_eq!(parse_cpu("500m"), Some(500));
        assert_eq!(parse_cpu("2"), Some(2000));
        assert_eq!(parse_cpu("0.25"), Some(250));
        assert_eq!(parse_memory("64Mi"), Some(64 << 20));
        assert_eq!(parse_memory("1G"), Some(1_000_000_000));
        assert_eq!(parse_memory("1000"), Some(1000));
        assert_eq!(parse_memory("lots"), None);
    }

    #[test]
    fn image_references_normalize_and_default_their_pull_policy() {
        assert_eq!(normalize("nginx"), "docker.io/library/nginx:latest");
        assert_eq!(normalize("me/app:1"), "docker.io/me/app:1");
        assert_eq!(normalize("localhost:5000/app"), "localhost:5000/app:latest");
        assert_eq!(
            normalize("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2"),
            "123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:2"
        );
        assert_eq!(default_pull_policy("app"), "Always");
        assert_eq!(default_pull_policy("app:latest"), "Always");
        assert_eq!(
            default_pull_policy("localhost:5000/app:1.2"),
            "IfNotPresent"
        );
        assert!(is_ecr("123456789012.dkr.ecr.eu-west-1.amazonaws.com"));
        assert!(!is_ecr("registry.example.com"));
        assert_eq!(registry_host("localhost:5000/app"), "localhost:5000");
        assert_eq!(registry_host("library/nginx"), "docker.io");
    }
}
