//! Pull secrets in the cluster (kube-rs): create or replace devk's secrets, add them to service
//! accounts, read what exists for `devk creds status`, and remove what devk made. Every write
//! is read-modify-replace with the object's resourceVersion, retried on a 409 conflict, so a
//! concurrent edit (another tool adding its own pull secret) is never lost.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{LocalObjectReference, Secret, ServiceAccount};
use kube::api::{Api, DeleteParams, ListParams, ObjectMeta, PostParams};

use super::{ClusterError, classify_kube_error};
use crate::creds::pullsecret::{
    self, ADDON_NAMESPACE, ADDON_PULL_SECRET, ADDON_SECRET, DOCKERCONFIGJSON_KEY,
    EXPIRES_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, REFRESHED_ANNOTATION,
    SA_ADDED_ANNOTATION, SecretPlan,
};
use crate::creds::status::{SecretKind, SeenSecret, SeenServiceAccount};
use crate::exit::Exit;

/// How often a write is retried after a resourceVersion conflict.
const CONFLICT_RETRIES: usize = 3;

/// Why a pull-secret write did not happen.
#[derive(Debug, thiserror::Error)]
pub enum PullSecretError {
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    #[error(
        "secret {namespace}/{name} exists and was not created by devk (no {MANAGED_BY_LABEL}={MANAGED_BY_VALUE} label): devk leaves it alone. Choose another name with creds.secret_name, or delete it yourself if it is stale"
    )]
    Foreign { namespace: String, name: String },
}

impl PullSecretError {
    pub fn exit(&self) -> Exit {
        match self {
            PullSecretError::Cluster(e) => e.exit(),
            PullSecretError::Foreign { .. } => Exit::Refused,
        }
    }
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    Created,
    Updated,
    /// Already held exactly this: nothing was written.
    Unchanged,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Created => "created",
            Change::Updated => "updated",
            Change::Unchanged => "unchanged",
        }
    }
}

fn is_conflict(e: &kube::Error) -> bool {
    matches!(e, kube::Error::Api(s) if s.code == 409)
}

fn to_secret(plan: &SecretPlan) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(plan.name.clone()),
            namespace: Some(plan.namespace.clone()),
            labels: Some(plan.labels.clone()),
            annotations: Some(plan.annotations.clone()),
            ..Default::default()
        },
        type_: Some(plan.type_.clone()),
        data: Some(
            plan.data
                .iter()
                .map(|(k, v)| (k.clone(), ByteString(v.clone())))
                .collect(),
        ),
        ..Default::default()
    }
}

fn decoded(s: &Secret) -> BTreeMap<String, Vec<u8>> {
    s.data
        .as_ref()
        .map(|d| d.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect())
        .unwrap_or_default()
}

fn is_devk(meta: &ObjectMeta) -> bool {
    meta.labels
        .as_ref()
        .and_then(|l| l.get(MANAGED_BY_LABEL))
        .is_some_and(|v| v == MANAGED_BY_VALUE)
}

/// Creates or replaces the secret of `plan`. A secret of that name that devk did not create is
/// refused, except minikube's addon secret when `adopt` is set (addon mode owns its values).
/// Labels and annotations others added are kept.
pub async fn apply_secret(
    client: &kube::Client,
    context: &str,
    plan: &SecretPlan,
    adopt: bool,
) -> Result<Change, PullSecretError> {
    let api: Api<Secret> = Api::namespaced(client.clone(), &plan.namespace);
    let kube_err = |e| PullSecretError::Cluster(classify_kube_error(context, e));
    for _ in 0..CONFLICT_RETRIES {
        let existing = api.get_opt(&plan.name).await.map_err(kube_err)?;
        let Some(mut current) = existing else {
            match api.create(&PostParams::default(), &to_secret(plan)).await {
                Ok(_) => return Ok(Change::Created),
                // Someone created it between our read and write: read it again.
                Err(e) if matches!(&e, kube::Error::Api(s) if s.code == 409) => continue,
                Err(e) => return Err(kube_err(e)),
            }
        };
        if !is_devk(&current.metadata) && !adopt {
            return Err(PullSecretError::Foreign {
                namespace: plan.namespace.clone(),
                name: plan.name.clone(),
            });
        }
        let labels = current.metadata.labels.clone().unwrap_or_default();
        let annotations = current.metadata.annotations.clone().unwrap_or_default();
        let same_expiry =
            annotations.get(EXPIRES_ANNOTATION) == plan.annotations.get(EXPIRES_ANNOTATION);
        if same_expiry
            && plan.same_content(
                current.type_.as_deref().unwrap_or("Opaque"),
                &labels,
                &decoded(&current),
            )
        {
            return Ok(Change::Unchanged);
        }
        if current.type_.as_deref().unwrap_or("Opaque") != plan.type_ {
            // A secret's type is immutable: replace it by delete and create.
            api.delete(&plan.name, &DeleteParams::default())
                .await
                .map_err(kube_err)?;
            api.create(&PostParams::default(), &to_secret(plan))
                .await
                .map_err(kube_err)?;
            return Ok(Change::Updated);
        }
        let mut merged_labels = labels;
        merged_labels.extend(plan.labels.clone());
        let mut merged_annotations = annotations;
        merged_annotations.extend(plan.annotations.clone());
        current.metadata.labels = Some(merged_labels);
        current.metadata.annotations = Some(merged_annotations);
        current.data = to_secret(plan).data;
        current.string_data = None;
        match api
            .replace(&plan.name, &PostParams::default(), &current)
            .await
        {
            Ok(_) => return Ok(Change::Updated),
            Err(e) if is_conflict(&e) => continue,
            Err(e) => return Err(kube_err(e)),
        }
    }
    Err(PullSecretError::Cluster(ClusterError::Api {
        context: context.to_owned(),
        message: format!(
            "secret {}/{} kept changing under devk ({CONFLICT_RETRIES} conflicts in a row); try again",
            plan.namespace, plan.name
        ),
    }))
}

