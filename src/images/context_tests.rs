//! Context tar contents, read back with the tar crate (pure filesystem, no engine).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::*;

fn put(root: &Path, rel: &str, body: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, body).unwrap();
}

struct Got {
    path: String,
    kind: EntryType,
    mode: u32,
    uid: u64,
    link: Option<String>,
    body: Vec<u8>,
    mtime: u64,
}

fn tar_of(plan: &Plan) -> Vec<Got> {
    let mut bytes = Vec::new();
    let summary = write_tar(plan, &mut bytes).unwrap();
    assert_eq!(summary.bytes, bytes.len() as u64);
    let mut ar = tar::Archive::new(bytes.as_slice());
    ar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut body = Vec::new();
            e.read_to_end(&mut body).unwrap();
            let h = e.header();
            Got {
                path: e
                    .path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_end_matches('/')
                    .to_string(),
                kind: h.entry_type(),
                mode: h.mode().unwrap(),
                uid: h.uid().unwrap(),
                link: e
                    .link_name()
                    .unwrap()
                    .map(|l| l.to_string_lossy().into_owned()),
                body,
                mtime: h.mtime().unwrap(),
            }
        })
        .collect()
}

fn paths(plan: &Plan) -> Vec<String> {
    tar_of(plan).into_iter().map(|g| g.path).collect()
}

#[test]
fn dockerignore_excludes_and_exceptions_reinclude() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "Dockerfile", "FROM scratch\n");
    put(
        r,
        ".dockerignore",
        "# comment\nsecret.txt\nlogs\n*.tmp\n!keep.tmp\nnode_modules/**\n",
    );
    put(r, "app/main.rs", "fn main(){}");
    put(r, "secret.txt", "s");
    put(r, "logs/a.log", "l");
    put(r, "x.tmp", "t");
    put(r, "keep.tmp", "k");
    put(r, "node_modules/m/index.js", "m");
    let plan = plan(r, None, r).unwrap();
    assert_eq!(
        paths(&plan),
        [
            ".dockerignore",
            "Dockerfile",
            "app",
            "app/main.rs",
            "keep.tmp",
            "node_modules"
        ]
    );
    assert_eq!(list(&plan).unwrap(), paths(&plan));
}

#[test]
fn ignored_dockerfile_and_dockerignore_are_still_sent() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "build/app.Dockerfile", "FROM scratch\n");
    put(r, "build/other", "o");
    put(r, ".dockerignore", "*\n.dockerignore\n");
    put(r, "README.md", "r");
    let plan = plan(r, Some(Path::new("build/app.Dockerfile")), r).unwrap();
    assert_eq!(plan.dockerfile, "build/app.Dockerfile");
    // The directory entry itself stays out, as with the docker CLI; the file goes in.
    assert_eq!(paths(&plan), [".dockerignore", "build/app.Dockerfile"]);
}

#[test]
fn excluded_directory_is_entered_only_for_a_literal_exception_prefix() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "Dockerfile", "FROM scratch\n");
    put(r, "docs/README.md", "keep");
    put(r, "docs/other.md", "drop");
    put(r, "gen/a/keep", "k");
    // `!*/keep` does not start with "gen/": moby skips gen entirely.
    put(r, ".dockerignore", "docs\n!docs/README.md\ngen\n!*/keep\n");
    let plan = plan(r, None, r).unwrap();
    assert_eq!(
        paths(&plan),
        [".dockerignore", "Dockerfile", "docs/README.md"]
    );
}

#[test]
fn entries_keep_mode_mtime_symlinks_and_hardlinks_with_root_owner() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "Dockerfile", "FROM scratch\n");
    put(r, "bin/run.sh", "#!/bin/sh\n");
    std::fs::set_permissions(r.join("bin/run.sh"), std::fs::Permissions::from_mode(0o751)).unwrap();
    std::os::unix::fs::symlink("bin/run.sh", r.join("link")).unwrap();
    std::fs::hard_link(r.join("bin/run.sh"), r.join("hard")).unwrap();
    let mtime = std::fs::metadata(r.join("bin/run.sh")).unwrap().mtime() as u64;
    let got = tar_of(&plan(r, None, r).unwrap());
    let find = |p: &str| got.iter().find(|g| g.path == p).unwrap();
    let run = find("bin/run.sh");
    assert_eq!(run.kind, EntryType::Regular);
    assert_eq!(run.mode, 0o751);
    assert_eq!(run.mtime, mtime);
    assert_eq!(run.uid, 0);
    assert_eq!(run.body, b"#!/bin/sh\n");
    assert_eq!(find("bin").kind, EntryType::Directory);
    let link = find("link");
    assert_eq!(link.kind, EntryType::Symlink);
    assert_eq!(link.link.as_deref(), Some("bin/run.sh"));
    // "bin/run.sh" is walked before "hard", so "hard" becomes the link.
    let hard = find("hard");
    assert_eq!(hard.kind, EntryType::Link);
    assert_eq!(hard.link.as_deref(), Some("bin/run.sh"));
}

