//! Docker image references (`[registry[:port]/]path[:tag][@digest]`), parsed the way Docker's
//! reference grammar (distribution/reference) reads them, so that devk sees the same registry
//! `docker push` would talk to: a first component is a registry only when it contains `.` or
//! `:`, is `localhost`, or has an upper-case letter; otherwise the registry is `docker.io`, and
//! a single-component name gets `library/` in front (`nginx` = `docker.io/library/nginx`).

use std::fmt;
use std::net::IpAddr;

/// The registry Docker uses when a reference names none.
pub const DEFAULT_REGISTRY: &str = "docker.io";

/// Docker's limit on the length of `registry/path`.
const MAX_NAME_LEN: usize = 255;

/// Why a text is not an image reference.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{reference}` is not a valid image reference: {problem}")]
pub struct RefError {
    pub reference: String,
    pub problem: String,
}

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// `host[:port]` as written (case kept), or `docker.io`.
    registry: String,
    /// The repository path, e.g. `library/nginx` or `team/app`.
    path: String,
    tag: Option<String>,
    /// `algorithm:hex`, e.g. `sha256:...`.
    digest: Option<String>,
}

impl ImageRef {
    /// Parses `text` with Docker's rules; the error says what is wrong.
    pub fn parse(text: &str) -> Result<ImageRef, RefError> {
        let fail = |problem: String| RefError {
            reference: text.to_string(),
            problem,
        };
        if text.is_empty() {
            return Err(fail("it is empty".into()));
        }
        if let Some(c) = text.chars().find(|c| c.is_whitespace() || c.is_control()) {
            return Err(fail(format!("it contains {c:?}")));
        }
        if text.contains("://") {
            return Err(fail(
                "a reference has no scheme; write `host/path:tag`, not a URL".into(),
            ));
        }
        let (name_tag, digest) = match text.split_once('@') {
            Some((n, d)) => (n, Some(check_digest(d).map_err(fail)?)),
            None => (text, None),
        };
        // A tag is a `:` after the last `/`; a `:` before it belongs to the registry's port.
        let last_slash = name_tag.rfind('/');
        let (name, tag) = match name_tag.rfind(':') {
            Some(colon) if last_slash.is_none_or(|s| colon > s) => {
                let tag = &name_tag[colon + 1..];
                check_tag(tag).map_err(fail)?;
                (&name_tag[..colon], Some(tag.to_string()))
            }
            _ => (name_tag, None),
        };
        if name.is_empty() {
            return Err(fail("the repository name is empty".into()));
        }
        let (registry, path) = split_registry(name);
        if let Some(registry) = registry {
            check_registry(registry).map_err(fail)?;
        }
        let registry = match registry {
            Some(r) if r.eq_ignore_ascii_case("index.docker.io") => DEFAULT_REGISTRY,
            Some(r) => r,
            None => DEFAULT_REGISTRY,
        };
        check_path(path).map_err(fail)?;
        let path = if registry == DEFAULT_REGISTRY && !path.contains('/') {
            format!("library/{path}")
        } else {
            path.to_string()
        };
        if registry.len() + 1 + path.len() > MAX_NAME_LEN {
            return Err(fail(format!(
                "the name is longer than {MAX_NAME_LEN} characters"
            )));
        }
        Ok(ImageRef {
            registry: registry.to_string(),
            path,
            tag,
            digest,
        })
    }

    /// `host[:port]` as written, or `docker.io`.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// The registry host, lower-cased, without port or IPv6 brackets.
    pub fn host(&self) -> String {
        split_host_port(&self.registry).0.to_ascii_lowercase()
    }

    /// The registry port, when one is written.
    pub fn port(&self) -> Option<u16> {
        split_host_port(&self.registry).1
    }

    /// The repository path (`library/nginx`).
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref()
    }

    pub fn digest(&self) -> Option<&str> {
        self.digest.as_deref()
    }

    /// The tag, or `latest` (Docker's default) when none is written.
    pub fn tag_or_latest(&self) -> &str {
        self.tag.as_deref().unwrap_or("latest")
    }
}

