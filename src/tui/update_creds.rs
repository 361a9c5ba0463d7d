//! `update` for the Registry creds tab: follows the current context, loads its pull secrets,
//! refreshes them on `r` and automatically before they expire (from the pure scheduler in
//! `ecr::schedule`), and makes a failed refresh loud. No I/O: loads and refreshes are effects.

use super::app::{Model, Notice, Tab};
use super::creds::{LastRefresh, RefreshFailure, Target};
use super::keymap::Action;
use super::keys::Key;
use super::msg::Effect;
use crate::ecr::refresh::{Namespaces, Report, Request};
use crate::ecr::schedule::{Due, DueReason, LastOutcome, countdown, next_due};
use crate::ecr::sdk::AwsOptions;
use crate::ecr::status::StatusRow;
use crate::ecr::target::check_target;

/// Called whenever the kubeconfig snapshot changes (and at start): a new current context
/// starts over (new generation, nothing scheduled) and loads its secrets when allowed.
pub(super) fn on_snapshot(m: &mut Model) -> Vec<Effect> {
    let row = m.current_row().cloned();
    let context = row.as_ref().map(|r| r.name.clone());
    let c = &mut m.creds;
    if context == c.context && c.generation > 0 {
        return Vec::new();
    }
    c.generation += 1;
    c.context = context;
    c.rows = None;
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
    let mut namespaces: Vec<String> = if s.namespaces.is_empty() {
        vec![if row.namespace.is_empty() {
            "default".to_owned()
        } else {
            row.namespace.clone()
        }]
    } else {
        s.namespaces.clone()
    };
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

/// Keys on the Registry creds tab; None leaves the key to the global bindings.
pub(super) fn on_creds_key(m: &mut Model, key: Key) -> Option<Vec<Effect>> {
    match m.keymap.action(key)? {
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

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::cluster::pullsecrets::{Change, SaChange};
    use crate::ecr::schedule::MIN_INTERVAL;
    use crate::ecr::status::SecretKind;
    use crate::tui::fixtures::model_on;
    use crate::tui::keys::Key;
    use crate::tui::msg::Msg;
    use crate::tui::update::update;

    const NOW: i64 = 1_764_000_000;
    /// moto's token expiry.
    const EXPIRED: i64 = 1_420_070_400;

    pub(crate) fn row(ns: &str, expires: Option<i64>) -> StatusRow {
        StatusRow {
            context: "minikube".into(),
            namespace: ns.into(),
            secret: "ecr-pull".into(),
            kind: SecretKind::Devk,
            registries: vec!["https://123456789012.dkr.ecr.eu-west-1.amazonaws.com".into()],
            expires_at: expires.map(crate::ecr::pullsecret::rfc3339),
            expires_unix: expires,
            state: String::new(),
            expired: false,
            refreshed_at: None,
            service_accounts: vec!["default".into()],
        }
    }

    pub(crate) fn report(expires_at: Option<i64>) -> Report {
        Report {
            context: "minikube".into(),
            registries: vec!["https://123456789012.dkr.ecr.eu-west-1.amazonaws.com".into()],
            expires_at,
            secrets: vec![("default".into(), "ecr-pull".into(), Change::Updated)],
            service_accounts: vec![("default".into(), "default".into(), SaChange::AlreadyThere)],
        }
    }

    fn at(now: i64) -> crate::tui::app::Model {
        let mut m = model_on("minikube");
        m.now = now;
        m
    }

    fn is_refresh(effects: &[Effect]) -> bool {
        effects
            .iter()
            .any(|e| matches!(e, Effect::RefreshCreds { .. }))
    }

    fn status(m: &mut crate::tui::app::Model, rows: Vec<StatusRow>) -> Vec<Effect> {
        let generation = m.creds.generation;
        update(
            m,
            Msg::CredsStatus {
                generation,
                result: Ok(rows),
            },
        )
    }

    fn refreshed(
        m: &mut crate::tui::app::Model,
        result: Result<Report, RefreshFailure>,
    ) -> Vec<Effect> {
        let generation = m.creds.generation;
        update(
            m,
            Msg::CredsRefreshed {
                generation,
                automatic: true,
                result,
            },
        )
    }

    #[test]
    fn a_local_context_loads_its_secrets_at_start() {
        let keymap =
            crate::tui::keymap::Keymap::from_config(&crate::config::Config::default().keys)
                .unwrap();
        let mut m =
            crate::tui::app::Model::new(crate::tui::fixtures::snapshot("minikube"), keymap, NOW);
        let effects = m.start();
        assert!(effects.contains(&Effect::LoadCreds {
            generation: 1,
            context: "minikube".into()
        }));
        assert_eq!(m.creds.target, Target::Allowed);
    }

    #[rstest::rstest]
    #[case::protected("eks-prod", "is protected")]
    #[case::remote("eks-staging", "is remote")]
    fn protected_and_remote_contexts_are_refused_and_r_says_why(
        #[case] ctx: &str,
        #[case] want: &str,
    ) {
        let mut m = model_on(ctx);
        let Target::Refused(reason) = &m.creds.target else {
            panic!("{:?}", m.creds.target)
        };
        assert!(reason.contains(want), "{reason}");
        m.tab = Tab::Creds;
        let effects = update(&mut m, Msg::Key(Key::ch('r')));
        assert!(effects.is_empty(), "{effects:?}");
        let notice = m.notice.clone().unwrap();
        assert!(
            notice.error && notice.text.contains("IAM role"),
            "{notice:?}"
        );
    }

    #[test]
    fn a_valid_secret_is_refreshed_the_margin_before_it_expires() {
        let mut m = at(NOW);
        assert!(!is_refresh(&status(
            &mut m,
            vec![row("default", Some(NOW + 12 * 3600))]
        )));
        assert_eq!(m.creds.due.map(|d| d.at), Some(NOW + 11 * 3600));
        assert!(!is_refresh(&update(
            &mut m,
            Msg::Clock(NOW + 11 * 3600 - 1)
        )));
        let effects = update(&mut m, Msg::Clock(NOW + 11 * 3600));
        let Some(Effect::RefreshCreds {
            automatic, request, ..
        }) = effects.first()
        else {
            panic!("{effects:?}")
        };
        assert!(*automatic);
        assert_eq!(request.namespaces, Namespaces::List(vec!["default".into()]));
        assert!(m.creds.running);
        // While it runs, no second one starts.
        assert!(!is_refresh(&update(
            &mut m,
            Msg::Clock(NOW + 11 * 3600 + 5)
        )));
    }

    #[test]
    fn no_devk_secret_means_nothing_is_created_behind_the_users_back() {
        let mut m = at(NOW);
        status(&mut m, vec![]);
        assert_eq!(m.creds.due, None);
        assert!(!is_refresh(&update(&mut m, Msg::Clock(NOW + 86_400))));
    }

    #[test]
    fn an_expired_token_is_refreshed_once_then_waits_instead_of_looping() {
        let mut m = at(NOW);
        // Found expired at start: refreshed at once.
        assert!(is_refresh(&status(
            &mut m,
            vec![row("default", Some(EXPIRED))]
        )));
        // The emulator hands out an already-expired token again.
        let effects = refreshed(&mut m, Ok(report(Some(EXPIRED))));
        assert_eq!(
            effects,
            vec![Effect::LoadCreds {
                generation: 1,
                context: "minikube".into()
            }]
        );
        assert_eq!(
            m.creds.due.map(|d| (d.at, d.reason)),
            Some((NOW + MIN_INTERVAL, DueReason::ExpiresTooSoon))
        );
        assert!(m.notice.as_ref().unwrap().text.contains("already expired"));
        // Re-reading the (still expired) secret does not reschedule it for now.
        assert!(!is_refresh(&status(
            &mut m,
            vec![row("default", Some(EXPIRED))]
        )));
        for t in [NOW + 1, NOW + 60, NOW + MIN_INTERVAL - 1] {
            assert!(
                !is_refresh(&update(&mut m, Msg::Clock(t))),
                "refresh at {t}"
            );
        }
        assert!(is_refresh(&update(&mut m, Msg::Clock(NOW + MIN_INTERVAL))));
    }

    #[test]
    fn a_failed_refresh_is_loud_and_backs_off_until_one_succeeds() {
        let mut m = at(NOW);
        status(&mut m, vec![row("default", Some(EXPIRED))]);
        refreshed(
            &mut m,
            Err("the AWS SSO session of profile `dev` has expired".into()),
        );
        assert!(m.creds.failing());
        assert!(m.notice.as_ref().unwrap().error);
        assert_eq!(m.creds.due.map(|d| d.at), Some(NOW + 30));
        m.now = NOW + 30;
        assert!(is_refresh(&update(&mut m, Msg::Clock(NOW + 30))));
        refreshed(&mut m, Err("again".into()));
        assert_eq!(m.creds.due.map(|d| d.at), Some(NOW + 30 + 60));
        refreshed(&mut m, Ok(report(Some(NOW + 12 * 3600))));
        assert!(!m.creds.failing());
        assert_eq!(m.creds.failures, 0);
        assert_eq!(m.creds.due.map(|d| d.at), Some(NOW + 11 * 3600));
    }

    #[test]
    fn a_configuration_error_waits_for_r_instead_of_retrying() {
        let mut m = at(NOW);
        status(&mut m, vec![row("default", Some(EXPIRED))]);
        let no_region = crate::ecr::refresh::RefreshError::Ecr(crate::ecr::EcrError::NoRegion);
        refreshed(&mut m, Err(RefreshFailure::from(&no_region)));
        assert!(m.creds.failing());
        assert_eq!(m.creds.due, None);
        let notice = m.notice.clone().unwrap();
        assert!(
            notice.error && notice.text.contains("AWS_REGION"),
            "{notice:?}"
        );
        assert!(notice.text.contains("r tries again"), "{notice:?}");
        for t in [NOW + 30, NOW + 3600] {
            m.now = t;
            assert!(!is_refresh(&update(&mut m, Msg::Clock(t))));
        }
        m.tab = Tab::Creds;
        assert!(is_refresh(&update(&mut m, Msg::Key(Key::ch('r')))));
    }

    #[test]
    fn r_refreshes_now_into_the_configured_and_existing_namespaces() {
        let mut m = at(NOW);
        m.tab = Tab::Creds;
        status(&mut m, vec![row("shop", Some(NOW + 3 * 3600))]);
        let effects = update(&mut m, Msg::Key(Key::ch('r')));
        let Some(Effect::RefreshCreds {
            automatic, request, ..
        }) = effects.first()
        else {
            panic!("{effects:?}")
        };
        assert!(!automatic);
        assert_eq!(
            request.namespaces,
            Namespaces::List(vec!["default".into(), "shop".into()])
        );
        assert_eq!(request.secret_name, "ecr-pull");
        assert_eq!(request.service_accounts, ["default"]);
        assert!(
            update(&mut m, Msg::Key(Key::ch('r'))).is_empty(),
            "one at a time"
        );
    }

    #[test]
    fn results_for_an_old_context_are_dropped() {
        let mut m = at(NOW);
        let old = m.creds.generation;
        let _ = update(
            &mut m,
            Msg::Kube(Ok(crate::tui::fixtures::snapshot("eks-staging"))),
        );
        assert!(m.creds.generation > old);
        let _ = update(
            &mut m,
            Msg::CredsRefreshed {
                generation: old,
                automatic: true,
                result: Err("x".into()),
            },
        );
        assert!(!m.creds.failing());
        let _ = update(
            &mut m,
            Msg::CredsStatus {
                generation: old,
                result: Ok(vec![row("default", None)]),
            },
        );
        assert_eq!(m.creds.rows, None);
    }
}
