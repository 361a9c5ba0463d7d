//! A log view: the buffer of one selection of pods and everything the user did to it (follow,
//! scroll, filter, toggles). Plain data and pure methods; `update.rs` drives it, `view.rs`
//! draws it. Drawing asks only for the rows on screen, so a million buffered lines with a
//! filter cost what a screenful costs.

use std::collections::HashMap;

use crate::logs::buffer::{Entry, Kind, LogBuffer};
use crate::logs::filter::{Filter, MatchIndex};
use crate::logs::session::SessionEvent;
use crate::logs::timestamp::{self, Nanos};
use crate::tui::app::Model;

/// What a log view shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    pub context: String,
    pub namespace: String,
    /// The pods chosen (for a workload: its pods when the view opened, for the title).
    pub pods: Vec<String>,
    /// A workload view: every pod this controller owns, now and later (`ReplicaSet/web-5d8f`).
    pub owner: Option<String>,
    /// The previous instance of each restarted container (`kubectl logs -p`), read once,
    /// instead of the live log.
    pub previous: bool,
}

impl Selection {
    /// The key views are kept under ("switching pods keeps each view's state").
    pub fn key(&self) -> String {
        let key = match &self.owner {
            Some(o) => format!("{}/{}/{o}", self.context, self.namespace),
            None => format!(
                "{}/{}/{}",
                self.context,
                self.namespace,
                self.pods.join(",")
            ),
        };
        if self.previous {
            format!("{key}#previous")
        } else {
            key
        }
    }

    /// What the view's title shows.
    pub fn title(&self) -> String {
        let title = match &self.owner {
            Some(o) => format!("{o} ({} pods)", self.pods.len()),
            None => self.pods.join(", "),
        };
        if self.previous {
            format!("{title} (previous instance)")
        } else {
            title
        }
    }
}

/// One log view.
#[derive(Debug, Clone)]
pub struct LogView {
    pub selection: Selection,
    /// Generation of the stream feeding it; results of older streams are dropped.
    pub generation: u64,
    pub buffer: LogBuffer,
    pub follow: bool,
    /// Visible entries between the bottom row and the newest visible entry.
    pub offset: usize,
    pub filter: Option<MatchIndex>,
    /// The filter being typed (the view keeps the last applied one meanwhile).
    pub filter_input: Option<String>,
    pub filter_error: Option<String>,
    pub case_sensitive: bool,
    pub regex_mode: bool,
    pub timestamps: bool,
    pub wrap: bool,
    pub json: bool,
    /// Show only this source.
    pub pod_filter: Option<u32>,
    /// The highlighted line (match navigation, copy).
    pub cursor: Option<u64>,
    /// Newest timestamp per source, so a view reopened later resumes without repeats.
    pub last_ts: HashMap<u32, Nanos>,
    /// Warnings from the session (cap reached, cannot watch).
    pub note: Option<String>,
}

impl LogView {
    pub fn new(selection: Selection, generation: u64, budget_bytes: usize) -> LogView {
        LogView {
            selection,
            generation,
            buffer: LogBuffer::new(budget_bytes),
            follow: true,
            offset: 0,
            filter: None,
            filter_input: None,
            filter_error: None,
            case_sensitive: false,
            regex_mode: false,
            timestamps: false,
            wrap: false,
            json: false,
            pod_filter: None,
            cursor: None,
            last_ts: HashMap::new(),
            note: None,
        }
    }

    /// Where to resume after the view was closed: the oldest of the newest timestamps.
    pub fn resume_since(&self) -> Option<Nanos> {
        self.last_ts.values().min().copied()
    }

    fn passes(&self, e: &Entry) -> bool {
        self.pod_filter.is_none_or(|p| p == e.source)
    }

