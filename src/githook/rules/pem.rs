//! Private keys: a PEM header counts only when a key body follows it.
//!
//! The body is read from the rest of the header's line and the lines after it, in every form
//! keys are pasted in: a PEM file or YAML block (one base64 line after the other), a JSON or
//! source string with `\n` escapes, and a key split into string pieces joined by `+`, `.`,
//! commas or juxtaposition across lines. What stops the body is the END line, or the first
//! line that is neither base64 nor string pieces (code, prose, `...`).
//!
//! A body counts as a key when it is long enough (64 base64 characters: the smallest real key,
//! an Ed25519 PKCS#8 one, is exactly that), random-looking, and, for the formats that have one,
//! starts with the right structure: `openssh-key-v1\0` for OpenSSH keys, a DER `SEQUENCE` with
//! the version `INTEGER` for PKCS#8, PKCS#1 (RSA), DSA and SEC1 (EC) keys, a packet tag for
//! PGP. `-----BEGIN PRIVATE KEY-----` followed by `xxx`, `...`, a short word or the END line is
//! a placeholder (docs, tests, PEM parsers) and is not reported.

use crate::encoding::base64_decode;

use super::shape::{entropy, is_base64};

/// Shortest body of a real key, in base64 characters.
const MIN_BODY: usize = 64;

/// Lines after the header read at most (a 16384-bit RSA key is about 190 lines of 64).
const MAX_LINES: usize = 400;

/// Body characters kept at most (for the fingerprint; the checks read the start).
const MAX_BODY: usize = 16 << 10;

/// Random base64 scores 5.5 bits a character or more over 64 characters; `MIIE` followed by
/// `AAAA...` and other hand-made bodies score far less.
const MIN_BODY_ENTROPY: f64 = 4.5;

/// A key found after a header: its body (the hit's value) and where in the text it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct PemKey {
    pub body: Vec<u8>,
    /// Offset just past the last line the body was read from.
    pub end: usize,
}

/// The key whose header (`-----BEGIN <kind> PRIVATE KEY-----`) ends at `header_end` in `text`;
/// `quote` is the quote character just before the header (the header opens a string literal).
/// `None` when no real-shaped key body follows.
pub(super) fn key_after(
    text: &[u8],
    header_end: usize,
    kind: &[u8],
    quote: Option<u8>,
) -> Option<PemKey> {
    let mut body = Body::default();
    let mut pos = header_end;
    let mut open = quote;
    let mut end = line_end(text, pos);
    for _ in 0..=MAX_LINES {
        let Some((content, still_open)) = line_content(&text[pos..end], open) else {
            break;
        };
        open = still_open;
        if body.read(&content) {
            break;
        }
        if end >= text.len() {
            break;
        }
        pos = end + 1;
        end = line_end(text, pos);
    }
    let end = end.min(text.len());
    body.is_key(kind).then_some(PemKey {
        body: body.chars,
        end,
    })
}

fn line_end(text: &[u8], from: usize) -> usize {
    memchr::memchr(b'\n', &text[from.min(text.len())..]).map_or(text.len(), |i| from + i)
}

/// The body read so far.
#[derive(Debug, Default)]
struct Body {
    chars: Vec<u8>,
    /// A `Proc-Type: 4,ENCRYPTED` header: the body is ciphertext, with no structure to check.
    encrypted: bool,
    /// Armor header lines (`Version:`, `DEK-Info:`) may come before the body only.
    started: bool,
}

impl Body {
    /// Reads one line's content; true when the body is over (END line, or a line that is not
    /// part of a key).
    fn read(&mut self, content: &[u8]) -> bool {
        for sub in content.split(|b| *b == b'\n') {
            let line = sub.trim_ascii();
            if line.is_empty() {
                continue;
            }
            let (line, ends) = match find(line, b"-----END") {
                Some(i) => (line[..i].trim_ascii(), true),
                None => (line, false),
            };
            if !self.started && is_armor_header(line) {
                self.encrypted |= find(line, b"ENCRYPTED").is_some();
                continue;
            }
            for token in line.split(|b| b.is_ascii_whitespace()) {
                if token.is_empty() {
                    continue;
                }
                if !token.iter().all(|b| is_base64(*b)) {
                    return true;
                }
                self.started = true;
                let room = MAX_BODY.saturating_sub(self.chars.len());
                self.chars
                    .extend_from_slice(&token[..token.len().min(room)]);
            }
            if ends {
                return true;
            }
        }
        false
    }

    fn is_key(&self, kind: &[u8]) -> bool {
        let body = &self.chars;
        if body.len() < MIN_BODY || entropy(&body[..body.len().min(256)]) < MIN_BODY_ENTROPY {
            return false;
        }
        let kind = kind.trim_ascii();
        let has = |w: &[u8]| find(kind, w).is_some();
        if has(b"PGP") {
            return self
                .start()
                .is_some_and(|b| b.first().is_some_and(|t| t & 0x80 != 0));
        }
        if has(b"OPENSSH") {
            return self
                .start()
                .is_some_and(|b| b.starts_with(b"openssh-key-v1\0"));
        }
        if self.encrypted {
            return true;
        }
        let der = |f: fn(&[u8]) -> bool| self.start().is_some_and(|b| f(&b));
        match kind {
            b"" | b"RSA" | b"DSA" | b"EC" => der(versioned_sequence),
            b"ENCRYPTED" => der(|b| sequence_body(b).is_some_and(|r| r.first() == Some(&0x30))),
            // Other kinds (`SSH2 ENCRYPTED`, vendor names): length and randomness only.
            _ => true,
        }
    }

