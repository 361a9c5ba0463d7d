//! What counts as a secret: the built-in rules, custom regexes from the config, the checks that
//! keep look-alikes quiet (entropy, exact lengths, word boundaries), masking for display,
//! fingerprints, and the three ways to allow a finding (the AWS documentation's example keys,
//! `devk:allow` on the line, a fingerprint listed in `.devkignore`).
//!
//! Rules look at one line at a time. A cheap trigger regex runs over whole blobs first, so a
//! file without a single trigger word costs one pass of the regex engine and nothing more.

use crate::encoding::base64_decode;
use std::fmt::Write as _;

use regex::bytes::{Regex, RegexBuilder};

use super::HookError;
pub use super::allow::{ALLOW_MARKER, Allowed, Allowlist, fingerprint, mask};

/// Shannon entropy (bits per character) below which a 40-character value is not taken for an
/// AWS secret access key. Random keys over the 64-character alphabet score 4.1 or more; hex
/// digests (at most 4.0, and they have no upper case) and placeholders score less.
const SECRET_KEY_MIN_ENTROPY: f64 = 3.9;

/// One built-in or custom rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleId {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    AwsSessionToken,
    PrivateKey,
    DockerConfigAuth,
    /// `hook.custom_patterns[n]`, 0-based.
    Custom(usize),
}

impl RuleId {
    /// The stable name shown in reports and used in fingerprints.
    pub fn name(self) -> String {
        match self {
            RuleId::AwsAccessKeyId => "aws-access-key-id".to_owned(),
            RuleId::AwsSecretAccessKey => "aws-secret-access-key".to_owned(),
            RuleId::AwsSessionToken => "aws-session-token".to_owned(),
            RuleId::PrivateKey => "private-key".to_owned(),
            RuleId::DockerConfigAuth => "docker-config-auth".to_owned(),
            RuleId::Custom(i) => format!("custom-{}", i + 1),
        }
    }
}

/// A rule's hit on one line: which rule, and the secret value (never shown unmasked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub rule: RuleId,
    pub value: Vec<u8>,
}

impl Hit {
    /// The value masked for display.
    pub fn masked(&self) -> String {
        mask(&String::from_utf8_lossy(&self.value))
    }

    /// The fingerprint that `.devkignore` lists to allow this value.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.rule.name(), &self.value)
    }
}

/// The compiled rules.
#[derive(Debug)]
pub struct Rules {
    /// Runs over whole blobs: a line with no trigger cannot hold a secret.
    trigger: Regex,
    /// Runs over whole blobs when there are no custom rules: no match means no built-in rule
    /// can fire on any line ([`Rules::may_hold_secret`]).
    suspect: Regex,
    access_key_id: Regex,
    assignment: Regex,
    session_token_prefix: Regex,
    private_key: Regex,
    docker_auth: Regex,
    docker_password: Regex,
    docker_config_blob: Regex,
    custom: Vec<Regex>,
}

/// Trigger words of the built-in rules, one alternation (literals, so the regex engine can use
/// its fast substring search).
const BUILTIN_TRIGGERS: &str = r#"(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)|(?i:key|secret|token)|-----BEGIN|FQoGZXIvYXdz|FwoGZXIvYXdz|IQoJb3JpZ2lu|eyJhdXRocyI6|"auth"|dockercfg|dockerconfigjson"#;

/// What every built-in hit contains, whatever the checks after it: an access key id, a private
/// key header, a Docker `"auth"` value, a base64 `{"auths":`, or else a run of [`BASE64_RUN`]
/// base64 characters (secret keys, session tokens, `.dockerconfigjson` values: the rules that
/// read assignments run only on lines with such a run). None of these spans a line ending, so a
/// match in a line is a match in its blob. A new built-in rule must be covered here (the tests
/// check it on every case they have).
const BUILTIN_SUSPECT: &str = r#"(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}|-----BEGIN[A-Z0-9 ]{0,30} PRIVATE KEY|"auth"[ \t]*:[ \t]*"[A-Za-z0-9+/=]{4}|eyJhdXRocyI6[A-Za-z0-9+/]"#;

