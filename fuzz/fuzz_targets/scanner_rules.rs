//! The pre-push secret scanner's built-in rules on any blob: no panic, no hang, bounded memory
//! (scripts/fuzz runs it with -rss_limit_mb and -timeout). Also the promises the history scan
//! relies on: a line with a finding is always one of the blob's trigger lines, the blob-level
//! pre-check answers false only when no line has a finding, and a finding is shown masked.
#![no_main]

use std::sync::OnceLock;

use devk::githook::rules::{Allowlist, Rules};
use libfuzzer_sys::fuzz_target;

fn rules() -> Option<&'static Rules> {
    static RULES: OnceLock<Option<Rules>> = OnceLock::new();
    RULES.get_or_init(|| Rules::new(&[]).ok()).as_ref()
}

fuzz_target!(|blob: &[u8]| {
    let Some(rules) = rules() else { return };
    let triggers: Vec<(usize, &[u8])> = rules.trigger_lines(blob).collect();
    let mut any = false;
    for (i, line) in blob.split(|b| *b == b'\n').enumerate() {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let hits = rules.scan_line(line);
        if hits.is_empty() {
            continue;
        }
        any = true;
        assert!(
            triggers.iter().any(|(n, l)| *n == i + 1 && *l == line),
            "line {} has a finding but no trigger: {:?}",
            i + 1,
            String::from_utf8_lossy(line)
        );
        for hit in &hits {
            let masked = hit.masked();
            let shown = masked.split('…').next().unwrap_or("");
            assert!(
                shown.chars().filter(|c| *c != '*').count() <= 4,
                "`{masked}` shows too much"
            );
            assert!(hit.fingerprint().starts_with(&hit.rule.name()));
        }
    }
    assert_eq!(
        rules.may_hold_secret(blob),
        any,
        "the blob pre-check is wrong"
    );
    // The allow-list file is read with the same lines.
    let list = Allowlist::parse(&String::from_utf8_lossy(blob));
    assert!(list.len() <= blob.len());
});
