//! The generic secret rule (`generic-secret`, off unless `hook.extra_rules` names it): a value
//! assigned to a name whose last word is a secret noun (`db_password`, `apiKey`,
//! `client_secret`, `auth_token`), when the value passes tests of length, character mix and
//! entropy and is none of the things such names also hold: references (`${X}`, `{{ x }}`,
//! `os.environ[...]`, `settings.KEY`), paths and URLs, identifiers (`my_secret_name`), UUIDs,
//! placeholders (`changeme`, `your-token`, `XXXX`) and values that spell the word out
//! (`my-secret-password`).
//!
//! It reads the name's LAST word, not any word in it: `password_file`, `token_url`,
//! `secret_name`, `api_key_header` are not secrets. That, and the value tests, are what keep
//! it quieter than the usual "keyword near a long string" rule (measured in BENCHMARKS.md).

use super::shape::{entropy, is_placeholder};

/// Shortest value taken (`hunter2` and most test passwords are shorter).
const MIN_LEN: usize = 12;

/// Longest value taken (longer ones are data: certificates, blobs, other rules).
const MAX_LEN: usize = 200;

/// Mixed-character values need this many bits per character (a random 12-character password
/// scores 3.6, a word with digits appended about 3.0).
const MIN_ENTROPY: f64 = 3.4;

/// Words a value holding a stand-in spells out.
const STAND_IN_WORDS: &[&[u8]] = &[
    b"example",
    b"sample",
    b"dummy",
    b"fake",
    b"changeme",
    b"placeholder",
    b"secret",
    b"password",
    b"passwd",
    b"token",
    b"redacted",
    b"xxxx",
    b"****",
    b"test",
    b"your",
    b"default",
    b"local",
];

/// True when `name` (as written) ends in a secret noun.
pub(super) fn is_secret_name(name: &[u8]) -> bool {
    let words = words(name);
    let Some(last) = words.last() else {
        return false;
    };
    let before = words.len().checked_sub(2).map(|i| words[i].as_str());
    match last.as_str() {
        "password" | "passwd" | "pwd" | "secret" | "token" | "apikey" | "credential"
        | "credentials" | "passphrase" => true,
        "key" => matches!(
            before,
            Some(
                "api"
                    | "access"
                    | "secret"
                    | "private"
                    | "auth"
                    | "client"
                    | "signing"
                    | "encryption"
                    | "master"
                    | "license"
            )
        ),
        _ => false,
    }
}

/// The words of a name: split at `_`, `-`, `.`, and lower-to-upper case changes; lower case.
fn words(name: &[u8]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut prev_lower = false;
    for &b in name {
        if !b.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            prev_lower = false;
            continue;
        }
        if b.is_ascii_uppercase() && prev_lower && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
        current.push(b.to_ascii_lowercase() as char);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// True when the name found at `start..end` of `line` is a name of its own: at the start of
/// the line or after a blank or punctuation, and, when quoted, inside its own quotes (not the
/// last word of a sentence used as a JSON key: `"Forgot your Password": "..."`).
pub(super) fn name_stands_alone(line: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| line[i]);
    let after = line.get(end).copied();
    match after {
        Some(q @ (b'"' | b'\'')) => {
            before == Some(q) && {
                let opening = start - 1;
                opening == 0
                    || matches!(
                        line[opening - 1],
                        b' ' | b'\t' | b'{' | b',' | b'(' | b'[' | b';'
                    )
            }
        }
        _ => before.is_none_or(|b| matches!(b, b' ' | b'\t' | b'{' | b',' | b'(' | b'[' | b';')),
    }
}

/// True when `value` looks like a secret and like none of the look-alikes. A base64 value that
/// decodes to text is judged by that text (a Kubernetes Secret's `password: cXVvYnl0ZQ==`
/// holds a word).
pub(super) fn is_secret_value(value: &[u8]) -> bool {
    if let Some(decoded) = decoded_text(value) {
        return is_plain_secret(&decoded);
    }
    is_plain_secret(value)
}

fn decoded_text(value: &[u8]) -> Option<Vec<u8>> {
    if value.len() < 8
        || !value.len().is_multiple_of(4)
        || !value.iter().all(|b| super::shape::is_base64(*b))
    {
        return None;
    }
    crate::encoding::base64_decode(value)
        .filter(|d| d.iter().all(|b| b.is_ascii_graphic() || *b == b' '))
}

