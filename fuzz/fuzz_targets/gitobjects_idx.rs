//! Pack index files (`.idx`): any bytes read as an index or are refused; a read index has one
//! offset per id.
#![no_main]

use devk_gitobjects::idx;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(index) = idx::parse(data) {
        assert_eq!(index.oids.len(), index.offsets.len());
        // Ids and offsets come from the file itself: never more than it can hold.
        assert!(index.oids.len() * 28 <= data.len());
    }
});
