//! The Images tab: loading, build and push with their progress, the push policy's refusal,
//! and its screens.

use super::OpEnd;
use crate::images::list::ImageRow;
use crate::tui::app::{Model, Tab};
use crate::tui::fixtures::{self, assert_screens};
use crate::tui::keys::Key;
use crate::tui::msg::{Effect, Msg};
use crate::tui::update::update;

fn row(id: &str, tags: &[&str]) -> ImageRow {
    ImageRow {
        id: id.into(),
        tags: tags.iter().map(|s| s.to_string()).collect(),
        size: 1,
        created: 0,
        pushed_to: vec![],
    }
}

fn model() -> Model {
    let mut m = fixtures::model();
    m.images.name = "app".into();
    m
}

#[test]
fn entering_the_tab_loads_once_and_without_a_name_says_what_to_set() {
    let mut m = model();
    assert_eq!(
        update(&mut m, Msg::Key(Key::ch('3'))),
        vec![Effect::LoadImages { name: "app".into() }]
    );
    assert!(m.images.loading);
    assert_eq!(update(&mut m, Msg::Key(Key::ch('3'))), vec![]);
    let mut m = fixtures::model();
    assert_eq!(update(&mut m, Msg::Key(Key::ch('3'))), vec![]);
    assert!(matches!(&m.images.rows, Some(Err(e)) if e.contains("[images]")));
}

#[test]
fn push_targets_the_registry_tag_and_a_refusal_ends_the_op_loudly() {
    let mut m = model();
    m.tab = Tab::Images;
    update(
        &mut m,
        Msg::Images(Ok(vec![
            row("sha256:a", &["app:1", "127.0.0.1:5000/app:1"]),
            row("sha256:b", &["app:0"]),
        ])),
    );
    assert_eq!(
        update(&mut m, Msg::Key(Key::ch('p'))),
        vec![Effect::PushImage {
            reference: "127.0.0.1:5000/app:1".into(),
            source: None,
        }]
    );
    assert!(m.images.busy());
    // A second push waits for the first.
    assert_eq!(update(&mut m, Msg::Key(Key::ch('p'))), vec![]);
    let effects = update(
        &mut m,
        Msg::ImageOpDone(OpEnd::Refused {
            rule: "ci-only-registry".into(),
            rule_summary: "only CI".into(),
            why: "why".into(),
            advice: "load it".into(),
        }),
    );
    assert_eq!(effects, vec![Effect::LoadImages { name: "app".into() }]);
    assert!(!m.images.busy());
    assert!(m.busy.is_none());
    assert!(m.notice.as_ref().is_some_and(|n| n.error));
    // Down then p pushes the other image: no registry tag, so its first tag, or that
    // tag in the local registry when one is configured.
    update(
        &mut m,
        Msg::Images(Ok(vec![
            row("sha256:a", &["app:1"]),
            row("sha256:b", &["app:0"]),
        ])),
    );
    update(&mut m, Msg::Key(Key::ch('j')));
    assert_eq!(
        update(&mut m, Msg::Key(Key::ch('p'))),
        vec![Effect::PushImage {
            reference: "app:0".into(),
            source: None,
        }]
    );
    update(&mut m, Msg::ImageOpDone(OpEnd::Done("ok".into())));
    m.images.local_registry = "127.0.0.1:5000".into();
    assert_eq!(
        update(&mut m, Msg::Key(Key::ch('p'))),
        vec![Effect::PushImage {
            reference: "127.0.0.1:5000/app:0".into(),
            source: Some("app:0".into()),
        }]
    );
}

#[test]
fn build_events_fill_steps_and_log_and_stale_events_are_ignored() {
    use crate::images::build::BuildEvent;
    let mut m = model();
    update(
        &mut m,
        Msg::ImageBuild(vec![BuildEvent::Output("ignored".into())]),
    );
    assert!(m.images.op.is_none());
    assert_eq!(
        update(&mut m, Msg::Key(Key::ch('b'))),
        vec![Effect::BuildImage]
    );
    assert_eq!(m.tab, Tab::Images);
    update(
        &mut m,
        Msg::ImageBuild(vec![
            BuildEvent::Step {
                index: 1,
                total: 2,
                text: "FROM scratch".into(),
            },
            BuildEvent::Output("hello".into()),
        ]),
    );
    let op = m.images.op.as_ref().unwrap();
    assert_eq!(op.step, Some((1, 2, "FROM scratch".into())));
    assert_eq!(op.log, ["Step 1/2 : FROM scratch", "hello"]);
    // A failure whose step lines are already on screen does not repeat them.
    let mut op = m.images.op.clone().unwrap();
    op.apply_build(vec![BuildEvent::Error {
        message: "exit 3".into(),
        context_lines: vec!["hello".into()],
    }]);
    assert_eq!(op.log.last().map(String::as_str), Some("error: exit 3"));
    assert!(!op.log.iter().any(|l| l.starts_with("---")), "{:?}", op.log);
    // Push events do not belong to a build.
    update(
        &mut m,
        Msg::ImagePush(vec![crate::images::push_stream::PushEvent::Status(
            "x".into(),
        )]),
    );
    assert_eq!(m.images.op.as_ref().unwrap().log.len(), 2);
}