impl fmt::Display for ImageRef {
    /// The fully qualified form: `docker.io/library/nginx:1.27`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.path)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for ImageRef {
    type Err = RefError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ImageRef::parse(s)
    }
}

/// Splits off the registry component, if the first component is one.
fn split_registry(name: &str) -> (Option<&str>, &str) {
    match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':'])
                || first == "localhost"
                || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (Some(first), rest)
        }
        _ => (None, name),
    }
}

/// `host:port` -> (`host`, port); `[::1]:5000` -> (`::1`, 5000).
fn split_host_port(registry: &str) -> (&str, Option<u16>) {
    if let Some(v6) = registry.strip_prefix('[') {
        let (host, rest) = v6.split_once(']').unwrap_or((v6, ""));
        return (host, rest.strip_prefix(':').and_then(|p| p.parse().ok()));
    }
    match registry.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()),
        None => (registry, None),
    }
}

fn check_registry(registry: &str) -> Result<(), String> {
    let (host, port) = if let Some(v6) = registry.strip_prefix('[') {
        let (host, rest) = v6
            .split_once(']')
            .ok_or_else(|| format!("registry `{registry}` has no closing `]`"))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(format!("`[{host}]` is not an IPv6 address"));
        }
        match rest {
            "" => (None, None),
            r => (
                None,
                Some(r.strip_prefix(':').ok_or_else(|| {
                    format!("registry `{registry}` has text after `]` that is not a port")
                })?),
            ),
        }
    } else {
        match registry.split_once(':') {
            Some((h, p)) => (Some(h), Some(p)),
            None => (Some(registry), None),
        }
    };
    if let Some(host) = host {
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        };
        if !host.split('.').all(label_ok) {
            return Err(format!(
                "registry host `{host}` is not a valid host name (letters, digits, `-` and `.`)"
            ));
        }
    }
    if let Some(port) = port
        && port.parse::<u16>().is_err()
    {
        return Err(format!(
            "registry port `{port}` is not a number from 0 to 65535"
        ));
    }
    Ok(())
}

/// Each `/`-separated component: `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn check_path(path: &str) -> Result<(), String> {
    for component in path.split('/') {
        if component.is_empty() {
            return Err(
                "the repository path has an empty component (`//` or a trailing `/`)".into(),
            );
        }
        if component.chars().any(|c| c.is_ascii_uppercase()) {
            return Err(format!("repository name must be lowercase (`{component}`)"));
        }
        if !component_ok(component) {
            return Err(format!(
                "`{component}` is not a valid repository component (lowercase letters and digits, \
                 separated by `.`, `_`, `__` or `-`)"
            ));
        }
    }
    Ok(())
}

fn component_ok(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    let (mut i, n) = (0, b.len());
    loop {
        let start = i;
        while i < n && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == n {
            return true;
        }
        // A separator: `.`, `_`, `__` or one or more `-`.
        match b[i] {
            b'.' => i += 1,
            b'_' => i += if b.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while i < n && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
    }
}

fn check_tag(tag: &str) -> Result<(), String> {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut chars = tag.chars();
    let ok = chars.next().is_some_and(word)
        && chars.all(|c| word(c) || c == '.' || c == '-')
        && tag.len() <= 128;
    if ok {
        Ok(())
    } else {
        Err(format!(
            "tag `{tag}` is invalid (1 to 128 of letters, digits, `_`, `.`, `-`; not starting \
             with `.` or `-`)"
        ))
    }
}

/// Checks `algorithm:hex` and returns it.
fn check_digest(digest: &str) -> Result<String, String> {
    let (algorithm, hex) = digest
        .split_once(':')
        .ok_or_else(|| format!("digest `{digest}` is not `algorithm:hex` (e.g. sha256:...)"))?;
    let len = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        other => return Err(format!("digest algorithm `{other}` is not supported")),
    };
    if hex.len() != len
        || !hex
            .chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c))
    {
        return Err(format!(
            "digest `{digest}` must be {algorithm}: followed by {len} lowercase hex digits"
        ));
    }
    Ok(digest.to_string())
}

