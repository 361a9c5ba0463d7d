//! `.dockerignore` exactly as Docker reads it: moby's `ignorefile.ReadAll` (comments, trimming,
//! `!` exceptions, path cleaning, a leading `/` dropped) and `patternmatcher` (Go
//! `filepath.Match` syntax plus `**`, matched as prefix/suffix/exact/regexp the same way,
//! including parent-directory matches and the walk-time `MatchesUsingParentResults`).
//!
//! Pure: strings in, booleans out. Paths are slash-separated and relative to the context.

use regex::Regex;

/// A `.dockerignore` that Docker would reject too.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(".dockerignore line {line}: {message}")]
pub struct IgnoreError {
    /// 1-based line in the file (0 for patterns that did not come from a file).
    pub line: usize,
    pub message: String,
}

/// One pattern line as read from the file (already cleaned), with its line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub line: usize,
    pub pattern: String,
}

/// Reads `.dockerignore` text like moby's `ignorefile.ReadAll`.
pub fn parse(text: &str) -> Vec<Line> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        // Comments are only lines that start with '#' before any trimming.
        if raw.starts_with('#') {
            continue;
        }
        let mut pattern = raw.trim();
        if pattern.is_empty() {
            continue;
        }
        let invert = pattern.starts_with('!');
        if invert {
            pattern = pattern[1..].trim();
        }
        let mut p = String::new();
        if !pattern.is_empty() {
            p = clean(pattern);
            if p.len() > 1 && p.starts_with('/') {
                p.remove(0);
            }
        }
        if invert {
            p.insert(0, '!');
        }
        out.push(Line {
            line: i + 1,
            pattern: p,
        });
    }
    out
}

/// Go's `path.Clean`: the shortest equivalent slash path.
pub fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".into();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|p| *p != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[derive(Debug, Clone)]
enum Kind {
    Exact,
    /// `dir/**`: prefix before the trailing `**`.
    Prefix(String),
    /// `**/x` or `**x`: the text after the leading `**`.
    Suffix(String),
    Regexp(Regex),
}

/// One compiled pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    cleaned: String,
    exclusion: bool,
    kind: Kind,
}

impl Pattern {
    /// The cleaned pattern without its `!`.
    pub fn text(&self) -> &str {
        &self.cleaned
    }

    /// True for a `!` exception.
    pub fn exclusion(&self) -> bool {
        self.exclusion
    }

    fn matches(&self, path: &str) -> bool {
        match &self.kind {
            Kind::Exact => path == self.cleaned,
            Kind::Prefix(p) => path.starts_with(p.as_str()),
            Kind::Suffix(s) => {
                path.ends_with(s.as_str()) || s.strip_prefix('/').is_some_and(|rest| path == rest)
            }
            Kind::Regexp(re) => re.is_match(path),
        }
    }
}

/// Per-pattern "matched this directory or one of its parents", carried down a walk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchInfo {
    parent_matched: Vec<bool>,
}

/// The compiled pattern list.
#[derive(Debug, Clone, Default)]
pub struct Matcher {
    patterns: Vec<Pattern>,
    exclusions: bool,
}

impl Matcher {
    /// Compiles patterns like `patternmatcher.New` (trim, clean, `!`, syntax check).
    pub fn new(lines: &[Line]) -> Result<Matcher, IgnoreError> {
        let mut m = Matcher::default();
        for l in lines {
            let err = |message: String| IgnoreError {
                line: l.line,
                message,
            };
            let p = l.pattern.trim();
            if p.is_empty() {
                continue;
            }
            let p = clean(p);
            let (exclusion, p) = match p.strip_prefix('!') {
                Some("") => return Err(err("illegal exclusion pattern: \"!\"".into())),
                Some(rest) => (true, rest.to_string()),
                None => (false, p),
            };
            validate(&p).map_err(|why| err(format!("bad pattern `{p}`: {why}")))?;
            let kind = compile(&p).map_err(|why| err(format!("bad pattern `{p}`: {why}")))?;
            m.exclusions |= exclusion;
            m.patterns.push(Pattern {
                cleaned: p,
                exclusion,
                kind,
            });
        }
        Ok(m)
    }

