//! One image build through the Engine API (`POST /build`, the classic builder that the
//! Engine runs for API version 1 builds) and its output as [`BuildEvent`]s.
//!
//! [`Parser`] is pure: it turns the engine's JSON messages (`stream`, `aux.ID`, errors) into
//! events, splitting lines and remembering the lines of the current step so a failure can
//! show what led to it. [`run`] streams the context tar, feeds the parser and sends events
//! over a bounded channel; the CLI prints them and the TUI turns them into messages.

use std::collections::HashMap;
use std::collections::VecDeque;

use bollard::Docker;
use bollard::query_parameters::{BuildImageOptionsBuilder, TagImageOptionsBuilder};
use futures::StreamExt;
use tokio::sync::mpsc;

use super::context::{self, ContextError, Plan, Summary};
use crate::exit::Exit;

/// How many lines before an error are kept to show with it.
pub const CONTEXT_LINES: usize = 20;

/// What a build reports while it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildEvent {
    /// `Step 2/5 : RUN make` (index and total are 1-based as the engine prints them).
    Step {
        index: u32,
        total: u32,
        text: String,
    },
    /// One line of output (from a RUN command or the builder itself).
    Output(String),
    /// The context tar has been written: entries and bytes sent.
    ContextSent { entries: u64, bytes: u64 },
    /// The build failed: the engine's message and the lines of the failing step before it.
    Error {
        message: String,
        context_lines: Vec<String>,
    },
    /// The image was built and tagged.
    Done { image_id: String, tags: Vec<String> },
}

/// Why a build failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("build failed: {message}")]
    Failed {
        message: String,
        context_lines: Vec<String>,
    },
    #[error("{0}")]
    Context(#[from] ContextError),
    #[error("Docker Engine error: {0}")]
    Engine(String),
    #[error("cannot tag {image} as {tag}: {message}")]
    Tag {
        image: String,
        tag: String,
        message: String,
    },
}

impl BuildError {
    /// The exit code for this error.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Failed { .. } | Self::Tag { .. } => Exit::Failure,
            Self::Context(e) => e.exit(),
            Self::Engine(m) if is_connection_error(m) => Exit::Unreachable,
            Self::Engine(_) => Exit::Failure,
        }
    }
}

fn is_connection_error(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    [
        "connect",
        "connection",
        "timed out",
        "timeout",
        "broken pipe",
    ]
    .iter()
    .any(|w| m.contains(w))
}

/// Everything a build needs besides the engine.
#[derive(Debug, Clone)]
pub struct BuildRequest {
    pub plan: Plan,
    /// Full references (`name:tag`); the first is given to the build, the rest are added.
    pub tags: Vec<String>,
    pub target: Option<String>,
    pub build_args: Vec<(String, String)>,
    pub platform: Option<String>,
    pub no_cache: bool,
}

/// Turns engine messages into events.
#[derive(Debug, Default)]
pub struct Parser {
    partial: String,
    /// Lines since the current step began (including its `Step` line), capped.
    recent: VecDeque<String>,
    image_id: Option<String>,
}

impl Parser {
    /// The image id seen so far (`aux.ID`, else `Successfully built X`).
    pub fn image_id(&self) -> Option<&str> {
        self.image_id.as_deref()
    }

    /// A `stream` message: zero or more lines (the last one may be unfinished).
    pub fn stream(&mut self, text: &str) -> Vec<BuildEvent> {
        self.partial.push_str(text);
        let mut events = Vec::new();
        while let Some(nl) = self.partial.find('\n') {
            let line: String = self.partial.drain(..=nl).collect();
            let line = line.trim_end_matches(['\n', '\r']).to_string();
            events.extend(self.line(line));
        }
        events
    }

    /// An `aux` message with the built image's id.
    pub fn aux_id(&mut self, id: &str) {
        self.image_id = Some(id.to_string());
    }

    /// An error message: flushes a pending partial line and returns the error event.
    pub fn error(&mut self, message: &str) -> Vec<BuildEvent> {
        let mut events = self.finish();
        events.push(BuildEvent::Error {
            message: message.trim_end().to_string(),
            context_lines: self.recent.iter().cloned().collect(),
        });
        events
    }

    /// The end of the stream: a last line without a newline.
    pub fn finish(&mut self) -> Vec<BuildEvent> {
        if self.partial.is_empty() {
            return Vec::new();
        }
        let line = std::mem::take(&mut self.partial);
        self.line(line.trim_end_matches('\r').to_string())
    }

