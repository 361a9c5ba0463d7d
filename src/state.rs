//! Small persistent state.
