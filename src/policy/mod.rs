//! Pure decisions: is this context local, remote or protected? Every decision carries the
//! reason, so the UI and error messages can say why.

mod ci;
mod context_class;
mod glob;
mod image_ref;
mod partitions;
mod push;
mod registry;

pub use ci::{CiDetection, CiSystem, Env, detect_ci};
pub use context_class::{ClassRules, Classification, ContextClass, classify};
pub use glob::Glob;
pub use image_ref::{DEFAULT_REGISTRY, ImageRef, RefError};
pub use partitions::{EcrHost, Partition, ecr_host, partitions, registry_hosts};
pub use push::{PushDecision, PushRules, WHY_CI_ONLY, decide_push, decide_push_str};
pub use registry::{RegistryKind, classify_registry};
