//! `devk doctor`: finds ways around the image push policy on this machine and says how to
//! close each one. Today it reads the Docker config (`$DOCKER_CONFIG/config.json` or
//! `~/.docker/config.json`): stored ECR logins in `auths`, a global `credsStore: ecr-login`,
//! and `credHelpers` that mint ECR tokens. Credentials are never printed.
//!
//! Exits 0 when nothing is found (or this is CI, where pushing to ECR is allowed), 6 when it
//! finds a way around the policy, and 10 when the Docker config cannot be read (an I/O error,
//! not UTF-8, not JSON).

use std::path::Path;

use super::output::{note, out};
use super::{Failure, Globals};
use crate::exit::Exit;
use crate::policy::{CiDetection, Env, PushRules, classify_registry, detect_ci};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

pub use super::output::TextOrJson as Format;

/// One way around the policy and how to close it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Where in the Docker config: `auths`, `credsStore` or `credHelpers`.
    pub key: String,
    /// The registry the entry is for (none for a global `credsStore`).
    pub registry: Option<String>,
    pub problem: String,
    pub fix: String,
}

#[derive(Debug, serde::Serialize)]
struct Report<'a> {
    docker_config: String,
    exists: bool,
    ci: &'a CiDetection,
    findings: &'a [Finding],
}

pub fn exec(args: Args, g: &Globals) -> Result<(), Failure> {
    let rules = super::policy::push_rules(g)?;
    let ci = detect_ci(&Env::from_process(), &rules.ci_systems);
    let path = crate::images::dockerconfig::config_path()
        .ok_or_else(|| Failure::new(Exit::Failure, "no home directory and no DOCKER_CONFIG"))?;
    let (exists, findings) = match std::fs::read_to_string(&path) {
        Ok(text) => (true, findings_in(&text, &path, &rules)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (false, Vec::new()),
        Err(e) => {
            return Err(Failure::new(
                Exit::Io,
                format!("cannot read Docker config {}: {e}", path.display()),
            ));
        }
    };
    let text = match args.output {
        Format::Json => {
            let report = Report {
                docker_config: path.display().to_string(),
                exists,
                ci: &ci,
                findings: &findings,
            };
            let mut s = serde_json::to_string_pretty(&report)
                .map_err(|e| Failure::new(Exit::Failure, e.to_string()))?;
            s.push('\n');
            s
        }
        Format::Text => text(&path, exists, &ci, &rules, &findings),
    };
    out(&text)?;
    if findings.is_empty() || ci.accepted.is_some() {
        Ok(())
    } else {
        Err(Failure::new(Exit::Refused, ""))
    }
}

fn text(
    path: &Path,
    exists: bool,
    ci: &CiDetection,
    rules: &PushRules,
    findings: &[Finding],
) -> String {
    let mut s = format!("Docker config: {}", path.display());
    if !exists {
        s.push_str(" (not found: nothing to check)");
    }
    s.push('\n');
    s.push_str(&format!("CI: {}\n", ci.describe(&rules.ci_systems)));
    if findings.is_empty() {
        s.push_str("ok: no way around the push policy found\n");
        return s;
    }
    for f in findings {
        s.push_str(&format!("\n! {}\n  fix: {}\n", f.problem, f.fix));
    }
    if ci.accepted.is_some() {
        s.push_str(&format!(
            "\n{} finding(s), expected on a CI machine, where pushing to ECR is allowed\n",
            findings.len()
        ));
    } else {
        s.push_str(&format!(
            "\n{} way(s) around the push policy: only CI pushes to ECR\n",
            findings.len()
        ));
        note("devk doctor: the push policy can be bypassed on this machine (see above)");
    }
    s
}

/// The findings in a Docker config's text; an unreadable file is an error (its message never
/// quotes the file's contents).
pub fn findings_in(text: &str, path: &Path, rules: &PushRules) -> Result<Vec<Finding>, Failure> {
    // Position only: serde_json's messages can quote a piece of the input, maybe a credential.
    // A file devk cannot read as a Docker config is exit 10, like one it cannot read at all.
    let doc: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        Failure::new(
            Exit::Io,
            format!(
                "{}: not valid JSON (error at line {} column {}); fix or move the file and run \
                 devk doctor again",
                path.display(),
                e.line(),
                e.column()
            ),
        )
    })?;
    Ok(findings(&doc, &path.display().to_string(), rules))
}

/// The registry host of an `auths`/`credHelpers` key (`https://host/v1/` -> `host`).
fn key_host(key: &str) -> &str {
    let rest = key.split_once("://").map_or(key, |(_, r)| r);
    rest.split('/').next().unwrap_or(rest)
}

fn is_ecr_login(helper: &str) -> bool {
    helper
        .trim()
        .to_ascii_lowercase()
        .trim_start_matches("docker-credential-")
        == "ecr-login"
}

