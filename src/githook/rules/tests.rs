//! The rules on single lines and whole blobs. Test secrets are assembled from pieces or made
//! at run time, so that this file holds none a scanner would flag.

use super::*;
use crate::encoding::base64_encode;
use rstest::rstest;

fn akia(rest: &str) -> String {
    format!("AK{}{rest}", "IA")
}

const SECRET: &str = "Zp4sQ9vT2mLk8xWc7RbN1hYd5Gf3Je6Ua0iKoPq+";

fn rules() -> Rules {
    Rules::new(&[]).unwrap()
}

/// Pseudo-random bytes (a fixed xorshift: the same every run).
fn noise(n: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// A PEM block of `kind` ("RSA ", "" ...) around `der`, 64 characters a line.
fn pem(kind: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {kind}PRIVATE {}-----\n", "KEY");
    for chunk in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(chunk).unwrap());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}PRIVATE {}-----\n", "KEY"));
    out
}

/// A DER body shaped like a PKCS#1 RSA key (sequence, version 0, then noise).
fn rsa_der() -> Vec<u8> {
    let mut der = vec![
        0x30, 0x82, 0x04, 0xa3, 0x02, 0x01, 0x00, 0x02, 0x82, 0x01, 0x01,
    ];
    der.extend(noise(1180, 7));
    der
}

fn openssh_body() -> Vec<u8> {
    let mut body = b"openssh-key-v1\0".to_vec();
    body.extend(noise(380, 11));
    body
}

/// The rules that fire on `line`; checks on the way that the whole-blob test agrees.
fn rule_names(line: &str) -> Vec<String> {
    let rules = rules();
    let hits = rules.scan_line(line.as_bytes());
    let blob = format!("fn main() {{}}\r\n{line}\r\nmore\n");
    assert_eq!(
        rules.may_hold_secret(blob.as_bytes()),
        !hits.is_empty(),
        "{line}"
    );
    hits.iter().map(|h| h.rule.name()).collect()
}

/// The rules that fire anywhere in `blob`, checking that the whole-blob test agrees.
fn blob_rules(blob: &str) -> Vec<String> {
    let rules = rules();
    let hits = rules.scan_blob(blob.as_bytes());
    assert_eq!(
        rules.may_hold_secret(blob.as_bytes()),
        !hits.is_empty(),
        "{blob}"
    );
    hits.iter().map(|h| h.hit.rule.name()).collect()
}

#[rstest]
#[case::access_key_in_env(format!("AWS_ACCESS_KEY_ID={}", akia("Z7Q2LMNB4XK5PW3R")), "aws-access-key-id")]
#[case::sts_key_quoted(format!("id: \"AS{}Z7Q2LMNB4XK5PW3R\"", "IA"), "aws-access-key-id")]
#[case::a3t_key(format!("k = A3{}Z7Q2LMNB4XK5PW3R", "TX"), "aws-access-key-id")]
#[case::secret_in_ini(format!("aws_secret_access_key = {SECRET}"), "aws-secret-access-key")]
#[case::secret_in_json(format!("\"SecretAccessKey\": \"{SECRET}\","), "aws-secret-access-key")]
#[case::secret_in_yaml(format!("  secretKey: {SECRET}"), "aws-secret-access-key")]
#[case::secret_in_go(format!("awsSecret := \"{SECRET}\""), "aws-secret-access-key")]
#[case::secret_in_escaped_json(format!(r#"body = "{{\"awsSecretAccessKey\":\"{SECRET}\"}}""#), "aws-secret-access-key")]
#[case::secret_with_escaped_slash(format!(r#"{{"SecretAccessKey":"{}"}}"#, SECRET.replace('4', "\\/")), "aws-secret-access-key")]
#[case::docker_auth(format!("\"auth\": \"{}\"", "ZGV2OnMzY3JldC1wYXNz"), "docker-config-auth")]
#[case::docker_auth_yaml(format!("    auth: {}", "ZGV2OnMzY3JldC1wYXNz"), "docker-config-auth")]
#[case::docker_auth_escaped(format!(r#"DOCKER_AUTH_CONFIG={{\"auths\":{{\"r.io\":{{\"auth\":\"{}\"}}}}}}"#, "ZGV2OnMzY3JldC1wYXNz"), "docker-config-auth")]
#[case::encoded_key_id(format!("  AWS_ACCESS_KEY_ID: {}", base64_encode(akia("Z7Q2LMNB4XK5PW3R").as_bytes())), "aws-access-key-id")]
#[case::encoded_secret(format!("  AWS_SECRET_ACCESS_KEY: {}", base64_encode(SECRET.as_bytes())), "aws-secret-access-key")]
fn finds_secret(#[case] line: String, #[case] rule: &str) {
    assert_eq!(rule_names(&line), [rule], "{line}");
}

