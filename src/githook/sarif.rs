//! SARIF 2.1.0 output (`devk scan --format sarif`), for code scanning services. One run, the
//! built-in rules (and the custom ones that fired) as the driver's rules, one result per
//! finding with its file, line, masked value and fingerprint. Tests validate the output
//! against the OASIS schema.

use serde_json::{Value, json};

use super::report::Finding;
use super::rules::RuleId;

/// The SARIF schema URI producers put in `$schema`.
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

const BUILTIN: &[RuleId] = &[
    RuleId::AwsAccessKeyId,
    RuleId::AwsSecretAccessKey,
    RuleId::AwsSessionToken,
    RuleId::PrivateKey,
    RuleId::DockerConfigAuth,
    RuleId::GenericSecret,
];

/// The SARIF log for `findings` (already masked; nothing secret goes in).
pub fn render(findings: &[Finding]) -> Value {
    let mut rules: Vec<(String, String)> = BUILTIN
        .iter()
        .map(|r| (r.name(), r.description()))
        .collect();
    for f in findings {
        if !rules.iter().any(|(name, _)| *name == f.rule) {
            let description = f
                .rule
                .strip_prefix("custom-")
                .and_then(|n| n.parse::<usize>().ok())
                .map_or_else(
                    || format!("Rule {}.", f.rule),
                    |n| RuleId::Custom(n.saturating_sub(1)).description(),
                );
            rules.push((f.rule.clone(), description));
        }
    }
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let index = rules.iter().position(|(name, _)| *name == f.rule).unwrap_or(0);
            let short = &f.commit[..f.commit.len().min(10)];
            json!({
                "ruleId": f.rule,
                "ruleIndex": index,
                "level": "error",
                "message": {
                    "text": format!(
                        "{} {} (fingerprint {}) added in {short}: remove it from history and rotate it.",
                        f.rule, f.masked, f.fingerprint
                    )
                },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.path), "uriBaseId": "%SRCROOT%" },
                        "region": { "startLine": f.line.max(1) }
                    }
                }],
                "partialFingerprints": { "devk/v1": f.fingerprint },
                "properties": { "commit": f.commit, "masked": f.masked }
            })
        })
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "devk",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules.iter().map(|(name, description)| json!({
                        "id": name,
                        "name": name,
                        "shortDescription": { "text": description },
                        "defaultConfiguration": { "level": "error" },
                        "properties": { "tags": ["security", "secret"] }
                    })).collect::<Vec<_>>()
                }
            },
            "columnKind": "utf16CodeUnits",
            "results": results
        }]
    })
}

/// A relative URI reference for a repository path: `/` kept, everything outside RFC 3986's
/// unreserved characters percent-encoded (spaces, `#`, `%`, non-ASCII).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("src/a b#1.rs"), "src/a%20b%231.rs");
        assert_eq!(uri("ü.txt"), "%C3%BC.txt");
    }

    #[test]
    fn results_point_at_their_rule() {
        let f = Finding {
            commit: "a".repeat(40),
            path: "conf/app.env".into(),
            line: 2,
            rule: "custom-2".into(),
            masked: "itk_****".into(),
            fingerprint: "custom-2:00".into(),
        };
        let log = render(&[f]);
        let run = &log["runs"][0];
        let index = run["results"][0]["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], "custom-2");
        assert_eq!(
            run["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"],
            2
        );
    }
}
