//! `devk build [PATH]`: build an image through the Docker Engine API, tagged from git.
//! Progress goes to stderr (every line when stderr is not a terminal; a compact display with
//! the step and its latest line when it is); the tags go to stdout, one per line, so scripts
//! can take them (`IMAGE=$(devk build | head -1)`).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use tokio::sync::mpsc;

use super::output::{async_runtime, note, out};
use super::{Failure, Globals};
use crate::config::images::MinikubeMode;
use crate::exit::Exit;
use crate::images::build::{self, BuildEvent};
use crate::images::docker::connect_checked;
use crate::images::prepare::BuildInputs;
use crate::images::setup::prepare_here;
use crate::images::target::Target;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The build context directory (default: `[images] context` in devk.toml, ".").
    pub path: Option<PathBuf>,
    /// The Dockerfile, relative to the current directory (default: PATH/Dockerfile).
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub file: Option<PathBuf>,
    /// Build this stage of a multi-stage Dockerfile.
    #[arg(long)]
    pub target: Option<String>,
    /// A build argument, KEY=VALUE (or KEY to pass the variable's value); repeatable.
    #[arg(long = "build-arg", value_name = "KEY=VALUE")]
    pub build_args: Vec<String>,
    /// Target platform, e.g. linux/amd64.
    #[arg(long)]
    pub platform: Option<String>,
    /// Tag(s) instead of the git ones: TAG (for the project image) or NAME:TAG; repeatable.
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// The image name (default: `[images] name` in devk.toml).
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,
    /// Which Docker daemon: `minikube` (the current/active profile's) or `local` (DOCKER_HOST,
    /// the docker context, or the default socket). Default: `[images] minikube` ("auto").
    #[arg(long, value_enum, value_name = "DAEMON")]
    pub into: Option<Into>,
    /// Do not use the build cache.
    #[arg(long)]
    pub no_cache: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Into {
    Local,
    Minikube,
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let cfg = g.config()?.config;
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::new(Exit::Io, format!("cannot read the current directory: {e}")))?;
    let inputs = BuildInputs {
        context: args.path,
        dockerfile: args.file,
        cwd,
        name: args.name,
        tags: args.tags,
        target: args.target,
        build_args: args.build_args,
        platform: args.platform,
        into: args.into.map(|i| match i {
            Into::Local => MinikubeMode::Never,
            Into::Minikube => MinikubeMode::Always,
        }),
        no_cache: args.no_cache,
    };
    let rules = super::contexts_cmd::class_rules_from(&cfg);
    let prepared = prepare_here(&cfg, inputs, &g.sources(), &rules)
        .map_err(|e| Failure::new(e.exit(), e.to_string()))?;
    for n in &prepared.notes {
        note(&format!("devk: {n}"));
    }
    if let Target::Minikube { why, .. } = &prepared.target {
        note(&format!(
            "devk: building into minikube's Docker daemon ({why})"
        ));
    }
    let tags = prepared.request.tags.clone();
    let rt = async_runtime(2)?;
    let live = std::io::stderr().is_terminal();
    let result = rt.block_on(async {
        let docker = connect_checked(&prepared.endpoint)
            .await
            .map_err(|e| Failure::new(e.exit(), e.to_string()))?;
        note(&format!(
            "devk: building {} on {}",
            tags.join(", "),
            prepared.endpoint.describe()
        ));
        let (tx, mut rx) = mpsc::channel::<BuildEvent>(256);
        let request = prepared.request.clone();
        let task = tokio::spawn(async move { build::run(&docker, request, tx).await });
        let mut view = Progress::new(live);
        while let Some(ev) = rx.recv().await {
            view.show(&ev);
        }
        view.finish();
        task.await
            .map_err(|e| Failure::new(Exit::Failure, format!("the build task failed: {e}")))
    })?;
    result.map_err(|e| Failure::new(e.exit(), e.to_string()))?;
    let mut text = String::new();
    for t in &tags {
        text.push_str(t);
        text.push('\n');
    }
    out(&text)
}

/// The progress display on stderr.
struct Progress {
    live: bool,
    /// A live status line is on screen (to be erased before the next line).
    status: bool,
    width: usize,
    step: String,
}

impl Progress {
    fn new(live: bool) -> Progress {
        let width = crossterm::terminal::size().map_or(80, |(w, _)| usize::from(w).max(20));
        Progress {
            live,
            status: false,
            width,
            step: String::new(),
        }
    }

    fn clear(&mut self, err: &mut impl Write) {
        if self.status {
            let _ = write!(err, "\r\x1b[2K");
            self.status = false;
        }
    }

    fn show(&mut self, ev: &BuildEvent) {
        let mut err = std::io::stderr().lock();
        match ev {
            BuildEvent::Step { index, total, text } => {
                self.clear(&mut err);
                self.step = format!("[{index}/{total}]");
                let line = if self.live {
                    format!("\x1b[1m[{index}/{total}]\x1b[0m {text}")
                } else {
                    format!("Step {index}/{total} : {text}")
                };
                let _ = writeln!(err, "{line}");
            }
            BuildEvent::Output(line) => {
                if self.live {
                    if line.trim().is_empty() {
                        return;
                    }
                    self.clear(&mut err);
                    let shown = truncate(&format!("  {} {line}", self.step), self.width - 1);
                    let _ = write!(err, "\x1b[2m{shown}\x1b[0m");
                    self.status = true;
                } else {
                    let _ = writeln!(err, "{line}");
                }
            }
            BuildEvent::ContextSent { entries, bytes } => {
                self.clear(&mut err);
                let _ = writeln!(err, "context: {entries} entries, {}", human_bytes(*bytes));
            }
            // The message itself ends the command ("devk: build failed: ...").
            BuildEvent::Error { context_lines, .. } => {
                self.clear(&mut err);
                if !context_lines.is_empty() {
                    let _ = writeln!(err, "--- last lines of the failing step ---");
                    for l in context_lines {
                        let _ = writeln!(err, "  | {l}");
                    }
                }
            }
            BuildEvent::Done { image_id, tags } => {
                self.clear(&mut err);
                let _ = writeln!(err, "built {image_id} as {}", tags.join(", "));
            }
        }
        let _ = err.flush();
    }

    fn finish(&mut self) {
        let mut err = std::io::stderr().lock();
        self.clear(&mut err);
        let _ = err.flush();
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// `1536` -> `1.5 KiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1024.0 && u < UNITS.len() - 1 {
        v /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_human() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(200 * 1024 * 1024), "200.0 MiB");
    }

    #[test]
    fn long_lines_are_cut_with_an_ellipsis() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
    }
}
