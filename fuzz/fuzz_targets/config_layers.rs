//! The layered config parser (`devk.toml`, the user's `config.toml`, `DEVK_*` variables and
//! `--set` flags) through its one entry point, `config::load`. The input is up to four
//! sections: the project file, the user file, `NAME=VALUE` variables one a line, and flags one
//! a line. Any input loads or is refused with an error; never a panic. When it loads, the
//! report `devk config check` prints can be made, and every key has an origin.
#![no_main]

use devk::config::{LoadOptions, load};
use devk_fuzz::{put, scratch, sections};
use libfuzzer_sys::fuzz_target;

fn lines(section: Option<&&[u8]>) -> Vec<String> {
    section
        .map(|s| {
            String::from_utf8_lossy(s)
                .lines()
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

fuzz_target!(|data: &[u8]| {
    let parts = sections(data);
    let dir = scratch();
    let project = dir.join("project");
    let user = dir.join("user");
    let _ = std::fs::create_dir_all(&project);
    put(&project.join("devk.toml"), parts.first().copied());
    put(&user.join("config.toml"), parts.get(1).copied());
    let env = lines(parts.get(2))
        .into_iter()
        .filter_map(|l| {
            let (k, v) = l.split_once('=')?;
            Some((k.to_owned(), v.to_owned()))
        })
        .collect();
    let opts = LoadOptions {
        cwd: project,
        user_config_dir: Some(user),
        env,
        flags: lines(parts.get(3)),
    };
    match load(&opts) {
        Ok(loaded) => {
            let report = loaded.render_check_report();
            assert!(!report.is_empty());
            for layer in &loaded.layers {
                for key in &layer.keys {
                    assert!(loaded.origin(key).is_some(), "{key} has no origin");
                }
            }
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
        }
    }
});