/// The Images tab: a list, a build in progress, a failed build, a refused push.
fn images_cases() -> Vec<(&'static str, Model)> {
    use crate::images::build::BuildEvent;
    use crate::images::list::PushedTo;
    use crate::images::push_stream::PushEvent;
    let mut unconfigured = fixtures::model();
    let _ = update(&mut unconfigured, Msg::Key(crate::tui::keys::Key::ch('3')));
    let mut list = fixtures::model();
    list.now = 1_000_000;
    list.images.name = "app".into();
    list.images.engine = "unix:///var/run/docker.sock".into();
    let _ = update(&mut list, Msg::Key(crate::tui::keys::Key::ch('3')));
    let _ = update(
        &mut list,
        Msg::Images(Ok(vec![
            ImageRow {
                id: "sha256:4f9e2a7c1b3d5e6f7a8b9c0d".into(),
                tags: vec![
                    "127.0.0.1:5000/app:1.4.0".into(),
                    "app:1.4.0".into(),
                    "app:main".into(),
                ],
                size: 24_800_000,
                created: 1_000_000 - 600,
                pushed_to: vec![PushedTo {
                    reference: "127.0.0.1:5000/app:1.4.0".into(),
                    digest: Some("sha256:aa".into()),
                    pushed_at: Some("2026-11-27T10:00:00Z".into()),
                }],
            },
            ImageRow {
                id: "sha256:0b1c2d3e4f5a6b7c8d9e".into(),
                tags: vec!["app:1.3.2".into()],
                size: 23_100_000,
                created: 1_000_000 - 3 * 86_400,
                pushed_to: vec![],
            },
        ])),
    );
    let mut building = list.clone();
    let _ = update(&mut building, Msg::Key(crate::tui::keys::Key::ch('b')));
    let _ = update(
        &mut building,
        Msg::ImageBuild(vec![
            BuildEvent::ContextSent {
                entries: 12,
                bytes: 48_000,
            },
            BuildEvent::Step {
                index: 1,
                total: 3,
                text: "FROM scratch".into(),
            },
            BuildEvent::Step {
                index: 2,
                total: 3,
                text: "COPY app /app".into(),
            },
            BuildEvent::Step {
                index: 3,
                total: 3,
                text: "RUN [\"/app\", \"--selftest\"]".into(),
            },
            BuildEvent::Output("selftest: config ok".into()),
            BuildEvent::Output("selftest: 14 checks".into()),
        ]),
    );
    let mut failed = building.clone();
    let _ = update(
        &mut failed,
        Msg::ImageBuild(vec![BuildEvent::Error {
            message: "The command '/app --selftest' returned a non-zero code: 3".into(),
            context_lines: vec!["selftest: database url missing".into()],
        }]),
    );
    let _ = update(
        &mut failed,
        Msg::ImageOpDone(OpEnd::Failed(
            "build failed: The command '/app --selftest' returned a non-zero code: 3".into(),
        )),
    );
    let mut refused = list.clone();
    let _ = update(&mut refused, Msg::Key(crate::tui::keys::Key::ch('p')));
    let decision = crate::policy::decide_push_str(
        "127.0.0.1:5000/app:1.4.0",
        &["123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.0".into()],
        &crate::policy::Env::default(),
        &crate::policy::PushRules::default(),
    )
    .unwrap();
    let _ = update(
        &mut refused,
        Msg::ImageOpDone(super::tasks::op_end(Err(
            crate::images::push::PushError::Refused(Box::new(decision)),
        ))),
    );
    let mut pushing = list.clone();
    let _ = update(&mut pushing, Msg::Key(crate::tui::keys::Key::ch('p')));
    let _ = update(
        &mut pushing,
        Msg::ImagePush(vec![
            PushEvent::Status("The push refers to repository [127.0.0.1:5000/app]".into()),
            PushEvent::Layer {
                id: "5f70bf18a086".into(),
                status: "Layer already exists".into(),
                current: None,
                total: None,
            },
            PushEvent::Layer {
                id: "a3ed95caeb02".into(),
                status: "Pushing".into(),
                current: Some(9_000_000),
                total: Some(24_000_000),
            },
        ]),
    );
    vec![
        ("images_unconfigured", unconfigured),
        ("images_list", list),
        ("images_build_running", building),
        ("images_build_failed", failed),
        ("images_push_refused", refused),
        ("images_push_progress", pushing),
    ]
}

#[test]
fn images_tab_at_120x40_and_80x24() {
    assert_screens!(images_cases());
}

/// One time, one age: a pod and an image created at the same moment show the same age on
/// their tabs, as kubectl's AGE column would (both go through `crate::format::age`).
#[test]
fn a_pod_and_an_image_of_the_same_age_show_the_same_age() {
    let mut m = fixtures::pods_model();
    // worker-0 was created 200,000 s (2 days 7 hours) before `now`.
    let created = m.now - 200_000;
    let pods = fixtures::screen(&m, 120, 40);
    assert!(pods.contains(" 2d7h "), "{pods}");
    m.images.name = "app".into();
    let _ = update(&mut m, Msg::Key(crate::tui::keys::Key::ch('3')));
    let _ = update(
        &mut m,
        Msg::Images(Ok(vec![ImageRow {
            created,
            ..row("sha256:0123456789abcdef", &["app:1"])
        }])),
    );
    let images = fixtures::screen(&m, 120, 40);
    assert!(images.contains(" 2d7h "), "{images}");
}
