//! Locks under faults: who holds a lock, stale locks of dead devk processes, kubectl's locks.

use std::fs;
use std::time::Duration;

use super::tests::{Env, T, cfg};
use super::*;

#[test]
fn a_held_lock_fails_with_a_message_naming_it() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
    );
    let _held = FileLock::acquire(&env.path("a"), &T.into(), &|| false).unwrap();
    let err = update(
        &env.sources(&["a"]),
        false,
        Duration::from_millis(50),
        |kc| kc.use_context("w"),
    )
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, KubeconfigError::Locked { .. }));
    assert!(msg.contains("a.lock"), "{msg}");
    assert!(
        msg.contains(&format!("devk (pid {}, still running", std::process::id())),
        "{msg}"
    );
    assert!(msg.contains("wait for it to finish"), "{msg}");
    assert!(env.read("a").contains("current-context: x"));
}

/// Stale-lock notes seen by `record_note` (tests run in parallel: each looks for its own path).
static NOTES: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn record_note(text: &str) {
    if let Ok(mut n) = NOTES.lock() {
        n.push(text.to_string());
    }
}

fn noted(path: &std::path::Path) -> Vec<String> {
    let needle = path.display().to_string();
    NOTES
        .lock()
        .map(|n| n.iter().filter(|t| t.contains(&needle)).cloned().collect())
        .unwrap_or_default()
}

fn cli_lock() -> LockOptions {
    LockOptions {
        timeout: Duration::from_millis(50),
        on_stale: Some(record_note),
        exit_on_signal: false,
    }
}

/// The pid of a process that has finished.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    pid
}

fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .unwrap()
        .trim()
        .to_string()
}

#[test]
fn a_stale_lock_of_a_dead_devk_on_this_host_is_removed_and_said_so() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
    );
    let lock = lock_path(&env.path("a"));
    let pid = dead_pid();
    fs::write(
        &lock,
        format!("devk pid={pid} host={} start=1\n", this_host()),
    )
    .unwrap();
    fs::write(format!("{}.{pid}.devk", lock.display()), "").unwrap();
    update(&env.sources(&["a"]), false, cli_lock(), |kc| {
        kc.use_context("w")
    })
    .unwrap();
    assert!(env.read("a").contains("current-context: w"));
    assert!(!lock.exists());
    assert!(!std::path::Path::new(&format!("{}.{pid}.devk", lock.display())).exists());
    let notes = noted(&lock);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains(&format!("stale lock left by devk (pid {pid})")),
        "{notes:?}"
    );
}

#[test]
fn an_empty_lock_is_reported_with_its_age_and_the_command_to_remove_it() {
    let env = Env::new();
    env.write("a", &cfg(Some("x"), &[("x", "c", None)], &[]));
    let lock = lock_path(&env.path("a"));
    fs::write(&lock, "").unwrap();
    let err = update(&env.sources(&["a"]), false, cli_lock(), |kc| {
        kc.set_namespace("x", Some("n1"))
    })
    .unwrap_err();
    let msg = err.to_string();
    assert_eq!(err.exit(), crate::exit::Exit::Locked);
    assert!(
        msg.contains("another program (kubectl's lock files are empty, created "),
        "{msg}"
    );
    assert!(msg.contains(" s ago)"), "{msg}");
    assert!(msg.contains(&format!("rm {}", lock.display())), "{msg}");
    assert!(
        lock.exists(),
        "a lock devk cannot attribute is never removed"
    );
}

#[test]
fn a_devk_lock_from_another_host_is_left_alone() {
    let env = Env::new();
    env.write("a", &cfg(Some("x"), &[("x", "c", None)], &[]));
    let lock = lock_path(&env.path("a"));
    fs::write(
        &lock,
        format!("devk pid={} host=elsewhere start=1\n", dead_pid()),
    )
    .unwrap();
    let err = update(&env.sources(&["a"]), false, cli_lock(), |kc| {
        kc.set_namespace("x", Some("n1"))
    })
    .unwrap_err();
    assert!(err.to_string().contains("on host elsewhere"), "{err}");
    assert!(lock.exists());
}

#[test]
fn a_held_devk_lock_says_who_holds_it_in_the_lock_file() {
    let env = Env::new();
    let held = FileLock::acquire(&env.path("a"), &T.into(), &|| false).unwrap();
    let text = fs::read_to_string(lock_path(&env.path("a"))).unwrap();
    assert!(
        text.starts_with(&format!("devk pid={} host=", std::process::id())),
        "{text}"
    );
    drop(held);
    assert!(!lock_path(&env.path("a")).exists());
}

#[test]
fn temp_files_of_a_write_that_was_killed_are_removed_by_the_next_write() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
    );
    let abandoned = env.path(".a.AbC123.tmp");
    fs::write(&abandoned, "half a kubeconfig").unwrap();
    update(&env.sources(&["a"]), false, T, |kc| kc.use_context("w")).unwrap();
    assert!(!abandoned.exists());
}

#[test]
fn a_lock_released_in_time_is_waited_for() {
    let env = Env::new();
    env.write(
        "a",
        &cfg(Some("x"), &[("x", "c", None), ("w", "c", None)], &[]),
    );
    let held = FileLock::acquire(&env.path("a"), &T.into(), &|| false).unwrap();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
    });
    update(&env.sources(&["a"]), false, Duration::from_secs(5), |kc| {
        kc.use_context("w")
    })
    .unwrap();
    t.join().unwrap();
    assert!(env.read("a").contains("current-context: w"));
    assert!(!lock_path(&env.path("a")).exists());
}
