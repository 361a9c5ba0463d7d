//! Table tests taken from moby/patternmatcher (`patternmatcher_test.go`,
//! `ignorefile/ignorefile_test.go`) plus the docker CLI's build-file rule.

use rstest::rstest;

use super::*;

fn lines(patterns: &[&str]) -> Vec<Line> {
    patterns
        .iter()
        .map(|p| Line {
            line: 0,
            pattern: (*p).to_string(),
        })
        .collect()
}

/// Walks `path`'s parents like the archive walker does, carrying MatchInfo down.
fn walk_match(m: &Matcher, path: &str) -> bool {
    let mut info = MatchInfo::default();
    for dir in parents(path) {
        info = m.matches_using_parent_results(dir, &info).1;
    }
    m.matches_using_parent_results(path, &info).0
}

fn exact_match(m: &Matcher, path: &str) -> bool {
    let mut matched = false;
    for p in m.patterns() {
        if p.exclusion() != matched {
            continue;
        }
        if p.matches(path) {
            matched = !p.exclusion();
        }
    }
    matched
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum T {
    Fail,
    Exact,
    Inexact,
}

// TestMatches in patternmatcher_test.go (non-Windows cases).
#[rstest]
#[case("**", "file", T::Exact)]
#[case("**", "file/", T::Exact)]
#[case("**/", "file", T::Exact)]
#[case("**/", "file/", T::Exact)]
#[case("**", "/", T::Exact)]
#[case("**/", "/", T::Exact)]
#[case("**", "dir/file", T::Exact)]
#[case("**/", "dir/file", T::Exact)]
#[case("**", "dir/file/", T::Exact)]
#[case("**/", "dir/file/", T::Exact)]
#[case("**/**", "dir/file", T::Exact)]
#[case("**/**", "dir/file/", T::Exact)]
#[case("dir/**", "dir/file", T::Exact)]
#[case("dir/**", "dir/file/", T::Exact)]
#[case("dir/**", "dir/dir2/file", T::Exact)]
#[case("dir/**", "dir/dir2/file/", T::Exact)]
#[case("**/dir", "dir", T::Exact)]
#[case("**/dir", "dir/file", T::Inexact)]
#[case("**/dir2/*", "dir/dir2/file", T::Exact)]
#[case("**/dir2/*", "dir/dir2/file/", T::Inexact)]
#[case("**/dir2/**", "dir/dir2/dir3/file", T::Exact)]
#[case("**/dir2/**", "dir/dir2/dir3/file/", T::Exact)]
#[case("**file", "file", T::Exact)]
#[case("**file", "dir/file", T::Exact)]
#[case("**/file", "dir/file", T::Exact)]
#[case("**file", "dir/dir/file", T::Exact)]
#[case("**/file", "dir/dir/file", T::Exact)]
#[case("**/file*", "dir/dir/file", T::Exact)]
#[case("**/file*", "dir/dir/file.txt", T::Exact)]
#[case("**/file*txt", "dir/dir/file.txt", T::Exact)]
#[case("**/file*.txt", "dir/dir/file.txt", T::Exact)]
#[case("**/file*.txt*", "dir/dir/file.txt", T::Exact)]
#[case("**/**/*.txt", "dir/dir/file.txt", T::Exact)]
#[case("**/**/*.txt2", "dir/dir/file.txt", T::Fail)]
#[case("**/*.txt", "file.txt", T::Exact)]
#[case("**/**/*.txt", "file.txt", T::Exact)]
#[case("a**/*.txt", "a/file.txt", T::Exact)]
#[case("a**/*.txt", "a/dir/file.txt", T::Exact)]
#[case("a**/*.txt", "a/dir/dir/file.txt", T::Exact)]
#[case("a/*.txt", "a/dir/file.txt", T::Fail)]
#[case("a/*.txt", "a/file.txt", T::Exact)]
#[case("a/*.txt**", "a/file.txt", T::Exact)]
#[case("a[b-d]e", "ae", T::Fail)]
#[case("a[b-d]e", "ace", T::Exact)]
#[case("a[b-d]e", "aae", T::Fail)]
#[case("a[^b-d]e", "aze", T::Exact)]
#[case(".*", ".foo", T::Exact)]
#[case(".*", "foo", T::Fail)]
#[case("abc.def", "abcdef", T::Fail)]
#[case("abc.def", "abc.def", T::Exact)]
#[case("abc.def", "abcZdef", T::Fail)]
#[case("abc?def", "abcZdef", T::Exact)]
#[case("abc?def", "abcdef", T::Fail)]
#[case("**/foo/bar", "foo/bar", T::Exact)]
#[case("**/foo/bar", "dir/foo/bar", T::Exact)]
#[case("**/foo/bar", "dir/dir2/foo/bar", T::Exact)]
#[case("abc/**", "abc", T::Fail)]
#[case("abc/**", "abc/def", T::Exact)]
#[case("abc/**", "abc/def/ghi", T::Exact)]
#[case("**/.foo", ".foo", T::Exact)]
#[case("**/.foo", "bar.foo", T::Fail)]
#[case("a(b)c/def", "a(b)c/def", T::Exact)]
#[case("a(b)c/def", "a(b)c/xyz", T::Fail)]
#[case("a.|)$(}+{bc", "a.|)$(}+{bc", T::Exact)]
#[case(
    "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
    "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
    T::Exact
)]
#[case(
    "dist/*.whl",
    "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
    T::Exact
)]
#[case("a\\\\", "a\\", T::Exact)]
#[case("a\\*b", "a*b", T::Exact)]
fn moby_matches_table(#[case] pattern: &str, #[case] text: &str, #[case] want: T) {
    let m = Matcher::from_patterns(&[pattern]).unwrap();
    let desc = format!("pattern={pattern:?} text={text:?}");
    assert_eq!(exact_match(&m, text), want == T::Exact, "exact {desc}");
    assert_eq!(
        m.matches_or_parent_matches(text),
        want != T::Fail,
        "parents {desc}"
    );
    assert_eq!(walk_match(&m, text), want != T::Fail, "walk {desc}");
}

