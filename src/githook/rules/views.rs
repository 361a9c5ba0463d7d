//! Other readings of a line, scanned as text of their own: the line with its string escapes
//! undone (`\"`, `\n`, `\t`, `\/`, `\uXXXX`, URL `%2F`), and the line with a base64 value
//! decoded in place (Kubernetes Secret `data`, a whole PEM key or `.env` file as base64).
//!
//! A credential inside JSON that is itself a string (`"{\"SecretAccessKey\":\"...\"}"`), or a
//! Secret's `AWS_SECRET_ACCESS_KEY: <base64>`, then reads like any other line, with its name
//! beside it.

use std::ops::Range;

use crate::encoding::base64_decode;

use super::shape::{BASE64_RUN, is_base64, is_text};

/// Base64 prefixes of the access key ID prefixes (`AKIA` -> `QUtJQ`, ...), so that an ID
/// encoded on its own (28 characters, shorter than a [`BASE64_RUN`]) is decoded too.
pub(super) const ENCODED_KEY_ID_PREFIXES: &[&str] = &[
    "QUtJQ", "QVNJQ", "QUdQQ", "QUlEQ", "QVJPQ", "QUlQQ", "QU5QQ", "QU5WQ", "QUJJQ", "QUNDQ",
    "QTNU",
];

/// Base64 of a 20-character key ID, without padding.
const ENCODED_KEY_ID_LEN: usize = 27;

/// Decoded values larger than this are not scanned again (a line of megabytes is data).
const MAX_DECODED: usize = 64 << 10;

/// At most this many values of one line are decoded.
const MAX_VALUES: usize = 16;

/// True when `line` has an escape this module undoes.
pub(super) fn has_escapes(line: &[u8]) -> bool {
    memchr::memchr(b'\\', line).is_some_and(|_| {
        line.windows(2).any(|w| {
            w[0] == b'\\'
                && matches!(
                    w[1],
                    b'"' | b'\'' | b'n' | b't' | b'r' | b'/' | b'\\' | b'u'
                )
        })
    }) || has_percent_escapes(line)
}

fn has_percent_escapes(line: &[u8]) -> bool {
    memchr::memchr(b'%', line).is_some() && line.windows(3).any(|w| percent(w).is_some())
}

/// `%2F`, `%2B`, `%3D` (any case): the base64 characters a URL escapes.
fn percent(w: &[u8]) -> Option<u8> {
    if w[0] != b'%' {
        return None;
    }
    match (w[1], w[2].to_ascii_uppercase()) {
        (b'2', b'F') => Some(b'/'),
        (b'2', b'B') => Some(b'+'),
        (b'3', b'D') => Some(b'='),
        _ => None,
    }
}

/// The line with escapes undone, level after level (JSON in a string in a string), at most
/// three. `None` when there is nothing to undo.
pub(super) fn unescaped(line: &[u8]) -> Option<Vec<u8>> {
    if !has_escapes(line) {
        return None;
    }
    let mut text = unescape_once(line);
    for _ in 0..2 {
        if !has_escapes(&text) {
            break;
        }
        text = unescape_once(&text);
    }
    (text != line).then_some(text)
}

fn unescape_once(line: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        if b == b'%'
            && let Some(c) = line.get(i..i + 3).and_then(percent)
        {
            out.push(c);
            i += 3;
            continue;
        }
        if b != b'\\' || i + 1 >= line.len() {
            out.push(b);
            i += 1;
            continue;
        }
        match line[i + 1] {
            b'n' => out.push(b'\n'),
            b'r' => {}
            b't' => out.push(b'\t'),
            b'u' => match line.get(i + 2..i + 6).and_then(hex4) {
                Some(c) => {
                    out.push(c);
                    i += 6;
                    continue;
                }
                None => out.push(b'u'),
            },
            // `\\`, `\"`, `\'`, `\/`: the character itself; any other escape is kept whole.
            c @ (b'\\' | b'"' | b'\'' | b'/') => out.push(c),
            c => {
                out.push(b'\\');
                out.push(c);
            }
        }
        i += 2;
    }
    out
}

