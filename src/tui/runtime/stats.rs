//! Draw timings for the frame-time benchmarks: with `DEVK_FRAME_STATS=FILE` set, a summary is
//! written to FILE when the UI exits.
//!
//! A session can last for days, so the timings are not kept one by one: they go into a
//! log-linear histogram of fixed size (exact below 128 µs, then 64 buckets per power of two,
//! so a percentile is within 1/64 of the true value) with the exact count and maximum.

/// Values below this are counted exactly.
const EXACT: u64 = 128;
/// Buckets per power of two above `EXACT`.
const SUB: u64 = 64;
/// log2(SUB).
const SUB_BITS: u32 = 6;
/// log2(EXACT).
const EXACT_BITS: u32 = 7;
const BUCKETS: usize = (EXACT + (64 - EXACT_BITS as u64) * SUB) as usize;

/// Frame draw times, in bounded memory.
#[derive(Debug)]
pub struct FrameStats {
    counts: Box<[u64]>,
    frames: u64,
    max_us: u64,
}

impl Default for FrameStats {
    fn default() -> Self {
        FrameStats {
            counts: vec![0; BUCKETS].into_boxed_slice(),
            frames: 0,
            max_us: 0,
        }
    }
}

fn bucket(us: u64) -> usize {
    if us < EXACT {
        return us as usize;
    }
    let e = 63 - us.leading_zeros();
    let sub = (us >> (e - SUB_BITS)) & (SUB - 1);
    (EXACT + u64::from(e - EXACT_BITS) * SUB + sub) as usize
}

/// The smallest value that falls in bucket `b`.
fn lower_bound(b: usize) -> u64 {
    let b = b as u64;
    if b < EXACT {
        return b;
    }
    let e = (b - EXACT) / SUB + u64::from(EXACT_BITS);
    let sub = (b - EXACT) % SUB;
    (SUB + sub) << (e - u64::from(SUB_BITS))
}

impl FrameStats {
    /// Records one frame that took `us` microseconds to draw.
    pub fn record_micros(&mut self, us: u64) {
        self.counts[bucket(us)] += 1;
        self.frames += 1;
        self.max_us = self.max_us.max(us);
    }

    pub(super) fn record(&mut self, started: std::time::Instant) {
        self.record_micros(u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX));
    }

    /// The draw time at quantile `q` (nearest rank), within 1/64.
    fn quantile(&self, q: f64) -> u64 {
        if self.frames == 0 {
            return 0;
        }
        let rank = ((self.frames as f64 - 1.0) * q).round() as u64;
        let mut seen = 0;
        for (b, &n) in self.counts.iter().enumerate() {
            seen += n;
            if seen > rank {
                return lower_bound(b).min(self.max_us);
            }
        }
        self.max_us
    }

    /// `frames=N p50_us=.. p99_us=.. max_us=..`
    pub fn summary(&self) -> String {
        format!(
            "frames={} p50_us={} p99_us={} max_us={}\n",
            self.frames,
            self.quantile(0.5),
            self.quantile(0.99),
            self.max_us
        )
    }

    pub(super) fn write_if_asked(&self) {
        if let Some(path) = std::env::var_os("DEVK_FRAME_STATS") {
            let _ = std::fs::write(path, self.summary());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_in_order() {
        let mut last = 0;
        for us in (0..5_000).chain([1 << 20, 1 << 40, u64::MAX]) {
            let b = bucket(us);
            assert!(b < BUCKETS && b >= last, "{us} -> {b}");
            assert!(
                lower_bound(b) <= us && us - lower_bound(b) <= us / 64,
                "{us}"
            );
            last = b;
        }
    }

    #[test]
    fn percentiles_are_within_one_64th_of_the_exact_ones() {
        let mut stats = FrameStats::default();
        let mut values: Vec<u64> = (0..10_000u64).map(|i| (i * 7_919) % 20_000 + 40).collect();
        for &v in &values {
            stats.record_micros(v);
        }
        values.sort_unstable();
        let exact = |q: f64| values[((values.len() as f64 - 1.0) * q).round() as usize];
        for q in [0.5, 0.99] {
            let (got, want) = (stats.quantile(q), exact(q));
            assert!(
                got <= want && want - got <= want / 64,
                "q{q}: {got} vs {want}"
            );
        }
        assert_eq!(
            stats.summary(),
            format!(
                "frames=10000 p50_us={} p99_us={} max_us={}\n",
                stats.quantile(0.5),
                stats.quantile(0.99),
                values[values.len() - 1]
            )
        );
    }

    #[test]
    fn memory_stays_the_same_however_many_frames() {
        let mut stats = FrameStats::default();
        for i in 0..1_000_000u64 {
            stats.record_micros(i % 30_000);
        }
        assert_eq!(stats.counts.len(), BUCKETS);
        assert_eq!(stats.frames, 1_000_000);
        assert_eq!(
            FrameStats::default().summary(),
            "frames=0 p50_us=0 p99_us=0 max_us=0\n"
        );
    }
}