/// The shortest base64 run a secret key, session token or Docker config value can be.
const BASE64_RUN: usize = 40;

/// `[A-Za-z0-9/+=]`, by byte.
const BASE64_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'/' || c == b'+' || c == b'=';
        b += 1;
    }
    table
};

/// True when `data` holds [`BASE64_RUN`] base64 characters in a row. On ordinary text it looks
/// at about one byte in 40: a byte outside the alphabet rules out every run that would cover it.
fn has_base64_run(data: &[u8]) -> bool {
    let mut start = 0;
    while start + BASE64_RUN <= data.len() {
        let last = start + BASE64_RUN - 1;
        if !BASE64_CHARS[usize::from(data[last])] {
            start = last + 1;
            continue;
        }
        match data[start..last]
            .iter()
            .rposition(|b| !BASE64_CHARS[usize::from(*b)])
        {
            None => return true,
            Some(i) => start += i + 1,
        }
    }
    false
}

/// `name = value`, `name: value`, `"name": "value"`, `name => value`, `name := value`.
const ASSIGNMENT: &str =
    r#"([A-Za-z0-9_.\-]+)["']?[ \t]*(?::=|=>|:|=)[ \t]*["']?([A-Za-z0-9/+=]+)"#;

impl Rules {
    /// Compiles the built-in rules and `custom` (regexes from `hook.custom_patterns`). A custom
    /// regex with a capture group reports group 1 as the secret, otherwise the whole match.
    pub fn new(custom: &[String]) -> Result<Rules, HookError> {
        let mut custom_compiled = Vec::with_capacity(custom.len());
        for (i, pattern) in custom.iter().enumerate() {
            custom_compiled.push(compile_custom(pattern).map_err(|problem| {
                HookError::BadPattern {
                    index: i + 1,
                    problem,
                }
            })?);
        }
        let mut trigger = format!("(?m){BUILTIN_TRIGGERS}");
        for pattern in custom {
            let _ = write!(trigger, "|(?:{pattern})");
        }
        let built = |re: &str| {
            RegexBuilder::new(re)
                .size_limit(50 << 20)
                .build()
                .map_err(|e| HookError::BadPattern {
                    index: 0,
                    problem: e.to_string(),
                })
        };
        Ok(Rules {
            trigger: built(&trigger)?,
            suspect: built(BUILTIN_SUSPECT)?,
            access_key_id: built(
                r"(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA)[A-Z0-9]{16}",
            )?,
            assignment: built(ASSIGNMENT)?,
            session_token_prefix: built(
                r"(?:FQoGZXIvYXdz|FwoGZXIvYXdz|IQoJb3JpZ2lu)[A-Za-z0-9/+=]{60,}",
            )?,
            private_key: built(r"-----BEGIN[A-Z0-9 ]{0,30} PRIVATE KEY(?: BLOCK)?-----")?,
            docker_auth: built(r#""auth"[ \t]*:[ \t]*"([A-Za-z0-9+/=]{4,})""#)?,
            docker_password: built(r#""password"[ \t]*:[ \t]*"([^"\\]+)""#)?,
            docker_config_blob: built(r"eyJhdXRocyI6[A-Za-z0-9+/]+={0,2}")?,
            custom: custom_compiled,
        })
    }

    /// The lines of `blob` (without line endings) on which a trigger matched, with their
    /// 1-based numbers, each once. Only these lines can hold a secret.
    pub fn trigger_lines<'a>(&'a self, blob: &'a [u8]) -> impl Iterator<Item = (usize, &'a [u8])> {
        let mut offsets = self.trigger.find_iter(blob).map(|m| m.start());
        let mut line_no = 1usize;
        let mut counted_to = 0usize;
        let mut done_to = 0usize;
        std::iter::from_fn(move || {
            let offset = offsets.find(|o| *o >= done_to)?;
            line_no += memchr::memchr_iter(b'\n', &blob[counted_to..offset]).count();
            counted_to = offset;
            let start = memchr::memrchr(b'\n', &blob[..offset]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &blob[offset..]).map_or(blob.len(), |i| offset + i);
            done_to = end + 1;
            let line = &blob[start..end];
            Some((line_no, line.strip_suffix(b"\r").unwrap_or(line)))
        })
    }

    /// True when a rule fires on some line of `blob` (allowed or not): only such a blob can
    /// give a finding, wherever and whenever it was committed. False answers are exact; a true
    /// one may come from a look-alike.
    pub fn may_hold_secret(&self, blob: &[u8]) -> bool {
        if self.custom.is_empty() {
            // One pass of one automaton decides for nearly every blob.
            if !self.suspect.is_match(blob) && !has_base64_run(blob) {
                return false;
            }
        }
        self.trigger_lines(blob)
            .any(|(_, line)| !self.scan_line(line).is_empty())
    }

    /// Every secret on one line (without its line ending), allowed ones included.
    pub fn scan_line(&self, line: &[u8]) -> Vec<Hit> {
        let mut hits = Vec::new();
        for m in self.access_key_id.find_iter(line) {
            let before = m.start().checked_sub(1).map(|i| line[i]);
            let after = line.get(m.end()).copied();
            let is_key_char =
                |b: Option<u8>| b.is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            if !is_key_char(before) && !is_key_char(after) {
                hits.push(Hit {
                    rule: RuleId::AwsAccessKeyId,
                    value: m.as_bytes().to_vec(),
                });
            }
        }
        // Secret keys, tokens and dockerconfigjson values are all 40 or more base64 characters:
        // without such a run, the (slower) capturing regexes need not run.
        let long_run = has_base64_run(line);
        if long_run {
            self.scan_assignments(line, &mut hits);
        }
        for m in self.session_token_prefix.find_iter(line) {
            let value = m.as_bytes().to_vec();
            if !hits.iter().any(|h| h.value == value) {
                hits.push(Hit {
                    rule: RuleId::AwsSessionToken,
                    value,
                });
            }
        }
        for m in self.private_key.find_iter(line) {
            // A header that is a whole string literal ("-----BEGIN RSA PRIVATE KEY-----") is a
            // PEM parser's constant, not a key; a header followed by the key (on the next line,
            // after a "\n" escape, or on the same line) is a key.
            let closes_literal = matches!(line.get(m.end()), Some(b'"' | b'\'' | b'`'));
            if !closes_literal {
                hits.push(Hit {
                    rule: RuleId::PrivateKey,
                    value: m.as_bytes().to_vec(),
                });
            }
        }
        self.scan_docker(line, long_run, &mut hits);
        for (i, re) in self.custom.iter().enumerate() {
            for caps in re.captures_iter(line) {
                let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                    continue;
                };
                if !m.as_bytes().is_empty() {
                    hits.push(Hit {
                        rule: RuleId::Custom(i),
                        value: m.as_bytes().to_vec(),
                    });
                }
            }
        }
        hits
    }

