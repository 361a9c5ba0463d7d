//! AWS credentials: the value checks of access key IDs, secret access keys and session
//! tokens, and the stand-ins docs and tests use for them.

use super::shape::{entropy, has_example_word, is_base64, is_mask, is_placeholder};

/// Shannon entropy (bits per character) below which a 40-character value is not taken for an
/// AWS secret access key. Random keys over the 64-character alphabet score 4.1 or more; hex
/// digests (at most 4.0, and they have no upper case) and placeholders score less.
pub(super) const SECRET_KEY_MIN_ENTROPY: f64 = 3.9;

/// Random base64 over 100 characters scores 5.5 or more; `XXXX...` or `abcabc...` far less.
const SESSION_TOKEN_MIN_ENTROPY: f64 = 4.5;

/// An access key ID match (20 characters), seen with the bytes around it: not inside a longer
/// upper-case token, not masked (`AKIA1234****`), not a stand-in (`AKIAXXXXXXXXXXXXXXXX`,
/// `...EXAMPLE`, `...SAMPLE`).
pub(super) fn is_access_key_id(id: &[u8], before: Option<u8>, after: Option<u8>) -> bool {
    let key_char = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    let mask_char = |b: Option<u8>| b == Some(b'*');
    if key_char(before) || key_char(after) || mask_char(before) || mask_char(after) {
        return false;
    }
    let body = &id[id.len().saturating_sub(16)..];
    !(is_mask(body) || has_example_word(id) || body.iter().filter(|b| **b == b'X').count() >= 8)
}

/// An AWS secret access key: exactly 40 characters of `[A-Za-z0-9/+]` (a longer base64 run, or
/// one with `=` padding, is some other blob), mixed case, random-looking, and not one of the
/// documentation's stand-ins (`...EXAMPLEKEY`, with `SAMPLE`, `TEST`, `FAKE` in its place).
pub(super) fn is_secret_access_key(value: &[u8]) -> bool {
    value.len() == 40
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'/' || *b == b'+')
        && value.iter().any(u8::is_ascii_uppercase)
        && value.iter().any(u8::is_ascii_lowercase)
        && entropy(value) >= SECRET_KEY_MIN_ENTROPY
        && !is_aws_stand_in(value)
}

/// A session (or security) token: at least `min_len` base64 characters (real ones are 300 or
/// more), random-looking, not a stand-in.
pub(super) fn is_session_token(value: &[u8], min_len: usize) -> bool {
    value.len() >= min_len
        && value.iter().all(|b| is_base64(*b))
        && entropy(value) >= SESSION_TOKEN_MIN_ENTROPY
        && !is_aws_stand_in(value)
}

/// Stand-ins for secrets and tokens: masks (`XXXX`, one repeated character), values starting
/// with a placeholder word (`EXAMPLE...`, `SAMPLE...`), and the documentation's example words
/// (`EXAMPLE`, `SAMPLE`, `...TESTKEY`, `...FAKEKEY`).
pub(super) fn is_aws_stand_in(value: &[u8]) -> bool {
    is_mask(value)
        || has_example_word(value)
        || {
            let lower = value.to_ascii_lowercase();
            lower.starts_with(b"example") || lower.starts_with(b"sample")
        }
        || (value.len() < 60 && is_placeholder(value) && entropy(value) < 4.0)
}

/// The names a session token goes by: `aws_session_token`, `SessionToken`, `sessionToken`,
/// `AWS_SECURITY_TOKEN`, `x-amz-security-token`, a bare `session` or `token` under
/// `credentials`. `name` is lower-case alphanumerics only.
pub(super) fn is_session_token_name(name: &str) -> bool {
    name.contains("sessiontoken")
        || name.contains("securitytoken")
        || name == "session"
        || name.ends_with("awssession")
        || name == "ststoken"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_ids_masked_or_stand_ins_are_not_keys() {
        let id = format!("AK{}Z7Q2LMNB4XK5PW3R", "IA");
        assert!(is_access_key_id(id.as_bytes(), Some(b'='), None));
        assert!(!is_access_key_id(id.as_bytes(), Some(b'X'), None));
        assert!(!is_access_key_id(id.as_bytes(), None, Some(b'*')));
        for stand_in in [
            "XXXXXXXXXXXXXXXX",
            "0000000000000000",
            "IOSFODNN7SAMPLE1",
            "XXXXXXXXXXXX1234",
        ] {
            let id = format!("AK{}{stand_in}", "IA");
            assert!(!is_access_key_id(id.as_bytes(), None, None), "{id}");
        }
    }

    #[test]
    fn documentation_secret_variants_are_stand_ins() {
        let doc = "wJalrXUtnFEMI/K7MDENG/bPxRfiCY";
        for tail in ["SAMPLEKEY1", "zzTESTKEY", "aaFAKEKEY", "EXAMPLEKEY"] {
            let v = format!("{doc}{tail}");
            assert!(is_aws_stand_in(v.as_bytes()), "{v}");
        }
        assert!(is_aws_stand_in(b"EXAMPLEaaaaZp4sQ9vT2mLk8xWc7RbN1hYd5Gf3J"));
        assert!(!is_aws_stand_in(
            b"Zp4sQ9vT2mLk8xWc7RbN1hYd5Gf3Je6Ua0iKoPq+"
        ));
    }

    #[test]
    fn session_tokens_need_length_and_randomness() {
        let real = format!(
            "IQoJb3JpZ2lu{}",
            "X2VjEJr//wEaCXVzLWVhc3QtMSJHMEUCIQDk7vT2".repeat(4)
        );
        assert!(is_session_token(real.as_bytes(), 100));
        assert!(!is_session_token("X".repeat(200).as_bytes(), 100));
        assert!(!is_session_token(format!("EXAMPLE{real}").as_bytes(), 100));
        assert!(!is_session_token(b"short", 100));
    }
}
