//! Tables that fit the screen and keep what tells rows apart.
//!
//! Each column says how wide it wants to be (a fixed width, its content's width within bounds,
//! or a share of what is left). When the screen is narrow, content-sized columns shrink to
//! their minimum, then the least important columns are dropped. Names are cut in the middle
//! (`payments-fraud…7c9b4-x2k9p`), keeping the end where generated names put what is unique,
//! and a column's names are cut so that two different names never read the same.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::Span;
use ratatui::widgets::{Cell, Row, Table};

/// The first row to draw so that `selected` is visible in `height` rows.
pub fn scroll_offset(selected: usize, height: usize) -> usize {
    if height == 0 {
        0
    } else {
        selected.saturating_sub(height - 1)
    }
}

/// `text` cut to `width` characters with an ellipsis at the end.
pub fn cut_end(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut s: String = text.chars().take(width - 1).collect();
    s.push('…');
    s
}

/// `text` cut to `width` characters with an ellipsis in the middle. The end keeps at least
/// half, and the last two `-` segments when they take no more than two thirds (a pod's
/// `-5d8f7c9b4-x2k9p`), since generated names put what is unique there.
pub fn cut_middle(text: &str, width: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= width {
        return text.to_string();
    }
    if width < 3 {
        return cut_end(text, width);
    }
    let room = width - 1;
    let mut tail = room - room / 2;
    let dashes: Vec<usize> = chars
        .iter()
        .enumerate()
        .filter(|(_, c)| **c == '-')
        .map(|(i, _)| i)
        .collect();
    if dashes.len() >= 2 {
        let suffix = chars.len() - dashes[dashes.len() - 2];
        if suffix > tail && suffix <= room * 2 / 3 {
            tail = suffix;
        }
    }
    split(&chars, room - tail, tail)
}

fn split(chars: &[char], head: usize, tail: usize) -> String {
    let mut s: String = chars[..head].iter().collect();
    s.push('…');
    s.extend(&chars[chars.len() - tail..]);
    s
}

/// Every text cut in the middle to `width`, so that different texts stay different: where
/// two would read the same, the cut moves to keep the characters that tell them apart.
pub fn cut_unique(texts: &[&str], width: usize) -> Vec<String> {
    let mut out: Vec<String> = texts.iter().map(|t| cut_middle(t, width)).collect();
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in out.iter().enumerate() {
        groups.entry(s.as_str()).or_default().push(i);
    }
    let clashes: Vec<Vec<usize>> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort_unstable();
            g.dedup_by(|a, b| texts[*a] == texts[*b]);
            g
        })
        .filter(|g| g.len() > 1)
        .collect();
    if width < 3 {
        return out;
    }
    let room = width - 1;
    for group in clashes {
        for &i in &group {
            let me: Vec<char> = texts[i].chars().collect();
            let (mut prefix, mut suffix) = (0, 0);
            for &j in group.iter().filter(|&&j| j != i) {
                let other: Vec<char> = texts[j].chars().collect();
                prefix = prefix.max(me.iter().zip(&other).take_while(|(a, b)| a == b).count());
                suffix = suffix.max(
                    me.iter()
                        .rev()
                        .zip(other.iter().rev())
                        .take_while(|(a, b)| a == b)
                        .count(),
                );
            }
            // Keep one character past the shared end, or else past the shared start, or else
            // show the stretch around where they start to differ (`…t-2:123…`).
            if suffix + 1 < room && suffix < me.len() {
                out[i] = split(&me, room - suffix - 1, suffix + 1);
            } else if prefix + 1 < room && prefix < me.len() {
                out[i] = split(&me, prefix + 1, room - prefix - 1);
            } else if width >= 3 {
                let inner = width - 2;
                let start = prefix
                    .saturating_sub(inner / 2)
                    .min(me.len().saturating_sub(inner));
                let mut s = String::from("…");
                s.extend(me.iter().skip(start).take(inner));
                s.push('…');
                out[i] = s;
            }
        }
    }
    out
}

/// How wide a column wants to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Width {
    /// Always this wide.
    Fixed(u16),
    /// As wide as its widest cell (or title), within these bounds.
    Fit { min: u16, max: u16 },
    /// A share (`weight`) of what the other columns leave, at least `min`.
    Fill { min: u16, weight: u16 },
}

/// How a cell too long for its column is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    End,
    /// In the middle, and distinct across the column (names).
    Middle,
}

/// A column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub title: &'static str,
    pub width: Width,
    /// 0: always shown; otherwise columns are dropped, highest first, when the screen is too
    /// narrow for all.
    pub drop: u8,
    pub cut: Cut,
}

impl Column {
    pub const fn new(title: &'static str, width: Width) -> Column {
        Column {
            title,
            width,
            drop: 0,
            cut: Cut::End,
        }
    }

