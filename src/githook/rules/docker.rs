//! Docker config credentials: `auths` entries with an `auth` value (base64 `user:password`,
//! for any registry, `_json_key` service-account logins included), and `password` fields in
//! an `auths` object (what `kubectl create secret docker-registry` writes).

use crate::encoding::base64_decode;

use super::shape::is_placeholder;

/// Passwords that stand for one in docs and tests (lower case).
const DUMMY_PASSWORDS: &[&str] = &[
    "pass", "pwd", "foo", "bar", "baz", "admin", "user", "token", "abc", "abc123", "123456",
    "12345678", "qwerty", "letmein", "hunter2", "p@ssw0rd", "passw0rd",
];

/// The user and password in a Docker `auth` value, when it decodes to `user:password` with
/// both present (line endings and tabs allowed: a `_json_key` password is a pretty-printed JSON
/// key file).
pub(super) fn credentials(value: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let decoded = base64_decode(value)?;
    let colon = decoded.iter().position(|b| *b == b':')?;
    let controls_ok = decoded
        .iter()
        .all(|b| !b.is_ascii_control() || matches!(b, b'\n' | b'\r' | b'\t'));
    (colon > 0 && colon + 1 < decoded.len() && controls_ok)
        .then(|| (decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

/// A credential nobody would use for a real registry: a placeholder word, the user name
/// again, a one-character value, or a well-known dummy.
pub(super) fn is_dummy(user: &[u8], password: &[u8]) -> bool {
    let lower = password.to_ascii_lowercase();
    is_placeholder(password)
        || password == user
        || password.len() < 3
        || DUMMY_PASSWORDS.iter().any(|d| lower == d.as_bytes())
}

/// The registry name of the `auths` entry an `auth` value at the end of `before` belongs to:
/// the JSON key before the innermost open `{` (`"": {` gives `Some("")`), or a YAML key
/// (`"":` or `'':`) on an earlier line. `None` when it cannot be told.
pub(super) fn registry_name(before: &[u8]) -> Option<Vec<u8>> {
    let brace = before.iter().rposition(|b| *b == b'{');
    let head = match brace {
        Some(i) => &before[..i],
        None => {
            // YAML: the key line above `auth:`.
            let mut lines = before.rsplit(|b| *b == b'\n').skip(1);
            let above = lines.find(|l| !l.trim_ascii().is_empty())?.trim_ascii();
            above.strip_suffix(b":")?
        }
    };
    let head = head.trim_ascii_end();
    let head = head.strip_suffix(b":").unwrap_or(head).trim_ascii_end();
    let head = strip_escapes(head);
    let quote = *head.last()?;
    if quote != b'"' && quote != b'\'' {
        return None;
    }
    let inner = &head[..head.len() - 1];
    let open = inner.iter().rposition(|b| *b == quote)?;
    Some(inner[open + 1..].to_vec())
}

fn strip_escapes(text: &[u8]) -> &[u8] {
    let mut t = text;
    while let Some(rest) = t.strip_suffix(b"\\") {
        t = rest;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64_encode;

    #[test]
    fn json_key_logins_are_credentials() {
        let json_key = "_json_key:{\n  \"type\": \"service_account\",\n  \"project_id\": \"p\"\n}";
        let (user, _) = credentials(base64_encode(json_key.as_bytes()).as_bytes()).unwrap();
        assert_eq!(user, b"_json_key");
        assert!(credentials(base64_encode(b"dev").as_bytes()).is_none());
        assert!(credentials(base64_encode(b":pw").as_bytes()).is_none());
    }

    #[test]
    fn registry_names_json_and_yaml() {
        assert_eq!(
            registry_name(br#"{"auths":{"":{"#).as_deref(),
            Some(&b""[..])
        );
        assert_eq!(
            registry_name(br#"{"auths": {"reg.io": { "#).as_deref(),
            Some(&b"reg.io"[..])
        );
        assert_eq!(
            registry_name(b"auths:\n  \"\":\n    ").as_deref(),
            Some(&b""[..])
        );
        assert_eq!(registry_name(b"plain text "), None);
    }

    #[test]
    fn dummies() {
        assert!(is_dummy(b"user", b"password"));
        assert!(is_dummy(b"u", b"u"));
        assert!(is_dummy(b"dev", b"xxxxxxxx"));
        assert!(!is_dummy(b"dev", b"s3cret-Pa55-Zq8"));
    }
}
