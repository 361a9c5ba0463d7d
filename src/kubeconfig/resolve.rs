//! One context as a client connects to it: the context, its cluster and its user, taken from
//! devk's merged view (client-go's rules), with relative file paths made absolute against the
//! file each entry came from (client-go's `ResolveLocalPaths`). The cluster adapter hands this
//! to kube-rs, so what devk shows and what it connects to are one reading of the files.

use std::path::Path;

use serde_json::json;

use super::KubeconfigError;
use super::document::Kind;
use super::view::Kubeconfig;
use super::yaml::{Mapping, Value};

/// Fields holding file paths, per kind (client-go's Get*FileReferences).
const CLUSTER_PATHS: &[&str] = &["certificate-authority"];
const USER_PATHS: &[&str] = &["client-certificate", "client-key", "tokenFile"];

impl Kubeconfig {
    /// A kubeconfig document holding just `context`, its cluster and its user, as the merge
    /// resolved them, with `current-context` set to it. A context whose cluster or user entry
    /// is missing (or not named) is an error that names the file and the missing entry.
    pub fn client_document(&self, context: &str) -> Result<Value, KubeconfigError> {
        let Some(ctx) = self.context(context) else {
            return Err(KubeconfigError::NoSuchContext {
                name: context.to_string(),
                sources: self.sources().describe(),
            });
        };
        let file = self.files()[ctx.file].path().to_path_buf();
        let missing = |kind: &'static str, name: &str| KubeconfigError::MissingEntry {
            context: context.to_string(),
            kind,
            name: name.to_string(),
            file: file.clone(),
            sources: self.sources().describe(),
        };
        if ctx.cluster.is_empty() {
            return Err(missing("cluster", ""));
        }
        let Some((cluster_file, cluster)) = self.entry_body(Kind::Cluster, &ctx.cluster) else {
            return Err(missing("cluster", &ctx.cluster));
        };
        if ctx.user.is_empty() {
            return Err(missing("user", ""));
        }
        let Some((user_file, user)) = self.entry_body(Kind::User, &ctx.user) else {
            return Err(missing("user", &ctx.user));
        };
        let context_body = self
            .entry_body(Kind::Context, context)
            .map(|(_, b)| b)
            .unwrap_or_default();
        let cluster = absolute_paths(cluster, CLUSTER_PATHS, self.dir_of(cluster_file));
        let mut user = absolute_paths(user, USER_PATHS, self.dir_of(user_file));
        resolve_exec_command(&mut user, self.dir_of(user_file));
        Ok(json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": ctx.cluster, "cluster": cluster}],
            "users": [{"name": ctx.user, "user": user}],
            "contexts": [{"name": context, "context": context_body}],
            "current-context": context,
        }))
    }

    /// The winning entry's body (empty when null) and the index of its file.
    fn entry_body(&self, kind: Kind, name: &str) -> Option<(usize, Mapping)> {
        self.body(kind, name)
            .map(|(file, body)| (file, body.cloned().unwrap_or_default()))
    }

    /// The absolute directory of file `i` (client-go: `filepath.Abs(filepath.Dir(origin))`).
    fn dir_of(&self, i: usize) -> std::path::PathBuf {
        let path = self.files()[i].path();
        let dir = path.parent().unwrap_or(Path::new(""));
        std::path::absolute(if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        })
        .unwrap_or_else(|_| dir.to_path_buf())
    }
}

fn absolute_paths(mut body: Mapping, keys: &[&str], dir: std::path::PathBuf) -> Mapping {
    for key in keys {
        if let Some(Value::String(p)) = body.get_mut(*key)
            && !p.is_empty()
            && Path::new(p.as_str()).is_relative()
        {
            *p = dir.join(p.as_str()).display().to_string();
        }
    }
    body
}

/// An exec plugin's command is resolved only when it contains a path separator: `aws` is
/// looked up on PATH, `./bin/auth` next to the kubeconfig (client-go does the same).
fn resolve_exec_command(user: &mut Mapping, dir: std::path::PathBuf) {
    if let Some(Value::Object(exec)) = user.get_mut("exec")
        && let Some(Value::String(cmd)) = exec.get_mut("command")
        && cmd.contains('/')
        && Path::new(cmd.as_str()).is_relative()
    {
        *cmd = dir.join(cmd.as_str()).display().to_string();
    }
}
