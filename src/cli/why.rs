//! `devk why POD|KIND/NAME`: one line per pod saying why it is not running and what to do.
//! Exit 0 when every pod runs, 1 when one does not, 5 when there is no such pod or workload.

use std::io::Write;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};

use super::output::TextOrJson;
use super::{Failure, Globals};
use crate::cluster::{self, ClusterError, diagnose as adapter};
use crate::diagnose::{Diagnosis, ImageFacts, Knowledge, diagnose};
use crate::exit::Exit;
use crate::images::pushed::PushLog;
use crate::kubeconfig::Kubeconfig;
use crate::policy::{Glob, classify_registry};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A pod, or KIND/NAME of a workload (deploy/, sts/, ds/, rs/, job/, pod/).
    pub target: String,
    /// Namespace. Default: the context's namespace.
    #[arg(short, long = "namespace")]
    pub namespace: Option<String>,
    /// Context. Default: the current one.
    #[arg(long)]
    pub context: Option<String>,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = TextOrJson::Text)]
    pub output: TextOrJson,
}

fn api_failure(context: &str, e: kube::Error) -> Failure {
    Failure::from(ClusterError::Api {
        context: context.to_string(),
        message: e.to_string(),
    })
}

/// The pods of `kind/name`, by its selector's matchLabels.
async fn workload_pods(
    client: &kube::Client,
    ns: &str,
    kind: &str,
    name: &str,
    context: &str,
) -> Result<Option<Vec<String>>, Failure> {
    macro_rules! selector {
        ($t:ty, $sel:expr) => {{
            let api: Api<$t> = Api::namespaced(client.clone(), ns);
            match api
                .get_opt(name)
                .await
                .map_err(|e| api_failure(context, e))?
            {
                None => return Ok(None),
                Some(o) => $sel(o),
            }
        }};
    }
    let labels = match kind {
        "deploy" | "deployment" | "deployments" => {
            selector!(Deployment, |o: Deployment| o.spec.map(|s| s.selector))
        }
        "sts" | "statefulset" | "statefulsets" => {
            selector!(StatefulSet, |o: StatefulSet| o.spec.map(|s| s.selector))
        }
        "ds" | "daemonset" | "daemonsets" => {
            selector!(DaemonSet, |o: DaemonSet| o.spec.map(|s| s.selector))
        }
        "rs" | "replicaset" | "replicasets" => {
            selector!(ReplicaSet, |o: ReplicaSet| o.spec.map(|s| s.selector))
        }
        "job" | "jobs" => selector!(Job, |o: Job| o.spec.and_then(|s| s.selector)),
        other => {
            return Err(Failure::new(
                Exit::Usage,
                format!(
                    "`{other}/` is not a kind devk diagnoses; use deploy/, sts/, ds/, rs/, job/ or pod/"
                ),
            ));
        }
    };
    let selector: Vec<String> = labels
        .and_then(|l| l.match_labels)
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let pods: Api<Pod> = Api::namespaced(client.clone(), ns);
    let list = pods
        .list(&ListParams::default().labels(&selector.join(",")))
        .await
        .map_err(|e| api_failure(context, e))?;
    Ok(Some(
        list.items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .collect(),
    ))
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let cfg = g.config()?.config;
    let sources = g.sources();
    let kc = Kubeconfig::load_light(sources.clone(), false)?;
    let Some(context) = args
        .context
        .clone()
        .or_else(|| kc.current_context().map(str::to_string))
    else {
        return Err(Failure::new(
            Exit::NotFound,
            "no current context; pass --context or `devk switch NAME`",
        ));
    };
    let Some(ctx) = kc.context(&context) else {
        return Err(Failure::new(
            Exit::NotFound,
            format!("no context `{context}` in {}", sources.describe()),
        ));
    };
    let ns = args
        .namespace
        .clone()
        .unwrap_or_else(|| ctx.namespace_or_default().to_string());
    let ci_only: Vec<Glob> = cfg
        .policy
        .ci_only_registries
        .iter()
        .map(|p| Glob::new(p))
        .collect();
    let pushes = crate::state::state_dir()
        .map(|d| PushLog::load(&d))
        .unwrap_or_default();
    let minikube_profile = context.contains("minikube").then(|| context.clone());
    let rt = super::output::async_runtime(1)?;
    let diagnoses: Vec<Diagnosis> = rt.block_on(async {
        let client = cluster::client_for(&sources, &context).await?;
        let names = match args.target.split_once('/') {
            Some(("pod" | "po" | "pods", name)) => vec![name.to_string()],
            Some((kind, name)) => {
                match workload_pods(&client, &ns, &kind.to_lowercase(), name, &context).await? {
                    Some(p) if !p.is_empty() => p,
                    Some(_) => {
                        return Err(Failure::new(
                            Exit::Failure,
                            format!("{} in namespace {ns} has no pods", args.target),
                        ));
                    }
                    None => {
                        return Err(Failure::new(
                            Exit::NotFound,
                            format!("no {} in namespace {ns}", args.target),
                        ));
                    }
                }
            }
            None => vec![args.target.clone()],
        };
        let mut out = Vec::new();
        for name in names {
            let Some(pod) = adapter::read_pod(&client, &ns, &name)
                .await
                .map_err(|e| api_failure(&context, e))?
            else {
                return Err(Failure::new(
                    Exit::NotFound,
                    format!("no pod {name} in namespace {ns} (context {context})"),
                ));
            };
            let mut k = Knowledge {
                now: jiff::Timestamp::now().as_second(),
                minikube_profile: minikube_profile.clone(),
                ..Knowledge::default()
            };
            k.images = pod
                .containers
                .iter()
                .map(|c| ImageFacts {
                    reference: c.image.clone(),
                    ci_only: classify_registry(adapter_host(&c.image), &ci_only).is_ci_only(),
                    in_local_docker: false,
                    pushed_at: pushes
                        .pushes
                        .iter()
                        .rev()
                        .find(|p| p.reference == c.image)
                        .map(|p| p.pushed_at.clone()),
                })
                .collect();
            adapter::read_knowledge(&client, &pod, &mut k)
                .await
                .map_err(|e| api_failure(&context, e))?;
            out.push(diagnose(&pod, &k));
        }
        Ok::<_, Failure>(out)
    })?;
    let mut stdout = std::io::stdout().lock();
    let text = match args.output {
        TextOrJson::Json => serde_json::to_string_pretty(&diagnoses).unwrap_or_default() + "\n",
        TextOrJson::Text => {
            let mut s = String::new();
            for d in &diagnoses {
                s.push_str(&format!("{}/{} {}\n", d.namespace, d.pod, d.summary));
                for line in &d.details {
                    s.push_str(&format!("    {line}\n"));
                }
            }
            s
        }
    };
    if let Err(e) = stdout.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        return Err(Failure::new(
            Exit::Io,
            format!("cannot write the diagnosis: {e}"),
        ));
    }
    if diagnoses.iter().all(|d| d.running) {
        Ok(())
    } else {
        Err(Failure::new(Exit::Failure, ""))
    }
}

fn adapter_host(image: &str) -> &str {
    crate::diagnose::registry_host(image)
}
