//! The real binary on a real terminal: a tmux server of its own (own socket) running one shell
//! line in one window, killed on drop. Keys go in with send-keys, pastes with paste-buffer,
//! the screen is read with capture-pane, and the command's exit status is written to a file
//! when it ends, so tests check how devk exited, not only that its frame went away.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long a wait may last: a bound on a test that would otherwise hang, not a timed
/// assertion (the machine is shared and loaded).
const WAIT: Duration = Duration::from_secs(20);

/// One tmux session, `main`, on a server of its own.
pub(crate) struct Tmux {
    tmux: PathBuf,
    socket: String,
    status: PathBuf,
}

impl Tmux {
    /// Runs `cmd` in a 120x36 window with `home` as HOME (and XDG dirs under it), no
    /// KUBECONFIG.
    pub(crate) fn start(tmux: PathBuf, home: &Path, cmd: &str) -> Tmux {
        Tmux::start_sized(tmux, home, cmd, 120, 36)
    }

    /// Like `start`, in a window of `width` x `height`.
    pub(crate) fn start_sized(
        tmux: PathBuf,
        home: &Path,
        cmd: &str,
        width: u16,
        height: u16,
    ) -> Tmux {
        let line = format!(
            "env -u KUBECONFIG HOME={h} XDG_CONFIG_HOME={h}/.config XDG_STATE_HOME={h}/.state TERM=xterm-256color {cmd}",
            h = home.display(),
        );
        Tmux::run_line(tmux, home, &line, width, height)
    }

    /// Runs `line` (a shell command line) in a `width` x `height` window. `dir` is the test's
    /// own directory: the socket is named after it and the exit status is written in it.
    pub(crate) fn run_line(tmux: PathBuf, dir: &Path, line: &str, width: u16, height: u16) -> Tmux {
        let socket = format!(
            "devk-{}-{}",
            std::process::id(),
            dir.file_name().unwrap().to_string_lossy()
        );
        let status = dir.join("devk-exit-status");
        // The status is moved into place so a reader never sees half of it; the shell stays a
        // while so the last screen can still be read.
        let wrapped = format!(
            "{line}; echo $? > {s}.tmp && mv {s}.tmp {s}; sleep 30",
            s = status.display()
        );
        let t = Tmux {
            tmux,
            socket,
            status,
        };
        let (w, h) = (width.to_string(), height.to_string());
        let args = [
            "new-session",
            "-d",
            "-s",
            "main",
            "-x",
            &w,
            "-y",
            &h,
            &wrapped,
        ];
        // A tmux server that is slow to come up on a loaded machine refuses the first client
        // now and then: try again a few times, and say what tmux said if it still fails.
        let mut last = String::new();
        for attempt in 0..4 {
            let out = t.cmd(&args).output().unwrap();
            if out.status.success() {
                return t;
            }
            last = format!(
                "{}: {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
            let _ = t.cmd(&["kill-server"]).status();
            std::thread::sleep(Duration::from_millis(200 * (attempt + 1)));
        }
        panic!("tmux new-session failed 4 times; last: {last}");
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(&self.tmux);
        c.args(["-L", &self.socket]).args(args);
        c
    }

    fn ok(&self, args: &[&str]) {
        let out = self.cmd(args).output().unwrap();
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Presses `keys` (tmux key names: `Enter`, `Escape`, `C-c`, or text).
    pub(crate) fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "main"];
        args.extend_from_slice(keys);
        self.ok(&args);
    }

    /// Types `text` (each character a key press).
    pub(crate) fn text(&self, text: &str) {
        self.ok(&["send-keys", "-t", "main", "-l", text]);
    }

    /// Pastes `text` as a terminal does (bracketed, when the program asked for it).
    pub(crate) fn paste(&self, text: &str) {
        self.ok(&["set-buffer", "-b", "devk-test", "--", text]);
        self.ok(&["paste-buffer", "-p", "-d", "-b", "devk-test", "-t", "main"]);
    }

    pub(crate) fn screen(&self) -> String {
        let out = self
            .cmd(&["capture-pane", "-p", "-t", "main"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `pred`, returning the screen.
    pub(crate) fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < WAIT,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The exit status of the command, once it has ended.
    pub(crate) fn exit_status(&self) -> i32 {
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&self.status) {
                return text.trim().parse().unwrap_or(-1);
            }
            assert!(
                start.elapsed() < WAIT,
                "the command did not exit; screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses `q` on a main screen and checks that devk exits with status 0.
    pub(crate) fn quit(&self) {
        self.keys(&["q"]);
        assert_eq!(self.exit_status(), 0, "devk's exit status after q");
    }

    /// The pid of the command: the first child of the window's shell.
    pub(crate) fn command_pid(&self) -> u32 {
        let out = self
            .cmd(&["list-panes", "-t", "main", "-F", "#{pane_pid}"])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the command runs under the window's shell")
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]).status();
    }
}
