//! Kubelet log timestamps (`2024-01-01T00:00:00.123456789Z`, RFC 3339 with nanoseconds) as
//! nanoseconds since the Unix epoch. The fixed UTC form kubelets write is parsed by hand (it is
//! on the hot path of every log line); anything else goes through jiff.

/// Nanoseconds since the Unix epoch (UTC).
pub type Nanos = i64;

fn digits(b: &[u8]) -> Option<i64> {
    let mut v: i64 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// Days from 1970-01-01 to the given civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses an RFC 3339 timestamp.
pub fn parse(s: &str) -> Option<Nanos> {
    let b = s.as_bytes();
    if b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && b[b.len() - 1] == b'Z'
    {
        let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
        let (h, mi, se) = (
            digits(&b[11..13])?,
            digits(&b[14..16])?,
            digits(&b[17..19])?,
        );
        let frac = &b[19..b.len() - 1];
        let nanos = match frac {
            [] => 0,
            [b'.', rest @ ..] if !rest.is_empty() && rest.len() <= 9 => {
                digits(rest)? * 10i64.pow(9 - rest.len() as u32)
            }
            _ => return slow(s),
        };
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 {
            return None;
        }
        if se > 59 {
            // A leap second: jiff's reading (it clamps), so both paths agree.
            return slow(s);
        }
        let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se;
        return secs.checked_mul(1_000_000_000)?.checked_add(nanos);
    }
    slow(s)
}

fn slow(s: &str) -> Option<Nanos> {
    let ts: jiff::Timestamp = s.parse().ok()?;
    i64::try_from(ts.as_nanosecond()).ok()
}

/// Formats as the kubelet does: `2024-01-01T00:00:00.123456789Z`.
pub fn format(n: Nanos) -> String {
    match jiff::Timestamp::from_nanosecond(i128::from(n)) {
        Ok(ts) => format!("{ts:.9}"),
        Err(_) => n.to_string(),
    }
}

/// Splits a line the kubelet sent with `timestamps=true` into (timestamp, rest).
pub fn split_line(line: &str) -> Option<(Nanos, &str)> {
    let (ts, rest) = line.split_once(' ').unwrap_or((line, ""));
    Some((parse(ts)?, rest))
}

/// [`split_line`] for a line that is bytes (and may not be UTF-8 after the timestamp).
pub fn split_bytes(line: &[u8]) -> Option<(Nanos, &[u8])> {
    let end = line.iter().position(|&b| b == b' ').unwrap_or(line.len());
    let ts = std::str::from_utf8(&line[..end]).ok()?;
    let rest = line.get(end + 1..).unwrap_or_default();
    Some((parse(ts)?, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("1970-01-01T00:00:00Z", 0)]
    #[case("2024-01-01T00:00:00.123456789Z", 1_704_067_200_123_456_789)]
    #[case("2024-02-29T12:30:01.5Z", 1_709_209_801_500_000_000)]
    #[case("2024-01-01T01:00:00+01:00", 1_704_067_200_000_000_000)]
    fn parses_like_jiff(#[case] s: &str, #[case] want: i64) {
        assert_eq!(parse(s), Some(want));
        let slow: jiff::Timestamp = s.parse().unwrap();
        assert_eq!(i128::from(want), slow.as_nanosecond());
    }

    // Found by fuzz/fuzz_targets/log_timestamp.rs: the fast path read Feb 29 of a common year
    // (and Apr 31) as a day of the next month, where jiff refuses the text.
    #[rstest]
    #[case("2025-02-29T12:30:01.5Z")]
    #[case("2024-04-31T00:00:00Z")]
    #[case("1900-02-29T00:00:00Z")]
    fn days_a_month_does_not_have_are_refused_like_jiff(#[case] s: &str) {
        assert!(s.parse::<jiff::Timestamp>().is_err());
        assert_eq!(parse(s), None);
    }

    #[test]
    fn a_leap_second_reads_as_jiff_reads_it() {
        let s = "2016-12-31T23:59:60Z";
        let jiff = s
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|t| t.as_nanosecond() as i64);
        assert_eq!(parse(s), jiff);
    }

    #[test]
    fn format_round_trips() {
        let n = 1_704_067_200_123_456_789;
        assert_eq!(format(n), "2024-01-01T00:00:00.123456789Z");
        assert_eq!(parse(&format(n)), Some(n));
    }

    #[test]
    fn split_line_separates_the_timestamp() {
        assert_eq!(
            split_line("2024-01-01T00:00:00Z hello world"),
            Some((1_704_067_200_000_000_000, "hello world"))
        );
        assert_eq!(split_line("not a timestamp"), None);
        assert_eq!(
            split_bytes(b"2024-01-01T00:00:00Z caf\xe9"),
            Some((1_704_067_200_000_000_000, &b"caf\xe9"[..]))
        );
        assert_eq!(
            split_bytes(b"2024-01-01T00:00:00Z"),
            Some((1_704_067_200_000_000_000, &b""[..]))
        );
        assert_eq!(split_bytes(b"\xff\xfe x"), None);
    }
}