    /// Dropped (in order `rank`, highest first) when there is no room.
    pub const fn optional(mut self, rank: u8) -> Column {
        self.drop = rank;
        self
    }

    /// Cut in the middle, distinctly.
    pub const fn names(mut self) -> Column {
        self.cut = Cut::Middle;
        self
    }
}

/// One cell: its text and style.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Text {
    pub text: String,
    pub style: Style,
}

impl Text {
    pub fn styled(text: impl Into<String>, style: Style) -> Text {
        Text {
            text: text.into(),
            style,
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text {
            text,
            style: Style::default(),
        }
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::from(text.to_string())
    }
}

/// One row: a cell per column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TableRow {
    pub cells: Vec<Text>,
    pub style: Style,
}

/// The widths of `columns` (None: dropped) in `total` columns, one column between each.
///
/// Every column first gets the width it wants (a fill column its minimum); when that is too
/// much, optional columns are dropped, highest rank first; when none is left to drop,
/// content-sized columns shrink, widest first, to their minimum. What is left over goes to
/// the fill columns by weight.
pub fn fit(columns: &[Column], content: &[usize], total: u16) -> Vec<Option<u16>> {
    fit_shown(columns, content, total, &vec![false; columns.len()])
}

/// Like [`fit`], with the `hidden` columns left out from the start.
fn fit_shown(
    columns: &[Column],
    content: &[usize],
    total: u16,
    hidden: &[bool],
) -> Vec<Option<u16>> {
    let total = usize::from(total);
    let mut widths: Vec<usize> = columns
        .iter()
        .zip(content)
        .map(|(c, w)| match c.width {
            Width::Fixed(n) => usize::from(n),
            Width::Fit { min, max } => (*w).clamp(usize::from(min), usize::from(max)),
            Width::Fill { min, .. } => usize::from(min),
        })
        .collect();
    let mut kept: Vec<bool> = hidden.iter().map(|h| !h).collect();
    let used = |widths: &[usize], kept: &[bool]| {
        let n = kept.iter().filter(|k| **k).count();
        widths
            .iter()
            .zip(kept)
            .filter(|(_, k)| **k)
            .map(|(w, _)| *w)
            .sum::<usize>()
            + n.saturating_sub(1)
    };
    while used(&widths, &kept) > total {
        let drop = (0..columns.len())
            .filter(|&i| kept[i] && columns[i].drop > 0)
            .max_by_key(|&i| columns[i].drop);
        match drop {
            Some(i) => kept[i] = false,
            None => break,
        }
    }
    let mut over = used(&widths, &kept).saturating_sub(total);
    while over > 0 {
        let widest = (0..columns.len())
            .filter(|&i| kept[i])
            .filter(|&i| matches!(columns[i].width, Width::Fit { min, .. } if widths[i] > usize::from(min)))
            .max_by_key(|&i| widths[i]);
        let Some(i) = widest else { break };
        widths[i] -= 1;
        over -= 1;
    }
    let mut left = total.saturating_sub(used(&widths, &kept));
    let fills: Vec<(usize, usize)> = (0..columns.len())
        .filter(|&i| kept[i])
        .filter_map(|i| match columns[i].width {
            Width::Fill { weight, .. } => Some((i, usize::from(weight.max(1)))),
            _ => None,
        })
        .collect();
    let sum: usize = fills.iter().map(|(_, w)| w).sum();
    let share = left;
    for (k, (i, w)) in fills.iter().enumerate() {
        let add = if k + 1 == fills.len() {
            left
        } else {
            share * w / sum.max(1)
        };
        widths[*i] += add;
        left -= add;
    }
    widths
        .into_iter()
        .zip(kept)
        .map(|(w, k)| k.then(|| u16::try_from(w).unwrap_or(u16::MAX)))
        .collect()
}

/// A table to draw: its columns, every row (all of them: widths and distinct cuts are
/// computed over the whole list, so they do not change while scrolling), and which rows are
/// on screen.
pub struct TableView<'a> {
    pub columns: &'a [Column],
    pub rows: &'a [TableRow],
    /// The first row on screen.
    pub offset: usize,
    pub header_style: Style,
    /// The column the rows are sorted by, and whether in reverse (marked in its title).
    pub sort: Option<(usize, bool)>,
}

