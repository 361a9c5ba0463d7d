//! The Registry creds tab's background work: read the pull secrets of a context, run a
//! refresh. Each task sends one message back and never touches the model; the only place the
//! TUI reaches the AWS SDK is `refresh`, started by an effect.

use std::time::Duration;

use tokio::sync::mpsc;

use crate::kubeconfig::Sources;
use crate::tui::msg::Msg;

/// Reading a context's secrets must end, even when its cluster does not answer.
const LOAD_TIMEOUT: Duration = Duration::from_secs(15);

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

/// Reads devk's and the addon's pull secrets and the service accounts of `context`.
pub(crate) async fn load(
    sources: Sources,
    context: String,
    generation: u64,
    tx: mpsc::Sender<Msg>,
) {
    let read = async {
        let client = crate::cluster::client_for(&sources, &context).await?;
        crate::cluster::pullsecrets::observe(&client, &context, None).await
    };
    let result = match tokio::time::timeout(LOAD_TIMEOUT, read).await {
        Ok(Ok((secrets, accounts))) => Ok(crate::ecr::status::rows(
            &context,
            &secrets,
            &accounts,
            now(),
        )),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err(format!(
            "the cluster of context `{context}` did not answer within {} s",
            LOAD_TIMEOUT.as_secs()
        )),
    };
    let _ = tx.send(Msg::CredsStatus { generation, result }).await;
}

/// Runs one refresh (the same code as `devk creds refresh`).
pub(crate) async fn refresh(
    sources: Sources,
    request: crate::ecr::refresh::Request,
    generation: u64,
    automatic: bool,
    tx: mpsc::Sender<Msg>,
) {
    let result = crate::ecr::refresh::refresh(&sources, &request, now())
        .await
        .map_err(|e| super::state::RefreshFailure::from(&e));
    let _ = tx
        .send(Msg::CredsRefreshed {
            generation,
            automatic,
            result,
        })
        .await;
}
