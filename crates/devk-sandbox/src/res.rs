//! The resources the sandbox serves and the API groups they belong to: core `v1`, `apps/v1`,
//! `batch/v1`, and `events.k8s.io/v1` (a second view of the core events, as on a real server,
//! where both are served from one storage).

/// An API group version the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Gv {
    Core,
    Apps,
    Batch,
    Events,
}

impl Gv {
    /// Every group version, core first, then in discovery order.
    pub const ALL: [Gv; 4] = [Gv::Core, Gv::Apps, Gv::Events, Gv::Batch];

    /// The group (`apps`; empty for the core group).
    pub fn group(self) -> &'static str {
        match self {
            Gv::Core => "",
            Gv::Apps => "apps",
            Gv::Batch => "batch",
            Gv::Events => "events.k8s.io",
        }
    }

    /// `apiVersion` of objects in this group version (`apps/v1`, or `v1` for the core group).
    pub fn api_version(self) -> &'static str {
        match self {
            Gv::Core => "v1",
            Gv::Apps => "apps/v1",
            Gv::Batch => "batch/v1",
            Gv::Events => "events.k8s.io/v1",
        }
    }

    /// The group version of `/apis/GROUP/VERSION`.
    pub fn from_path(group: &str, version: &str) -> Option<Gv> {
        Gv::ALL
            .into_iter()
            .find(|g| g.group() == group && !group.is_empty() && version == "v1")
    }
}

/// A resource the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Res {
    Namespace,
    Pod,
    Secret,
    ServiceAccount,
    Service,
    Event,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    /// `events.k8s.io/v1` Events: the core events, converted when served.
    EventV1,
}

impl Res {
    /// Every resource, in discovery order within its group.
    pub const ALL: [Res; 12] = [
        Res::Event,
        Res::Namespace,
        Res::Pod,
        Res::Secret,
        Res::ServiceAccount,
        Res::Service,
        Res::DaemonSet,
        Res::Deployment,
        Res::ReplicaSet,
        Res::StatefulSet,
        Res::EventV1,
        Res::Job,
    ];

    /// The workload kinds, whose pods a controller makes.
    pub const WORKLOADS: [Res; 5] = [
        Res::Deployment,
        Res::ReplicaSet,
        Res::StatefulSet,
        Res::DaemonSet,
        Res::Job,
    ];

    /// The resource of group version `gv` for a URL path segment.
    pub fn from_plural(gv: Gv, s: &str) -> Option<Res> {
        Res::ALL
            .into_iter()
            .find(|r| r.gv() == gv && r.plural() == s)
    }

    /// The group version the resource is served in.
    pub fn gv(self) -> Gv {
        match self {
            Res::Namespace
            | Res::Pod
            | Res::Secret
            | Res::ServiceAccount
            | Res::Service
            | Res::Event => Gv::Core,
            Res::Deployment | Res::ReplicaSet | Res::StatefulSet | Res::DaemonSet => Gv::Apps,
            Res::Job => Gv::Batch,
            Res::EventV1 => Gv::Events,
        }
    }

    /// Where the objects are stored: a view (`EventV1`) shares the storage of its source.
    pub fn storage(self) -> Res {
        match self {
            Res::EventV1 => Res::Event,
            r => r,
        }
    }

