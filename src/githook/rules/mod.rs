//! What counts as a secret: the built-in rules, custom regexes from the config, the checks that
//! keep look-alikes quiet (entropy, exact lengths, word boundaries, key bodies, placeholders),
//! and the other readings of a line that are scanned too ([`views`]: escapes undone, base64
//! values decoded). Masking, fingerprints and allowing are in [`super::allow`].
//!
//! Rules look at one line at a time, except private keys, whose body is read from the lines
//! after the header. A cheap trigger regex runs over whole blobs first, so a file without a
//! single trigger word (or long base64 value) costs one pass of the regex engine and nothing
//! more.

mod aws;
mod docker;
mod generic;
mod pem;
mod shape;
mod views;

#[cfg(test)]
mod tests;

use std::fmt::Write as _;
use std::ops::Range;

use regex::bytes::{Regex, RegexBuilder};

use super::HookError;
pub use super::allow::{ALLOW_MARKER, Allowed, Allowlist, fingerprint, mask};
pub use shape::entropy;
use shape::{has_base64_run, is_base64, next_base64_run};

/// One built-in or custom rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleId {
    AwsAccessKeyId,
    AwsSecretAccessKey,
    AwsSessionToken,
    PrivateKey,
    DockerConfigAuth,
    /// A high-entropy value assigned to a password/secret/token/API key name (optional).
    GenericSecret,
    /// `hook.custom_patterns[n]`, 0-based.
    Custom(usize),
}

/// The built-in rules that are off unless `hook.extra_rules` names them.
pub const EXTRA_RULES: &[&str] = &["generic-secret"];

impl RuleId {
    /// The stable name shown in reports and used in fingerprints.
    pub fn name(self) -> String {
        match self {
            RuleId::AwsAccessKeyId => "aws-access-key-id".to_owned(),
            RuleId::AwsSecretAccessKey => "aws-secret-access-key".to_owned(),
            RuleId::AwsSessionToken => "aws-session-token".to_owned(),
            RuleId::PrivateKey => "private-key".to_owned(),
            RuleId::DockerConfigAuth => "docker-config-auth".to_owned(),
            RuleId::GenericSecret => "generic-secret".to_owned(),
            RuleId::Custom(i) => format!("custom-{}", i + 1),
        }
    }

    /// One sentence on what the rule finds (SARIF rule descriptions, help).
    pub fn description(self) -> String {
        match self {
            RuleId::AwsAccessKeyId => "An AWS access key ID (AKIA..., ASIA..., ...).".to_owned(),
            RuleId::AwsSecretAccessKey => {
                "An AWS secret access key: 40 random characters assigned to a key or secret name."
                    .to_owned()
            }
            RuleId::AwsSessionToken => "An AWS session (STS) token.".to_owned(),
            RuleId::PrivateKey => "A private key (PEM, OpenSSH, PGP) with a key body.".to_owned(),
            RuleId::DockerConfigAuth => {
                "Registry credentials in a Docker config `auths` entry.".to_owned()
            }
            RuleId::GenericSecret => {
                "A high-entropy value assigned to a password, secret, token or API key name."
                    .to_owned()
            }
            RuleId::Custom(i) => format!("A match of hook.custom_patterns item {}.", i + 1),
        }
    }
}

/// A rule's hit on one line: which rule, and the secret value (never shown unmasked). For a
/// value found decoded (a base64 Secret value, a base64 PEM key), the value is the encoded
/// text as it stands in the file.
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

/// A hit in a blob ([`Rules::scan_blob`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlobHit {
    /// 1-based number of the line it is reported on (a private key: its header's line).
    pub line: usize,
    /// The bytes of that line, and of the lines after it the hit covers (a key's body).
    pub span: Range<usize>,
    pub hit: Hit,
}

/// How many readings deep [`views`] go (a base64 value in an escaped string in a base64 value).
const MAX_DEPTH: u8 = 3;

