//! The merged view of all kubeconfig files, with client-go's rules: for clusters, users and
//! contexts the first file that defines a name wins, whole entry; `current-context` comes from
//! the first file that sets it.

use std::collections::HashMap;

use super::yaml::{Mapping, Value};

use super::KubeconfigError;
use super::document::{Depth, Kind, KubeFile};
use super::sources::{SourceOrigin, Sources};

/// A context as devk shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContextInfo {
    pub name: String,
    pub cluster: String,
    pub user: String,
    /// The namespace set on the context; None means `default`.
    pub namespace: Option<String>,
    /// Index into `Kubeconfig::files` of the file that defines it.
    pub file: usize,
}

impl ContextInfo {
    /// The namespace kubectl would use.
    pub fn namespace_or_default(&self) -> &str {
        self.namespace.as_deref().unwrap_or("default")
    }
}

/// A cluster entry, as far as devk needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterInfo {
    pub name: String,
    pub server: Option<String>,
    pub certificate_authority: Option<String>,
    pub has_ca_data: bool,
    pub insecure_skip_tls_verify: bool,
    pub file: usize,
}

/// How a user entry authenticates. Secrets themselves are never carried here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthKind {
    Token,
    TokenFile(String),
    ClientCertificate,
    Exec { command: String },
    AuthProvider { name: String },
    Basic,
    None,
}

impl std::fmt::Display for AuthKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuthKind::Token => f.write_str("bearer token (****)"),
            AuthKind::TokenFile(p) => write!(f, "token file {p}"),
            AuthKind::ClientCertificate => f.write_str("client certificate"),
            AuthKind::Exec { command } => write!(f, "exec plugin `{command}`"),
            AuthKind::AuthProvider { name } => write!(f, "auth provider `{name}`"),
            AuthKind::Basic => f.write_str("basic auth (****)"),
            AuthKind::None => f.write_str("none"),
        }
    }
}

/// A user entry, as far as devk needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserInfo {
    pub name: String,
    pub auth: AuthKind,
    pub file: usize,
}

/// All kubeconfig files in effect, parsed, and the merged view over them.
#[derive(Debug, Clone)]
pub struct Kubeconfig {
    sources: Sources,
    files: Vec<KubeFile>,
    /// name -> (file index, position in that file's list), per kind: the first file that
    /// defines a name wins (a file never names two entries alike: kubectl refuses that).
    index: HashMap<Kind, HashMap<String, (usize, usize)>>,
}

impl Kubeconfig {
    /// Reads every source file. Missing files are skipped (empty), except an explicit
    /// `--kubeconfig` file when `allow_missing_explicit` is false.
    pub fn load(sources: Sources, allow_missing_explicit: bool) -> Result<Self, KubeconfigError> {
        Self::load_with(sources, allow_missing_explicit, Depth::Full)
    }

    /// Like `load`, leaving embedded certificate blobs out of the trees: for commands that
    /// read (`current`, `contexts`, the TUI) and for a context switch. An edit that must write
    /// a whole tree back is redone on a full load by `update_loaded`.
    pub fn load_light(
        sources: Sources,
        allow_missing_explicit: bool,
    ) -> Result<Self, KubeconfigError> {
        Self::load_with(sources, allow_missing_explicit, Depth::Summary)
    }

    /// The least a reader of the current context and its namespace needs (`devk current`,
    /// `devk ns`): contexts, `current-context`, and the names of clusters and users.
    pub fn load_current(
        sources: Sources,
        allow_missing_explicit: bool,
    ) -> Result<Self, KubeconfigError> {
        Self::load_with(sources, allow_missing_explicit, Depth::Current)
    }

    fn load_with(
        sources: Sources,
        allow_missing_explicit: bool,
        depth: Depth,
    ) -> Result<Self, KubeconfigError> {
        let mut files = Vec::with_capacity(sources.files.len());
        for path in &sources.files {
            let file = KubeFile::read_with(path, depth)?;
            if !file.exists() && sources.origin == SourceOrigin::Explicit && !allow_missing_explicit
            {
                return Err(KubeconfigError::ExplicitMissing { path: path.clone() });
            }
            files.push(file);
        }
        Ok(Self::from_files(sources, files))
    }

    /// Builds the merged view over already parsed files (in precedence order).
    pub fn from_files(sources: Sources, files: Vec<KubeFile>) -> Self {
        let mut kc = Kubeconfig {
            sources,
            files,
            index: HashMap::new(),
        };
        kc.reindex();
        kc
    }

