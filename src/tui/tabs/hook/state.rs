//! The Hook tab's data: what is installed and what the last push scan found.

/// The Hook tab's data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookInfo {
    pub status: crate::githook::install::HookStatus,
    pub last_scan: Option<crate::githook::report::LastScan>,
}
