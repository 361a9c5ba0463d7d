//! The Minikube tab's background work: ask minikube for its profiles and addons, and run a
//! long operation (start, stop, an addon toggle) streaming its output, interruptible.

use tokio::sync::{mpsc, oneshot};

use super::state::MinikubeInfo;
use crate::minikube::Minikube;
use crate::tui::msg::Msg;

/// minikube's profiles and the addons of `profile` (the active one when None). Blocking.
pub(crate) fn load(mk: &Minikube, profile: Option<&str>) -> Result<Box<MinikubeInfo>, String> {
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
    Ok(Box::new(MinikubeInfo {
        profiles,
        addons,
        addons_of: target,
    }))
}

/// Runs `minikube ARGS`, sending each output line, then how it ended. `cancel` interrupts it
/// (SIGINT, as ctrl-c would).
pub(crate) async fn run(
    mk: Minikube,
    args: Vec<String>,
    cancel: oneshot::Receiver<()>,
    tx: mpsc::Sender<Msg>,
) {
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
        let _ = cancel.await;
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
}
