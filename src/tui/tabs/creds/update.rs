//! `update` for the Registry creds tab: follows the current context, loads its pull secrets,
//! refreshes them on `r` and automatically before they expire (from the pure scheduler in
//! `ecr::schedule`), and makes a failed refresh loud. No I/O: loads and refreshes are effects.

use super::state::{LastRefresh, RefreshFailure, Target};
use crate::ecr::refresh::{Namespaces, Report, Request};
use crate::ecr::schedule::{Due, DueReason, LastOutcome, countdown, next_due};
use crate::ecr::sdk::AwsOptions;
use crate::ecr::status::StatusRow;
use crate::ecr::target::check_target;
use crate::tui::app::{Model, Notice, Tab};
use crate::tui::keymap::Action;
use crate::tui::msg::Effect;

/// Called whenever the kubeconfig snapshot changes (and at start): a new current context
/// starts over (new generation, nothing scheduled) and loads its secrets when allowed.
pub fn on_snapshot(m: &mut Model) -> Vec<Effect> {
    let row = m.current_row().cloned();
    let context = row.as_ref().map(|r| r.name.clone());
    let c = &mut m.creds;
    if context == c.context && c.generation > 0 {
        return Vec::new();
    }
    c.generation += 1;
    c.context = context;
    c.rows = None;
    c.list.selected = 0;
    c.running = false;
    c.last = None;
    c.failures = 0;
    c.due = None;
    m.dirty = true;
    c.target = match &row {
        None => Target::NoContext,
        Some(r) => match check_target(
            &r.name,
            r.class,
            &r.class_reason,
            &c.settings.allowed_contexts,
        ) {
            Ok(()) => Target::Allowed,
            Err(e) => Target::Refused(e.to_string()),
        },
    };
    load(m)
}

/// Reads the secrets of the current context again (when devk may write there).
pub(super) fn load(m: &Model) -> Vec<Effect> {
    match (&m.creds.target, &m.creds.context) {
        (Target::Allowed, Some(context)) => vec![Effect::LoadCreds {
            generation: m.creds.generation,
            context: context.clone(),
        }],
        _ => Vec::new(),
    }
}

/// The secrets of the context were read. Before the first refresh of this session, the
/// schedule comes from their expiry (an expired secret is refreshed at once); after one, it
/// comes only from refresh results, so a re-read expired token cannot restart a loop.
pub(super) fn on_status(
    m: &mut Model,
    generation: u64,
    result: Result<Vec<StatusRow>, String>,
) -> Vec<Effect> {
    if generation != m.creds.generation {
        return Vec::new();
    }
    m.creds.rows = Some(result);
    let n = m.creds.shown().len();
    m.creds.list.clamp(n);
    m.dirty = true;
    if m.creds.last.is_none() && m.creds.settings.auto_refresh && !m.creds.running {
        let before = m.creds.refresh_before;
        let earliest = m
            .creds
            .own_rows()
            .iter()
            .filter_map(|r| r.expires_unix)
            .min();
        m.creds.due = earliest.map(|exp| Due {
            at: exp.saturating_sub(before).max(m.now),
            reason: DueReason::BeforeExpiry,
        });
    }
    on_clock(m)
}

/// Every second: countdowns move, and a due refresh starts.
pub(super) fn on_clock(m: &mut Model) -> Vec<Effect> {
    if m.tab == Tab::Creds && !m.creds.own_rows().is_empty() {
        m.dirty = true;
    }
    let c = &m.creds;
    let due = c.due.is_some_and(|d| d.at <= m.now);
    if due && c.settings.auto_refresh && !c.running && c.target == Target::Allowed {
        return start_refresh(m, true);
    }
    Vec::new()
}

/// The refresh request for the current context: the namespaces devk's secrets are in, plus
/// the configured (or the context's) namespace.
fn request(m: &Model) -> Option<Request> {
    let row = m.current_row()?;
    let s = &m.creds.settings;
    let mut namespaces = crate::ecr::refresh::default_namespaces(&s.namespaces, &row.namespace);
    for r in m.creds.own_rows() {
        if !namespaces.contains(&r.namespace) {
            namespaces.push(r.namespace.clone());
        }
    }
    let nonempty = |v: &str| (!v.trim().is_empty()).then(|| v.trim().to_owned());
    let aws = AwsOptions {
        profile: nonempty(&s.profile),
        region: nonempty(&s.region),
    };
    // The config check has validated creds.registries, so this does not fail in practice.
    Request::from_config(
        s,
        &row.name,
        Namespaces::List(namespaces),
        s.service_accounts.clone(),
        aws,
        s.addon,
    )
    .ok()
}