    /// Compiles plain pattern strings (no line numbers), e.g. from tests.
    pub fn from_patterns(patterns: &[&str]) -> Result<Matcher, IgnoreError> {
        let lines: Vec<Line> = patterns
            .iter()
            .map(|p| Line {
                line: 0,
                pattern: (*p).to_string(),
            })
            .collect();
        Matcher::new(&lines)
    }

    /// True when any pattern is a `!` exception.
    pub fn exclusions(&self) -> bool {
        self.exclusions
    }

    /// The compiled patterns in file order.
    pub fn patterns(&self) -> &[Pattern] {
        &self.patterns
    }

    /// `MatchesOrParentMatches`: is `path` (or a parent of it) excluded?
    pub fn matches_or_parent_matches(&self, path: &str) -> bool {
        self.matches_using_parent_results(path, &MatchInfo::default())
            .0
    }

    /// `MatchesUsingParentResults`, used while walking: `parent` is the info of the
    /// directory holding `path` (default for top-level entries).
    pub fn matches_using_parent_results(
        &self,
        path: &str,
        parent: &MatchInfo,
    ) -> (bool, MatchInfo) {
        let no_parent = parent.parent_matched.is_empty();
        let mut matched = false;
        let mut info = MatchInfo {
            parent_matched: vec![false; self.patterns.len()],
        };
        for (i, pattern) in self.patterns.iter().enumerate() {
            let mut hit = parent.parent_matched.get(i).copied().unwrap_or(false);
            if !hit {
                // An inclusion cannot change an already excluded path, nor an exception
                // an included one.
                if pattern.exclusion != matched {
                    continue;
                }
                hit = pattern.matches(path);
                if !hit && no_parent {
                    hit = parents(path).any(|dir| pattern.matches(dir));
                }
            }
            info.parent_matched[i] = hit;
            if hit {
                matched = !pattern.exclusion;
            }
        }
        (matched, info)
    }
}

/// The proper ancestors of `path`, shortest first ("a", "a/b" for "a/b/c").
fn parents(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// Docker always sends `.dockerignore` and the Dockerfile even when they are ignored (the
/// CLI's `TrimBuildFilesFromExcludes`): exceptions for them are appended.
pub fn keep_build_files(mut lines: Vec<Line>, dockerfile: &str) -> Result<Vec<Line>, IgnoreError> {
    let m = Matcher::new(&lines)?;
    if m.matches_or_parent_matches(".dockerignore") {
        lines.push(Line {
            line: 0,
            pattern: "!.dockerignore".into(),
        });
    }
    let m = Matcher::new(&lines)?;
    let dockerfile = clean(dockerfile);
    if dockerfile != "." && m.matches_or_parent_matches(&dockerfile) {
        lines.push(Line {
            line: 0,
            pattern: format!("!{dockerfile}"),
        });
    }
    Ok(lines)
}

/// The syntax check of Go's `filepath.Match`, which moby runs on every pattern.
fn validate(p: &str) -> Result<(), String> {
    let mut chars = p.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // The guard consumes the escaped character.
            '\\' if chars.next().is_none() => return Err("trailing backslash".into()),
            '[' => {
                if chars.peek() == Some(&'^') {
                    chars.next();
                }
                let mut ranges = 0;
                loop {
                    match chars.peek() {
                        None => return Err("unterminated `[`".into()),
                        Some(']') if ranges > 0 => {
                            chars.next();
                            break;
                        }
                        _ => {}
                    }
                    class_char(&mut chars)?;
                    if chars.peek() == Some(&'-') {
                        chars.next();
                        class_char(&mut chars)?;
                    }
                    ranges += 1;
                }
            }
            _ => {}
        }
    }
    Ok(())
}

