//! Pack entries: any bytes read as an entry header (type, size, delta base) or are refused, and
//! the zlib stream after the header inflates to the size it claims or is refused, without
//! allocating more than the stream could hold. The first 8 bytes are the entry's offset in its
//! pack (offset deltas count back from it).
#![no_main]

use devk_gitobjects::pack::{EntryKind, entry_header, inflate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((offset, entry)) = data.split_first_chunk::<8>() else {
        return;
    };
    let offset = u64::from_le_bytes(*offset) % (1 << 40);
    let Ok(header) = entry_header(entry, offset) else {
        return;
    };
    if let EntryKind::OfsDelta(base) = header.kind {
        assert!(base < offset, "an offset delta must point back");
    }
    let start = usize::try_from(header.data_start - offset).unwrap_or(usize::MAX);
    let Some(stream) = entry.get(start..) else {
        panic!("the header claims {start} bytes of {}", entry.len());
    };
    let Ok(size) = usize::try_from(header.size) else {
        return;
    };
    let mut out = Vec::new();
    let mut z = libdeflater::Decompressor::new();
    if inflate(&mut z, stream, size, &mut out).is_ok() {
        assert_eq!(out.len(), size);
    }
});
