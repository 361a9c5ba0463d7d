//! Small helpers shared by the sandbox modules: timestamps in the formats Kubernetes uses,
//! base64 (Secret data), deterministic ids, durations and query-string parsing.

use std::hash::{BuildHasher, Hasher};

use jiff::Timestamp;

/// Nanoseconds since the Unix epoch; the sandbox's clock unit.
pub type Nanos = i128;

/// One second in nanoseconds.
pub const SECOND: Nanos = 1_000_000_000;

/// The current wall-clock time in nanoseconds.
pub fn now() -> Nanos {
    Timestamp::now().as_nanosecond()
}

fn timestamp(n: Nanos) -> Timestamp {
    Timestamp::from_nanosecond(n).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// `2024-01-01T00:00:00Z`: metav1.Time, which the API serialises with second precision.
pub fn rfc3339(n: Nanos) -> String {
    timestamp(n).strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2024-01-01T00:00:00.123456789Z`: the kubelet's fixed-width log timestamp (always nine
/// fractional digits, unlike Go's RFC3339Nano which trims zeros).
pub fn rfc3339_nano_fixed(n: Nanos) -> String {
    let ts = timestamp(n);
    format!(
        "{}.{:09}Z",
        ts.strftime("%Y-%m-%dT%H:%M:%S"),
        ts.subsec_nanosecond()
    )
}

/// Parses an RFC 3339 timestamp (fractional seconds allowed, as Go's parser allows them).
pub fn parse_rfc3339(s: &str) -> Option<Nanos> {
    s.parse::<Timestamp>().ok().map(|t| t.as_nanosecond())
}

/// Kubernetes' `duration.HumanDuration`, used for AGE columns and "(5m ago)".
pub fn human_duration(d: Nanos) -> String {
    let seconds = d.div_euclid(SECOND);
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
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{dy}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}

/// Parses a duration such as `90s`, `2m`, `1h30m`, `250ms` or `1.5s` into nanoseconds.
pub fn parse_duration(s: &str) -> Option<Nanos> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0);
    }
    let mut total: f64 = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = match &rest[..unit_len] {
            "ns" => 1.0,
            "us" | "µs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "d" => 86400e9,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * unit;
    }
    if !total.is_finite() || total > 1e20 {
        return None;
    }
    Some(total as Nanos)
}

/// Standard base64 with padding, as the API server writes Secret `data`.
pub fn base64_encode(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

/// Standard base64, strict as Go's `base64.StdEncoding` that the API server decodes with.
pub fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text).ok()
}

/// FNV-1a: a stable hash, so that scenario-derived names and ids are the same on every run.
pub fn fnv64(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain(std::iter::once(0xff)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// splitmix64's finaliser: spreads FNV's output so that related inputs look unrelated.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// `len` lowercase hex digits derived from `parts` (container ids are 64).
pub fn stable_hex(parts: &[&str], len: usize) -> String {
    let mut out = String::with_capacity(len + 16);
    let seed = fnv64(parts);
    let mut i = 0u64;
    while out.len() < len {
        out.push_str(&format!("{:016x}", mix(seed ^ mix(i + 1))));
        i += 1;
    }
    out.truncate(len);
    out
}

/// The alphabet Kubernetes uses for generated name suffixes (no vowels, no confusables).
const SUFFIX_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// A stable `len`-character suffix like the ones ReplicaSets and generateName produce.
pub fn stable_suffix(parts: &[&str], len: usize) -> String {
    let mut h = mix(fnv64(parts));
    let mut out = String::with_capacity(len);
    for i in 0..len {
        if h < SUFFIX_ALPHABET.len() as u64 {
            h = fnv64(&[&i.to_string(), &out]) ^ h.rotate_left(17);
        }
        out.push(char::from(
            SUFFIX_ALPHABET[(h % SUFFIX_ALPHABET.len() as u64) as usize],
        ));
        h /= SUFFIX_ALPHABET.len() as u64;
    }
    out
}

/// A random suffix for `generateName` (random per call, like the real server).
pub fn random_suffix(len: usize) -> String {
    let seed = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    stable_suffix(&[&seed.to_string(), &now().to_string()], len)
}

/// A fresh UUID-shaped uid.
pub fn new_uid() -> String {
    let seed = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let hex = stable_hex(&[&seed.to_string(), &now().to_string()], 32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// Decoded query parameters, in order. Tolerates empty pairs (`?&a=b`, which kube-rs sends).
#[derive(Debug, Default, Clone)]
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a raw query string (`a=b&c=d`); `+` is a space, as in Go's url.Values.
    pub fn parse(query: Option<&str>) -> Params {
        let mut out = Vec::new();
        for pair in query.unwrap_or("").split('&') {
            if pair.is_empty() {
                continue;
            }
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            out.push((percent_decode(k), percent_decode(v)));
        }
        Params(out)
    }

    /// The first value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The value of `key`, with an empty value treated as absent.
    pub fn non_empty(&self, key: &str) -> Option<&str> {
        self.get(key).filter(|v| !v.is_empty())
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Go's strconv.ParseBool, which the API server uses for boolean query parameters.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Some(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" | "" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_all_lengths() {
        for s in ["", "a", "ab", "abc", "abcd", "hello world!"] {
            let enc = base64_encode(s.as_bytes());
            assert_eq!(
                base64_decode(enc.as_bytes()).as_deref(),
                Some(s.as_bytes()),
                "{s}"
            );
        }
        assert_eq!(base64_encode(b"AWS:x"), "QVdTOng=");
        assert_eq!(base64_decode(b"not base64!"), None);
    }

    #[test]
    fn human_duration_matches_kubernetes() {
        assert_eq!(human_duration(5 * SECOND), "5s");
        assert_eq!(human_duration(150 * SECOND), "2m30s");
        assert_eq!(human_duration(3600 * SECOND), "60m");
        assert_eq!(human_duration(5 * 3600 * SECOND + 120 * SECOND), "5h2m");
        assert_eq!(human_duration(50 * 3600 * SECOND), "2d2h");
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("1h30m"), Some(5400 * SECOND));
        assert_eq!(parse_duration("250ms"), Some(SECOND / 4));
        assert_eq!(parse_duration("1.5s"), Some(3 * SECOND / 2));
        assert_eq!(parse_duration("10"), None);
        assert_eq!(parse_duration("5x"), None);
    }

    #[test]
    fn query_decoding_handles_plus_percent_and_empty_pairs() {
        let p = Params::parse(Some("&labelSelector=app+in+%28a%2Cb%29&watch=1"));
        assert_eq!(p.get("labelSelector"), Some("app in (a,b)"));
        assert_eq!(p.get("watch"), Some("1"));
    }

    #[test]
    fn log_timestamps_have_nine_fraction_digits() {
        let t = parse_rfc3339("2024-01-01T00:00:00.12Z").unwrap_or(0);
        assert_eq!(rfc3339_nano_fixed(t), "2024-01-01T00:00:00.120000000Z");
        assert_eq!(rfc3339(t), "2024-01-01T00:00:00Z");
    }
}