    /// Adds what the stream sent. While the user reads older lines, the view stays put.
    pub fn apply(&mut self, events: Vec<SessionEvent>) {
        let before = self.visible_count_hint();
        for ev in events {
            match ev {
                SessionEvent::Lines { source, lines } => {
                    let id = self.buffer.source_id(&source);
                    for line in lines {
                        let ts = line.ts;
                        if self.last_ts.get(&id).is_some_and(|&last| ts <= last) {
                            continue;
                        }
                        self.last_ts.insert(id, ts);
                        // Shown lossily (U+FFFD for what is not UTF-8), cut lines noted.
                        self.buffer.push(Entry {
                            ts: Some(ts),
                            source: id,
                            kind: Kind::Line,
                            text: line.display().into(),
                        });
                    }
                }
                SessionEvent::Marker { source, text } => {
                    let id = self.buffer.source_id(&source);
                    self.buffer.push(Entry {
                        ts: None,
                        source: id,
                        kind: Kind::Marker,
                        text: text.into(),
                    });
                }
                SessionEvent::CapReached { wanted, cap } => {
                    self.note = Some(format!(
                        "{wanted} containers match, more than the cap of {cap}: the rest are not shown"
                    ));
                }
                SessionEvent::Error(e) => self.note = Some(e),
                SessionEvent::Done => {}
            }
        }
        if let Some(idx) = &mut self.filter {
            idx.catch_up(&self.buffer);
        }
        if !self.follow {
            let after = self.visible_count_hint();
            self.offset = (self.offset + after.saturating_sub(before)).min(after.saturating_sub(1));
        }
    }

    /// Visible entries (exact without a pod filter; an upper bound with one).
    fn visible_count_hint(&self) -> usize {
        match &self.filter {
            Some(idx) => idx.len(),
            None => self.buffer.len(),
        }
    }

    /// The newest visible entries, oldest first, at most `max`, after skipping `offset`.
    pub fn rows(&self, max: usize) -> Vec<u64> {
        let mut out = Vec::with_capacity(max);
        let mut skip = self.offset;
        let mut take = |seq: u64, out: &mut Vec<u64>| -> bool {
            if skip > 0 {
                skip -= 1;
                return true;
            }
            out.push(seq);
            out.len() < max
        };
        match (&self.filter, self.pod_filter) {
            (Some(idx), None) => {
                let end = idx.len().saturating_sub(self.offset);
                let start = end.saturating_sub(max);
                out.extend((start..end).filter_map(|i| idx.get(i)));
                return out;
            }
            (None, None) => {
                let end = self.buffer.end_seq().saturating_sub(self.offset as u64);
                let start = end.saturating_sub(max as u64).max(self.buffer.first_seq());
                return (start..end).collect();
            }
            (Some(idx), Some(_)) => {
                for i in (0..idx.len()).rev() {
                    let Some(seq) = idx.get(i) else { continue };
                    if self.buffer.get(seq).is_some_and(|e| self.passes(e)) && !take(seq, &mut out)
                    {
                        break;
                    }
                }
            }
            (None, Some(_)) => {
                for seq in (self.buffer.first_seq()..self.buffer.end_seq()).rev() {
                    if self.buffer.get(seq).is_some_and(|e| self.passes(e)) && !take(seq, &mut out)
                    {
                        break;
                    }
                }
            }
        }
        out.reverse();
        out
    }

    /// Scrolls `n` entries back, stopping where the oldest entries fill the `page` rows of
    /// the screen (not with one line left at the bottom).
    pub fn scroll_up(&mut self, n: usize, page: usize) {
        self.follow = false;
        let top = self.visible_count_hint().saturating_sub(page.max(1));
        self.offset = (self.offset + n).min(top);
    }

    pub fn scroll_down(&mut self, n: usize) {
        self.offset = self.offset.saturating_sub(n);
        if self.offset == 0 {
            self.follow = true;
        }
    }

    /// The first page: the oldest entries, filling the screen.
    pub fn to_top(&mut self, page: usize) {
        self.scroll_up(usize::MAX / 2, page);
    }

    /// The oldest entry the view shows (after its filters), if any.
    pub fn oldest_row(&self) -> Option<u64> {
        match (&self.filter, self.pod_filter) {
            (Some(idx), None) => idx.get(0),
            (None, None) => (!self.buffer.is_empty()).then(|| self.buffer.first_seq()),
            (Some(idx), Some(_)) => (0..idx.len())
                .filter_map(|i| idx.get(i))
                .find(|&seq| self.buffer.get(seq).is_some_and(|e| self.passes(e))),
            (None, Some(_)) => (self.buffer.first_seq()..self.buffer.end_seq())
                .find(|&seq| self.buffer.get(seq).is_some_and(|e| self.passes(e))),
        }
    }

    /// Drops the filter that narrows the view (the text filter and the one-pod filter), if one
    /// is set. False when there was none.
    pub fn clear_filters(&mut self) -> bool {
        let active = self.filter.is_some() || self.pod_filter.is_some();
        self.filter = None;
        self.pod_filter = None;
        self.filter_error = None;
        if active {
            self.follow_now();
        }
        active
    }