    /// The URL path segment (`pods`).
    pub fn plural(self) -> &'static str {
        match self {
            Res::Namespace => "namespaces",
            Res::Pod => "pods",
            Res::Secret => "secrets",
            Res::ServiceAccount => "serviceaccounts",
            Res::Service => "services",
            Res::Event | Res::EventV1 => "events",
            Res::Deployment => "deployments",
            Res::ReplicaSet => "replicasets",
            Res::StatefulSet => "statefulsets",
            Res::DaemonSet => "daemonsets",
            Res::Job => "jobs",
        }
    }

    /// `deployments.apps`: the group-qualified resource that error messages name.
    pub fn group_resource(self) -> String {
        match self.gv() {
            Gv::Core => self.plural().to_string(),
            gv => format!("{}.{}", self.plural(), gv.group()),
        }
    }

    /// The kind (`Pod`).
    pub fn kind(self) -> &'static str {
        match self {
            Res::Namespace => "Namespace",
            Res::Pod => "Pod",
            Res::Secret => "Secret",
            Res::ServiceAccount => "ServiceAccount",
            Res::Service => "Service",
            Res::Event | Res::EventV1 => "Event",
            Res::Deployment => "Deployment",
            Res::ReplicaSet => "ReplicaSet",
            Res::StatefulSet => "StatefulSet",
            Res::DaemonSet => "DaemonSet",
            Res::Job => "Job",
        }
    }

    /// The singular name and short names discovery advertises.
    pub fn names(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Res::Event | Res::EventV1 => ("event", &["ev"]),
            Res::Namespace => ("namespace", &["ns"]),
            Res::Pod => ("pod", &["po"]),
            Res::Secret => ("secret", &[]),
            Res::ServiceAccount => ("serviceaccount", &["sa"]),
            Res::Service => ("service", &["svc"]),
            Res::Deployment => ("deployment", &["deploy"]),
            Res::ReplicaSet => ("replicaset", &["rs"]),
            Res::StatefulSet => ("statefulset", &["sts"]),
            Res::DaemonSet => ("daemonset", &["ds"]),
            Res::Job => ("job", &[]),
        }
    }

    /// Whether objects live in a namespace.
    pub fn namespaced(self) -> bool {
        self != Res::Namespace
    }

    /// Whether the API server keeps `metadata.generation` (bumped on spec changes) and a
    /// status that writes to the main resource cannot change.
    pub fn has_status(self) -> bool {
        Res::WORKLOADS.contains(&self) || matches!(self, Res::Pod | Res::Namespace | Res::Service)
    }

    /// Whether this kind has a `scale` subresource.
    pub fn scalable(self) -> bool {
        matches!(self, Res::Deployment | Res::ReplicaSet | Res::StatefulSet)
    }

    /// The field labels the API server registers for this resource's field selectors.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Res::Namespace => &["metadata.name", "status.phase"],
            Res::Pod => &[
                "metadata.name",
                "metadata.namespace",
                "spec.nodeName",
                "spec.restartPolicy",
                "spec.schedulerName",
                "spec.serviceAccountName",
                "spec.hostNetwork",
                "status.phase",
                "status.podIP",
                "status.nominatedNodeName",
            ],
            Res::Secret => &["metadata.name", "metadata.namespace", "type"],
            Res::ReplicaSet => &["metadata.name", "metadata.namespace", "status.replicas"],
            Res::Job => &["metadata.name", "metadata.namespace", "status.successful"],
            Res::Service => &[
                "metadata.name",
                "metadata.namespace",
                "spec.clusterIP",
                "spec.type",
            ],
            Res::ServiceAccount | Res::Deployment | Res::StatefulSet | Res::DaemonSet => {
                &["metadata.name", "metadata.namespace"]
            }
            Res::Event | Res::EventV1 => &[
                "metadata.name",
                "metadata.namespace",
                "involvedObject.kind",
                "involvedObject.namespace",
                "involvedObject.name",
                "involvedObject.uid",
                "involvedObject.apiVersion",
                "involvedObject.resourceVersion",
                "involvedObject.fieldPath",
                "reason",
                "reportingComponent",
                "source",
                "type",
            ],
        }
    }

    /// A field selector written for this resource, in terms of the stored object's fields
    /// (`events.k8s.io` names `regarding` what core events call `involvedObject`).
    pub fn stored_field_selector(self, selector: &str) -> String {
        match self {
            Res::EventV1 => selector
                .replace("regarding.", "involvedObject.")
                .replace("reportingController", "reportingComponent"),
            _ => selector.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals_resolve_within_their_group_only() {
        assert_eq!(
            Res::from_plural(Gv::Apps, "deployments"),
            Some(Res::Deployment)
        );
        assert_eq!(Res::from_plural(Gv::Core, "deployments"), None);
        assert_eq!(Res::from_plural(Gv::Events, "events"), Some(Res::EventV1));
        assert_eq!(Res::from_plural(Gv::Core, "events"), Some(Res::Event));
        assert_eq!(Gv::from_path("apps", "v1"), Some(Gv::Apps));
        assert_eq!(Gv::from_path("apps", "v1beta2"), None);
        assert_eq!(Res::Deployment.group_resource(), "deployments.apps");
    }
}
