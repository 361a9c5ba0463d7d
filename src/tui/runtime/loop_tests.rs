//! The real event loop (`run`) on a scripted event stream, drawing into a `TestBackend`,
//! against the sandbox API server: paste, overlays and the effect runner (the pod watch, a
//! switch written to the kubeconfig, a log stream) without tmux.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::channel::mpsc::{UnboundedSender, unbounded};
use ratatui::Terminal;
use ratatui::backend::{Backend, ClearType, TestBackend, WindowSize};
use ratatui::buffer::{Buffer, Cell};
use ratatui::layout::{Position, Size};

use super::{Until, run};
use crate::kubeconfig::Sources;
use crate::sandbox::{self, SandboxOptions, Scenario};
use crate::tui::keymap::Keymap;
use crate::tui::keys::Key;
use crate::tui::msg::Msg;
use crate::tui::{TuiOptions, prepare};

/// A `TestBackend` whose screen the test can read while the loop owns the terminal: every
/// flush copies the buffer out.
struct SharedBackend {
    inner: TestBackend,
    screen: Arc<Mutex<Buffer>>,
}

fn never(e: std::convert::Infallible) -> std::io::Error {
    match e {}
}

impl Backend for SharedBackend {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> Result<(), Self::Error>
    where
        I: Iterator<Item = (u16, u16, &'a Cell)>,
    {
        self.inner.draw(content).map_err(never)
    }
    fn hide_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.hide_cursor().map_err(never)
    }
    fn show_cursor(&mut self) -> Result<(), Self::Error> {
        self.inner.show_cursor().map_err(never)
    }
    fn get_cursor_position(&mut self) -> Result<Position, Self::Error> {
        self.inner.get_cursor_position().map_err(never)
    }
    fn set_cursor_position<P: Into<Position>>(&mut self, position: P) -> Result<(), Self::Error> {
        self.inner.set_cursor_position(position).map_err(never)
    }
    fn clear(&mut self) -> Result<(), Self::Error> {
        self.inner.clear().map_err(never)
    }
    fn clear_region(&mut self, clear_type: ClearType) -> Result<(), Self::Error> {
        self.inner.clear_region(clear_type).map_err(never)
    }
    fn size(&self) -> Result<Size, Self::Error> {
        self.inner.size().map_err(never)
    }
    fn window_size(&mut self) -> Result<WindowSize, Self::Error> {
        self.inner.window_size().map_err(never)
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush().map_err(never)?;
        if let Ok(mut screen) = self.screen.lock() {
            *screen = self.inner.buffer().clone();
        }
        Ok(())
    }
}

/// The test's side: it sends events and reads the screen.
struct Script {
    events: UnboundedSender<Msg>,
    screen: Arc<Mutex<Buffer>>,
}

impl Script {
    fn text(&self) -> String {
        let buf = self.screen.lock().unwrap().clone();
        let mut s = String::new();
        for y in 0..buf.area.height {
            for x in 0..buf.area.width {
                s.push_str(buf[(x, y)].symbol());
            }
            s.push('\n');
        }
        s
    }

    fn send(&self, msgs: impl IntoIterator<Item = Msg>) {
        for m in msgs {
            self.events.unbounded_send(m).unwrap();
        }
    }

    fn keys(&self, keys: &str) {
        self.send(keys.split(' ').map(|k| Msg::Key(k.parse::<Key>().unwrap())));
    }

    fn typed(&self, text: &str) {
        self.send(text.chars().map(|c| Msg::Key(Key::ch(c))));
    }

    /// Waits for the screen to satisfy `pred` (a deadline for a stuck test, not a timing
    /// assertion).
    async fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let s = self.text();
            if pred(&s) {
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "timed out waiting for {what}; screen:\n{s}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn header(s: &str) -> &str {
    s.lines().next().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_loop_pastes_into_inputs_only_closes_overlays_and_runs_effects() {
    crate::cluster::install_crypto_provider();
    let handle = sandbox::start(SandboxOptions {
        scenario: Scenario::demo(),
        addr: "127.0.0.1:0".parse().unwrap(),
        token: "loop-test-token".into(),
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, handle.kubeconfig_yaml()).unwrap();
    let sources = Sources::resolve(Some(&path), None, dir.path());
    let cfg = crate::config::Config::default();
    let keymap = Keymap::from_config(&cfg.keys).unwrap();
    let opts = TuiOptions {
        sources,
        simulated: true,
        until: Until::Quit,
        first_run_hint: None,
    };
    let (model, env) = prepare(&cfg, keymap, &opts).unwrap();
    let theme = crate::tui::theme::Theme::monochrome();
    let screen = Arc::new(Mutex::new(Buffer::empty(ratatui::layout::Rect::new(
        0, 0, 100, 30,
    ))));
    let backend = SharedBackend {
        inner: TestBackend::new(100, 30),
        screen: screen.clone(),
    };
    let (tx, rx) = unbounded::<Msg>();
    let ui = tokio::spawn(async move {
        let mut terminal = Terminal::new(backend).unwrap();
        run(&mut terminal, model, &theme, env, rx, 60, Until::Quit).await
    });
    let t = Script { events: tx, screen };

    // The effect runner started the pod watch: the sandbox answers.
    t.wait_for("the watch to connect", |s| header(s).contains("connected"))
        .await;

    // A paste on a main screen presses no keys: no build, no quit, no filter.
    t.send([Msg::Paste("web-builder q\n".into())]);
    t.keys("?");
    let s = t
        .wait_for("help", |s| s.contains("Keys (from [keys]"))
        .await;
    assert!(!s.contains("Building") && !s.contains("┌ Images"), "{s}");
    // `q` closes help; devk keeps running.
    t.keys("q");
    t.wait_for("help closed", |s| !s.contains("Keys (from [keys]"))
        .await;
    assert!(!ui.is_finished(), "q on help must not quit");

    // A paste goes into the filter, then into the protected dialog; the switch is written.
    t.keys("/");
    t.send([Msg::Paste("prod".into())]);
    t.wait_for("the pasted filter", |s| s.contains("/prod"))
        .await;
    t.keys("enter enter");
    t.wait_for("the protected dialog", |s| {
        s.contains("Type demo-prod to switch")
    })
    .await;
    t.send([Msg::Paste("demo-prod".into())]);
    t.keys("enter");
    t.wait_for("the switch", |s| {
        header(s).contains("demo-prod") && header(s).contains("PROTECTED")
    })
    .await;
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(
        written.contains("current-context: demo-prod"),
        "the switch effect wrote the kubeconfig: {written}"
    );

    // The log view streams from the sandbox; `q` there goes back to the list.
    t.keys("2");
    t.wait_for("the pod list", |s| s.contains("READY") && s.contains("/"))
        .await;
    t.keys("enter");
    t.wait_for("log lines", |s| s.contains("● follow")).await;
    t.keys("q");
    t.wait_for("the pod list again", |s| s.contains("READY"))
        .await;
    assert!(!ui.is_finished());

    // On a main screen `q` quits: the loop ends with the model it ran.
    t.typed("q");
    let model = tokio::time::timeout(Duration::from_secs(30), ui)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(model.quit);
    assert_eq!(model.kube.current.as_deref(), Some("demo-prod"));
    handle.shutdown().await;
}
