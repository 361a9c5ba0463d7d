//! `devk demo`: devk's main job with no cluster of your own. Starts the sandbox with the demo
//! scenario, writes a temporary kubeconfig (a local `demo` and a protected `demo-prod`
//! context), creates a demo project beside it (`demo_project`: a git repository with a
//! devk.toml, a Dockerfile and devk's pre-push hook), opens the TUI in that project, and
//! removes everything on exit: on `q`, and on SIGHUP or SIGTERM, which end the TUI's loop the
//! same way. What the demo cannot show on this machine is said when it ends.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use super::demo_project;
use super::{Failure, Globals, ui};
use crate::exit::Exit;
use crate::kubeconfig::Sources;
use crate::sandbox::{self, SandboxOptions, Scenario};

#[derive(Debug, Default, clap::Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub ui: ui::Args,
    /// Stay in the current directory's project (its devk.toml, images and hook) instead of the
    /// demo project: try `b` and `p` on your own image against the simulated cluster.
    #[arg(long)]
    pub here: bool,
}

pub fn exec(args: DemoArgs, g: &Globals) -> Result<(), Failure> {
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
    let (result, problems) = if args.here {
        (ui::open(g, sources, true, &args.ui), Vec::new())
    } else {
        in_demo_project(dir.path(), g, sources, &args.ui)
    };
    rt.block_on(handle.shutdown());
    let needs = if args.ui.exit_after_first_frame || result.is_err() {
        Vec::new()
    } else {
        g.config()
            .map(|loaded| missing_here(&rt, &loaded.config))
            .unwrap_or_default()
    };
    rt.shutdown_timeout(Duration::from_millis(200));
    drop(dir);
    if result.is_ok() {
        report(&problems, &needs);
    }
    result
}

/// Creates the demo project under `root` and runs the TUI in it; returns the TUI's result and
/// the project's set-up problems.
fn in_demo_project(
    root: &Path,
    g: &Globals,
    sources: Sources,
    args: &ui::Args,
) -> (Result<(), Failure>, Vec<String>) {
    let project = std::env::current_exe()
        .map_err(|e| Failure::new(Exit::Io, format!("cannot find devk's own executable: {e}")))
        .and_then(|devk_bin| {
            demo_project::create(root, &devk_bin)
                .map_err(|e| Failure::new(Exit::Io, format!("cannot create the demo project: {e}")))
        });
    let project = match project {
        Ok(p) => p,
        Err(f) => return (Err(f), Vec::new()),
    };
    // The TUI reads the project around the current directory (config, images, hook).
    let before = std::env::current_dir().ok();
    let result = std::env::set_current_dir(&project.dir)
        .map_err(|e| {
            Failure::new(
                Exit::Io,
                format!("cannot enter {}: {e}", project.dir.display()),
            )
        })
        .and_then(|()| ui::open(g, sources, true, args));
    // Back out before the directory is removed.
    if let Some(dir) = before {
        let _ = std::env::set_current_dir(dir);
    }
    (result, project.problems)
}

/// What the demo could not show on this machine, and why: the parts of devk that need the
/// real thing (a Docker Engine, AWS credentials, minikube). Asks nothing remote.
fn missing_here(rt: &tokio::runtime::Runtime, cfg: &crate::config::Config) -> Vec<String> {
    let mut needs = Vec::new();
    let docker = match crate::images::docker::Endpoint::resolve(
        &crate::images::docker::EnvSnapshot::from_process(),
    ) {
        Ok(endpoint) => {
            let ping = crate::images::docker::connect_checked(&endpoint);
            match rt.block_on(async { tokio::time::timeout(Duration::from_secs(2), ping).await }) {
                Ok(Ok(_)) => None,
                Ok(Err(e)) => Some(e.to_string()),
                Err(_) => Some(format!(
                    "the Docker Engine at {} did not answer",
                    endpoint.host
                )),
            }
        }
        Err(e) => Some(e.to_string()),
    };
    if let Some(why) = docker {
        needs.push(format!(
            "Images: listing and building `{}` needs a reachable Docker Engine: {why}",
            demo_project::DEMO_IMAGE
        ));
    }
    if !aws_credentials_configured(&|k| std::env::var_os(k), home_dir().as_deref()) {
        needs.push(
            "Registry creds: ECR pull secrets are minted from AWS credentials, and none are \
             set up here (no AWS_* variables, no ~/.aws/credentials or ~/.aws/config)."
                .to_owned(),
        );
    }
    let mk = crate::minikube::from_config(cfg);
    if mk.version().is_none() {
        needs.push(format!(
            "Minikube: profiles, start/stop and addons need minikube (`{}` does not run \
             here; install it from {}).",
            mk.binary(),
            crate::minikube::INSTALL_URL
        ));
    }
    needs
}

fn home_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(Into::into)
}

