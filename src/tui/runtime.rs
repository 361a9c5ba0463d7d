//! The event loop and the effect runner. The loop waits on terminal events, messages from
//! background tasks (a bounded channel) and a frame tick; it applies every message with
//! `update` and draws at most one frame per tick, only when the model changed. Background tasks
//! never touch the model: they send messages.

use std::time::Duration;

use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use super::app::Model;
use super::msg::{Effect, KubeSnapshot, Msg, PodChange};
use super::theme::Theme;
use super::update::update;
use super::views::view;
use crate::cluster::{self, NamespaceCheck, pods::PodUpdate};
use crate::contexts::rows;
use crate::kubeconfig::{Kubeconfig, Sources, update as edit_kubeconfig};
use crate::policy::ClassRules;

/// What the effect runner needs from the outside world.
#[derive(Debug, Clone)]
pub struct Env {
    pub sources: Sources,
    pub rules: ClassRules,
    pub lock_timeout: Duration,
    pub namespace_timeout: Duration,
    pub max_streams: usize,
    pub silence: Duration,
    pub minikube: crate::minikube::Minikube,
    /// The loaded config (the Images tab builds and pushes with it).
    pub config: std::sync::Arc<crate::config::Config>,
}

/// Reads the kubeconfig into what the UI shows.
pub fn snapshot(sources: &Sources, rules: &ClassRules) -> Result<KubeSnapshot, String> {
    let kc = Kubeconfig::load_light(sources.clone(), false).map_err(|e| e.to_string())?;
    Ok(KubeSnapshot {
        rows: rows(&kc, rules),
        current: kc.current_context().map(str::to_string),
    })
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Runs effects as tasks; holds the one pod watch and the one log stream that may run at a
/// time.
struct Runner {
    env: Env,
    tx: mpsc::Sender<Msg>,
    watch: Option<JoinHandle<()>>,
    logs: Option<JoinHandle<()>>,
    /// Interrupts the running minikube operation.
    minikube_cancel: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Runner {
    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Quit => {}
            Effect::StopPods => {
                if let Some(w) = self.watch.take() {
                    w.abort();
                }
            }
            Effect::WatchPods {
                generation,
                context,
                namespace,
            } => {
                if let Some(w) = self.watch.take() {
                    w.abort();
                }
                let (sources, tx) = (self.env.sources.clone(), self.tx.clone());
                self.watch = Some(tokio::spawn(forward_pods(
                    sources, context, namespace, generation, tx,
                )));
            }
            Effect::LoadMinikube { profile } => {
                let (mk, tx) = (self.env.minikube.clone(), self.tx.clone());
                tokio::task::spawn_blocking(move || {
                    let _ = tx.blocking_send(Msg::Minikube(load_minikube(&mk, profile.as_deref())));
                });
            }
            Effect::CancelMinikube => {
                if let Some(c) = self.minikube_cancel.take() {
                    let _ = c.send(());
                }
            }
            Effect::RunMinikube { args } => {
                let (mk, tx) = (self.env.minikube.clone(), self.tx.clone());
                let (cancel_tx, cancel_rx) = tokio::sync::oneshot::channel::<()>();
                self.minikube_cancel = Some(cancel_tx);
                tokio::spawn(async move {
                    // Lines go through their own channel: the callback cannot wait.
                    let (ltx, mut lrx) = mpsc::unbounded_channel::<String>();
                    let forward_tx = tx.clone();
                    let forward = tokio::spawn(async move {
                        while let Some(line) = lrx.recv().await {
                            if forward_tx.send(Msg::MinikubeLine(line)).await.is_err() {
                                break;
                            }
                        }
                    });
                    let cancel = async move {
                        let _ = cancel_rx.await;
                    };
                    let result = mk
                        .stream(
                            &args,
                            |l| {
                                let _ = ltx.send(l.text);
                            },
                            cancel,
                        )
                        .await
                        .map_err(|e| e.to_string());
                    let _ = forward.await;
                    let _ = tx.send(Msg::MinikubeDone(result)).await;
                });
            }
            Effect::LoadCreds {
                generation,
                context,
            } => {
                let (sources, tx) = (self.env.sources.clone(), self.tx.clone());
                tokio::spawn(super::creds_tasks::load(sources, context, generation, tx));
            }
            Effect::RefreshCreds {
                generation,
                automatic,
                request,
            } => {
                let (sources, tx) = (self.env.sources.clone(), self.tx.clone());
                tokio::spawn(super::creds_tasks::refresh(
                    sources, *request, generation, automatic, tx,
                ));
            }
            Effect::LoadImages { name } => {
                tokio::spawn(super::images_tasks::load(name, self.tx.clone()));
            }
            Effect::BuildImage => {
                tokio::spawn(super::images_tasks::build(
                    self.env.clone(),
                    self.tx.clone(),
                ));
            }
            Effect::PushImage { reference, source } => {
                let (env, tx) = (self.env.clone(), self.tx.clone());
                tokio::spawn(super::images_tasks::push_image(env, reference, source, tx));
            }
            Effect::LoadHook => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.blocking_send(Msg::Hook(load_hook()));
                });
            }
            Effect::StopLogs => {
                if let Some(t) = self.logs.take() {
                    t.abort();
                }
            }
            Effect::StreamLogs {
                generation,
                selection,
                since,
                tail,
            } => {
                if let Some(t) = self.logs.take() {
                    t.abort();
                }
                let (env, tx) = (self.env.clone(), self.tx.clone());
                self.logs = Some(tokio::spawn(forward_logs(
                    env, selection, since, tail, generation, tx,
                )));
            }
            Effect::SaveLogs { text } => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let msg = match save_logs(&text) {
                        Ok(path) => Msg::Notice {
                            text: format!("Saved to {path}"),
                            error: false,
                        },
                        Err(e) => Msg::Notice {
                            text: e,
                            error: true,
                        },
                    };
                    let _ = tx.blocking_send(msg);
                });
            }
            Effect::Copy { text } => {
                // OSC 52: the terminal puts the text on the clipboard, also over ssh.
                let seq = format!(
                    "\x1b]52;c;{}\x07",
                    crate::encoding::base64_encode(text.as_bytes())
                );
                let ok = std::io::Write::write_all(&mut std::io::stdout(), seq.as_bytes()).is_ok();
                let _ = self.tx.try_send(Msg::Notice {
                    text: if ok {
                        "Copied the line (OSC 52)".into()
                    } else {
                        "Could not copy".into()
                    },
                    error: !ok,
                });
            }
            Effect::Switch { context } => {
                let (env, tx) = (self.env.clone(), self.tx.clone());
                tokio::task::spawn_blocking(move || {
                    let result = edit_kubeconfig(&env.sources, false, env.lock_timeout, |kc| {
                        kc.use_context(&context)
                    })
                    .map_err(|e| e.to_string())
                    .and_then(|()| snapshot(&env.sources, &env.rules));
                    let _ = tx.blocking_send(Msg::Changed {
                        what: format!("Switched to {context}"),
                        result,
                    });
                });
            }
            Effect::SetNamespace { context, namespace } => {
                let (env, tx) = (self.env.clone(), self.tx.clone());
                tokio::spawn(async move {
                    let result = set_namespace(&env, &context, &namespace).await;
                    let _ = tx
                        .send(Msg::Changed {
                            what: format!("Namespace of {context} is now {namespace}"),
                            result,
                        })
                        .await;
                });
            }
        }
    }
}

