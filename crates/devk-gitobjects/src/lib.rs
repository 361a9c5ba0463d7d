//! A repository's object store read directly: every pack and loose object, each resolved once.
//!
//! libgit2 reads objects one at a time: each read looks the id up, walks the delta chain back
//! to its base (with a small cache) and inflates what it finds. A scan of all history reads
//! most objects of a repository, so devk reads the store the way `git index-pack` does instead:
//! each pack entry is inflated exactly once, and each delta is applied to its base while the
//! base is still in memory, on as many threads as there are cores.
//!
//! Packs are held in memory up to a limit the caller sets; beyond it they are read entry by
//! entry (positional reads), so memory stays bounded on any repository. Only what a plain
//! local repository holds is supported (version-2 pack indexes, SHA-1 ids, no alternates, no
//! promisor packs); anything else is [`StoreError::Unsupported`] and the caller falls back to
//! libgit2.

pub mod idx;
pub mod pack;
pub mod parse;
mod resolve;

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::path::{Path, PathBuf};

use flate2::{Decompress, FlushDecompress};

pub use resolve::Object;

/// A SHA-1 object id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Oid20(pub [u8; 20]);

impl Hash for Oid20 {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Object ids are already uniformly random.
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

impl Oid20 {
    pub fn from_hex(hex: &[u8]) -> Option<Oid20> {
        if hex.len() != 40 {
            return None;
        }
        let mut out = [0u8; 20];
        for (i, pair) in hex.chunks(2).enumerate() {
            let digit = |c: u8| (c as char).to_digit(16);
            out[i] = u8::try_from(digit(pair[0])? * 16 + digit(pair[1])?).ok()?;
        }
        Some(Oid20(out))
    }

    pub fn to_hex(self) -> String {
        use std::fmt::Write as _;
        let mut out = String::with_capacity(40);
        for b in self.0 {
            let _ = write!(out, "{b:02x}");
        }
        out
    }
}

/// Hashes an [`Oid20`] by taking its first eight bytes as they are.
#[derive(Default)]
pub struct OidHasher(u64);

impl Hasher for OidHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by object id.
pub type OidMap<V> = HashMap<Oid20, V, BuildHasherDefault<OidHasher>>;

/// The four kinds of git object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Commit,
    Tree,
    Blob,
    Tag,
}

/// Why the store could not be read.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A repository layout this reader does not handle; libgit2 does.
    #[error("unsupported object store: {0}")]
    Unsupported(String),
    #[error("corrupt object store: {0}")]
    Corrupt(String),
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Where an entry's bytes are.
#[derive(Debug, Clone, Copy)]
enum Source {
    Pack(u32),
    Loose(u32),
}

/// What an entry is: a whole object, or a delta against another entry.
#[derive(Debug, Clone, Copy)]
enum Link {
    Whole(Kind),
    Delta(u32),
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    source: Source,
    /// Packs: where the entry's header starts (what offset deltas count back from), where
    /// its zlib stream starts and where the next entry starts.
    offset: u64,
    data_start: u64,
    end: u64,
    /// The inflated size of the entry's own data (a delta's size for a delta).
    size: u64,
    link: Link,
}

/// A pack's bytes: in memory, or read entry by entry from the file.
enum PackBytes {
    Memory(Vec<u8>),
    File(std::fs::File, PathBuf),
}

/// The most a pack entry's header takes: type and size (up to 10 bytes), then a base offset
/// (up to 10) or a base id (20).
const MAX_HEADER: usize = 32;

/// Every object of a repository, ready to be read in one pass.
pub struct ObjectStore {
    packs: Vec<PackBytes>,
    loose: Vec<PathBuf>,
    entries: Vec<Entry>,
    oids: Vec<Oid20>,
    /// Each id's entry (the first one, when packs repeat an object).
    index: OidMap<u32>,
    /// Entries that repeat an object an earlier entry holds: resolved (deltas may need
    /// them), never visited.
    repeats: Vec<bool>,
    /// Each entry's kind (a delta has its base's).
    kinds: Vec<Kind>,
    /// Deltas by base: the children of entry `e` are `children[child_start[e]..child_start[e + 1]]`.
    child_start: Vec<u32>,
    children: Vec<u32>,
}