    /// Secret access keys and session tokens, both recognised by the name they are assigned to.
    fn scan_assignments(&self, line: &[u8], hits: &mut Vec<Hit>) {
        for caps in self.assignment.captures_iter(line) {
            let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) else {
                continue;
            };
            let name: String = name
                .as_bytes()
                .iter()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(|b| b.to_ascii_lowercase() as char)
                .collect();
            let value = value.as_bytes();
            if (name.contains("sessiontoken") || name.contains("securitytoken"))
                && value.len() >= 100
            {
                hits.push(Hit {
                    rule: RuleId::AwsSessionToken,
                    value: value.to_vec(),
                });
            } else if (name.contains("key") || name.contains("secret"))
                && looks_like_secret_access_key(value)
            {
                hits.push(Hit {
                    rule: RuleId::AwsSecretAccessKey,
                    value: value.to_vec(),
                });
            }
        }
    }

    /// Docker config `auths` with inline credentials: `"auth": "<base64 user:password>"`, and
    /// whole `.dockerconfigjson` values (base64 of `{"auths":...}`) that hold credentials.
    fn scan_docker(&self, line: &[u8], long_run: bool, hits: &mut Vec<Hit>) {
        for caps in self.docker_auth.captures_iter(line) {
            if let Some(value) = caps.get(1)
                && decodes_to_credentials(value.as_bytes())
            {
                hits.push(Hit {
                    rule: RuleId::DockerConfigAuth,
                    value: value.as_bytes().to_vec(),
                });
            }
        }
        let mut blobs: Vec<&[u8]> = self
            .docker_config_blob
            .find_iter(line)
            .map(|m| m.as_bytes())
            .collect();
        // `.dockerconfigjson: <base64>` in a Kubernetes Secret, whatever the JSON's spacing.
        for caps in self
            .assignment
            .captures_iter(if long_run { line } else { b"" })
        {
            if let (Some(name), Some(value)) = (caps.get(1), caps.get(2)) {
                let name = name.as_bytes().to_ascii_lowercase();
                if (name.ends_with(b"dockerconfigjson") || name.ends_with(b"dockercfg"))
                    && !blobs.contains(&value.as_bytes())
                {
                    blobs.push(value.as_bytes());
                }
            }
        }
        for blob in blobs {
            let Some(json) = base64_decode(blob) else {
                continue;
            };
            let inner_auth = self
                .docker_auth
                .captures_iter(&json)
                .filter_map(|c| c.get(1))
                .any(|v| decodes_to_credentials(v.as_bytes()));
            let inner_password = self.docker_password.is_match(&json);
            if inner_auth || inner_password {
                hits.push(Hit {
                    rule: RuleId::DockerConfigAuth,
                    value: blob.to_vec(),
                });
            }
        }
    }
}