    /// The first bytes of the decoded body (up to 96), when the start is valid base64.
    fn start(&self) -> Option<Vec<u8>> {
        let head: Vec<u8> = self
            .chars
            .iter()
            .copied()
            .take_while(|b| *b != b'=')
            .take(128)
            .collect();
        base64_decode(&head[..head.len() / 4 * 4])
    }
}

/// `Proc-Type: 4,ENCRYPTED`, `DEK-Info: ...`, `Version: ...`, `Comment: ...`.
fn is_armor_header(line: &[u8]) -> bool {
    let Some(colon) = line.iter().position(|b| *b == b':') else {
        return false;
    };
    colon > 0
        && line[0].is_ascii_alphabetic()
        && line[..colon]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
}

/// The content of a DER `SEQUENCE` header at the start of `der` (what follows the length).
fn sequence_body(der: &[u8]) -> Option<&[u8]> {
    if der.first() != Some(&0x30) {
        return None;
    }
    let header = match *der.get(1)? {
        n if n < 0x80 => 2,
        0x81 => 3,
        0x82 => 4,
        0x83 => 5,
        _ => return None,
    };
    der.get(header..)
}

/// A `SEQUENCE` starting with `INTEGER` 0, 1 or 2 (the version of PKCS#8, PKCS#1, DSA and SEC1
/// private keys).
fn versioned_sequence(der: &[u8]) -> bool {
    sequence_body(der).is_some_and(|b| b.len() >= 3 && b[0] == 0x02 && b[1] == 0x01 && b[2] <= 2)
}

/// The text a body can be read from on one line, and whether a literal is still open at its
/// end. A line with string literals gives their contents (unescaped), provided nothing but
/// concatenation syntax stands between them; a line without any gives itself. `None` for a
/// line of code.
fn line_content(line: &[u8], open: Option<u8>) -> Option<(Vec<u8>, Option<u8>)> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let quoted = open.is_some() || line.iter().any(|b| matches!(b, b'"' | b'\'' | b'`'));
    if !quoted {
        return Some((unescape(line), None));
    }
    let mut out = Vec::with_capacity(line.len());
    let mut inside = open;
    let mut i = 0;
    while i < line.len() {
        let b = line[i];
        match inside {
            Some(q) => {
                if b == b'\\' && i + 1 < line.len() {
                    push_escape(&mut out, line[i + 1]);
                    i += 2;
                    continue;
                }
                if b == q {
                    inside = None;
                    out.push(b' ');
                } else {
                    out.push(b);
                }
            }
            None => match b {
                b'"' | b'\'' | b'`' => inside = Some(b),
                b' ' | b'\t' | b'+' | b'.' | b',' | b';' | b'(' | b')' | b'[' | b']' | b'&'
                | b'|' | b'\\' | b'{' | b'}' | b':' | b'=' | b'<' | b'>' => {}
                _ => return None,
            },
        }
        i += 1;
    }
    Some((out, inside))
}

/// `\n`, `\r`, `\t`, `\\` and a trailing `\` (line continuation) in a line outside literals.
fn unescape(line: &[u8]) -> Vec<u8> {
    if !line.contains(&b'\\') {
        return line.to_vec();
    }
    let mut out = Vec::with_capacity(line.len());
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'\\' {
            if let Some(&next) = line.get(i + 1) {
                push_escape(&mut out, next);
            }
            i += 2;
        } else {
            out.push(line[i]);
            i += 1;
        }
    }
    out
}

fn push_escape(out: &mut Vec<u8>, escaped: u8) {
    match escaped {
        b'n' | b'r' => out.push(b'\n'),
        b't' => out.push(b' '),
        other => out.push(other),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_versions_and_lengths() {
        assert!(versioned_sequence(&[
            0x30, 0x82, 0x04, 0xa3, 0x02, 0x01, 0x00
        ]));
        assert!(versioned_sequence(&[0x30, 0x2e, 0x02, 0x01, 0x00]));
        assert!(!versioned_sequence(&[
            0x30, 0x84, 0, 0, 0, 0, 0x02, 0x01, 0x00
        ]));
        assert!(!versioned_sequence(&[0x31, 0x2e, 0x02, 0x01, 0x00]));
        assert!(!versioned_sequence(&[0x30, 0x2e, 0x02, 0x01, 0x07]));
    }

    #[test]
    fn literal_pieces_are_joined_and_code_stops() {
        let (c, open) = line_content(br#"    "MIIBVQ\n" +"#, None).unwrap();
        assert_eq!(c, b"MIIBVQ\n ");
        assert_eq!(open, None);
        let (c, open) = line_content(br#"  'abc' 'def"#, None).unwrap();
        assert_eq!(c, b"abc def");
        assert_eq!(open, Some(b'\''));
        assert!(line_content(br#"    parse("x")"#, None).is_none());
        assert_eq!(line_content(b"  MIIB+/==", None).unwrap().0, b"  MIIB+/==");
    }
}