/// `\u00XX` for an ASCII character.
fn hex4(digits: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(digits).ok()?;
    let code = u16::from_str_radix(text, 16).ok()?;
    u8::try_from(code).ok().filter(u8::is_ascii)
}

/// The base64 values of `line` that decode to text, each with the line it makes when decoded
/// in place. A value is a run of base64 characters of [`BASE64_RUN`] or more (or an encoded
/// access key ID), cut after a `name=` that the run swallowed.
pub(super) fn decoded(line: &[u8]) -> Vec<(Range<usize>, Vec<u8>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < line.len() && out.len() < MAX_VALUES {
        if !is_base64(line[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < line.len() && is_base64(line[i]) {
            i += 1;
        }
        let value = value_in_run(line, start..i);
        let text = &line[value.clone()];
        let long_enough = text.len() >= BASE64_RUN
            || (text.len() >= ENCODED_KEY_ID_LEN
                && ENCODED_KEY_ID_PREFIXES
                    .iter()
                    .any(|p| text.starts_with(p.as_bytes())));
        if !long_enough || text.len() > MAX_DECODED * 4 / 3 {
            continue;
        }
        let usable = text.len() - usize::from(text.len() % 4 == 1);
        if let Some(decoded) = base64_decode(&text[..usable]).filter(|d| is_text(d)) {
            let mut view = Vec::with_capacity(line.len() + decoded.len());
            view.extend_from_slice(&line[..value.start]);
            view.extend_from_slice(&decoded);
            view.extend_from_slice(&line[value.end..]);
            out.push((value, view));
        }
    }
    out
}

/// The value inside a run of base64 characters: after the last `=` that is followed by more
/// base64 (`KEY=<value>`: `=` is a base64 character, padding only at the end).
fn value_in_run(line: &[u8], run: Range<usize>) -> Range<usize> {
    let text = &line[run.clone()];
    let body_end = text.len() - text.iter().rev().take_while(|b| **b == b'=').count();
    match text[..body_end].iter().rposition(|b| *b == b'=') {
        Some(eq) => run.start + eq + 1..run.end,
        None => run,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encoding::base64_encode;

    #[test]
    fn escapes_are_undone_level_by_level() {
        let line = br#"s = "{\"auths\":{\"r\":{\"auth\":\"ZGV2\"}}}""#;
        assert_eq!(
            unescaped(line).unwrap(),
            br#"s = "{"auths":{"r":{"auth":"ZGV2"}}}""#
        );
        let twice = br#"{\\\"k\\\": \\\"a\\/b\\\"}"#;
        assert_eq!(unescaped(twice).unwrap(), br#"{"k": "a/b"}"#);
        assert_eq!(unescaped(b"a\\nb\\tc").unwrap(), b"a\nb\tc");
        assert_eq!(unescaped(b"x=abc%2Fdef%3d").unwrap(), b"x=abc/def=");
        assert_eq!(unescaped(br"\u0022k\u0022").unwrap(), b"\"k\"");
        assert_eq!(unescaped(b"plain line"), None);
    }

    #[test]
    fn base64_values_are_decoded_in_place() {
        let inner = format!(
            "aws_secret_{} = Zp4sQ9vT2mLk8xWc7RbN1hYd5Gf3Je6Ua0iKoPq+",
            "access_key"
        );
        let line = format!("  creds: {}", base64_encode(inner.as_bytes()));
        let views = decoded(line.as_bytes());
        assert_eq!(views.len(), 1);
        assert_eq!(views[0].1, format!("  creds: {inner}").as_bytes());
        let inner = inner.as_str();
        let env = format!("CREDS={}", base64_encode(inner.as_bytes()));
        assert_eq!(
            decoded(env.as_bytes())[0].1,
            format!("CREDS={inner}").as_bytes()
        );
        let id = base64_encode(format!("AK{}Z7Q2LMNB4XK5PW3R", "IA").as_bytes());
        assert_eq!(decoded(format!("id: {id}").as_bytes()).len(), 1);
        // Random bytes are not text: a hash stays as it is.
        let hash = base64_encode(&[0x9f; 48]);
        assert!(decoded(hash.as_bytes()).is_empty());
    }
}
