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

/// Appends pasted `text` to an input: one line, so line breaks and tabs become spaces and a
/// trailing line break is dropped (a paste never submits); other control characters go.
pub fn paste(input: &mut String, text: &str) {
    let text = text.trim_end_matches(['\r', '\n']);
    input.extend(
        text.chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control()),
    );
}

/// `prompt` then the text with a caret after it.
pub fn line(prompt: &'static str, prompt_style: Style, text: &str) -> Line<'static> {
    Line::from(vec![
        Span::styled(prompt, prompt_style),
        Span::raw(format!("{text}▏")),
    ])
}

/// Like [`line`], in `width` columns: a text too long shows its end (where the caret is),
/// after an ellipsis.
pub fn line_in(
    prompt: &'static str,
    prompt_style: Style,
    text: &str,
    width: usize,
) -> Line<'static> {
    let room = width.saturating_sub(prompt.chars().count() + 1);
    let n = text.chars().count();
    if n <= room {
        return line(prompt, prompt_style, text);
    }
    let tail: String = text.chars().skip(n + 1 - room.max(1)).collect();
    Line::from(vec![
        Span::styled(prompt, prompt_style),
        Span::raw(format!("…{tail}▏")),
    ])
}
