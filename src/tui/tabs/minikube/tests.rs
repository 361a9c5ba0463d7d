//! The Minikube tab: start, stop and addon toggles with live output, and its screens.

use crate::tui::app::Tab;
use crate::tui::fixtures::{assert_screens, key, model, run};
use crate::tui::msg::{Effect, Msg};

fn minikube_info() -> Msg {
    info_with(&[("minikube", "Running"), ("dev", "Stopped")])
}

/// Profiles with these status words, as some minikube version printed them.
fn info_with(profiles: &[(&str, &str)]) -> Msg {
    use crate::minikube::{Addon, Profile};
    let profile = |name: &str, status: &str| Profile {
        name: name.into(),
        status: status.into(),
        driver: "docker".into(),
        container_runtime: "docker".into(),
        kubernetes_version: "v1.31.0".into(),
        nodes: 1,
        ip: Some("192.168.49.2".into()),
        port: Some(8443),
        cpus: 2,
        memory_mib: 4096,
        active: name == "minikube",
        active_kube_context: false,
        valid: true,
    };
    Msg::Minikube(Ok(Box::new(super::MinikubeInfo {
        profiles: profiles.iter().map(|(n, s)| profile(n, s)).collect(),
        addons: vec![
            Addon {
                name: "ingress".into(),
                enabled: false,
                profile: Some("minikube".into()),
            },
            Addon {
                name: "registry-creds".into(),
                enabled: true,
                profile: Some("minikube".into()),
            },
        ],
        addons_of: Some("minikube".into()),
    })))
}

#[test]
fn minikube_tab_starts_stops_and_toggles_addons_with_live_output() {
    let mut m = model();
    assert_eq!(
        run(&mut m, vec![key("5")]),
        vec![Effect::LoadMinikube { profile: None }]
    );
    run(&mut m, vec![minikube_info()]);
    // The running profile stops; the stopped one starts.
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(&e[..], [Effect::RunMinikube { args }] if args.contains(&"stop".to_string())),
        "{e:?}"
    );
    let e = run(&mut m, vec![key("enter")]);
    assert_eq!(e, vec![], "one operation at a time");
    run(&mut m, vec![Msg::MinikubeLine("✋  Stopping node".into())]);
    assert_eq!(m.minikube.op.as_ref().unwrap().lines, ["✋  Stopping node"]);
    assert_eq!(run(&mut m, vec![key("esc")]), vec![Effect::CancelMinikube]);
    let e = run(&mut m, vec![Msg::MinikubeDone(Ok(()))]);
    assert_eq!(
        e,
        vec![Effect::LoadMinikube {
            profile: Some("minikube".into())
        }]
    );
    let e = run(&mut m, vec![key("j")]);
    assert_eq!(
        e,
        vec![Effect::LoadMinikube {
            profile: Some("dev".into())
        }]
    );
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(&e[..], [Effect::RunMinikube { args }] if args.contains(&"start".to_string())),
        "{e:?}"
    );
    let e = run(
        &mut m,
        vec![
            Msg::MinikubeDone(Err("exit code 80".into())),
            key("k"),
            minikube_info(),
            key("a"),
            key("enter"),
        ],
    );
    assert!(
        matches!(e.last(), Some(Effect::RunMinikube { args }) if args.contains(&"disable".to_string())),
        "{e:?}"
    );
    let op = m.minikube.op.as_ref().unwrap();
    assert!(
        op.title.starts_with("Disabling registry-creds"),
        "{}",
        op.title
    );
}

fn minikube_missing() -> crate::tui::app::Model {
    let mut m = model();
    m.tab = Tab::Minikube;
    m.minikube.info = Some(Err("minikube is not installed (`minikube` was not found on PATH); install it from https://minikube.sigs.k8s.io/docs/start/ or set `minikube.binary` in devk.toml to its path".into()));
    m
}

#[test]
fn minikube_tab_at_120x40_and_80x24() {
    assert_screens!([("minikube_missing", minikube_missing())]);
}

/// Enter on a profile, for the status word each minikube version uses: v1.32–v1.34 say
/// `Running`, v1.35+ say `OK` (and `Starting`, `Paused`, `Error`, `InsufficientStorage`).
#[rstest::rstest]
#[case::running_v1_34("Running", Some("stop"))]
#[case::ok_v1_35("OK", Some("stop"))]
#[case::ha_degraded("Degraded", Some("stop"))]
#[case::paused("Paused", Some("unpause"))]
#[case::starting("Starting", None)]
#[case::stopped("Stopped", Some("start"))]
#[case::error("Error", Some("start"))]
#[case::insufficient_storage("InsufficientStorage", Some("start"))]
fn enter_does_what_the_profile_state_calls_for(#[case] status: &str, #[case] verb: Option<&str>) {
    let mut m = model();
    run(&mut m, vec![key("5")]);
    run(&mut m, vec![info_with(&[("minikube", status)])]);
    let e = run(&mut m, vec![key("enter")]);
    match verb {
        Some(verb) => assert!(
            matches!(&e[..], [Effect::RunMinikube { args }] if args[0] == verb),
            "{status}: {e:?}"
        ),
        None => {
            assert_eq!(e, vec![], "{status}");
            let notice = m.notice.as_ref().unwrap();
            assert!(notice.text.contains("is Starting"), "{}", notice.text);
        }
    }
}