/// The compiled rules.
#[derive(Debug)]
pub struct Rules {
    /// Runs over whole blobs: a line with no trigger (and no long base64 run) cannot hold a
    /// secret.
    trigger: Regex,
    /// Runs over whole blobs when only built-in rules are on: no match means no built-in rule
    /// can fire on any line ([`Rules::may_hold_secret`]).
    suspect: Regex,
    access_key_id: Regex,
    assignment: Regex,
    session_token_prefix: Regex,
    private_key: Regex,
    docker_auth: Regex,
    docker_password: Regex,
    generic: Option<Regex>,
    custom: Vec<Regex>,
}

const KEY_ID_PREFIXES: &str = "A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|ABIA|ACCA";

/// Trigger words of the built-in rules, one alternation (literals, so the regex engine can use
/// its fast substring search). Long base64 runs are candidates too, found apart.
const BUILTIN_TRIGGERS: &str = r#"(?i:key|secret|token|session)|-----BEGIN|oJb3JpZ2lu|oGZXIvYXdz|AQoDYXdz|auth|dockercfg|dockerconfigjson"#;

/// Triggers of the generic rule, when it is on.
const GENERIC_TRIGGERS: &str = r"(?i:passw|pwd|credential|passphrase)";

/// What every built-in hit contains, whatever the checks after it: an access key ID (or one
/// base64-encoded), a private key header, a Docker `auth` value or `auths` object, or else a
/// run of 40 base64 characters (secret keys, session tokens, encoded values: the rules that
/// read them run only on lines with such a run). None of these spans a line ending, so a match
/// in a line is a match in its blob. A new built-in rule must be covered here (the tests check
/// it on every case they have). Escapes that split a run (`\/`, `%2F`) are checked apart
/// ([`needs_full_scan`]).
fn builtin_suspect() -> String {
    let encoded = views::ENCODED_KEY_ID_PREFIXES.join("|");
    format!(
        r#"(?:{KEY_ID_PREFIXES})[A-Z0-9]{{16}}|-----BEGIN[A-Z0-9 ]{{0,30}} PRIVATE KEY|auth(?:\\*["'])?[ \t]*:[ \t]*(?:\\*["'])?[A-Za-z0-9+/=]{{4}}|auths|(?:{encoded})[A-Za-z0-9+/]{{22}}"#
    )
}

/// `name = value`, `name: value`, `"name": "value"`, `name => value`, `name := value`.
const ASSIGNMENT: &str =
    r#"([A-Za-z0-9_.\-]+)["']?[ \t]*(?::=|=>|:|=)[ \t]*["']?([A-Za-z0-9/+=]+)"#;

/// The generic rule's assignment: the value quoted (anything but blanks and its quote) or bare.
const GENERIC_ASSIGNMENT: &str = r#"([A-Za-z0-9_.\-]+)["']?[ \t]*(?::=|=>|:|=)[ \t]*(?:"([^"\s]+)"|'([^'\s]+)'|([^\s"'`,;#)\]}][^\s"'`,;)\]}]*))"#;

impl Rules {
    /// Compiles the built-in rules and `custom` (regexes from `hook.custom_patterns`). A custom
    /// regex with a capture group reports group 1 as the secret, otherwise the whole match.
    pub fn new(custom: &[String]) -> Result<Rules, HookError> {
        Self::with_extra(custom, &[])
    }

