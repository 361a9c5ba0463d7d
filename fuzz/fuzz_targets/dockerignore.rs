//! `.dockerignore`: any text reads into patterns; they compile or are refused with the line
//! at fault; matching any path never panics, and the walk-time matcher (parent results carried
//! down) gives the same answer as matching the whole path. The input is the file, then (after
//! a section marker) paths to match, one a line; without them a few made from the patterns.
#![no_main]

use devk::images::dockerignore::{MatchInfo, Matcher, clean, keep_build_files, parse};
use devk_fuzz::sections;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    let Ok(text) = std::str::from_utf8(parts[0]) else {
        return;
    };
    let lines = parse(text);
    let mut paths: Vec<String> = match parts.get(1) {
        Some(p) => String::from_utf8_lossy(p)
            .lines()
            .map(str::to_owned)
            .collect(),
        None => lines
            .iter()
            .flat_map(|l| {
                let p = l
                    .pattern
                    .trim_start_matches('!')
                    .replace(['*', '?', '[', ']'], "x");
                [p.clone(), format!("{p}/sub/file"), format!("dir/{p}")]
            })
            .collect(),
    };
    paths.push("Dockerfile".into());
    for p in &paths {
        let once = clean(p);
        assert_eq!(clean(&once), once, "clean is not idempotent on `{p}`");
    }
    let Ok(matcher) = Matcher::new(&lines) else {
        assert!(keep_build_files(lines, "Dockerfile").is_err());
        return;
    };
    for path in &paths {
        let path = clean(path);
        if path == "." || path.starts_with('/') || path.starts_with("../") || path == ".." {
            continue; // Not a path inside a build context.
        }
        let whole = matcher.matches_or_parent_matches(&path);
        // The walk: each directory's result carried down to its entries.
        let mut info = MatchInfo::default();
        let mut walked = false;
        let mut at = 0;
        for (i, part) in path.split('/').enumerate() {
            at += part.len() + usize::from(i > 0);
            let (hit, next) = matcher.matches_using_parent_results(&path[..at], &info);
            walked = hit;
            info = next;
        }
        assert_eq!(
            walked, whole,
            "`{path}`: the walk and the whole path disagree"
        );
    }
    let kept = keep_build_files(lines, "Dockerfile");
    if let Ok(kept) = kept {
        let m = Matcher::new(&kept);
        assert!(
            m.is_ok_and(|m| !m.matches_or_parent_matches("Dockerfile")
                && !m.matches_or_parent_matches(".dockerignore")),
            "the Dockerfile or .dockerignore would be left out of the context"
        );
    }
});
