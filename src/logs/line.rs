//! Log lines are bytes. The kubelet passes on whatever a container wrote, valid UTF-8 or not,
//! and a line may be of any length. A stream splits the bytes it receives into lines here,
//! holding at most a configured number of bytes per line (the rest is counted and dropped, so
//! one runaway line cannot take the memory), and shows them lossily, as a terminal shows what
//! `kubectl logs` prints.

use std::borrow::Cow;

use super::timestamp::{self, Nanos};

/// The default longest line kept, in KiB (`logs.max_line_kib`).
pub const DEFAULT_MAX_LINE_KIB: usize = 256;

/// Room kept for the kubelet's timestamp in front of a line (`2024-01-01T00:00:00.123456789Z `
/// is 31 bytes; an offset form is a few more), so the cap applies to the message itself.
const TIMESTAMP_ROOM: usize = 40;

/// One line of a container's log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    /// The kubelet's timestamp (nanoseconds since the epoch).
    pub ts: Nanos,
    /// The message as the container wrote it, without the newline (at most the line cap).
    pub bytes: Box<[u8]>,
    /// Bytes of the message beyond the cap, dropped (0 for a whole line).
    pub cut: u64,
}

impl LogLine {
    /// A line from a plain string (tests, markers turned into lines).
    pub fn new(ts: Nanos, text: &str) -> LogLine {
        LogLine {
            ts,
            bytes: text.as_bytes().into(),
            cut: 0,
        }
    }

    /// The message as text: invalid UTF-8 becomes U+FFFD (borrowed when the line is valid).
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.bytes)
    }

    /// What devk shows: the text, and a note at the end when the line was cut.
    pub fn display(&self) -> Cow<'_, str> {
        match self.cut {
            0 => self.text(),
            n => Cow::Owned(format!("{}{}", self.text(), cut_note(n))),
        }
    }
}

/// The note after a cut line: ` [devk: 1048576 more bytes cut]`.
pub fn cut_note(bytes: u64) -> String {
    format!(" [devk: {bytes} more bytes cut (logs.max_line_kib)]")
}

/// A line as it came off the wire, up to the cap, with its timestamp still in front.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawLine {
    pub bytes: Vec<u8>,
    /// Bytes beyond the cap, dropped.
    pub dropped: u64,
}

/// Splits a byte stream into lines of at most `max` bytes each (plus room for the timestamp).
#[derive(Debug, Clone)]
pub struct LineSplitter {
    max_message: usize,
    cur: RawLine,
}

impl LineSplitter {
    /// Keeps at most `max_message` bytes of each message.
    pub fn new(max_message: usize) -> LineSplitter {
        LineSplitter {
            max_message: max_message.max(1),
            cur: RawLine::default(),
        }
    }

    /// Adds `chunk`, pushing every line it completes onto `out`.
    pub fn feed(&mut self, mut chunk: &[u8], out: &mut Vec<RawLine>) {
        while !chunk.is_empty() {
            match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    self.append(&chunk[..i]);
                    out.push(std::mem::take(&mut self.cur));
                    chunk = &chunk[i + 1..];
                }
                None => {
                    self.append(chunk);
                    return;
                }
            }
        }
    }

    fn append(&mut self, bytes: &[u8]) {
        let cap = self.max_message + TIMESTAMP_ROOM;
        let room = cap.saturating_sub(self.cur.bytes.len());
        let take = room.min(bytes.len());
        self.cur.bytes.extend_from_slice(&bytes[..take]);
        self.cur.dropped += (bytes.len() - take) as u64;
    }

    /// The unterminated line received so far, if any (at the end of a stream).
    pub fn take_partial(&mut self) -> Option<RawLine> {
        let partial = std::mem::take(&mut self.cur);
        (!partial.bytes.is_empty() || partial.dropped > 0).then_some(partial)
    }

    /// Turns a raw line into a [`LogLine`]: the timestamp split off (lines without one get
    /// `fallback`), the message cut to the cap at a character boundary when it is text.
    pub fn finish(&self, raw: RawLine, fallback: Nanos) -> LogLine {
        let (ts, start) = match timestamp::split_bytes(&raw.bytes) {
            Some((ts, rest)) => (ts, raw.bytes.len() - rest.len()),
            None => (fallback, 0),
        };
        let mut message = raw.bytes;
        message.drain(..start);
        let mut cut = raw.dropped;
        if message.len() > self.max_message {
            let keep = char_start(&message, self.max_message);
            cut += (message.len() - keep) as u64;
            message.truncate(keep);
        }
        LogLine {
            ts,
            bytes: message.into_boxed_slice(),
            cut,
        }
    }
}

