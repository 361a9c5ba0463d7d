//! A simulated Kubernetes API server on loopback, for `devk demo` and for the tests.
//!
//! It is a real HTTP server speaking the real REST API (discovery, namespaces, pods with
//! watches and streaming logs, secrets, service accounts, events, Tables for `kubectl get`),
//! so the real `kubectl` and kube-rs work against it. Workloads come from a TOML scenario
//! (see `assets/sandbox-demo.toml`): pods log deterministically from the clock, restart,
//! crash-loop, appear and go away on a timeline.
//!
//! One port serves both TLS and plain HTTP (the first byte of a connection decides): client-go
//! sends credentials only over TLS, so kubeconfigs point at the `https` URL and trust a
//! certificate made at start-up. Besides the Kubernetes paths there are three authenticated
//! controls: `POST /_sandbox/cut` (see [`SandboxHandle::cut_connections`]),
//! `POST /_sandbox/fail-logs` (see [`SandboxHandle::fail_pod_logs`]) and
//! `GET /_sandbox/requests` (see [`SandboxHandle::request_log`]).
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use devk_sandbox::{SandboxOptions, Scenario, start};
//! let handle = start(SandboxOptions {
//!     scenario: Scenario::demo(),
//!     addr: "127.0.0.1:0".parse()?,
//!     token: "s3cret".into(),
//! })
//! .await?;
//! std::fs::write("/tmp/sandbox-kubeconfig", handle.kubeconfig_yaml())?;
//! handle.shutdown().await;
//! # Ok(()) }
//! ```

mod api;
mod cluster;
mod controllers;
mod discovery;
mod error;
mod events;
mod events_v1;
mod lifecycle;
mod listener;
mod logs;
mod patch;
mod podlogs;
mod podrun;
mod podsim;
mod podstatus;
mod proto;
mod pulls;
mod quantity;
mod res;
mod scale;
mod scenario;
mod scenario_logs;
mod scenario_toml;
mod scheduling;
mod selectors;
mod server;
mod services;
mod status;
mod store;
mod stream;
mod table;
mod table_apps;
mod tls;
mod util;
mod validate;
mod watch;
mod write;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use error::SandboxError;
pub use scenario::Scenario;

/// Namespaces every cluster has.
pub(crate) const BUILTIN_NAMESPACES: [&str; 4] =
    ["default", "kube-node-lease", "kube-public", "kube-system"];

/// How often the simulation advances (status changes land within this much of their time).
const TICK: Duration = Duration::from_millis(100);

/// What to serve, where, and with which bearer token.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// The workloads to simulate.
    pub scenario: Scenario,
    /// Where to listen; `127.0.0.1:0` picks a free port.
    pub addr: SocketAddr,
    /// The bearer token every request must carry.
    pub token: String,
}

/// A running sandbox. Dropping it stops the server; [`SandboxHandle::shutdown`] also waits
/// for it to finish.
pub struct SandboxHandle {
    url: String,
    ca_pem: String,
    token: String,
    app: server::App,
    namespace: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<()>>,
    ticker: Option<JoinHandle<()>>,
}

/// Binds `opts.addr`, spawns the server and the simulation on the current tokio runtime, and
/// returns at once.
pub async fn start(opts: SandboxOptions) -> Result<SandboxHandle, SandboxError> {
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|source| SandboxError::Bind {
            addr: opts.addr,
            source,
        })?;
    let addr = listener.local_addr().map_err(|source| SandboxError::Bind {
        addr: opts.addr,
        source,
    })?;
    let tls = tls::generate(util::now()).map_err(|message| SandboxError::Tls { message })?;
    let listener =
        listener::SniffListener::new(listener, tls.server_config.clone()).map_err(|source| {
            SandboxError::Bind {
                addr: opts.addr,
                source,
            }
        })?;
    let cluster = cluster::Cluster::new(&opts.scenario, util::now());
    let namespace = opts.scenario.start_namespace().to_string();
    let app: server::App = Arc::new(server::Shared::new(cluster, opts.token.clone(), addr));
    let ticker_app = app.clone();
    let ticker = tokio::spawn(async move {
        let mut every = tokio::time::interval(TICK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            every.tick().await;
            ticker_app.lock().tick(util::now());
        }
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let router = server::router(app.clone());
    let server = tokio::spawn(async move {
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stopped.await;
        });
        // An accept error ends the server; the handle's owner notices through failing requests.
        let _ = serve.await;
    });
    Ok(SandboxHandle {
        url: format!("http://{addr}"),
        ca_pem: tls.cert_pem,
        token: opts.token,
        app,
        namespace,
        stop: Some(stop),
        server: Some(server),
        ticker: Some(ticker),
    })
}

