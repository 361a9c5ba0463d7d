//! The pieces of a `.pack` file: entry headers, zlib streams and deltas.
//! Format: git's Documentation/gitformat-pack.txt.

use libdeflater::Decompressor;

use super::{Kind, Oid20, StoreError};

/// Objects larger than this are taken for a corrupt header (and the scan falls back to
/// libgit2) rather than allocated.
pub const MAX_OBJECT_BYTES: u64 = 1 << 32;

/// What a pack entry holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Whole(Kind),
    /// A delta against the entry at this offset of the same pack.
    OfsDelta(u64),
    /// A delta against the object with this id.
    RefDelta(Oid20),
}

/// An entry's header: its kind, the size of its inflated data, and where the zlib stream
/// starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryHeader {
    pub kind: EntryKind,
    pub size: u64,
    pub data_start: u64,
}

/// Reads the header of the entry at `offset`; `entry` holds the pack's bytes from there on (all
/// of them, or at least the 32 a header can take).
pub fn entry_header(entry: &[u8], offset: u64) -> Result<EntryHeader, StoreError> {
    let bad = || StoreError::Corrupt(format!("bad pack entry header at offset {offset}"));
    let mut at = 0usize;
    let mut byte = *entry.get(at).ok_or_else(bad)?;
    at += 1;
    let type_bits = (byte >> 4) & 7;
    let mut size = u64::from(byte & 0x0f);
    let mut shift = 4;
    while byte & 0x80 != 0 {
        byte = *entry.get(at).ok_or_else(bad)?;
        at += 1;
        if shift > 57 {
            return Err(bad());
        }
        size |= u64::from(byte & 0x7f) << shift;
        shift += 7;
    }
    let kind = match type_bits {
        1 => EntryKind::Whole(Kind::Commit),
        2 => EntryKind::Whole(Kind::Tree),
        3 => EntryKind::Whole(Kind::Blob),
        4 => EntryKind::Whole(Kind::Tag),
        6 => {
            let mut byte = *entry.get(at).ok_or_else(bad)?;
            at += 1;
            let mut back = u64::from(byte & 0x7f);
            while byte & 0x80 != 0 {
                byte = *entry.get(at).ok_or_else(bad)?;
                at += 1;
                back = back
                    .checked_add(1)
                    .and_then(|b| b.checked_mul(128))
                    .ok_or_else(bad)?
                    | u64::from(byte & 0x7f);
            }
            if back == 0 || back > offset {
                return Err(bad());
            }
            EntryKind::OfsDelta(offset - back)
        }
        7 => {
            let id = entry.get(at..at + 20).ok_or_else(bad)?;
            at += 20;
            let mut oid = [0u8; 20];
            oid.copy_from_slice(id);
            EntryKind::RefDelta(Oid20(oid))
        }
        _ => return Err(bad()),
    };
    if size > MAX_OBJECT_BYTES {
        return Err(bad());
    }
    Ok(EntryHeader {
        kind,
        size,
        data_start: offset + at as u64,
    })
}

/// The most a deflate stream expands: 1032 to 1 (zlib's FAQ, "maximum compression ratio").
const MAX_DEFLATE_RATIO: usize = 1032;

/// Inflates the zlib stream `input` (exactly one stream) into `out` (cleared first), which
/// must come to exactly `size` bytes. libdeflate, not zlib: it inflates a whole buffer at once,
/// which a store pass always has, and is about twice as fast on git's many small streams.
pub fn inflate(
    z: &mut Decompressor,
    input: &[u8],
    size: usize,
    out: &mut Vec<u8>,
) -> Result<(), StoreError> {
    // Deflate cannot expand its input more than 1032 times (zlib's FAQ): a larger size is a
    // corrupt header, refused before it is allocated.
    if size > input.len().saturating_mul(MAX_DEFLATE_RATIO) {
        return Err(StoreError::Corrupt(format!(
            "a zlib stream of {} bytes cannot hold the {size} bytes its header says",
            input.len()
        )));
    }
    out.clear();
    out.resize(size, 0);
    let got = z
        .zlib_decompress(input, out)
        .map_err(|e| StoreError::Corrupt(format!("zlib: {e}")))?;
    if got != size {
        return Err(StoreError::Corrupt(format!(
            "zlib stream gave {got} bytes where {size} were expected"
        )));
    }
    Ok(())
}