#[rstest]
#[case::access_key_inside_longer_token(format!("X{}", akia("Z7Q2LMNB4XK5PW3RQ")))]
#[case::access_key_masked(format!("id = {}****", akia("Z7Q2LMNB4XK5PW3R")))]
#[case::access_key_of_x(format!("id = {}", akia(&"X".repeat(16))))]
#[case::hex_digest(format!("commit_key = \"{}\"", "da39a3ee5e6b4b0d3255bfef95601890afd80709"))]
#[case::longer_base64(format!("signing_key = \"{SECRET}QUJDREVGR0g=\""))]
#[case::padded_base64(format!("key: {}", "U29tZSBvdGhlciBiYXNlNjQgYmxvYiBoZXJlIQ=="))]
#[case::placeholder(format!("secret_key = {}", "x".repeat(40)))]
#[case::doc_secret_sample(format!("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCY{}", "SAMPLEKEY1"))]
#[case::doc_secret_fake(format!("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzz{}", "FAKEKEY"))]
#[case::no_assignment(format!("the value {SECRET} has no name"))]
#[case::pem_constant(format!("if line.starts_with(\"-----BEGIN RSA {}-----\") {{", "PRIVATE KEY"))]
#[case::pem_header_only(format!("-----BEGIN {}-----", "PRIVATE KEY"))]
#[case::pem_short_body(format!("\"key\": \"-----BEGIN {}-----\\nMIIEvQIBADAN\\n-----END PRIVATE KEY-----\"", "PRIVATE KEY"))]
#[case::public_key(format!("-----BEGIN {}-----", "PUBLIC KEY"))]
#[case::docker_auth_without_password(format!("\"auth\": \"{}\"", "ZGV2"))]
#[case::docker_identity_token_only("\"auth\": \"\"".to_owned())]
#[case::docker_dummy_empty_registry(format!("{{\"auths\":{{\"\":{{\"auth\":\"{}\"}}}}}}", base64_encode(b"user:password")))]
#[case::session_token_of_x(format!("aws_session_token = {}", "X".repeat(300)))]
fn ignores_look_alike(#[case] line: String) {
    assert!(rule_names(&line).is_empty(), "{line}");
}

#[test]
fn dummy_credentials_count_under_a_named_registry() {
    let line = format!(
        "{{\"auths\":{{\"reg.example.com\":{{\"auth\":\"{}\"}}}}}}",
        base64_encode(b"user:password")
    );
    assert_eq!(rule_names(&line), ["docker-config-auth"]);
    let real = format!(
        "{{\"auths\":{{\"\":{{\"auth\":\"{}\"}}}}}}",
        base64_encode(b"ci:Zq8-s3cret-Pa55")
    );
    assert_eq!(rule_names(&real), ["docker-config-auth"]);
}

#[test]
fn json_key_logins_are_found() {
    let key_file = "{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"abc\"\n}";
    let auth = base64_encode(format!("_json_key:{key_file}").as_bytes());
    let line = format!("{{\"auths\":{{\"gcr.io\":{{\"auth\":\"{auth}\"}}}}}}");
    assert_eq!(rule_names(&line), ["docker-config-auth"]);
}

#[test]
fn session_token_by_name_prefix_and_alone() {
    let token = format!(
        "FwoGZXIvYXdz{}",
        "EBcaDFq3nQ8vR2mT5kLp9xYhZjKa1b2c3d4e5f6g7h8i9j0".repeat(6)
    );
    assert_eq!(
        rule_names(&format!("aws_session_token = {token}")),
        ["aws-session-token"]
    );
    assert_eq!(
        rule_names(&format!("export T='{token}'")),
        ["aws-session-token"]
    );
    let other = format!(
        "IgoJb3JpZ2lu{}",
        "X2VjEJr//wEaCXVzLWVhc3QtMSJHMEUCIQDk7vT2mQ".repeat(8)
    );
    assert_eq!(
        rule_names(&format!("session: {other}")),
        ["aws-session-token"]
    );
    assert_eq!(
        rule_names(&format!("  \"SessionToken\": \"{other}\"")),
        ["aws-session-token"]
    );
    let doc = format!("FwoGZXIvYXdz{}", "EXAMPLEtokenBody0123456789+/".repeat(6));
    assert!(rule_names(&format!("aws_session_token = {doc}")).is_empty());
}

