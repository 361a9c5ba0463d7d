//! devk: the terminal companion for Kubernetes developers on AWS.
//!
//! The crate is a pure core (kubeconfig model, policy, config) with thin adapters to the
//! outside world (the Kubernetes API through kube-rs, the filesystem, the terminal). The
//! binary in `main.rs` only parses arguments and maps errors to exit codes.
#![forbid(unsafe_code)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod cli;
pub mod cluster;
pub mod config;
pub mod contexts;
pub mod creds;
pub mod diagnose;
pub mod ecr;
pub mod encoding;
pub mod exit;
pub mod format;
pub mod fsutil;
pub mod fuzzy;
pub mod githook;
pub mod images;
pub mod kubeconfig;
pub mod logs;
pub mod minikube;
pub mod ops;
pub mod pods;
pub mod policy;
pub mod shellenv;
pub mod state;
pub mod tui;

/// The git object store reader (its own crate, `devk-gitobjects`).
pub use devk_gitobjects as gitobjects;
/// The simulated Kubernetes API server (its own crate, `devk-sandbox`).
pub use devk_sandbox as sandbox;
