//! The log buffer: a ring of entries bounded by a byte budget (not a line count, so a pod that
//! logs 10 KB JSON lines cannot blow memory up). The oldest entries are evicted first and
//! counted. Every entry has a sequence number that never changes, so views can keep
//! positions while the ring turns.

use std::collections::VecDeque;

use super::timestamp::Nanos;

/// Where a line came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Source {
    pub namespace: String,
    pub pod: String,
    pub container: String,
}

/// A line, or a marker devk adds (reconnected, pod deleted, container restarted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Line,
    Marker,
}

/// One buffer entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub ts: Option<Nanos>,
    /// Index into the buffer's sources.
    pub source: u32,
    pub kind: Kind,
    pub text: Box<str>,
}

/// Bytes an entry costs beyond its text (the struct and the ring slot).
pub const ENTRY_OVERHEAD: usize = std::mem::size_of::<Entry>();

impl Entry {
    pub fn cost(&self) -> usize {
        ENTRY_OVERHEAD + self.text.len()
    }
}

/// The ring.
#[derive(Debug, Clone)]
pub struct LogBuffer {
    entries: VecDeque<Entry>,
    first_seq: u64,
    bytes: usize,
    budget: usize,
    evicted: u64,
    sources: Vec<Source>,
}

impl LogBuffer {
    pub fn new(budget_bytes: usize) -> LogBuffer {
        LogBuffer {
            entries: VecDeque::new(),
            first_seq: 0,
            bytes: 0,
            budget: budget_bytes.max(ENTRY_OVERHEAD + 1),
            evicted: 0,
            sources: Vec::new(),
        }
    }

    /// The id of `source`, adding it on first use.
    pub fn source_id(&mut self, source: &Source) -> u32 {
        if let Some(i) = self.sources.iter().position(|s| s == source) {
            return i as u32;
        }
        self.sources.push(source.clone());
        (self.sources.len() - 1) as u32
    }

    pub fn source(&self, id: u32) -> Option<&Source> {
        self.sources.get(id as usize)
    }

    pub fn sources(&self) -> &[Source] {
        &self.sources
    }

    /// Appends an entry, evicting the oldest ones while over budget. Returns its sequence
    /// number.
    pub fn push(&mut self, entry: Entry) -> u64 {
        self.bytes += entry.cost();
        self.entries.push_back(entry);
        while self.bytes > self.budget && self.entries.len() > 1 {
            if let Some(old) = self.entries.pop_front() {
                self.bytes -= old.cost();
                self.first_seq += 1;
                self.evicted += 1;
            }
        }
        self.end_seq() - 1
    }

    /// Sequence number of the oldest entry still held.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// One past the newest entry's sequence number.
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.entries.len() as u64
    }

    pub fn get(&self, seq: u64) -> Option<&Entry> {
        let i = seq.checked_sub(self.first_seq)?;
        self.entries.get(usize::try_from(i).ok()?)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes held (texts plus per-entry overhead).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn budget(&self) -> usize {
        self.budget
    }

    /// Entries evicted so far.
    pub fn evicted(&self) -> u64 {
        self.evicted
    }

    /// Drops every entry (the sequence numbers go on).
    pub fn clear(&mut self) {
        self.first_seq = self.end_seq();
        self.entries.clear();
        self.bytes = 0;
    }

    /// Entries from `from` (inclusive) on, with their sequence numbers.
    pub fn iter_from(&self, from: u64) -> impl Iterator<Item = (u64, &Entry)> {
        let skip = usize::try_from(from.saturating_sub(self.first_seq)).unwrap_or(usize::MAX);
        self.entries
            .iter()
            .enumerate()
            .skip(skip)
            .map(move |(i, e)| (self.first_seq + i as u64, e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(text: &str) -> Entry {
        Entry {
            ts: None,
            source: 0,
            kind: Kind::Line,
            text: text.into(),
        }
    }

    #[test]
    fn evicts_oldest_by_bytes_and_counts_them() {
        let per = ENTRY_OVERHEAD + 10;
        let mut b = LogBuffer::new(per * 3);
        for i in 0..5 {
            b.push(line(&format!("line-{i:04}")));
        }
        assert_eq!(b.len(), 3);
        assert_eq!(b.evicted(), 2);
        assert_eq!(b.first_seq(), 2);
        assert_eq!(&*b.get(2).unwrap().text, "line-0002");
        assert!(b.get(1).is_none());
        assert!(b.bytes() <= b.budget());
    }

    #[test]
    fn a_large_line_evicts_several_small_ones() {
        let mut b = LogBuffer::new((ENTRY_OVERHEAD + 10) * 4);
        for _ in 0..4 {
            b.push(line("0123456789"));
        }
        // 15 bytes more than a small line: two small ones must go to make room.
        b.push(line(&"x".repeat(25)));
        assert_eq!(b.evicted(), 2);
        assert!(b.bytes() <= b.budget());
    }

    #[test]
    fn clear_keeps_sequence_numbers_going() {
        let mut b = LogBuffer::new(1 << 20);
        b.push(line("a"));
        b.clear();
        assert_eq!(b.push(line("b")), 1);
        assert_eq!(b.iter_from(0).map(|(s, _)| s).collect::<Vec<_>>(), vec![1]);
    }

    #[test]
    fn sources_are_interned() {
        let mut b = LogBuffer::new(1024);
        let s = Source {
            namespace: "n".into(),
            pod: "p".into(),
            container: "c".into(),
        };
        assert_eq!(b.source_id(&s), 0);
        assert_eq!(b.source_id(&s), 0);
        let t = Source {
            container: "d".into(),
            ..s
        };
        assert_eq!(b.source_id(&t), 1);
    }
}
