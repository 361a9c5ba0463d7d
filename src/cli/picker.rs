//! A small inline fuzzy picker (what kubectx does with fzf, built in): drawn on stderr below
//! the prompt, in raw mode, over at most `MAX_ROWS` lines, and erased when done. Type to
//! filter (nucleo, as `devk switch NAME` matches), arrows or Ctrl-N/Ctrl-P to move, Enter to
//! pick, Esc or Ctrl-C to leave without picking.

use std::io::{self, Write};

use crossterm::event::{self, Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use crossterm::style::{Attribute, Print, SetAttribute};
use crossterm::terminal::{self, Clear, ClearType};
use crossterm::{cursor, queue};

use crate::fuzzy::rank;

/// Candidate rows shown at once.
const MAX_ROWS: usize = 10;

/// One candidate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What is picked (the context's full name); typing matches it.
    pub name: String,
    /// How it is shown: the cluster's name for a generated context name (an EKS ARN shows as
    /// `payments-prod`), distinct across the items.
    pub label: String,
    /// Where the cluster is (`eu-west-1 · 123456789012`), shown after the label.
    pub detail: Option<String>,
    /// Short text after the name (`current`, `protected`).
    pub note: String,
}

impl Item {
    /// An item for the context `name`, shown as `label`.
    pub fn context(name: &str, label: String, note: String) -> Item {
        Item {
            name: name.to_string(),
            label,
            detail: crate::contexts::display::display_name(name).detail,
            note,
        }
    }
}

/// What the picker shows: the filtered items and the selection. Pure, so the keys are tested
/// without a terminal.
#[derive(Debug)]
struct State<'a> {
    items: &'a [Item],
    names: Vec<String>,
    query: String,
    /// Indices into `items`, best match first.
    shown: Vec<usize>,
    selected: usize,
}

/// What a key did.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    Continue,
    Picked(String),
    Cancelled,
}

impl<'a> State<'a> {
    fn new(items: &'a [Item], initial: Option<&str>) -> State<'a> {
        let names = items.iter().map(|i| i.name.clone()).collect();
        let mut s = State {
            items,
            names,
            query: String::new(),
            shown: Vec::new(),
            selected: 0,
        };
        s.refilter();
        if let Some(pos) = initial.and_then(|n| items.iter().position(|i| i.name == n)) {
            s.selected = pos;
        }
        s
    }

    fn refilter(&mut self) {
        self.shown = if self.query.is_empty() {
            (0..self.items.len()).collect()
        } else {
            rank(&self.query, &self.names)
                .into_iter()
                .filter_map(|(n, _)| self.items.iter().position(|i| i.name == n))
                .collect()
        };
        self.selected = 0;
    }

    fn key(&mut self, k: KeyEvent) -> Step {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Esc => return Step::Cancelled,
            KeyCode::Char('c' | 'd' | 'g') if ctrl => return Step::Cancelled,
            KeyCode::Enter => {
                return match self.shown.get(self.selected) {
                    Some(&i) => Step::Picked(self.items[i].name.clone()),
                    None => Step::Continue,
                };
            }
            KeyCode::Up | KeyCode::BackTab => self.selected = self.selected.saturating_sub(1),
            KeyCode::Char('p' | 'k') if ctrl => self.selected = self.selected.saturating_sub(1),
            KeyCode::Down | KeyCode::Tab => self.down(1),
            KeyCode::Char('n' | 'j') if ctrl => self.down(1),
            KeyCode::PageUp => self.selected = self.selected.saturating_sub(MAX_ROWS),
            KeyCode::PageDown => self.down(MAX_ROWS),
            KeyCode::Char('u') if ctrl => {
                self.query.clear();
                self.refilter();
            }
            KeyCode::Backspace => {
                self.query.pop();
                self.refilter();
            }
            KeyCode::Char(c) if !ctrl => {
                self.query.push(c);
                self.refilter();
            }
            _ => {}
        }
        Step::Continue
    }

    fn down(&mut self, n: usize) {
        self.selected = (self.selected + n).min(self.shown.len().saturating_sub(1));
    }

    /// The lines to draw: the prompt, then up to `MAX_ROWS` candidates around the selection.
    fn lines(&self, width: usize) -> Vec<(String, bool)> {
        let mut out = vec![(
            fit(
                &format!(
                    "context> {}  ({}/{})  enter: switch, esc: cancel",
                    self.query,
                    self.shown.len(),
                    self.items.len()
                ),
                width,
            ),
            false,
        )];
        let first = self.selected.saturating_sub(MAX_ROWS - 1);
        for (row, &i) in self.shown.iter().enumerate().skip(first).take(MAX_ROWS) {
            let item = &self.items[i];
            let mark = if row == self.selected { "> " } else { "  " };
            let note = if item.note.is_empty() {
                String::new()
            } else {
                format!("  ({})", item.note)
            };
            // The label's detail is dropped when the label itself already carries it.
            let detail = match &item.detail {
                Some(d) if !item.label.contains(d.as_str()) => format!("  {d}"),
                _ => String::new(),
            };
            out.push((
                fit(&format!("{mark}{}{detail}{note}", item.label), width),
                row == self.selected,
            ));
        }
        if self.shown.is_empty() {
            out.push(("  no context matches".to_string(), false));
        }
        out
    }
}

