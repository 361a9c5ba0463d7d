//! What `devk logs QUERY` names: a pod-name regex, one pod (`pod/NAME`), or a workload
//! (`deploy/web`, `sts/db`, ...) whose pod selector the cluster has to be asked for.

use regex::Regex;

/// A workload kind whose pods devk can follow, with kubectl's short names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    Service,
}

impl WorkloadKind {
    /// The kind for a kubectl-style name (`deploy`, `deployment`, `deployments`, ...).
    pub fn parse(s: &str) -> Option<WorkloadKind> {
        Some(match s.to_ascii_lowercase().as_str() {
            "deploy" | "deployment" | "deployments" => WorkloadKind::Deployment,
            "sts" | "statefulset" | "statefulsets" => WorkloadKind::StatefulSet,
            "ds" | "daemonset" | "daemonsets" => WorkloadKind::DaemonSet,
            "job" | "jobs" => WorkloadKind::Job,
            "svc" | "service" | "services" => WorkloadKind::Service,
            _ => return None,
        })
    }

    /// The singular resource name, for messages (`deployment`).
    pub fn noun(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::Job => "job",
            WorkloadKind::Service => "service",
        }
    }

    /// The API group/version that serves the kind (`apps/v1`).
    pub fn api_version(self) -> &'static str {
        match self {
            WorkloadKind::Deployment | WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
                "apps/v1"
            }
            WorkloadKind::Job => "batch/v1",
            WorkloadKind::Service => "v1",
        }
    }
}

/// A parsed QUERY.
#[derive(Debug, Clone)]
pub enum Target {
    /// Pods whose names match.
    Pods(Regex),
    /// Exactly this pod.
    Pod(String),
    /// The pods a workload selects.
    Workload { kind: WorkloadKind, name: String },
}

/// Why a QUERY cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("QUERY `{query}` is not a valid regex: {message}")]
    Regex { query: String, message: String },
    #[error(
        "`{kind}/` is not a kind devk follows; use deploy/, sts/, ds/, job/, svc/ or pod/ (or a pod name regex)"
    )]
    Kind { kind: String },
    #[error("`{query}` names no {what}; write it as {what}/NAME")]
    Empty { query: String, what: String },
}

impl Target {
    /// Parses QUERY: `KIND/NAME`, or else a pod-name regex.
    pub fn parse(query: &str) -> Result<Target, TargetError> {
        let regex = |re: &str| {
            Regex::new(re).map_err(|e| TargetError::Regex {
                query: query.to_string(),
                message: e.to_string(),
            })
        };
        let Some((kind, name)) = query.split_once('/') else {
            return Ok(Target::Pods(regex(query)?));
        };
        let is_pod = matches!(kind.to_ascii_lowercase().as_str(), "pod" | "po" | "pods");
        let workload = WorkloadKind::parse(kind);
        if !is_pod && workload.is_none() {
            return Err(TargetError::Kind {
                kind: kind.to_string(),
            });
        }
        if name.is_empty() {
            return Err(TargetError::Empty {
                query: query.to_string(),
                what: kind.to_string(),
            });
        }
        Ok(match workload {
            Some(kind) => Target::Workload {
                kind,
                name: name.to_string(),
            },
            None => Target::Pod(name.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_name_regexes_pods_or_workloads() {
        assert!(matches!(Target::parse("web-.*"), Ok(Target::Pods(re)) if re.is_match("web-1")));
        assert!(matches!(Target::parse("po/web-1"), Ok(Target::Pod(n)) if n == "web-1"));
        assert!(matches!(
            Target::parse("Deploy/web"),
            Ok(Target::Workload { kind: WorkloadKind::Deployment, name }) if name == "web"
        ));
        assert!(matches!(
            Target::parse("svc/api"),
            Ok(Target::Workload {
                kind: WorkloadKind::Service,
                ..
            })
        ));
        assert_eq!(
            Target::parse("cm/x").err(),
            Some(TargetError::Kind { kind: "cm".into() })
        );
        assert!(matches!(
            Target::parse("deploy/"),
            Err(TargetError::Empty { .. })
        ));
        assert!(matches!(Target::parse("("), Err(TargetError::Regex { .. })));
    }
}
