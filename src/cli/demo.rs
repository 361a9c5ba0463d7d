//! `devk demo`: devk's main job with no cluster of your own. Starts the sandbox with the demo
//! scenario, writes a temporary kubeconfig (a local `demo` and a protected `demo-prod`
//! context), opens the TUI on it, and removes everything on exit.

use std::net::{Ipv4Addr, SocketAddr};

use super::{Failure, Globals, ui};
use crate::exit::Exit;
use crate::kubeconfig::Sources;
use crate::sandbox::{self, SandboxOptions, Scenario};

pub fn exec(args: ui::Args, g: &Globals) -> Result<(), Failure> {
    // The sandbox runs on its own small runtime, beside the TUI's.
    let rt = super::output::async_runtime(1)?;
    let handle = rt
        .block_on(sandbox::start(SandboxOptions {
            scenario: Scenario::demo(),
            addr: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            token: super::sandbox_cmd::random_token(),
        }))
        .map_err(|e| super::sandbox_cmd::sandbox_failure(&e))?;
    let dir = tempfile::Builder::new()
        .prefix("devk-demo-")
        .tempdir()
        .map_err(|e| {
            Failure::new(
                Exit::Io,
                format!("cannot create a temporary directory: {e}"),
            )
        })?;
    let path = dir.path().join("kubeconfig");
    crate::fsutil::atomic_write(
        &path,
        handle.kubeconfig_yaml().as_bytes(),
        crate::fsutil::PRIVATE_MODE,
    )
    .map_err(|e| Failure::new(Exit::Io, format!("cannot write {}: {e}", path.display())))?;
    let sources = Sources::resolve(Some(&path), None, dir.path());
    let result = ui::open(g, sources, true, &args);
    rt.block_on(handle.shutdown());
    rt.shutdown_timeout(std::time::Duration::from_millis(200));
    drop(dir);
    result
}