    fn line(&mut self, line: String) -> Vec<BuildEvent> {
        if let Some((index, total, text)) = parse_step(&line) {
            self.recent.clear();
            self.remember(line);
            return vec![BuildEvent::Step { index, total, text }];
        }
        if let Some(id) = line.strip_prefix("Successfully built ")
            && self.image_id.is_none()
        {
            self.image_id = Some(id.trim().to_string());
        }
        self.remember(line.clone());
        vec![BuildEvent::Output(line)]
    }

    fn remember(&mut self, line: String) {
        if self.recent.len() == CONTEXT_LINES {
            self.recent.pop_front();
        }
        self.recent.push_back(line);
    }
}

/// `Step 3/7 : RUN make` -> (3, 7, "RUN make").
pub fn parse_step(line: &str) -> Option<(u32, u32, String)> {
    let rest = line.strip_prefix("Step ")?;
    let (nums, text) = rest.split_once(" : ")?;
    let (i, t) = nums.split_once('/')?;
    Some((i.parse().ok()?, t.parse().ok()?, text.to_string()))
}

/// Splits `name:tag` (the tag is after the last ':' that follows the last '/').
pub fn split_reference(reference: &str) -> (&str, Option<&str>) {
    let slash = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[slash..].rfind(':') {
        Some(i) => (&reference[..slash + i], Some(&reference[slash + i + 1..])),
        None => (reference, None),
    }
}

async fn emit(events: &mpsc::Sender<BuildEvent>, list: Vec<BuildEvent>) {
    for e in list {
        // A closed receiver (the user left the view) does not stop the build.
        let _ = events.send(e).await;
    }
}

/// Builds `req` on `docker`, sending events as they happen; returns the image id.
pub async fn run(
    docker: &Docker,
    req: BuildRequest,
    events: mpsc::Sender<BuildEvent>,
) -> Result<String, BuildError> {
    let args: HashMap<String, String> = req.build_args.iter().cloned().collect();
    let mut options = BuildImageOptionsBuilder::new()
        .dockerfile(&req.plan.dockerfile)
        .rm(true)
        .nocache(req.no_cache)
        .buildargs(&args);
    if let Some(first) = req.tags.first() {
        options = options.t(first);
    }
    if let Some(t) = &req.target {
        options = options.target(t);
    }
    if let Some(p) = &req.platform {
        options = options.platform(p);
    }
    let (rx, tar_task) = context::stream(req.plan.clone());
    // Report the context size as soon as it is written, before the steps run.
    let sizes = events.clone();
    let tar_task = tokio::spawn(async move {
        let result = match tar_task.await {
            Ok(r) => r.map_err(BuildError::from),
            Err(e) => Err(BuildError::Engine(format!("context writer stopped: {e}"))),
        };
        if let Ok(s) = &result {
            let _ = sizes
                .send(BuildEvent::ContextSent {
                    entries: s.entries,
                    bytes: s.bytes,
                })
                .await;
        }
        result
    });
    let body =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|c| (c, rx)) });
    let mut stream =
        docker.build_image(options.build(), None, Some(bollard::body_try_stream(body)));

    let mut parser = Parser::default();
    let mut failure: Option<BuildError> = None;
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(text) = &info.stream {
                    emit(&events, parser.stream(text)).await;
                }
                if let Some(id) = info.aux.as_ref().and_then(|a| a.id.as_deref()) {
                    parser.aux_id(id);
                }
                if let Some(msg) = info
                    .error_detail
                    .as_ref()
                    .and_then(|d| d.message.as_deref())
                {
                    failure = Some(fail(&events, &mut parser, msg).await);
                    break;
                }
            }
            Err(bollard::errors::Error::DockerStreamError { error }) => {
                failure = Some(fail(&events, &mut parser, &error).await);
                break;
            }
            Err(e) => {
                failure = Some(BuildError::Engine(e.to_string()));
                break;
            }
        }
    }
    drop(stream);
    emit(&events, parser.finish()).await;
    let summary: Result<Summary, BuildError> = tar_task
        .await
        .unwrap_or_else(|e| Err(BuildError::Engine(format!("context writer stopped: {e}"))));
    if let Some(f) = failure {
        // A context error explains an aborted upload better than the HTTP error it caused.
        return Err(match (f, summary) {
            (BuildError::Engine(_), Err(BuildError::Context(ctx))) if !ctx.is_stopped_reading() => {
                BuildError::Context(ctx)
            }
            (f, _) => f,
        });
    }
    summary?;
    let Some(image_id) = parser.image_id().map(str::to_string) else {
        return Err(BuildError::Engine(
            "the build ended without reporting an image id".into(),
        ));
    };
    for tag in req.tags.iter().skip(1) {
        let (repo, t) = split_reference(tag);
        let mut opts = TagImageOptionsBuilder::new().repo(repo);
        if let Some(t) = t {
            opts = opts.tag(t);
        }
        docker
            .tag_image(&image_id, Some(opts.build()))
            .await
            .map_err(|e| BuildError::Tag {
                image: image_id.clone(),
                tag: tag.clone(),
                message: e.to_string(),
            })?;
    }
    let _ = events
        .send(BuildEvent::Done {
            image_id: image_id.clone(),
            tags: req.tags.clone(),
        })
        .await;
    Ok(image_id)
}