    fn reindex(&mut self) {
        self.index.clear();
        for kind in Kind::ALL {
            let mut names: HashMap<String, (usize, usize)> = HashMap::new();
            for (i, f) in self.files.iter().enumerate() {
                let mut in_file: HashMap<&str, usize> = HashMap::new();
                for (pos, name) in f.entries_indexed(kind) {
                    in_file.insert(name, pos);
                }
                for (name, pos) in in_file {
                    names.entry(name.to_string()).or_insert((i, pos));
                }
            }
            self.index.insert(kind, names);
        }
    }

    pub fn sources(&self) -> &Sources {
        &self.sources
    }

    pub fn files(&self) -> &[KubeFile] {
        &self.files
    }

    pub(super) fn files_mut(&mut self) -> &mut [KubeFile] {
        &mut self.files
    }

    /// The current context's name: from the first file that sets one.
    pub fn current_context(&self) -> Option<&str> {
        self.files.iter().find_map(KubeFile::current_context)
    }

    /// The index of the file that defines entry `name` of `kind`.
    pub fn origin(&self, kind: Kind, name: &str) -> Option<usize> {
        self.index.get(&kind)?.get(name).map(|&(file, _)| file)
    }

    /// The winning entry `name` of `kind`: its file index and body.
    pub(super) fn body(&self, kind: Kind, name: &str) -> Option<(usize, Option<&Mapping>)> {
        let &(file, pos) = self.index.get(&kind)?.get(name)?;
        Some((file, self.files[file].entry_at(kind, pos)?))
    }

    /// Every context, sorted by name (as `kubectl config get-contexts` lists them).
    pub fn contexts(&self) -> Vec<ContextInfo> {
        let mut names: Vec<&String> = self
            .index
            .get(&Kind::Context)
            .map(|m| m.keys().collect())
            .unwrap_or_default();
        names.sort();
        names.into_iter().filter_map(|n| self.context(n)).collect()
    }

    /// Context names only, sorted.
    pub fn context_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .index
            .get(&Kind::Context)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        names.sort();
        names
    }

    pub fn context(&self, name: &str) -> Option<ContextInfo> {
        let (file, body) = self.body(Kind::Context, name)?;
        Some(ContextInfo {
            name: name.to_string(),
            cluster: str_field(body, "cluster").unwrap_or_default(),
            user: str_field(body, "user").unwrap_or_default(),
            namespace: str_field(body, "namespace").filter(|n| !n.is_empty()),
            file,
        })
    }

    pub fn cluster(&self, name: &str) -> Option<ClusterInfo> {
        let (file, body) = self.body(Kind::Cluster, name)?;
        Some(ClusterInfo {
            name: name.to_string(),
            server: str_field(body, "server"),
            certificate_authority: str_field(body, "certificate-authority"),
            has_ca_data: body.is_some_and(|b| b.contains_key("certificate-authority-data")),
            insecure_skip_tls_verify: body
                .and_then(|b| b.get("insecure-skip-tls-verify"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            file,
        })
    }

    pub fn user(&self, name: &str) -> Option<UserInfo> {
        let (file, body) = self.body(Kind::User, name)?;
        let has = |k: &str| body.is_some_and(|b| b.contains_key(k));
        let auth = if let Some(exec) = body.and_then(|b| b.get("exec")).and_then(Value::as_object) {
            AuthKind::Exec {
                command: exec
                    .get("command")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
            }
        } else if let Some(ap) = body
            .and_then(|b| b.get("auth-provider"))
            .and_then(Value::as_object)
        {
            AuthKind::AuthProvider {
                name: ap
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
            }
        } else if has("token") {
            AuthKind::Token
        } else if let Some(p) = str_field(body, "tokenFile") {
            AuthKind::TokenFile(p)
        } else if has("client-certificate") || has("client-certificate-data") {
            AuthKind::ClientCertificate
        } else if has("username") || has("password") {
            AuthKind::Basic
        } else {
            AuthKind::None
        };
        Some(UserInfo {
            name: name.to_string(),
            auth,
            file,
        })
    }

    /// Rebuilds the name index after edits.
    pub(super) fn refresh(&mut self) {
        self.reindex();
    }
}

fn str_field(body: Option<&Mapping>, key: &str) -> Option<String> {
    body?.get(key)?.as_str().map(str::to_string)
}
