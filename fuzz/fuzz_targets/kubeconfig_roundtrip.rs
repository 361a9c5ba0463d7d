//! The kubeconfig loader and writer. For any file the loader accepts:
//! - writing it back (the whole tree, as after an edit) and reading that again gives the same
//!   model: current context, preferences, every cluster, user and context entry, and the view
//!   devk shows; writing that again gives the same text (the writer is at its fixed point);
//! - a context switch (the one-line `current-context` edit, or the tree when that edit is not
//!   safe) reads back as the new context with everything else unchanged;
//! - the light parse (`devk current`, the TUI) shows the same view as the full one.
//! Bad files are errors, never a panic. A first line `#NAME` picks the context to switch to
//! (kept a YAML comment, so the rest of the input stays the file).
#![no_main]

use std::path::Path;

use devk::kubeconfig::{Kind, KubeFile, Kubeconfig, Sources};
use libfuzzer_sys::fuzz_target;

/// What kubectl reads from one file, in a form that compares whatever the YAML value types are.
fn model(f: &KubeFile) -> String {
    let mut out = format!(
        "current={:?}\npreferences={:?}\n",
        f.current_context(),
        f.preferences()
    );
    for kind in Kind::ALL {
        for (name, body) in f.entries(kind) {
            out.push_str(&format!("{}: {name:?} => {body:?}\n", kind.list_key()));
        }
    }
    out
}

/// The merged view devk shows for this one file.
fn view(f: &KubeFile) -> String {
    let path = f.path().to_path_buf();
    let kc = Kubeconfig::from_files(
        Sources::resolve(Some(&path), None, Path::new("/")),
        vec![f.clone()],
    );
    let mut out = format!("current={:?}\n", kc.current_context());
    for c in kc.contexts() {
        out.push_str(&format!(
            "{c:?}\n{:?}\n{:?}\n",
            kc.cluster(&c.cluster),
            kc.user(&c.user)
        ));
    }
    for kind in [Kind::Cluster, Kind::User] {
        for (name, _) in f.entries(kind) {
            match kind {
                Kind::Cluster => out.push_str(&format!("{:?}\n", kc.cluster(name))),
                _ => out.push_str(&format!("{:?}\n", kc.user(name))),
            }
        }
    }
    out
}

fn reparse(path: &Path, text: String, what: &str, before: &str) -> KubeFile {
    match KubeFile::parse(path, text.clone()) {
        Ok(f) => f,
        Err(e) => panic!(
            "{what} does not read back: {e}\n--- written:\n{text}\n--- model before:\n{before}"
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return; // The loader reads files as UTF-8 and reports anything else.
    };
    let path = Path::new("/fuzz/kubeconfig");
    let Ok(file) = KubeFile::parse(path, text.to_owned()) else {
        return;
    };
    let before = model(&file);
    let shown = view(&file);

    // Light and full parses show the same.
    if let Ok(light) = KubeFile::parse_with(path, text.to_owned(), true) {
        assert_eq!(view(&light), shown, "the light parse shows another view");
    } else {
        panic!("the light parse rejects a file the full parse reads");
    }

    // The whole tree written back.
    let Ok(written) = file.render() else { return };
    let again = reparse(path, written.clone(), "the written tree", &before);
    assert_eq!(
        model(&again),
        before,
        "writing the tree changed the model\n--- written:\n{written}"
    );
    assert_eq!(view(&again), shown, "writing the tree changed the view");
    if let Ok(twice) = again.render() {
        assert_eq!(twice, written, "the writer is not at its fixed point");
    }

    // A switch.
    let target = match text.lines().next().and_then(|l| l.strip_prefix('#')) {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => file
            .entries(Kind::Context)
            .next()
            .map_or("fuzz".to_owned(), |(n, _)| n.to_owned()),
    };
    let mut switched = file.clone();
    switched.set_current_context(&target);
    let Ok(written) = switched.render() else {
        return;
    };
    let after = reparse(path, written.clone(), "the switched file", &before);
    assert_eq!(
        after.current_context(),
        Some(target.as_str()).filter(|t| !t.is_empty()),
        "the switch did not take\n--- written:\n{written}"
    );
    assert_eq!(
        model(&after),
        model(&switched),
        "the switch changed more than the context\n--- written:\n{written}"
    );
});
