//! Command-line interface: clap definitions, one file per command. Each command turns its
//! arguments into calls into the library; this module maps every failure to one clear line
//! on stderr and a deliberate exit code.

mod build;
mod complete;
mod config_cmd;
mod confirm;
mod context_cmd;
mod contexts_cmd;
mod creds;
mod current;
mod demo;
mod demo_project;
mod docs;
mod doctor;
mod hook;
mod images_cmd;
mod logs;
mod minikube;
mod ns;
mod output;
mod picker;
mod policy;
mod push;
mod sandbox_cmd;
mod scan;
mod switch;
mod ui;
mod why;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use crate::exit::Exit;
use crate::kubeconfig::Sources;

pub use output::Failure;

/// devk: the terminal companion for Kubernetes developers on AWS.
#[derive(Debug, Parser)]
#[command(name = "devk", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Use this kubeconfig file instead of $KUBECONFIG or ~/.kube/config.
    #[arg(long, global = true, value_name = "FILE", value_hint = clap::ValueHint::FilePath)]
    pub kubeconfig: Option<PathBuf>,

    /// Override a config value for this run (e.g. --set contexts.protected=*live*). Repeatable.
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    pub set: Vec<String>,

    /// Without a command, devk opens the terminal UI.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the terminal UI (the default when no command is given).
    Ui(ui::Args),
    /// List kubeconfig contexts with their class (local, remote, protected).
    #[command(visible_alias = "ctx")]
    Contexts(contexts_cmd::Args),
    /// Switch the current context (`devk switch prod`, `devk switch -` for the previous one).
    #[command(visible_alias = "sw")]
    Switch(switch::Args),
    /// Show or set the namespace of the current context (`devk ns -` for the previous one).
    Ns(ns::Args),
    /// Stream logs of many pods and containers (stern-style), losing and repeating nothing.
    Logs(logs::Args),
    /// Print the current context and namespace (fast enough for a shell prompt).
    Current(current::Args),
    /// Say why a pod (or a workload's pods) is not running, and what to do about it.
    Why(why::Args),
    /// Add, rename or delete contexts.
    Context(context_cmd::Args),
    /// Inspect devk's configuration.
    Config(config_cmd::Args),
    /// Try devk on a simulated cluster: starts the sandbox, creates a demo project (a git
    /// repository with a devk.toml, a Dockerfile and the pre-push hook) and opens the TUI in it.
    Demo(demo::DemoArgs),
    /// Run the simulated Kubernetes API server in the foreground (tests, scripts, kubectl).
    Sandbox(sandbox_cmd::Args),
    /// Install, remove or inspect the pre-push hook that keeps secrets from being pushed.
    Hook(hook::Args),
    /// Scan commits for AWS keys and other secrets (what the pre-push hook runs).
    Scan(scan::Args),
    /// Manage minikube profiles: list, status, start, stop, delete, use, addons, docker-env.
    #[command(visible_alias = "mk")]
    Minikube(minikube::Args),
    /// Explain the image push policy for a reference: exits 0 when a push would be allowed
    /// here, 6 when it would be refused ("only CI pushes to ECR").
    Policy(policy::Args),
    /// Build an image through the Docker Engine API, tagged NAME:<git short sha>[-dirty];
    /// honours .dockerignore; builds into minikube's daemon when the context is minikube.
    Build(build::Args),
    /// Push a local image with your Docker credentials, after the push policy allowed it
    /// (exit 6 refused, 9 credentials rejected, 8 engine or registry unreachable).
    Push(push::Args),
    /// List the project's local images: tags, size, age and where each has been pushed.
    Images(images_cmd::Args),
    /// Find ways around the push policy on this machine (ECR credentials and credential
    /// helpers in the Docker config) and say how to close them.
    Doctor(doctor::Args),
    /// ECR pull secrets for local clusters, minted from your AWS credentials: refresh, status,
    /// clean.
    Creds(creds::Args),
    /// Print the shell completion script (bash, zsh, fish).
    Completions(docs::CompletionsArgs),
    /// Write man pages generated from these definitions.
    Man(docs::ManArgs),
}

/// The clap command tree (for completions and man pages).
pub fn command() -> clap::Command {
    Cli::command()
}

/// Options every command shares.
#[derive(Debug, Clone)]
pub struct Globals {
    pub kubeconfig: Option<PathBuf>,
    pub set: Vec<String>,
}

impl Globals {
    pub fn sources(&self) -> Sources {
        Sources::from_env(self.kubeconfig.as_deref())
    }

    pub fn config(&self) -> Result<crate::config::Loaded, Failure> {
        let opts = crate::config::LoadOptions::from_process(self.set.clone());
        crate::config::load(&opts).map_err(Failure::from)
    }
}

/// Parses the process arguments, runs the command, and returns the exit code.
/// How CLI commands take kubeconfig locks: the configured timeout, a note on stderr when a
/// stale devk lock was removed, and Ctrl-C or SIGTERM honoured once the write is done.
fn kubeconfig_lock(cfg: &crate::config::Config) -> crate::kubeconfig::LockOptions {
    crate::kubeconfig::LockOptions::cli(
        std::time::Duration::from_millis(cfg.kubeconfig.lock_timeout_ms),
        output::note,
    )
}

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => Exit::Usage.into(),
            };
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => f.report(),
    }
}

/// Runs one parsed command line.
pub fn run(cli: Cli) -> Result<(), Failure> {
    let globals = Globals {
        kubeconfig: cli.kubeconfig,
        set: cli.set,
    };
    match cli.command.unwrap_or(Command::Ui(ui::Args::default())) {
        Command::Ui(a) => ui::exec(a, &globals),
        Command::Contexts(a) => contexts_cmd::exec(a, &globals),
        Command::Switch(a) => switch::exec(a, &globals),
        Command::Ns(a) => ns::exec(a, &globals),
        Command::Logs(a) => logs::exec(a, &globals),
        Command::Current(a) => current::exec(a, &globals),
        Command::Why(a) => why::exec(a, &globals),
        Command::Context(a) => context_cmd::exec(a, &globals),
        Command::Config(a) => config_cmd::exec(a, &globals),
        Command::Demo(a) => demo::exec(a, &globals),
        Command::Sandbox(a) => sandbox_cmd::exec(a, &globals),
        Command::Hook(a) => hook::exec(a, &globals),
        Command::Scan(a) => scan::exec(a, &globals),
        Command::Minikube(a) => minikube::exec(a, &globals),
        Command::Policy(a) => policy::exec(a, &globals),
        Command::Build(a) => build::exec(a, &globals),
        Command::Push(a) => push::exec(a, &globals),
        Command::Images(a) => images_cmd::exec(a, &globals),
        Command::Doctor(a) => doctor::exec(a, &globals),
        Command::Creds(a) => creds::exec(a, &globals),
        Command::Completions(a) => docs::completions(a),
        Command::Man(a) => docs::man(a),
    }
}