impl SandboxHandle {
    /// `http://127.0.0.1:PORT`: plain HTTP, for curl and hand-built clients. The same port
    /// also speaks TLS (see [`SandboxHandle::https_url`]).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// `https://127.0.0.1:PORT`: what kubeconfigs use, because client-go (kubectl) only
    /// sends credentials over TLS. The certificate is [`SandboxHandle::ca_pem`].
    pub fn https_url(&self) -> String {
        format!("https://{}", self.app.addr)
    }

    /// The server's self-signed certificate (PEM), made at start-up; trust it to verify
    /// [`SandboxHandle::https_url`].
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.app.addr
    }

    /// The bearer token clients must send.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// Ends every open streaming response (log follows, watches) abruptly, as a dropped
    /// connection would. Also reachable as `POST /_sandbox/cut` (authenticated).
    pub fn cut_connections(&self) {
        self.app.cut.notify_waiters();
    }

    /// A kubeconfig for this server (contexts as in [`kubeconfig_yaml`], in the scenario's
    /// `start_namespace`) on
    /// [`SandboxHandle::https_url`], trusting exactly this server's certificate.
    pub fn kubeconfig_yaml(&self) -> String {
        kubeconfig_doc(
            &self.https_url(),
            &self.token,
            Some(&self.ca_pem),
            &self.namespace,
        )
    }

    /// Adds the namespaces, secrets, service accounts and workloads of `scenario` (a
    /// fragment parsed with [`Scenario::from_toml_str`]) to the running cluster. Their
    /// timelines (`appear_after`, `restart_after`, ...) start now. Existing namespaces are
    /// kept. Returns `namespace/name` of the pods (kind Pod) and workloads added; the
    /// workloads' pods exist when this returns.
    pub fn apply(&self, scenario: &Scenario) -> Result<Vec<String>, SandboxError> {
        let now = util::now();
        let mut cluster = self.app.lock();
        let added = cluster.apply(scenario, now).map_err(SandboxError::Apply)?;
        cluster.settle(now);
        Ok(added)
    }

    /// Deletes a pod as `kubectl delete pod` would (Terminating, then gone). False if there
    /// is no such pod.
    pub fn delete_pod(&self, namespace: &str, name: &str) -> bool {
        let mut cluster = self.app.lock();
        cluster
            .delete_pod(namespace, name, Some(30), util::now())
            .is_ok()
    }

    /// Restarts a container now: a new instance with a new id and restartCount + 1; the
    /// old instance's logs remain available with `previous=true`. False if the pod or
    /// container is unknown, or the container is crash-looping or run-once.
    pub fn restart_container(&self, namespace: &str, pod: &str, container: &str) -> bool {
        let now = util::now();
        let mut cluster = self.app.lock();
        let ok = cluster.restart_container(namespace, pod, container, now);
        cluster.tick(now);
        ok
    }

    /// Makes every pod log request fail with the 5xx `code` (as an overloaded API server or
    /// kubelet would), or serve again with `None`. Also reachable as
    /// `POST /_sandbox/fail-logs?code=503` (`code=0` serves again).
    pub fn fail_pod_logs(&self, code: Option<u16>) {
        self.app
            .fail_pod_logs(code.filter(|c| (500..=599).contains(c)));
    }

    /// The most recent requests the server received (`METHOD path?query [Accept]`), oldest
    /// first; handy when a client misbehaves.
    pub fn request_log(&self) -> Vec<String> {
        self.app.request_log()
    }

    /// Stops the server: cuts open streams, stops accepting, waits (at most 5 s) for it.
    pub async fn shutdown(mut self) {
        self.cut_connections();
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.ticker.take() {
            t.abort();
        }
        if let Some(server) = self.server.take()
            && tokio::time::timeout(Duration::from_secs(5), server)
                .await
                .is_err()
        {
            // Still draining connections after 5 s; dropping the task handle detaches it,
            // and the listener closes with the runtime.
        }
    }
}