#[test]
fn long_paths_and_deterministic_order() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "Dockerfile", "FROM scratch\n");
    let long = format!("{}/{}/file.txt", "a".repeat(90), "b".repeat(90));
    put(r, &long, "deep");
    put(r, "Z", "upper sorts first");
    put(r, "a.txt", "x");
    let plan = plan(r, None, r).unwrap();
    let got = paths(&plan);
    assert!(got.contains(&long), "{got:?}");
    assert_eq!(&got[..2], ["Dockerfile", "Z"]);
    let again = paths(&plan);
    assert_eq!(got, again);
}

#[test]
fn dockerfile_outside_the_context_is_added_under_a_hidden_name() {
    let d = tempfile::tempdir().unwrap();
    let ctx = d.path().join("ctx");
    put(&ctx, "f", "x");
    put(
        d.path(),
        "elsewhere/Dockerfile",
        "FROM scratch\nCOPY f /f\n",
    );
    let plan = plan(
        Path::new("ctx"),
        Some(Path::new("elsewhere/Dockerfile")),
        d.path(),
    )
    .unwrap();
    assert!(
        plan.dockerfile.starts_with(".dockerfile."),
        "{}",
        plan.dockerfile
    );
    let got = tar_of(&plan);
    let df = got.iter().find(|g| g.path == plan.dockerfile).unwrap();
    assert_eq!(df.body, b"FROM scratch\nCOPY f /f\n");
    let ignore = got.iter().find(|g| g.path == ".dockerignore").unwrap();
    assert_eq!(
        String::from_utf8_lossy(&ignore.body),
        format!(".dockerignore\n{}\n", plan.dockerfile)
    );
}

#[test]
fn missing_dockerfile_and_bad_dockerignore_are_clear() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    let err = plan(r, None, r).unwrap_err();
    assert_eq!(err.exit(), Exit::NotFound);
    assert!(err.to_string().contains("Dockerfile"), "{err}");
    put(r, "Dockerfile", "FROM scratch\n");
    put(r, ".dockerignore", "ok\n[\n");
    let err = plan(r, None, r).unwrap_err();
    assert_eq!(err.exit(), Exit::Config);
    assert!(err.to_string().contains("line 2"), "{err}");
}

#[tokio::test]
async fn streamed_chunks_equal_the_tar() {
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "Dockerfile", "FROM scratch\n");
    put(r, "big", &"x".repeat(3 * CHUNK + 17));
    let plan = plan(r, None, r).unwrap();
    let mut direct = Vec::new();
    write_tar(&plan, &mut direct).unwrap();
    let (mut rx, task) = stream(plan);
    let mut streamed = Vec::new();
    while let Some(chunk) = rx.recv().await {
        streamed.extend_from_slice(&chunk.unwrap());
    }
    let summary = task.await.unwrap().unwrap();
    assert_eq!(summary.bytes, direct.len() as u64);
    assert_eq!(streamed, direct);
}

#[test]
fn non_utf8_names_keep_their_bytes() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    let r = d.path();
    put(r, "Dockerfile", "FROM scratch\n");
    let name = OsStr::from_bytes(b"caf\xe9.txt");
    std::fs::write(r.join(name), "latin-1").unwrap();
    let plan = plan(r, None, r).unwrap();
    let mut bytes = Vec::new();
    write_tar(&plan, &mut bytes).unwrap();
    let mut ar = tar::Archive::new(bytes.as_slice());
    let names: Vec<Vec<u8>> = ar
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path_bytes().into_owned())
        .collect();
    assert!(names.contains(&b"caf\xe9.txt".to_vec()), "{names:?}");
}
