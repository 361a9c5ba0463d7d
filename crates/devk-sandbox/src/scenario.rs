//! The scenario file: which namespaces, secrets, service accounts and workloads the sandbox
//! starts with, how each container logs and what happens to it over time. The format is
//! documented by `assets/sandbox-demo.toml`. Errors name the file and line.

use std::collections::BTreeMap;
use std::path::Path;

use toml::Spanned;

use super::error::SandboxError;
use super::util::{Nanos, parse_duration};
use super::validate::{is_dns1123_label, is_dns1123_subdomain};

/// A parsed and validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub(crate) origin: String,
    pub(crate) history_lines: u64,
    /// The namespace of the kubeconfig's contexts (where `devk demo` opens).
    pub(crate) start_namespace: String,
    /// API groups the server leaves out of discovery and does not serve (`apps`, ...).
    pub(crate) disabled_groups: Vec<String>,
    pub(crate) nodes: Vec<String>,
    /// What each node can give pods (millicores, bytes): a pod asking for more stays Pending.
    pub(crate) node_capacity: (u64, u64),
    /// Images the scenario declares, by normalized reference; the others pull from anywhere.
    pub(crate) images: BTreeMap<String, ImageSpec>,
    pub(crate) namespaces: Vec<NamespaceSpec>,
    pub(crate) secrets: Vec<SecretSpec>,
    pub(crate) service_accounts: Vec<ServiceAccountSpec>,
    pub(crate) workloads: Vec<WorkloadSpec>,
}

