//! The fast reader must equal the full parser whenever it answers.

use rstest::rstest;

use super::parse;
use crate::kubeconfig::yaml::parse_full;

/// Asserts that the fast reader either declines or agrees with the full parser.
fn agrees(text: &str) -> bool {
    match parse(text) {
        None => false,
        Some(fast) => {
            let full = parse_full(text);
            assert_eq!(Ok(fast), full, "fast reader disagrees on:\n{text}");
            true
        }
    }
}

#[rstest]
#[case::kubectl_layout(
    "apiVersion: v1\nclusters:\n- cluster:\n    certificate-authority-data: LS0tLS1CRUdJTiBDRVJU\n    server: https://127.0.0.1:6443\n  name: kind-kind\ncontexts:\n- context:\n    cluster: kind-kind\n    namespace: team-a\n    user: kind-kind\n  name: kind-kind\ncurrent-context: kind-kind\nkind: Config\npreferences: {}\nusers:\n- name: kind-kind\n  user:\n    client-certificate-data: LS0t\n    client-key-data: LS0t\n"
)]
#[case::aws_eks_exec(
    "apiVersion: v1\nclusters:\n- cluster:\n    server: https://ABC.gr7.eu-west-1.eks.amazonaws.com\n  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod\ncontexts:\n- context:\n    cluster: arn:aws:eks:eu-west-1:123456789012:cluster/prod\n    user: arn:aws:eks:eu-west-1:123456789012:cluster/prod\n  name: arn:aws:eks:eu-west-1:123456789012:cluster/prod\ncurrent-context: arn:aws:eks:eu-west-1:123456789012:cluster/prod\nkind: Config\npreferences: {}\nusers:\n- name: arn:aws:eks:eu-west-1:123456789012:cluster/prod\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n      args:\n      - --region\n      - eu-west-1\n      - eks\n      - get-token\n      command: aws\n      env:\n      - name: AWS_PROFILE\n        value: prod\n      interactiveMode: IfAvailable\n      provideClusterInfo: false\n"
)]
#[case::indented_dashes_and_comments(
    "# top comment\napiVersion: v1 # trailing\nclusters:\n  - name: a\n    cluster:\n      server: https://a\n\n  # between\n  - name: b\n    cluster: {}\ncontexts: []\ncurrent-context: \"012\"\nusers:\n-   name: 'it''s'\n    user:\n      token: abc\n"
)]
#[case::flow_args(
    "users:\n- name: u\n  user:\n    exec:\n      args: [eks, get-token, --cluster-name, c0]\n      command: aws\n"
)]
#[case::nulls_and_numbers("a:\nb: ~\nc: null\nd: 0\ne: 6443\nf: true\ng: false\nh: []\n")]
#[case::json_form(
    "{\"apiVersion\": \"v1\", \"contexts\": [{\"name\": \"a\", \"context\": {\"cluster\": \"c\", \"port\": 1}}], \"current-context\": \"yes\"}"
)]
#[case::crlf("apiVersion: v1\r\ncurrent-context: a\r\ncontexts:\r\n- name: a\r\n  context: {}\r\n")]
#[case::comment_only("# nothing yet\n\n")]
#[case::empty("")]
fn common_forms_are_read_fast_and_exactly(#[case] text: &str) {
    assert!(agrees(text), "the fast reader declined:\n{text}");
}

#[rstest]
#[case::yaml11_bool("a: yes\n")]
#[case::yaml11_bool_key("on: 1\n")]
#[case::octal("a: 012\n")]
#[case::underscore_number("a: 1_000\n")]
#[case::sexagesimal("a: 1:30\n")]
#[case::float("a: 1.5\n")]
#[case::negative("a: -1\n")]
#[case::dot_inf("a: .inf\n")]
#[case::timestamp("a: 2001-12-14\n")]
#[case::capitalised_bool("a: True\n")]
#[case::anchor("a: &x {b: 1}\nc: *x\n")]
#[case::merge_key("a: {b: 1}\n<<: {c: 2}\n")]
#[case::tag("a: !!str 012\n")]
#[case::block_scalar("a: |\n  line\n")]
#[case::folded_plain("a: one\n  two\n")]
#[case::multi_line_quoted("a: \"one\n  two\"\n")]
#[case::escape("a: \"x\\ty\"\n")]
#[case::flow_mapping("a: {b: c}\n")]
#[case::duplicate_key("a: 1\na: 2\n")]
#[case::json_duplicate_key("{\"a\": 1, \"a\": 2}")]
#[case::json_float("{\"a\": 1.5}")]
#[case::tab_indent("a:\n\tb: c\n")]
#[case::non_ascii("a: café\n")]
#[case::document_marker("---\na: 1\n")]
#[case::nested_inline_dash("a:\n- - 1\n")]
#[case::quoted_key("\"a\": 1\n")]
#[case::top_level_list("- a\n")]
#[case::bad_indent("a:\n    b: 1\n  c: 2\n")]
#[case::dash_after_scalar("a: 1\n- b\n")]
fn forms_outside_the_subset_are_left_to_the_full_parser(#[case] text: &str) {
    assert_eq!(parse(text), None, "the fast reader should decline:\n{text}");
}

