//! The object store reader (src/gitobjects) against git's own: every object of real
//! repositories, loose and packed (offset deltas, reference deltas, several packs), must come
//! out once with the kind and content libgit2 reads for the same id, whether the packs are held
//! in memory or read entry by entry from their files.

use std::collections::HashMap;
use std::path::Path;

use devk::gitobjects::{Kind, ObjectStore, StoreError};

use crate::githook::World;

/// Packs in memory, or none in memory (every pack read from its file).
const MODES: [u64; 2] = [1 << 30, 0];

/// Every object of the store: id (hex) -> (kind, content). Fails on an object seen twice.
fn read_all(repo: &Path, in_memory: u64) -> HashMap<String, (Kind, Vec<u8>)> {
    let store = ObjectStore::open(&repo.join(".git/objects"), in_memory).unwrap();
    let kinds = [Kind::Commit, Kind::Tree, Kind::Blob, Kind::Tag];
    let parts = store
        .for_each(&kinds, 2, Vec::new, |out, object| {
            out.push((
                store.oid(object.entry).to_hex(),
                object.kind,
                object.data.to_vec(),
            ));
        })
        .unwrap();
    let mut all = HashMap::new();
    for (id, kind, data) in parts.into_iter().flatten() {
        assert!(all.insert(id.clone(), (kind, data)).is_none(), "{id} twice");
    }
    all
}

/// Checks the reader against libgit2 and against git's list of objects.
fn agrees_with_git(world: &World, repo: &Path) -> usize {
    let listed = world.git_ok(
        repo,
        &[
            "cat-file",
            "--batch-all-objects",
            "--batch-check=%(objectname) %(objecttype)",
        ],
    );
    let git = git2::Repository::open(repo).unwrap();
    let odb = git.odb().unwrap();
    let mut counts = Vec::new();
    for in_memory in MODES {
        let all = read_all(repo, in_memory);
        counts.push(all.len());
        agrees(&listed, &all, &odb);
    }
    assert_eq!(counts[0], counts[1]);
    counts[0]
}

fn agrees(listed: &str, all: &HashMap<String, (Kind, Vec<u8>)>, odb: &git2::Odb<'_>) {
    let mut count = 0;
    for line in listed.lines() {
        let (id, kind) = line.split_once(' ').unwrap();
        let (got_kind, data) = all.get(id).unwrap_or_else(|| panic!("{id} not read"));
        let expected = odb.read(git2::Oid::from_str(id).unwrap()).unwrap();
        let expected_kind = match kind {
            "commit" => Kind::Commit,
            "tree" => Kind::Tree,
            "blob" => Kind::Blob,
            _ => Kind::Tag,
        };
        assert_eq!(*got_kind, expected_kind, "{id}");
        assert!(data == expected.data(), "{id}: content differs");
        count += 1;
    }
    assert_eq!(count, all.len());
}

fn deltas(world: &World, repo: &Path) -> usize {
    world
        .git_ok(
            repo,
            &[
                "cat-file",
                "--batch-all-objects",
                "--batch-check=%(deltabase)",
            ],
        )
        .lines()
        .filter(|l| !l.chars().all(|c| c == '0'))
        .count()
}

#[test]
fn reads_every_object_as_git_does_loose_packed_and_through_deltas() {
    let Some(world) = World::new("reads_every_object_as_git_does") else {
        return;
    };
    let w = &world.work;
    // Many versions of a few files, so that packs hold delta chains.
    let mut lines: Vec<String> = (0..200).map(|i| format!("line {i} of the file")).collect();
    for round in 0..40 {
        lines[(round * 7) % 200] = format!("changed in round {round}");
        lines.push(format!("appended in round {round}"));
        world.commit(
            w,
            &format!("dir{}/file.txt", round % 3),
            &lines.join("\n"),
            "round",
        );
    }
    world.git_ok(w, &["tag", "-a", "v1", "-m", "a tag object"]);
    let loose = agrees_with_git(&world, w);
    world.git_ok(w, &["gc", "-q", "--aggressive"]);
    assert!(deltas(&world, w) > 40);
    assert_eq!(agrees_with_git(&world, w), loose);
    world.commit(w, "after.txt", "loose again\n", "after gc");
    world.git_ok(w, &["repack", "-q", "-d"]);
    world.commit(w, "after2.txt", "and loose\n", "after repack");
    assert_eq!(agrees_with_git(&world, w), loose + 6);
    world.repack_with_ref_deltas(w);
    assert!(deltas(&world, w) > 40);
    assert_eq!(agrees_with_git(&world, w), loose + 6);
}

#[test]
fn corrupt_packs_are_errors_and_alternates_unsupported() {
    let Some(world) = World::new("corrupt_packs_are_errors_and_alternates_unsupported") else {
        return;
    };
    let w = &world.work;
    for round in 0..10 {
        world.commit(w, "f.txt", &format!("version {round}\n").repeat(50), "r");
    }
    world.git_ok(w, &["gc", "-q"]);
    let objects = w.join(".git/objects");
    let pack_dir = objects.join("pack");
    let pack = std::fs::read_dir(&pack_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "pack"))
        .unwrap();
    let good = std::fs::read(&pack).unwrap();
    let mut bad = good.clone();
    // Flip bytes in the middle of the pack: a zlib stream or a delta no longer checks out.
    let mid = bad.len() / 2;
    for b in &mut bad[mid..mid + 64] {
        *b ^= 0x5a;
    }
    let mut perms = std::fs::metadata(&pack).unwrap().permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    std::fs::set_permissions(&pack, perms).unwrap();
    std::fs::write(&pack, &bad).unwrap();
    for in_memory in MODES {
        let failed = match ObjectStore::open(&objects, in_memory) {
            Err(e) => Some(e),
            Ok(store) => store
                .for_each(
                    &[Kind::Commit, Kind::Tree, Kind::Blob, Kind::Tag],
                    1,
                    || (),
                    |_, _| (),
                )
                .err(),
        };
        assert!(
            matches!(failed, Some(StoreError::Corrupt(_))),
            "{in_memory}: {failed:?}"
        );
    }
    std::fs::write(&pack, &good).unwrap();
    std::fs::write(objects.join("info/alternates"), "/elsewhere\n").unwrap();
    assert!(matches!(
        ObjectStore::open(&objects, 1 << 30),
        Err(StoreError::Unsupported(_))
    ));
    std::fs::remove_file(objects.join("info/alternates")).unwrap();
    for in_memory in MODES {
        assert!(ObjectStore::open(&objects, in_memory).is_ok());
    }
}
