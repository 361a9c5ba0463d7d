//! The TUI on a team's real names (`world.rs`) at 80x24 and 120x40: what tells rows apart
//! stays on screen, the header keeps namespace, class and connection, the protected dialog
//! fits and says what to type.

use super::fixtures::{assert_screens, key, run, screen, typed};
use super::msg::Msg;
use super::world::{self, PROD};
use crate::contexts::ContextRow;
use crate::policy::ContextClass;

fn on_pods() -> super::app::Model {
    let mut m = world::model();
    run(&mut m, vec![key("2")]);
    // The cursor on the 12th pod.
    run(&mut m, (0..11).map(|_| key("j")).collect());
    m
}

#[test]
fn real_world_screens_at_80x24_and_120x40() {
    let contexts = world::model();
    let pods = on_pods();
    let mut confirm = world::model();
    // The other region's payments-prod (the list is in the kubeconfig's order, by name:
    // us-east-1 after the eu-west-1 ones).
    run(
        &mut confirm,
        vec![key("j"), key("j"), key("j"), key("enter")],
    );
    run(&mut confirm, typed("pay"));
    let mut namespaces = world::model();
    run(
        &mut namespaces,
        vec![
            key("n"),
            Msg::Namespaces {
                context: PROD.into(),
                result: Ok(world::namespaces()),
            },
        ],
    );
    run(&mut namespaces, typed("ledger"));
    let mut palette = world::model();
    run(&mut palette, [vec![key(":")], typed("payments")].concat());
    assert_screens!([
        ("world_contexts", contexts),
        ("world_pods", pods),
        ("world_confirm_eks", confirm),
        ("world_namespaces", namespaces),
        ("world_palette", palette),
    ]);
}

fn header_on(name: &str, namespace: &str, class: ContextClass) -> String {
    let mut m = world::model();
    let mut snapshot = world::snapshot();
    snapshot.rows.retain(|r| r.name != name);
    snapshot.rows.push(ContextRow {
        name: name.into(),
        class,
        namespace: namespace.into(),
        ..snapshot.rows[0].clone()
    });
    snapshot.current = Some(name.into());
    run(&mut m, vec![Msg::Kube(Ok(snapshot))]);
    screen(&m, 80, 24).lines().next().unwrap_or("").to_string()
}

#[test]
fn the_header_keeps_namespace_class_and_connection_at_80_columns_whatever_the_name() {
    let long = "team-platform-shared-services-".repeat(7);
    for (name, ns, class, badge) in [
        (
            PROD,
            "payments-fraud-detection",
            ContextClass::Protected,
            "PROTECTED",
        ),
        (long.as_str(), "default", ContextClass::Remote, "remote"),
        (
            "gke_acme-analytics-prod_europe-west1-b_warehouse-reporting-replica",
            "analytics-reporting-and-dashboards-production",
            ContextClass::Protected,
            "PROTECTED",
        ),
    ] {
        let header = header_on(name, ns, class);
        assert!(header.chars().count() <= 80, "{header}");
        assert!(header.contains(badge), "{header}");
        assert!(header.contains("connect"), "{header}");
        let ns_shown = header
            .split(" ns ")
            .nth(1)
            .and_then(|rest| rest.split(" │").next())
            .unwrap_or("");
        assert!(
            ns_shown.len() >= 6 && (ns.starts_with(ns_shown) || ns_shown.contains('…')),
            "namespace `{ns_shown}` in {header}"
        );
    }
}

#[test]
fn the_protected_dialog_fits_at_80x24_and_says_exactly_what_to_type() {
    let long = format!("prod-{}", "x".repeat(240));
    for (name, expect) in [
        (PROD, "payments-prod"),
        (
            "gke_acme-analytics-prod_europe-west1-b_warehouse",
            "warehouse",
        ),
        (long.as_str(), long.as_str()),
    ] {
        let mut m = world::model();
        let mut snapshot = world::snapshot();
        snapshot.rows.push(ContextRow {
            name: name.into(),
            class: ContextClass::Protected,
            current: false,
            ..snapshot.rows[0].clone()
        });
        snapshot.current = Some("minikube".into());
        run(&mut m, vec![Msg::Kube(Ok(snapshot))]);
        let effects = super::tabs::contexts::request_switch(&mut m, name);
        assert!(effects.is_empty());
        run(&mut m, typed("abc"));
        let s = screen(&m, 80, 24);
        // The whole prompt is on screen (on rows of its own when the name is long) and the
        // input is inside the box.
        let inside: Vec<&str> = s
            .lines()
            .filter_map(|l| l.split('┃').nth(1))
            .map(str::trim_end)
            .collect();
        let flat = inside.concat();
        assert!(
            flat.contains(&format!("Type {expect} to switch"))
                || flat.contains(&format!("Type this to switch (esc cancels):{expect}")),
            "{name}: {s}"
        );
        assert!(
            s.lines().any(|l| l.contains("┃> abc▏")),
            "the input is inside the box: {s}"
        );
        // And typing exactly that switches.
        run(&mut m, vec![key("ctrl-u")]);
        let e = run(&mut m, [typed(expect), vec![key("enter")]].concat());
        assert_eq!(
            e,
            vec![super::msg::Effect::Switch {
                context: name.into()
            }]
        );
    }
}

#[test]
fn pods_at_80_columns_keep_their_unique_suffixes_and_read_differently() {
    let m = on_pods();
    let s = screen(&m, 80, 24);
    assert!(s.lines().nth(2).unwrap_or("").contains(" 12/300 "), "{s}");
    // The name cell of each row on screen: the first word with a dash.
    let rows: Vec<&str> = s
        .lines()
        .skip(4)
        .take(18)
        .filter_map(|l| l.split_whitespace().find(|t| t.contains('-')))
        .collect();
    assert!(rows.len() >= 15, "{s}");
    assert!(
        rows.iter().all(|r| r.contains('…')),
        "60 characters do not fit: {rows:?}"
    );
    let distinct: std::collections::HashSet<&&str> = rows.iter().collect();
    assert_eq!(distinct.len(), rows.len(), "{s}");
    let pods = world::pods();
    for shown in &rows {
        let (head, tail) = shown.split_once('…').unwrap_or_default();
        let pod = pods
            .iter()
            .find(|p| p.name.starts_with(head) && p.name.ends_with(tail))
            .unwrap_or_else(|| panic!("`{shown}` is no pod's name"));
        let suffix = pod.name.rsplit('-').next().unwrap_or_default();
        assert!(
            tail.ends_with(suffix) && tail.len() > suffix.len(),
            "`{shown}` keeps `{suffix}`"
        );
    }
}

#[test]
fn generated_context_names_are_shown_by_their_cluster_and_stay_distinct() {
    let m = world::model();
    let s = screen(&m, 80, 24);
    for shown in [
        "payments-prod (eu-west-1",
        "payments-prod (us-east-1",
        "payments-staging",
        "warehouse",
        "orders",
    ] {
        assert!(s.contains(shown), "{shown}: {s}");
    }
    assert!(!s.contains("arn:aws:eks:eu-west-1:12345 "), "{s}");
    assert!(s.contains(" 1/9 "), "the list's position: {s}");
    // The header tells the current cluster from its namesake in the other region.
    assert!(
        s.lines()
            .next()
            .unwrap_or("")
            .contains("payments-prod (eu-west-1)"),
        "{s}"
    );
}
