//! What values look like: entropy, base64 runs, text, and the placeholders people write where
//! a secret would go (`XXXX`, `****`, `changeme`, `EXAMPLE...`). Shared by every rule.

/// The shortest base64 run a secret key, session token or Docker config value can be.
pub(super) const BASE64_RUN: usize = 40;

/// `[A-Za-z0-9/+=]`, by byte.
pub(super) const BASE64_CHARS: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'/' || c == b'+' || c == b'=';
        b += 1;
    }
    table
};

/// True for a base64 character (`=` included).
pub(super) fn is_base64(b: u8) -> bool {
    BASE64_CHARS[usize::from(b)]
}

/// True when `data` holds [`BASE64_RUN`] base64 characters in a row. On ordinary text it looks
/// at about one byte in 40: a byte outside the alphabet rules out every run that would cover it.
pub(super) fn has_base64_run(data: &[u8]) -> bool {
    next_base64_run(data, 0).is_some()
}

/// The offset of some byte inside the first run of [`BASE64_RUN`] base64 characters at or after
/// `from`, with the same skipping as [`has_base64_run`].
pub(super) fn next_base64_run(data: &[u8], from: usize) -> Option<usize> {
    let mut start = from;
    while start + BASE64_RUN <= data.len() {
        let last = start + BASE64_RUN - 1;
        if !is_base64(data[last]) {
            start = last + 1;
            continue;
        }
        match data[start..last].iter().rposition(|b| !is_base64(*b)) {
            None => return Some(start),
            Some(i) => start += i + 1,
        }
    }
    None
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

/// Decoded bytes that read as text: valid UTF-8, no NUL, and at most 5 % control characters
/// other than tabs and line endings. Random bytes (a hash, a binary token) fail this.
pub(super) fn is_text(bytes: &[u8]) -> bool {
    if bytes.is_empty() || bytes.contains(&0) || std::str::from_utf8(bytes).is_err() {
        return false;
    }
    let control = bytes
        .iter()
        .filter(|b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r'))
        .count();
    control * 20 <= bytes.len()
}

/// Words that stand for a secret in examples, docs and tests (compared in lower case, whole
/// value or its start).
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "fake",
    "changeme",
    "change_me",
    "change-me",
    "placeholder",
    "redacted",
    "your",
    "insert",
    "replace",
    "todo",
    "secret",
    "password",
    "passwd",
    "test",
    "xxx",
    "none",
    "null",
    "undefined",
    "empty",
];

/// True for a value made of one repeated character, or of `X`/`x`/`*`/`.`/`-`/`_`/`#` and at
/// most a few others (`XXXXXXXXXXXXXXXXXXXX`, `****`, `AKIA****`-style masks).
pub(super) fn is_mask(value: &[u8]) -> bool {
    let Some(first) = value.first() else {
        return true;
    };
    if value.iter().all(|b| b == first) {
        return true;
    }
    let masked = value
        .iter()
        .filter(|b| matches!(b, b'X' | b'x' | b'*' | b'.' | b'#' | b'_' | b'-' | b'0'))
        .count();
    masked * 2 >= value.len()
}

/// True for an obvious stand-in: a mask ([`is_mask`]), a value starting with a placeholder word
/// (`EXAMPLE...`, `SAMPLE...`, `changeme`), `<...>`, `${...}`, `{{...}}`, `%(...)s`.
pub(super) fn is_placeholder(value: &[u8]) -> bool {
    if is_mask(value) {
        return true;
    }
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS
        .iter()
        .any(|w| lower.starts_with(w.as_bytes()))
    {
        return true;
    }
    matches!(value.first(), Some(b'<' | b'$' | b'%' | b'{'))
}

/// The start of the AWS documentation's two example secret keys: a value that starts like one
/// is a copy of the docs with the end changed, not a key.
const AWS_DOC_SECRET_STARTS: &[&[u8]] = &[b"wJalrXUtnFEMI/K7MDENG", b"je7MtGbClwBF/2Zp9Utk"];

/// True when `value` contains one of the words AWS documentation and tutorials put in their
/// stand-in keys (`EXAMPLE`, `SAMPLE`, `TESTKEY`, `FAKEKEY`, `DUMMYKEY`), in upper case, or
/// starts like a documentation key. Six or more fixed letters: a random 40-character key holds
/// one by chance about once in a billion.
pub(super) fn has_example_word(value: &[u8]) -> bool {
    let has = |w: &[u8]| value.windows(w.len()).any(|x| x == w);
    has(b"EXAMPLE")
        || has(b"SAMPLE")
        || [&b"TESTKEY"[..], b"FAKEKEY", b"DUMMYKEY"]
            .iter()
            .any(|w| has(w))
        || AWS_DOC_SECRET_STARTS.iter().any(|s| value.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn masks_and_placeholders() {
        for v in [
            "XXXXXXXXXXXXXXXX",
            "****************",
            "aaaaaaaa",
            "xxxx-xxxx-xxxx",
            "EXAMPLEKEY123",
            "<your-key>",
            "${AWS_KEY}",
            "changeme123",
        ] {
            assert!(is_placeholder(v.as_bytes()), "{v}");
        }
        for v in ["Zp4sQ9vT2mLk8xWc7RbN1hYd5Gf3Je6Ua0iKoPq+", "k8sTokenQ29kZQ"] {
            assert!(!is_placeholder(v.as_bytes()), "{v}");
        }
    }

    #[test]
    fn example_words_mark_documentation_keys() {
        assert!(has_example_word(
            b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYSAMPLEKEY1"
        ));
        assert!(has_example_word(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzFAKEKEY"));
        assert!(!has_example_word(
            b"Zp4sQ9vT2mLk8xWc7RbN1hYd5Gf3Je6Ua0iKoPq+"
        ));
        assert!(!has_example_word(
            b"Zp4sQ9vT2mLk8xWc7RbTESTd5Gf3Je6Ua0iKoPq+"
        ));
    }

    #[test]
    fn text_is_told_from_random_bytes() {
        assert!(is_text(b"{\"auths\":{}}\n"));
        assert!(is_text("clé: värde\n".as_bytes()));
        assert!(!is_text(&[
            0x30, 0x82, 0x04, 0xa3, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01
        ]));
        assert!(!is_text(b""));
    }

    #[test]
    fn entropy_of_constant_is_zero() {
        assert_eq!(entropy(b"aaaa"), 0.0);
        assert!(entropy(b"da39a3ee5e6b4b0d3255bfef95601890afd80709") < 4.0);
    }
}