impl ObjectStore {
    /// Reads the pack indexes and the entry headers of the packs under `objects` (a
    /// repository's `objects` directory) and finds the loose objects. Packs are read into
    /// memory while they come to at most `in_memory_bytes` in all; the rest are read entry by
    /// entry during a pass.
    pub fn open(objects: &Path, in_memory_bytes: u64) -> Result<ObjectStore, StoreError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| StoreError::Io { path, source }
        };
        if objects.join("info/alternates").exists() {
            return Err(StoreError::Unsupported("alternates".to_owned()));
        }
        let mut store = ObjectStore {
            packs: Vec::new(),
            loose: Vec::new(),
            entries: Vec::new(),
            oids: Vec::new(),
            index: OidMap::default(),
            repeats: Vec::new(),
            kinds: Vec::new(),
            child_start: Vec::new(),
            children: Vec::new(),
        };
        let mut raw_links = Vec::new();
        let pack_dir = objects.join("pack");
        let mut idx_files = Vec::new();
        match std::fs::read_dir(&pack_dir) {
            Ok(dir) => {
                for item in dir {
                    let path = item.map_err(io(&pack_dir))?.path();
                    match path.extension().and_then(|e| e.to_str()) {
                        Some("promisor") => {
                            return Err(StoreError::Unsupported("a partial clone".to_owned()));
                        }
                        Some("idx") if path.with_extension("pack").exists() => {
                            idx_files.push(path);
                        }
                        _ => {}
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io(&pack_dir)(e)),
        }
        idx_files.sort();
        let mut in_memory = 0u64;
        for idx_path in idx_files {
            let pack_path = idx_path.with_extension("pack");
            let len = std::fs::metadata(&pack_path).map_err(io(&pack_path))?.len();
            let index = idx::parse(&std::fs::read(&idx_path).map_err(io(&idx_path))?)?;
            let pack = if in_memory + len <= in_memory_bytes {
                in_memory += len;
                PackBytes::Memory(std::fs::read(&pack_path).map_err(io(&pack_path))?)
            } else {
                let file = std::fs::File::open(&pack_path).map_err(io(&pack_path))?;
                PackBytes::File(file, pack_path)
            };
            store.add_pack(pack, len, index, &mut raw_links)?;
        }
        store.add_loose(objects, &mut raw_links)?;
        store.link(&raw_links)?;
        Ok(store)
    }

    fn add_pack(
        &mut self,
        pack: PackBytes,
        len: u64,
        index: idx::PackIndex,
        raw_links: &mut Vec<pack::EntryKind>,
    ) -> Result<(), StoreError> {
        let mut head = [0u8; 12];
        if len >= 32 {
            read_at(&pack, 0, &mut head)?;
        }
        if len < 32 || &head[..4] != b"PACK" || !matches!(head[7], 2 | 3) {
            return Err(StoreError::Unsupported("pack version".to_owned()));
        }
        let count = u32::from_be_bytes([head[8], head[9], head[10], head[11]]) as usize;
        if count != index.oids.len() {
            return Err(StoreError::Corrupt(
                "pack and index disagree on the object count".to_owned(),
            ));
        }
        let pack_no = u32::try_from(self.packs.len()).map_err(|_| too_many())?;
        let mut order: Vec<usize> = (0..count).collect();
        order.sort_unstable_by_key(|i| index.offsets[*i]);
        let data_end = len - 20;
        let mut headers = HeaderReader::new(&pack);
        self.entries.reserve(count);
        self.oids.reserve(count);
        raw_links.reserve(count);
        for (n, &i) in order.iter().enumerate() {
            let offset = index.offsets[i];
            let end = order.get(n + 1).map_or(data_end, |j| index.offsets[*j]);
            if offset >= end || end > data_end {
                return Err(StoreError::Corrupt(format!(
                    "pack entry at offset {offset} overlaps the next one"
                )));
            }
            let window = (end - offset).min(MAX_HEADER as u64) as usize;
            let header = pack::entry_header(headers.window(offset, window)?, offset)?;
            if header.data_start > end {
                return Err(StoreError::Corrupt(format!(
                    "pack entry at offset {offset} overlaps the next one"
                )));
            }
            self.entries.push(Entry {
                source: Source::Pack(pack_no),
                offset,
                data_start: header.data_start,
                end,
                size: header.size,
                // Filled in by `link` once every id is known.
                link: Link::Delta(u32::MAX),
            });
            raw_links.push(header.kind);
            self.oids.push(index.oids[i]);
        }
        drop(headers);
        self.packs.push(pack);
        Ok(())
    }

    /// Loose objects: `objects/xx/<38 hex digits>`. Only their headers are read here.
    fn add_loose(
        &mut self,
        objects: &Path,
        raw_links: &mut Vec<pack::EntryKind>,
    ) -> Result<(), StoreError> {
        let io = |path: &Path, source| StoreError::Io {
            path: path.to_path_buf(),
            source,
        };
        let dir = match std::fs::read_dir(objects) {
            Ok(dir) => dir,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io(objects, e)),
        };
        let mut z = Decompress::new(true);
        let mut files = Vec::new();
        for item in dir {
            let item = item.map_err(|e| io(objects, e))?;
            let name = item.file_name();
            let Some(prefix) = name.to_str().filter(|n| n.len() == 2) else {
                continue;
            };
            let sub = item.path();
            for file in std::fs::read_dir(&sub).map_err(|e| io(&sub, e))? {
                let file = file.map_err(|e| io(&sub, e))?;
                let rest = file.file_name();
                let hex = format!("{prefix}{}", rest.to_string_lossy());
                if let Some(oid) = Oid20::from_hex(hex.as_bytes()) {
                    files.push((oid, file.path()));
                }
            }
        }
        files.sort();
        for (oid, path) in files {
            let bytes = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let (kind, size, _) = loose_header(&mut z, &bytes)?;
            let loose_no = u32::try_from(self.loose.len()).map_err(|_| too_many())?;
            self.entries.push(Entry {
                source: Source::Loose(loose_no),
                offset: 0,
                data_start: 0,
                end: 0,
                size,
                link: Link::Whole(kind),
            });
            raw_links.push(pack::EntryKind::Whole(kind));
            self.oids.push(oid);
            self.loose.push(path);
        }
        Ok(())
    }

    /// Indexes the ids, links each delta to its base, and works out every entry's kind. A delta
    /// whose base is missing, or a cycle of deltas, makes the store corrupt: an entry that no
    /// pass would reach must not go unread silently.
    fn link(&mut self, raw_links: &[pack::EntryKind]) -> Result<(), StoreError> {
        let n = self.entries.len();
        if u32::try_from(n).is_err() {
            return Err(too_many());
        }
        self.index.reserve(n);
        self.repeats = vec![false; n];
        for (e, oid) in self.oids.iter().enumerate() {
            match self.index.entry(*oid) {
                std::collections::hash_map::Entry::Occupied(_) => self.repeats[e] = true,
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(e as u32);
                }
            }
        }
        // Offsets of each pack's entries, in order, for offset deltas.
        let mut by_offset: Vec<Vec<(u64, u32)>> = vec![Vec::new(); self.packs.len()];
        for (e, entry) in self.entries.iter().enumerate() {
            if let Source::Pack(p) = entry.source {
                by_offset[p as usize].push((entry.offset, e as u32));
            }
        }
        let mut counts = vec![0u32; n + 1];
        for (e, raw) in raw_links.iter().enumerate() {
            let link = match *raw {
                pack::EntryKind::Whole(kind) => Link::Whole(kind),
                pack::EntryKind::OfsDelta(base) => {
                    let Source::Pack(p) = self.entries[e].source else {
                        return Err(StoreError::Corrupt("loose delta".to_owned()));
                    };
                    let offsets = &by_offset[p as usize];
                    let at = offsets
                        .binary_search_by_key(&base, |(o, _)| *o)
                        .map_err(|_| {
                            StoreError::Corrupt(format!("no pack entry at offset {base}"))
                        })?;
                    Link::Delta(offsets[at].1)
                }
                pack::EntryKind::RefDelta(oid) => {
                    Link::Delta(*self.index.get(&oid).ok_or_else(|| {
                        StoreError::Corrupt(format!("delta base {} is missing", oid.to_hex()))
                    })?)
                }
            };
            if let Link::Delta(base) = link {
                counts[base as usize + 1] += 1;
            }
            self.entries[e].link = link;
        }
        for i in 1..=n {
            counts[i] += counts[i - 1];
        }
        let mut fill = counts.clone();
        self.children = vec![0; counts[n] as usize];
        for (e, entry) in self.entries.iter().enumerate() {
            if let Link::Delta(base) = entry.link {
                self.children[fill[base as usize] as usize] = e as u32;
                fill[base as usize] += 1;
            }
        }
        self.child_start = counts;
        // Kinds flow from each whole object down its deltas.
        let mut kinds: Vec<Option<Kind>> = vec![None; n];
        let mut stack = Vec::new();
        for (e, entry) in self.entries.iter().enumerate() {
            if let Link::Whole(kind) = entry.link {
                kinds[e] = Some(kind);
                stack.push(e as u32);
                while let Some(node) = stack.pop() {
                    for &child in self.children_of(node) {
                        kinds[child as usize] = Some(kind);
                        stack.push(child);
                    }
                }
            }
        }
        self.kinds = kinds
            .into_iter()
            .collect::<Option<Vec<Kind>>>()
            .ok_or_else(|| StoreError::Corrupt("a cycle of deltas".to_owned()))?;
        Ok(())
    }

    /// Number of entries (objects repeated across packs count once per copy).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry holding `oid`.
    pub fn lookup(&self, oid: &Oid20) -> Option<u32> {
        self.index.get(oid).copied()
    }

    pub fn oid(&self, entry: u32) -> Oid20 {
        self.oids[entry as usize]
    }

    pub fn kind(&self, entry: u32) -> Kind {
        self.kinds[entry as usize]
    }

    fn children_of(&self, entry: u32) -> &[u32] {
        let e = entry as usize;
        &self.children[self.child_start[e] as usize..self.child_start[e + 1] as usize]
    }
}

