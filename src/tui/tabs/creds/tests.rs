//! The Registry creds tab's `update`: loads follow the current context, refreshes run on `r`
//! and on schedule, failures back off (or wait for `r`), old results are dropped.

use super::{RefreshFailure, Target};
use crate::cluster::pullsecrets::{Change, SaChange};
use crate::ecr::refresh::{Namespaces, Report};
use crate::ecr::schedule::DueReason;
use crate::ecr::schedule::MIN_INTERVAL;
use crate::ecr::status::SecretKind;
use crate::ecr::status::StatusRow;
use crate::tui::app::Tab;
use crate::tui::fixtures::model_on;
use crate::tui::keys::Key;
use crate::tui::msg::Effect;
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
        crate::tui::keymap::Keymap::from_config(&crate::config::Config::default().keys).unwrap();
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
fn protected_and_remote_contexts_are_refused_and_r_says_why(#[case] ctx: &str, #[case] want: &str) {
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