/// The tab with the addons minikube v1.38.0 lists (recorded in tests/fixtures/minikube) and
/// profiles with long names.
fn minikube_v1_38() -> crate::tui::app::Model {
    let addons = crate::minikube::parse::addons(include_str!(
        "../../../../tests/fixtures/minikube/v1.38.0/addons-list.out"
    ))
    .unwrap();
    assert!(addons.len() > 30, "{}", addons.len());
    let mut m = model();
    run(&mut m, vec![key("5")]);
    let Msg::Minikube(Ok(mut info)) = info_with(&[
        ("payments-platform-dev-eu-west-1", "OK"),
        ("minikube", "Stopped"),
    ]) else {
        unreachable!()
    };
    info.addons = addons;
    run(&mut m, vec![Msg::Minikube(Ok(info))]);
    m
}

/// Names of the addons in the order they are on screen.
fn addons_on_screen(m: &crate::tui::app::Model) -> Vec<String> {
    let Some(Ok(info)) = &m.minikube.info else {
        panic!("not loaded")
    };
    m.minikube
        .addons_shown()
        .iter()
        .map(|&i| info.addons[i].name.clone())
        .collect()
}

#[test]
fn the_addon_cursor_moves_in_the_order_the_addons_are_shown() {
    // Before: the screen put devk's addons first but the cursor walked minikube's
    // alphabetical order, so `j` jumped around and enter toggled a row not highlighted.
    let mut m = minikube_v1_38();
    let shown = addons_on_screen(&m);
    assert_eq!(shown[0], "registry-creds", "{shown:?}");
    run(&mut m, vec![key("a")]);
    for (n, name) in shown.iter().enumerate().take(8) {
        assert_eq!(&m.minikube.selected_addon().unwrap().name, name, "row {n}");
        run(&mut m, vec![key("j")]);
    }
    run(&mut m, vec![key("G")]);
    assert_eq!(
        &m.minikube.selected_addon().unwrap().name,
        shown.last().unwrap()
    );
    let e = run(&mut m, vec![key("enter")]);
    assert!(
        matches!(&e[..], [Effect::RunMinikube { args }] if args.contains(shown.last().unwrap())),
        "{e:?}"
    );
}

#[test]
fn o_sorts_the_focused_list_and_the_cursor_stays_on_its_row() {
    let mut m = minikube_v1_38();
    // Profiles: o by status (OK before Stopped), O reverses it; the cursor stays on its
    // profile.
    assert_eq!(
        m.minikube.selected_profile().unwrap().name,
        "payments-platform-dev-eu-west-1"
    );
    run(&mut m, vec![key("o")]);
    assert_eq!(m.minikube.profile_cursor.selected, 0);
    run(&mut m, vec![key("O")]);
    assert_eq!(m.minikube.profile_cursor.selected, 1);
    assert_eq!(
        m.minikube.selected_profile().unwrap().name,
        "payments-platform-dev-eu-west-1"
    );
    // Addons: o by name, o again enabled first.
    run(&mut m, vec![key("a"), key("o")]);
    let shown = addons_on_screen(&m);
    let mut by_name = shown.clone();
    by_name.sort();
    assert_eq!(shown, by_name);
    assert_eq!(m.minikube.selected_addon().unwrap().name, "registry-creds");
    run(&mut m, vec![key("o")]);
    let Some(Ok(info)) = &m.minikube.info else {
        unreachable!()
    };
    let enabled: Vec<bool> = m
        .minikube
        .addons_shown()
        .iter()
        .map(|&i| info.addons[i].enabled)
        .collect();
    assert!(enabled[0], "enabled first");
    assert!(enabled.windows(2).all(|w| w[0] >= w[1]), "{enabled:?}");
}

#[test]
fn minikube_tab_with_every_v1_38_addon_at_120x40_and_80x24() {
    let mut bottom = minikube_v1_38();
    run(&mut bottom, vec![key("a"), key("G")]);
    assert_screens!([
        ("minikube_v1_38", minikube_v1_38()),
        ("minikube_v1_38_last_addon", bottom)
    ]);
}
