//! `devk minikube` (alias `devk mk`): minikube profiles from inside devk. Reads go through
//! minikube's JSON output; long operations stream minikube's own output live and stop cleanly
//! on ctrl-c; `use` switches minikube's active profile and the kube context together.

use super::output::{note, out};
use super::{Failure, Globals, confirm};
use crate::exit::Exit;
use crate::kubeconfig::{Kubeconfig, update_loaded};
use crate::minikube::{self, Minikube, MinikubeError, OutputLine, StartOptions, Stream};
use crate::state::{State, state_dir};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Without a command: `list`.
    #[command(subcommand)]
    pub command: Option<Sub>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// List minikube profiles with their state (`*` marks minikube's active profile).
    #[command(visible_alias = "ls")]
    List {
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Show the state of each node of a profile (default: minikube's active profile).
    Status {
        profile: Option<String>,
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Start (or create) a profile; defaults come from `[minikube]` in devk.toml.
    Start {
        profile: Option<String>,
        /// minikube driver (docker, kvm2, qemu2, ...).
        #[arg(long)]
        driver: Option<String>,
        /// CPUs for the cluster.
        #[arg(long)]
        cpus: Option<u64>,
        /// Memory for the cluster, as minikube takes it (4096, 4g).
        #[arg(long)]
        memory: Option<String>,
        /// Kubernetes version (v1.31.0, stable, latest).
        #[arg(long)]
        kubernetes_version: Option<String>,
    },
    /// Stop a profile's cluster.
    Stop { profile: Option<String> },
    /// Delete a profile and its cluster (asks first; --yes for scripts).
    Delete {
        profile: Option<String>,
        /// Delete without asking.
        #[arg(short, long)]
        yes: bool,
    },
    /// Make PROFILE minikube's active profile and switch the kube context to it.
    Use { profile: String },
    /// List a profile's addons, or enable/disable one.
    #[command(args_conflicts_with_subcommands = true)]
    Addons {
        #[command(subcommand)]
        action: Option<AddonAction>,
        profile: Option<String>,
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Print `export` lines pointing Docker at a profile's daemon: eval "$(devk mk docker-env)".
    DockerEnv { profile: Option<String> },
}

#[derive(Debug, clap::Subcommand)]
pub enum AddonAction {
    /// Enable an addon.
    Enable {
        name: String,
        #[arg(short, long)]
        profile: Option<String>,
    },
    /// Disable an addon.
    Disable {
        name: String,
        #[arg(short, long)]
        profile: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn fail(e: MinikubeError) -> Failure {
    Failure::new(e.exit(), e.to_string())
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let loaded = g.config()?;
    let cfg = &loaded.config;
    let mk = minikube::from_config(cfg);
    match args.command.unwrap_or(Sub::List {
        output: Format::Table,
    }) {
        Sub::List { output } => list(&mk, output),
        Sub::Status { profile, output } => status(&mk, profile.as_deref(), output),
        Sub::Start {
            profile,
            driver,
            cpus,
            memory,
            kubernetes_version,
        } => {
            let d = &cfg.minikube;
            let options = StartOptions {
                driver: driver.unwrap_or_else(|| d.driver.clone()),
                cpus: cpus.unwrap_or(d.cpus),
                memory: memory.unwrap_or_else(|| d.memory.clone()),
                kubernetes_version: kubernetes_version
                    .unwrap_or_else(|| d.kubernetes_version.clone()),
            };
            long_op(&mk, Minikube::start_args(profile.as_deref(), &options))
        }
        Sub::Stop { profile } => long_op(&mk, Minikube::stop_args(profile.as_deref())),
        Sub::Delete { profile, yes } => {
            let what = profile
                .as_deref()
                .map_or("minikube's active profile".to_string(), |p| {
                    format!("minikube profile `{p}`")
                });
            confirm::yes_no(&format!("Delete {what} and its cluster?"), yes)?;
            long_op(&mk, Minikube::delete_args(profile.as_deref()))
        }
        Sub::Use { profile } => use_profile(&mk, &profile, g, cfg),
        Sub::Addons {
            action,
            profile,
            output,
        } => match action {
            None => addons(&mk, profile.as_deref(), output),
            Some(AddonAction::Enable { name, profile }) => {
                long_op(&mk, Minikube::addon_args(profile.as_deref(), &name, true))
            }
            Some(AddonAction::Disable { name, profile }) => {
                long_op(&mk, Minikube::addon_args(profile.as_deref(), &name, false))
            }
        },
        Sub::DockerEnv { profile } => docker_env(&mk, profile.as_deref()),
    }
}

/// Lines padded into columns.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 == row.len() {
                line.push_str(cell);
            } else {
                let pad = widths[c].saturating_sub(cell.chars().count());
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

fn json<T: serde::Serialize>(value: &T) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| Failure::new(Exit::Failure, format!("cannot write JSON: {e}")))?;
    out(&format!("{text}\n"))
}

fn list(mk: &Minikube, format: Format) -> Result<(), Failure> {
    let profiles = mk.profiles().map_err(fail)?;
    if format == Format::Json {
        return json(&profiles);
    }
    if profiles.is_empty() {
        note("No minikube profiles yet; create one with `devk minikube start [NAME]`.");
        return Ok(());
    }
    let mut rows = vec![
        [
            "",
            "PROFILE",
            "STATUS",
            "DRIVER",
            "RUNTIME",
            "KUBERNETES",
            "NODES",
            "IP",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for p in &profiles {
        let status = if p.valid {
            p.status.clone()
        } else {
            "invalid".to_string()
        };
        rows.push(vec![
            if p.active { "*" } else { "" }.to_string(),
            p.name.clone(),
            status,
            p.driver.clone(),
            p.container_runtime.clone(),
            p.kubernetes_version.clone(),
            p.nodes.to_string(),
            p.ip.clone().unwrap_or_default(),
        ]);
    }
    out(&table(&rows))?;
    if profiles.iter().any(|p| !p.valid) {
        note("Invalid profiles cannot be used; remove them with `devk minikube delete NAME`.");
    }
    Ok(())
}

fn status(mk: &Minikube, profile: Option<&str>, format: Format) -> Result<(), Failure> {
    let nodes = mk.status(profile).map_err(fail)?;
    if format == Format::Json {
        return json(&nodes);
    }
    let mut rows = vec![
        ["NODE", "ROLE", "HOST", "KUBELET", "APISERVER", "KUBECONFIG"]
            .map(String::from)
            .to_vec(),
    ];
    for n in &nodes {
        rows.push(vec![
            n.name.clone(),
            if n.worker { "worker" } else { "control-plane" }.to_string(),
            n.host.clone(),
            n.kubelet.clone(),
            n.apiserver.clone(),
            n.kubeconfig.clone(),
        ]);
    }
    out(&table(&rows))
}

fn addons(mk: &Minikube, profile: Option<&str>, format: Format) -> Result<(), Failure> {
    let list = mk.addons(profile).map_err(fail)?;
    if format == Format::Json {
        return json(&list);
    }
    let mut rows = vec![["ADDON", "STATE"].map(String::from).to_vec()];
    for a in &list {
        let state = if a.enabled { "enabled" } else { "disabled" };
        rows.push(vec![a.name.clone(), state.to_string()]);
    }
    out(&table(&rows))
}

/// Runs a long operation, printing minikube's output as it comes; ctrl-c stops minikube and
/// waits for it to clean up.
fn long_op(mk: &Minikube, args: Vec<String>) -> Result<(), Failure> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::new(Exit::Failure, format!("cannot start a runtime: {e}")))?;
    let print = |line: OutputLine| match line.stream {
        // A closed stdout must not stop minikube half-way; its output simply goes nowhere.
        Stream::Stdout => {
            let _ = out(&format!("{}\n", line.text));
        }
        Stream::Stderr => note(&line.text),
    };
    let cancel = async {
        // Without a signal handler there is nothing to wait for: never cancel.
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    let result = rt.block_on(mk.stream(&args, print, cancel));
    match result {
        Ok(()) => Ok(()),
        // minikube's own error lines were just printed live; repeat only the verdict.
        Err(MinikubeError::Failed { command, code, .. }) => Err(Failure::new(
            Exit::Failure,
            match code {
                Some(c) => format!(
                    "`{command}` failed with minikube exit code {c} (minikube's output is above)"
                ),
                None => format!("`{command}` was killed by a signal"),
            },
        )),
        Err(e) => Err(fail(e)),
    }
}

fn use_profile(
    mk: &Minikube,
    profile: &str,
    g: &Globals,
    cfg: &crate::config::Config,
) -> Result<(), Failure> {
    let sources = g.sources();
    let kc = Kubeconfig::load(sources.clone(), false)?;
    // Check the context before touching minikube, so a missing context changes nothing.
    if kc.context(profile).is_none() {
        // Without minikube, `devk minikube start` cannot work either: say what can.
        if let Err(missing) = mk.locate() {
            return Err(Failure::new(
                missing.exit(),
                format!(
                    "no context `{profile}` in {}, and no minikube to make one: {missing}",
                    kc.sources().describe()
                ),
            ));
        }
        return Err(Failure::new(
            Exit::NotFound,
            format!(
                "no context `{profile}` in {}; minikube writes it when the profile starts: run `devk minikube start {profile}` (or `minikube update-context -p {profile}`)",
                kc.sources().describe()
            ),
        ));
    }
    let previous = kc.current_context().map(str::to_string);
    mk.set_active_profile(profile).map_err(fail)?;
    let lock_timeout = super::kubeconfig_lock(cfg);
    update_loaded(Some(kc), &sources, false, lock_timeout, |kc| {
        kc.use_context(profile)?;
        Ok::<_, Failure>(())
    })?;
    if let (Some(dir), Some(prev)) = (state_dir(), previous)
        && prev != profile
    {
        let mut state = State::load(&dir);
        state.previous_context = Some(prev);
        if let Err(e) = state.save(&dir) {
            note(&format!(
                "devk: could not record the previous context in {}: {e}",
                dir.display()
            ));
        }
    }
    out(&format!(
        "minikube profile is now \"{profile}\"; switched to context \"{profile}\".\n"
    ))
}

fn docker_env(mk: &Minikube, profile: Option<&str>) -> Result<(), Failure> {
    let env = mk.docker_env(profile).map_err(fail)?;
    let fish = std::env::var("SHELL").is_ok_and(|s| s.ends_with("/fish"));
    let mut text = String::new();
    for (k, v) in &env.vars {
        text.push_str(&export_line(k, v, fish));
        text.push('\n');
    }
    let p = profile.map(|p| format!(" {p}")).unwrap_or_default();
    if fish {
        text.push_str(&format!(
            "# To point your shell at minikube's Docker daemon, run:\n# devk minikube docker-env{p} | source\n"
        ));
    } else {
        text.push_str(&format!(
            "# To point your shell at minikube's Docker daemon, run:\n# eval \"$(devk minikube docker-env{p})\"\n"
        ));
    }
    out(&text)
}

/// One variable as a shell assignment, quoted so that `eval` keeps the value as it is.
fn export_line(name: &str, value: &str, fish: bool) -> String {
    let mut quoted = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if matches!(c, '\\' | '"' | '$') || (!fish && c == '`') {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    if fish {
        format!("set -gx {name} \"{quoted}\";")
    } else {
        format!("export {name}=\"{quoted}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_lines_quote_for_posix_shells_and_fish() {
        assert_eq!(
            export_line("DOCKER_HOST", "tcp://192.168.49.2:2376", false),
            "export DOCKER_HOST=\"tcp://192.168.49.2:2376\""
        );
        assert_eq!(
            export_line("X", "a\"b$c`d\\", false),
            "export X=\"a\\\"b\\$c\\`d\\\\\""
        );
        assert_eq!(
            export_line("DOCKER_TLS_VERIFY", "1", true),
            "set -gx DOCKER_TLS_VERIFY \"1\";"
        );
    }

    #[test]
    fn table_pads_columns_and_trims_line_ends() {
        let rows = vec![
            vec!["A".to_string(), "BB".to_string(), String::new()],
            vec!["CCC".to_string(), "D".to_string(), "E".to_string()],
        ];
        assert_eq!(table(&rows), "A    BB\nCCC  D   E\n");
    }
}