/// Ways around the policy in a parsed Docker config.
pub fn findings(doc: &serde_json::Value, file: &str, rules: &PushRules) -> Vec<Finding> {
    let mut found = Vec::new();
    let creds_store = doc.get("credsStore").and_then(|v| v.as_str()).unwrap_or("");
    if is_ecr_login(creds_store) {
        found.push(Finding {
            key: "credsStore".into(),
            registry: None,
            problem: format!(
                "\"credsStore\": \"{creds_store}\" in {file}: every registry, ECR included, gets \
                 credentials from docker-credential-ecr-login, which turns this machine's AWS \
                 credentials into ECR push tokens"
            ),
            fix: format!(
                "remove \"credsStore\" from {file}, or set it to your platform's store (desktop, \
                 osxkeychain, wincred, pass, secretservice)"
            ),
        });
    }
    if let Some(auths) = doc.get("auths").and_then(|v| v.as_object()) {
        for (key, entry) in auths {
            let host = key_host(key);
            let kind = classify_registry(host, &rules.ci_only);
            if !kind.is_ci_only() {
                continue;
            }
            let stored = ["auth", "identitytoken", "password", "registrytoken"]
                .iter()
                .any(|f| {
                    entry
                        .get(f)
                        .and_then(|v| v.as_str())
                        .is_some_and(|v| !v.is_empty())
                });
            let where_ = if stored {
                format!("credentials stored in {file} (masked)")
            } else if creds_store.is_empty() {
                format!("an entry in {file}")
            } else {
                format!("credentials in the \"{creds_store}\" credential store")
            };
            found.push(Finding {
                key: "auths".into(),
                registry: Some(host.to_string()),
                problem: format!("a saved login for {host}, {kind}: {where_}"),
                fix: format!(
                    "docker logout {key}  (removes the saved login; CI logs in for itself)"
                ),
            });
        }
    }
    if let Some(helpers) = doc.get("credHelpers").and_then(|v| v.as_object()) {
        for (key, helper) in helpers {
            let helper = helper.as_str().unwrap_or("");
            let host = key_host(key);
            let kind = classify_registry(host, &rules.ci_only);
            let ecr_login = is_ecr_login(helper);
            if !ecr_login && !kind.is_ci_only() {
                continue;
            }
            let why = if ecr_login {
                "which turns this machine's AWS credentials into ECR push tokens".to_string()
            } else {
                format!("a credential helper for {kind}")
            };
            found.push(Finding {
                key: "credHelpers".into(),
                registry: Some(host.to_string()),
                problem: format!(
                    "\"credHelpers\": \"{key}\": \"{helper}\" in {file}: docker-credential-{helper}, {why}"
                ),
                fix: format!("remove the \"{key}\" entry from \"credHelpers\" in {file}"),
            });
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(json: &str) -> Vec<Finding> {
        let rules = PushRules::new(&["registry.corp.example".into()], &[]).unwrap();
        findings_in(json, Path::new("/h/.docker/config.json"), &rules).unwrap()
    }

    #[test]
    fn clean_config_has_no_findings() {
        let f = run(
            r#"{"auths":{"https://index.docker.io/v1/":{"auth":"dXNlcjpwYXNz"},"ghcr.io":{}},
            "credsStore":"desktop","credHelpers":{"gcr.io":"gcloud"}}"#,
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn finds_every_way_around_and_never_prints_credentials() {
        let secret = "QVdTOmV5SndZWGxzYjJGa0lqb2ljMlZqY21WMEluMD0=";
        let json = format!(
            r#"{{"auths":{{"123456789012.dkr.ecr.eu-west-1.amazonaws.com":{{"auth":"{secret}"}},
              "https://public.ecr.aws":{{}},
              "registry.corp.example":{{"identitytoken":"{secret}"}},
              "docker.io":{{"auth":"{secret}"}}}},
             "credsStore":"ecr-login",
             "credHelpers":{{"ghcr.io":"ecr-login","123456789012.dkr-ecr.us-east-1.on.aws":"desktop","quay.io":"pass"}}}}"#
        );
        let f = run(&json);
        let keys: Vec<(&str, Option<&str>)> = f
            .iter()
            .map(|f| (f.key.as_str(), f.registry.as_deref()))
            .collect();
        assert_eq!(
            keys,
            [
                ("credsStore", None),
                (
                    "auths",
                    Some("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
                ),
                ("auths", Some("public.ecr.aws")),
                ("auths", Some("registry.corp.example")),
                ("credHelpers", Some("ghcr.io")),
                ("credHelpers", Some("123456789012.dkr-ecr.us-east-1.on.aws")),
            ]
        );
        let all = format!("{f:?}");
        assert!(!all.contains(secret), "{all}");
        assert!(f[1].problem.contains("masked"), "{}", f[1].problem);
        assert!(f[1].fix.starts_with("docker logout "), "{}", f[1].fix);
        assert!(
            f[2].problem.contains("\"ecr-login\" credential store"),
            "{}",
            f[2].problem
        );
    }

    #[test]
    fn invalid_json_error_quotes_no_content() {
        let rules = PushRules::default();
        let e = findings_in("{\"auths\": SECRETSECRET", Path::new("/c.json"), &rules).unwrap_err();
        assert!(!e.message.contains("SECRET"), "{}", e.message);
        assert!(e.message.contains("line 1"), "{}", e.message);
    }
}
