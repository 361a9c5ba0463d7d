//! The log view's background work: the log session of a selection (batched into messages),
//! saving the buffer to a file, copying a line to the clipboard.

use std::time::Duration;

use tokio::sync::mpsc;

use super::state::Selection;
use crate::logs::session::{LogQuery, SessionEvent};
use crate::ops::{self, logs::LogRequest};
use crate::tui::msg::Msg;
use crate::tui::runtime::Env;

/// Streams the logs of a view into messages, coalescing whatever is queued into one message
/// so a flood costs few `update` calls; the bounded channels push back on the HTTP streams.
/// The session is opened by `ops::logs::open`, the same use case `devk logs` calls.
pub(crate) async fn forward_logs(
    env: Env,
    selection: Selection,
    since: Option<crate::logs::timestamp::Nanos>,
    tail: Option<i64>,
    generation: u64,
    tx: mpsc::Sender<Msg>,
) {
    // A workload view follows the owner (so pods it starts later join); otherwise the names.
    let pod = if selection.owner.is_some() {
        None
    } else {
        let names: Vec<String> = selection.pods.iter().map(|p| regex::escape(p)).collect();
        regex::Regex::new(&format!("^({})$", names.join("|"))).ok()
    };
    let logs = &env.config.logs;
    let query = LogQuery {
        pod,
        owner: selection.owner.clone(),
        init_containers: true,
        // A previous instance is over: read it once; the live view follows.
        follow: !selection.previous,
        previous: selection.previous,
        since,
        tail,
        max_streams: env.max_streams,
        silence: env.silence,
        max_line_bytes: usize::try_from(logs.max_line_kib)
            .unwrap_or(usize::MAX)
            .saturating_mul(1024),
        ..LogQuery::new(vec![selection.namespace.clone()])
    };
    let request = LogRequest {
        context: selection.context.clone(),
        target: None,
        query,
        refuse_over_cap: false,
        timeout: env.namespace_timeout.max(Duration::from_secs(5)),
    };
    let mut session = match ops::logs::open(&env.sources, request).await {
        Ok(s) => s,
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
    while let Some(mut events) = session.events.recv().await {
        while events.len() < 1000 {
            match session.events.try_recv() {
                Ok(more) => events.extend(more),
                Err(_) => break,
            }
        }
        if tx.send(Msg::Logs { generation, events }).await.is_err() {
            break;
        }
    }
}

/// Saves `text` (blocking) and says where, or why not.
pub(crate) fn save(text: &str) -> Msg {
    match save_logs(text) {
        Ok(path) => Msg::Notice {
            text: format!("Saved to {path}"),
            error: false,
        },
        Err(e) => Msg::Notice {
            text: e,
            error: true,
        },
    }
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

/// Puts `text` on the clipboard with OSC 52 (the terminal does it, also over ssh); the notice
/// to show.
pub(crate) fn copy(text: &str) -> Msg {
    let seq = format!(
        "\x1b]52;c;{}\x07",
        crate::encoding::base64_encode(text.as_bytes())
    );
    let ok = std::io::Write::write_all(&mut std::io::stdout(), seq.as_bytes()).is_ok();
    Msg::Notice {
        text: if ok {
            "Copied the line (OSC 52)".into()
        } else {
            "Could not copy".into()
        },
        error: !ok,
    }
}
