//! `devk creds`: ECR pull secrets for local clusters. `refresh` mints a token from your AWS
//! credentials and writes it as a pull secret (or, with `--addon`, fills minikube's
//! registry-creds addon secret); `status` shows what exists and when it expires; `clean`
//! removes what devk made. Token and key values are never printed.

use clap_complete::ArgValueCompleter;

use super::output::{async_runtime, note, out};
use super::{Failure, Globals, complete};
use crate::config::CredsConfig;
use crate::contexts::{ContextRow, rows};
use crate::ecr::pullsecret::{ADDON_PULL_SECRET, ADDON_SECRET, rfc3339};
use crate::ecr::refresh::{Namespaces, Request, refresh};
use crate::ecr::schedule::countdown;
use crate::ecr::sdk::AwsOptions;
use crate::ecr::status::{self, StatusRow};
use crate::ecr::target::check_target;
use crate::exit::Exit;
use crate::kubeconfig::Kubeconfig;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Sub,
}

/// Which cluster and namespaces.
#[derive(Debug, clap::Args)]
pub struct Scope {
    /// The context (default: the current one).
    #[arg(long, add = ArgValueCompleter::new(complete::contexts))]
    pub context: Option<String>,
    /// A namespace (repeatable; default: creds.namespaces, else the context's namespace).
    #[arg(short, long = "namespace", value_name = "NS")]
    pub namespaces: Vec<String>,
    /// Every namespace of the cluster.
    #[arg(short = 'A', long, conflicts_with = "namespaces")]
    pub all_namespaces: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum Sub {
    /// Mint an ECR token and create or update the pull secret, adding it to service accounts.
    Refresh {
        #[command(flatten)]
        scope: Scope,
        /// A service account to add the secret to (repeatable; default: creds.service_accounts).
        #[arg(long = "service-account", value_name = "SA")]
        service_accounts: Vec<String>,
        /// AWS profile (default: creds.profile, then the AWS chain).
        #[arg(long)]
        profile: Option<String>,
        /// AWS region (default: creds.region, then the AWS chain).
        #[arg(long)]
        region: Option<String>,
        /// Write minikube's registry-creds addon secret (kube-system/registry-creds-ecr) instead.
        #[arg(long, conflicts_with_all = ["namespaces", "all_namespaces", "service_accounts"])]
        addon: bool,
    },
    /// Show the pull secrets devk and the registry-creds addon made, and when they expire.
    Status {
        /// The context (repeatable; default: the current one).
        #[arg(long = "context", add = ArgValueCompleter::new(complete::contexts))]
        contexts: Vec<String>,
        /// A namespace (repeatable; default: every namespace).
        #[arg(short, long = "namespace", value_name = "NS")]
        namespaces: Vec<String>,
        #[arg(short, long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Remove the secrets devk created and the imagePullSecrets entries it added.
    Clean {
        #[command(flatten)]
        scope: Scope,
    },
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

fn nonempty(s: &str) -> Option<String> {
    (!s.trim().is_empty()).then(|| s.trim().to_owned())
}

/// The context `refresh` and `clean` write to, once the local-clusters-only rule allows it.
fn writable_target(
    kc: &Kubeconfig,
    cfg: &crate::config::Config,
    name: Option<&str>,
) -> Result<ContextRow, Failure> {
    let row = target_row(kc, cfg, name)?;
    check_target(
        &row.name,
        row.class,
        &row.class_reason,
        &cfg.creds.allowed_contexts,
    )
    .map_err(|e| Failure::new(Exit::Refused, e.to_string()))?;
    Ok(row)
}

/// The context row for `--context` or the current context.
fn target_row(
    kc: &Kubeconfig,
    cfg: &crate::config::Config,
    name: Option<&str>,
) -> Result<ContextRow, Failure> {
    let rules = super::contexts_cmd::class_rules_from(cfg);
    let name = match name {
        Some(n) => n.to_owned(),
        None => kc.current_context().map(str::to_owned).ok_or_else(|| {
            Failure::new(
                Exit::NotFound,
                "no current context; pick one with `devk switch NAME` or pass --context",
            )
        })?,
    };
    rows(kc, &rules)
        .into_iter()
        .find(|r| r.name == name)
        .ok_or_else(|| {
            Failure::new(
                Exit::NotFound,
                format!(
                    "no context `{name}` in {}; `devk contexts` lists them",
                    kc.sources().describe()
                ),
            )
        })
}

fn scope_namespaces(scope: &Scope, creds: &CredsConfig, row: &ContextRow) -> Namespaces {
    if scope.all_namespaces {
        Namespaces::All
    } else if !scope.namespaces.is_empty() {
        Namespaces::List(scope.namespaces.clone())
    } else {
        Namespaces::List(crate::ecr::refresh::default_namespaces(
            &creds.namespaces,
            &row.namespace,
        ))
    }
}

fn now() -> i64 {
    jiff::Timestamp::now().as_second()
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let cfg = g.config()?.config;
    let kc = Kubeconfig::load_light(g.sources(), false)?;
    match args.command {
        Sub::Refresh {
            scope,
            service_accounts,
            profile,
            region,
            addon,
        } => {
            let row = writable_target(&kc, &cfg, scope.context.as_deref())?;
            let region = region.or_else(|| nonempty(&cfg.creds.region));
            if let Some(r) = &region {
                crate::ecr::check_region(r).map_err(|e| Failure::new(Exit::Usage, e))?;
            }
            let aws = AwsOptions {
                profile: profile.or_else(|| nonempty(&cfg.creds.profile)),
                region,
            };
            let sas = if service_accounts.is_empty() {
                cfg.creds.service_accounts.clone()
            } else {
                service_accounts
            };
            let addon = addon || cfg.creds.addon;
            let namespaces = scope_namespaces(&scope, &cfg.creds, &row);
            let req = Request::from_config(&cfg.creds, &row.name, namespaces, sas, aws, addon)
                .map_err(|e| Failure::new(Exit::Config, e))?;
            let rt = async_runtime(2)?;
            let at = now();
            let report = rt
                .block_on(refresh(&g.sources(), &req, at))
                .map_err(|e| Failure::new(e.exit(), e.to_string()))?;
            out(&refresh_text(&report, addon, at))?;
            if let Some(exp) = report.expires_at.filter(|e| *e <= at) {
                note(&format!(
                    "devk: warning: the credentials AWS returned had already expired ({}); pulls with them will fail. Check this machine's clock{}. The TUI retries no sooner than every {} minutes",
                    rfc3339(exp),
                    if std::env::var_os("AWS_ENDPOINT_URL_ECR").is_some() {
                        " (AWS_ENDPOINT_URL_ECR is set: an ECR emulator may hand out expired tokens)"
                    } else {
                        ""
                    },
                    crate::ecr::schedule::MIN_INTERVAL / 60
                ));
            }
            Ok(())
        }
        Sub::Status {
            contexts,
            namespaces,
            output,
        } => {
            let names: Vec<Option<String>> = if contexts.is_empty() {
                vec![None]
            } else {
                contexts.into_iter().map(Some).collect()
            };
            let rt = async_runtime(2)?;
            let at = now();
            let mut all: Vec<StatusRow> = Vec::new();
            for name in names {
                let row = target_row(&kc, &cfg, name.as_deref())?;
                let ns = (!namespaces.is_empty()).then_some(namespaces.as_slice());
                let (secrets, sas) = rt
                    .block_on(async {
                        let client = crate::cluster::client_for(&g.sources(), &row.name).await?;
                        crate::cluster::pullsecrets::observe(&client, &row.name, ns).await
                    })
                    .map_err(Failure::from)?;
                all.extend(status::rows(&row.name, &secrets, &sas, at));
            }
            let text = match output {
                Format::Json => {
                    let mut s = serde_json::to_string_pretty(&all)
                        .map_err(|e| Failure::new(Exit::Failure, e.to_string()))?;
                    s.push('\n');
                    s
                }
                Format::Table if all.is_empty() => {
                    note("no ECR pull secrets here; `devk creds refresh` creates one");
                    return Ok(());
                }
                Format::Table => status_table(&all),
            };
            out(&text)
        }
        Sub::Clean { scope } => {
            let row = writable_target(&kc, &cfg, scope.context.as_deref())?;
            // Without -n: everywhere devk wrote.
            let ns = (!scope.all_namespaces && !scope.namespaces.is_empty())
                .then(|| scope.namespaces.clone());
            let rt = async_runtime(2)?;
            let cleaned = rt
                .block_on(async {
                    let client = crate::cluster::client_for(&g.sources(), &row.name).await?;
                    crate::cluster::pullsecrets::clean(&client, &row.name, ns.as_deref()).await
                })
                .map_err(Failure::from)?;
            let mut text = String::new();
            for s in &cleaned.secrets {
                text.push_str(&format!("deleted secret {s}\n"));
            }
            for s in &cleaned.service_accounts {
                text.push_str(&format!(
                    "service account {s}: devk's pull secret entry removed\n"
                ));
            }
            if text.is_empty() {
                note(&format!(
                    "nothing of devk's to clean in context `{}`",
                    row.name
                ));
                return Ok(());
            }
            out(&text)
        }
    }
}

/// The refresh summary: what was written where; never a token.
pub fn refresh_text(r: &crate::ecr::refresh::Report, addon: bool, now: i64) -> String {
    let mut s = String::new();
    let expiry = match r.expires_at {
        Some(e) if e <= now => format!("expired at {}", rfc3339(e)),
        Some(e) => format!("expires {} (in {})", rfc3339(e), countdown(e - now)),
        None => "long-term keys, no expiry".to_owned(),
    };
    s.push_str(&format!(
        "context {}: {} ({expiry})\n",
        r.context,
        r.registries.join(", ")
    ));
    for (ns, name, change) in &r.secrets {
        s.push_str(&format!("secret {ns}/{name}: {}\n", change.as_str()));
    }
    for (ns, sa, change) in &r.service_accounts {
        s.push_str(&format!("service account {ns}/{sa}: {}\n", change.as_str()));
    }
    if addon {
        s.push_str(&format!(
            "minikube's registry-creds addon reads {ADDON_SECRET} and writes its own pull secret, named `{ADDON_PULL_SECRET}`, into each namespace: reference `{ADDON_PULL_SECRET}` (not {ADDON_SECRET}) in imagePullSecrets. The addon keeps these keys in the cluster and refreshes tokens itself.\n"
        ));
    }
    s
}

fn status_table(rows: &[StatusRow]) -> String {
    let header = [
        "CONTEXT",
        "NAMESPACE",
        "SECRET",
        "BY",
        "REGISTRIES",
        "EXPIRES",
        "STATE",
        "SERVICE ACCOUNTS",
    ];
    let cells: Vec<[String; 8]> = rows
        .iter()
        .map(|r| {
            [
                r.context.clone(),
                r.namespace.clone(),
                r.secret.clone(),
                r.kind.as_str().to_owned(),
                if r.registries.is_empty() {
                    "-".into()
                } else {
                    r.registries.join(",")
                },
                r.expires_at.clone().unwrap_or_else(|| "-".into()),
                r.state.clone(),
                if r.service_accounts.is_empty() {
                    "-".into()
                } else {
                    r.service_accounts.join(",")
                },
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: Vec<&str>| {
        let mut l = cols
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        l.truncate(l.trim_end().len());
        l.push('\n');
        l
    };
    let mut s = line(header.to_vec());
    for row in &cells {
        s.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    s
}
