//! Kubeconfig writes under faults: a devk killed at a random moment of a switch (SIGKILL,
//! SIGTERM, SIGINT) on a 1,000-context file never leaves a broken file, never leaves a lock
//! that blocks the next write, and a lock of kubectl's is reported, never removed.

use std::fs;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::support::{devk, isolate, require_tool, run};

/// A kubeconfig like scripts/gen-kubeconfig.py writes: `n` contexts, each with its own
/// cluster (with ~1 KB of CA data) and exec user.
fn big_kubeconfig(n: usize) -> String {
    let ca = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t".repeat(30);
    let mut s = String::from(
        "apiVersion: v1\nkind: Config\npreferences: {}\ncurrent-context: ctx-0000\nclusters:\n",
    );
    for i in 0..n {
        s.push_str(&format!("- cluster:\n    certificate-authority-data: {ca}\n    server: https://cluster-{i:04}.example.com:6443\n  name: cluster-{i:04}\n"));
    }
    s.push_str("contexts:\n");
    for i in 0..n {
        s.push_str(&format!("- context:\n    cluster: cluster-{i:04}\n    namespace: team-{}\n    user: user-{i:04}\n  name: ctx-{i:04}\n", i % 17));
    }
    s.push_str("users:\n");
    for i in 0..n {
        s.push_str(&format!("- name: user-{i:04}\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      command: aws\n      args: [eks, get-token, --cluster-name, c{i}]\n"));
    }
    s
}

/// A deterministic sequence of delays (xorshift), so a failure can be replayed.
struct Delays(u64);

impl Delays {
    fn next(&mut self, max: Duration) -> Duration {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        Duration::from_micros(self.0 % max.as_micros() as u64)
    }
}

fn switch(home: &Path, file: &Path, name: &str) -> Command {
    let mut cmd = devk(home);
    cmd.env("KUBECONFIG", file).args(["switch", name]);
    cmd
}

fn spawn_quiet(mut cmd: Command) -> Child {
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// `devk current` reads the file: it is whole and parses.
fn assert_whole(home: &Path, file: &Path) {
    let mut cmd = devk(home);
    cmd.env("KUBECONFIG", file).arg("current");
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "the kubeconfig no longer reads: {r:?}");
}

#[test]
fn kill_9_at_any_moment_of_a_switch_never_blocks_the_next_write() {
    let Some(kubectl) = require_tool("kubectl", "kill_9_at_any_moment_of_a_switch") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, big_kubeconfig(1000)).unwrap();
    let lock = dir.path().join("config.lock");
    let mut delays = Delays(0x2545_F491_4F6C_DD1D);
    let mut left_behind = 0;
    for i in 0..60 {
        let target = if i % 2 == 0 { "ctx-0500" } else { "ctx-0501" };
        let mut child = spawn_quiet(switch(dir.path(), &file, target));
        if i % 2 == 0 {
            // Any moment of the run.
            std::thread::sleep(delays.next(Duration::from_millis(60)));
        } else {
            // A moment while it holds the lock: the window the kill used to break.
            while !lock.exists() && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_micros(50));
            }
            std::thread::sleep(delays.next(Duration::from_micros(1500)));
        }
        let _ = child.kill();
        let _ = child.wait();
        if lock.exists() {
            left_behind += 1;
        }
        // The next devk write reads the file (it is whole) and goes through, whatever the
        // killed one left (a target that is
        // current neither before nor after the killed switch, so it always writes).
        let next = if i % 2 == 0 { "ctx-0002" } else { "ctx-0003" };
        let r = run(&mut switch(dir.path(), &file, next));
        assert_eq!(r.code, 0, "try {i}: the write after a kill failed: {r:?}");
        assert!(!lock.exists(), "try {i}: devk left its own lock behind");
    }
    eprintln!(
        "kill -9: a lock was left behind {left_behind} times in 60, each cleared by the next devk"
    );
    let mut cmd = Command::new(&kubectl);
    isolate(&mut cmd, dir.path());
    cmd.env("KUBECONFIG", &file)
        .args(["config", "use-context", "ctx-0004"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "kubectl cannot write after the kills: {r:?}");
}

#[test]
fn sigterm_and_sigint_during_a_switch_always_release_the_lock() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, big_kubeconfig(1000)).unwrap();
    let lock = dir.path().join("config.lock");
    let mut delays = Delays(0x9E37_79B9_7F4A_7C15);
    for i in 0..40 {
        let target = if i % 2 == 0 { "ctx-0500" } else { "ctx-0501" };
        let signal = if i % 4 < 2 { "-TERM" } else { "-INT" };
        let mut child = spawn_quiet(switch(dir.path(), &file, target));
        if i % 2 == 0 {
            std::thread::sleep(delays.next(Duration::from_millis(60)));
        } else {
            while !lock.exists() && matches!(child.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_micros(50));
            }
            std::thread::sleep(delays.next(Duration::from_micros(1500)));
        }
        let _ = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .stderr(Stdio::null())
            .status();
        let _ = child.wait();
        assert!(
            !lock.exists(),
            "try {i}: {signal} left {} behind",
            lock.display()
        );
        assert_whole(dir.path(), &file);
    }
}

#[test]
fn a_stale_devk_lock_blocks_kubectl_until_devk_removes_it_and_says_so() {
    let Some(kubectl) = require_tool("kubectl", "a_stale_devk_lock_blocks_kubectl") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, big_kubeconfig(3)).unwrap();
    let lock = dir.path().join("config.lock");
    let mut gone = Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    fs::write(
        &lock,
        format!("devk pid={pid} host={} start=1\n", host.trim()),
    )
    .unwrap();
    let kubectl_switch = || {
        let mut cmd = Command::new(&kubectl);
        isolate(&mut cmd, dir.path());
        cmd.env("KUBECONFIG", &file)
            .args(["config", "use-context", "ctx-0001"]);
        run(&mut cmd)
    };
    let blocked = kubectl_switch();
    assert_ne!(
        blocked.code, 0,
        "kubectl wrote despite the lock: {blocked:?}"
    );
    let r = run(&mut switch(dir.path(), &file, "ctx-0002"));
    assert_eq!(r.code, 0, "{r:?}");
    assert!(
        r.stderr.contains(&format!(
            "removed {}: a stale lock left by devk (pid {pid}), which is no longer running",
            lock.display()
        )),
        "{r:?}"
    );
    let after = kubectl_switch();
    assert_eq!(after.code, 0, "{after:?}");
}

#[test]
fn a_kubectl_lock_is_reported_with_its_age_and_never_removed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    fs::write(&file, big_kubeconfig(3)).unwrap();
    let lock = dir.path().join("config.lock");
    fs::write(&lock, "").unwrap();
    let mut cmd = switch(dir.path(), &file, "ctx-0002");
    cmd.args(["--set", "kubeconfig.lock_timeout_ms=100"]);
    let r = run(&mut cmd);
    assert_eq!(r.code, 7, "{r:?}");
    assert!(
        r.stderr
            .contains("another program (kubectl's lock files are empty, created "),
        "{r:?}"
    );
    assert!(
        r.stderr.contains(&format!("rm {}", lock.display())),
        "{r:?}"
    );
    assert!(lock.exists());
}
