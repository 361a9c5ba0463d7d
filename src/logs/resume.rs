//! Never lose or duplicate a line across reconnects. A stream remembers the newest timestamp it
//! delivered and how many lines carried exactly that timestamp. After a disconnect it asks
//! again from that time (`sinceTime`, which the API rounds down to the second) and drops what
//! it already has: every line older than the mark, and the first N lines at the mark itself.

use super::timestamp::Nanos;

/// Where a stream is, for resuming it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Resume {
    /// Newest timestamp delivered, if any line was.
    pub last: Option<Nanos>,
    /// How many delivered lines had exactly `last`.
    pub at_last: u32,
    /// While replaying after a reconnect: lines at `last` still to skip.
    skip_at_last: u32,
}

impl Resume {
    /// Call when a new connection starts (the first one, or after a disconnect).
    pub fn reconnect(&mut self) {
        self.skip_at_last = self.at_last;
    }

    /// The `sinceTime` to ask for: the mark itself, so nothing after it can be missed.
    pub fn since(&self) -> Option<Nanos> {
        self.last
    }

    /// Decides whether a received line is new; records it when it is.
    pub fn accept(&mut self, ts: Nanos) -> bool {
        match self.last {
            Some(last) if ts < last => false,
            Some(last) if ts == last => {
                if self.skip_at_last > 0 {
                    self.skip_at_last -= 1;
                    false
                } else {
                    self.at_last += 1;
                    true
                }
            }
            _ => {
                self.last = Some(ts);
                self.at_last = 1;
                self.skip_at_last = 0;
                true
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Simulates a server that has `lines` (timestamps) and a client that reads the first `k`,
    /// is cut, and resumes with sinceTime rounded down to the second.
    fn replay(lines: &[Nanos], cut_after: usize) -> Vec<Nanos> {
        let mut r = Resume::default();
        let mut got = Vec::new();
        r.reconnect();
        for &ts in &lines[..cut_after] {
            if r.accept(ts) {
                got.push(ts);
            }
        }
        r.reconnect();
        let since = r.since().map(|s| s - s.rem_euclid(1_000_000_000));
        for &ts in lines.iter().filter(|&&ts| since.is_none_or(|s| ts >= s)) {
            if r.accept(ts) {
                got.push(ts);
            }
        }
        got
    }

    #[test]
    fn every_cut_point_loses_and_duplicates_nothing() {
        // Several lines share a timestamp, several share a second.
        let s = 1_000_000_000;
        let lines = [s, s + 5, s + 5, s + 5, 2 * s, 2 * s, 2 * s + 1, 3 * s + 7];
        for cut in 0..=lines.len() {
            assert_eq!(replay(&lines, cut), lines, "cut after {cut}");
        }
    }
}
