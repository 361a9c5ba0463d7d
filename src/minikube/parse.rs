//! Parsers for what minikube prints, each turning one command's output into devk's types.
//! Unknown fields are ignored (minikube adds some in most releases); a missing required field
//! is an error that says which one. The caller adds the command and the minikube version.

use serde::Deserialize;

use super::types::{Addon, DockerEnv, Profile, Status};

// ---- minikube profile list -o json -------------------------------------------------------

#[derive(Deserialize)]
struct RawProfileList {
    #[serde(default)]
    valid: Option<Vec<RawProfile>>,
    #[serde(default)]
    invalid: Option<Vec<RawProfile>>,
    /// Set instead of the lists when minikube could not read its profiles.
    #[serde(default)]
    error: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawProfile {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "Config", default)]
    config: Option<RawClusterConfig>,
    #[serde(rename = "Active", default)]
    active: bool,
    #[serde(rename = "ActiveKubeContext", default)]
    active_kube_context: bool,
}

#[derive(Deserialize)]
struct RawClusterConfig {
    #[serde(rename = "Driver")]
    driver: String,
    #[serde(rename = "CPUs", default)]
    cpus: u64,
    #[serde(rename = "Memory", default)]
    memory: u64,
    #[serde(rename = "KubernetesConfig")]
    kubernetes: RawKubernetesConfig,
    #[serde(rename = "Nodes", default)]
    nodes: Option<Vec<RawNode>>,
}

#[derive(Deserialize)]
struct RawKubernetesConfig {
    #[serde(rename = "KubernetesVersion")]
    kubernetes_version: String,
    #[serde(rename = "ContainerRuntime", default)]
    container_runtime: String,
}

#[derive(Deserialize)]
struct RawNode {
    #[serde(rename = "IP", default)]
    ip: String,
    #[serde(rename = "Port", default)]
    port: u16,
    #[serde(rename = "ControlPlane", default)]
    control_plane: bool,
}

/// Parses `minikube profile list -o json`: valid profiles first, then invalid ones.
pub fn profile_list(json: &str) -> Result<Vec<Profile>, String> {
    let raw: RawProfileList = serde_json::from_str(json.trim()).map_err(|e| e.to_string())?;
    if let Some(err) = raw.error {
        return Err(format!("minikube reported an error: {err}"));
    }
    let (Some(valid), invalid) = (raw.valid, raw.invalid) else {
        return Err("missing field `valid`".into());
    };
    let mut out: Vec<Profile> = valid.into_iter().map(|p| profile(p, true)).collect();
    out.extend(
        invalid
            .unwrap_or_default()
            .into_iter()
            .map(|p| profile(p, false)),
    );
    Ok(out)
}

fn profile(raw: RawProfile, valid: bool) -> Profile {
    let mut p = Profile {
        name: raw.name,
        status: raw.status,
        driver: String::new(),
        container_runtime: String::new(),
        kubernetes_version: String::new(),
        nodes: 0,
        ip: None,
        port: None,
        cpus: 0,
        memory_mib: 0,
        active: raw.active,
        active_kube_context: raw.active_kube_context,
        valid,
    };
    if let Some(c) = raw.config {
        let nodes = c.nodes.unwrap_or_default();
        let primary = nodes.iter().find(|n| n.control_plane).or(nodes.first());
        p.ip = primary.map(|n| n.ip.clone()).filter(|ip| !ip.is_empty());
        p.port = primary.map(|n| n.port).filter(|&port| port != 0);
        p.nodes = nodes.len();
        p.driver = c.driver;
        p.cpus = c.cpus;
        p.memory_mib = c.memory;
        p.kubernetes_version = c.kubernetes.kubernetes_version;
        p.container_runtime = c.kubernetes.container_runtime;
    }
    p
}

// ---- minikube status -o json -------------------------------------------------------------

#[derive(Deserialize)]
struct RawStatus {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Host")]
    host: String,
    #[serde(rename = "Kubelet")]
    kubelet: String,
    #[serde(rename = "APIServer")]
    apiserver: String,
    #[serde(rename = "Kubeconfig")]
    kubeconfig: String,
    #[serde(rename = "Worker", default)]
    worker: bool,
    #[serde(rename = "TimeToStop", default)]
    time_to_stop: Option<String>,
    #[serde(rename = "DockerEnv", default)]
    docker_env: Option<String>,
}

