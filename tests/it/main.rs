//! Integration tests: one binary, one module per area. Tests that need a real service
//! (kubectl, dockerd, a registry, moto) use `support::require` so that they fail loudly under
//! the test script (DEVK_REQUIRE_SERVICES=1) and are skipped, with a printed line, under a
//! plain `cargo test`.

mod support;

mod cli_contexts;
mod cli_pickers;
mod config_layers;
mod creds;
mod creds_errors;
mod creds_pull;
mod creds_tui;
mod demo_project;
mod githook;
mod githook_corpus;
mod githook_history;
mod githook_install;
mod githook_modes;
mod githook_parity;
mod gitobjects;
mod images_build;
mod images_push;
mod images_tui;
mod images_world;
mod kubeconfig_faults;
mod kubeconfig_kubectl;
mod logs_lifecycle;
mod logs_sandbox;
mod logs_workloads;
mod minikube;
mod module_graph;
mod policy_cli;
mod sandbox_kubectl;
mod sandbox_kubectl_logs;
mod sandbox_pulls;
mod sandbox_workloads;
mod services;
mod tmux;
mod tui_day;
mod tui_e2e;
mod why_sandbox;
