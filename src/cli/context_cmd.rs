//! `devk context add|rename|delete`: kubectl's set-cluster, set-credentials, set-context,
//! rename-context and delete-context in fewer steps.

use std::path::PathBuf;

use crate::kubeconfig::yaml::{Mapping, Value};
use clap_complete::ArgValueCompleter;

use super::output::{note, out};
use super::{Failure, Globals, complete, confirm};
use crate::contexts::classify_context;
use crate::exit::Exit;
use crate::kubeconfig::{Kind, Kubeconfig, update};
use crate::policy::ContextClass;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
}

#[derive(Debug, clap::Subcommand)]
#[expect(
    clippy::large_enum_variant,
    reason = "parsed once per process; boxing buys nothing"
)]
pub enum Action {
    /// Create or update a cluster, a user and a context in one step.
    Add(AddArgs),
    /// Rename a context (in place, in the file that defines it).
    Rename {
        #[arg(add = ArgValueCompleter::new(complete::contexts))]
        old: String,
        new: String,
    },
    /// Delete a context (asks first; clusters and users are kept, as kubectl does).
    Delete {
        #[arg(add = ArgValueCompleter::new(complete::contexts))]
        name: String,
        /// Do not ask for confirmation.
        #[arg(short, long)]
        yes: bool,
    },
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("tls").args(["certificate_authority", "insecure_skip_tls_verify"])))]
#[command(group(clap::ArgGroup::new("auth").args(["client_certificate", "token", "token_file", "exec_command"])))]
pub struct AddArgs {
    /// Name of the context to create or update.
    pub name: String,
    /// API server URL (https://host:port). Required when the cluster entry is new.
    #[arg(long)]
    pub server: Option<String>,
    /// Cluster entry name (default: the context name).
    #[arg(long)]
    pub cluster: Option<String>,
    /// User entry name (default: the context name).
    #[arg(long)]
    pub user: Option<String>,
    /// Namespace for the context.
    #[arg(short, long)]
    pub namespace: Option<String>,
    /// CA certificate file for the server.
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub certificate_authority: Option<PathBuf>,
    /// Skip TLS verification of the server (unsafe; for throwaway local clusters only).
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// Store certificate and key contents in the kubeconfig instead of file paths.
    #[arg(long)]
    pub embed_certs: bool,
    /// Client certificate file (with --client-key).
    #[arg(long, requires = "client_key", value_hint = clap::ValueHint::FilePath)]
    pub client_certificate: Option<PathBuf>,
    /// Client key file (with --client-certificate).
    #[arg(long, requires = "client_certificate", value_hint = clap::ValueHint::FilePath)]
    pub client_key: Option<PathBuf>,
    /// Bearer token (visible in `ps`; prefer --token-file).
    #[arg(long)]
    pub token: Option<String>,
    /// File holding a bearer token (read by kubectl at each call).
    #[arg(long, value_hint = clap::ValueHint::FilePath)]
    pub token_file: Option<PathBuf>,
    /// Exec credential plugin command (e.g. `aws`).
    #[arg(long)]
    pub exec_command: Option<String>,
    /// Argument for the exec plugin (repeatable, e.g. --exec-arg eks --exec-arg get-token).
    #[arg(
        long = "exec-arg",
        requires = "exec_command",
        allow_hyphen_values = true
    )]
    pub exec_args: Vec<String>,
    /// Environment variable for the exec plugin as NAME=VALUE (repeatable).
    #[arg(long = "exec-env", requires = "exec_command")]
    pub exec_env: Vec<String>,
    /// API version of the exec plugin protocol.
    #[arg(
        long,
        default_value = "client.authentication.k8s.io/v1beta1",
        requires = "exec_command"
    )]
    pub exec_api_version: String,
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let cfg = g.config()?.config;
    let lock_timeout = super::kubeconfig_lock(&cfg);
    let sources = g.sources();
    match args.action {
        Action::Add(a) => add(a, &sources, lock_timeout),
        Action::Rename { old, new } => {
            update(&sources, false, lock_timeout, |kc| {
                kc.rename_context(&old, &new)
            })?;
            out(&format!("Context \"{old}\" renamed to \"{new}\".\n"))
        }
        Action::Delete { name, yes } => {
            let kc = Kubeconfig::load(sources.clone(), false)?;
            let Some(ctx) = kc.context(&name) else {
                return Err(Failure::new(
                    Exit::NotFound,
                    format!("no context named `{name}` in {}", sources.describe()),
                ));
            };
            let rules = super::contexts_cmd::class_rules_from(&cfg);
            let class = classify_context(&kc, &rules, &ctx);
            if class.class == ContextClass::Protected {
                confirm::typed_name(&name, "delete", &class.reason, yes)?;
            } else {
                confirm::yes_no(&format!("Delete context `{name}`?"), yes)?;
            }
            let was_current = update(&sources, false, lock_timeout, |kc| kc.delete_context(&name))?;
            if was_current {
                note(
                    "warning: this removed your current context; pick another with `devk switch NAME`",
                );
            }
            out(&format!("Deleted context \"{name}\".\n"))
        }
    }
}