/// Parses `minikube status -o json`: one entry per node, the primary control plane first.
pub fn status(json: &str) -> Result<Vec<Status>, String> {
    let text = json.trim();
    // Decode as a plain value first, so a missing field is reported by name rather than as
    // "did not match any variant".
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    // minikube prints a bare object for a one-node cluster (kept for backwards
    // compatibility) and an array for several nodes.
    let raws: Vec<RawStatus> = match value {
        serde_json::Value::Array(items) => items
            .into_iter()
            .map(serde_json::from_value::<RawStatus>)
            .collect::<Result<Vec<_>, _>>(),
        other => serde_json::from_value::<RawStatus>(other).map(|s| vec![s]),
    }
    .map_err(|e| e.to_string())?;
    Ok(raws
        .into_iter()
        .map(|r| Status {
            name: r.name,
            host: r.host,
            kubelet: r.kubelet,
            apiserver: r.apiserver,
            kubeconfig: r.kubeconfig,
            worker: r.worker,
            time_to_stop: r.time_to_stop.filter(|s| !s.is_empty()),
            docker_env: r.docker_env.filter(|s| !s.is_empty()),
        })
        .collect())
}

// ---- minikube addons list -o json --------------------------------------------------------

#[derive(Deserialize)]
struct RawAddon {
    #[serde(rename = "Status", default)]
    status: Option<String>,
    #[serde(rename = "Profile", default)]
    profile: Option<String>,
}

/// Parses `minikube addons list -o json`, sorted by name.
pub fn addons(json: &str) -> Result<Vec<Addon>, String> {
    let raw: std::collections::BTreeMap<String, RawAddon> =
        serde_json::from_str(json.trim()).map_err(|e| e.to_string())?;
    raw.into_iter()
        .map(|(name, a)| {
            let enabled = match a.status.as_deref() {
                Some("enabled") => true,
                // Newer minikube lists addons without a status when the profile has no
                // cluster yet: nothing is enabled then.
                Some("disabled") | None => false,
                Some(other) => {
                    return Err(format!(
                        "addon `{name}` has status `{other}`, expected `enabled` or `disabled`"
                    ));
                }
            };
            Ok(Addon {
                name,
                enabled,
                profile: a.profile.filter(|p| !p.is_empty()),
            })
        })
        .collect()
}

// ---- minikube docker-env --shell none ----------------------------------------------------

/// Parses `minikube docker-env --shell none`: `NAME=value` lines. Comments and blank lines
/// are skipped; `DOCKER_HOST` is required.
pub fn docker_env(text: &str) -> Result<DockerEnv, String> {
    let mut vars = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((name, value)) = line.split_once('=') else {
            return Err(format!("unexpected line `{line}` (expected NAME=value)"));
        };
        let valid_name =
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid_name {
            return Err(format!("unexpected variable name `{name}`"));
        }
        vars.push((name.to_string(), value.to_string()));
    }
    if !vars.iter().any(|(k, _)| k == "DOCKER_HOST") {
        return Err("missing variable `DOCKER_HOST`".into());
    }
    Ok(DockerEnv { vars })
}

// ---- minikube version --short ------------------------------------------------------------

/// Parses `minikube version --short` (`v1.34.0`), or the first line of `minikube version`
/// (`minikube version: v1.34.0`).
pub fn version(text: &str) -> Option<String> {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let v = first
        .strip_prefix("minikube version:")
        .unwrap_or(first)
        .trim();
    (v.starts_with('v') && v.len() > 1).then(|| v.to_string())
}

// ---- errors ------------------------------------------------------------------------------

/// minikube's own words from a failed command: its stderr lines, else its stdout lines, with
/// JSON events (what `-o json` turns messages into) reduced to their message.
pub fn error_lines(stdout: &str, stderr: &str) -> Vec<String> {
    let pick = |text: &str| -> Vec<String> {
        text.lines()
            .map(|l| event_message(l).unwrap_or_else(|| l.trim_end().to_string()))
            .filter(|l| !l.trim().is_empty())
            .collect()
    };
    let err = pick(stderr);
    let mut lines = if err.is_empty() { pick(stdout) } else { err };
    // A long start log is not the error; its end is.
    const MAX: usize = 20;
    if lines.len() > MAX {
        lines.drain(..lines.len() - MAX);
    }
    lines
}

/// The `data.message` of a minikube JSON event line (`{"specversion":"1.0",...}`).
fn event_message(line: &str) -> Option<String> {
    let line = line.trim();
    if !line.starts_with('{') {
        return None;
    }
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    v.get("specversion")?;
    let msg = v.get("data")?.get("message")?.as_str()?;
    Some(msg.trim().to_string())
}