#[test]
fn dockerconfigjson_secret_is_decoded() {
    let json = format!(
        "{{\"auths\":{{\"123.dkr.ecr.us-east-1.amazonaws.com\":{{\"auth\":\"{}\"}}}}}}",
        "QVdTOnRva2VuLXZhbHVl"
    );
    let b64 = base64_encode(json.as_bytes());
    let rules = rules();
    let hits = rules.scan_line(format!("  .dockerconfigjson: {b64}").as_bytes());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, RuleId::DockerConfigAuth);
    // The value is the encoded text in the file, so fingerprints name what is there.
    assert_eq!(hits[0].value, b64.as_bytes());
    let empty = base64_encode(b"{\"auths\":{}}");
    assert!(rule_names(&format!("  .dockerconfigjson: {empty}")).is_empty());
    let password_only = base64_encode(
        format!(
            "{{\"auths\":{{\"r.io\":{{\"username\":\"ci\",\"pass{}\":\"Zq8-s3cret-Pa55\"}}}}}}",
            "word"
        )
        .as_bytes(),
    );
    assert_eq!(
        rule_names(&format!("  config.json: {password_only}")),
        ["docker-config-auth"]
    );
}

#[test]
fn private_keys_need_a_real_body() {
    let rsa = pem("RSA ", &rsa_der());
    assert_eq!(blob_rules(&rsa), ["private-key"]);
    let openssh = pem("OPENSSH ", &openssh_body());
    assert_eq!(blob_rules(&openssh), ["private-key"]);
    // OpenSSH header over a body that is not an OpenSSH key.
    assert!(blob_rules(&pem("OPENSSH ", &rsa_der())).is_empty());
    for body in ["anything", "xxx", "***", "...", "MIIEvQIBADAN", ""] {
        let text = format!(
            "-----BEGIN {}-----\n{body}\n-----END PRIVATE KEY-----\n",
            "PRIVATE KEY"
        );
        assert!(blob_rules(&text).is_empty(), "{body}");
    }
    let hand_made = format!(
        "-----BEGIN RSA {}-----\nMIIE{}\n",
        "PRIVATE KEY",
        "A".repeat(80)
    );
    assert!(blob_rules(&hand_made).is_empty());
}

#[test]
fn private_keys_in_strings_pieces_and_base64() {
    let rsa = pem("RSA ", &rsa_der());
    // JSON: one line with \n escapes.
    let json = format!("{{\"private_key\": \"{}\"}}\n", rsa.replace('\n', "\\n"));
    assert_eq!(blob_rules(&json), ["private-key"]);
    // Source: pieces joined with + across lines, the header a literal of its own.
    let mut pieces = String::from("const KEY = ");
    for (i, line) in rsa.lines().enumerate() {
        let sep = if i == 0 { "" } else { "    + " };
        pieces.push_str(&format!("{sep}\"{line}\\n\"\n"));
    }
    pieces.push_str(";\n");
    assert_eq!(blob_rules(&pieces), ["private-key"]);
    // Python: juxtaposed literals without \n.
    let mut python = String::from("KEY = (\n");
    for line in rsa.lines() {
        python.push_str(&format!("    '{line}'\n"));
    }
    python.push_str(")\n");
    assert_eq!(blob_rules(&python), ["private-key"]);
    // A whole PEM key base64-encoded in an env file.
    let env = format!("TLS_KEY={}\n", base64_encode(rsa.as_bytes()));
    assert!(env.starts_with("TLS_KEY=LS0tLS1CRUdJTi"));
    assert_eq!(blob_rules(&env), ["private-key"]);
    // A YAML block scalar.
    let yaml = format!(
        "tls.key: |\n{}",
        rsa.lines().map(|l| format!("  {l}\n")).collect::<String>()
    );
    assert_eq!(blob_rules(&yaml), ["private-key"]);
}

