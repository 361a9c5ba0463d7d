//! The Registry creds tab's state: the pull secrets of the current context, the last refresh
//! and its result, and when the next automatic refresh is due. Plain data; `update.rs`
//! drives it and the tasks in `tasks.rs` answer with messages.

use crate::config::CredsConfig;
use crate::ecr::refresh::Report;
use crate::ecr::schedule::Due;
use crate::ecr::status::StatusRow;
use crate::tui::widgets::list::{ListCursor, SortKey};

/// Whether devk may write pull secrets into the current context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    #[default]
    NoContext,
    /// Refused, with the whole reason (protected or remote, not in creds.allowed_contexts).
    Refused(String),
    Allowed,
}

/// Why a refresh failed (the message never holds a token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshFailure {
    pub message: String,
    /// A configuration problem (no region, addon mode without accounts): retrying cannot help
    /// until it is fixed, so nothing is retried automatically; `r` tries again.
    pub needs_config: bool,
}

impl From<&crate::ecr::refresh::RefreshError> for RefreshFailure {
    fn from(e: &crate::ecr::refresh::RefreshError) -> Self {
        RefreshFailure {
            message: e.to_string(),
            needs_config: e.exit() == crate::exit::Exit::Config,
        }
    }
}

/// A failure that backs off and retries (network, credentials, the cluster).
impl From<&str> for RefreshFailure {
    fn from(message: &str) -> Self {
        RefreshFailure {
            message: message.to_owned(),
            needs_config: false,
        }
    }
}

/// How the last refresh in this session ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastRefresh {
    /// Unix seconds.
    pub at: i64,
    /// Ok: what was written; Err: why not.
    pub result: Result<Report, RefreshFailure>,
    /// True when it was started by the scheduler, false for `r`.
    pub automatic: bool,
}

/// The tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredsState {
    /// `[creds]` from the config.
    pub settings: CredsConfig,
    /// `settings.refresh_before` in seconds.
    pub refresh_before: i64,
    /// Bumped when the context changes: results of older loads and refreshes are dropped.
    pub generation: u64,
    pub context: Option<String>,
    pub target: Target,
    /// None until loaded; Err when the cluster could not be read.
    pub rows: Option<Result<Vec<StatusRow>, String>>,
    pub running: bool,
    pub last: Option<LastRefresh>,
    /// Failed refreshes in a row (for the back-off).
    pub failures: u32,
    /// The next automatic refresh; None when nothing is scheduled.
    pub due: Option<Due>,
    /// The cursor over the pull secrets (position, scrolling, `o` sorting).
    pub list: ListCursor,
}

/// The columns `o` sorts by, in turn, after the list's own order (by namespace): soonest to
/// expire, secret, by whom.
pub const SORTABLE: [usize; 4] = [0, 3, 1, 2];

impl Default for CredsState {
    fn default() -> Self {
        CredsState::new(crate::config::Config::default().creds)
    }
}

impl CredsState {
    pub fn new(settings: CredsConfig) -> CredsState {
        // The config check has validated refresh_before; one hour is its default.
        let refresh_before = settings.refresh_before_secs().unwrap_or(3600);
        CredsState {
            settings,
            refresh_before,
            generation: 0,
            context: None,
            target: Target::NoContext,
            rows: None,
            running: false,
            last: None,
            failures: 0,
            due: None,
            list: ListCursor::default(),
        }
    }

    /// Indices of the rows in the order shown (`list` decides the sort).
    pub fn shown_with(&self, list: &ListCursor) -> Vec<usize> {
        let Some(Ok(rows)) = &self.rows else {
            return Vec::new();
        };
        list.sorted((0..rows.len()).collect(), |i, column| {
            let r = &rows[i];
            match column {
                1 => SortKey::Text(r.secret.clone()),
                2 => SortKey::Text(r.kind.as_str().to_string()),
                // Soonest first; secrets with no known expiry last.
                3 => SortKey::Number(r.expires_unix.unwrap_or(i64::MAX)),
                _ => SortKey::Text(r.namespace.clone()),
            }
        })
    }

    pub fn shown(&self) -> Vec<usize> {
        self.shown_with(&self.list)
    }

    /// The last refresh failed.
    pub fn failing(&self) -> bool {
        matches!(&self.last, Some(LastRefresh { result: Err(_), .. }))
    }

    /// The failure puts pulls at risk, so every tab shows the header badge until a refresh
    /// succeeds: a refresh failed while devk keeps secrets here fresh (or on its own
    /// schedule). Not on `devk demo`'s simulated cluster, which has no AWS account behind it:
    /// there the tab explains the failure instead.
    pub fn alarm(&self, simulated: bool) -> bool {
        let automatic = matches!(
            &self.last,
            Some(LastRefresh {
                automatic: true,
                ..
            })
        );
        self.failing() && !simulated && (automatic || !self.own_rows().is_empty())
    }

    /// The secrets devk refreshes (its own, or the addon's settings in addon mode).
    pub fn own_rows(&self) -> Vec<&StatusRow> {
        use crate::ecr::status::SecretKind;
        let want = if self.settings.addon {
            SecretKind::AddonSettings
        } else {
            SecretKind::Devk
        };
        match &self.rows {
            Some(Ok(rows)) => rows.iter().filter(|r| r.kind == want).collect(),
            _ => Vec::new(),
        }
    }
}
