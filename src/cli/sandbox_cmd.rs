//! `devk sandbox`: the simulated cluster, headless, in the foreground (for tests, benchmarks,
//! scripts, and trying kubectl against it).

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;

use super::output::{note, out};
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::sandbox::{self, SandboxOptions, Scenario};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario file (TOML; see assets/sandbox-demo.toml). Default: the demo scenario.
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub scenario: Option<PathBuf>,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// Write a kubeconfig for the sandbox here (0600), with a local `demo` and a protected
    /// `demo-prod` context. Without it the kubeconfig is printed on stdout.
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub kubeconfig_out: Option<PathBuf>,
    /// Bearer token clients must send (default: a random one).
    #[arg(long)]
    pub token: Option<String>,
}

/// A random hex token from the OS's random source.
pub fn random_token() -> String {
    let mut bytes = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut bytes);
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    // Mixed with the clock so a machine without /dev/urandom still gets distinct tokens.
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| format!("{:02x}", b ^ (nanos >> ((i % 16) * 8)) as u8))
        .collect()
}

/// A sandbox error as a CLI failure, with the exit code of its class.
pub(super) fn sandbox_failure(e: &sandbox::SandboxError) -> Failure {
    let exit = match e {
        sandbox::SandboxError::Scenario { .. } => Exit::Config,
        sandbox::SandboxError::Read { .. } => Exit::Io,
        sandbox::SandboxError::Bind { .. }
        | sandbox::SandboxError::Tls { .. }
        | sandbox::SandboxError::Apply(_) => Exit::Failure,
    };
    Failure::new(exit, e.to_string())
}

pub fn exec(args: Args, _g: &Globals) -> Result<(), Failure> {
    let scenario = match &args.scenario {
        Some(p) => Scenario::load(p).map_err(|e| sandbox_failure(&e))?,
        None => Scenario::demo(),
    };
    let token = args.token.clone().unwrap_or_else(random_token);
    let rt = super::output::async_runtime(2)?;
    rt.block_on(async move {
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let handle = sandbox::start(SandboxOptions {
            scenario,
            addr,
            token,
        })
        .await
        .map_err(|e| sandbox_failure(&e))?;
        let yaml = handle.kubeconfig_yaml();
        match &args.kubeconfig_out {
            Some(path) => {
                crate::fsutil::atomic_write(path, yaml.as_bytes(), crate::fsutil::PRIVATE_MODE)
                    .map_err(|e| {
                        Failure::new(Exit::Io, format!("cannot write {}: {e}", path.display()))
                    })?;
                note(&format!(
                    "devk sandbox: simulated cluster at {} (kubeconfig {}); ctrl-c stops it",
                    handle.https_url(),
                    path.display()
                ));
                // One line on stdout when ready, for scripts that wait for it.
                out(&format!("KUBECONFIG={}\n", path.display()))?;
            }
            None => {
                note(&format!(
                    "devk sandbox: simulated cluster at {}; ctrl-c stops it",
                    handle.https_url()
                ));
                out(&yaml)?;
            }
        }
        wait_for_stop().await;
        handle.shutdown().await;
        Ok(())
    })
}

/// Waits for ctrl-c or SIGTERM.
async fn wait_for_stop() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