    pub fn follow_now(&mut self) {
        self.follow = true;
        self.offset = 0;
        self.cursor = None;
    }

    /// Applies the typed filter (empty clears it).
    pub fn apply_filter(&mut self, pattern: &str) {
        self.filter_error = None;
        self.cursor = None;
        self.offset = 0;
        if pattern.is_empty() {
            self.filter = None;
            return;
        }
        match Filter::new(pattern, self.regex_mode, self.case_sensitive) {
            Ok(f) => self.filter = Some(MatchIndex::build(f, &self.buffer)),
            Err(e) => self.filter_error = Some(e),
        }
    }

    /// Re-applies the current filter after a case or regex toggle. A pattern the new mode
    /// rejects opens the input on it, with the error, to be fixed or dropped with esc: an error
    /// never outlives the input it belongs to.
    pub fn refilter(&mut self) {
        let pattern = self
            .filter_input
            .clone()
            .or_else(|| self.filter.as_ref().map(|f| f.filter.pattern.clone()));
        if let Some(p) = pattern {
            self.apply_filter(&p);
            if self.filter_error.is_some() {
                self.filter_input = Some(p);
            }
        }
    }

    /// Moves the cursor to the next (or previous) match of the filter and scrolls to it.
    pub fn step_match(&mut self, forward: bool) {
        let Some(idx) = &self.filter else { return };
        let from = self
            .cursor
            .unwrap_or_else(|| self.rows(1).first().copied().unwrap_or(0));
        let Some(seq) = idx.step(from, forward) else {
            return;
        };
        self.cursor = Some(seq);
        self.follow = false;
        let pos = idx.position_at_or_after(seq);
        self.offset = idx.len().saturating_sub(pos + 1);
    }

    /// Cycles the pod/container shown: all, then each source in turn.
    pub fn cycle_pod(&mut self) {
        let n = self.buffer.sources().len() as u32;
        self.pod_filter = match self.pod_filter {
            None if n > 0 => Some(0),
            Some(p) if p + 1 < n => Some(p + 1),
            _ => None,
        };
        self.offset = 0;
        self.follow = true;
    }

    pub fn clear(&mut self) {
        self.buffer.clear();
        if let Some(idx) = &mut self.filter {
            idx.catch_up(&self.buffer);
        }
        self.offset = 0;
        self.cursor = None;
    }

    /// One entry as plain text (prefix, timestamp if shown, message).
    pub fn plain(&self, seq: u64) -> Option<String> {
        let e = self.buffer.get(seq)?;
        let src = self.buffer.source(e.source)?;
        let ts = match (self.timestamps, e.ts) {
            (true, Some(ts)) => format!("{} ", timestamp::format(ts)),
            _ => String::new(),
        };
        Some(format!("{} {} {ts}{}", src.pod, src.container, e.text))
    }

    /// The whole buffer, or what the filters let through, as text (for `s`).
    pub fn export(&self) -> String {
        let mut s = String::new();
        let seqs: Box<dyn Iterator<Item = u64>> = match &self.filter {
            Some(idx) => Box::new((0..idx.len()).filter_map(|i| idx.get(i))),
            None => Box::new(self.buffer.first_seq()..self.buffer.end_seq()),
        };
        for seq in seqs {
            if self.buffer.get(seq).is_some_and(|e| self.passes(e))
                && let Some(line) = self.plain(seq)
            {
                s.push_str(&line);
                s.push('\n');
            }
        }
        s
    }

    /// The line `y` copies: the cursor's, else the newest visible one.
    pub fn copy_target(&self) -> Option<String> {
        let seq = self.cursor.or_else(|| self.rows(1).last().copied())?;
        self.buffer.get(seq).map(|e| e.text.to_string())
    }
}

/// Log views kept at once; each holds up to the configured buffer budget.
pub const MAX_LOG_VIEWS: usize = 3;

impl Model {
    /// The open log view.
    pub fn log_view(&self) -> Option<&LogView> {
        let key = self.pods.open_logs.as_ref()?;
        self.pods.views.iter().find(|v| &v.selection.key() == key)
    }

    /// The open log view, to change it.
    pub fn log_view_mut(&mut self) -> Option<&mut LogView> {
        let key = self.pods.open_logs.clone()?;
        self.pods
            .views
            .iter_mut()
            .find(|v| v.selection.key() == key)
    }
}
