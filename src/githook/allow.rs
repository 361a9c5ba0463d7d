//! How findings are shown and allowed: masking for display, fingerprints that name a value
//! without revealing it, and the three ways to allow a finding (the AWS documentation's example
//! keys, `devk:allow` on the line, a fingerprint listed in `.devkignore`).

use std::collections::HashSet;
use std::fmt::Write as _;

use super::rules::Hit;

/// The AWS documentation's example credentials: they appear in tutorials, READMEs and tests.
const AWS_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "AKIAI44QH8DHBEXAMPLE",
    "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY",
];

/// A comment with this word anywhere on a line allows every finding on that line.
pub const ALLOW_MARKER: &[u8] = b"devk:allow";

/// The value masked for display: the first 4 characters (fewer for very short values, so that
/// at least half stays hidden), then one `*` per hidden character, at most 36 of them.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    let visible = 4.min(chars.len() / 2);
    let hidden = chars.len() - visible;
    let mut out: String = chars[..visible].iter().collect();
    out.push_str(&"*".repeat(hidden.min(36)));
    if hidden > 36 {
        let _ = write!(out, "…({} chars)", chars.len());
    }
    out
}

/// A short, stable name for a (rule, value) pair that reveals nothing about the value:
/// `rule:` and the first 16 hex digits of SHA-256 over the rule name and value.
pub fn fingerprint(rule: &str, value: &[u8]) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(rule.as_bytes());
    ctx.update(b"\0");
    ctx.update(value);
    let digest = ctx.finish();
    let mut out = format!("{rule}:");
    for b in &digest.as_ref()[..8] {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// Why a hit is not reported, if it is allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// One of the AWS documentation's example keys.
    AwsExample,
    /// `devk:allow` on the line.
    Marker,
    /// Its fingerprint is in `.devkignore`.
    Fingerprint,
    /// Its fingerprint, at this path, is in the baseline.
    Baseline,
}

/// The allow-list: the fingerprints from `.devkignore`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Allowlist {
    fingerprints: HashSet<String>,
    /// (path, fingerprint) pairs from the baseline.
    baseline: HashSet<(String, String)>,
}

impl Allowlist {
    /// Parses `.devkignore`: one fingerprint per line; `#` starts a comment; blank lines are
    /// ignored.
    pub fn parse(text: &str) -> Allowlist {
        let fingerprints = text
            .lines()
            .map(|l| l.split('#').next().unwrap_or("").trim())
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        Allowlist {
            fingerprints,
            baseline: HashSet::new(),
        }
    }

    /// Adds the baseline's (path, fingerprint) pairs.
    pub fn with_baseline(mut self, entries: HashSet<(String, String)>) -> Allowlist {
        self.baseline = entries;
        self
    }

    /// How many fingerprints are listed.
    pub fn len(&self) -> usize {
        self.fingerprints.len()
    }

    /// True when nothing is listed.
    pub fn is_empty(&self) -> bool {
        self.fingerprints.is_empty() && self.baseline.is_empty()
    }

    /// Whether `hit`, found on `line`, is allowed, and why.
    pub fn allows(&self, hit: &Hit, line: &[u8]) -> Option<Allowed> {
        if AWS_EXAMPLES.iter().any(|e| e.as_bytes() == hit.value) {
            return Some(Allowed::AwsExample);
        }
        if contains(line, ALLOW_MARKER) {
            return Some(Allowed::Marker);
        }
        if !self.fingerprints.is_empty() && self.fingerprints.contains(&hit.fingerprint()) {
            return Some(Allowed::Fingerprint);
        }
        None
    }

    /// [`Allowlist::allows`], and the baseline for a hit in the file `path`.
    pub fn allows_at(&self, hit: &Hit, line: &[u8], path: &str) -> Option<Allowed> {
        self.allows(hit, line).or_else(|| {
            (!self.baseline.is_empty()
                && self
                    .baseline
                    .contains(&(path.to_owned(), hit.fingerprint())))
            .then_some(Allowed::Baseline)
        })
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    /// An access key ID built at run time, so this source file itself holds none.
    fn akia(rest: &str) -> String {
        format!("AK{}{rest}", "IA")
    }

    #[test]
    fn mask_shows_only_the_prefix_of_a_key() {
        assert_eq!(mask(&akia("Z7Q2LMNB4XK5PW3R")), "AKIA****************");
    }

    #[rstest]
    #[case::short("abcdef", "abc***")]
    #[case::long(&"a".repeat(50), &format!("aaaa{}…(50 chars)", "*".repeat(36)))]
    fn mask_keeps_four_characters(#[case] value: &str, #[case] want: &str) {
        assert_eq!(mask(value), want);
    }

    #[test]
    fn fingerprint_is_stable_and_hides_the_value() {
        let fp = fingerprint("aws-access-key-id", b"value");
        assert_eq!(fp, fingerprint("aws-access-key-id", b"value"));
        assert_ne!(fp, fingerprint("private-key", b"value"));
        assert!(fp.starts_with("aws-access-key-id:"));
        assert_eq!(fp.len(), "aws-access-key-id:".len() + 16);
    }
}
