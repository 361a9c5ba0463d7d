//! The engine's push progress: its JSON message stream read into [`PushEvent`]s.
//!
//! bollard's `PushImageInfo` drops the `id` (the layer) and `aux` (the pushed digest) fields
//! of these messages, so for the usual endpoints (a unix socket or plain tcp) devk sends the
//! `POST /images/{name}/push` request itself, as HTTP/1.0 so that the engine streams the body
//! until it closes the connection, and parses every line here. TLS endpoints go through
//! bollard and show statuses without layer ids.

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// One message of a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushEvent {
    /// About one layer: `Preparing`, `Waiting`, `Pushing` (with bytes), `Pushed`,
    /// `Layer already exists`.
    Layer {
        id: String,
        status: String,
        current: Option<u64>,
        total: Option<u64>,
    },
    /// About the whole push (`The push refers to repository [...]`, `1: digest: ...`).
    Status(String),
    /// The manifest the registry stored: its tag, digest and size.
    Digest {
        tag: String,
        digest: String,
        size: Option<u64>,
    },
}

#[derive(Debug, Default, Deserialize)]
struct Raw {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default, rename = "progressDetail")]
    progress: Option<RawProgress>,
    #[serde(default)]
    aux: Option<RawAux>,
    #[serde(default, rename = "errorDetail")]
    error_detail: Option<RawError>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct RawProgress {
    #[serde(default)]
    current: Option<u64>,
    #[serde(default)]
    total: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
struct RawAux {
    #[serde(default, rename = "Tag")]
    tag: String,
    #[serde(default, rename = "Digest")]
    digest: String,
    #[serde(default, rename = "Size")]
    size: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
struct RawError {
    #[serde(default)]
    message: Option<String>,
}

/// Reads one line of the stream: `Ok(None)` for a line that says nothing (blank, or a bare
/// progress tick), `Err(message)` for the engine's or registry's error message.
pub fn parse_line(line: &str) -> Result<Option<PushEvent>, String> {
    let line = line.trim();
    if line.is_empty() {
        return Ok(None);
    }
    let raw: Raw = serde_json::from_str(line)
        .map_err(|e| format!("the engine sent a line devk cannot read ({e})"))?;
    if let Some(message) = raw
        .error_detail
        .and_then(|d| d.message)
        .or(raw.error)
        .filter(|m| !m.is_empty())
    {
        return Err(message);
    }
    if let Some(aux) = raw.aux.filter(|a| !a.digest.is_empty()) {
        return Ok(Some(PushEvent::Digest {
            tag: aux.tag,
            digest: aux.digest,
            size: aux.size,
        }));
    }
    let Some(status) = raw.status.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    Ok(Some(match raw.id.filter(|i| !i.is_empty()) {
        Some(id) => {
            let p = raw.progress.unwrap_or_default();
            PushEvent::Layer {
                id,
                status,
                current: p.current,
                total: p.total,
            }
        }
        None => PushEvent::Status(status),
    }))
}

/// A failure of the raw request itself (not a registry error inside the stream).
#[derive(Debug)]
pub enum RawFailure {
    /// Could not connect to or talk with the engine.
    Engine(String),
    /// The engine answered with an error status before streaming (404: no such image).
    Status { code: u16, message: String },
    /// An error message inside the stream (from the engine or the registry).
    Stream(String),
}

/// `base64url` of the `X-Registry-Auth` JSON, the encoding the engine decodes.
pub fn registry_auth_header(json: &str) -> String {
    crate::encoding::base64_encode(json.as_bytes())
        .replace('+', "-")
        .replace('/', "_")
}

/// Pushes `name:tag` through the engine at `host` (`unix://` or `tcp://`/`http://`), sending
/// every message to `events` (a slow reader slows the push down, nothing is dropped). Returns
/// the manifest digest the engine reported.
pub async fn push_raw(
    host: &str,
    name: &str,
    tag: &str,
    auth_header: &str,
    events: &mpsc::Sender<PushEvent>,
) -> Result<Option<String>, RawFailure> {
    let request = format!(
        "POST /images/{name}/push?tag={tag} HTTP/1.0\r\nHost: docker\r\n\
         User-Agent: devk\r\nContent-Type: application/json\r\nContent-Length: 0\r\n\
         X-Registry-Auth: {auth_header}\r\n\r\n"
    );
    if let Some(path) = host.strip_prefix("unix://") {
        let stream = tokio::net::UnixStream::connect(path)
            .await
            .map_err(|e| RawFailure::Engine(format!("cannot connect to {path}: {e}")))?;
        exchange(stream, &request, events).await
    } else {
        let addr = host
            .strip_prefix("tcp://")
            .or_else(|| host.strip_prefix("http://"))
            .unwrap_or(host)
            .trim_end_matches('/');
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .map_err(|e| RawFailure::Engine(format!("cannot connect to {addr}: {e}")))?;
        exchange(stream, &request, events).await
    }
}

async fn exchange<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    request: &str,
    events: &mpsc::Sender<PushEvent>,
) -> Result<Option<String>, RawFailure> {
    let engine = |e: std::io::Error| RawFailure::Engine(e.to_string());
    stream.write_all(request.as_bytes()).await.map_err(engine)?;
    stream.flush().await.map_err(engine)?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await.map_err(engine)?;
    let code: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| RawFailure::Engine(format!("not an HTTP answer: {:?}", line.trim())))?;
    let mut chunked = false;
    loop {
        line.clear();
        if reader.read_line(&mut line).await.map_err(engine)? == 0 || line.trim().is_empty() {
            break;
        }
        let lower = line.to_ascii_lowercase();
        if lower.starts_with("transfer-encoding:") && lower.contains("chunked") {
            chunked = true;
        }
    }
    if chunked {
        return Err(RawFailure::Engine(
            "the engine answered an HTTP/1.0 request with a chunked body".into(),
        ));
    }
    if code != 200 {
        let mut body = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut reader, &mut body)
            .await
            .map_err(engine)?;
        let message = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v.get("message").and_then(|m| m.as_str()).map(String::from))
            .unwrap_or_else(|| body.trim().to_string());
        return Err(RawFailure::Status { code, message });
    }
    let mut digest = None;
    loop {
        line.clear();
        if reader.read_line(&mut line).await.map_err(engine)? == 0 {
            return Ok(digest);
        }
        match parse_line(&line) {
            Ok(Some(event)) => {
                if let PushEvent::Digest { digest: d, .. } = &event {
                    digest = Some(d.clone());
                }
                // A closed receiver (the TUI left the tab) does not stop the push.
                let _ = events.send(event).await;
            }
            Ok(None) => {}
            Err(message) => return Err(RawFailure::Stream(message)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_status_digest_and_error_lines() {
        assert_eq!(
            parse_line(
                r#"{"status":"Pushing","progressDetail":{"current":512,"total":1024},"progress":"[==>  ]","id":"5f70bf18a086"}"#
            ),
            Ok(Some(PushEvent::Layer {
                id: "5f70bf18a086".into(),
                status: "Pushing".into(),
                current: Some(512),
                total: Some(1024),
            }))
        );
        assert_eq!(
            parse_line(r#"{"status":"Layer already exists","progressDetail":{},"id":"abc"}"#),
            Ok(Some(PushEvent::Layer {
                id: "abc".into(),
                status: "Layer already exists".into(),
                current: None,
                total: None,
            }))
        );
        assert_eq!(
            parse_line(r#"{"status":"The push refers to repository [127.0.0.1:5000/app]"}"#),
            Ok(Some(PushEvent::Status(
                "The push refers to repository [127.0.0.1:5000/app]".into()
            )))
        );
        assert_eq!(
            parse_line(
                r#"{"progressDetail":{},"aux":{"Tag":"1","Digest":"sha256:abc","Size":527}}"#
            ),
            Ok(Some(PushEvent::Digest {
                tag: "1".into(),
                digest: "sha256:abc".into(),
                size: Some(527),
            }))
        );
        assert_eq!(
            parse_line(
                r#"{"errorDetail":{"message":"unauthorized: authentication required"},"error":"unauthorized: authentication required"}"#
            ),
            Err("unauthorized: authentication required".into())
        );
        assert_eq!(parse_line("  "), Ok(None));
        assert_eq!(parse_line(r#"{"progressDetail":{}}"#), Ok(None));
        assert!(parse_line("not json").is_err());
    }

    #[test]
    fn auth_header_is_url_safe_base64() {
        // `?>>` encodes to `Pz4+` in standard base64.
        assert_eq!(registry_auth_header("?>>"), "Pz4-");
        assert_eq!(registry_auth_header("{}"), "e30=");
    }
}
