//! The Images tab's background work, run by the effect runner: list the project's images,
//! build the project, push an image. Each sends messages back (progress batched: whatever is
//! queued goes in one message) and never touches the model.

use tokio::sync::mpsc;

use super::state::OpEnd;
use crate::images::build::{self, BuildEvent};
use crate::images::push::{PushError, PushOptions, push};
use crate::images::push_stream::PushEvent;
use crate::tui::msg::Msg;
use crate::tui::runtime::Env;

/// Lists the project's images and answers with [`Msg::Images`].
pub async fn load(name: String, tx: mpsc::Sender<Msg>) {
    let state = crate::state::state_dir();
    let rows = crate::images::local::load(&name, state.as_deref())
        .await
        .map_err(|e| e.to_string());
    let _ = tx.send(Msg::Images(rows)).await;
}

/// Receives from `rx` until it closes, sending whatever is queued as one message.
async fn forward<T>(mut rx: mpsc::Receiver<T>, tx: mpsc::Sender<Msg>, wrap: fn(Vec<T>) -> Msg) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < 200 {
            match rx.try_recv() {
                Ok(more) => batch.push(more),
                Err(_) => break,
            }
        }
        if tx.send(wrap(batch)).await.is_err() {
            break;
        }
    }
}

/// Builds the project as `devk build` with no arguments would, from the current directory.
pub async fn build(env: Env, tx: mpsc::Sender<Msg>) {
    let end = match run_build(&env, &tx).await {
        Ok(done) => OpEnd::Done(done),
        Err(message) => OpEnd::Failed(message),
    };
    let _ = tx.send(Msg::ImageOpDone(end)).await;
}

/// Runs the build; `Ok` says what was built, and where when not in the listed engine.
async fn run_build(env: &Env, tx: &mpsc::Sender<Msg>) -> Result<String, String> {
    let (cfg, sources, rules) = (env.config.clone(), env.sources.clone(), env.rules.clone());
    // Preparing reads git and may ask minikube for its profiles: off the async workers.
    let prepared = tokio::task::spawn_blocking(move || {
        let cwd = std::env::current_dir()
            .map_err(|e| format!("cannot read the current directory: {e}"))?;
        let inputs = crate::images::prepare::BuildInputs {
            cwd,
            ..Default::default()
        };
        crate::images::setup::prepare_here(&cfg, inputs, &sources, &rules)
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())??;
    let docker = crate::images::docker::connect_checked(&prepared.endpoint)
        .await
        .map_err(|e| e.to_string())?;
    let (btx, brx) = mpsc::channel::<BuildEvent>(256);
    let forwarder = tokio::spawn(forward(brx, tx.clone(), Msg::ImageBuild));
    let mut done = format!("Built {}", prepared.request.tags.join(", "));
    let result = build::run(&docker, prepared.request, btx).await;
    let _ = forwarder.await;
    if let crate::images::target::Target::Minikube { profile, .. } = &prepared.target {
        // Said where it went: this tab lists the environment's engine, not minikube's.
        done.push_str(&format!(
            " into minikube's Docker daemon ({}), not the engine listed here",
            profile.as_deref().unwrap_or("its active profile")
        ));
    }
    result.map(|_| done).map_err(|e| e.to_string())
}

/// Pushes `reference` exactly as `devk push` does: policy first, then credentials, then the
/// engine.
pub async fn push_image(
    env: Env,
    reference: String,
    source: Option<String>,
    tx: mpsc::Sender<Msg>,
) {
    let cfg = &env.config;
    let rules =
        match crate::policy::PushRules::new(&cfg.policy.ci_only_registries, &cfg.policy.ci_systems)
        {
            Ok(r) => r,
            Err(e) => {
                let _ = tx.send(Msg::ImageOpDone(OpEnd::Failed(e))).await;
                return;
            }
        };
    let opts = PushOptions {
        env: crate::policy::Env::from_process(),
        rules,
        endpoint: None,
        docker_config: None,
        state_dir: crate::state::state_dir(),
    };
    if let Some(source) = source
        && let Err(e) = crate::images::push::tag_local(&source, &reference, &opts).await
    {
        let _ = tx.send(Msg::ImageOpDone(op_end(Err(e)))).await;
        return;
    }
    let (ptx, prx) = mpsc::channel::<PushEvent>(256);
    let forwarder = tokio::spawn(forward(prx, tx.clone(), Msg::ImagePush));
    let result = push(&reference, &opts, &ptx).await;
    drop(ptx);
    let _ = forwarder.await;
    let _ = tx.send(Msg::ImageOpDone(op_end(result))).await;
}

/// How a push ended, for the tab.
pub fn op_end(result: Result<crate::images::push::PushOutcome, PushError>) -> OpEnd {
    match result {
        Ok(o) => OpEnd::Done(format!(
            "Pushed {} {}",
            o.reference,
            o.digest.as_deref().unwrap_or("")
        )),
        Err(PushError::Refused(d)) => OpEnd::Refused {
            rule: d.rule,
            rule_summary: d.rule_summary,
            why: d.why,
            advice: d.advice,
        },
        Err(e) => OpEnd::Failed(e.to_string()),
    }
}
