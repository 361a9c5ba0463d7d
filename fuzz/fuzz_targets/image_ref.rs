//! Image references (`[registry[:port]/]path[:tag][@digest]`). Any text parses or is refused;
//! a parsed reference prints in its full form, and that form parses back to the same reference.
#![no_main]

use devk::policy::ImageRef;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match ImageRef::parse(text) {
        Ok(r) => {
            let (_, _, _) = (r.host(), r.port(), r.tag_or_latest());
            let full = r.to_string();
            match ImageRef::parse(&full) {
                Ok(again) => assert_eq!(
                    again, r,
                    "`{text}` prints as `{full}`, which reads otherwise"
                ),
                Err(e) => panic!("`{text}` prints as `{full}`, which does not parse: {e}"),
            }
        }
        Err(e) => assert!(!e.problem.is_empty()),
    }
});
