//! `hook.custom_patterns`: any regex a config may hold compiles or is refused (size-limited, so
//! no pattern can take unbounded memory), and a compiled one scans any line without a panic
//! or a hang, and every line it finds is a trigger line of the blob. The input is the pattern, a section marker, then the text to scan.
#![no_main]

use devk::githook::rules::{Rules, compile_custom};
use devk_fuzz::sections;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    let Ok(pattern) = std::str::from_utf8(parts[0]) else {
        return;
    };
    let text = parts.get(1).copied().unwrap_or(b"");
    if compile_custom(pattern).is_err() {
        return;
    }
    // The pattern is accepted on its own, so the rule set with it must build too.
    let rules = match Rules::new(&[pattern.to_owned()]) {
        Ok(r) => r,
        Err(e) => panic!("`{pattern}` compiles alone but not in the rule set: {e}"),
    };
    let triggers: Vec<(usize, &[u8])> = rules.trigger_lines(text).collect();
    let mut any = false;
    for (i, line) in text.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if rules.scan_line(line).is_empty() {
            continue;
        }
        any = true;
        // The history scan only looks at trigger lines: a finding elsewhere would be missed.
        assert!(
            triggers.iter().any(|(n, l)| *n == i + 1 && *l == line),
            "`{pattern}` finds line {} but does not trigger on it",
            i + 1
        );
    }
    assert_eq!(
        rules.may_hold_secret(text),
        any,
        "the blob pre-check is wrong"
    );
});
