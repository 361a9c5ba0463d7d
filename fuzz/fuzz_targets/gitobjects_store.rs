//! A whole object store, as another person's repository may hold it: a pack index, its pack and
//! a loose object (the input's three sections), opened and read in one pass, with the packs in
//! memory or read from their files (the first byte's low bit). Any store reads, or is refused
//! as corrupt or unsupported; never a panic, a hang or unbounded memory.
#![no_main]

use devk_fuzz::{put, scratch, sections};
use devk_gitobjects::{Kind, ObjectStore, packed_objects};
use libfuzzer_sys::fuzz_target;

const LOOSE: &str = "objects/ab/cdef0123456789abcdef0123456789abcdef01";

fuzz_target!(|data: &[u8]| {
    let Some((mode, rest)) = data.split_first() else {
        return;
    };
    let parts = sections(rest);
    let root = scratch();
    let objects = root.join("objects");
    put(&objects.join("pack/p.idx"), parts.first().copied());
    put(&objects.join("pack/p.pack"), parts.get(1).copied());
    put(&root.join(LOOSE), parts.get(2).copied());
    let _ = packed_objects(&objects);
    let in_memory = if mode & 1 == 0 { u64::MAX } else { 0 };
    let Ok(store) = ObjectStore::open(&objects, in_memory) else {
        return;
    };
    let kinds = [Kind::Commit, Kind::Tree, Kind::Blob, Kind::Tag];
    let seen = store.for_each(
        &kinds,
        1,
        || 0usize,
        |n, object| {
            assert_eq!(store.kind(object.entry), object.kind);
            *n += 1;
        },
    );
    if let Ok(counts) = seen {
        assert!(counts.iter().sum::<usize>() <= store.len());
    }
});
