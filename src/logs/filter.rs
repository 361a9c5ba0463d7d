//! Line filters (`/` in the log view, `--include`/`--exclude` on the CLI) and the index of
//! matching entries that lets a filtered view of a million lines draw in O(screen height).

use regex::{Regex, RegexBuilder};

use super::buffer::LogBuffer;

/// A compiled filter: a regex, or a plain string matched literally.
#[derive(Debug, Clone)]
pub struct Filter {
    pub pattern: String,
    pub regex_mode: bool,
    pub case_sensitive: bool,
    re: Regex,
}

impl Filter {
    pub fn new(pattern: &str, regex_mode: bool, case_sensitive: bool) -> Result<Filter, String> {
        let source = if regex_mode {
            pattern.to_string()
        } else {
            regex::escape(pattern)
        };
        let re = RegexBuilder::new(&source)
            .case_insensitive(!case_sensitive)
            .size_limit(1 << 22)
            .build()
            .map_err(|e| format!("`{pattern}` is not a valid regex: {e}"))?;
        Ok(Filter {
            pattern: pattern.to_string(),
            regex_mode,
            case_sensitive,
            re,
        })
    }

    pub fn is_match(&self, text: &str) -> bool {
        self.re.is_match(text)
    }

    /// Byte ranges of every match in `text` (for highlighting).
    pub fn ranges(&self, text: &str) -> Vec<(usize, usize)> {
        self.re
            .find_iter(text)
            .map(|m| (m.start(), m.end()))
            .filter(|(a, b)| a < b)
            .collect()
    }
}

/// Sequence numbers of the buffer entries a filter matches, kept up to date as lines arrive
/// and old ones are evicted.
#[derive(Debug, Clone)]
pub struct MatchIndex {
    pub filter: Filter,
    /// Ascending.
    seqs: std::collections::VecDeque<u64>,
    /// Entries below this have been looked at.
    scanned_to: u64,
}

impl MatchIndex {
    /// Indexes `buf` from scratch.
    pub fn build(filter: Filter, buf: &LogBuffer) -> MatchIndex {
        let mut idx = MatchIndex {
            filter,
            seqs: Default::default(),
            scanned_to: buf.first_seq(),
        };
        idx.catch_up(buf);
        idx
    }

    /// Looks at entries added since the last call and forgets evicted ones.
    pub fn catch_up(&mut self, buf: &LogBuffer) {
        while self.seqs.front().is_some_and(|&s| s < buf.first_seq()) {
            self.seqs.pop_front();
        }
        let from = self.scanned_to.max(buf.first_seq());
        for (seq, e) in buf.iter_from(from) {
            if self.filter.is_match(&e.text) {
                self.seqs.push_back(seq);
            }
        }
        self.scanned_to = buf.end_seq();
    }

    pub fn len(&self) -> usize {
        self.seqs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.seqs.is_empty()
    }

    /// The i-th match.
    pub fn get(&self, i: usize) -> Option<u64> {
        self.seqs.get(i).copied()
    }

    /// Position of the first match at or after `seq`.
    pub fn position_at_or_after(&self, seq: u64) -> usize {
        self.seqs.partition_point(|&s| s < seq)
    }

    /// The next match after `seq` (wrapping), or the previous one before it.
    pub fn step(&self, seq: u64, forward: bool) -> Option<u64> {
        if self.seqs.is_empty() {
            return None;
        }
        if forward {
            let i = self.seqs.partition_point(|&s| s <= seq);
            self.seqs.get(i).or(self.seqs.front()).copied()
        } else {
            let i = self.seqs.partition_point(|&s| s < seq);
            if i == 0 {
                self.seqs.back().copied()
            } else {
                self.seqs.get(i - 1).copied()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::buffer::{ENTRY_OVERHEAD, Entry, Kind};

    fn push(b: &mut LogBuffer, t: &str) {
        b.push(Entry {
            ts: None,
            source: 0,
            kind: Kind::Line,
            text: t.into(),
        });
    }

    #[test]
    fn plain_filters_are_literal_and_case_insensitive_by_default() {
        let f = Filter::new("a.b", false, false).unwrap();
        assert!(f.is_match("xxA.Bxx"));
        assert!(!f.is_match("axb"));
        let r = Filter::new("a.b", true, true).unwrap();
        assert!(r.is_match("axb") && !r.is_match("AXB"));
        assert!(
            Filter::new("(", true, false)
                .unwrap_err()
                .contains("not a valid regex")
        );
    }

    #[test]
    fn index_follows_new_lines_and_eviction_and_steps_between_matches() {
        let mut b = LogBuffer::new((ENTRY_OVERHEAD + 5) * 6);
        for t in ["error", "ok   ", "error", "ok   "] {
            push(&mut b, t);
        }
        let mut idx = MatchIndex::build(Filter::new("err", false, false).unwrap(), &b);
        assert_eq!((idx.get(0), idx.get(1)), (Some(0), Some(2)));
        for t in ["error", "ok   ", "ok   "] {
            push(&mut b, t);
        }
        idx.catch_up(&b);
        // Entry 0 was evicted (budget of 6 entries, 7 pushed).
        assert_eq!(idx.len(), 2);
        assert_eq!((idx.get(0), idx.get(1)), (Some(2), Some(4)));
        assert_eq!(idx.step(2, true), Some(4));
        assert_eq!(idx.step(4, true), Some(2), "wraps");
        assert_eq!(idx.step(4, false), Some(2));
        assert_eq!(idx.step(2, false), Some(4), "wraps back");
        assert_eq!(idx.position_at_or_after(3), 1);
    }

    #[test]
    fn ranges_for_highlighting() {
        let f = Filter::new("o", false, false).unwrap();
        assert_eq!(f.ranges("foo bOo"), vec![(1, 2), (2, 3), (5, 6), (6, 7)]);
    }
}