fn class_char(chars: &mut std::iter::Peekable<std::str::Chars<'_>>) -> Result<char, String> {
    match chars.next() {
        None => Err("unterminated `[`".into()),
        Some('-') | Some(']') => Err("`-` or `]` must be escaped inside `[...]`".into()),
        Some('\\') => chars.next().ok_or_else(|| "unterminated `[`".to_string()),
        Some(c) => Ok(c),
    }
}

/// Characters that mean something to a regex but nothing to `filepath.Match`.
fn should_escape(c: char) -> bool {
    ".+()|{}$".contains(c)
}

/// moby's `Pattern.compile`: decide exact/prefix/suffix/regexp, and build the regexp.
fn compile(p: &str) -> Result<Kind, String> {
    #[derive(PartialEq)]
    enum Detected {
        Exact,
        Prefix,
        Suffix,
        Regexp,
    }
    let mut re = String::from("^");
    let mut detected = Detected::Exact;
    let chars: Vec<char> = p.chars().collect();
    let mut pos = 0;
    let mut i = 0;
    while pos < chars.len() {
        let c = chars[pos];
        pos += 1;
        match c {
            '*' if chars.get(pos) == Some(&'*') => {
                pos += 1;
                if chars.get(pos) == Some(&'/') {
                    pos += 1;
                }
                if pos == chars.len() {
                    if detected == Detected::Exact {
                        detected = Detected::Prefix;
                    } else {
                        re.push_str(".*");
                        detected = Detected::Regexp;
                    }
                } else {
                    re.push_str("(.*/)?");
                    detected = Detected::Regexp;
                }
                if i == 0 {
                    detected = Detected::Suffix;
                }
            }
            '*' => {
                re.push_str("[^/]*");
                detected = Detected::Regexp;
            }
            '?' => {
                re.push_str("[^/]");
                detected = Detected::Regexp;
            }
            c if should_escape(c) => {
                re.push('\\');
                re.push(c);
            }
            '\\' => {
                if let Some(&next) = chars.get(pos) {
                    pos += 1;
                    re.push_str(&regex::escape(&next.to_string()));
                    detected = Detected::Regexp;
                } else {
                    re.push_str("\\\\");
                }
            }
            '[' => {
                pos = class(&chars, pos, &mut re);
                detected = Detected::Regexp;
            }
            ']' => {
                re.push_str("\\]");
                detected = Detected::Regexp;
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    Ok(match detected {
        Detected::Exact => Kind::Exact,
        Detected::Prefix => Kind::Prefix(p[..p.len() - 2].to_string()),
        Detected::Suffix => Kind::Suffix(p[2..].to_string()),
        Detected::Regexp => {
            re.push('$');
            Kind::Regexp(Regex::new(&re).map_err(|e| last_line(&e.to_string()))?)
        }
    })
}

/// Copies a validated `[...]` class (starting after `[`) into `re` with each member
/// escaped for Rust's regex syntax (which, unlike Go's, has nested classes and set
/// operators); returns the position after `]`.
fn class(chars: &[char], mut pos: usize, re: &mut String) -> usize {
    re.push('[');
    if chars.get(pos) == Some(&'^') {
        re.push('^');
        pos += 1;
    }
    let mut first = true;
    while let Some(&c) = chars.get(pos) {
        pos += 1;
        match c {
            ']' if !first => break,
            '-' => re.push('-'),
            '\\' => {
                if let Some(&n) = chars.get(pos) {
                    pos += 1;
                    re.push_str(&regex::escape(&n.to_string()));
                }
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        first = false;
    }
    re.push(']');
    pos
}

/// The last non-empty line of a multi-line regex error (the line saying what is wrong).
fn last_line(s: &str) -> String {
    s.lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or(s)
        .trim()
        .to_string()
}

#[cfg(test)]
#[path = "dockerignore_tests.rs"]
mod tests;