/// Compiles one custom pattern, refusing those that would flag every line.
pub fn compile_custom(pattern: &str) -> Result<Regex, String> {
    if pattern.trim().is_empty() {
        return Err("is empty".to_owned());
    }
    let re = RegexBuilder::new(pattern)
        .size_limit(10 << 20)
        .build()
        .map_err(|e| e.to_string())?;
    if re.is_match(b"") {
        return Err("matches an empty line, so it would flag every line".to_owned());
    }
    Ok(re)
}

/// An AWS secret access key: exactly 40 characters of `[A-Za-z0-9/+]` (a longer base64 run, or
/// one with `=` padding, is some other blob), mixed case, and random-looking.
fn looks_like_secret_access_key(value: &[u8]) -> bool {
    value.len() == 40
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+')
        && value.iter().any(u8::is_ascii_uppercase)
        && value.iter().any(u8::is_ascii_lowercase)
        && entropy(value) >= SECRET_KEY_MIN_ENTROPY
}

/// Shannon entropy of `bytes` in bits per byte.
pub fn entropy(bytes: &[u8]) -> f64 {
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in bytes {
        counts[usize::from(*b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = f64::from(*c) / n;
            -p * p.log2()
        })
        .sum()
}

/// True when base64 `value` decodes to `user:password` with both parts present.
fn decodes_to_credentials(value: &[u8]) -> bool {
    let Some(decoded) = base64_decode(value) else {
        return false;
    };
    match decoded.iter().position(|b| *b == b':') {
        Some(colon) => {
            colon > 0 && colon + 1 < decoded.len() && decoded.iter().all(|b| !b.is_ascii_control())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64_encode;
    use rstest::rstest;

    // Test secrets are assembled from pieces so that this file holds none a scanner would flag.
    fn akia(rest: &str) -> String {
        format!("AK{}{rest}", "IA")
    }

    const SECRET: &str = "Zp4sQ9vT2mLk8xWc7RbN1hYd5Gf3Je6Ua0iKoPq+";

    fn rules() -> Rules {
        Rules::new(&[]).unwrap()
    }

    /// The rules that fire on `line`; checks on the way that the whole-blob test agrees.
    fn rule_names(line: &str) -> Vec<String> {
        let rules = rules();
        let hits = rules.scan_line(line.as_bytes());
        let blob = format!("fn main() {{}}\r\n{line}\r\nmore\n");
        assert_eq!(
            rules.may_hold_secret(blob.as_bytes()),
            !hits.is_empty(),
            "{line}"
        );
        hits.iter().map(|h| h.rule.name()).collect()
    }

    #[rstest]
    #[case::access_key_in_env(format!("AWS_ACCESS_KEY_ID={}", akia("Z7Q2LMNB4XK5PW3R")), "aws-access-key-id")]
    #[case::sts_key_quoted(format!("id: \"AS{}Z7Q2LMNB4XK5PW3R\"", "IA"), "aws-access-key-id")]
    #[case::a3t_key(format!("k = A3{}Z7Q2LMNB4XK5PW3R", "TX"), "aws-access-key-id")]
    #[case::secret_in_ini(format!("aws_secret_access_key = {SECRET}"), "aws-secret-access-key")]
    #[case::secret_in_json(format!("\"SecretAccessKey\": \"{SECRET}\","), "aws-secret-access-key")]
    #[case::secret_in_yaml(format!("  secretKey: {SECRET}"), "aws-secret-access-key")]
    #[case::secret_in_go(format!("awsSecret := \"{SECRET}\""), "aws-secret-access-key")]
    #[case::private_key_header(format!("-----BEGIN RSA {}-----", "PRIVATE KEY"), "private-key")]
    #[case::openssh_key_in_yaml(format!("    -----BEGIN OPENSSH {}-----", "PRIVATE KEY"), "private-key")]
    #[case::pkcs8_key_in_json(format!("\"key\": \"-----BEGIN {}-----\\nMIIEvQIBADAN\"", "PRIVATE KEY"), "private-key")]
    #[case::docker_auth(format!("\"auth\": \"{}\"", "ZGV2OnMzY3JldC1wYXNz"), "docker-config-auth")]
    fn finds_secret(#[case] line: String, #[case] rule: &str) {
        assert_eq!(rule_names(&line), [rule], "{line}");
    }

    #[rstest]
    #[case::access_key_inside_longer_token(format!("X{}", akia("Z7Q2LMNB4XK5PW3RQ")))]
    #[case::hex_digest(format!("commit_key = \"{}\"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"))]
    #[case::longer_base64(format!("signing_key = \"{SECRET}QUJDREVGR0g=\""))]
    #[case::padded_base64(format!("key: {}", "U29tZSBvdGhlciBiYXNlNjQgYmxvYiBoZXJlIQ=="))]
    #[case::placeholder(format!("secret_key = {}", "x".repeat(40)))]
    #[case::no_assignment(format!("the value {SECRET} has no name"))]
    #[case::pem_constant(format!("if line.starts_with(\"-----BEGIN RSA {}-----\") {{", "PRIVATE KEY"))]
    #[case::public_key(format!("-----BEGIN {}-----", "PUBLIC KEY"))]
    #[case::docker_auth_without_password(format!("\"auth\": \"{}\"", "ZGV2"))]
    #[case::docker_identity_token_only("\"auth\": \"\"".to_owned())]
    fn ignores_look_alike(#[case] line: String) {
        assert!(rule_names(&line).is_empty(), "{line}");
    }

    #[test]
    fn session_token_by_name_and_by_prefix() {
        let token = format!("FwoGZXIvYXdz{}", "EXAMPLEtokenBody0123456789+/".repeat(6));
        assert_eq!(
            rule_names(&format!("aws_session_token = {token}")),
            ["aws-session-token"]
        );
        assert_eq!(
            rule_names(&format!("export T='{token}'")),
            ["aws-session-token"]
        );
    }

    #[test]
    fn dockerconfigjson_secret_is_decoded() {
        let json = format!(
            "{{\"auths\":{{\"123.dkr.ecr.us-east-1.amazonaws.com\":{{\"auth\":\"{}\"}}}}}}",
            "QVdTOnRva2VuLXZhbHVl"
        );
        let b64 = base64_encode(json.as_bytes());
        assert_eq!(
            rule_names(&format!("  .dockerconfigjson: {b64}")),
            ["docker-config-auth"]
        );
        let empty = base64_encode(b"{\"auths\":{}}");
        assert!(rule_names(&format!("  .dockerconfigjson: {empty}")).is_empty());
    }

    #[test]
    fn custom_pattern_reports_group_one() {
        let rules = Rules::new(&[r"internal_token=(itk_[a-z0-9]{12})".to_owned()]).unwrap();
        let hits = rules.scan_line(b"internal_token=itk_abcdef123456 # x");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].rule.name(), "custom-1");
        assert_eq!(hits[0].value, b"itk_abcdef123456");
        assert!(rules.may_hold_secret(b"a\ninternal_token=itk_abcdef123456\n"));
        assert!(!rules.may_hold_secret(b"a\ninternal_token=none\n"));
    }

    #[rstest]
    #[case::empty("", "is empty")]
    #[case::matches_everything("x*", "matches an empty line")]
    #[case::syntax("(unclosed", "unclosed group")]
    fn bad_custom_patterns_are_refused(#[case] pattern: &str, #[case] problem: &str) {
        let err = compile_custom(pattern).unwrap_err();
        assert!(err.contains(problem), "{err}");
    }

    #[test]
    fn examples_marker_and_fingerprint_allow() {
        let rules = rules();
        let line = b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE";
        let hit = &rules.scan_line(line)[0];
        assert_eq!(
            Allowlist::default().allows(hit, line),
            Some(Allowed::AwsExample)
        );

        let key = akia("Z7Q2LMNB4XK5PW3R");
        let line = format!("id = {key} # devk:allow test fixture");
        let hit = &rules.scan_line(line.as_bytes())[0];
        assert_eq!(
            Allowlist::default().allows(hit, line.as_bytes()),
            Some(Allowed::Marker)
        );

        let line = format!("id = {key}");
        let hit = &rules.scan_line(line.as_bytes())[0];
        assert_eq!(Allowlist::default().allows(hit, line.as_bytes()), None);
        let list = Allowlist::parse(&format!(
            "# fixtures\n\n{}   # the test key\n",
            hit.fingerprint()
        ));
        assert_eq!(list.len(), 1);
        assert_eq!(
            list.allows(hit, line.as_bytes()),
            Some(Allowed::Fingerprint)
        );
    }

    #[test]
    fn base64_runs_of_forty() {
        let run = "aB3+/=".repeat(7);
        assert!(has_base64_run(&run.as_bytes()[..40]));
        assert!(!has_base64_run(&run.as_bytes()[..39]));
        assert!(has_base64_run(format!("x y {} z", &run[..40]).as_bytes()));
        assert!(!has_base64_run(
            format!("{} {}", &run[..39], &run[..39]).as_bytes()
        ));
        assert!(!has_base64_run(
            format!("{}_{}", &run[..20], &run[..30]).as_bytes()
        ));
        assert!(has_base64_run(
            format!("-{}\n{}", &run[..39], &run[..40]).as_bytes()
        ));
        assert!(!has_base64_run(b""));
    }

    #[test]
    fn entropy_separates_keys_from_digests() {
        assert!(entropy(SECRET.as_bytes()) > SECRET_KEY_MIN_ENTROPY);
        assert!(entropy(b"da39a3ee5e6b4b0d3255bfef95601890afd80709") < 4.0);
        assert_eq!(entropy(b"aaaa"), 0.0);
    }
}
