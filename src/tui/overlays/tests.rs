//! The overlays: the protected-context dialog's input, and the screens of every overlay.

use super::Overlay;
use crate::tui::fixtures::{assert_screens, key, model, run, typed};

#[test]
fn protected_dialog_shows_mismatch_and_keeps_the_input() {
    let mut m = model();
    run(
        &mut m,
        [
            vec![key("g"), key("enter")],
            typed("prod"),
            vec![key("enter")],
        ]
        .concat(),
    );
    assert!(
        matches!(&m.overlay, Overlay::Confirm { mismatch: true, input, .. } if input == "prod")
    );
}

#[test]
fn overlays_at_120x40_and_80x24() {
    let mut help = model();
    help.overlay = Overlay::Help;
    let mut confirm = model();
    confirm.overlay = Overlay::Confirm {
        context: "eks-prod".into(),
        reason: "context name `eks-prod` matches protected pattern `*prod*`".into(),
        expect: "eks-prod".into(),
        input: "eks-p".into(),
        mismatch: false,
    };
    let mut palette = model();
    palette.overlay = Overlay::Palette {
        input: "stag".into(),
        list: Default::default(),
    };
    assert_screens!([
        ("help", help),
        ("confirm_protected", confirm),
        ("palette", palette),
    ]);
}

#[test]
fn q_on_help_closes_it_and_does_not_quit() {
    let mut m = model();
    assert_eq!(run(&mut m, vec![key("?"), key("q")]), vec![]);
    assert_eq!(m.overlay, Overlay::None);
    assert!(!m.quit);
    assert_eq!(
        run(&mut m, vec![key("q")]),
        vec![crate::tui::msg::Effect::Quit],
        "the main screen quits"
    );
}

#[test]
fn every_overlay_closes_with_esc_and_nothing_happens() {
    for opener in [
        vec![key("?")],
        vec![key(":")],
        vec![key(":"), key("x")],
        vec![key("n")],
        vec![key("g"), key("enter")],
    ] {
        let mut m = model();
        run(&mut m, opener.clone());
        assert_ne!(m.overlay, Overlay::None, "{opener:?} opens an overlay");
        assert_eq!(run(&mut m, vec![key("esc")]), vec![], "{opener:?}");
        assert_eq!(m.overlay, Overlay::None, "{opener:?}");
        assert!(!m.quit);
    }
}

#[test]
fn an_overlay_closes_with_its_own_key_while_its_input_is_empty() {
    let mut m = model();
    run(&mut m, vec![key("?"), key("?")]);
    assert_eq!(m.overlay, Overlay::None);
    run(&mut m, vec![key(":"), key(":")]);
    assert_eq!(m.overlay, Overlay::None);
    // In the namespace dialog every key but esc is text (`nginx` starts with its own key).
    run(&mut m, vec![key("n"), key("n")]);
    assert!(matches!(&m.overlay, Overlay::Namespace(d) if d.input == "n"));
    run(&mut m, vec![key("esc")]);
    // Once something is typed, the key is text: `arn:aws:…` can be typed in the palette.
    run(&mut m, [vec![key(":")], typed("arn:")].concat());
    assert!(matches!(&m.overlay, Overlay::Palette { input, .. } if input == "arn:"));
}

fn namespaces(n: usize) -> Vec<String> {
    let mut names: Vec<String> = (0..n).map(|i| format!("team-{i:03}-services")).collect();
    names.push("default".into());
    names.push("payments".into());
    names.sort();
    names
}

#[test]
fn the_namespace_dialog_lists_the_clusters_namespaces_and_sets_the_chosen_one() {
    use crate::tui::msg::{Effect, Msg};
    let mut m = model();
    assert_eq!(
        run(&mut m, vec![key("n")]),
        vec![Effect::LoadNamespaces {
            context: "minikube".into()
        }]
    );
    run(
        &mut m,
        vec![Msg::Namespaces {
            context: "minikube".into(),
            result: Ok(namespaces(400)),
        }],
    );
    let Overlay::Namespace(d) = &m.overlay else {
        panic!("{:?}", m.overlay)
    };
    assert_eq!(d.matches().len(), 402);
    assert_eq!(
        d.matches()[d.list.selected],
        "default",
        "starts on the current one"
    );
    // Typing narrows, best match first; enter sets it.
    let effects = run(&mut m, [typed("paymnts"), vec![key("enter")]].concat());
    assert_eq!(
        effects,
        vec![Effect::SetNamespace {
            context: "minikube".into(),
            namespace: "payments".into()
        }]
    );
    // A cluster that cannot list them: what is typed is set (and checked by the task).
    let mut m = model();
    run(
        &mut m,
        [
            vec![
                key("n"),
                Msg::Namespaces {
                    context: "minikube".into(),
                    result: Err("forbidden".into()),
                },
            ],
            typed("shop"),
        ]
        .concat(),
    );
    assert_eq!(
        run(&mut m, vec![key("enter")]),
        vec![Effect::SetNamespace {
            context: "minikube".into(),
            namespace: "shop".into()
        }]
    );
}