/// Applies a git delta to `base`, writing the result to `out` (cleared first).
pub fn apply_delta(base: &[u8], delta: &[u8], out: &mut Vec<u8>) -> Result<(), StoreError> {
    let bad = |what: &str| StoreError::Corrupt(format!("bad delta: {what}"));
    let mut at = 0usize;
    let base_size = varint(delta, &mut at).ok_or_else(|| bad("truncated header"))?;
    let result_size = varint(delta, &mut at).ok_or_else(|| bad("truncated header"))?;
    if base_size != base.len() as u64 {
        return Err(bad("base size differs"));
    }
    if result_size > MAX_OBJECT_BYTES {
        return Err(bad("result too large"));
    }
    // The declared size is only a claim: reserve no more than the base and the delta, which
    // are in memory already (a real result is rarely larger: copies of the base plus inserts),
    // and stop at the first instruction that would go past the claim, so memory follows what
    // the delta really produces.
    out.clear();
    out.reserve((result_size as usize).min(base.len().saturating_add(delta.len())));
    let too_long = || bad("result larger than declared");
    while at < delta.len() {
        let op = delta[at];
        at += 1;
        if op & 0x80 != 0 {
            let mut offset = 0usize;
            let mut len = 0usize;
            for i in 0..4 {
                if op & (1 << i) != 0 {
                    offset |= usize::from(*delta.get(at).ok_or_else(|| bad("truncated copy"))?)
                        << (8 * i);
                    at += 1;
                }
            }
            for i in 0..3 {
                if op & (0x10 << i) != 0 {
                    len |= usize::from(*delta.get(at).ok_or_else(|| bad("truncated copy"))?)
                        << (8 * i);
                    at += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            let piece = offset
                .checked_add(len)
                .and_then(|end| base.get(offset..end))
                .ok_or_else(|| bad("copy outside the base"))?;
            if (out.len() + piece.len()) as u64 > result_size {
                return Err(too_long());
            }
            out.extend_from_slice(piece);
        } else if op != 0 {
            let piece = delta
                .get(at..at + usize::from(op))
                .ok_or_else(|| bad("truncated insert"))?;
            if (out.len() + piece.len()) as u64 > result_size {
                return Err(too_long());
            }
            out.extend_from_slice(piece);
            at += usize::from(op);
        } else {
            return Err(bad("reserved opcode 0"));
        }
    }
    if out.len() as u64 != result_size {
        return Err(bad("result size differs"));
    }
    Ok(())
}

/// The little-endian base-128 sizes at the start of a delta.
fn varint(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    let mut shift = 0;
    loop {
        let byte = *bytes.get(*at)?;
        *at += 1;
        if shift > 63 {
            return None;
        }
        value |= u64::from(byte & 0x7f) << shift;
        shift += 7;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delta_copies_and_inserts() {
        let base = b"hello, world\n";
        // Base size 13, result size 19: copy "hello" (offset 0, length 5), insert " there",
        // copy ", world\n" (offset 5, length 8).
        let delta = [
            13, 19, 0x90, 5, 6, b' ', b't', b'h', b'e', b'r', b'e', 0x91, 5, 8,
        ];
        let mut out = Vec::new();
        apply_delta(base, &delta, &mut out).unwrap();
        assert_eq!(out, b"hello there, world\n");
    }

    #[test]
    fn delta_refuses_copies_outside_the_base_and_wrong_sizes() {
        let mut out = Vec::new();
        assert!(apply_delta(b"abc", &[3, 4, 0x91, 1, 4], &mut out).is_err());
        assert!(apply_delta(b"abc", &[4, 1, 1, b'x'], &mut out).is_err());
        assert!(apply_delta(b"abc", &[3, 2, 1, b'x'], &mut out).is_err());
        assert!(apply_delta(b"abc", &[3, 1, 0], &mut out).is_err());
    }

    #[test]
    fn headers_of_whole_objects_and_offset_deltas() {
        // A blob of 300 bytes: type 3, size 300 = 0b1_0010_1100 -> 0xbc, 0x12.
        let pack = [0u8, 0xbc, 0x12, 0x78];
        let h = entry_header(&pack[1..], 1).unwrap();
        assert_eq!(h.kind, EntryKind::Whole(Kind::Blob));
        assert_eq!(h.size, 300);
        assert_eq!(h.data_start, 3);
        // An offset delta of size 5 whose base is 200 bytes back: 200 = ((0 + 1) << 7) + 72.
        let mut pack = vec![0u8; 300];
        pack[250..253].copy_from_slice(&[0x65, 0x80, 72]);
        let h = entry_header(&pack[250..], 250).unwrap();
        assert_eq!(h.kind, EntryKind::OfsDelta(50));
        assert_eq!(h.size, 5);
        assert!(entry_header(&pack[299..], 299).is_err());
        // A header cut short (a read window at the end of the pack).
        assert!(entry_header(&[0xbc], 1).is_err());
    }

    #[test]
    fn inflate_checks_the_size() {
        use std::io::Write as _;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"some object data").unwrap();
        let stream = enc.finish().unwrap();
        let mut z = Decompressor::new();
        let mut out = Vec::new();
        inflate(&mut z, &stream, 16, &mut out).unwrap();
        assert_eq!(out, b"some object data");
        assert!(inflate(&mut z, &stream, 15, &mut out).is_err());
        assert!(inflate(&mut z, &stream, 17, &mut out).is_err());
    }

    fn varint_bytes(mut n: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return out;
            }
            out.push(b | 0x80);
        }
    }

    // Found by fuzz/fuzz_targets/gitobjects_delta.rs: a 13-byte delta made devk reserve
    // gigabytes (out of memory) before reading a single instruction.
    #[test]
    fn a_delta_declaring_a_huge_result_reserves_only_what_it_produces() {
        let mut delta = vec![1];
        delta.extend(varint_bytes(3 << 30));
        delta.extend([1, b'x']);
        let mut out = Vec::new();
        assert!(apply_delta(b"a", &delta, &mut out).is_err());
        assert!(
            out.capacity() < 1 << 20,
            "reserved {} bytes",
            out.capacity()
        );
    }

    #[test]
    fn a_delta_stops_at_the_first_copy_past_its_declared_size() {
        let base = vec![b'a'; 0x10000];
        let mut delta = varint_bytes(0x10000);
        delta.extend(varint_bytes(4));
        // Copy offset 0, length 0x10000 (written as 0), a thousand times: 64 MiB.
        delta.extend(std::iter::repeat_n(0x80u8, 1000));
        let mut out = Vec::new();
        assert!(apply_delta(&base, &delta, &mut out).is_err());
        assert!(
            out.capacity() <= 0x10000,
            "grew to {} bytes",
            out.capacity()
        );
    }

    // The same class as the delta above (seen while fixing it; fuzz/fuzz_targets/
    // gitobjects_pack_entry.rs now covers it): an entry header claiming 4 GiB over a few bytes
    // of zlib made devk allocate (and zero) all of it.
    #[test]
    fn inflate_refuses_a_size_no_stream_of_that_length_can_reach() {
        use std::io::Write as _;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        enc.write_all(b"x").unwrap();
        let stream = enc.finish().unwrap();
        let mut z = Decompressor::new();
        let mut out = Vec::new();
        assert!(inflate(&mut z, &stream, 1 << 31, &mut out).is_err());
        assert!(
            out.capacity() < 1 << 20,
            "allocated {} bytes",
            out.capacity()
        );
    }

    #[test]
    fn inflate_takes_the_most_compressed_streams() {
        use std::io::Write as _;
        let data = vec![0u8; 4 << 20];
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&data).unwrap();
        let stream = enc.finish().unwrap();
        assert!(
            data.len() / stream.len() > 1000,
            "ratio {}",
            data.len() / stream.len()
        );
        let mut z = Decompressor::new();
        let mut out = Vec::new();
        inflate(&mut z, &stream, data.len(), &mut out).unwrap();
        assert_eq!(out, data);
    }
}
