//! One pass over the store: every object of the wanted kinds, each inflated once, each delta
//! applied to its base while the base is still in memory.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use flate2::Decompress;
use libdeflater::Decompressor;

use super::pack::{apply_delta, inflate};
use super::{Kind, Link, ObjectStore, PackBytes, Source, StoreError, loose_header};

/// An object handed to a pass's visitor.
#[derive(Debug, Clone, Copy)]
pub struct Object<'a> {
    /// The object's entry in the store ([`ObjectStore::oid`] gives its id).
    pub entry: u32,
    pub kind: Kind,
    pub data: &'a [u8],
}

/// Whole objects handed to a thread at a time.
const BATCH: usize = 4;

impl ObjectStore {
    /// Calls `visit` once for every object of the given kinds, on up to `threads` threads,
    /// each with a state of its own made by `init`; returns the states.
    pub fn for_each<S: Send>(
        &self,
        kinds: &[Kind],
        threads: usize,
        init: impl Fn() -> S + Sync,
        visit: impl Fn(&mut S, Object<'_>) + Sync,
    ) -> Result<Vec<S>, StoreError> {
        let roots: Vec<u32> = (0..self.entries.len() as u32)
            .filter(
                |e| matches!(self.entries[*e as usize].link, Link::Whole(k) if kinds.contains(&k)),
            )
            .collect();
        let next = AtomicUsize::new(0);
        let failed = AtomicBool::new(false);
        let work = || -> Result<S, StoreError> {
            let mut state = init();
            let mut worker = Worker {
                store: self,
                z: Decompressor::new(),
                header: Decompress::new(true),
                delta: Vec::new(),
                raw: Vec::new(),
                pool: Vec::new(),
            };
            loop {
                if failed.load(Ordering::Relaxed) {
                    return Ok(state);
                }
                let start = next.fetch_add(BATCH, Ordering::Relaxed);
                let Some(batch) = roots.get(start..(start + BATCH).min(roots.len())) else {
                    return Ok(state);
                };
                for &root in batch {
                    if let Err(e) = worker.resolve_tree(root, &mut state, &visit) {
                        failed.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
        };
        let threads = threads.clamp(1, 64).min(roots.len().div_ceil(BATCH).max(1));
        if threads == 1 {
            return Ok(vec![work()?]);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads).map(|_| s.spawn(work)).collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(StoreError::Corrupt("a reading thread stopped".to_owned()))
                    })
                })
                .collect()
        })
    }
}

/// One thread's inflater and buffers.
struct Worker<'s> {
    store: &'s ObjectStore,
    z: Decompressor,
    /// For the headers of loose objects (libdeflate cannot stop part way).
    header: Decompress,
    delta: Vec<u8>,
    /// Compressed bytes read from a pack that is not in memory.
    raw: Vec<u8>,
    /// Buffers of finished objects, reused.
    pool: Vec<Vec<u8>>,
}

impl Worker<'_> {
    /// Resolves the whole object `root` and every delta based on it, depth first, keeping only
    /// the chain from `root` to the current object in memory.
    fn resolve_tree<S>(
        &mut self,
        root: u32,
        state: &mut S,
        visit: &impl Fn(&mut S, Object<'_>),
    ) -> Result<(), StoreError> {
        let store = self.store;
        let kind = store.kinds[root as usize];
        let mut data = self.pool.pop().unwrap_or_default();
        self.read_whole(root, &mut data)?;
        self.visit(root, kind, &data, state, visit);
        // (entry, its data, how many of its children are done)
        let mut stack: Vec<(u32, Vec<u8>, usize)> = vec![(root, data, 0)];
        while let Some(top) = stack.last_mut() {
            let Some(&child) = store.children_of(top.0).get(top.2) else {
                if let Some((_, buf, _)) = stack.pop() {
                    self.pool.push(buf);
                }
                continue;
            };
            top.2 += 1;
            read_pack_data(store, &mut self.z, &mut self.raw, child, &mut self.delta)?;
            let mut out = self.pool.pop().unwrap_or_default();
            apply_delta(&top.1, &self.delta, &mut out)?;
            self.visit(child, kind, &out, state, visit);
            if store.children_of(child).is_empty() {
                self.pool.push(out);
            } else {
                stack.push((child, out, 0));
            }
        }
        Ok(())
    }

    fn visit<S>(
        &self,
        entry: u32,
        kind: Kind,
        data: &[u8],
        state: &mut S,
        visit: &impl Fn(&mut S, Object<'_>),
    ) {
        let store = self.store;
        // A copy of an object that another pack also holds is resolved (deltas may need it)
        // but visited once.
        if !store.repeats[entry as usize] {
            visit(state, Object { entry, kind, data });
        }
    }

    /// The data of a whole object, packed or loose.
    fn read_whole(&mut self, entry: u32, out: &mut Vec<u8>) -> Result<(), StoreError> {
        match self.store.entries[entry as usize].source {
            Source::Pack(_) => read_pack_data(self.store, &mut self.z, &mut self.raw, entry, out),
            Source::Loose(n) => {
                let path = &self.store.loose[n as usize];
                let bytes = std::fs::read(path).map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })?;
                let (_, size, header) = loose_header(&mut self.header, &bytes)?;
                inflate(&mut self.z, &bytes, header + size as usize, out)?;
                out.drain(..header);
                Ok(())
            }
        }
    }
}

/// Inflates a pack entry's own data (a delta's instructions for a delta) into `out`; `raw`
/// holds the compressed bytes when the pack is read from its file.
fn read_pack_data(
    store: &ObjectStore,
    z: &mut Decompressor,
    raw: &mut Vec<u8>,
    entry: u32,
    out: &mut Vec<u8>,
) -> Result<(), StoreError> {
    let e = store.entries[entry as usize];
    let Source::Pack(p) = e.source else {
        return Err(StoreError::Corrupt("a loose object as a delta".to_owned()));
    };
    let input = match &store.packs[p as usize] {
        PackBytes::Memory(bytes) => &bytes[e.data_start as usize..e.end as usize],
        PackBytes::File(file, path) => {
            use std::os::unix::fs::FileExt;
            raw.resize((e.end - e.data_start) as usize, 0);
            file.read_exact_at(raw, e.data_start)
                .map_err(|source| StoreError::Io {
                    path: path.clone(),
                    source,
                })?;
            &raw[..]
        }
    };
    inflate(z, input, e.size as usize, out)
}
