//! The log line timestamp parser (the hand-written fast path for the kubelet's form, jiff for
//! the rest). Any text parses or is refused; the fast path agrees with jiff on every text, and
//! a parsed time prints in the kubelet's form and reads back as the same time.
#![no_main]

use devk::logs::timestamp::{format, parse, split_line};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = split_line(text);
    let got = parse(text);
    let jiff = text
        .parse::<jiff::Timestamp>()
        .ok()
        .and_then(|t| i64::try_from(t.as_nanosecond()).ok());
    assert_eq!(got, jiff, "`{text}`: devk and jiff read different times");
    if let Some(n) = got {
        let printed = format(n);
        assert_eq!(
            parse(&printed),
            Some(n),
            "`{text}` prints as `{printed}`, which reads otherwise"
        );
    }
});
