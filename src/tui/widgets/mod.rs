//! Shared widgets: what more than one tab or dialog needs, written once so a fix lands
//! everywhere.
//!
//! - `list`: the one list cursor (selection, a fuzzy filter being typed or kept, paging) that
//!   every list in the TUI moves with, and the filter line drawn above a filtered list.
//! - `table`: the scrolling window of a table (which rows are on screen).
//! - `input`: one-line text input (edit keys, the drawn input with its caret).
//! - `dialog`: a box centred over the screen, cleared underneath.
//! - `status`: the footer line: key hints on the left, progress or a notice on the right.
//!
//! Widgets hold plain data (no ratatui types in state) and draw through small functions that
//! take the theme; none of them knows which tab it is in.

pub mod dialog;
pub mod input;
pub mod list;
pub mod status;
pub mod table;
