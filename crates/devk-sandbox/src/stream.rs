//! Chunked streaming responses (logs with `follow`, watches) that the sandbox can cut, on
//! demand, the way a dropped network connection cuts them: no terminating chunk, so the
//! client sees an unexpected EOF rather than a clean end of stream.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use tokio::sync::{Notify, mpsc};

/// Chunks buffered between a producer task and the connection. Small on purpose: a slow
/// reader applies back-pressure to the producer instead of growing memory.
const BUFFERED_CHUNKS: usize = 8;

/// The producer half of a streaming response.
pub struct Sink {
    tx: mpsc::Sender<Bytes>,
}

impl Sink {
    /// Sends a chunk; false once the client has gone (or the connection was cut).
    pub async fn send(&self, chunk: impl Into<Bytes>) -> bool {
        self.tx.send(chunk.into()).await.is_ok()
    }

    /// Resolves when the client has gone away.
    pub async fn closed(&self) {
        self.tx.closed().await;
    }
}

/// A 200 streaming response with `content_type`, and the sink that feeds it. When `cut` is
/// notified, the body fails with an I/O error, which makes hyper drop the connection.
pub fn streaming(content_type: &'static str, cut: &Arc<Notify>) -> (Sink, Response) {
    let (tx, rx) = mpsc::channel::<Bytes>(BUFFERED_CHUNKS);
    // Created now, so a cut that happens before the first poll still counts.
    let cut = Box::pin(cut.clone().notified_owned());
    let stream = futures::stream::unfold(Some((rx, cut)), |state| async move {
        let (mut rx, mut cut) = state?;
        tokio::select! {
            biased;
            () = &mut cut => Some((
                Err(std::io::Error::new(
                    std::io::ErrorKind::ConnectionAborted,
                    "connection cut by the sandbox",
                )),
                None,
            )),
            chunk = rx.recv() => chunk.map(|c| (Ok(c), Some((rx, cut)))),
        }
    });
    let mut resp = Response::new(Body::from_stream(stream));
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-cache, private"),
    );
    (Sink { tx }, resp)
}