async fn fail(events: &mpsc::Sender<BuildEvent>, parser: &mut Parser, message: &str) -> BuildError {
    let list = parser.error(message);
    let context_lines = match list.last() {
        Some(BuildEvent::Error { context_lines, .. }) => context_lines.clone(),
        _ => Vec::new(),
    };
    emit(events, list).await;
    BuildError::Failed {
        message: message.trim_end().to_string(),
        context_lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_output_and_image_id_are_parsed_across_chunk_boundaries() {
        let mut p = Parser::default();
        let mut ev = p.stream("Step 1/2 : FROM scratch\n");
        ev.extend(p.stream("\n ---> Running in 12ab\nhel"));
        ev.extend(p.stream("lo\r\nSuccessfully built 0123abcd\n"));
        assert_eq!(
            ev,
            [
                BuildEvent::Step {
                    index: 1,
                    total: 2,
                    text: "FROM scratch".into()
                },
                BuildEvent::Output(String::new()),
                BuildEvent::Output(" ---> Running in 12ab".into()),
                BuildEvent::Output("hello".into()),
                BuildEvent::Output("Successfully built 0123abcd".into()),
            ]
        );
        assert_eq!(p.image_id(), Some("0123abcd"));
        p.aux_id("sha256:feed");
        assert_eq!(p.image_id(), Some("sha256:feed"));
    }

    #[test]
    fn error_carries_the_lines_of_the_failing_step() {
        let mut p = Parser::default();
        p.stream("Step 1/3 : COPY busybox /busybox\n ---> 11\n");
        p.stream("Step 2/3 : RUN [\"/busybox\", \"sh\", \"-c\", \"echo compiling; false\"]\n");
        p.stream(" ---> Running in aa\ncompiling\npartial");
        let ev = p.error(
            "The command '/busybox sh -c echo compiling; false' returned a non-zero code: 1\n",
        );
        assert_eq!(ev[0], BuildEvent::Output("partial".into()));
        let BuildEvent::Error {
            message,
            context_lines,
        } = &ev[1]
        else {
            panic!("{ev:?}")
        };
        assert!(message.ends_with("non-zero code: 1"));
        assert_eq!(
            context_lines,
            &[
                "Step 2/3 : RUN [\"/busybox\", \"sh\", \"-c\", \"echo compiling; false\"]",
                " ---> Running in aa",
                "compiling",
                "partial"
            ]
        );
    }

    #[test]
    fn context_lines_are_capped() {
        let mut p = Parser::default();
        for i in 0..50 {
            p.stream(&format!("line {i}\n"));
        }
        let ev = p.error("boom");
        let BuildEvent::Error { context_lines, .. } = &ev[0] else {
            panic!()
        };
        assert_eq!(context_lines.len(), CONTEXT_LINES);
        assert_eq!(context_lines.last().unwrap(), "line 49");
    }

    #[test]
    fn step_lines_need_the_engine_format() {
        assert_eq!(
            parse_step("Step 10/12 : ARG X=1"),
            Some((10, 12, "ARG X=1".into()))
        );
        assert_eq!(parse_step("Step one"), None);
        assert_eq!(parse_step("Steps 1/2 : x"), None);
    }

    #[test]
    fn references_split_at_the_tag_colon_not_the_port() {
        assert_eq!(split_reference("app:abc1234"), ("app", Some("abc1234")));
        assert_eq!(
            split_reference("127.0.0.1:5000/team/app:main"),
            ("127.0.0.1:5000/team/app", Some("main"))
        );
        assert_eq!(
            split_reference("127.0.0.1:5000/app"),
            ("127.0.0.1:5000/app", None)
        );
    }

    #[test]
    fn connection_errors_map_to_unreachable() {
        assert_eq!(
            BuildError::Engine("error trying to connect: refused".into()).exit(),
            Exit::Unreachable
        );
        assert_eq!(
            BuildError::Engine("no space left".into()).exit(),
            Exit::Failure
        );
    }
}