fn read_file(path: &PathBuf, what: &str) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| {
        Failure::new(
            Exit::Io,
            format!("cannot read the {what} {}: {e}", path.display()),
        )
    })
}

fn absolute(path: &PathBuf) -> Result<String, Failure> {
    let abs = std::path::absolute(path)
        .map_err(|e| Failure::new(Exit::Io, format!("{}: {e}", path.display())))?;
    if !abs.exists() {
        return Err(Failure::new(
            Exit::Io,
            format!("{} does not exist", abs.display()),
        ));
    }
    Ok(abs.display().to_string())
}

/// Field edits for one entry: `Some` sets the key, `None` removes it.
type Edits = Vec<(&'static str, Option<Value>)>;

/// Edits that point `key` at a file, or with `embed` store the file's base64 under `key-data`.
fn file_edits(
    key: &'static str,
    data_key: &'static str,
    path: &PathBuf,
    embed: bool,
    what: &str,
) -> Result<Edits, Failure> {
    Ok(if embed {
        vec![
            (key, None),
            (
                data_key,
                Some(Value::String(crate::encoding::base64_encode(&read_file(
                    path, what,
                )?))),
            ),
        ]
    } else {
        vec![
            (data_key, None),
            (key, Some(Value::String(absolute(path)?))),
        ]
    })
}

fn apply(body: &mut Mapping, edits: &Edits) {
    for (k, v) in edits {
        match v {
            Some(v) => {
                body.insert((*k).into(), v.clone());
            }
            None => {
                body.shift_remove(*k);
            }
        }
    }
}

fn validate_server(server: &str) -> Result<(), Failure> {
    let ok = (server.starts_with("https://") || server.starts_with("http://"))
        && server
            .split_once("://")
            .is_some_and(|(_, rest)| !rest.is_empty());
    if ok {
        Ok(())
    } else {
        Err(Failure::new(
            Exit::Usage,
            format!("--server `{server}` is not a URL; use https://HOST:PORT"),
        ))
    }
}

/// Everything `add` writes, computed (and every file read) before the kubeconfig is locked,
/// so a bad path fails before anything is written.
fn plan(a: &AddArgs) -> Result<(Edits, Edits), Failure> {
    let mut cluster: Edits = Vec::new();
    if let Some(s) = &a.server {
        validate_server(s)?;
        cluster.push(("server", Some(Value::String(s.clone()))));
    }
    if let Some(ca) = &a.certificate_authority {
        cluster.push(("insecure-skip-tls-verify", None));
        cluster.extend(file_edits(
            "certificate-authority",
            "certificate-authority-data",
            ca,
            a.embed_certs,
            "CA file",
        )?);
    }
    if a.insecure_skip_tls_verify {
        cluster.push(("certificate-authority", None));
        cluster.push(("certificate-authority-data", None));
        cluster.push(("insecure-skip-tls-verify", Some(Value::Bool(true))));
    }
    let mut user: Edits = Vec::new();
    if let (Some(c), Some(k)) = (&a.client_certificate, &a.client_key) {
        user.extend(file_edits(
            "client-certificate",
            "client-certificate-data",
            c,
            a.embed_certs,
            "client certificate",
        )?);
        user.extend(file_edits(
            "client-key",
            "client-key-data",
            k,
            a.embed_certs,
            "client key",
        )?);
    }
    if let Some(t) = &a.token {
        user.push(("tokenFile", None));
        user.push(("token", Some(Value::String(t.clone()))));
    }
    if let Some(p) = &a.token_file {
        user.push(("token", None));
        user.push(("tokenFile", Some(Value::String(absolute(p)?))));
    }
    if let Some(cmd) = &a.exec_command {
        let mut exec = Mapping::new();
        exec.insert(
            "apiVersion".into(),
            Value::String(a.exec_api_version.clone()),
        );
        exec.insert("command".into(), Value::String(cmd.clone()));
        if !a.exec_args.is_empty() {
            exec.insert(
                "args".into(),
                Value::Array(a.exec_args.iter().cloned().map(Value::String).collect()),
            );
        }
        let mut env = Vec::new();
        for kv in &a.exec_env {
            let Some((k, v)) = kv.split_once('=') else {
                return Err(Failure::new(
                    Exit::Usage,
                    format!("--exec-env `{kv}` must be NAME=VALUE"),
                ));
            };
            let mut m = Mapping::new();
            m.insert("name".into(), Value::String(k.into()));
            m.insert("value".into(), Value::String(v.into()));
            env.push(Value::Object(m));
        }
        if !env.is_empty() {
            exec.insert("env".into(), Value::Array(env));
        }
        // client.authentication.k8s.io/v1 requires the field; IfAvailable is what kubectl
        // assumes for the older versions.
        exec.insert(
            "interactiveMode".into(),
            Value::String("IfAvailable".into()),
        );
        user.push(("exec", Some(Value::Object(exec))));
    }
    Ok((cluster, user))
}

fn add(
    a: AddArgs,
    sources: &crate::kubeconfig::Sources,
    lock_timeout: crate::kubeconfig::LockOptions,
) -> Result<(), Failure> {
    let cluster = a.cluster.clone().unwrap_or_else(|| a.name.clone());
    let user = a.user.clone().unwrap_or_else(|| a.name.clone());
    let (cluster_edits, user_edits) = plan(&a)?;
    let mut context_edits: Edits = vec![
        ("cluster", Some(Value::String(cluster.clone()))),
        ("user", Some(Value::String(user.clone()))),
    ];
    if let Some(ns) = &a.namespace {
        context_edits.push(("namespace", Some(Value::String(ns.clone()))));
    }
    let written = update(sources, true, lock_timeout, |kc| {
        if kc.cluster(&cluster).is_none() && a.server.is_none() {
            return Err(Failure::new(
                Exit::Usage,
                format!("cluster `{cluster}` is new: give its --server URL"),
            ));
        }
        kc.upsert(Kind::Cluster, &cluster, |b| apply(b, &cluster_edits));
        kc.upsert(Kind::User, &user, |b| apply(b, &user_edits));
        kc.upsert(Kind::Context, &a.name, |b| apply(b, &context_edits));
        Ok(kc
            .changed_files()
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>())
    })?;
    out(&format!(
        "Context \"{}\" (cluster \"{cluster}\", user \"{user}\") saved in {}.\n",
        a.name,
        written.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_rfc4648_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(crate::encoding::base64_encode(i.as_bytes()), o);
        }
    }
}