/// Where an image exists, as far as the simulated nodes are concerned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ImageSpec {
    /// The reference as written.
    pub reference: String,
    /// Whether its registry serves it (false: a tag never pushed, or a registry the nodes
    /// cannot reach).
    pub in_registry: bool,
    /// Whether the nodes already have it (built into the node's runtime, or loaded).
    pub on_nodes: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NamespaceSpec {
    pub name: String,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SecretSpec {
    pub namespace: String,
    pub name: String,
    pub type_: String,
    pub string_data: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ServiceAccountSpec {
    pub namespace: String,
    pub name: String,
    pub image_pull_secrets: Vec<String>,
}

/// What owns a workload's pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OwnerKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    Pod,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkloadSpec {
    pub namespace: String,
    pub name: String,
    pub kind: OwnerKind,
    pub replicas: u32,
    pub labels: BTreeMap<String, String>,
    pub node: Option<String>,
    pub service_account: String,
    pub image_pull_secrets: Vec<String>,
    pub node_selector: BTreeMap<String, String>,
    pub age: Nanos,
    pub appear_after: Nanos,
    pub delete_after: Option<Nanos>,
    pub init_containers: Vec<ContainerSpec>,
    pub containers: Vec<ContainerSpec>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogFormat {
    Json,
    Text,
}

/// How a container's log text becomes bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LogEncoding {
    Utf8,
    /// ISO-8859-1, as legacy applications write it: `é` is the single byte 0xE9, which is not
    /// valid UTF-8 (characters above U+00FF become `?`).
    Latin1,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LogSpec {
    pub rate: f64,
    pub format: LogFormat,
    pub sequence: bool,
    pub messages: Vec<String>,
    pub lines: Option<u64>,
    pub encoding: LogEncoding,
    /// Every line is padded to at least this many bytes (0: no padding).
    pub line_bytes: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CrashLoopSpec {
    pub run_for: Nanos,
    pub backoff: Nanos,
    pub max_backoff: Nanos,
    pub exit_code: i32,
    /// The kernel's OOM killer ends each run (reason OOMKilled).
    pub oom_killed: bool,
}

/// Requests or limits: millicores and bytes, each if given.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Resources {
    pub cpu: Option<String>,
    pub memory: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub ports: Vec<u16>,
    pub logs: LogSpec,
    pub restart_after: Vec<Nanos>,
    pub exit_code: i32,
    pub crash_loop: Option<CrashLoopSpec>,
    /// `Always`, `IfNotPresent` or `Never`; None for the API server's default.
    pub image_pull_policy: Option<String>,
    pub requests: Resources,
    pub limits: Resources,
    /// False: the readiness probe keeps failing (Running but not Ready, Unhealthy events).
    pub ready: bool,
}
/// Converts byte offsets into 1-based line numbers for error messages.
pub(crate) struct Ctx<'a> {
    pub src: &'a str,
    pub origin: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn err(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> SandboxError {
        let end = span.start.min(self.src.len());
        let line = self.src.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        SandboxError::Scenario {
            origin: self.origin.to_string(),
            line,
            message: message.into(),
        }
    }

    pub(crate) fn duration(&self, s: &Spanned<String>, what: &str) -> Result<Nanos, SandboxError> {
        parse_duration(s.get_ref()).ok_or_else(|| {
            self.err(
                s.span(),
                format!(
                    "`{what}` = {:?} is not a duration; write it like \"30s\", \"5m\" or \"1h30m\"",
                    s.get_ref()
                ),
            )
        })
    }

    pub(crate) fn opt_duration(
        &self,
        s: &Option<Spanned<String>>,
        what: &str,
    ) -> Result<Option<Nanos>, SandboxError> {
        s.as_ref().map(|s| self.duration(s, what)).transpose()
    }

    pub(crate) fn name(
        &self,
        s: &Spanned<String>,
        what: &str,
        label: bool,
    ) -> Result<String, SandboxError> {
        let ok = if label {
            is_dns1123_label(s.get_ref())
        } else {
            is_dns1123_subdomain(s.get_ref())
        };
        if ok {
            Ok(s.get_ref().clone())
        } else {
            Err(self.err(
                s.span(),
                format!(
                    "{what} {:?} is not a valid Kubernetes name (lowercase letters, digits and '-', \
                     starting and ending with a letter or digit)",
                    s.get_ref()
                ),
            ))
        }
    }

    pub(crate) fn namespace(&self, s: &Option<Spanned<String>>) -> Result<String, SandboxError> {
        match s {
            Some(s) => self.name(s, "namespace", true),
            None => Ok("default".into()),
        }
    }
}

impl Scenario {
    /// Parses a scenario from TOML text. `origin` names the source in error messages
    /// (a file path, or `<built-in demo>`).
    pub fn from_toml_str(s: &str, origin: &str) -> Result<Scenario, SandboxError> {
        let ctx = Ctx { src: s, origin };
        let raw: super::scenario_toml::RawScenario = toml::from_str(s).map_err(|e| {
            let span = e.span().unwrap_or(0..0);
            ctx.err(span, e.message().trim().to_string())
        })?;
        super::scenario_toml::build(&ctx, raw)
    }

    /// The demo scenario shipped with devk (`assets/sandbox-demo.toml`).
    pub fn demo() -> Scenario {
        const DEMO: &str = include_str!("../../../assets/sandbox-demo.toml");
        // The shipped file is covered by a unit test, so the fallback is never used in practice.
        Scenario::from_toml_str(DEMO, "<built-in demo>").unwrap_or_else(|_| Scenario::empty())
    }

    /// Reads and parses a scenario file.
    pub fn load(path: &Path) -> Result<Scenario, SandboxError> {
        let text = std::fs::read_to_string(path).map_err(|source| SandboxError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Scenario::from_toml_str(&text, &path.display().to_string())
    }

    /// A scenario with only the namespaces every cluster has.
    pub fn empty() -> Scenario {
        Scenario {
            origin: "<empty>".into(),
            history_lines: 10_000,
            start_namespace: "default".into(),
            disabled_groups: Vec::new(),
            nodes: vec!["sandbox-node-1".into()],
            node_capacity: (4000, 8 << 30),
            images: BTreeMap::new(),
            namespaces: Vec::new(),
            secrets: Vec::new(),
            service_accounts: Vec::new(),
            workloads: Vec::new(),
        }
    }

    /// Where this scenario came from (file path or `<built-in demo>`).
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The namespace the kubeconfig's contexts start in (`[sandbox] start_namespace`).
    pub fn start_namespace(&self) -> &str {
        &self.start_namespace
    }

    /// The namespaces the scenario declares (besides the built-in ones).
    pub fn namespace_names(&self) -> Vec<String> {
        self.namespaces.iter().map(|n| n.name.clone()).collect()
    }

    /// `namespace/name` of every workload.
    pub fn workload_names(&self) -> Vec<String> {
        self.workloads
            .iter()
            .map(|w| format!("{}/{}", w.namespace, w.name))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(s: &str) -> String {
        match Scenario::from_toml_str(s, "t.toml") {
            Ok(_) => String::from("(parsed)"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn demo_scenario_parses() {
        let text = include_str!("../../../assets/sandbox-demo.toml");
        let sc = Scenario::from_toml_str(text, "demo");
        assert!(sc.is_ok(), "{:?}", sc.err());
        let sc = Scenario::demo();
        assert!(sc.workloads.len() >= 5);
        assert!(sc.workloads.iter().any(|w| w.containers.len() > 1));
        assert!(
            sc.workloads
                .iter()
                .any(|w| w.containers.iter().any(|c| c.crash_loop.is_some()))
        );
        assert!(
            sc.workloads
                .iter()
                .any(|w| w.containers.iter().any(|c| !c.restart_after.is_empty()))
        );
    }

    #[test]
    fn demo_scenario_shows_every_event_and_last_state_the_sandbox_simulates() {
        use crate::store::Res;
        use crate::util::SECOND;
        let now = crate::util::now();
        let mut c = crate::cluster::Cluster::new(&Scenario::demo(), now);
        for s in 1..=30 {
            c.tick(now + s * SECOND);
        }
        let reasons: std::collections::BTreeSet<String> = c
            .store
            .list(Res::Event, None)
            .iter()
            .filter_map(|e| e["reason"].as_str().map(String::from))
            .collect();
        for want in [
            "Scheduled",
            "Pulling",
            "Pulled",
            "Failed",
            "BackOff",
            "Created",
            "Started",
            "Killing",
            "Unhealthy",
            "FailedScheduling",
            "ScalingReplicaSet",
            "SuccessfulCreate",
        ] {
            assert!(reasons.contains(want), "{want} not in {reasons:?}");
        }
        let messages: Vec<String> = c
            .store
            .list(Res::Event, None)
            .iter()
            .filter_map(|e| e["message"].as_str().map(String::from))
            .collect();
        for want in [
            "no basic auth credentials",
            "manifest unknown",
            "pull access denied",
        ] {
            assert!(messages.iter().any(|m| m.contains(want)), "{want}");
        }
        let last: std::collections::BTreeSet<String> = c
            .store
            .list(Res::Pod, None)
            .iter()
            .flat_map(|p| {
                p["status"]["containerStatuses"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
            })
            .filter_map(|s| {
                s["lastState"]["terminated"]["reason"]
                    .as_str()
                    .map(String::from)
            })
            .collect();
        for want in ["Error", "OOMKilled", "Completed"] {
            assert!(last.contains(want), "{want} not in {last:?}");
        }
        assert_eq!(Scenario::demo().start_namespace(), "shop");
    }

    #[test]
    fn syntax_errors_name_file_and_line() {
        let e = err_of("[[namespace]]\nname = \"a\"\nbogus = = 1\n");
        assert!(e.starts_with("t.toml:3: "), "{e}");
    }

    #[test]
    fn semantic_errors_name_the_line_of_the_value() {
        let src = "[[workload]]\nname = \"web\"\n[[workload.container]]\nname = \"app\"\n\
                   restart_after = \"soon\"\n";
        let e = err_of(src);
        assert!(e.starts_with("t.toml:5: "), "{e}");
        let e = err_of(
            "[[workload]]\nname = \"web\"\nkind = \"Deploymint\"\n[[workload.container]]\nname = \"a\"\n",
        );
        assert!(e.starts_with("t.toml:3: unknown workload kind"), "{e}");
        let e = err_of(
            "[[workload]]\nnamespace = \"shpo\"\nname = \"w\"\n[[workload.container]]\nname = \"a\"\n",
        );
        assert!(
            e.starts_with("t.toml:2: namespace \"shpo\" is not declared"),
            "{e}"
        );
        let e = err_of(
            "[[workload]]\nname = \"w\"\n[[workload.container]]\nname = \"a\"\n[workload.container.logs]\nformat = \"xml\"\n",
        );
        assert!(e.starts_with("t.toml:6: unknown log format"), "{e}");
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_line() {
        let e = err_of("\n[[namespace]]\nname = \"a\"\nlables = {}\n");
        assert!(e.starts_with("t.toml:4: unknown field `lables`"), "{e}");
    }

    #[test]
    fn defaults_fill_in() {
        let sc = Scenario::from_toml_str(
            "[[workload]]\nname = \"w\"\n[[workload.container]]\nname = \"a\"\n",
            "t",
        );
        let sc = sc.unwrap_or_else(|_| Scenario::empty());
        let w = &sc.workloads[0];
        assert_eq!(w.namespace, "default");
        assert_eq!(w.kind, OwnerKind::Deployment);
        assert_eq!(w.labels.get("app").map(String::as_str), Some("w"));
        assert_eq!(w.containers[0].logs.rate, 1.0);
    }

    #[test]
    fn log_encoding_line_bytes_and_disabled_groups_are_read_and_checked() {
        let src = "[sandbox]\ndisabled_groups = [\"apps\"]\n[[workload]]\nname = \"w\"\n\
                   [[workload.container]]\nname = \"a\"\n[workload.container.logs]\n\
                   encoding = \"latin1\"\nline_bytes = 300000\n";
        let sc = Scenario::from_toml_str(src, "t").unwrap_or_else(|_| Scenario::empty());
        assert_eq!(sc.disabled_groups, vec!["apps".to_string()]);
        let logs = &sc.workloads[0].containers[0].logs;
        assert_eq!(
            (logs.encoding, logs.line_bytes),
            (LogEncoding::Latin1, 300_000)
        );
        let e = err_of("[sandbox]\ndisabled_groups = [\"\"]\n");
        assert!(e.starts_with("t.toml:2: the core group"), "{e}");
        let e = err_of("[sandbox]\ndisabled_groups = [\"apps/v1\"]\n");
        assert!(e.contains("API group names such as"), "{e}");
        let base = "[[workload]]\nname = \"w\"\n[[workload.container]]\nname = \"a\"\n[workload.container.logs]\n";
        let e = err_of(&format!("{base}encoding = \"ebcdic\"\n"));
        assert!(e.starts_with("t.toml:6: unknown log encoding"), "{e}");
        let e = err_of(&format!("{base}line_bytes = -1\n"));
        assert!(
            e.starts_with("t.toml:6: `line_bytes` must be between 0 and"),
            "{e}"
        );
    }
}
