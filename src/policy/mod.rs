//! Pure decisions: is this context local, remote or protected? Every decision carries the
//! reason, so the UI and error messages can say why.

mod context_class;
mod glob;

pub use context_class::{ClassRules, Classification, ContextClass, classify};
pub use glob::Glob;
