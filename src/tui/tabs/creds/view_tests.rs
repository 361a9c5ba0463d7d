//! Snapshots of the Registry creds tab at 120x40 and 80x24: secrets with their countdown, a
//! failed refresh (with the header badge every tab shows), and a refused protected context.

use super::tests::{report, row};
use crate::tui::app::{Model, Tab};
use crate::tui::fixtures::{model_on, screen as render};
use crate::tui::msg::Msg;
use crate::tui::update::update;

const NOW: i64 = 1_764_000_000;

fn on_creds(context: &str) -> Model {
    let mut m = model_on(context);
    m.now = NOW;
    let _ = update(&mut m, Msg::Key(crate::tui::keys::Key::ch('4')));
    assert_eq!(m.tab, Tab::Creds);
    m
}

fn with_secrets() -> Model {
    let mut m = on_creds("minikube");
    let generation = m.creds.generation;
    let mut shop = row("shop", Some(NOW + 40 * 60));
    shop.service_accounts = vec!["builder".into(), "default".into()];
    let _ = update(
        &mut m,
        Msg::CredsRefreshed {
            generation,
            automatic: false,
            result: Ok(report(Some(NOW + 11 * 3600 + 42 * 60))),
        },
    );
    let _ = update(
        &mut m,
        Msg::CredsStatus {
            generation,
            result: Ok(vec![row("default", Some(NOW + 11 * 3600 + 42 * 60)), shop]),
        },
    );
    let _ = update(&mut m, Msg::Clock(NOW + 75));
    m.notice = None;
    m
}

fn failed() -> Model {
    let mut m = with_secrets();
    let generation = m.creds.generation;
    let _ = update(
        &mut m,
        Msg::CredsRefreshed {
            generation,
            automatic: true,
            result: Err("the AWS SSO session of profile `dev` has expired: run `aws sso login --profile dev` and try again".into()),
        },
    );
    m
}

#[test]
fn creds_tab_snapshots() {
    let refused = on_creds("eks-prod");
    for (name, m) in [
        ("creds_secrets", with_secrets()),
        ("creds_failed", failed()),
        ("creds_refused", refused),
    ] {
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), render(&m, w, h));
        }
    }
}

#[test]
fn the_failure_badge_shows_on_every_tab_until_a_refresh_succeeds() {
    let mut m = failed();
    for tab in ['1', '2', '5'] {
        let _ = update(&mut m, Msg::Key(crate::tui::keys::Key::ch(tab)));
        assert!(
            render(&m, 120, 40)
                .lines()
                .next()
                .unwrap()
                .contains("✖ CREDS FAILED")
        );
    }
    let generation = m.creds.generation;
    let _ = update(
        &mut m,
        Msg::CredsRefreshed {
            generation,
            automatic: true,
            result: Ok(report(Some(NOW + 12 * 3600))),
        },
    );
    assert!(!render(&m, 120, 40).contains("CREDS FAILED"));
}

#[test]
fn the_schedule_line_says_why_nothing_is_scheduled_and_never_contradicts_itself() {
    let cases: Vec<(Model, &str)> = {
        let mut no_secret = on_creds("minikube");
        let generation = no_secret.creds.generation;
        let _ = update(
            &mut no_secret,
            Msg::CredsStatus {
                generation,
                result: Ok(vec![]),
            },
        );
        let mut paused = on_creds("minikube");
        let generation = paused.creds.generation;
        let no_region = crate::ecr::refresh::RefreshError::Ecr(crate::ecr::EcrError::NoRegion);
        let _ = update(
            &mut paused,
            Msg::CredsRefreshed {
                generation,
                automatic: false,
                result: Err(super::RefreshFailure::from(&no_region)),
            },
        );
        let mut off = on_creds("minikube");
        off.creds.settings.auto_refresh = false;
        vec![
            (no_secret, "nothing to keep fresh yet"),
            (paused, "paused until the configuration is fixed"),
            (off, "Automatic refresh is off"),
            (
                with_secrets(),
                "Automatic refresh in 10h 40m (before expiry)",
            ),
        ]
    };
    for (m, want) in cases {
        let s = render(&m, 120, 40);
        assert!(s.contains(want), "{want}: {s}");
        assert!(
            !s.contains("No automatic refresh scheduled") && !s.contains("auto-refresh on"),
            "{s}"
        );
    }
}

#[test]
fn a_failed_refresh_in_the_demo_is_explained_and_raises_no_badge() {
    let mut m = on_creds("minikube");
    m.simulated = true;
    let generation = m.creds.generation;
    let _ = update(
        &mut m,
        Msg::CredsStatus {
            generation,
            result: Ok(vec![]),
        },
    );
    // Before any refresh, the demo already says why none can work here.
    let s = render(&m, 120, 40);
    assert!(s.contains("No refresh in devk demo"), "{s}");
    assert!(s.contains("no AWS account behind it"), "{s}");
    let no_region = crate::ecr::refresh::RefreshError::Ecr(crate::ecr::EcrError::NoRegion);
    let _ = update(
        &mut m,
        Msg::CredsRefreshed {
            generation,
            automatic: false,
            result: Err(super::RefreshFailure::from(&no_region)),
        },
    );
    let s = render(&m, 120, 40);
    assert!(!s.contains("CREDS FAILED"), "{s}");
    assert!(s.contains("not possible in devk demo"), "{s}");
    assert!(
        m.notice.as_ref().is_some_and(|n| !n.error),
        "{:?}",
        m.notice
    );
    // Off the demo, a manual refresh that fails where devk keeps no secret is no alarm either.
    m.simulated = false;
    assert!(!render(&m, 120, 40).contains("CREDS FAILED"));
}

/// A pull secret in each of 400 namespaces with long, similar names.
fn many_namespaces() -> Model {
    let mut m = on_creds("minikube");
    let generation = m.creds.generation;
    let rows = (0..400)
        .map(|i| {
            let ns = format!("payments-platform-feature-branch-{i:03}-preview");
            row(&ns, Some(NOW + 3600 + 60 * ((i * 7) % 400)))
        })
        .collect();
    let _ = update(
        &mut m,
        Msg::CredsStatus {
            generation,
            result: Ok(rows),
        },
    );
    m.notice = None;
    m
}

#[test]
fn four_hundred_namespaces_scroll_show_their_position_and_stay_distinct_at_80_columns() {
    let key = |m: &mut Model, k: &str| {
        let _ = update(m, Msg::Key(k.parse().unwrap()));
    };
    let mut m = many_namespaces();
    key(&mut m, "G");
    let s = render(&m, 80, 24);
    assert!(s.contains("400/400"), "{s}");
    assert!(s.contains("399-preview"), "the last row is on screen:\n{s}");
    // Rows are told apart by what is on screen: the namespace's number survives the cut.
    let shown: Vec<&str> = s.lines().filter(|l| l.contains("ecr-pull")).collect();
    let distinct: std::collections::HashSet<String> = shown
        .iter()
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect();
    assert_eq!(distinct.len(), shown.len(), "{s}");
    // o: by namespace is the own order, so the first o sorts soonest to expire first.
    key(&mut m, "g");
    key(&mut m, "o");
    let first = m.creds.shown()[0];
    let Some(Ok(rows)) = &m.creds.rows else {
        unreachable!()
    };
    let soonest = rows.iter().filter_map(|r| r.expires_unix).min();
    assert_eq!(rows[first].expires_unix, soonest);
    assert!(render(&m, 80, 24).contains("EXPIRES▲"));
}
