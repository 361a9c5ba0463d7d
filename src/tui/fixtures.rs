//! Test fixtures shared by the TUI's unit tests: a model on three contexts, pods, and the
//! screen drawn into a `TestBackend` as text.

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use crate::contexts::ContextRow;
use crate::policy::ContextClass;

use super::app::Model;
use super::keymap::Keymap;
use super::keys::Key;
use super::msg::{Effect, KubeSnapshot, Msg};
use super::tabs::pods::PodRow;
use super::theme::Theme;
use super::update::update;
use super::view::view;

pub fn row(name: &str, class: ContextClass, current: bool) -> ContextRow {
    ContextRow {
        name: name.into(),
        current,
        class,
        class_reason: format!("{name} reason"),
        cluster: format!("{name}-cluster"),
        server: Some(format!("https://{name}.example.com")),
        user: "dev".into(),
        auth: "bearer token (****)".into(),
        namespace: "default".into(),
        file: "/home/dev/.kube/config".into(),
    }
}

pub fn snapshot(current: &str) -> KubeSnapshot {
    KubeSnapshot {
        rows: vec![
            row("eks-prod", ContextClass::Protected, current == "eks-prod"),
            row(
                "eks-staging",
                ContextClass::Remote,
                current == "eks-staging",
            ),
            row("minikube", ContextClass::Local, current == "minikube"),
        ],
        current: Some(current.into()),
    }
}

/// A started model on `current`, its first watch already requested.
pub fn model_on(current: &str) -> Model {
    let keymap = Keymap::from_config(&crate::config::Config::default().keys).unwrap();
    let mut m = Model::new(snapshot(current), keymap, 1_000);
    let mut start = m.start();
    // The Registry creds tab reads the secrets of a local context; tested in tabs/creds.
    start.retain(|e| !matches!(e, Effect::LoadCreds { .. }));
    assert_eq!(
        start,
        vec![
            Effect::WatchPods {
                generation: 1,
                context: current.into(),
                namespace: "default".into()
            },
            Effect::LoadHook
        ]
    );
    m
}

pub fn model() -> Model {
    model_on("minikube")
}

pub fn pod(name: &str) -> PodRow {
    PodRow {
        name: name.into(),
        ready: "1/1".into(),
        status: "Running".into(),
        restarts: 0,
        created: 0,
        node: "n".into(),
        // Pods named like `web-1` belong to ReplicaSet/web; others are bare pods.
        owner: name
            .rsplit_once('-')
            .map(|(w, _)| format!("ReplicaSet/{w}")),
    }
}

/// The default theme, in colour.
pub fn theme() -> Theme {
    Theme::from_config(&crate::config::Config::default().theme, true).unwrap()
}

/// The whole screen drawn at `w` x `h` with `theme`.
pub fn render_with(m: &Model, theme: &Theme, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view(m, theme, f)).unwrap();
    t
}

/// The whole screen drawn at `w` x `h` in the default theme.
pub fn render(m: &Model, w: u16, h: u16) -> Terminal<TestBackend> {
    render_with(m, &theme(), w, h)
}

/// The text of the screen, one line per row.
pub fn text(t: &Terminal<TestBackend>) -> String {
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

/// The text of the screen at `w` x `h`.
pub fn screen(m: &Model, w: u16, h: u16) -> String {
    text(&render(m, w, h))
}

/// A key press, as the keymap spells it (`enter`, `ctrl-u`, `G`).
pub fn key(s: &str) -> Msg {
    Msg::Key(s.parse().unwrap())
}

/// The key presses that type `text`.
pub fn typed(text: &str) -> Vec<Msg> {
    text.chars().map(|c| Msg::Key(Key::ch(c))).collect()
}

/// Applies `msgs` in order; all the effects they asked for.
pub fn run(m: &mut Model, msgs: Vec<Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|msg| update(m, msg)).collect()
}

/// The Pods tab with two pods, one crash-looping.
pub fn pods_model() -> Model {
    let mut m = model();
    m.tab = super::app::Tab::Pods;
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
            changes: vec![super::tabs::pods::PodChange::Reset(p)],
        },
    );
    m
}

/// Snapshots each `(name, model)` of `cases` at 120x40 and 80x24 as `{name}_{w}x{h}`. A
/// macro, so that each snapshot is stored next to the test that takes it.
macro_rules! assert_screens {
    ($cases:expr) => {
        for (name, m) in $cases {
            for (w, h) in [(120, 40), (80, 24)] {
                insta::assert_snapshot!(
                    format!("{name}_{w}x{h}"),
                    $crate::tui::fixtures::screen(&m, w, h)
                );
            }
        }
    };
}
pub(crate) use assert_screens;