impl TableView<'_> {
    /// Draws the header and the rows that fit in `area`.
    pub fn draw(&self, f: &mut Frame, area: Rect) {
        let titles: Vec<String> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| match self.sort {
                Some((col, reverse)) if col == i => {
                    format!("{}{}", c.title, if reverse { "▼" } else { "▲" })
                }
                _ => c.title.to_string(),
            })
            .collect();
        let content: Vec<usize> = (0..self.columns.len())
            .map(|i| {
                self.rows
                    .iter()
                    .filter_map(|r| r.cells.get(i))
                    .map(|t| t.text.chars().count())
                    .max()
                    .unwrap_or(0)
                    .max(titles[i].chars().count())
            })
            .collect();
        // An optional column with nothing in it (no context has a region) is not shown, and
        // its room goes to the others.
        let empty: Vec<bool> = (0..self.columns.len())
            .map(|i| {
                self.columns[i].drop > 0
                    && self
                        .rows
                        .iter()
                        .all(|r| r.cells.get(i).is_none_or(|t| t.text.is_empty()))
            })
            .collect();
        // A fixed column sorted on makes room for its arrow.
        let columns: Vec<Column> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| match (c.width, self.sort) {
                (Width::Fixed(n), Some((col, _))) if col == i => Column {
                    width: Width::Fixed(
                        n.max(u16::try_from(titles[i].chars().count()).unwrap_or(n)),
                    ),
                    ..*c
                },
                _ => *c,
            })
            .collect();
        let widths = fit_shown(&columns, &content, area.width, &empty);
        let height = usize::from(area.height.saturating_sub(1));
        let window = self.offset..(self.offset + height).min(self.rows.len());
        // Distinct cuts for name columns, over every row.
        let cut_names: Vec<Option<Vec<String>>> = self
            .columns
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, w))| match (c.cut, w) {
                (Cut::Middle, Some(w)) => {
                    let all: Vec<&str> = self
                        .rows
                        .iter()
                        .map(|r| r.cells.get(i).map_or("", |t| t.text.as_str()))
                        .collect();
                    Some(cut_unique(&all, usize::from(*w)))
                }
                _ => None,
            })
            .collect();
        let shown: Vec<usize> = (0..self.columns.len())
            .filter(|&i| widths[i].is_some())
            .collect();
        let header = Row::new(
            shown
                .iter()
                .map(|&i| Cell::from(cut_end(&titles[i], usize::from(widths[i].unwrap_or(0)))))
                .collect::<Vec<_>>(),
        )
        .style(self.header_style);
        let body: Vec<Row> = window
            .clone()
            .filter_map(|r| self.rows.get(r).map(|row| (r, row)))
            .map(|(r, row)| {
                let cells: Vec<Cell> = shown
                    .iter()
                    .map(|&i| {
                        let w = usize::from(widths[i].unwrap_or(0));
                        let t = row.cells.get(i).cloned().unwrap_or_default();
                        let text = match &cut_names[i] {
                            Some(cut) => cut.get(r).cloned().unwrap_or_default(),
                            None => cut_end(&t.text, w),
                        };
                        Cell::from(Span::styled(text, t.style))
                    })
                    .collect();
                Row::new(cells).style(row.style)
            })
            .collect();
        let constraints: Vec<Constraint> = shown
            .iter()
            .map(|&i| Constraint::Length(widths[i].unwrap_or(0)))
            .collect();
        let table = Table::new(body, constraints)
            .header(header)
            .column_spacing(1);
        f.render_widget(table, area);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pod_names_keep_their_unique_suffix() {
        let pod = "payments-fraud-detector-worker-5d8f7c9b4-x2k9p";
        let cut = cut_middle(pod, 30);
        assert_eq!(cut.chars().count(), 30);
        assert!(cut.ends_with("-5d8f7c9b4-x2k9p"), "{cut}");
        assert!(cut.starts_with("payments-fra"), "{cut}");
        assert_eq!(cut_middle("short", 30), "short");
        assert_eq!(cut_middle("abcdefghij", 5), "ab…ij");
    }

    #[test]
    fn two_different_names_never_read_the_same() {
        let names = [
            "arn:aws:eks:eu-west-1:123456789012:cluster/payments",
            "arn:aws:eks:eu-west-2:123456789012:cluster/payments",
            "web-7d9f8c6b5-abcde",
            "web-7d9f8c6b5-abcdf",
            "api-server-canary-abc-xyz",
            "api-server-stable-abc-xyz",
        ];
        for width in [8, 12, 16, 20, 30] {
            let cut = cut_unique(&names, width);
            let distinct: std::collections::HashSet<&String> = cut.iter().collect();
            assert_eq!(distinct.len(), names.len(), "at {width}: {cut:?}");
            assert!(cut.iter().all(|c| c.chars().count() <= width), "{cut:?}");
        }
    }

    #[test]
    fn narrow_screens_shrink_content_columns_then_drop_optional_ones() {
        let cols = [
            Column::new("NAME", Width::Fill { min: 20, weight: 1 }).names(),
            Column::new("STATUS", Width::Fit { min: 7, max: 18 }),
            Column::new("NODE", Width::Fit { min: 6, max: 30 }).optional(1),
        ];
        let content = [60, 16, 24];
        assert_eq!(
            fit(&cols, &content, 120),
            vec![Some(120 - 16 - 24 - 2), Some(16), Some(24)]
        );
        let narrow = fit(&cols, &content, 40);
        assert_eq!(narrow, vec![Some(40 - 16 - 1), Some(16), None]);
    }
}