#[rstest]
#[case(&["**", "!util/docker/web"], "util/docker/web/foo", false)]
#[case(&["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", true)]
#[case(
    &["**", "!dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl"],
    "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
    false
)]
#[case(&["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", false)]
// TestPatternMatches*, TestExclusionPattern*
#[case(&["*"], "fileutils.go", true)]
#[case(&["*.go"], "fileutils.go", true)]
#[case(&["!fileutils.go", "*.go"], "fileutils.go", true)]
#[case(&["docs", "!docs/README.md"], "docs/README.md", false)]
#[case(&["docs/", "!docs/README.md"], "docs/README.md", false)]
#[case(&["docs/*", "!docs/README.md"], "docs/README.md", false)]
#[case(&["*.go", "!fileutils.go"], "fileutils.go", false)]
#[case(&[], "any/path/there", false)]
fn moby_multi_pattern_table(#[case] patterns: &[&str], #[case] text: &str, #[case] want: bool) {
    let m = Matcher::from_patterns(patterns).unwrap();
    assert_eq!(
        m.matches_or_parent_matches(text),
        want,
        "{patterns:?} {text}"
    );
    assert_eq!(walk_match(&m, text), want, "walk {patterns:?} {text}");
}

// TestMatch: Go's filepath.Match tests as moby runs them.
#[rstest]
#[case("abc", "abc", true)]
#[case("*", "abc", true)]
#[case("*c", "abc", true)]
#[case("a*", "a", true)]
#[case("a*", "abc", true)]
#[case("a*", "ab/c", true)]
#[case("a*/b", "abc/b", true)]
#[case("a*/b", "a/c/b", false)]
#[case("a*b*c*d*e*/f", "axbxcxdxe/f", true)]
#[case("a*b*c*d*e*/f", "axbxcxdxexxx/f", true)]
#[case("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", false)]
#[case("a*b*c*d*e*/f", "axbxcxdxexxx/fff", false)]
#[case("a*b?c*x", "abxbbxdbxebxczzx", true)]
#[case("a*b?c*x", "abxbbxdbxebxczzy", false)]
#[case("ab[c]", "abc", true)]
#[case("ab[b-d]", "abc", true)]
#[case("ab[e-g]", "abc", false)]
#[case("ab[^c]", "abc", false)]
#[case("ab[^b-d]", "abc", false)]
#[case("ab[^e-g]", "abc", true)]
#[case("a\\*b", "a*b", true)]
#[case("a\\*b", "ab", false)]
#[case("a?b", "a☺b", true)]
#[case("a[^a]b", "a☺b", true)]
#[case("a???b", "a☺b", false)]
#[case("a[^a][^a][^a]b", "a☺b", false)]
#[case("[a-ζ]*", "α", true)]
#[case("*[a-ζ]", "A", false)]
#[case("a?b", "a/b", false)]
#[case("a*b", "a/b", false)]
#[case("[\\]a]", "]", true)]
#[case("[\\-]", "-", true)]
#[case("[x\\-]", "x", true)]
#[case("[x\\-]", "-", true)]
#[case("[x\\-]", "z", false)]
#[case("[\\-x]", "x", true)]
#[case("[\\-x]", "-", true)]
#[case("[\\-x]", "a", false)]
#[case("*x", "xxx", true)]
fn go_filepath_match_table(#[case] pattern: &str, #[case] text: &str, #[case] want: bool) {
    let m = Matcher::from_patterns(&[pattern]).unwrap();
    assert_eq!(
        m.matches_or_parent_matches(text),
        want,
        "{pattern:?} {text:?}"
    );
}