/// What happened to one service account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaChange {
    Added,
    AlreadyThere,
    /// No such service account in the namespace (nothing to patch).
    Missing,
    /// `clean`: devk's entries removed.
    Removed,
}

impl SaChange {
    pub fn as_str(self) -> &'static str {
        match self {
            SaChange::Added => "added",
            SaChange::AlreadyThere => "already there",
            SaChange::Missing => "no such service account",
            SaChange::Removed => "removed",
        }
    }
}

fn pull_names(sa: &ServiceAccount) -> Vec<String> {
    sa.image_pull_secrets
        .as_ref()
        .map(|v| v.iter().map(|r| r.name.clone()).collect())
        .unwrap_or_default()
}

fn added_annotation(sa: &ServiceAccount) -> Option<String> {
    sa.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(SA_ADDED_ANNOTATION))
        .cloned()
}

/// Read-modify-replace of one service account's pull secrets and devk's annotation.
async fn modify_sa(
    client: &kube::Client,
    context: &str,
    namespace: &str,
    name: &str,
    plan: impl Fn(&[String], Option<&str>) -> Option<pullsecret::SaPatch>,
    changed: SaChange,
    unchanged: SaChange,
) -> Result<SaChange, ClusterError> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), namespace);
    for _ in 0..CONFLICT_RETRIES {
        let Some(mut sa) = api
            .get_opt(name)
            .await
            .map_err(|e| classify_kube_error(context, e))?
        else {
            return Ok(SaChange::Missing);
        };
        let Some(patch) = plan(&pull_names(&sa), added_annotation(&sa).as_deref()) else {
            return Ok(unchanged);
        };
        sa.image_pull_secrets = Some(
            patch
                .pull_secrets
                .into_iter()
                .map(|name| LocalObjectReference { name })
                .collect(),
        );
        let mut annotations = sa.metadata.annotations.take().unwrap_or_default();
        match patch.added_annotation {
            Some(v) => {
                annotations.insert(SA_ADDED_ANNOTATION.to_owned(), v);
            }
            None => {
                annotations.remove(SA_ADDED_ANNOTATION);
            }
        }
        sa.metadata.annotations = (!annotations.is_empty()).then_some(annotations);
        match api.replace(name, &PostParams::default(), &sa).await {
            Ok(_) => return Ok(changed),
            Err(e) if is_conflict(&e) => continue,
            Err(e) => return Err(classify_kube_error(context, e)),
        }
    }
    Err(ClusterError::Api {
        context: context.to_owned(),
        message: format!(
            "service account {namespace}/{name} kept changing under devk ({CONFLICT_RETRIES} conflicts in a row); try again"
        ),
    })
}

/// Adds `secret` to the imagePullSecrets of service account `namespace/name`.
pub async fn add_to_service_account(
    client: &kube::Client,
    context: &str,
    namespace: &str,
    name: &str,
    secret: &str,
) -> Result<SaChange, ClusterError> {
    modify_sa(
        client,
        context,
        namespace,
        name,
        |names, ann| pullsecret::add_pull_secret(names, ann, secret),
        SaChange::Added,
        SaChange::AlreadyThere,
    )
    .await
}

fn seen_secret(s: &Secret) -> Option<SeenSecret> {
    let name = s.metadata.name.clone()?;
    let kind = SecretKind::of(&name, is_devk(&s.metadata))?;
    let ann = s.metadata.annotations.clone().unwrap_or_default();
    let registries = match kind {
        SecretKind::AddonSettings => s
            .data
            .as_ref()
            .and_then(|d| d.get("aws-account"))
            .map(|v| {
                String::from_utf8_lossy(&v.0)
                    .split(',')
                    .filter(|a| !a.trim().is_empty())
                    .map(|a| format!("account {}", a.trim()))
                    .collect()
            })
            .unwrap_or_default(),
        _ => s
            .data
            .as_ref()
            .and_then(|d| d.get(DOCKERCONFIGJSON_KEY))
            .map(|v| pullsecret::registries_of(&v.0))
            .unwrap_or_default(),
    };
    Some(SeenSecret {
        namespace: s.metadata.namespace.clone().unwrap_or_default(),
        name,
        kind,
        registries,
        expires_at: ann
            .get(EXPIRES_ANNOTATION)
            .and_then(|t| pullsecret::parse_rfc3339(t)),
        refreshed_at: ann
            .get(REFRESHED_ANNOTATION)
            .and_then(|t| pullsecret::parse_rfc3339(t)),
    })
}