#[test]
fn a_key_is_reported_on_its_header_line_and_covers_its_body() {
    let rsa = pem("RSA ", &rsa_der());
    let blob = format!("a: 1\n{rsa}b: 2\n");
    let hits = rules().scan_blob(blob.as_bytes());
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].line, 2);
    let covered = &blob[hits[0].span.clone()];
    assert!(covered.starts_with("-----BEGIN RSA"), "{covered}");
    assert!(covered.trim_end().ends_with("-----"), "{covered}");
}

#[test]
fn kubernetes_secret_data_is_decoded() {
    let manifest = format!(
        "apiVersion: v1\nkind: Secret\ndata:\n  credentials: {}\n  region: {}\n",
        base64_encode(format!("[default]\naws_secret_access_key = {SECRET}\n").as_bytes()),
        base64_encode(b"eu-west-1"),
    );
    assert_eq!(blob_rules(&manifest), ["aws-secret-access-key"]);
    let clean = format!(
        "kind: Secret\ndata:\n  config: {}\n",
        base64_encode(b"log_level = debug\nlisten = 0.0.0.0:8080\nworkers = 4\n")
    );
    assert!(blob_rules(&clean).is_empty());
}

#[test]
fn custom_pattern_reports_group_one() {
    let rules = Rules::new(&[r"internal_token=(itk_[a-z0-9]{12})".to_owned()]).unwrap();
    let hits = rules.scan_line(b"internal_token=itk_abcdef123456 # x");
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule.name(), "custom-1");
    assert_eq!(hits[0].value, b"itk_abcdef123456");
    assert!(rules.may_hold_secret(b"a\ninternal_token=itk_abcdef123456\n"));
    assert!(!rules.may_hold_secret(b"a\ninternal_token=none\n"));
}

#[test]
fn generic_rule_is_off_unless_named() {
    let line = b"DB_PASSWORD=q8Vn2LrT5xWz9KcY";
    assert!(rules().scan_line(line).is_empty());
    let on = Rules::with_extra(&[], &["generic-secret".to_owned()]).unwrap();
    let hits = on.scan_line(line);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].rule, RuleId::GenericSecret);
    assert!(on.may_hold_secret(b"x\nDB_PASSWORD=q8Vn2LrT5xWz9KcY\n"));
    assert!(on.scan_line(b"DB_PASSWORD=${DB_PASSWORD}").is_empty());
    let err = Rules::with_extra(&[], &["everything".to_owned()]).unwrap_err();
    assert!(err.to_string().contains("generic-secret"), "{err}");
}

#[rstest]
#[case::empty("", "is empty")]
#[case::matches_everything("x*", "matches an empty line")]
#[case::syntax("(unclosed", "unclosed group")]
fn bad_custom_patterns_are_refused(#[case] pattern: &str, #[case] problem: &str) {
    let err = compile_custom(pattern).unwrap_err();
    assert!(err.contains(problem), "{err}");
}

#[test]
fn examples_marker_and_fingerprint_allow() {
    let rules = rules();
    let line = b"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE";
    // The documentation's key ID is not even a hit any more: it spells EXAMPLE.
    assert!(rules.scan_line(line).is_empty());

    let key = akia("Z7Q2LMNB4XK5PW3R");
    let line = format!("id = {key} # devk:allow test fixture");
    let hit = &rules.scan_line(line.as_bytes())[0];
    assert_eq!(
        Allowlist::default().allows(hit, line.as_bytes()),
        Some(Allowed::Marker)
    );

    let line = format!("id = {key}");
    let hit = &rules.scan_line(line.as_bytes())[0];
    assert_eq!(Allowlist::default().allows(hit, line.as_bytes()), None);
    let list = Allowlist::parse(&format!(
        "# fixtures\n\n{}   # the test key\n",
        hit.fingerprint()
    ));
    assert_eq!(list.len(), 1);
    assert_eq!(
        list.allows(hit, line.as_bytes()),
        Some(Allowed::Fingerprint)
    );
}

#[test]
fn entropy_separates_keys_from_digests() {
    assert!(entropy(SECRET.as_bytes()) > aws::SECRET_KEY_MIN_ENTROPY);
    assert!(entropy(b"da39a3ee5e6b4b0d3255bfef95601890afd80709") < 4.0);
}

#[test]
fn candidate_lines_are_each_line_once() {
    let rules = rules();
    let blob = format!("a\nkey key\n{}\nb\r\n", "Q".repeat(50));
    let lines: Vec<(usize, &[u8])> = rules.trigger_lines(blob.as_bytes()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0], (2, &b"key key"[..]));
    assert_eq!(lines[1].0, 3);
}
