//! How devk writes times and sizes, in one place, so every tab and command shows the same
//! thing for the same value: ages exactly as kubectl's AGE column (apimachinery's
//! `duration.HumanDuration`), countdowns for what is left, sizes as the docker CLI prints them,
//! timestamps as RFC 3339 in UTC.
//!
//! The sandbox crate (`devk-sandbox`) has its own copy of HumanDuration for the tables it
//! serves kubectl; it is a crate of its own, so it keeps it, and both copies are pinned to
//! apimachinery's own test table.

/// kubectl's `HumanDuration` of a span in seconds: `45s`, `3m10s`, `70m`, `5h2m`, `47h`, `2d1h`,
/// `367d`, `2y1d`, `8y`. A span slightly below zero (clock skew) is `0s`; further below,
/// `<invalid>`, as kubectl prints it.
pub fn human_duration(seconds: i64) -> String {
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 120 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_rest(minutes, "m", seconds % 60, "s");
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        return with_rest(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return with_rest(hours / 24, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return with_rest(hours / 24 / 365, "y", (hours / 24) % 365, "d");
    }
    format!("{}y", hours / 24 / 365)
}

fn with_rest(big: i64, big_unit: &str, rest: i64, rest_unit: &str) -> String {
    if rest == 0 {
        format!("{big}{big_unit}")
    } else {
        format!("{big}{big_unit}{rest}{rest_unit}")
    }
}

/// The age of something created at `then`, seen at `now` (both unix seconds), as kubectl's
/// AGE column shows it.
pub fn age(then: i64, now: i64) -> String {
    human_duration(now - then)
}

/// What is left until a deadline: `1h 05m`, `12m 30s`, `45s`, `2d 03h`; `expired` at or past it.
pub fn countdown(seconds: i64) -> String {
    if seconds <= 0 {
        return "expired".to_owned();
    }
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    if h >= 24 {
        format!("{}d {:02}h", h / 24, h % 24)
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    }
}

/// A size the way the docker CLI prints it (decimal units): `512B`, `1.2MB`, `87MB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1000.0 && unit < UNITS.len() - 1 {
        v /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else if v < 10.0 {
        format!("{v:.1}{}", UNITS[unit])
    } else {
        format!("{v:.0}{}", UNITS[unit])
    }
}

/// Unix seconds as RFC 3339 in UTC (`2025-11-24T16:00:00Z`); the unix seconds themselves when
/// out of range.
pub fn timestamp(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| unix.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const MINUTE: i64 = 60;
    const HOUR: i64 = 3600;

    /// apimachinery's `TestHumanDuration` (pkg/util/duration/duration_test.go), case for case,
    /// plus the edges between its ranges.
    #[rstest]
    #[case(1, "1s")]
    #[case(70, "70s")]
    #[case(190, "3m10s")]
    #[case(70 * MINUTE, "70m")]
    #[case(47 * HOUR, "47h")]
    #[case(49 * HOUR, "2d1h")]
    #[case((8 * 24 + 2) * HOUR, "8d")]
    #[case(367 * 24 * HOUR, "367d")]
    #[case((365 * 2 * 24 + 25) * HOUR, "2y1d")]
    #[case((365 * 8 * 24 + 2) * HOUR, "8y")]
    #[case(0, "0s")]
    #[case(-1, "0s")]
    #[case(-2, "<invalid>")]
    #[case(119, "119s")]
    #[case(120, "2m")]
    #[case(10 * MINUTE - 1, "9m59s")]
    #[case(179 * MINUTE, "179m")]
    #[case(3 * HOUR, "3h")]
    #[case(5 * HOUR + 2 * MINUTE, "5h2m")]
    #[case(8 * HOUR, "8h")]
    #[case(48 * HOUR, "2d")]
    fn human_duration_is_kubectls(#[case] seconds: i64, #[case] want: &str) {
        assert_eq!(human_duration(seconds), want);
    }

    #[test]
    fn age_is_the_duration_since_then() {
        assert_eq!(age(1_000, 1_000 + 50 * HOUR), "2d2h");
        assert_eq!(age(1_000, 999), "0s");
    }

    #[rstest]
    #[case(0, "expired")]
    #[case(45, "45s")]
    #[case(12 * MINUTE + 30, "12m 30s")]
    #[case(HOUR + 5 * MINUTE, "1h 05m")]
    #[case(51 * HOUR, "2d 03h")]
    fn countdown_reads_naturally(#[case] seconds: i64, #[case] want: &str) {
        assert_eq!(countdown(seconds), want);
    }

    #[rstest]
    #[case(0, "0B")]
    #[case(999, "999B")]
    #[case(1_234_567, "1.2MB")]
    #[case(87_000_000, "87MB")]
    #[case(5_000_000_000_000_000, "5000TB")]
    fn sizes_are_docker_clis(#[case] bytes: u64, #[case] want: &str) {
        assert_eq!(size(bytes), want);
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(timestamp(1_420_070_400), "2015-01-01T00:00:00Z");
    }
}
