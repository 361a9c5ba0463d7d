//! Reading the two object formats a history scan needs: tree entries and a commit's links.

use super::{Oid20, StoreError};

/// What a tree entry points at, from its mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryMode {
    Tree,
    /// A regular file or a symlink.
    Blob,
    /// A submodule's commit.
    Gitlink,
}

/// One entry of a tree object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeEntry<'a> {
    pub mode: EntryMode,
    pub name: &'a [u8],
    pub oid: Oid20,
}

/// The entries of a tree object, in the tree's (git's) order.
pub fn tree_entries(data: &[u8]) -> TreeEntries<'_> {
    TreeEntries { rest: data }
}

pub struct TreeEntries<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for TreeEntries<'a> {
    type Item = Result<TreeEntry<'a>, StoreError>;

    // Inlined: a tree pass calls this for millions of entries, and the entry is mostly
    // looked at for its mode and two bytes of its id.
    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        // "<mode> <name>\0<20-byte id>". A plain loop finds the NUL: names are short, and
        // memchr's call costs more than it saves on them.
        let rest = self.rest;
        let parsed = rest
            .iter()
            .take(8)
            .position(|b| *b == b' ')
            .and_then(|space| {
                let nul = space + 1 + rest[space + 1..].iter().position(|b| *b == 0)?;
                let oid = rest.get(nul + 1..nul + 21)?;
                let mode = match &rest[..space] {
                    b"40000" | b"040000" => EntryMode::Tree,
                    b"160000" => EntryMode::Gitlink,
                    _ => EntryMode::Blob,
                };
                let mut id = [0u8; 20];
                id.copy_from_slice(oid);
                Some((
                    TreeEntry {
                        mode,
                        name: &rest[space + 1..nul],
                        oid: Oid20(id),
                    },
                    nul + 21,
                ))
            });
        match parsed {
            Some((entry, used)) => {
                self.rest = &rest[used..];
                Some(Ok(entry))
            }
            None => {
                self.rest = &[];
                Some(Err(StoreError::Corrupt("bad tree entry".to_owned())))
            }
        }
    }
}

/// A commit's tree and parents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitLinks {
    pub tree: Oid20,
    pub parents: Vec<Oid20>,
}

/// Reads the `tree` and `parent` lines at the top of a commit object.
pub fn commit_links(data: &[u8]) -> Result<CommitLinks, StoreError> {
    let bad = || StoreError::Corrupt("bad commit header".to_owned());
    let mut lines = data.split(|b| *b == b'\n');
    let tree = lines
        .next()
        .and_then(|l| l.strip_prefix(b"tree "))
        .and_then(Oid20::from_hex)
        .ok_or_else(bad)?;
    let mut parents = Vec::new();
    for line in lines {
        match line.strip_prefix(b"parent ") {
            Some(hex) => parents.push(Oid20::from_hex(hex).ok_or_else(bad)?),
            None => break,
        }
    }
    Ok(CommitLinks { tree, parents })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_entries_with_every_mode() {
        let mut tree = Vec::new();
        for (mode, name, byte) in [
            ("100644", "a.txt", 1u8),
            ("40000", "dir", 2),
            ("160000", "sub", 3),
            ("120000", "link", 4),
        ] {
            tree.extend(format!("{mode} {name}\0").as_bytes());
            tree.extend([byte; 20]);
        }
        let entries: Vec<_> = tree_entries(&tree).map(Result::unwrap).collect();
        let modes: Vec<_> = entries
            .iter()
            .map(|e| (e.mode, e.name, e.oid.0[0]))
            .collect();
        assert_eq!(
            modes,
            [
                (EntryMode::Blob, &b"a.txt"[..], 1),
                (EntryMode::Tree, &b"dir"[..], 2),
                (EntryMode::Gitlink, &b"sub"[..], 3),
                (EntryMode::Blob, &b"link"[..], 4),
            ]
        );
        tree.truncate(tree.len() - 3);
        assert!(tree_entries(&tree).any(|e| e.is_err()));
    }

    #[test]
    fn commit_links_of_a_merge() {
        let text = format!(
            "tree {}\nparent {}\nparent {}\nauthor a <a@b> 1 +0000\n\nparent not this\n",
            "ab".repeat(20),
            "01".repeat(20),
            "ff".repeat(20)
        );
        let links = commit_links(text.as_bytes()).unwrap();
        assert_eq!(links.tree, Oid20([0xab; 20]));
        assert_eq!(links.parents, [Oid20([1; 20]), Oid20([0xff; 20])]);
        assert!(commit_links(b"tree nothex\n").is_err());
    }
}