/// Cuts `s` to `width` characters, marking the cut with `…`.
fn fit(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut out: String = s.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Lets the user pick one of `items` on the terminal (stderr). Returns None when they left
/// without picking. `initial` is selected first (the current context).
pub fn pick(items: &[Item], initial: Option<&str>) -> io::Result<Option<String>> {
    let mut state = State::new(items, initial);
    let height = MAX_ROWS + 1;
    let mut err = io::stderr();
    terminal::enable_raw_mode()?;
    // Make room below the prompt (scrolling if needed), then draw from its top line.
    let result = (|| {
        queue!(
            err,
            Print("\r\n".repeat(height)),
            cursor::MoveUp(height as u16)
        )?;
        loop {
            let width = terminal::size().map_or(80, |(w, _)| w as usize).max(20);
            draw(&mut err, &state.lines(width), height)?;
            if let Event::Key(k) = event::read()?
                && k.kind != KeyEventKind::Release
            {
                match state.key(k) {
                    Step::Continue => {}
                    Step::Picked(name) => return Ok(Some(name)),
                    Step::Cancelled => return Ok(None),
                }
            }
        }
    })();
    let _ = queue!(
        err,
        cursor::MoveToColumn(0),
        Clear(ClearType::FromCursorDown)
    );
    let _ = err.flush();
    let _ = terminal::disable_raw_mode();
    result
}

fn draw(err: &mut io::Stderr, lines: &[(String, bool)], height: usize) -> io::Result<()> {
    queue!(err, cursor::MoveToColumn(0))?;
    for row in 0..height {
        queue!(err, Clear(ClearType::CurrentLine))?;
        if let Some((text, selected)) = lines.get(row) {
            if *selected {
                queue!(
                    err,
                    SetAttribute(Attribute::Reverse),
                    Print(text),
                    SetAttribute(Attribute::Reset)
                )?;
            } else {
                queue!(err, Print(text))?;
            }
        }
        if row + 1 < height {
            queue!(err, Print("\r\n"))?;
        }
    }
    queue!(err, cursor::MoveUp((height - 1) as u16))?;
    err.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items() -> Vec<Item> {
        ["eks-prod-eu", "eks-staging", "kind-dev", "minikube"]
            .iter()
            .map(|n| Item::context(n, n.to_string(), String::new()))
            .collect()
    }

    fn press(s: &mut State<'_>, code: KeyCode) -> Step {
        s.key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    #[test]
    fn typing_filters_and_enter_picks_the_best_match() {
        let items = items();
        let mut s = State::new(&items, None);
        for c in "stag".chars() {
            assert_eq!(press(&mut s, KeyCode::Char(c)), Step::Continue);
        }
        assert_eq!(s.shown.len(), 1);
        assert_eq!(
            press(&mut s, KeyCode::Enter),
            Step::Picked("eks-staging".into())
        );
    }

    #[test]
    fn the_current_context_is_selected_first_and_arrows_move() {
        let items = items();
        let mut s = State::new(&items, Some("kind-dev"));
        assert_eq!(s.selected, 2);
        press(&mut s, KeyCode::Down);
        press(&mut s, KeyCode::Down);
        assert_eq!(s.selected, 3, "the selection stops at the last row");
        press(&mut s, KeyCode::Up);
        assert_eq!(
            press(&mut s, KeyCode::Enter),
            Step::Picked("kind-dev".into())
        );
    }

    #[test]
    fn escape_and_ctrl_c_cancel_and_enter_on_no_match_does_nothing() {
        let items = items();
        let mut s = State::new(&items, None);
        for c in "zzz".chars() {
            press(&mut s, KeyCode::Char(c));
        }
        assert_eq!(press(&mut s, KeyCode::Enter), Step::Continue);
        assert!(
            s.lines(80)
                .iter()
                .any(|(l, _)| l.contains("no context matches"))
        );
        assert_eq!(press(&mut s, KeyCode::Esc), Step::Cancelled);
        assert_eq!(
            s.key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
            Step::Cancelled
        );
    }

    #[test]
    fn long_lists_scroll_with_the_selection_and_lines_fit_the_width() {
        let many: Vec<Item> = (0..50)
            .map(|i| {
                let name = format!("ctx-{i:04}-with-a-very-long-name-indeed");
                Item::context(&name, name.clone(), "protected".into())
            })
            .collect();
        let mut s = State::new(&many, None);
        press(&mut s, KeyCode::PageDown);
        press(&mut s, KeyCode::PageDown);
        let lines = s.lines(30);
        assert_eq!(lines.len(), MAX_ROWS + 1);
        assert!(lines.iter().all(|(l, _)| l.chars().count() <= 30));
        assert!(
            lines
                .last()
                .is_some_and(|(l, sel)| *sel && l.starts_with("> ctx-0020"))
        );
    }

    #[test]
    fn eks_arns_are_shown_by_their_cluster_name_and_picked_by_their_full_name() {
        let arns = [
            "arn:aws:eks:eu-west-1:123456789012:cluster/payments-prod",
            "arn:aws:eks:eu-west-1:123456789012:cluster/payments-staging",
            "arn:aws:eks:us-east-1:123456789012:cluster/payments-prod",
        ];
        let labels = crate::contexts::display::unique_labels(arns);
        let items: Vec<Item> = arns
            .iter()
            .zip(labels)
            .map(|(n, l)| Item::context(n, l, String::new()))
            .collect();
        let s = State::new(&items, Some(arns[1]));
        let lines: Vec<String> = s.lines(80).into_iter().map(|(l, _)| l).collect();
        // At 80 columns, every row is told apart by what is on screen, not by a cut ARN.
        assert_eq!(lines[2], "> payments-staging  eu-west-1 · 123456789012");
        assert!(
            lines[1].starts_with("  payments-prod (eu-west-1"),
            "{lines:?}"
        );
        assert!(
            lines[3].starts_with("  payments-prod (us-east-1"),
            "{lines:?}"
        );
        let mut s = State::new(&items, None);
        for c in "us-east".chars() {
            press(&mut s, KeyCode::Char(c));
        }
        assert_eq!(press(&mut s, KeyCode::Enter), Step::Picked(arns[2].into()));
    }
}
