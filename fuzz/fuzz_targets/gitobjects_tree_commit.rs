//! Tree objects and commit headers: any bytes read as tree entries (each a mode, a name and a
//! 20-byte id, ending at the first bad one) and as a commit's tree and parents, or are refused.
#![no_main]

use devk_gitobjects::parse::{commit_links, tree_entries};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut used = 0usize;
    for entry in tree_entries(data) {
        match entry {
            Ok(e) => {
                assert!(!e.name.contains(&0));
                used += e.name.len() + 22;
                assert!(used <= data.len(), "tree entries read past the data");
            }
            Err(_) => break,
        }
    }
    if let Ok(links) = commit_links(data) {
        assert!(data.starts_with(b"tree "));
        assert!(links.parents.len() * 48 <= data.len());
    }
});