/// A small deterministic generator (xorshift), so the test needs no extra crates and the
/// same seed always produces the same documents.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const SCALARS: &[&str] = &[
    "minikube",
    "n",
    "yes",
    "012",
    "0",
    "7",
    "6443",
    "1.5",
    "-1",
    "--region",
    "-o",
    "a b",
    "a#b",
    "a #c",
    "\"q\"",
    "'q'",
    "'it''s'",
    "\"a\\nb\"",
    "~",
    "null",
    "true",
    "True",
    "{}",
    "[]",
    "[a, b]",
    "[a, 1]",
    "[--x, y]",
    "https://x:1",
    "arn:aws:eks:r:1:cluster/c",
    ".kube/x",
    ".5",
    "&a x",
    "*a",
    "!!str x",
    "|",
    "",
    "x:",
    "x: y",
    "1_000",
    "0x1F",
    "2001-12-14",
    "'unterminated",
    "\"a\" # c",
    "@x",
    "%x",
    "`x`",
    "a,b",
    "é",
];
const SAFE: &[&str] = &[
    "minikube",
    "0",
    "6443",
    "--region",
    "\"q\"",
    "'it''s'",
    "{}",
    "[a, b]",
    "https://x:1",
    "",
];
const KEYS: &[&str] = &[
    "name", "server", "user", "a-b", "x.y/z", "name", "on", "y", "1a", "<<", "\"k\"",
];

/// A key; mostly unique words, so that duplicate keys stay the exception.
fn key(rng: &mut Rng) -> String {
    let k = rng.pick(KEYS);
    if rng.next().is_multiple_of(4) {
        k.to_string()
    } else {
        format!("{k}{}", rng.next() % 1000)
    }
}

fn gen_value(rng: &mut Rng, out: &mut String, indent: usize, depth: usize) {
    let choice = if depth > 3 { 0 } else { rng.next() % 4 };
    match choice {
        1 => {
            out.push('\n');
            for _ in 0..1 + rng.next() % 3 {
                out.push_str(&" ".repeat(indent + 2));
                out.push_str(&key(rng));
                out.push(':');
                gen_value(rng, out, indent + 2, depth + 1);
            }
        }
        2 => {
            out.push('\n');
            let dash_indent = if rng.next().is_multiple_of(2) {
                indent
            } else {
                indent + 2
            };
            for _ in 0..1 + rng.next() % 3 {
                out.push_str(&" ".repeat(dash_indent));
                out.push_str("- ");
                out.push_str(&key(rng));
                out.push(':');
                gen_value(rng, out, dash_indent + 2, depth + 1);
            }
        }
        _ => {
            // Mostly values the fast reader takes, so that both outcomes are common.
            let s = if rng.next().is_multiple_of(3) {
                rng.pick(SCALARS)
            } else {
                rng.pick(SAFE)
            };
            if !s.is_empty() {
                out.push(' ');
            }
            out.push_str(s);
            out.push('\n');
            if rng.next().is_multiple_of(8) {
                out.push_str(&" ".repeat(rng.next() as usize % 6));
                out.push_str(rng.pick(&["# c", "more", "- x", ""]));
                out.push('\n');
            }
        }
    }
}

#[test]
fn generated_documents_are_read_exactly_or_declined() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut answered, total) = (0, 4000);
    for _ in 0..total {
        let mut doc = String::new();
        for _ in 0..1 + rng.next() % 4 {
            doc.push_str(&key(&mut rng));
            doc.push(':');
            gen_value(&mut rng, &mut doc, 0, 0);
        }
        if agrees(&doc) {
            answered += 1;
        }
    }
    // Both outcomes must occur, or the generator tests nothing.
    assert!(
        answered > total / 20 && answered < total,
        "{answered} of {total}"
    );
}

/// Reading for a purpose checks exactly what the full reading checks: it answers on the same
/// texts, and what it builds agrees with the full tree.
#[test]
fn reading_for_a_purpose_answers_on_the_same_texts_and_agrees_with_the_full_tree() {
    use super::{Purpose, parse_kubeconfig};
    let mut rng = Rng(0x0123_4567_89AB_CDEF);
    let mut answered = 0;
    for _ in 0..20_000 {
        let mut doc = String::from(
            "current-context: a\ncontexts:\n- name: a\n  context:\n    namespace: team\n",
        );
        for list in ["clusters", "users", "preferences"] {
            doc.push_str(list);
            doc.push(':');
            gen_value(&mut rng, &mut doc, 0, 1);
        }
        let full = parse(&doc);
        for purpose in [Purpose::Current, Purpose::Summary] {
            let part = parse_kubeconfig(&doc, purpose);
            assert_eq!(part.is_some(), full.is_some(), "{purpose:?} on:\n{doc}");
            if let (Some(part), Some(full)) = (&part, &full) {
                answered += 1;
                assert_eq!(part["current-context"], full["current-context"], "{doc}");
                assert_eq!(part["contexts"], full["contexts"], "{doc}");
            }
        }
    }
    assert!(answered > 100, "{answered}");
}
