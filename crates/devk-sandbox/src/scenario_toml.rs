//! Reading a scenario file: the TOML shapes (unknown keys rejected) and their validation
//! into the scenario model, with every error pointing at the line of the offending value.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use toml::Spanned;

use super::error::SandboxError;
use super::quantity::{normalize, parse_cpu, parse_memory};
use super::scenario::{
    ContainerSpec, CrashLoopSpec, Ctx, ImageSpec, NamespaceSpec, OwnerKind, Resources, Scenario,
    SecretSpec, ServiceAccountSpec, WorkloadSpec,
};
use super::util::{SECOND, parse_duration};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    sandbox: Option<RawSandbox>,
    #[serde(default)]
    namespace: Vec<RawNamespace>,
    #[serde(default)]
    secret: Vec<RawSecret>,
    #[serde(default)]
    serviceaccount: Vec<RawServiceAccount>,
    #[serde(default)]
    workload: Vec<RawWorkload>,
    #[serde(default)]
    image: Vec<RawImage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImage {
    #[serde(rename = "ref")]
    reference: Spanned<String>,
    registry: Option<bool>,
    nodes: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawResources {
    cpu: Option<Spanned<String>>,
    memory: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSandbox {
    history_lines: Option<Spanned<i64>>,
    nodes: Option<Vec<Spanned<String>>>,
    node_cpu: Option<Spanned<String>>,
    start_namespace: Option<Spanned<String>>,
    node_memory: Option<Spanned<String>>,
    #[serde(default)]
    disabled_groups: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNamespace {
    name: Spanned<String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSecret {
    namespace: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(rename = "type")]
    type_: Option<String>,
    #[serde(default)]
    data: BTreeMap<String, String>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServiceAccount {
    namespace: Option<Spanned<String>>,
    name: Spanned<String>,
    #[serde(default)]
    image_pull_secrets: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWorkload {
    namespace: Option<Spanned<String>>,
    name: Spanned<String>,
    kind: Option<Spanned<String>>,
    replicas: Option<Spanned<i64>>,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    node: Option<String>,
    service_account: Option<String>,
    #[serde(default)]
    image_pull_secrets: Vec<String>,
    #[serde(default)]
    node_selector: BTreeMap<String, String>,
    age: Option<Spanned<String>>,
    appear_after: Option<Spanned<String>>,
    delete_after: Option<Spanned<String>>,
    #[serde(default)]
    init_container: Vec<RawContainer>,
    #[serde(default)]
    container: Vec<RawContainer>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContainer {
    name: Spanned<String>,
    image: Option<String>,
    #[serde(default)]
    ports: Vec<u16>,
    logs: Option<super::scenario_logs::RawLogs>,
    restart_after: Option<Spanned<toml::Value>>,
    exit_code: Option<i32>,
    crash_loop: Option<Spanned<toml::Value>>,
    image_pull_policy: Option<Spanned<String>>,
    requests: Option<RawResources>,
    limits: Option<RawResources>,
    ready: Option<bool>,
}

pub(crate) fn build(ctx: &Ctx<'_>, raw: RawScenario) -> Result<Scenario, SandboxError> {
    let mut sc = Scenario::empty();
    sc.origin = ctx.origin.to_string();
    let mut start_ns = None;
    if let Some(sb) = raw.sandbox {
        start_ns = sb.start_namespace;
        if let Some(h) = sb.history_lines {
            if *h.get_ref() < 1 || *h.get_ref() > 1_000_000 {
                return Err(ctx.err(h.span(), "`history_lines` must be between 1 and 1000000"));
            }
            sc.history_lines = *h.get_ref() as u64;
        }
        if let Some(nodes) = sb.nodes {
            let mut names = Vec::new();
            for n in &nodes {
                names.push(ctx.name(n, "node", false)?);
            }
            if !names.is_empty() {
                sc.nodes = names;
            }
        }
        if let Some(c) = &sb.node_cpu {
            sc.node_capacity.0 = parse_cpu(c.get_ref()).ok_or_else(|| {
                ctx.err(
                    c.span(),
                    "`node_cpu` must be a CPU quantity like \"4\" or \"3500m\"",
                )
            })?;
        }
        if let Some(m) = &sb.node_memory {
            sc.node_capacity.1 = parse_memory(m.get_ref()).ok_or_else(|| {
                ctx.err(
                    m.span(),
                    "`node_memory` must be a memory quantity like \"8Gi\" or \"512Mi\"",
                )
            })?;
        }
        for g in &sb.disabled_groups {
            sc.disabled_groups.push(disabled_group(ctx, g)?);
        }
    }
    for i in raw.image {
        let reference = i.reference.get_ref().trim().to_string();
        if reference.is_empty() || reference.contains(char::is_whitespace) {
            return Err(ctx.err(
                i.reference.span(),
                "`ref` must be an image reference like \"registry.example.com/app:1.0\"",
            ));
        }
        sc.images.insert(
            normalize(&reference),
            ImageSpec {
                reference,
                in_registry: i.registry.unwrap_or(true),
                on_nodes: i.nodes.unwrap_or(false),
            },
        );
    }
    let mut known: BTreeSet<String> = super::BUILTIN_NAMESPACES
        .iter()
        .map(|s| s.to_string())
        .collect();
    for ns in raw.namespace {
        let name = ctx.name(&ns.name, "namespace", true)?;
        if !known.insert(name.clone()) && !super::BUILTIN_NAMESPACES.contains(&name.as_str()) {
            return Err(ctx.err(
                ns.name.span(),
                format!("namespace {name:?} is declared twice"),
            ));
        }
        sc.namespaces.push(NamespaceSpec {
            name,
            labels: ns.labels,
        });
    }
    if let Some(start) = &start_ns {
        let ns = ctx.name(start, "start_namespace", true)?;
        if !known.contains(&ns) {
            return Err(ctx.err(
                start.span(),
                format!(
                    "start_namespace {ns:?} is not declared; add a [[namespace]] with name = {ns:?}"
                ),
            ));
        }
        sc.start_namespace = ns;
    }
    let check_ns = |s: &Option<Spanned<String>>| -> Result<String, SandboxError> {
        let ns = ctx.namespace(s)?;
        if known.contains(&ns) {
            return Ok(ns);
        }
        let span = s.as_ref().map_or(0..0, Spanned::span);
        Err(ctx.err(
            span,
            format!("namespace {ns:?} is not declared; add a [[namespace]] with name = {ns:?}"),
        ))
    };
    for s in raw.secret {
        sc.secrets.push(SecretSpec {
            namespace: check_ns(&s.namespace)?,
            name: ctx.name(&s.name, "secret", false)?,
            type_: s.type_.unwrap_or_else(|| "Opaque".into()),
            string_data: s.data,
            labels: s.labels,
            annotations: s.annotations,
        });
    }
    for a in raw.serviceaccount {
        sc.service_accounts.push(ServiceAccountSpec {
            namespace: check_ns(&a.namespace)?,
            name: ctx.name(&a.name, "service account", false)?,
            image_pull_secrets: a.image_pull_secrets,
        });
    }
    let mut seen = BTreeSet::new();
    for w in raw.workload {
        let namespace = check_ns(&w.namespace)?;
        let name = ctx.name(&w.name, "workload", true)?;
        if !seen.insert((namespace.clone(), name.clone())) {
            return Err(ctx.err(
                w.name.span(),
                format!("workload {namespace}/{name} is declared twice"),
            ));
        }
        sc.workloads.push(workload(ctx, w, namespace, name)?);
    }
    Ok(sc)
}

fn workload(
    ctx: &Ctx<'_>,
    w: RawWorkload,
    namespace: String,
    name: String,
) -> Result<WorkloadSpec, SandboxError> {
    let kind = match &w.kind {
        None => OwnerKind::Deployment,
        Some(k) => match k.get_ref().to_ascii_lowercase().as_str() {
            "deployment" => OwnerKind::Deployment,
            "replicaset" => OwnerKind::ReplicaSet,
            "statefulset" => OwnerKind::StatefulSet,
            "daemonset" => OwnerKind::DaemonSet,
            "job" => OwnerKind::Job,
            "pod" => OwnerKind::Pod,
            other => {
                return Err(ctx.err(
                    k.span(),
                    format!("unknown workload kind {other:?}; expected Deployment, ReplicaSet, StatefulSet, DaemonSet, Job or Pod"),
                ));
            }
        },
    };
    let replicas = match &w.replicas {
        None => 1,
        Some(r) => {
            let n = *r.get_ref();
            if !(0..=50).contains(&n) || (kind == OwnerKind::Pod && n != 1) {
                return Err(ctx.err(
                    r.span(),
                    "`replicas` must be between 0 and 50 (exactly 1 for kind = \"Pod\")",
                ));
            }
            n as u32
        }
    };
    if w.container.is_empty() {
        return Err(ctx.err(
            w.name.span(),
            format!("workload {name:?} has no [[workload.container]]"),
        ));
    }
    let mut names = BTreeSet::new();
    let mut containers = Vec::new();
    let mut init_containers = Vec::new();
    for (raw, init) in w
        .init_container
        .into_iter()
        .map(|c| (c, true))
        .chain(w.container.into_iter().map(|c| (c, false)))
    {
        let c = container(ctx, raw, init)?;
        if !names.insert(c.name.clone()) {
            return Err(ctx.err(
                w.name.span(),
                format!("workload {name:?} has two containers named {:?}", c.name),
            ));
        }
        if init {
            init_containers.push(c)
        } else {
            containers.push(c)
        }
    }
    let mut labels = w.labels;
    labels.entry("app".into()).or_insert_with(|| name.clone());
    Ok(WorkloadSpec {
        namespace,
        name,
        kind,
        replicas,
        labels,
        node: w.node,
        service_account: w.service_account.unwrap_or_else(|| "default".into()),
        image_pull_secrets: w.image_pull_secrets,
        node_selector: w.node_selector,
        age: ctx.opt_duration(&w.age, "age")?.unwrap_or(0),
        appear_after: ctx
            .opt_duration(&w.appear_after, "appear_after")?
            .unwrap_or(0),
        delete_after: ctx.opt_duration(&w.delete_after, "delete_after")?,
        init_containers,
        containers,
    })
}

fn disabled_group(ctx: &Ctx<'_>, g: &Spanned<String>) -> Result<String, SandboxError> {
    let name = g.get_ref().as_str();
    if name.is_empty() || name == "core" || name == "v1" {
        return Err(ctx.err(
            g.span(),
            "the core group (\"\" or \"v1\") cannot be disabled; every client needs it",
        ));
    }
    if name.contains('/') || !super::validate::is_dns1123_subdomain(name) {
        return Err(ctx.err(
            g.span(),
            format!("`disabled_groups` takes API group names such as \"apps\", found {name:?}"),
        ));
    }
    Ok(name.to_string())
}

fn container(ctx: &Ctx<'_>, c: RawContainer, init: bool) -> Result<ContainerSpec, SandboxError> {
    let name = ctx.name(&c.name, "container", true)?;
    let logs = super::scenario_logs::logs(ctx, c.logs, init, c.name.span())?;
    let restart_after = match &c.restart_after {
        None => Vec::new(),
        Some(v) => {
            let bad = || {
                ctx.err(
                    v.span(),
                    "`restart_after` must be a duration like \"45s\" or a list of them",
                )
            };
            let items: Vec<&toml::Value> = match v.get_ref() {
                toml::Value::Array(a) => a.iter().collect(),
                one => vec![one],
            };
            let mut out = Vec::new();
            for item in items {
                let d = item.as_str().and_then(parse_duration).ok_or_else(bad)?;
                out.push(d);
            }
            out.sort_unstable();
            out
        }
    };
    let crash_loop = match &c.crash_loop {
        None => None,
        Some(v) => crash_loop(ctx, v)?,
    };
    if crash_loop.is_some() && !restart_after.is_empty() {
        return Err(ctx.err(
            c.name.span(),
            "a container takes either `crash_loop` or `restart_after`, not both",
        ));
    }
    if init && (crash_loop.is_some() || !restart_after.is_empty()) {
        return Err(ctx.err(
            c.name.span(),
            "init containers run once; `crash_loop` and `restart_after` are not supported on them",
        ));
    }
    let image_pull_policy = match &c.image_pull_policy {
        None => None,
        Some(p) if matches!(p.get_ref().as_str(), "Always" | "IfNotPresent" | "Never") => {
            Some(p.get_ref().clone())
        }
        Some(p) => {
            return Err(ctx.err(
                p.span(),
                format!("unknown image_pull_policy {:?}; expected \"Always\", \"IfNotPresent\" or \"Never\"", p.get_ref()),
            ));
        }
    };
    Ok(ContainerSpec {
        image: c
            .image
            .unwrap_or_else(|| format!("registry.example.com/{name}:1.0.0")),
        name,
        ports: c.ports,
        logs,
        restart_after,
        exit_code: c.exit_code.unwrap_or(1),
        crash_loop,
        image_pull_policy,
        requests: resources(ctx, c.requests)?,
        limits: resources(ctx, c.limits)?,
        ready: c.ready.unwrap_or(true),
    })
}

fn resources(ctx: &Ctx<'_>, r: Option<RawResources>) -> Result<Resources, SandboxError> {
    let r = r.unwrap_or_default();
    if let Some(c) = &r.cpu
        && parse_cpu(c.get_ref()).is_none()
    {
        return Err(ctx.err(
            c.span(),
            "`cpu` must be a CPU quantity like \"500m\" or \"2\"",
        ));
    }
    if let Some(m) = &r.memory
        && parse_memory(m.get_ref()).is_none()
    {
        return Err(ctx.err(
            m.span(),
            "`memory` must be a memory quantity like \"64Mi\" or \"1Gi\"",
        ));
    }
    Ok(Resources {
        cpu: r.cpu.map(Spanned::into_inner),
        memory: r.memory.map(Spanned::into_inner),
    })
}

fn crash_loop(
    ctx: &Ctx<'_>,
    v: &Spanned<toml::Value>,
) -> Result<Option<CrashLoopSpec>, SandboxError> {
    let mut spec = CrashLoopSpec {
        run_for: 5 * SECOND,
        backoff: 10 * SECOND,
        max_backoff: 300 * SECOND,
        exit_code: 1,
        oom_killed: false,
    };
    let mut exit_code_given = false;
    match v.get_ref() {
        toml::Value::Boolean(false) => return Ok(None),
        toml::Value::Boolean(true) => {}
        toml::Value::Table(t) => {
            for (k, val) in t {
                let dur = || {
                    val.as_str().and_then(parse_duration).ok_or_else(|| {
                        ctx.err(
                            v.span(),
                            format!("`crash_loop.{k}` must be a duration like \"10s\""),
                        )
                    })
                };
                match k.as_str() {
                    "run_for" => spec.run_for = dur()?,
                    "backoff" => spec.backoff = dur()?,
                    "max_backoff" => spec.max_backoff = dur()?,
                    "oom_killed" => {
                        spec.oom_killed = val.as_bool().ok_or_else(|| {
                            ctx.err(v.span(), "`crash_loop.oom_killed` must be true or false")
                        })?;
                    }
                    "exit_code" => {
                        exit_code_given = true;
                        spec.exit_code = val
                            .as_integer()
                            .and_then(|n| i32::try_from(n).ok())
                            .ok_or_else(|| {
                                ctx.err(v.span(), "`crash_loop.exit_code` must be an integer")
                            })?;
                    }
                    other => {
                        return Err(ctx.err(
                            v.span(),
                            format!("unknown key `{other}` in crash_loop; expected run_for, backoff, max_backoff, exit_code or oom_killed"),
                        ));
                    }
                }
            }
        }
        _ => {
            return Err(ctx.err(
                v.span(),
                "`crash_loop` must be true or a table like { run_for = \"5s\", backoff = \"10s\" }",
            ));
        }
    }
    if spec.run_for < SECOND / 10 || spec.backoff < SECOND / 10 {
        return Err(ctx.err(v.span(), "`crash_loop` durations must be at least 100ms"));
    }
    spec.max_backoff = spec.max_backoff.max(spec.backoff);
    if spec.oom_killed && !exit_code_given {
        // SIGKILL from the OOM killer: 128 + 9.
        spec.exit_code = 137;
    }
    Ok(Some(spec))
}
