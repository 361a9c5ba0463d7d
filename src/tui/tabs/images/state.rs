//! The Images tab's state: the project's local images, and the build or push running or last
//! finished (steps, a bounded log, per-layer progress, and how it ended). Plain data;
//! `update.rs` drives it, the tasks in `tasks.rs` feed it.

use crate::images::build::BuildEvent;
use crate::images::list::ImageRow;
use crate::images::push_stream::PushEvent;
use crate::tui::widgets::list::{ListCursor, SortKey};

/// The columns `o` sorts by, in turn, after the list's own order (newest first): tag, size,
/// where pushed, id.
pub const SORTABLE: [usize; 5] = [3, 0, 2, 4, 1];

/// Log lines of an operation kept on screen.
pub const LOG_LINES: usize = 200;

/// What the operation is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpKind {
    Build,
    Push { reference: String },
}

/// A layer of a push and its latest status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub id: String,
    pub status: String,
    /// (bytes sent, bytes total) while pushing.
    pub progress: Option<(u64, u64)>,
}

/// How an operation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpEnd {
    /// It worked: what to say (`built app:1, app:main`, `pushed ... sha256:...`).
    Done(String),
    /// It failed: the message (and, for a build, the failing step's last lines in the log).
    Failed(String),
    /// The push policy refused it; nothing was sent.
    Refused {
        rule: String,
        rule_summary: String,
        why: String,
        advice: String,
    },
}

/// A build or push, running or finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageOp {
    pub kind: OpKind,
    /// The current build step: (index, total, text).
    pub step: Option<(u32, u32, String)>,
    /// Output lines, newest last (bounded).
    pub log: Vec<String>,
    /// Push layers in first-seen order.
    pub layers: Vec<Layer>,
    /// None while running.
    pub end: Option<OpEnd>,
}

impl ImageOp {
    pub fn new(kind: OpKind) -> ImageOp {
        ImageOp {
            kind,
            step: None,
            log: Vec::new(),
            layers: Vec::new(),
            end: None,
        }
    }

    pub fn running(&self) -> bool {
        self.end.is_none()
    }

    pub fn title(&self) -> String {
        match &self.kind {
            OpKind::Build => "Build".to_string(),
            OpKind::Push { reference } => format!("Push {reference}"),
        }
    }

    fn log_line(&mut self, line: String) {
        self.log.push(line);
        if self.log.len() > LOG_LINES {
            let extra = self.log.len() - LOG_LINES;
            self.log.drain(..extra);
        }
    }

    /// Applies build events.
    pub fn apply_build(&mut self, events: Vec<BuildEvent>) {
        for ev in events {
            match ev {
                BuildEvent::Step { index, total, text } => {
                    self.log_line(format!("Step {index}/{total} : {text}"));
                    self.step = Some((index, total, text));
                }
                BuildEvent::Output(line) => {
                    if !line.trim().is_empty() {
                        self.log_line(line);
                    }
                }
                BuildEvent::ContextSent { entries, bytes } => self.log_line(format!(
                    "context: {entries} entries, {}",
                    crate::format::size(bytes)
                )),
                BuildEvent::Error {
                    message,
                    context_lines,
                } => {
                    // The failing step's lines, unless the log already ends with them.
                    let shown = self.log.len() >= context_lines.len()
                        && self.log[self.log.len() - context_lines.len()..] == context_lines[..];
                    if !context_lines.is_empty() && !shown {
                        self.log_line("--- last lines of the failing step ---".into());
                        for l in context_lines {
                            self.log_line(format!("| {l}"));
                        }
                    }
                    self.log_line(format!("error: {message}"));
                }
                BuildEvent::Done { image_id, tags } => {
                    self.log_line(format!("built {image_id}: {}", tags.join(", ")))
                }
            }
        }
    }

    /// Applies push events.
    pub fn apply_push(&mut self, events: Vec<PushEvent>) {
        for ev in events {
            match ev {
                PushEvent::Status(s) => self.log_line(s),
                PushEvent::Digest { .. } => {}
                PushEvent::Layer {
                    id,
                    status,
                    current,
                    total,
                } => {
                    let progress = current.zip(total).filter(|(_, t)| *t > 0);
                    match self.layers.iter_mut().find(|l| l.id == id) {
                        Some(l) => {
                            l.status = status;
                            l.progress = progress;
                        }
                        None => self.layers.push(Layer {
                            id,
                            status,
                            progress,
                        }),
                    }
                }
            }
        }
    }
}

/// The tab.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImagesState {
    /// The project's image name (`[images] name`); empty = not configured.
    pub name: String,
    /// None until the first load answers; Err says why the list is unavailable.
    pub rows: Option<Result<Vec<ImageRow>, String>>,
    /// A (re)load is in flight.
    pub loading: bool,
    pub list: ListCursor,
    pub op: Option<ImageOp>,
    /// `[images] local_registry` (`host:port`; empty = none): where `p` pushes an image that
    /// has no registry tag.
    pub local_registry: String,
    /// The Docker Engine listed and pushed from (`DOCKER_HOST`, the docker context, or the
    /// default socket), shown under the list; empty when unknown.
    pub engine: String,
}

impl ImagesState {
    pub fn busy(&self) -> bool {
        self.op.as_ref().is_some_and(ImageOp::running)
    }

    /// Indices into the rows, in the order shown.
    pub fn visible(&self) -> Vec<usize> {
        self.visible_with(&self.list)
    }

    /// Like `visible`, for another cursor (a sort about to be chosen).
    pub fn visible_with(&self, list: &ListCursor) -> Vec<usize> {
        let Some(Ok(rows)) = &self.rows else {
            return Vec::new();
        };
        list.sorted((0..rows.len()).collect(), |i, column| {
            let r = &rows[i];
            match column {
                1 => SortKey::Text(r.id.clone()),
                2 => SortKey::Number(i64::try_from(r.size).unwrap_or(i64::MAX)),
                // Youngest first, as the ages read.
                3 => SortKey::Number(-r.created),
                4 => SortKey::Text(
                    r.pushed_to
                        .first()
                        .map(|p| p.reference.clone())
                        .unwrap_or_default(),
                ),
                _ => SortKey::Text(r.main_tag().unwrap_or("").to_string()),
            }
        })
    }

    pub fn selected_row(&self) -> Option<&ImageRow> {
        let i = *self.visible().get(self.list.selected)?;
        match &self.rows {
            Some(Ok(rows)) => rows.get(i),
            _ => None,
        }
    }

    pub fn row_count(&self) -> usize {
        match &self.rows {
            Some(Ok(rows)) => rows.len(),
            _ => 0,
        }
    }
}

/// What `p` pushes for a row: its first tag that names a registry other than Docker Hub
/// (rarely what a developer means) and ECR (only CI pushes there); else, with a local
/// registry configured, its first tag retagged for it (`Some(source)` to tag first); else its
/// first tag. The push policy still checks every tag of the image before anything is sent.
pub fn push_target(row: &ImageRow, local_registry: &str) -> Option<(String, Option<String>)> {
    let registry_tag = row.tags.iter().find(|t| {
        crate::policy::ImageRef::parse(t).is_ok_and(|r| {
            r.registry() != crate::policy::DEFAULT_REGISTRY
                && !crate::policy::classify_registry(r.registry(), &[]).is_ecr()
        })
    });
    if let Some(t) = registry_tag {
        return Some((t.clone(), None));
    }
    let first = row.tags.first()?;
    if !local_registry.trim().is_empty()
        && let Ok(target) = crate::images::push::local_target(first, local_registry)
    {
        return Some((target, Some(first.clone())));
    }
    Some((first.clone(), None))
}