/// Where to cut `bytes` at `at` without splitting a UTF-8 character: `at`, or the start of
/// the character `at` falls inside (bytes that are not UTF-8 are cut where they are).
fn char_start(bytes: &[u8], at: usize) -> usize {
    let is_continuation = |b: u8| b & 0xC0 == 0x80;
    let mut i = at;
    while i > 0 && at - i < 3 && bytes.get(i).copied().is_some_and(is_continuation) {
        i -= 1;
    }
    match bytes.get(i) {
        Some(&lead) if i < at && lead & 0xC0 == 0xC0 => i,
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(max: usize, chunks: &[&[u8]]) -> (Vec<LogLine>, Option<RawLine>) {
        let mut s = LineSplitter::new(max);
        let mut raw = Vec::new();
        for c in chunks {
            s.feed(c, &mut raw);
        }
        let lines = raw.into_iter().map(|r| s.finish(r, -1)).collect();
        (lines, s.take_partial())
    }

    #[test]
    fn lines_split_across_chunks_keep_their_bytes_and_timestamps() {
        let (lines, partial) = split(
            1024,
            &[
                b"2024-01-01T00:00:00Z caf\xe9 au l",
                b"ait\n2024-01-01T00:00:01Z ok\n2024-01-01T00:00:02Z tail",
            ],
        );
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].ts, 1_704_067_200_000_000_000);
        assert_eq!(&*lines[0].bytes, b"caf\xe9 au lait");
        assert_eq!(lines[0].text(), "caf\u{fffd} au lait");
        assert_eq!(lines[1].text(), "ok");
        assert_eq!(
            partial.map(|p| p.bytes),
            Some(b"2024-01-01T00:00:02Z tail".to_vec())
        );
    }

    #[test]
    fn a_line_longer_than_the_cap_is_cut_and_says_how_much() {
        let mut long = b"2024-01-01T00:00:00Z ".to_vec();
        long.extend(std::iter::repeat_n(b'x', 5000));
        long.push(b'\n');
        // Fed in small chunks: the cap holds however the bytes arrive.
        let chunks: Vec<&[u8]> = long.chunks(7).collect();
        let (lines, partial) = split(100, &chunks);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].bytes.len(), 100);
        assert_eq!(lines[0].cut, 4900);
        assert!(
            lines[0]
                .display()
                .ends_with(" [devk: 4900 more bytes cut (logs.max_line_kib)]")
        );
        assert!(partial.is_none());
    }

    #[test]
    fn a_cut_does_not_split_a_character() {
        let text = format!("2024-01-01T00:00:00Z {}\n", "é".repeat(10));
        let (lines, _) = split(5, &[text.as_bytes()]);
        // 5 bytes would end in the middle of the third `é`.
        assert_eq!(lines[0].text(), "éé");
        assert_eq!(lines[0].cut, 16);
    }

    #[test]
    fn lines_without_a_timestamp_get_the_fallback() {
        let (lines, _) = split(64, &[b"no stamp here\n"]);
        assert_eq!((lines[0].ts, lines[0].text()), (-1, "no stamp here".into()));
    }
}
