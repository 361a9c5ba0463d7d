//! The engine reads scalars as kubectl (go-yaml, YAML 1.1) does.

use rstest::rstest;
use serde_json::json;

use super::*;

#[rstest]
#[case::yes_is_a_boolean("yes", json!(true))]
#[case::off_is_a_boolean("off", json!(false))]
#[case::n_is_a_boolean("n", json!(false))]
#[case::leading_zero_is_octal("012", json!(10))]
#[case::underscores_make_a_number("1_000", json!(1000))]
#[case::quoted_stays_a_string("\"012\"", json!("012"))]
#[case::tagged_stays_a_string("!!str 012", json!("012"))]
#[case::dates_stay_strings("2001-12-14", json!("2001-12-14"))]
#[case::sexagesimal_stays_a_string("1:30", json!("1:30"))]
fn scalars_are_read_as_kubectl_reads_them(#[case] raw: &str, #[case] want: Value) {
    let v = parse(&format!("v: {raw}\n")).unwrap();
    assert_eq!(v["v"], want);
}

#[test]
fn errors_carry_the_line_without_the_location_text() {
    let e = parse("a: 1\nb: [\n").unwrap_err();
    assert_eq!(e.line, Some(2));
    assert!(!e.message.contains("line "), "{}", e.message);
}

#[test]
fn duplicate_keys_are_refused_as_kubectl_refuses_them() {
    let e = parse("a: 1\na: 2\n").unwrap_err();
    assert_eq!(e.line, Some(2));
}

#[test]
fn large_kubeconfigs_are_within_the_parser_budget() {
    let mut text = String::from("contexts:\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "- name: \"c{i}\"\n  context: {{cluster: x, user: y}}\n"
        ));
    }
    assert!(parse_fast(&text).is_none());
    let v = parse_full(&text).unwrap();
    assert_eq!(v["contexts"].as_array().map(Vec::len), Some(100_000));
}
