//! Who holds a kubeconfig lock: the text devk writes into its lock files, and whether that
//! process is still alive (Linux `/proc`: the pid exists and started when the lock says).

use std::path::Path;
use std::time::Duration;

/// The holder a lock file names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Holder {
    /// A devk process: `devk pid=… host=… start=…` (start: clock ticks since boot, from
    /// `/proc/PID/stat`; 0 when unknown).
    Devk { pid: u32, host: String, start: u64 },
    /// Anything else: kubectl's lock files are empty, other tools' unknown.
    Unknown,
    /// The lock file could not be read (it may have just been removed).
    Unreadable,
}

impl std::fmt::Display for Holder {
    /// The text of a lock file of this holder.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Holder::Devk { pid, host, start } => {
                writeln!(f, "devk pid={pid} host={host} start={start}")
            }
            Holder::Unknown | Holder::Unreadable => Ok(()),
        }
    }
}

/// This process as a lock holder.
pub fn this_process() -> Holder {
    let pid = std::process::id();
    Holder::Devk {
        pid,
        host: host_name().unwrap_or_default(),
        start: start_time(pid).unwrap_or(0),
    }
}

impl Holder {
    /// Reads the holder of the lock file at `lock`.
    pub fn read(lock: &Path) -> Holder {
        match std::fs::read_to_string(lock) {
            Ok(text) => Holder::parse(&text),
            Err(_) => Holder::Unreadable,
        }
    }

    /// Parses a lock file's text.
    pub fn parse(text: &str) -> Holder {
        let Some(rest) = text.trim_end().strip_prefix("devk ") else {
            return Holder::Unknown;
        };
        let field = |key: &str| {
            rest.split(' ')
                .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        };
        match (
            field("pid").and_then(|p| p.parse().ok()),
            field("host"),
            field("start").and_then(|s| s.parse().ok()),
        ) {
            (Some(pid), Some(host), Some(start)) => Holder::Devk {
                pid,
                host: host.to_string(),
                start,
            },
            _ => Holder::Unknown,
        }
    }

    /// True when this is a devk process on the same host as `me` that is no longer running.
    /// A holder devk cannot check (another host, no /proc) counts as alive.
    pub fn is_dead_devk(&self, me: &Holder) -> bool {
        match (self, me) {
            (
                Holder::Devk {
                    pid, host, start, ..
                },
                Holder::Devk { host: mine, .. },
            ) => {
                !host.is_empty()
                    && host == mine
                    && process_gone(*pid, Some(*start).filter(|&s| s != 0)) == Some(true)
            }
            _ => false,
        }
    }

    /// Who holds the lock, for the "is held by" message.
    pub fn describe(&self, me: &Holder, age: Option<Duration>) -> String {
        let age = age
            .map(|a| format!(", created {} ago", human(a)))
            .unwrap_or_default();
        match (self, me) {
            (Holder::Devk { pid, host, .. }, Holder::Devk { host: mine, .. }) if host == mine => {
                format!("devk (pid {pid}, still running{age})")
            }
            (Holder::Devk { pid, host, .. }, _) => {
                format!("devk (pid {pid} on host {host}, which devk cannot check{age})")
            }
            _ => format!("another program (kubectl's lock files are empty{age})"),
        }
    }
}

/// Whether process `pid` is gone: Some(true) when it does not exist or started at another
/// time than `start` (its pid was reused); None when this system has no /proc to ask.
pub fn process_gone(pid: u32, start: Option<u64>) -> Option<bool> {
    if !Path::new("/proc/self/stat").exists() {
        return None;
    }
    match start_time(pid) {
        None => Some(true),
        Some(now) => Some(start.is_some_and(|s| s != now)),
    }
}

/// The start time of `pid` in clock ticks since boot (field 22 of /proc/PID/stat).
fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may contain spaces.
    let after = &stat[stat.rfind(')')? + 1..];
    after.split_whitespace().nth(19)?.parse().ok()
}

fn host_name() -> Option<String> {
    let read = |p: &str| std::fs::read_to_string(p).ok();
    read("/proc/sys/kernel/hostname")
        .or_else(|| read("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && !h.contains(char::is_whitespace))
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h", s / 3600),
        _ => format!("{} days", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_text_round_trips() {
        let me = this_process();
        assert_eq!(Holder::parse(&me.to_string()), me);
        assert_eq!(Holder::parse(""), Holder::Unknown);
        assert_eq!(Holder::parse("devk pid=x host=h start=1"), Holder::Unknown);
    }

    #[test]
    fn a_running_process_is_not_dead_and_a_finished_one_is() {
        let me = this_process();
        assert!(!me.is_dead_devk(&me));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let Holder::Devk { host, .. } = &me else {
            panic!("this process is devk")
        };
        let dead = Holder::Devk {
            pid,
            host: host.clone(),
            start: 1,
        };
        assert!(dead.is_dead_devk(&me));
    }

    #[test]
    fn a_reused_pid_counts_as_gone() {
        let Holder::Devk { pid, host, start } = this_process() else {
            panic!("this process is devk")
        };
        let earlier = Holder::Devk {
            pid,
            host,
            start: start + 1,
        };
        assert!(earlier.is_dead_devk(&this_process()));
    }

    #[test]
    fn a_lock_on_another_host_is_never_taken_for_dead() {
        let other = Holder::Devk {
            pid: 1,
            host: "elsewhere".into(),
            start: 5,
        };
        assert!(!other.is_dead_devk(&this_process()));
        assert!(
            other
                .describe(&this_process(), None)
                .contains("host elsewhere")
        );
    }
}
