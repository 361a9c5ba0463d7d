//! The kubeconfig engine: load (one file, KUBECONFIG, or ~/.kube/config), merge with client-go's
//! rules, edit, and write back kubectl-compatibly (same files, same lock, atomic, mode kept,
//! unknown fields and order preserved). Pure apart from reading and writing those files.

mod document;
mod edit;
mod error;
mod lock;
mod sources;
mod view;

pub use document::{KubeFile, Kind};
pub use edit::update;
pub use error::KubeconfigError;
pub use lock::{lock_path, FileLock};
pub use sources::{SourceOrigin, Sources};
pub use view::{AuthKind, ClusterInfo, ContextInfo, Kubeconfig, UserInfo};

#[cfg(test)]
mod tests;