#[rstest]
#[case("[]a]")]
#[case("[-]")]
#[case("[x-]")]
#[case("[-x]")]
#[case("\\")]
#[case("[a-b-c]")]
#[case("[")]
#[case("[^")]
#[case("[^bc")]
#[case("a[")]
// Passes filepath.Match but is not a valid regexp range (moby issue 52203).
#[case("[Local-Only]/")]
fn malformed_patterns_are_errors(#[case] pattern: &str) {
    let err = Matcher::new(&[Line {
        line: 7,
        pattern: pattern.into(),
    }])
    .unwrap_err();
    assert_eq!(err.line, 7);
    assert!(
        err.to_string().starts_with(".dockerignore line 7: "),
        "{err}"
    );
}

#[test]
fn single_exclamation_is_an_error() {
    let err = Matcher::from_patterns(&["!"]).unwrap_err();
    assert!(err.message.contains("illegal exclusion"), "{err}");
}

#[test]
fn empty_patterns_are_dropped_and_exceptions_flagged() {
    let m = Matcher::from_patterns(&["docs", "config", ""]).unwrap();
    assert_eq!(m.patterns().len(), 2);
    assert!(!m.exclusions());
    let m = Matcher::from_patterns(&["docs", "  !docs/README.md  "]).unwrap();
    assert!(m.exclusions());
}

// ignorefile_test.go TestReadAll.
#[test]
fn parse_follows_ignorefile_read_all() {
    let text =
        "test1\n/test2\n/a/file/here\n\nlastfile\n# this is a comment\n! /inverted/abs/path\n!\n! ";
    let got: Vec<String> = parse(text).into_iter().map(|l| l.pattern).collect();
    assert_eq!(
        got,
        [
            "test1",
            "test2",
            "a/file/here",
            "lastfile",
            "!inverted/abs/path",
            "!",
            "!"
        ]
    );
}

#[test]
fn parse_keeps_line_numbers_strips_bom_and_cleans() {
    let got = parse("\u{feff}a/./b/../c/\n  # not a comment\n\n./x");
    assert_eq!(
        got[0],
        Line {
            line: 1,
            pattern: "a/c".into()
        }
    );
    assert_eq!(
        got[1],
        Line {
            line: 2,
            pattern: "# not a comment".into()
        }
    );
    assert_eq!(
        got[2],
        Line {
            line: 4,
            pattern: "x".into()
        }
    );
}

#[rstest]
#[case("", ".")]
#[case("a/../..", "..")]
#[case("/../a", "/a")]
#[case("a//b/./c/", "a/b/c")]
#[case("/", "/")]
#[case("../../x/../y", "../../y")]
fn clean_is_go_path_clean(#[case] input: &str, #[case] want: &str) {
    assert_eq!(clean(input), want);
}

#[test]
fn build_files_are_kept_even_when_ignored() {
    let kept = keep_build_files(lines(&["*", "!src"]), "Dockerfile").unwrap();
    let m = Matcher::new(&kept).unwrap();
    assert!(!m.matches_or_parent_matches(".dockerignore"));
    assert!(!m.matches_or_parent_matches("Dockerfile"));
    assert!(m.matches_or_parent_matches("README.md"));
    let kept = keep_build_files(lines(&["build"]), "build/app.Dockerfile").unwrap();
    assert_eq!(kept.last().unwrap().pattern, "!build/app.Dockerfile");
    let kept = keep_build_files(lines(&["tmp"]), "Dockerfile").unwrap();
    assert_eq!(kept.len(), 1, "nothing added when nothing is ignored");
}

#[test]
fn walk_differs_from_parent_matching_like_moby() {
    // A later exception of a parent is not re-checked against the child during a walk
    // (MatchesUsingParentResults only tests the path itself once a parent is known).
    let m = Matcher::from_patterns(&["a/b", "!a"]).unwrap();
    assert!(!m.matches_or_parent_matches("a/b"));
    assert!(walk_match(&m, "a/b"));
}
