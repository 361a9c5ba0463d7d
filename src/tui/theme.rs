//! Colours from `[theme]`, or none at all with NO_COLOR. Meaning never rests on colour alone:
//! the selection is reversed, a protected context is also labelled PROTECTED, errors say so.

use ratatui::style::{Color, Modifier, Style};

use crate::config::ThemeConfig;
use crate::policy::ContextClass;

/// Resolved styles for the view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Theme {
    pub accent: Style,
    pub danger: Style,
    pub local: Style,
    pub remote: Style,
    pub muted: Style,
    pub selected: Style,
    /// Header/border colour of a protected context.
    pub danger_color: Option<Color>,
}

/// Parses a colour name or `#rrggbb`.
pub fn parse_color(s: &str) -> Result<Color, String> {
    let named = [
        ("black", Color::Black),
        ("red", Color::Red),
        ("green", Color::Green),
        ("yellow", Color::Yellow),
        ("blue", Color::Blue),
        ("magenta", Color::Magenta),
        ("cyan", Color::Cyan),
        ("gray", Color::Gray),
        ("darkgray", Color::DarkGray),
        ("lightred", Color::LightRed),
        ("lightgreen", Color::LightGreen),
        ("lightyellow", Color::LightYellow),
        ("lightblue", Color::LightBlue),
        ("lightmagenta", Color::LightMagenta),
        ("lightcyan", Color::LightCyan),
        ("white", Color::White),
        ("reset", Color::Reset),
    ];
    let lower = s.to_ascii_lowercase();
    if let Some((_, c)) = named.iter().find(|(n, _)| *n == lower) {
        return Ok(*c);
    }
    if let Some(hex) = lower.strip_prefix('#').filter(|h| h.len() == 6)
        && let Ok(v) = u32::from_str_radix(hex, 16)
    {
        return Ok(Color::Rgb((v >> 16) as u8, (v >> 8) as u8, v as u8));
    }
    Err(format!(
        "`{s}` is not a colour; use a name ({}) or #rrggbb",
        named.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ")
    ))
}

impl Theme {
    /// Builds the theme; `color` false (NO_COLOR) gives a monochrome theme. Errors are
    /// `(config key, problem)`.
    pub fn from_config(cfg: &ThemeConfig, color: bool) -> Result<Theme, Vec<(String, String)>> {
        let mut errors = Vec::new();
        let mut get = |key: &str, value: &str| match parse_color(value) {
            Ok(c) => Some(c),
            Err(e) => {
                errors.push((format!("theme.{key}"), e));
                None
            }
        };
        let accent = get("accent", &cfg.accent);
        let danger = get("danger", &cfg.danger);
        let local = get("local", &cfg.local);
        let remote = get("remote", &cfg.remote);
        let muted = get("muted", &cfg.muted);
        if !errors.is_empty() {
            return Err(errors);
        }
        if !color {
            return Ok(Theme::monochrome());
        }
        let fg = |c: Option<Color>| c.map_or(Style::default(), |c| Style::default().fg(c));
        Ok(Theme {
            accent: fg(accent).add_modifier(Modifier::BOLD),
            danger: fg(danger).add_modifier(Modifier::BOLD),
            local: fg(local),
            remote: fg(remote),
            muted: fg(muted),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            danger_color: danger,
        })
    }

    /// No colours: emphasis through bold, reverse and underline only.
    pub fn monochrome() -> Theme {
        Theme {
            accent: Style::default().add_modifier(Modifier::BOLD),
            danger: Style::default().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            local: Style::default(),
            remote: Style::default(),
            muted: Style::default().add_modifier(Modifier::DIM),
            selected: Style::default().add_modifier(Modifier::REVERSED),
            danger_color: None,
        }
    }
}

/// The style of a context class's label.
pub fn class_style(theme: &Theme, class: ContextClass) -> Style {
    match class {
        ContextClass::Protected => theme.danger,
        ContextClass::Local => theme.local,
        ContextClass::Remote => theme.remote,
    }
}

/// True when colour is wanted: NO_COLOR unset or empty (https://no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_parse_by_name_and_hex() {
        assert_eq!(parse_color("Red"), Ok(Color::Red));
        assert_eq!(parse_color("#ff8000"), Ok(Color::Rgb(255, 128, 0)));
        assert!(parse_color("redish").is_err());
        assert!(parse_color("#12345").is_err());
    }

    #[test]
    fn bad_theme_colours_are_reported_by_key() {
        let mut cfg = crate::config::Config::default().theme;
        cfg.danger = "blood".into();
        let errs = Theme::from_config(&cfg, true).unwrap_err();
        assert_eq!(errs[0].0, "theme.danger");
    }
}