fn is_plain_secret(value: &[u8]) -> bool {
    if !(MIN_LEN..=MAX_LEN).contains(&value.len())
        || !value.iter().all(u8::is_ascii_graphic)
        || is_placeholder(value)
    {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if STAND_IN_WORDS
        .iter()
        .any(|w| memchr::memmem::find(&lower, w).is_some())
    {
        return false;
    }
    if is_reference(value) || is_path_or_url(value) || is_uuid(value) || is_identifier(value) {
        return false;
    }
    let hex = value.iter().all(u8::is_ascii_hexdigit);
    if hex {
        // A hex key: long and not a run of few digits.
        return value.len() >= 32 && entropy(value) >= 3.0;
    }
    let has_digit = value.iter().any(u8::is_ascii_digit);
    let has_letter = value.iter().any(u8::is_ascii_alphabetic);
    has_digit && has_letter && entropy(value) >= MIN_ENTROPY
}

/// `${X}`, `$X`, `{{ x }}`, `%(x)s`, `os.environ[...]`, `getenv(...)`, `<x>`.
fn is_reference(value: &[u8]) -> bool {
    let has = |w: &[u8]| memchr::memmem::find(value, w).is_some();
    matches!(value.first(), Some(b'$' | b'<' | b'%' | b'{' | b'@' | b'['))
        || has(b"{{")
        || has(b"${")
        || value.contains(&b'(')
        || has(b"environ")
        || has(b"getenv")
        || has(b"process.env")
}

fn is_path_or_url(value: &[u8]) -> bool {
    memchr::memmem::find(value, b"://").is_some()
        || matches!(value.first(), Some(b'/' | b'~' | b'.'))
        || value.iter().filter(|b| **b == b'/').count() >= 2
}

fn is_uuid(value: &[u8]) -> bool {
    let groups: Vec<&[u8]> = value.split(|b| *b == b'-').collect();
    groups.len() == 5
        && groups.iter().map(|g| g.len()).eq([8, 4, 4, 4, 12])
        && value.iter().all(|b| b.is_ascii_hexdigit() || *b == b'-')
}

/// A name, not a value: words of letters (digits at most at their ends) joined by `_`, `-`,
/// `.` or case (`db_password_v2`, `settings.API_KEY`, `MyAppSecret`).
fn is_identifier(value: &[u8]) -> bool {
    let parts: Vec<&[u8]> = value
        .split(|b| matches!(b, b'_' | b'-' | b'.' | b':'))
        .collect();
    if parts.len() > 1
        && parts
            .iter()
            .all(|p| p.iter().all(u8::is_ascii_alphabetic) || p.iter().all(u8::is_ascii_digit))
    {
        return true;
    }
    if !value
        .iter()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        return false;
    }
    // Letters then digits (`release2024`, `Secret12`): a word with a number.
    let letters = value.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    letters > 0
        && value[letters..]
            .iter()
            .all(|b| b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("db_password", true)]
    #[case("DB_PASSWORD", true)]
    #[case("apiKey", true)]
    #[case("API_KEY", true)]
    #[case("client_secret", true)]
    #[case("githubToken", true)]
    #[case("stripe.secret-key", true)]
    #[case("password_file", false)]
    #[case("token_url", false)]
    #[case("secret_name", false)]
    #[case("primary_key", false)]
    #[case("key", false)]
    fn secret_names_end_in_a_secret_noun(#[case] name: &str, #[case] want: bool) {
        assert_eq!(is_secret_name(name.as_bytes()), want, "{name}");
    }

    #[rstest]
    #[case("q8Vn2LrT5xWz9KcY", true)]
    #[case("Xk3#pR9!vL2@mQ7$", true)]
    #[case("9f86d081884c7d659a2feaa0c55ad015", true)]
    #[case("${DB_PASSWORD}", false)]
    #[case("{{ .Values.token }}", false)]
    #[case("os.environ['TOKEN']", false)]
    #[case("settings.API_KEY", false)]
    #[case("my_secret_value", false)]
    #[case("/run/secrets/db", false)]
    #[case("https://vault.local/x", false)]
    #[case("123e4567-e89b-12d3-a456-426614174000", false)]
    #[case("changeme-please-1", false)]
    #[case("supersecret123", false)]
    #[case("release2024", false)]
    #[case("abcdefghijkl", false)]
    #[case("XXXXXXXXXXXXXXXX", false)]
    fn secret_values_pass_shape_tests(#[case] value: &str, #[case] want: bool) {
        assert_eq!(is_secret_value(value.as_bytes()), want, "{value}");
    }
}