/// How many objects the packs under `objects` hold, from their indexes' headers alone (0 when
/// there are none or they cannot be read): what a pass over the store would cost.
pub fn packed_objects(objects: &Path) -> u64 {
    use std::io::Read as _;
    let Ok(dir) = std::fs::read_dir(objects.join("pack")) else {
        return 0;
    };
    dir.flatten()
        .map(|item| item.path())
        .filter(|path| path.extension().is_some_and(|e| e == "idx"))
        .filter_map(|path| {
            let mut head = [0u8; 8 + 256 * 4];
            std::fs::File::open(path).ok()?.read_exact(&mut head).ok()?;
            let last = &head[8 + 255 * 4..];
            Some(u64::from(u32::from_be_bytes([
                last[0], last[1], last[2], last[3],
            ])))
        })
        .sum()
}

/// Reads `out.len()` bytes of a pack from `offset`.
fn read_at(pack: &PackBytes, offset: u64, out: &mut [u8]) -> Result<(), StoreError> {
    match pack {
        PackBytes::Memory(bytes) => {
            let piece = usize::try_from(offset)
                .ok()
                .and_then(|start| bytes.get(start..start + out.len()))
                .ok_or_else(|| StoreError::Corrupt(format!("a read past the end at {offset}")))?;
            out.copy_from_slice(piece);
            Ok(())
        }
        PackBytes::File(file, path) => {
            use std::os::unix::fs::FileExt;
            file.read_exact_at(out, offset)
                .map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })
        }
    }
}

