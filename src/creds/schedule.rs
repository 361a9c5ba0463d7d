//! When the next automatic refresh is due. A token is refreshed `refresh_before` ahead of its
//! expiry; after a failure devk backs off (30 s, 1 min, 2 min, ... up to 15 min). A token that
//! arrives already expired, or expiring inside the margin (an emulator, a skewed clock), is
//! not retried at once: the next attempt waits at least `MIN_INTERVAL`, so it can never turn
//! into a tight loop.

/// The shortest gap between two automatic refreshes of the same secret, in seconds.
pub const MIN_INTERVAL: i64 = 5 * 60;
/// The first back-off after a failure, in seconds; doubled per consecutive failure.
pub const BACKOFF_BASE: i64 = 30;
/// The longest back-off, in seconds.
pub const BACKOFF_MAX: i64 = 15 * 60;

/// How the last refresh ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LastOutcome {
    /// Written; the token expires at this unix time.
    Ok { expires_at: i64 },
    /// The n-th failure in a row (n >= 1).
    Failed { consecutive: u32 },
}

/// The next refresh and why it is then.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// Unix seconds.
    pub at: i64,
    pub reason: DueReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueReason {
    /// `refresh_before` ahead of expiry.
    BeforeExpiry,
    /// The token was already expired, or expires within the margin: retried after
    /// `MIN_INTERVAL` rather than at once.
    ExpiresTooSoon,
    /// Back-off after a failure.
    Backoff,
}

/// The next refresh after `last`, decided at `now` (unix seconds).
pub fn next_due(now: i64, refresh_before: i64, last: LastOutcome) -> Due {
    match last {
        LastOutcome::Ok { expires_at } => {
            let ideal = expires_at.saturating_sub(refresh_before);
            let earliest = now.saturating_add(MIN_INTERVAL);
            if ideal >= earliest {
                Due {
                    at: ideal,
                    reason: DueReason::BeforeExpiry,
                }
            } else {
                Due {
                    at: earliest,
                    reason: DueReason::ExpiresTooSoon,
                }
            }
        }
        LastOutcome::Failed { consecutive } => {
            let shift = consecutive.saturating_sub(1).min(10);
            let wait = BACKOFF_BASE.saturating_mul(1 << shift).min(BACKOFF_MAX);
            Due {
                at: now.saturating_add(wait),
                reason: DueReason::Backoff,
            }
        }
    }
}

/// Parses `creds.refresh_before`: `90m`, `1h`, `2h30m` or a number of minutes (`45`).
/// Returns seconds.
pub fn parse_refresh_before(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let bad = || {
        format!("`{text}` is not a duration; write minutes (`45`, `90m`) or hours (`1h`, `2h30m`)")
    };
    if t.is_empty() {
        return Err(bad());
    }
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return t.parse::<i64>().map(|m| m * 60).map_err(|_| bad());
    }
    let mut total: i64 = 0;
    let mut digits = String::new();
    for c in t.chars() {
        match c {
            '0'..='9' => digits.push(c),
            'h' | 'm' if !digits.is_empty() => {
                let n: i64 = digits.parse().map_err(|_| bad())?;
                total = total.saturating_add(n.saturating_mul(if c == 'h' { 3600 } else { 60 }));
                digits.clear();
            }
            _ => return Err(bad()),
        }
    }
    if !digits.is_empty() {
        return Err(bad());
    }
    Ok(total)
}

pub use crate::format::countdown;

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const NOW: i64 = 1_764_000_000;
    const HOUR: i64 = 3600;

    #[test]
    fn fresh_token_is_refreshed_the_margin_before_expiry() {
        let due = next_due(
            NOW,
            HOUR,
            LastOutcome::Ok {
                expires_at: NOW + 12 * HOUR,
            },
        );
        assert_eq!(
            due,
            Due {
                at: NOW + 11 * HOUR,
                reason: DueReason::BeforeExpiry
            }
        );
    }

    #[rstest]
    #[case::already_expired(1_420_070_400)] // what moto returns: 2015-01-01
    #[case::inside_the_margin(NOW + 10 * 60)]
    #[case::expiring_now(NOW)]
    fn short_lived_token_waits_the_minimum_interval_instead_of_looping(#[case] expires_at: i64) {
        let due = next_due(NOW, HOUR, LastOutcome::Ok { expires_at });
        assert_eq!(
            due,
            Due {
                at: NOW + MIN_INTERVAL,
                reason: DueReason::ExpiresTooSoon
            }
        );
    }

    #[test]
    fn repeated_expired_tokens_never_schedule_faster_than_the_minimum() {
        // Simulate the auto-refresh loop against an emulator that always returns an expired
        // token: the refreshes are MIN_INTERVAL apart, whatever the loop does.
        let mut now = NOW;
        let mut times = Vec::new();
        for _ in 0..5 {
            let due = next_due(
                now,
                HOUR,
                LastOutcome::Ok {
                    expires_at: 1_420_070_400,
                },
            );
            times.push(due.at);
            now = due.at;
        }
        assert!(
            times.windows(2).all(|w| w[1] - w[0] == MIN_INTERVAL),
            "{times:?}"
        );
    }

    #[rstest]
    #[case(1, 30)]
    #[case(2, 60)]
    #[case(3, 120)]
    #[case(6, 900)]
    #[case(40, 900)]
    fn failures_back_off_exponentially_up_to_the_cap(#[case] n: u32, #[case] wait: i64) {
        let due = next_due(NOW, HOUR, LastOutcome::Failed { consecutive: n });
        assert_eq!(
            due,
            Due {
                at: NOW + wait,
                reason: DueReason::Backoff
            }
        );
    }

    #[rstest]
    #[case("1h", 3600)]
    #[case("90m", 5400)]
    #[case("45", 2700)]
    #[case(" 2h30m ", 9000)]
    #[case("0", 0)]
    fn refresh_before_parses(#[case] text: &str, #[case] secs: i64) {
        assert_eq!(parse_refresh_before(text), Ok(secs));
    }

    #[rstest]
    #[case("")]
    #[case("1d")]
    #[case("h")]
    #[case("1h30")]
    #[case("-5")]
    fn refresh_before_rejects(#[case] text: &str) {
        assert!(
            parse_refresh_before(text)
                .unwrap_err()
                .contains("not a duration")
        );
    }
}
