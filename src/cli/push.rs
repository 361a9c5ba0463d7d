//! `devk push IMAGE[:TAG]`: push a local image with the credentials of the Docker config,
//! after the push policy allowed it. A refused push ends with exit 6 before devk resolves or
//! contacts the Docker Engine; rejected credentials end with 9, an unreachable engine or
//! registry with 8. Progress goes to stderr (one line per layer change when stderr is not a
//! terminal, a compact live per-layer display when it is); the result goes to stdout.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};

use tokio::sync::mpsc;

use super::output::{async_runtime, note, out};
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::images::push::{PushError, PushOptions, local_target, push, tag_local};
use crate::images::push_stream::PushEvent;
use crate::policy::Env;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The image to push, e.g. 127.0.0.1:5000/app:1 (`:latest` when no tag is given).
    #[arg(value_name = "IMAGE[:TAG]")]
    pub image: String,
    /// Tag IMAGE for the local registry (`[images] local_registry`, e.g. 127.0.0.1:5000) and
    /// push it there: `app:1` goes to `127.0.0.1:5000/app:1`.
    #[arg(long)]
    pub local: bool,
}

/// Push options from the loaded config and this process's environment.
pub fn options(g: &Globals) -> Result<PushOptions, Failure> {
    Ok(PushOptions {
        env: Env::from_process(),
        rules: super::policy::push_rules(g)?,
        endpoint: None,
        docker_config: None,
        state_dir: crate::state::state_dir(),
    })
}

/// The failure for a push error: a refusal is shown with the policy's own explanation.
pub fn failure(e: PushError) -> Failure {
    let exit = e.exit();
    match e {
        PushError::Refused(d) => Failure::new(
            exit,
            format!(
                "{}\n(nothing was sent: devk refuses before contacting the Docker Engine or any registry)",
                super::policy::text(&d).trim_end()
            ),
        ),
        other => Failure::new(exit, other.to_string()),
    }
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let opts = options(g)?;
    let (source, image) = if args.local {
        let registry = g.config()?.config.images.local_registry;
        if registry.trim().is_empty() {
            return Err(Failure::new(
                Exit::Config,
                "--local needs a local registry: set `local_registry` under [images] in \
                 devk.toml (e.g. \"127.0.0.1:5000\")",
            ));
        }
        let target = local_target(&args.image, &registry).map_err(failure)?;
        (Some(args.image), target)
    } else {
        (None, args.image)
    };
    // The policy's first check needs no runtime, engine or network.
    crate::images::push::check_reference(&image, &opts).map_err(failure)?;
    let rt = async_runtime(2)?;
    let live = std::io::stderr().is_terminal();
    let outcome = rt.block_on(async {
        if let Some(source) = &source {
            tag_local(source, &image, &opts).await.map_err(failure)?;
            note(&format!("devk: tagged {source} as {image}"));
        }
        let (tx, mut rx) = mpsc::channel::<PushEvent>(64);
        let (image, opts) = (image.clone(), opts.clone());
        let task = tokio::spawn(async move { push(&image, &opts, &tx).await });
        let mut view = Progress::new(live);
        while let Some(ev) = rx.recv().await {
            view.show(ev);
        }
        task.await
            .map_err(|e| Failure::new(Exit::Failure, format!("the push task failed: {e}")))
    })?;
    let outcome = outcome.map_err(failure)?;
    if let Some(problem) = &outcome.record_problem {
        note(&format!("devk: {problem}"));
    }
    let digest = outcome.digest.as_deref().unwrap_or("(digest not reported)");
    out(&format!("pushed {} {digest}\n", outcome.reference))
}

/// The progress display on stderr.
struct Progress {
    live: bool,
    /// Layer id -> its last line, in first-seen order.
    layers: Vec<String>,
    lines: BTreeMap<String, String>,
    /// How many layer lines the live display last drew.
    drawn: usize,
}

impl Progress {
    fn new(live: bool) -> Progress {
        Progress {
            live,
            layers: Vec::new(),
            lines: BTreeMap::new(),
            drawn: 0,
        }
    }

    fn show(&mut self, ev: PushEvent) {
        let mut err = std::io::stderr().lock();
        match ev {
            PushEvent::Status(s) => {
                self.clear(&mut err);
                let _ = writeln!(err, "{s}");
                self.redraw(&mut err);
            }
            // The engine also says it as a status line; stdout gets it at the end.
            PushEvent::Digest { .. } => {}
            PushEvent::Layer {
                id,
                status,
                current,
                total,
            } => {
                let line = layer_line(&status, current, total, self.live);
                if !self.lines.contains_key(&id) {
                    self.layers.push(id.clone());
                }
                let changed = self.lines.get(&id) != Some(&line);
                self.lines.insert(id.clone(), line.clone());
                if self.live {
                    self.clear(&mut err);
                    self.redraw(&mut err);
                } else if changed {
                    let _ = writeln!(err, "{id}: {line}");
                }
            }
        }
        let _ = err.flush();
    }

    /// Moves up over the live block and erases it.
    fn clear(&mut self, err: &mut impl Write) {
        if self.live && self.drawn > 0 {
            let _ = write!(err, "\x1b[{}A\x1b[J", self.drawn);
            self.drawn = 0;
        }
    }

    fn redraw(&mut self, err: &mut impl Write) {
        if !self.live {
            return;
        }
        for id in &self.layers {
            let line = self.lines.get(id).map(String::as_str).unwrap_or("");
            let _ = writeln!(err, "{id}: {line}");
        }
        self.drawn = self.layers.len();
    }
}

/// A layer's line. Plain output leaves byte counts out so that it changes only when the
/// status does; the live display shows them.
fn layer_line(status: &str, current: Option<u64>, total: Option<u64>, live: bool) -> String {
    let pct = current
        .zip(total)
        .and_then(|(c, t)| (c.min(t) * 100).checked_div(t));
    match (live, current, total, pct) {
        (true, Some(c), Some(t), Some(pct)) => {
            let filled = usize::try_from(pct / 5).unwrap_or(20);
            format!(
                "{status:<12} [{}{}] {}/{}",
                "=".repeat(filled),
                " ".repeat(20 - filled.min(20)),
                // The engine counts bytes sent and the layer size differently; never show
                // more sent than the total.
                crate::format::size(c.min(t)),
                crate::format::size(t)
            )
        }
        _ => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_lines_plain_and_live() {
        assert_eq!(layer_line("Pushing", Some(5), Some(10), false), "Pushing");
        assert_eq!(
            layer_line("Pushing", Some(5), Some(10), true),
            "Pushing      [==========          ] 5B/10B"
        );
        assert_eq!(layer_line("Pushed", None, None, true), "Pushed");
    }
}