/// The API of one namespace, or of all of them (`None`).
fn scoped_api<K>(client: &kube::Client, ns: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match ns {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// The namespaces to look in: each of `namespaces`, or one all-namespaces scope (`None`).
fn scopes(namespaces: Option<&[String]>) -> Vec<Option<&str>> {
    match namespaces {
        Some(list) => list.iter().map(|n| Some(n.as_str())).collect(),
        None => vec![None],
    }
}

/// The pull secrets devk and the registry-creds addon made, and the service accounts, in
/// `namespaces` (None: every namespace).
pub async fn observe(
    client: &kube::Client,
    context: &str,
    namespaces: Option<&[String]>,
) -> Result<(Vec<SeenSecret>, Vec<SeenServiceAccount>), ClusterError> {
    let err = |e| classify_kube_error(context, e);
    let scopes = scopes(namespaces);
    let mut secrets = Vec::new();
    let mut accounts = Vec::new();
    let ours = ListParams::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"));
    let addon = ListParams::default().fields(&format!("metadata.name={ADDON_PULL_SECRET}"));
    for ns in &scopes {
        let api = scoped_api::<Secret>(client, *ns);
        for params in [&ours, &addon] {
            for s in api.list(params).await.map_err(err)?.items {
                secrets.extend(seen_secret(&s));
            }
        }
        let sa_api: Api<ServiceAccount> = scoped_api(client, *ns);
        for sa in sa_api
            .list(&ListParams::default())
            .await
            .map_err(err)?
            .items
        {
            accounts.push(SeenServiceAccount {
                namespace: sa.metadata.namespace.clone().unwrap_or_default(),
                name: sa.metadata.name.clone().unwrap_or_default(),
                pull_secrets: pull_names(&sa),
            });
        }
    }
    if scopes
        .iter()
        .any(|s| s.is_none_or(|n| n == ADDON_NAMESPACE))
    {
        let api: Api<Secret> = Api::namespaced(client.clone(), ADDON_NAMESPACE);
        if let Some(s) = api.get_opt(ADDON_SECRET).await.map_err(err)? {
            secrets.extend(seen_secret(&s));
        }
    }
    secrets.sort_by(|a, b| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name)));
    secrets.dedup_by(|a, b| a.namespace == b.namespace && a.name == b.name);
    Ok((secrets, accounts))
}

/// What `clean` removed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cleaned {
    /// `namespace/name` of deleted secrets.
    pub secrets: Vec<String>,
    /// `namespace/name` of service accounts devk's entries were taken out of.
    pub service_accounts: Vec<String>,
}

/// Deletes devk's secrets and takes devk's entries out of service accounts, in `namespaces`
/// (None: every namespace). Secrets and entries devk did not make are left alone.
pub async fn clean(
    client: &kube::Client,
    context: &str,
    namespaces: Option<&[String]>,
) -> Result<Cleaned, ClusterError> {
    let err = |e| classify_kube_error(context, e);
    let scopes = scopes(namespaces);
    let mut out = Cleaned::default();
    let ours = ListParams::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"));
    for ns in scopes {
        for s in scoped_api::<Secret>(client, ns)
            .list(&ours)
            .await
            .map_err(err)?
            .items
        {
            let (Some(name), Some(sns)) = (s.metadata.name.clone(), s.metadata.namespace.clone())
            else {
                continue;
            };
            let api: Api<Secret> = Api::namespaced(client.clone(), &sns);
            match api.delete(&name, &DeleteParams::default()).await {
                Ok(_) => out.secrets.push(format!("{sns}/{name}")),
                Err(kube::Error::Api(s)) if s.code == 404 => {}
                Err(e) => return Err(err(e)),
            }
        }
        let sa_api: Api<ServiceAccount> = scoped_api(client, ns);
        for sa in sa_api
            .list(&ListParams::default())
            .await
            .map_err(err)?
            .items
        {
            if added_annotation(&sa).is_none() {
                continue;
            }
            let (Some(name), Some(sns)) = (sa.metadata.name.clone(), sa.metadata.namespace.clone())
            else {
                continue;
            };
            let change = modify_sa(
                client,
                context,
                &sns,
                &name,
                pullsecret::remove_devk_pull_secrets,
                SaChange::Removed,
                SaChange::AlreadyThere,
            )
            .await?;
            if change == SaChange::Removed {
                out.service_accounts.push(format!("{sns}/{name}"));
            }
        }
    }
    Ok(out)
}