/// Whether the AWS SDK has anything to find credentials in: the variables its default chain
/// reads, or the shared config files (`AWS_SHARED_CREDENTIALS_FILE`/`AWS_CONFIG_FILE` or the
/// files under `~/.aws`). Whether they are valid only AWS can say.
fn aws_credentials_configured(
    var: &dyn Fn(&str) -> Option<std::ffi::OsString>,
    home: Option<&Path>,
) -> bool {
    let set = |k: &str| var(k).is_some_and(|v| !v.is_empty());
    if set("AWS_ACCESS_KEY_ID") || set("AWS_PROFILE") || set("AWS_WEB_IDENTITY_TOKEN_FILE") {
        return true;
    }
    let file = |k: &str, default: &str| {
        var(k)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| home.map(|h| h.join(".aws").join(default)))
            .is_some_and(|p| p.is_file())
    };
    file("AWS_SHARED_CREDENTIALS_FILE", "credentials") || file("AWS_CONFIG_FILE", "config")
}

/// Printed when the demo ends (the TUI's screen is gone by then, so this stays readable).
fn report(problems: &[String], needs: &[String]) {
    if problems.is_empty() && needs.is_empty() {
        return;
    }
    let mut text = String::from("devk demo: what it could not show on this machine\n");
    for line in problems.iter().chain(needs) {
        text.push_str(&format!("  - {line}\n"));
    }
    text.push_str("The Contexts, Pods & Logs and Hook tabs need none of these.");
    super::output::note(&text);
}

/// The hint a first run gets when no kubeconfig file exists at all.
pub(super) fn first_run_hint(kc: &crate::kubeconfig::Kubeconfig) -> Option<String> {
    if kc.files().iter().any(crate::kubeconfig::KubeFile::exists) {
        return None;
    }
    Some(format!(
        "no kubeconfig yet ({}). To try devk on a simulated cluster, run `devk demo`; \
         for a cluster of your own, `aws eks update-kubeconfig --name CLUSTER`, \
         `minikube start` or `devk context add NAME --server URL`",
        missing(kc.sources())
    ))
}

/// The same hint for the TUI's Contexts tab, when none of `sources` exists.
pub(super) fn first_run_screen(sources: &Sources) -> Option<String> {
    if sources.files.iter().any(|f| f.exists()) {
        return None;
    }
    Some(format!(
        "No kubeconfig yet ({}).\n\n\
         To try devk on a simulated cluster: quit (q) and run `devk demo`.\n\n\
         For a cluster of your own: `aws eks update-kubeconfig --name CLUSTER`, \
         `minikube start` (or the Minikube tab), or `devk context add NAME --server URL`.",
        missing(sources)
    ))
}

fn missing(sources: &Sources) -> String {
    match sources.files.len() {
        1 => format!("{} does not exist", sources.describe()),
        _ => format!("none of {} exists", sources.describe()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    fn vars(list: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> + use<> {
        let list: Vec<(String, OsString)> = list
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |k| list.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn aws_credentials_are_found_in_variables_or_shared_files() {
        let home = tempfile::tempdir().unwrap();
        assert!(!aws_credentials_configured(&vars(&[]), Some(home.path())));
        assert!(!aws_credentials_configured(
            &vars(&[("AWS_PROFILE", "")]),
            Some(home.path())
        ));
        assert!(aws_credentials_configured(
            &vars(&[("AWS_PROFILE", "dev")]),
            None
        ));
        assert!(aws_credentials_configured(
            &vars(&[("AWS_ACCESS_KEY_ID", "x")]),
            None
        ));
        std::fs::create_dir(home.path().join(".aws")).unwrap();
        std::fs::write(home.path().join(".aws/config"), "[default]\n").unwrap();
        assert!(aws_credentials_configured(&vars(&[]), Some(home.path())));
        let elsewhere = home.path().join("creds");
        std::fs::write(&elsewhere, "").unwrap();
        let env = vars(&[("AWS_SHARED_CREDENTIALS_FILE", elsewhere.to_str().unwrap())]);
        assert!(aws_credentials_configured(&env, None));
    }

    #[test]
    fn first_run_hint_only_without_any_kubeconfig_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        let load = || {
            let sources = Sources::resolve(Some(&path), None, dir.path());
            crate::kubeconfig::Kubeconfig::load_light(sources, true).unwrap()
        };
        let hint = first_run_hint(&load()).unwrap();
        assert!(hint.contains("devk demo"), "{hint}");
        assert!(hint.contains(&path.display().to_string()), "{hint}");
        let sources = Sources::resolve(Some(&path), None, dir.path());
        assert!(first_run_screen(&sources).unwrap().contains("`devk demo`"));
        std::fs::write(&path, "apiVersion: v1\nkind: Config\n").unwrap();
        assert_eq!(first_run_hint(&load()), None);
        assert_eq!(first_run_screen(&sources), None);
    }
}
