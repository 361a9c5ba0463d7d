//! The use cases both front ends call, written once (as cargo's commands call `cargo::ops`):
//! `cli/*` parses arguments and prints, the TUI's tasks turn results into messages, and
//! neither re-implements what happens in between.

pub mod logs;