fn start_refresh(m: &mut Model, automatic: bool) -> Vec<Effect> {
    let Some(request) = request(m) else {
        return Vec::new();
    };
    m.creds.running = true;
    m.creds.due = None;
    m.dirty = true;
    vec![Effect::RefreshCreds {
        generation: m.creds.generation,
        automatic,
        request: Box::new(request),
    }]
}

/// A refresh ended: record it, schedule the next one (never sooner than the scheduler's
/// minimum, whatever the token says), and re-read the secrets.
pub(super) fn on_refreshed(
    m: &mut Model,
    generation: u64,
    automatic: bool,
    result: Result<Report, RefreshFailure>,
) -> Vec<Effect> {
    if generation != m.creds.generation {
        return Vec::new();
    }
    let now = m.now;
    let simulated = m.simulated;
    let c = &mut m.creds;
    c.running = false;
    m.dirty = true;
    let outcome = match &result {
        Ok(r) => {
            c.failures = 0;
            r.expires_at
                .map(|expires_at| LastOutcome::Ok { expires_at })
        }
        Err(_) => {
            c.failures = c.failures.saturating_add(1);
            Some(LastOutcome::Failed {
                consecutive: c.failures,
            })
        }
    };
    let paused = matches!(&result, Err(f) if f.needs_config);
    c.due = match outcome {
        Some(o) if c.settings.auto_refresh && !paused => Some(next_due(now, c.refresh_before, o)),
        _ => None,
    };
    m.notice = Some(match &result {
        Ok(r) => Notice {
            text: format!(
                "registry creds refreshed in {} ({})",
                r.context,
                r.expires_at.map_or("no expiry".to_owned(), |e| {
                    if e <= now {
                        "the token AWS returned has already expired".to_owned()
                    } else {
                        format!("valid {}", countdown(e - now))
                    }
                })
            ),
            error: r.expires_at.is_some_and(|e| e <= now),
        },
        Err(_) if simulated => Notice {
            text: "registry creds: no refresh in devk demo, its cluster is simulated with no \
                   AWS account behind it (the tab says more)"
                .into(),
            error: false,
        },
        Err(f) => Notice {
            text: format!(
                "registry creds refresh failed: {}{}",
                f.message,
                if paused {
                    " (no automatic retry until this is fixed; r tries again)"
                } else {
                    ""
                }
            ),
            error: true,
        },
    });
    c.last = Some(LastRefresh {
        at: now,
        result,
        automatic,
    });
    load(m)
}

/// Actions on the Registry creds tab; None leaves them to the router.
pub(super) fn on_action(m: &mut Model, action: Action) -> Option<Vec<Effect>> {
    if let Some(nav) = crate::tui::widgets::list::Nav::from_action(action) {
        let page = usize::from(m.size.1.saturating_sub(12)).max(1);
        let n = m.creds.shown().len();
        m.creds.list.nav(nav, n, page);
        m.dirty = true;
        return Some(Vec::new());
    }
    match action {
        Action::Sort | Action::SortReverse => {
            let c = &mut m.creds;
            let mut list = std::mem::take(&mut c.list);
            list.change_sort(
                &super::state::SORTABLE,
                action == Action::SortReverse,
                |l| c.shown_with(l),
            );
            c.list = list;
            m.dirty = true;
            Some(Vec::new())
        }
        Action::Retry => {
            let effects = match &m.creds.target {
                Target::Allowed if m.creds.running => {
                    m.notice = Some(Notice {
                        text: "a refresh is already running".into(),
                        error: false,
                    });
                    Vec::new()
                }
                Target::Allowed => start_refresh(m, false),
                Target::Refused(reason) => {
                    m.notice = Some(Notice {
                        text: reason.clone(),
                        error: true,
                    });
                    Vec::new()
                }
                Target::NoContext => Vec::new(),
            };
            m.dirty = true;
            Some(effects)
        }
        _ => None,
    }
}
