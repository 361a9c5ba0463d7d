//! The log pipeline's pure core: lines as bytes with a length cap, timestamps, resume/dedup
//! across reconnects, what the end of a stream means given the pod's status, reconnect
//! backoff, the byte-budgeted ring buffer, filters and their match index, and the plain types
//! of a log session. No terminal or kube types.

pub mod backoff;
pub mod buffer;
pub mod filter;
pub mod lifecycle;
pub mod line;
pub mod resume;
pub mod session;
pub mod target;
pub mod timestamp;