    /// [`Rules::new`], with the optional built-in rules named in `extra` ([`EXTRA_RULES`]).
    pub fn with_extra(custom: &[String], extra: &[String]) -> Result<Rules, HookError> {
        for name in extra {
            if !EXTRA_RULES.contains(&name.as_str()) {
                return Err(HookError::UnknownRule(name.clone()));
            }
        }
        let generic_on = extra.iter().any(|n| n == "generic-secret");
        let mut custom_compiled = Vec::with_capacity(custom.len());
        for (i, pattern) in custom.iter().enumerate() {
            custom_compiled.push(compile_custom(pattern).map_err(|problem| {
                HookError::BadPattern {
                    index: i + 1,
                    problem,
                }
            })?);
        }
        let encoded = views::ENCODED_KEY_ID_PREFIXES.join("|");
        let mut trigger = format!("(?m){KEY_ID_PREFIXES}|{BUILTIN_TRIGGERS}|{encoded}");
        if generic_on {
            let _ = write!(trigger, "|{GENERIC_TRIGGERS}");
        }
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
            suspect: built(&builtin_suspect())?,
            access_key_id: built(&format!("(?:{KEY_ID_PREFIXES})[A-Z0-9]{{16}}"))?,
            assignment: built(ASSIGNMENT)?,
            session_token_prefix: built(
                r"(?:[A-Za-z0-9+/]{2}oJb3JpZ2lu|[A-Za-z0-9+/]{2}oGZXIvYXdz|AQoDYXdz)[A-Za-z0-9/+=]{60,}",
            )?,
            private_key: built(r"-----BEGIN([A-Z0-9 ]{0,30}) PRIVATE KEY(?: BLOCK)?-----")?,
            docker_auth: built(
                r#"(?:^|[^A-Za-z0-9_])["']?auth["']?[ \t]*:[ \t]*["']?([A-Za-z0-9+/=]{4,})"#,
            )?,
            docker_password: built(r#""password"[ \t]*:[ \t]*"([^"\\]+)""#)?,
            generic: if generic_on {
                Some(built(GENERIC_ASSIGNMENT)?)
            } else {
                None
            },
            custom: custom_compiled,
        })
    }

    /// The lines of `blob` (without line endings) that a rule may fire on, with their 1-based
    /// numbers, each once: lines with a trigger, and lines with a long base64 run (a value that
    /// may decode to one). Only these lines can hold a secret.
    pub fn trigger_lines<'a>(&'a self, blob: &'a [u8]) -> impl Iterator<Item = (usize, &'a [u8])> {
        self.candidate_lines(blob)
            .map(move |(n, range)| (n, &blob[range]))
    }

    fn candidate_lines<'a>(
        &'a self,
        blob: &'a [u8],
    ) -> impl Iterator<Item = (usize, Range<usize>)> + 'a {
        let mut triggers = self.trigger.find_iter(blob).map(|m| m.start());
        let mut next_trigger = triggers.next();
        let mut next_run = next_base64_run(blob, 0);
        let mut line_no = 1usize;
        let mut counted_to = 0usize;
        let mut done_to = 0usize;
        std::iter::from_fn(move || {
            while next_trigger.is_some_and(|t| t < done_to) {
                next_trigger = triggers.next();
            }
            if next_run.is_some_and(|r| r < done_to) {
                next_run = next_base64_run(blob, done_to);
            }
            let offset = match (next_trigger, next_run) {
                (Some(t), Some(r)) => t.min(r),
                (Some(t), None) => t,
                (None, Some(r)) => r,
                (None, None) => return None,
            };
            line_no += memchr::memchr_iter(b'\n', &blob[counted_to..offset]).count();
            counted_to = offset;
            let start = memchr::memrchr(b'\n', &blob[..offset]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &blob[offset..]).map_or(blob.len(), |i| offset + i);
            done_to = end + 1;
            let end = if end > start && blob[end - 1] == b'\r' {
                end - 1
            } else {
                end
            };
            Some((line_no, start..end))
        })
    }

    /// True when a rule fires on some line of `blob` (allowed or not): only such a blob can
    /// give a finding, wherever and whenever it was committed. False answers are exact; a true
    /// one may come from a look-alike.
    pub fn may_hold_secret(&self, blob: &[u8]) -> bool {
        if self.custom.is_empty()
            && self.generic.is_none()
            && !needs_full_scan(blob)
            && !self.suspect.is_match(blob)
            && !has_base64_run(blob)
        {
            // One pass of one automaton decides for nearly every blob.
            return false;
        }
        self.candidate_lines(blob).any(|(_, line)| {
            let mut found = Vec::new();
            self.scan_text(blob, line, 0, &mut found);
            !found.is_empty()
        })
    }

    /// Every secret on one line (without its line ending), allowed ones included. A private
    /// key counts only with its body on the same line (`\n` escapes); [`Rules::scan_blob`]
    /// reads bodies from the lines after the header too.
    pub fn scan_line(&self, line: &[u8]) -> Vec<Hit> {
        let mut found = Vec::new();
        self.scan_text(line, 0..line.len(), 0, &mut found);
        found.into_iter().map(|f| f.hit).collect()
    }

    /// Every secret in `blob`, allowed ones included, in line order.
    pub fn scan_blob(&self, blob: &[u8]) -> Vec<BlobHit> {
        let mut out = Vec::new();
        for (line, range) in self.candidate_lines(blob) {
            let mut found = Vec::new();
            self.scan_text(blob, range.clone(), 0, &mut found);
            out.extend(found.into_iter().map(|f| BlobHit {
                line,
                span: range.start..f.end.max(range.end),
                hit: f.hit,
            }));
        }
        out
    }

    /// The hits of the line `line` of `text` (the lines after it are read for key bodies),
    /// and of its other readings.
    fn scan_text(&self, text: &[u8], line: Range<usize>, depth: u8, out: &mut Vec<Found>) {
        let l = &text[line.clone()];
        let end = line.end;
        self.access_key_ids(l, end, out);
        // Secret keys, tokens and encoded values are all 40 or more base64 characters:
        // without such a run, the (slower) capturing regexes need not run.
        let long_run = has_base64_run(l);
        if long_run {
            self.assignments(l, end, out);
            self.session_prefixes(l, end, out);
        }
        self.private_keys(text, line.clone(), out);
        self.docker(text, line.clone(), out);
        self.generic(l, end, out);
        self.custom(l, end, out);
        if depth >= MAX_DEPTH {
            return;
        }
        if let Some(view) = views::unescaped(l) {
            for f in self.scan_view(&view, depth + 1) {
                push(out, f.hit, end);
            }
        }
        for (range, view) in views::decoded(l) {
            for f in self.scan_view(&view, depth + 1) {
                let hit = Hit {
                    rule: f.hit.rule,
                    value: l[range.clone()].to_vec(),
                };
                push(out, hit, end);
            }
        }
    }

    fn scan_view(&self, view: &[u8], depth: u8) -> Vec<Found> {
        let mut found = Vec::new();
        for (_, line) in self.candidate_lines(view) {
            self.scan_text(view, line, depth, &mut found);
        }
        found
    }

    fn access_key_ids(&self, line: &[u8], end: usize, out: &mut Vec<Found>) {
        for m in self.access_key_id.find_iter(line) {
            let before = m.start().checked_sub(1).map(|i| line[i]);
            let after = line.get(m.end()).copied();
            if aws::is_access_key_id(m.as_bytes(), before, after) {
                push(out, hit(RuleId::AwsAccessKeyId, m.as_bytes()), end);
            }
        }
    }

    /// Secret access keys and session tokens, both recognised by the name they are assigned to.
    fn assignments(&self, line: &[u8], end: usize, out: &mut Vec<Found>) {
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
            if aws::is_session_token_name(&name) && aws::is_session_token(value, 100) {
                push(out, hit(RuleId::AwsSessionToken, value), end);
            } else if (name.contains("key") || name.contains("secret"))
                && aws::is_secret_access_key(value)
            {
                push(out, hit(RuleId::AwsSecretAccessKey, value), end);
            }
        }
    }

    /// Session tokens by their own first bytes, whatever they are assigned to.
    fn session_prefixes(&self, line: &[u8], end: usize, out: &mut Vec<Found>) {
        for m in self.session_token_prefix.find_iter(line) {
            let inside_run = m.start() > 0 && is_base64(line[m.start() - 1]);
            if !inside_run && aws::is_session_token(m.as_bytes(), 72) {
                push(out, hit(RuleId::AwsSessionToken, m.as_bytes()), end);
            }
        }
    }

    fn private_keys(&self, text: &[u8], line: Range<usize>, out: &mut Vec<Found>) {
        let l = &text[line.clone()];
        for caps in self.private_key.captures_iter(l) {
            let (Some(whole), Some(kind)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let quote = whole
                .start()
                .checked_sub(1)
                .map(|i| l[i])
                .filter(|b| matches!(b, b'"' | b'\'' | b'`'));
            if let Some(key) =
                pem::key_after(text, line.start + whole.end(), kind.as_bytes(), quote)
            {
                push(out, hit(RuleId::PrivateKey, &key.body), key.end);
            }
        }
    }

    /// Docker config `auths`: `auth` values that decode to `user:password` (not a dummy
    /// credential under an empty registry name), and `password` fields on a line with `auths`.
    fn docker(&self, text: &[u8], line: Range<usize>, out: &mut Vec<Found>) {
        let l = &text[line.clone()];
        for caps in self.docker_auth.captures_iter(l) {
            let (Some(whole), Some(value)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let Some((user, password)) = docker::credentials(value.as_bytes()) else {
                continue;
            };
            if docker::is_dummy(&user, &password) {
                let from = lines_back(text, line.start, 4);
                let name = docker::registry_name(&text[from..line.start + whole.start() + 1]);
                if name.is_some_and(|n| n.is_empty()) {
                    continue;
                }
            }
            push(
                out,
                hit(RuleId::DockerConfigAuth, value.as_bytes()),
                line.end,
            );
        }
        if memchr::memmem::find(l, b"auths").is_some() {
            for caps in self.docker_password.captures_iter(l) {
                if let Some(value) = caps.get(1)
                    && !docker::is_dummy(b"", value.as_bytes())
                {
                    push(
                        out,
                        hit(RuleId::DockerConfigAuth, value.as_bytes()),
                        line.end,
                    );
                }
            }
        }
    }

    fn generic(&self, line: &[u8], end: usize, out: &mut Vec<Found>) {
        let Some(re) = &self.generic else {
            return;
        };
        for caps in re.captures_iter(line) {
            let (Some(name), Some(value)) =
                (caps.get(1), caps.get(2).or(caps.get(3)).or(caps.get(4)))
            else {
                continue;
            };
            let value = value.as_bytes();
            let known = out.iter().any(|f| f.hit.value == value);
            if !known
                && generic::name_stands_alone(line, name.start(), name.end())
                && generic::is_secret_name(name.as_bytes())
                && generic::is_secret_value(value)
            {
                push(out, hit(RuleId::GenericSecret, value), end);
            }
        }
    }

    fn custom(&self, line: &[u8], end: usize, out: &mut Vec<Found>) {
        for (i, re) in self.custom.iter().enumerate() {
            for caps in re.captures_iter(line) {
                let Some(m) = caps.get(1).or_else(|| caps.get(0)) else {
                    continue;
                };
                if !m.as_bytes().is_empty() {
                    push(out, hit(RuleId::Custom(i), m.as_bytes()), end);
                }
            }
        }
    }
}

/// A hit and where in its text it ends.
#[derive(Debug)]
struct Found {
    hit: Hit,
    end: usize,
}

fn hit(rule: RuleId, value: &[u8]) -> Hit {
    Hit {
        rule,
        value: value.to_vec(),
    }
}

/// Adds `hit` unless the same rule already found the same value.
fn push(out: &mut Vec<Found>, hit: Hit, end: usize) {
    if !out.iter().any(|f| f.hit == hit) {
        out.push(Found { hit, end });
    }
}

/// The offset of the start of the line `n` lines before the one starting at `start`.
fn lines_back(text: &[u8], start: usize, n: usize) -> usize {
    let mut from = start;
    for _ in 0..n {
        match from
            .checked_sub(1)
            .and_then(|e| memchr::memrchr(b'\n', &text[..e]))
        {
            Some(i) => from = i + 1,
            None => return 0,
        }
    }
    from
}

/// Escapes that split a base64 run (`\/` in PHP's JSON, `%2F` in URLs): the suspect automaton
/// cannot see a secret written with them, so the blob is scanned line by line.
fn needs_full_scan(blob: &[u8]) -> bool {
    let find = |w: &[u8]| memchr::memmem::find(blob, w).is_some();
    find(b"\\/") || find(b"\\u00") || find(b"%2F") || find(b"%2f") || find(b"%2B") || find(b"%3D")
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