impl Drop for SandboxHandle {
    fn drop(&mut self) {
        self.app.cut.notify_waiters();
        for task in [self.server.take(), self.ticker.take()]
            .into_iter()
            .flatten()
        {
            task.abort();
        }
    }
}

/// A kubeconfig with two contexts on the server at `url`: `demo` (cluster `demo`, namespace
/// `default`, current; local, as its server is on loopback) and `demo-prod` (cluster
/// `demo-prod`, a name devk classes as protected), both using one user with the bearer
/// `token`. `devk demo` and `devk sandbox --kubeconfig-out` write this.
///
/// client-go sends the token only to `https` servers, so pass the sandbox's
/// [`SandboxHandle::https_url`] for kubectl. Not knowing the server's certificate, this
/// function marks `https` clusters `insecure-skip-tls-verify`;
/// [`SandboxHandle::kubeconfig_yaml`] pins the certificate instead.
pub fn kubeconfig_yaml(url: &str, token: &str) -> String {
    kubeconfig_doc(url, token, None, "default")
}

fn kubeconfig_doc(url: &str, token: &str, ca_pem: Option<&str>, namespace: &str) -> String {
    let mut cluster = json!({"server": url});
    match ca_pem {
        Some(pem) => {
            cluster["certificate-authority-data"] = json!(util::base64_encode(pem.as_bytes()));
        }
        None if url.starts_with("https://") => cluster["insecure-skip-tls-verify"] = json!(true),
        None => {}
    }
    let doc = json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "demo", "cluster": cluster},
            {"name": "demo-prod", "cluster": cluster},
        ],
        "users": [{"name": "demo-user", "user": {"token": token}}],
        "contexts": [
            {"name": "demo", "context": {"cluster": "demo", "user": "demo-user", "namespace": namespace}},
            {"name": "demo-prod", "context": {"cluster": "demo-prod", "user": "demo-user", "namespace": namespace}},
        ],
        "current-context": "demo",
        "preferences": {},
    });
    serde_saphyr::to_string(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread")]
    async fn shutdown_is_prompt_even_with_an_open_stream() {
        let opts = SandboxOptions {
            scenario: Scenario::demo(),
            addr: "127.0.0.1:0".parse().unwrap(),
            token: "t".into(),
        };
        let handle = start(opts).await.unwrap();
        let mut conn = tokio::net::TcpStream::connect(handle.addr()).await.unwrap();
        let req = "GET /api/v1/pods?watch=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n";
        tokio::io::AsyncWriteExt::write_all(&mut conn, req.as_bytes())
            .await
            .unwrap();
        let mut buf = [0u8; 1024];
        let n = tokio::io::AsyncReadExt::read(&mut conn, &mut buf)
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200 OK"));
        let t = std::time::Instant::now();
        handle.shutdown().await;
        assert!(
            t.elapsed() < Duration::from_millis(500),
            "{:?}",
            t.elapsed()
        );
    }

    #[test]
    fn kubeconfig_has_both_contexts_and_quotes_the_token() {
        let y = kubeconfig_yaml("http://127.0.0.1:1234", "tok: en#1");
        let v: serde_json::Value = serde_saphyr::from_str(&y).unwrap();
        assert_eq!(v["current-context"].as_str(), Some("demo"));
        assert_eq!(v["users"][0]["user"]["token"].as_str(), Some("tok: en#1"));
        assert_eq!(
            v["contexts"][1]["context"]["cluster"].as_str(),
            Some("demo-prod")
        );
        assert_eq!(
            v["clusters"][1]["cluster"]["server"].as_str(),
            Some("http://127.0.0.1:1234")
        );
    }
}
