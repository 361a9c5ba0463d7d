//! The log pipeline's pure core: timestamps, resume/dedup across reconnects, the byte-budgeted
//! ring buffer, filters and their match index, reconnect backoff. No terminal or kube types.

pub mod backoff;
pub mod buffer;
pub mod filter;
pub mod resume;
pub mod timestamp;