/// Entry headers of a pack in offset order: slices of the pack in memory, or windows read
/// through one buffer from the file (one pass over it, no read per entry).
struct HeaderReader<'p> {
    pack: &'p PackBytes,
    file: Option<std::io::BufReader<&'p std::fs::File>>,
    /// Where the buffered reader is.
    pos: u64,
    window: [u8; MAX_HEADER],
}

impl<'p> HeaderReader<'p> {
    fn new(pack: &'p PackBytes) -> Self {
        let file = match pack {
            PackBytes::Memory(_) => None,
            PackBytes::File(file, _) => Some(std::io::BufReader::with_capacity(1 << 20, file)),
        };
        HeaderReader {
            pack,
            file,
            pos: 0,
            window: [0; MAX_HEADER],
        }
    }

    /// `len` (at most [`MAX_HEADER`]) bytes from `offset`.
    fn window(&mut self, offset: u64, len: usize) -> Result<&[u8], StoreError> {
        use std::io::Read as _;
        match (self.pack, &mut self.file) {
            (PackBytes::Memory(bytes), _) => usize::try_from(offset)
                .ok()
                .and_then(|start| bytes.get(start..start + len))
                .ok_or_else(|| StoreError::Corrupt(format!("a read past the end at {offset}"))),
            (PackBytes::File(_, path), Some(reader)) => {
                let io = |source| StoreError::Io {
                    path: path.clone(),
                    source,
                };
                let delta = i64::try_from(offset).unwrap_or(i64::MAX)
                    - i64::try_from(self.pos).unwrap_or(i64::MAX);
                reader.seek_relative(delta).map_err(io)?;
                reader.read_exact(&mut self.window[..len]).map_err(io)?;
                self.pos = offset + len as u64;
                Ok(&self.window[..len])
            }
            (PackBytes::File(..), None) => Err(StoreError::Corrupt("no reader".to_owned())),
        }
    }
}

fn too_many() -> StoreError {
    StoreError::Unsupported("more than 4 billion objects".to_owned())
}

/// A loose object's kind, size, and the length of its `<kind> <size>\0` header.
fn loose_header(z: &mut Decompress, bytes: &[u8]) -> Result<(Kind, u64, usize), StoreError> {
    let bad = || StoreError::Corrupt("bad loose object header".to_owned());
    z.reset(true);
    let mut head = [0u8; 64];
    z.decompress(bytes, &mut head, FlushDecompress::None)
        .map_err(|_| bad())?;
    let got = &head[..z.total_out() as usize];
    let nul = got.iter().position(|b| *b == 0).ok_or_else(bad)?;
    let text = std::str::from_utf8(&got[..nul]).map_err(|_| bad())?;
    let (kind, size) = text.split_once(' ').ok_or_else(bad)?;
    let kind = match kind {
        "commit" => Kind::Commit,
        "tree" => Kind::Tree,
        "blob" => Kind::Blob,
        "tag" => Kind::Tag,
        _ => return Err(bad()),
    };
    let size: u64 = size.parse().map_err(|_| bad())?;
    if size > pack::MAX_OBJECT_BYTES {
        return Err(bad());
    }
    Ok((kind, size, nul + 1))
}