async fn set_namespace(env: &Env, context: &str, namespace: &str) -> Result<KubeSnapshot, String> {
    match cluster::check_namespace(&env.sources, context, namespace, env.namespace_timeout).await {
        Ok(NamespaceCheck::Missing { .. }) => {
            return Err(format!(
                "Namespace {namespace} does not exist in {context}; nothing changed"
            ));
        }
        // Exists, or the cluster could not say: set it (the CLI has --force for the first case).
        Ok(NamespaceCheck::Exists) | Err(_) => {}
    }
    let env2 = env.clone();
    let (context, namespace) = (context.to_string(), namespace.to_string());
    tokio::task::spawn_blocking(move || {
        edit_kubeconfig(&env2.sources, false, env2.lock_timeout, |kc| {
            kc.set_namespace(&context, Some(&namespace))
        })
        .map_err(|e| e.to_string())
        .and_then(|()| snapshot(&env2.sources, &env2.rules))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// minikube's profiles and the addons of `profile` (the active one when None).
fn load_minikube(
    mk: &crate::minikube::Minikube,
    profile: Option<&str>,
) -> Result<Box<super::minikube::MinikubeInfo>, String> {
    let profiles = mk.profiles().map_err(|e| e.to_string())?;
    let target = profile.map(str::to_string).or_else(|| {
        profiles
            .iter()
            .find(|p| p.active)
            .or(profiles.first())
            .map(|p| p.name.clone())
    });
    let addons = match &target {
        Some(p) if profiles.iter().any(|x| &x.name == p && x.is_running()) => {
            mk.addons(Some(p)).unwrap_or_default()
        }
        _ => Vec::new(),
    };
    Ok(Box::new(super::minikube::MinikubeInfo {
        profiles,
        addons,
        addons_of: target,
    }))
}

/// The hook's state in the repository around the current directory.
fn load_hook() -> Result<Box<super::msg::HookInfo>, String> {
    let cwd = std::env::current_dir().map_err(|e| e.to_string())?;
    let status = crate::githook::install::status(&cwd).map_err(|e| e.to_string())?;
    let last_scan = crate::githook::last_scan(&cwd).map_err(|e| e.to_string())?;
    Ok(Box::new(super::msg::HookInfo { status, last_scan }))
}

/// Writes saved logs to a new file in the current directory, created 0600 (logs can hold
/// secrets). Returns its path.
fn save_logs(text: &str) -> Result<String, String> {
    let stamp = jiff::Zoned::now().strftime("%Y%m%d-%H%M%S").to_string();
    let mut path = std::path::PathBuf::from(format!("devk-logs-{stamp}.log"));
    let mut n = 1;
    let mut file = loop {
        match crate::fsutil::create_new(&path, crate::fsutil::PRIVATE_MODE) {
            Ok(f) => break f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 100 => {
                n += 1;
                path = std::path::PathBuf::from(format!("devk-logs-{stamp}-{n}.log"));
            }
            Err(e) => return Err(format!("cannot save logs to {}: {e}", path.display())),
        }
    };
    std::io::Write::write_all(&mut file, text.as_bytes())
        .map_err(|e| format!("cannot save logs to {}: {e}", path.display()))?;
    Ok(std::path::absolute(&path)
        .unwrap_or(path)
        .display()
        .to_string())
}

/// Streams the logs of a view into messages, coalescing whatever is queued into one message
/// so a flood costs few `update` calls; the bounded channels push back on the HTTP streams.
async fn forward_logs(
    env: Env,
    selection: super::logview::Selection,
    since: Option<crate::logs::timestamp::Nanos>,
    tail: Option<i64>,
    generation: u64,
    tx: mpsc::Sender<Msg>,
) {
    use crate::cluster::logsession::{self, LogQuery, SessionEvent};
    let client = match cluster::client_for(&env.sources, &selection.context).await {
        Ok(c) => c,
        Err(e) => {
            let _ = tx
                .send(Msg::Logs {
                    generation,
                    events: vec![SessionEvent::Error(e.to_string())],
                })
                .await;
            return;
        }
    };
    // A workload view follows the owner (so pods it starts later join); otherwise the names.
    let pod = if selection.owner.is_some() {
        None
    } else {
        let names: Vec<String> = selection.pods.iter().map(|p| regex::escape(p)).collect();
        regex::Regex::new(&format!("^({})$", names.join("|"))).ok()
    };
    let query = LogQuery {
        namespaces: vec![selection.namespace.clone()],
        pod,
        owner: selection.owner.clone(),
        label_selector: None,
        field_selector: None,
        container: None,
        exclude_container: None,
        init_containers: true,
        follow: true,
        since,
        tail,
        max_streams: env.max_streams,
        silence: env.silence,
    };
    let (stx, mut srx) = mpsc::channel::<Vec<SessionEvent>>(64);
    let session = tokio::spawn(logsession::run(client, query, stx));
    while let Some(mut events) = srx.recv().await {
        while events.len() < 1000 {
            match srx.try_recv() {
                Ok(more) => events.extend(more),
                Err(_) => break,
            }
        }
        if tx.send(Msg::Logs { generation, events }).await.is_err() {
            break;
        }
    }
    session.abort();
}

async fn forward_pods(
    sources: Sources,
    context: String,
    namespace: String,
    generation: u64,
    tx: mpsc::Sender<Msg>,
) {
    let (ptx, mut prx) = mpsc::channel::<Vec<PodUpdate>>(16);
    let watch = tokio::spawn(cluster::pods::watch(sources, context, namespace, ptx));
    while let Some(batch) = prx.recv().await {
        let mut changes = Vec::with_capacity(batch.len());
        for u in batch {
            match u {
                PodUpdate::Reset(all) => changes.push(PodChange::Reset(all)),
                PodUpdate::Upsert(p) => changes.push(PodChange::Upsert(p)),
                PodUpdate::Delete(n) => changes.push(PodChange::Delete(n)),
                PodUpdate::Error(message) => {
                    if !changes.is_empty()
                        && tx
                            .send(Msg::Pods {
                                generation,
                                changes: std::mem::take(&mut changes),
                            })
                            .await
                            .is_err()
                    {
                        break;
                    }
                    if tx
                        .send(Msg::PodsError {
                            generation,
                            message,
                        })
                        .await
                        .is_err()
                    {
                        break;
                    }
                }
            }
        }
        if !changes.is_empty()
            && tx
                .send(Msg::Pods {
                    generation,
                    changes,
                })
                .await
                .is_err()
        {
            break;
        }
    }
    watch.abort();
}

/// Draw timings, for the frame-time benchmark: with `DEVK_FRAME_STATS=FILE` set, a summary is
/// written to FILE when the UI exits.
#[derive(Debug, Default)]
pub struct FrameStats {
    micros: Vec<u64>,
}

impl FrameStats {
    fn record(&mut self, started: std::time::Instant) {
        self.micros.push(started.elapsed().as_micros() as u64);
    }

    /// `frames=N p50_us=.. p99_us=.. max_us=..`
    pub fn summary(&self) -> String {
        let mut v = self.micros.clone();
        v.sort_unstable();
        let at = |q: f64| {
            v.get(((v.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(0)
        };
        format!(
            "frames={} p50_us={} p99_us={} max_us={}\n",
            v.len(),
            at(0.5),
            at(0.99),
            v.last().copied().unwrap_or(0)
        )
    }

    fn write_if_asked(&self) {
        if let Some(path) = std::env::var_os("DEVK_FRAME_STATS") {
            let _ = std::fs::write(path, self.summary());
        }
    }
}

/// How the loop ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// The user quits.
    Quit,
    /// Right after the first frame (for start-up benchmarks).
    FirstFrame,
}

/// Runs the UI on `terminal` until the user quits. `events` are the terminal's events, already
/// converted to messages (a test passes its own stream).
/// The next delivery of `sig`; never, when the handler could not be installed.
async fn next_signal(sig: &mut Option<Signal>) {
    match sig {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

pub async fn run<B: Backend>(
    terminal: &mut Terminal<B>,
    mut model: Model,
    theme: &Theme,
    env: Env,
    events: impl Stream<Item = Msg> + Unpin,
    fps: u64,
    until: Until,
) -> std::io::Result<Model>
where
    B::Error: Into<std::io::Error>,
{
    let size = terminal.size().map_err(Into::into)?;
    model.size = (size.width, size.height);
    model.now = now();
    terminal
        .draw(|f| view(&model, theme, f))
        .map_err(Into::into)?;
    model.dirty = false;
    if until == Until::FirstFrame {
        return Ok(model);
    }
    // Bounded: a flood from the cluster waits here instead of growing memory.
    let (tx, mut rx) = mpsc::channel::<Msg>(256);
    let mut runner = Runner {
        env,
        tx,
        watch: None,
        logs: None,
        minikube_cancel: None,
    };
    for e in model.start() {
        runner.run(e);
    }
    let mut events = events;
    // A closed terminal (SIGHUP) or a `kill` (SIGTERM) ends the loop like `q` does, so the
    // terminal is restored and `devk demo` removes its temporary kubeconfig.
    let mut hangup = signal(SignalKind::hangup()).ok();
    let mut terminate = signal(SignalKind::terminate()).ok();
    // Frames are drawn at most `fps` times a second and only when something changed: the
    // frame timer is armed by a change, so an idle UI does not wake up 30 times a second.
    let frame_gap = Duration::from_millis(1000 / fps.max(1));
    let mut last_frame = tokio::time::Instant::now();
    let mut clock = tokio::time::interval(Duration::from_millis(250));
    clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut last_second = 0;
    let mut stats = FrameStats::default();
    while !model.quit {
        let msg = tokio::select! {
            ev = events.next() => match ev {
                Some(m) => Some(m),
                None => break,
            },
            Some(m) = rx.recv() => Some(m),
            _ = next_signal(&mut hangup) => break,
            _ = next_signal(&mut terminate) => break,
            _ = tokio::time::sleep_until(last_frame + frame_gap), if model.dirty => {
                let started = std::time::Instant::now();
                terminal.draw(|f| view(&model, theme, f)).map_err(Into::into)?;
                stats.record(started);
                model.dirty = false;
                last_frame = tokio::time::Instant::now();
                None
            }
            _ = clock.tick() => {
                let t = now();
                // Seconds move pod ages; the quarter-second ticks only turn spinners.
                let spinning = model.busy.is_some() || model.pods.conn == super::app::Conn::Connecting;
                if t != last_second || spinning {
                    last_second = t;
                    Some(Msg::Clock(t))
                } else {
                    None
                }
            }
        };
        if let Some(msg) = msg {
            for e in update(&mut model, msg) {
                runner.run(e);
            }
            // Apply everything already queued before the next frame.
            while let Ok(m) = rx.try_recv() {
                for e in update(&mut model, m) {
                    runner.run(e);
                }
            }
        }
    }
    for task in [runner.watch.take(), runner.logs.take()]
        .into_iter()
        .flatten()
    {
        task.abort();
    }
    stats.write_if_asked();
    Ok(model)
}
