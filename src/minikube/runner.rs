//! Running the `minikube` binary: short commands captured whole, long ones (start, stop,
//! delete, addons enable/disable) streamed line by line and cancellable. The environment is
//! passed through untouched, so MINIKUBE_HOME, MINIKUBE_PROFILE and friends work as they do
//! in the user's shell.

use std::ffi::OsString;
use std::future::Future;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};

use super::error::MinikubeError;
use super::parse;
use super::types::{OutputLine, Stream};

/// How long a cancelled operation gets to stop on its own (minikube cleans up on SIGINT)
/// before it is killed.
const CANCEL_GRACE: Duration = Duration::from_secs(10);

/// What a finished short command printed.
#[derive(Debug, Clone)]
pub struct Captured {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// A handle on one minikube binary (a name looked up on PATH, or a path).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Minikube {
    binary: OsString,
}

impl Default for Minikube {
    fn default() -> Self {
        Minikube::new("minikube")
    }
}

impl Minikube {
    /// `binary` is `minikube.binary` from the config: a name on PATH or a path.
    pub fn new(binary: impl Into<OsString>) -> Minikube {
        let binary = binary.into();
        let binary = if binary.is_empty() {
            OsString::from("minikube")
        } else {
            binary
        };
        Minikube { binary }
    }

    /// The binary as configured, for messages.
    pub fn binary(&self) -> String {
        self.binary.to_string_lossy().into_owned()
    }

    /// A path (`./mk`, `/opt/mk`) rather than a name looked up on PATH.
    fn is_path(&self) -> bool {
        self.binary().contains(std::path::MAIN_SEPARATOR)
    }

    fn not_installed(&self) -> MinikubeError {
        if self.is_path() {
            MinikubeError::BinaryMissing {
                path: self.binary(),
            }
        } else {
            MinikubeError::NotInstalled {
                binary: self.binary(),
            }
        }
    }

    /// Whether there is a minikube to run: the configured path exists, or the name is found
    /// in a PATH directory. Runs nothing.
    pub fn locate(&self) -> Result<(), MinikubeError> {
        let found = if self.is_path() {
            std::path::Path::new(&self.binary).exists()
        } else {
            std::env::var_os("PATH").is_some_and(|path| {
                std::env::split_paths(&path).any(|dir| dir.join(&self.binary).is_file())
            })
        };
        if found {
            Ok(())
        } else {
            Err(self.not_installed())
        }
    }

    /// Runs `minikube ARGS` to completion and returns what it printed, whatever its exit code.
    pub fn capture(&self, args: &[String]) -> Result<Captured, MinikubeError> {
        let out = std::process::Command::new(&self.binary)
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| self.spawn_error(e, args))?;
        Ok(Captured {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    fn spawn_error(&self, e: std::io::Error, args: &[String]) -> MinikubeError {
        if e.kind() == std::io::ErrorKind::NotFound {
            self.not_installed()
        } else {
            MinikubeError::Spawn {
                command: command_line(args),
                source: e,
            }
        }
    }

    /// minikube's version (`v1.34.0`), or `None` when it cannot be asked.
    pub fn version(&self) -> Option<String> {
        let out = self.capture(&["version".into(), "--short".into()]).ok()?;
        if out.code != 0 {
            return None;
        }
        parse::version(&out.stdout)
    }

    /// Runs a long operation, calling `on_line` with each output line as it arrives (stdout
    /// and stderr interleaved as they come). When `cancel` completes first, minikube gets
    /// SIGINT (it cleans up on that), then is killed if it has not ended within a grace period.
    /// A non-zero exit is an error carrying minikube's own error lines and its exit code.
    pub async fn stream<F, C>(
        &self,
        args: &[String],
        mut on_line: F,
        cancel: C,
    ) -> Result<(), MinikubeError>
    where
        F: FnMut(OutputLine),
        C: Future<Output = ()>,
    {
        let mut child = tokio::process::Command::new(&self.binary)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| self.spawn_error(e, args))?;
        let mut out = child.stdout.take().map(|s| BufReader::new(s).lines());
        let mut err = child.stderr.take().map(|s| BufReader::new(s).lines());
        let mut stdout_tail = Vec::new();
        let mut stderr_tail = Vec::new();
        tokio::pin!(cancel);
        let mut cancelled = false;

        while out.is_some() || err.is_some() {
            tokio::select! {
                line = next_line(&mut out) => match line {
                    Some(text) => {
                        keep_tail(&mut stdout_tail, &text);
                        on_line(OutputLine { stream: Stream::Stdout, text });
                    }
                    None => out = None,
                },
                line = next_line(&mut err) => match line {
                    Some(text) => {
                        keep_tail(&mut stderr_tail, &text);
                        on_line(OutputLine { stream: Stream::Stderr, text });
                    }
                    None => err = None,
                },
                () = &mut cancel, if !cancelled => {
                    cancelled = true;
                    interrupt(&child);
                    break;
                }
            }
        }

        let status = if cancelled {
            match tokio::time::timeout(CANCEL_GRACE, child.wait()).await {
                Ok(status) => status,
                Err(_) => {
                    let _ = child.start_kill();
                    child.wait().await
                }
            }
        } else {
            child.wait().await
        }
        .map_err(|e| MinikubeError::Spawn {
            command: command_line(args),
            source: e,
        })?;

        if cancelled {
            return Err(MinikubeError::Cancelled {
                command: command_line(args),
            });
        }
        if status.success() {
            return Ok(());
        }
        Err(MinikubeError::Failed {
            command: command_line(args),
            code: status.code(),
            lines: parse::error_lines(&stdout_tail.join("\n"), &stderr_tail.join("\n")),
        })
    }
}

async fn next_line<R>(reader: &mut Option<tokio::io::Lines<R>>) -> Option<String>
where
    R: tokio::io::AsyncBufRead + Unpin,
{
    match reader {
        // A read error ends that pipe like an end of file: the exit code still tells.
        Some(lines) => lines.next_line().await.ok().flatten(),
        None => std::future::pending().await,
    }
}

fn keep_tail(tail: &mut Vec<String>, line: &str) {
    const KEEP: usize = 40;
    if tail.len() == KEEP {
        tail.remove(0);
    }
    tail.push(line.to_string());
}

/// Asks minikube to stop the way ctrl-c would. std offers only SIGKILL and devk forbids
/// `unsafe`, so this goes through kill(1); if that fails the grace period ends in SIGKILL.
fn interrupt(child: &tokio::process::Child) {
    if let Some(pid) = child.id() {
        let _ = std::process::Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// `minikube ARGS` as the user would type it, for messages.
pub fn command_line(args: &[String]) -> String {
    let mut s = String::from("minikube");
    for a in args {
        s.push(' ');
        s.push_str(a);
    }
    s
}
