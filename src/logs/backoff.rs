//! Reconnect delays: exponential with "equal jitter" (half the delay fixed, half random),
//! capped. The random half keeps many streams that dropped together from reconnecting
//! together; the fixed half makes the delays really grow, so however unlucky the draws, a
//! stream that keeps failing makes at most about log2(elapsed / base) + 1 requests.

use std::time::Duration;

/// Backoff state for one stream.
#[derive(Debug, Clone)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    attempt: u32,
    seed: u64,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration, seed: u64) -> Backoff {
        Backoff {
            base,
            cap,
            attempt: 0,
            seed: seed | 1,
        }
    }

    /// The next delay: uniformly random in [c/2, c] where c = min(cap, base * 2^attempt).
    pub fn next_delay(&mut self) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32 << self.attempt.min(16))
            .min(self.cap);
        self.attempt = self.attempt.saturating_add(1);
        // xorshift64*: plenty for jitter, no dependency.
        self.seed ^= self.seed >> 12;
        self.seed ^= self.seed << 25;
        self.seed ^= self.seed >> 27;
        let r = self.seed.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let floor = ceiling / 2;
        let span = ceiling.saturating_sub(floor).as_millis() as u64;
        floor + Duration::from_millis(if span == 0 { 0 } else { r % (span + 1) })
    }

    /// After a healthy connection: start again from the base delay.
    pub fn reset(&mut self) {
        self.attempt = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_stay_capped_and_reset() {
        let mut b = Backoff::new(Duration::from_millis(200), Duration::from_secs(5), 42);
        let delays: Vec<Duration> = (0..12).map(|_| b.next_delay()).collect();
        assert!(
            delays
                .iter()
                .all(|d| *d >= Duration::from_millis(100) && *d <= Duration::from_secs(5))
        );
        assert!(
            delays[8..]
                .iter()
                .all(|d| *d >= Duration::from_millis(2500)),
            "{delays:?}"
        );
        b.reset();
        assert!(b.next_delay() <= Duration::from_millis(200));
    }

    #[test]
    fn every_seed_grows_at_least_geometrically() {
        // However the jitter falls, attempt k waits at least min(cap, base * 2^k) / 2:
        // 125 + 250 + 500 + 1000 + 2000 + 4000 + 5000 + 5000 ms for the first eight.
        for seed in 0..200 {
            let mut b = Backoff::new(Duration::from_millis(250), Duration::from_secs(10), seed);
            let total: Duration = (0..8).map(|_| b.next_delay()).sum();
            assert!(
                total >= Duration::from_millis(17_875),
                "seed {seed}: {total:?}"
            );
        }
    }
}
