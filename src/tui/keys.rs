//! Keys as devk's own plain values, so the core (`app`, `keymap`) never sees terminal types.
//! The runtime converts crossterm events into these.

use std::fmt;
use std::str::FromStr;

/// A key without modifiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyCode {
    Char(char),
    Enter,
    Esc,
    Tab,
    BackTab,
    Up,
    Down,
    Left,
    Right,
    PageUp,
    PageDown,
    Home,
    End,
    Backspace,
    Delete,
    F(u8),
}

/// A key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub ctrl: bool,
    pub alt: bool,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            ctrl: false,
            alt: false,
        }
    }

    pub const fn ch(c: char) -> Key {
        Key::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            ctrl: true,
            alt: false,
        }
    }
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("shift-tab", KeyCode::BackTab),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("pgup", KeyCode::PageUp),
    ("pgdn", KeyCode::PageDown),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("space", KeyCode::Char(' ')),
];

impl FromStr for Key {
    type Err = String;

    /// Parses `q`, `G`, `?`, `enter`, `ctrl-c`, `alt-x`, `f5`, `shift-tab`.
    fn from_str(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let code = if let Some((_, code)) = NAMED.iter().find(|(n, _)| *n == rest) {
            *code
        } else if let Some(n) = rest
            .strip_prefix('f')
            .and_then(|n| n.parse::<u8>().ok())
            .filter(|n| (1..=12).contains(n))
        {
            KeyCode::F(n)
        } else {
            let mut chars = rest.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => {
                    return Err(format!(
                        "`{s}` is not a key; use a single character, f1-f12, a name ({}), optionally with ctrl- or alt-",
                        NAMED.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
                    ));
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ctrl {
            f.write_str("ctrl-")?;
        }
        if self.alt {
            f.write_str("alt-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("space"),
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::F(n) => write!(f, "f{n}"),
            other => {
                let name = NAMED
                    .iter()
                    .find(|(_, c)| *c == other)
                    .map_or("?", |(n, _)| *n);
                f.write_str(name)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("q", Key::ch('q'))]
    #[case("G", Key::ch('G'))]
    #[case("?", Key::ch('?'))]
    #[case("ctrl-c", Key::ctrl('c'))]
    #[case("enter", Key::plain(KeyCode::Enter))]
    #[case("shift-tab", Key::plain(KeyCode::BackTab))]
    #[case("f5", Key::plain(KeyCode::F(5)))]
    #[case("-", Key::ch('-'))]
    fn keys_parse(#[case] s: &str, #[case] want: Key) {
        assert_eq!(s.parse::<Key>().unwrap(), want);
    }

    #[rstest]
    #[case("ctrl-")]
    #[case("enterr")]
    #[case("f13")]
    #[case("")]
    fn bad_keys_are_errors(#[case] s: &str) {
        assert!(s.parse::<Key>().is_err());
    }

    #[test]
    fn display_round_trips() {
        for s in ["q", "ctrl-c", "enter", "backtab", "f2", "space", "alt-x"] {
            assert_eq!(s.parse::<Key>().unwrap().to_string(), s);
        }
    }
}
