//! Snapshots of every view at 120x40 and 80x24 (ratatui TestBackend + insta), and the colour
//! of the protected tint checked cell by cell.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::style::Color;

use super::view;
use crate::tui::app::{Conn, Model, Overlay, Tab};
use crate::tui::fixtures::{model, model_on, pod};
use crate::tui::msg::{Msg, PodChange, PodRow};
use crate::tui::theme::Theme;
use crate::tui::update::update;

fn theme() -> Theme {
    Theme::from_config(&crate::config::Config::default().theme, true).unwrap()
}

fn render(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view(m, &theme(), f)).unwrap();
    t
}

fn text(t: &Terminal<TestBackend>) -> String {
    let buf = t.backend().buffer();
    let mut s = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            s.push_str(buf[(x, y)].symbol());
        }
        s.push('\n');
    }
    s
}

fn pods_model() -> Model {
    let mut m = model();
    m.tab = Tab::Pods;
    m.now = 10_000;
    let mut p = vec![pod("api-7d9f-abcde"), pod("worker-0")];
    p[0].created = 10_000 - 3_700;
    p[1] = PodRow {
        status: "CrashLoopBackOff".into(),
        ready: "0/1".into(),
        restarts: 12,
        created: 10_000 - 200_000,
        ..p[1].clone()
    };
    update(
        &mut m,
        Msg::Pods {
            generation: 1,
            changes: vec![PodChange::Reset(p)],
        },
    );
    m
}

/// A log view of two pods with a marker, a filter and timestamps on.
fn logs_model() -> Model {
    use crate::cluster::logsession::SessionEvent;
    use crate::logs::buffer::Source;
    let mut m = pods_model();
    m.pods.marked = ["api-7d9f-abcde".to_string(), "worker-0".to_string()].into();
    let _ = update(&mut m, Msg::Key("enter".parse().unwrap()));
    let src = |pod: &str| Source {
        namespace: "default".into(),
        pod: pod.into(),
        container: "main".into(),
    };
    let t0 = 1_704_067_200_000_000_000;
    let events = vec![
        SessionEvent::Lines {
            source: src("api-7d9f-abcde"),
            lines: (0..30)
                .map(|i| {
                    (
                        t0 + i * 1_000_000,
                        format!("GET /items/{i} 200 {}ms", i * 7 % 50),
                    )
                })
                .collect(),
        },
        SessionEvent::Marker {
            source: src("worker-0"),
            text: "reconnected after 1.2 s (the server closed the stream); no lines lost".into(),
        },
        SessionEvent::Lines {
            source: src("worker-0"),
            lines: (0..10)
                .map(|i| {
                    (
                        t0 + 40_000_000 + i,
                        format!("{{\"level\":\"error\",\"msg\":\"job {i} failed\"}}"),
                    )
                })
                .collect(),
        },
    ];
    let _ = update(
        &mut m,
        Msg::Logs {
            generation: 1,
            events,
        },
    );
    let v = m.log_view_mut().unwrap();
    v.timestamps = true;
    v.regex_mode = true;
    v.apply_filter("error|items/2");
    m
}

fn minikube_missing() -> Model {
    let mut m = model();
    m.tab = Tab::Minikube;
    m.minikube.info = Some(Err("minikube is not installed (`minikube` was not found on PATH); install it from https://minikube.sigs.k8s.io/docs/start/ or set `minikube.binary` in devk.toml to its path".into()));
    m
}

fn cases() -> Vec<(&'static str, Model)> {
    let mut help = model();
    help.overlay = Overlay::Help;
    let mut confirm = model();
    confirm.overlay = Overlay::Confirm {
        context: "eks-prod".into(),
        reason: "context name `eks-prod` matches protected pattern `*prod*`".into(),
        input: "eks-p".into(),
        mismatch: false,
    };
    let mut palette = model();
    palette.overlay = Overlay::Palette {
        input: "stag".into(),
        selected: 0,
    };
    let mut unreachable = model();
    unreachable.tab = Tab::Pods;
    unreachable.pods.conn =
        Conn::Failed("cannot reach https://minikube.example.com: connection refused".into());
    let mut demo = model();
    demo.simulated = true;
    let logs = logs_model();
    let mut hook = model();
    hook.tab = Tab::Hook;
    hook.hook = Some(Ok(Box::new(crate::tui::msg::HookInfo {
        status: crate::githook::install::HookStatus {
            location: crate::githook::install::HooksLocation {
                dir: "/src/app/.git/hooks".into(),
                hooks_path: None,
                common_dir: "/src/app/.git".into(),
            },
            hook: "/src/app/.git/hooks/pre-push".into(),
            state: crate::githook::install::HookState::Missing,
            chained: None,
        },
        last_scan: None,
    })));
    vec![
        ("contexts", model()),
        ("contexts_protected", model_on("eks-prod")),
        ("pods", pods_model()),
        ("pods_unreachable", unreachable),
        ("help", help),
        ("confirm_protected", confirm),
        ("palette", palette),
        ("demo_banner", demo),
        ("logs_two_pods_filtered", logs),
        ("hook_not_installed", hook),
        ("minikube_missing", minikube_missing()),
    ]
    .into_iter()
    .chain(images_cases())
    .collect()
}

/// The Images tab: a list, a build in progress, a failed build, a refused push.
fn images_cases() -> Vec<(&'static str, Model)> {
    use crate::images::build::BuildEvent;
    use crate::images::list::{ImageRow, PushedTo};
    use crate::images::push_stream::PushEvent;
    use crate::tui::images::OpEnd;
    let mut unconfigured = model();
    let _ = update(&mut unconfigured, Msg::Key(crate::tui::keys::Key::ch('3')));
    let mut list = model();
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
        Msg::ImageOpDone(crate::tui::images_tasks::op_end(Err(
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
fn views_at_120x40_and_80x24() {
    for (name, m) in cases() {
        for (w, h) in [(120, 40), (80, 24)] {
            insta::assert_snapshot!(format!("{name}_{w}x{h}"), text(&render(&m, w, h)));
        }
    }
}

#[test]
fn protected_context_tints_header_and_border_in_the_danger_colour() {
    let t = render(&model_on("eks-prod"), 80, 24);
    let buf = t.backend().buffer();
    // Header row: danger background across the text.
    assert_eq!(buf[(2, 0)].bg, Color::Red);
    // Body border (top-left corner, left edge, bottom edge): danger foreground.
    for (x, y) in [(0, 2), (0, 10), (40, 22)] {
        assert_eq!(buf[(x, y)].fg, Color::Red, "cell {x},{y}");
    }
    let local = render(&model(), 80, 24);
    assert_ne!(local.backend().buffer()[(2, 0)].bg, Color::Red);
    assert_ne!(local.backend().buffer()[(0, 10)].fg, Color::Red);
}

#[test]
fn no_color_keeps_protected_visible_without_colour() {
    let m = model_on("eks-prod");
    let mut t = Terminal::new(TestBackend::new(80, 24)).unwrap();
    t.draw(|f| view(&m, &Theme::monochrome(), f)).unwrap();
    let s = text(&t);
    assert!(s.contains("PROTECTED"), "{s}");
    let buf = t.backend().buffer();
    assert!((0..80).all(|x| buf[(x, 0)].bg == Color::Reset));
}
