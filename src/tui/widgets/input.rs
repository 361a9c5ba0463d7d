//! One-line text input: the editing keys every input shares (filters, the palette, the
//! protected-context and namespace dialogs) and how an input is drawn.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use crate::tui::keys::{Key, KeyCode};

/// What a key did to an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKey {
    /// Enter.
    Submit,
    /// Esc.
    Cancel,
    /// Anything else: the text may have changed.
    Edited,
}

/// Edits `text` with `key`: characters are typed, backspace deletes, ctrl-u clears.
pub fn edit(text: &mut String, key: Key) -> InputKey {
    match key.code {
        KeyCode::Enter => return InputKey::Submit,
        KeyCode::Esc => return InputKey::Cancel,
        KeyCode::Backspace => {
            text.pop();
        }
        KeyCode::Char('u') if key.ctrl => text.clear(),
        KeyCode::Char(c) if !key.ctrl && !key.alt => text.push(c),
        _ => {}
    }
    InputKey::Edited
}

/// `prompt` then the text with a caret after it.
pub fn line(prompt: &'static str, prompt_style: Style, text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(prompt, prompt_style),
        Span::raw(format!("{text}▏")),
    ])
}