/// True for a host on this machine: `localhost`, `*.localhost`, a loopback address.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[rstest]
    #[case("nginx", "docker.io", "library/nginx", None, false)]
    #[case("nginx:1.27", "docker.io", "library/nginx", Some("1.27"), false)]
    #[case("team/app:v1", "docker.io", "team/app", Some("v1"), false)]
    #[case(
        "index.docker.io/library/nginx",
        "docker.io",
        "library/nginx",
        None,
        false
    )]
    #[case("localhost/app", "localhost", "app", None, false)]
    #[case("localhost:5000/x", "localhost:5000", "x", None, false)]
    #[case("ghcr.io/o/r/s:t", "ghcr.io", "o/r/s", Some("t"), false)]
    #[case("[::1]:5000/app:1", "[::1]:5000", "app", Some("1"), false)]
    #[case("Registry/app", "Registry", "app", None, false)]
    #[case(
        "a__b/c--d.e:T_1.x-y",
        "docker.io",
        "a__b/c--d.e",
        Some("T_1.x-y"),
        false
    )]
    #[case(
        "x.io/app:1@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        "x.io",
        "app",
        Some("1"),
        true
    )]
    fn parses_like_docker(
        #[case] text: &str,
        #[case] registry: &str,
        #[case] path: &str,
        #[case] tag: Option<&str>,
        #[case] has_digest: bool,
    ) {
        let r = ImageRef::parse(text).unwrap();
        assert_eq!(r.registry(), registry);
        assert_eq!(r.path(), path);
        assert_eq!(r.tag(), tag);
        assert_eq!(r.digest().is_some(), has_digest);
    }

    #[test]
    fn localhost_with_port_but_no_path_is_a_docker_hub_name_with_a_tag() {
        let r = ImageRef::parse("localhost:5000").unwrap();
        assert_eq!(r.to_string(), "docker.io/library/localhost:5000");
    }

    #[test]
    fn host_is_lowercased_without_port() {
        let r = ImageRef::parse("ABC.Example.COM:8443/app").unwrap();
        assert_eq!(
            (r.host().as_str(), r.port()),
            ("abc.example.com", Some(8443))
        );
        let r = ImageRef::parse(&format!("[::1]/app@{D}")).unwrap();
        assert_eq!((r.host().as_str(), r.port()), ("::1", None));
    }

    #[rstest]
    #[case::empty("", "empty")]
    #[case::upper_path("docker.io/Team/app", "lowercase")]
    #[case::upper_single("Nginx", "lowercase")]
    #[case::bad_tag("app:-x", "tag")]
    #[case::empty_tag("app:", "tag")]
    #[case::short_digest("app@sha256:abc", "64 lowercase hex")]
    #[case::upper_digest(
        "app@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
        "lowercase hex"
    )]
    #[case::unknown_algorithm("app@md5:0123456789abcdef0123456789abcdef", "not supported")]
    #[case::scheme("https://x.io/app", "scheme")]
    #[case::space("x.io/a b", "contains")]
    #[case::double_slash("x.io//a", "empty component")]
    #[case::trailing_slash("x.io/a/", "empty component")]
    #[case::bad_host("-x.io/a", "host name")]
    #[case::trailing_dot_host("x.io./a", "host name")]
    #[case::bad_port("x.io:99999/a", "port")]
    #[case::only_digest(&format!("@{D}"), "empty")]
    fn rejects_invalid_references_with_a_reason(#[case] text: &str, #[case] want: &str) {
        let e = ImageRef::parse(text).unwrap_err().to_string();
        assert!(e.contains(want), "{e}");
    }
}
