//! The kubeconfig engine: load (one file, KUBECONFIG, or ~/.kube/config), merge with client-go's
//! rules, edit, and write back kubectl-compatibly (same files, same lock, atomic, mode kept,
//! unknown fields and order preserved). Pure apart from reading and writing those files.

mod document;
mod edit;
mod error;
mod holder;
mod lock;
mod resolve;
mod shape;
mod signals;
mod sources;
mod view;
pub mod yaml;

pub use document::{Kind, KubeFile};
pub use edit::{update, update_loaded};
pub use error::KubeconfigError;
pub use lock::{FileLock, LockOptions, lock_path};
pub use signals::SignalDefer;
pub use sources::{SourceOrigin, Sources};
pub use view::{AuthKind, ClusterInfo, ContextInfo, Kubeconfig, UserInfo};
pub use yaml::emit::to_yaml;

#[cfg(test)]
mod lock_tests;
#[cfg(test)]
mod tests;
