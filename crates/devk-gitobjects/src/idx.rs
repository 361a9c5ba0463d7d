//! Pack index files (`.idx`, version 2): the object ids of a pack and where each one starts.
//! Format: git's Documentation/gitformat-pack.txt.

use super::{Oid20, StoreError};

/// The object ids of one pack and their offsets in the `.pack` file, in id order.
#[derive(Debug)]
pub struct PackIndex {
    pub oids: Vec<Oid20>,
    pub offsets: Vec<u64>,
}

const MAGIC: [u8; 4] = [0xff, b't', b'O', b'c'];
const HEADER: usize = 8 + 256 * 4;
/// The pack's and the index's own SHA-1 at the end.
const TRAILER: usize = 40;

/// Reads a version-2 pack index. Version 1 (git before 1.5.2) and SHA-256 repositories are
/// reported as unsupported, so the caller can fall back to libgit2.
pub fn parse(bytes: &[u8]) -> Result<PackIndex, StoreError> {
    if bytes.len() < HEADER + TRAILER || bytes[..4] != MAGIC {
        return Err(StoreError::Unsupported(
            "pack index is not version 2".to_owned(),
        ));
    }
    if be32(bytes, 4) != 2 {
        return Err(StoreError::Unsupported(format!(
            "pack index version {}",
            be32(bytes, 4)
        )));
    }
    let count = be32(bytes, 8 + 255 * 4) as usize;
    let oids_at = HEADER;
    let offsets_at = oids_at + count * 20 + count * 4;
    let large_at = offsets_at + count * 4;
    if bytes.len() < large_at + TRAILER {
        return Err(StoreError::Corrupt("pack index is truncated".to_owned()));
    }
    let large_count = (bytes.len() - TRAILER - large_at) / 8;
    let mut oids = Vec::with_capacity(count);
    let mut offsets = Vec::with_capacity(count);
    for i in 0..count {
        let at = oids_at + i * 20;
        let mut oid = [0u8; 20];
        oid.copy_from_slice(&bytes[at..at + 20]);
        oids.push(Oid20(oid));
        let small = be32(bytes, offsets_at + i * 4);
        let offset = if small & 0x8000_0000 == 0 {
            u64::from(small)
        } else {
            let slot = (small & 0x7fff_ffff) as usize;
            if slot >= large_count {
                return Err(StoreError::Corrupt(
                    "pack index has a bad 64-bit offset".to_owned(),
                ));
            }
            let at = large_at + slot * 8;
            u64::from_be_bytes(array(&bytes[at..at + 8]))
        };
        offsets.push(offset);
    }
    Ok(PackIndex { oids, offsets })
}

fn be32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(array(&bytes[at..at + 4]))
}

fn array<const N: usize>(bytes: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(bytes);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-2 index with the given (id byte, offset) entries, one of them past 2 GiB.
    fn index(entries: &[(u8, u64)]) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(2u32.to_be_bytes());
        for bucket in 0..256u32 {
            let n = entries
                .iter()
                .filter(|(b, _)| u32::from(*b) <= bucket)
                .count();
            out.extend((n as u32).to_be_bytes());
        }
        for (b, _) in entries {
            out.extend([*b; 20]);
        }
        out.extend(vec![0u8; entries.len() * 4]);
        let mut large = Vec::new();
        for (_, offset) in entries {
            if *offset >= 1 << 31 {
                out.extend((0x8000_0000u32 | (large.len() / 8) as u32).to_be_bytes());
                large.extend(offset.to_be_bytes());
            } else {
                out.extend((*offset as u32).to_be_bytes());
            }
        }
        out.extend(large);
        out.extend([0u8; TRAILER]);
        out
    }

    #[test]
    fn reads_ids_and_small_and_large_offsets() {
        let parsed = parse(&index(&[(1, 12), (7, 5 << 31)])).unwrap();
        assert_eq!(parsed.oids, [Oid20([1; 20]), Oid20([7; 20])]);
        assert_eq!(parsed.offsets, [12, 5 << 31]);
    }

    #[test]
    fn refuses_version_one_and_truncated_files() {
        assert!(matches!(
            parse(&[0u8; 2000]),
            Err(StoreError::Unsupported(_))
        ));
        let mut bytes = index(&[(1, 12), (2, 40)]);
        bytes.truncate(bytes.len() - 50);
        assert!(matches!(parse(&bytes), Err(StoreError::Corrupt(_))));
    }
}
