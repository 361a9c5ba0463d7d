//! The list cursor every list moves with: the selected row (an index into the rows that pass
//! the filter, in the order shown), the fuzzy filter and whether it is being typed, the column
//! the list is sorted by, and the position (`12/300`). One copy of the paging, clamping and
//! sorting rules, so every list behaves the same.

use ratatui::text::{Line, Span};

use super::input::{self, InputKey};
use crate::tui::keymap::Action;
use crate::tui::keys::Key;
use crate::tui::theme::Theme;

/// A cursor movement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nav {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
}

impl Nav {
    /// The movement a keymap action asks for, if it is one.
    pub fn from_action(action: Action) -> Option<Nav> {
        Some(match action {
            Action::Up => Nav::Up,
            Action::Down => Nav::Down,
            Action::PageUp => Nav::PageUp,
            Action::PageDown => Nav::PageDown,
            Action::Top => Nav::Top,
            Action::Bottom => Nav::Bottom,
            _ => return None,
        })
    }
}

/// The column a list is sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// Index into the tab's columns.
    pub column: usize,
    pub reverse: bool,
}

/// What a row is sorted by in a column: text, or a number (counts, ages).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SortKey {
    Number(i64),
    Text(String),
}

/// A scrollable, filterable, sortable list's cursor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCursor {
    /// Index into the visible (filtered, sorted) rows.
    pub selected: usize,
    pub filter: String,
    /// The filter input has the keyboard.
    pub filtering: bool,
    /// None: the list's own order (by name for most lists).
    pub sort: Option<Sort>,
}

impl ListCursor {
    /// Moves by `nav` in a list of `len` visible rows, `page` rows a page; stays in bounds.
    pub fn nav(&mut self, nav: Nav, len: usize, page: usize) {
        if len == 0 {
            self.selected = 0;
            return;
        }
        let s = self.selected;
        self.selected = match nav {
            Nav::Up => s.saturating_sub(1),
            Nav::Down => s + 1,
            Nav::PageUp => s.saturating_sub(page),
            Nav::PageDown => s + page,
            Nav::Top => 0,
            Nav::Bottom => len - 1,
        }
        .min(len - 1);
    }

    /// Keeps the cursor on a row after the list shrank to `len`.
    pub fn clamp(&mut self, len: usize) {
        self.selected = self.selected.min(len.saturating_sub(1));
    }

    /// Indices of the rows whose names pass the fuzzy filter, in list order (an empty filter
    /// keeps everything).
    pub fn visible<'a>(&self, names: impl Iterator<Item = &'a str>) -> Vec<usize> {
        let names: Vec<&str> = names.collect();
        if self.filter.is_empty() {
            return (0..names.len()).collect();
        }
        let owned: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let matched: std::collections::HashSet<String> = crate::fuzzy::rank(&self.filter, &owned)
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        (0..names.len())
            .filter(|&i| matched.contains(names[i]))
            .collect()
    }

    /// `rows` (indices, in list order) sorted by `key(row, column)` when a sort is chosen;
    /// rows with equal keys keep their order.
    pub fn sorted(
        &self,
        mut rows: Vec<usize>,
        key: impl Fn(usize, usize) -> SortKey,
    ) -> Vec<usize> {
        if let Some(sort) = self.sort {
            rows.sort_by_cached_key(|&r| key(r, sort.column));
            if sort.reverse {
                rows.reverse();
            }
        }
        rows
    }

    /// `o` and `O`. `columns` are the columns the list sorts by, the first being the one its
    /// own order follows (no sort chosen). `o` sorts by the next one (after the last, back to
    /// the list's own order); `O` reverses the order. `visible` gives the rows shown for a
    /// sort; the cursor stays on the same row.
    pub fn change_sort(
        &mut self,
        columns: &[usize],
        reverse: bool,
        visible: impl Fn(&ListCursor) -> Vec<usize>,
    ) {
        let before = visible(self).get(self.selected).copied();
        let current = self.sort.unwrap_or(Sort {
            column: columns.first().copied().unwrap_or(0),
            reverse: false,
        });
        self.sort = if reverse {
            Some(Sort {
                reverse: !current.reverse,
                ..current
            })
        } else {
            let at = columns.iter().position(|&c| c == current.column);
            at.and_then(|i| columns.get(i + 1)).map(|&column| Sort {
                column,
                reverse: false,
            })
        };
        if let Some(row) = before {
            self.selected = visible(self).iter().position(|&r| r == row).unwrap_or(0);
        }
    }

    /// `12/300`: the cursor's position among `len` visible rows.
    pub fn position(&self, len: usize) -> String {
        if len == 0 {
            return "0/0".into();
        }
        format!("{}/{len}", self.selected.min(len - 1) + 1)
    }

    /// A key while the filter is typed: enter keeps the filter, esc clears it, anything else
    /// edits it (and puts the cursor back on the first match).
    pub fn edit_filter(&mut self, key: Key) {
        match input::edit(&mut self.filter, key) {
            InputKey::Submit => self.filtering = false,
            InputKey::Cancel => {
                self.filtering = false;
                self.filter.clear();
            }
            InputKey::Edited => self.selected = 0,
        }
    }

    /// Pasted text goes into the filter while it is typed. False: nothing has the keyboard.
    pub fn paste_filter(&mut self, text: &str) -> bool {
        if !self.filtering {
            return false;
        }
        input::paste(&mut self.filter, text);
        self.selected = 0;
        true
    }

    /// Drops the filter and goes back to the top.
    pub fn clear_filter(&mut self) {
        self.filter.clear();
        self.selected = 0;
    }

    /// The filter line above a list: shown while typing or while a filter is set.
    pub fn filter_line(&self, shown: usize, total: usize, theme: &Theme) -> Option<Line<'static>> {
        if !self.filtering && self.filter.is_empty() {
            return None;
        }
        let cursor = if self.filtering { "▏" } else { "" };
        Some(Line::from(vec![
            Span::styled("/", theme.accent),
            Span::raw(format!("{}{cursor}", self.filter)),
            Span::styled(format!("  {shown} of {total}"), theme.muted),
        ]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moves_stay_inside_the_list_and_an_empty_list_stays_at_zero() {
        let mut c = ListCursor::default();
        for (nav, want) in [
            (Nav::Down, 1),
            (Nav::PageDown, 5),
            (Nav::PageDown, 9),
            (Nav::PageDown, 9),
            (Nav::PageUp, 5),
            (Nav::Top, 0),
            (Nav::Up, 0),
            (Nav::Bottom, 9),
        ] {
            c.nav(nav, 10, 4);
            assert_eq!(c.selected, want, "{nav:?}");
        }
        c.clamp(3);
        assert_eq!(c.selected, 2);
        c.nav(Nav::Down, 0, 4);
        assert_eq!(c.selected, 0);
    }

    #[test]
    fn the_filter_keeps_list_order_and_esc_clears_it() {
        let mut c = ListCursor {
            selected: 2,
            filtering: true,
            ..Default::default()
        };
        for ch in "web".chars() {
            c.edit_filter(Key::ch(ch));
        }
        assert_eq!(c.selected, 0);
        let names = ["web-2", "api", "web-1"];
        assert_eq!(c.visible(names.into_iter()), vec![0, 2]);
        c.edit_filter(Key::plain(crate::tui::keys::KeyCode::Esc));
        assert!(!c.filtering && c.filter.is_empty());
        assert_eq!(c.visible(names.into_iter()).len(), 3);
    }
}
