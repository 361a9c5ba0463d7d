//! The effect runner: each `Effect` becomes a task of the tab that asked for it. It holds the
//! tasks that may run one at a time (the pod watch, the log stream, a minikube operation) so a
//! new one replaces the old.

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::Env;
use crate::tui::msg::{Effect, Msg};
use crate::tui::tabs::{contexts, creds, hook, images, logs, minikube, pods};

/// Runs effects as tasks; answers come back on `tx`.
pub(super) struct Runner {
    env: Env,
    tx: mpsc::Sender<Msg>,
    watch: Option<JoinHandle<()>>,
    logs: Option<JoinHandle<()>>,
    /// Interrupts the running minikube operation.
    minikube_cancel: Option<oneshot::Sender<()>>,
}

impl Runner {
    pub(super) fn new(env: Env, tx: mpsc::Sender<Msg>) -> Runner {
        Runner {
            env,
            tx,
            watch: None,
            logs: None,
            minikube_cancel: None,
        }
    }

    /// Starts the work `effect` asks for.
    pub(super) fn run(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        match effect {
            Effect::Quit => {}
            Effect::StopPods => abort(&mut self.watch),
            Effect::WatchPods {
                generation,
                context,
                namespace,
            } => {
                abort(&mut self.watch);
                let sources = self.env.sources.clone();
                self.watch = Some(tokio::spawn(pods::tasks::forward_pods(
                    sources, context, namespace, generation, tx,
                )));
            }
            Effect::LoadMinikube { profile } => {
                let mk = self.env.minikube.clone();
                tokio::task::spawn_blocking(move || {
                    let info = minikube::tasks::load(&mk, profile.as_deref());
                    let _ = tx.blocking_send(Msg::Minikube(info));
                });
            }
            Effect::CancelMinikube => {
                if let Some(c) = self.minikube_cancel.take() {
                    let _ = c.send(());
                }
            }
            Effect::RunMinikube { args } => {
                let (cancel_tx, cancel_rx) = oneshot::channel::<()>();
                self.minikube_cancel = Some(cancel_tx);
                let mk = self.env.minikube.clone();
                tokio::spawn(minikube::tasks::run(mk, args, cancel_rx, tx));
            }
            Effect::LoadCreds {
                generation,
                context,
            } => {
                let sources = self.env.sources.clone();
                tokio::spawn(creds::tasks::load(sources, context, generation, tx));
            }
            Effect::RefreshCreds {
                generation,
                automatic,
                request,
            } => {
                let sources = self.env.sources.clone();
                tokio::spawn(creds::tasks::refresh(
                    sources, *request, generation, automatic, tx,
                ));
            }
            Effect::LoadImages { name } => {
                tokio::spawn(images::tasks::load(name, tx));
            }
            Effect::BuildImage => {
                tokio::spawn(images::tasks::build(self.env.clone(), tx));
            }
            Effect::PushImage { reference, source } => {
                let env = self.env.clone();
                tokio::spawn(images::tasks::push_image(env, reference, source, tx));
            }
            Effect::LoadHook => {
                tokio::task::spawn_blocking(move || {
                    let _ = tx.blocking_send(Msg::Hook(hook::tasks::load()));
                });
            }
            Effect::StopLogs => abort(&mut self.logs),
            Effect::StreamLogs {
                generation,
                selection,
                since,
                tail,
            } => {
                abort(&mut self.logs);
                let env = self.env.clone();
                self.logs = Some(tokio::spawn(logs::tasks::forward_logs(
                    env, selection, since, tail, generation, tx,
                )));
            }
            Effect::SaveLogs { text } => {
                tokio::task::spawn_blocking(move || {
                    let _ = tx.blocking_send(logs::tasks::save(&text));
                });
            }
            Effect::Copy { text } => {
                let _ = tx.try_send(logs::tasks::copy(&text));
            }
            Effect::Switch { context } => {
                let env = self.env.clone();
                tokio::task::spawn_blocking(move || contexts::tasks::switch(&env, &context, &tx));
            }
            Effect::LoadNamespaces { context } => {
                let env = self.env.clone();
                tokio::spawn(contexts::tasks::load_namespaces(env, context, tx));
            }
            Effect::SetNamespace { context, namespace } => {
                let env = self.env.clone();
                tokio::spawn(contexts::tasks::set_namespace(env, context, namespace, tx));
            }
        }
    }

    /// Stops the tasks that would outlive the loop.
    pub(super) fn stop(&mut self) {
        abort(&mut self.watch);
        abort(&mut self.logs);
    }
}

fn abort(task: &mut Option<JoinHandle<()>>) {
    if let Some(t) = task.take() {
        t.abort();
    }
}
