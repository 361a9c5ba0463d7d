//! The HTTP server: bearer-token authentication, the non-resource paths (discovery, health,
//! the `/_sandbox/*` controls) and hand-off of `/api/v1/...` and `/apis/GROUP/VERSION/...` to
//! the resource handlers.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tokio::sync::Notify;

use super::cluster::Cluster;
use super::discovery;
use super::res::Gv;
use super::status::{ApiError, json_response};
use super::util::Params;

/// How many recent requests [`Shared::request_log`] keeps.
const REQUEST_LOG: usize = 500;

/// State shared by every request and by the simulation ticker.
pub struct Shared {
    cluster: Mutex<Cluster>,
    pub token: String,
    /// Notified to cut every open streaming response.
    pub cut: Arc<Notify>,
    requests: Mutex<VecDeque<String>>,
    pub addr: SocketAddr,
    /// API groups left out of discovery and answered with 404, as a cluster without them.
    disabled_groups: Vec<String>,
    /// While not 0, every pod log request fails with this HTTP status (a 5xx).
    log_failure: AtomicU16,
}

/// The handle requests get.
pub type App = Arc<Shared>;

impl Shared {
    /// Wraps a cluster for serving at `addr`.
    pub fn new(cluster: Cluster, token: String, addr: SocketAddr) -> Shared {
        Shared {
            disabled_groups: cluster.disabled_groups.clone(),
            cluster: Mutex::new(cluster),
            token,
            cut: Arc::new(Notify::new()),
            requests: Mutex::new(VecDeque::new()),
            addr,
            log_failure: AtomicU16::new(0),
        }
    }

    /// Makes every pod log request fail with `code` (a 5xx), or serve again with `None`.
    pub fn fail_pod_logs(&self, code: Option<u16>) {
        self.log_failure.store(code.unwrap_or(0), Ordering::Relaxed);
    }

    /// The injected pod log failure, if any.
    pub fn pod_log_failure(&self) -> Option<u16> {
        Some(self.log_failure.load(Ordering::Relaxed)).filter(|c| *c != 0)
    }

    /// True when `path` (`/apis/GROUP/...`) belongs to a disabled API group.
    fn disabled(&self, path: &str) -> bool {
        path.strip_prefix("/apis/")
            .and_then(|rest| rest.split('/').next())
            .is_some_and(|g| self.disabled_groups.iter().any(|d| d == g))
    }

    /// Locks the cluster. A panic while holding the lock cannot leave it half-updated in a
    /// way that matters more than stopping the demo would, so poisoning is ignored.
    pub fn lock(&self) -> MutexGuard<'_, Cluster> {
        self.cluster.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recent requests, oldest first: `METHOD path?query [Accept]`.
    pub fn request_log(&self) -> Vec<String> {
        let log = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        log.iter().cloned().collect()
    }

    fn record(&self, line: String) {
        let mut log = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        log.push_back(line);
        while log.len() > REQUEST_LOG {
            log.pop_front();
        }
    }
}

/// The router: a single fallback, because the API's paths are parsed by hand (watch prefixes,
/// subresources, cluster- and namespace-scoped forms of the same resource).
pub fn router(app: App) -> Router {
    Router::new().fallback(dispatch).with_state(app)
}

fn authorized(app: &Shared, headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let Some(token) = value.strip_prefix("Bearer ") else {
        return false;
    };
    let (a, b) = (token.trim().as_bytes(), app.token.as_bytes());
    // Length and contents compared without an early exit.
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn dispatch(
    State(app): State<App>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
    app.record(format!("{method} {target} [{accept}]"));
    if !authorized(&app, &headers) {
        return ApiError::unauthorized().into_response();
    }
    let params = Params::parse(uri.query());
    let path = uri.path().trim_end_matches('/');
    if app.disabled(path) {
        return not_found_text();
    }
    match (path, &method) {
        ("/version", &Method::GET) => json_response(StatusCode::OK, &discovery::version()),
        ("/api", &Method::GET) => json_response(
            StatusCode::OK,
            &discovery::api_versions(&app.addr.to_string()),
        ),
        ("/apis", &Method::GET) => json_response(
            StatusCode::OK,
            &discovery::without_groups(discovery::api_groups(), &app.disabled_groups),
        ),
        ("/api/v1", &Method::GET) => json_response(StatusCode::OK, &discovery::core_v1()),
        ("/healthz" | "/livez" | "/readyz", &Method::GET) => {
            let mut r = "ok".into_response();
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            r
        }
        ("/_sandbox/requests", &Method::GET) => {
            json_response(StatusCode::OK, &serde_json::json!(app.request_log()))
        }
        ("/_sandbox/fail-logs", &Method::POST) => {
            // `?code=503` makes pod log requests fail; `?code=0` (or none) serves them again.
            let code = params.get("code").and_then(|c| c.parse::<u16>().ok());
            match code {
                Some(c) if c != 0 && !(500..=599).contains(&c) => {
                    ApiError::bad_request(format!("code {c} is not a 5xx status")).into_response()
                }
                _ => {
                    app.fail_pod_logs(code.filter(|c| *c != 0));
                    json_response(
                        StatusCode::OK,
                        &super::status::success_status("fail-logs", "pods", None),
                    )
                }
            }
        }
        ("/_sandbox/cut", &Method::POST) => {
            app.cut.notify_waiters();
            json_response(
                StatusCode::OK,
                &super::status::success_status("cut", "connections", None),
            )
        }
        (p, _) if p.starts_with("/api/v1/") => {
            let segs: Vec<String> = p["/api/v1/".len()..].split('/').map(String::from).collect();
            resource_request(&app, Gv::Core, segs, method, params, accept, &headers, body).await
        }
        (p, _) if p.starts_with("/apis/") => {
            let mut parts = p["/apis/".len()..].splitn(3, '/');
            let group = parts.next().unwrap_or("");
            let version = parts.next().unwrap_or("");
            let rest = parts.next();
            match (Gv::from_path(group, version), rest) {
                (Some(gv), None) if method == Method::GET => {
                    json_response(StatusCode::OK, &discovery::group_resources(gv))
                }
                (Some(gv), Some(rest)) => {
                    let segs = rest.split('/').map(String::from).collect();
                    resource_request(&app, gv, segs, method, params, accept, &headers, body).await
                }
                _ => not_found_text(),
            }
        }
        _ => not_found_text(),
    }
}

/// The real server answers unknown non-API paths (including /openapi/* when it is disabled)
/// with a plain-text 404, which clients treat as "not served".
fn not_found_text() -> Response {
    let mut r = (StatusCode::NOT_FOUND, "404 page not found\n").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

#[expect(clippy::too_many_arguments, reason = "the parts of one HTTP request")]
async fn resource_request(
    app: &App,
    gv: Gv,
    segs: Vec<String>,
    method: Method,
    params: Params,
    accept: String,
    headers: &HeaderMap,
    body: Bytes,
) -> Response {
    let req = super::api::Request {
        gv,
        method,
        segs,
        params,
        accept,
        content_type: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body,
    };
    super::api::handle(app, req).await
}
