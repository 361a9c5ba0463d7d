//! Is this a CI environment? Recognised from the variables CI systems set (`CI=true` and the
//! markers of common systems), read from a snapshot of the environment so that the decision is
//! a pure function. `policy.ci_systems` in devk.toml can narrow the systems accepted.

use std::collections::BTreeMap;
use std::fmt;

/// A CI system devk recognises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CiSystem {
    Jenkins,
    Github,
    Gitlab,
    Buildkite,
    Codebuild,
    Circleci,
    Azure,
    /// Any system that sets `CI=true`.
    Generic,
}

impl CiSystem {
    /// Every system, specific ones first (the order detection reports them in).
    pub const ALL: [CiSystem; 8] = [
        CiSystem::Jenkins,
        CiSystem::Github,
        CiSystem::Gitlab,
        CiSystem::Buildkite,
        CiSystem::Codebuild,
        CiSystem::Circleci,
        CiSystem::Azure,
        CiSystem::Generic,
    ];

    /// The name used in `policy.ci_systems`.
    pub fn name(self) -> &'static str {
        match self {
            CiSystem::Jenkins => "jenkins",
            CiSystem::Github => "github",
            CiSystem::Gitlab => "gitlab",
            CiSystem::Buildkite => "buildkite",
            CiSystem::Codebuild => "codebuild",
            CiSystem::Circleci => "circleci",
            CiSystem::Azure => "azure",
            CiSystem::Generic => "generic",
        }
    }

    /// The system's display name.
    pub fn title(self) -> &'static str {
        match self {
            CiSystem::Jenkins => "Jenkins",
            CiSystem::Github => "GitHub Actions",
            CiSystem::Gitlab => "GitLab CI",
            CiSystem::Buildkite => "Buildkite",
            CiSystem::Codebuild => "AWS CodeBuild",
            CiSystem::Circleci => "CircleCI",
            CiSystem::Azure => "Azure Pipelines",
            CiSystem::Generic => "a CI system",
        }
    }

    /// The variables that mark the system, as the user would check them.
    pub fn marker(self) -> &'static str {
        match self {
            CiSystem::Jenkins => "JENKINS_URL and BUILD_ID set",
            CiSystem::Github => "GITHUB_ACTIONS=true",
            CiSystem::Gitlab => "GITLAB_CI=true",
            CiSystem::Buildkite => "BUILDKITE=true",
            CiSystem::Codebuild => "CODEBUILD_BUILD_ID set",
            CiSystem::Circleci => "CIRCLECI=true",
            CiSystem::Azure => "TF_BUILD=True",
            CiSystem::Generic => "CI=true",
        }
    }

    /// The system named `name` (case-insensitive), or an error listing the known names.
    pub fn from_name(name: &str) -> Result<CiSystem, String> {
        let lower = name.trim().to_ascii_lowercase();
        CiSystem::ALL
            .into_iter()
            .find(|s| s.name() == lower)
            .ok_or_else(|| {
                format!(
                    "`{name}` is not a CI system devk knows; use one of {}",
                    CiSystem::ALL.map(CiSystem::name).join(", ")
                )
            })
    }

    fn present(self, env: &Env) -> bool {
        match self {
            CiSystem::Jenkins => env.set("JENKINS_URL") && env.set("BUILD_ID"),
            CiSystem::Github => env.is_true("GITHUB_ACTIONS"),
            CiSystem::Gitlab => env.is_true("GITLAB_CI"),
            CiSystem::Buildkite => env.is_true("BUILDKITE"),
            CiSystem::Codebuild => env.set("CODEBUILD_BUILD_ID"),
            CiSystem::Circleci => env.is_true("CIRCLECI"),
            CiSystem::Azure => env.is_true("TF_BUILD"),
            CiSystem::Generic => env.is_true("CI"),
        }
    }
}

impl fmt::Display for CiSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The variables CI detection reads.
const CI_VARS: &[&str] = &[
    "CI",
    "JENKINS_URL",
    "BUILD_ID",
    "GITHUB_ACTIONS",
    "GITLAB_CI",
    "BUILDKITE",
    "CODEBUILD_BUILD_ID",
    "CIRCLECI",
    "TF_BUILD",
];

/// A snapshot of the environment variables that decisions read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    vars: BTreeMap<String, String>,
}

impl Env {
    /// A snapshot from (name, value) pairs.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Env {
        Env {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        }
    }

    /// The CI variables of the running process (non-UTF-8 values read lossily).
    pub fn from_process() -> Env {
        Env::from_pairs(CI_VARS.iter().filter_map(|name| {
            std::env::var_os(name).map(|v| (*name, v.to_string_lossy().into_owned()))
        }))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str)
    }

    /// Set to something other than blank.
    fn set(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| !v.trim().is_empty())
    }

    /// `true` in any case (Azure writes `True`) or `1`.
    fn is_true(&self, name: &str) -> bool {
        self.get(name)
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true") || v.trim() == "1")
    }
}

/// What CI detection found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CiDetection {
    /// Every system whose markers are present, specific systems first.
    pub detected: Vec<CiSystem>,
    /// The first detected system that `policy.ci_systems` accepts; `None` means "not CI" for
    /// the policy.
    pub accepted: Option<CiSystem>,
}

impl CiDetection {
    /// One line for messages: "CI (Jenkins: JENKINS_URL and BUILD_ID set)", or why not.
    pub fn describe(&self, allowed: &[CiSystem]) -> String {
        match (self.accepted, self.detected.first()) {
            (Some(s), _) => format!("this is CI ({}: {})", s.title(), s.marker()),
            (None, None) => {
                "this is not a CI environment (neither CI=true nor a known CI system's markers \
                 are set)"
                    .to_string()
            }
            (None, Some(_)) => format!(
                "{} detected, but policy.ci_systems accepts only {}",
                self.detected
                    .iter()
                    .map(|s| format!("{} ({})", s.title(), s.marker()))
                    .collect::<Vec<_>>()
                    .join(" and "),
                allowed
                    .iter()
                    .map(|s| s.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }
}

/// Detects CI in `env`; `allowed` narrows the systems accepted (empty = any recognised one).
pub fn detect_ci(env: &Env, allowed: &[CiSystem]) -> CiDetection {
    let detected: Vec<CiSystem> = CiSystem::ALL
        .into_iter()
        .filter(|s| s.present(env))
        .collect();
    let accepted = detected
        .iter()
        .copied()
        .find(|s| allowed.is_empty() || allowed.contains(s));
    CiDetection { detected, accepted }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case::nothing(&[], &[], None)]
    #[case::ci_true(&[("CI", "true")], &[], Some(CiSystem::Generic))]
    #[case::ci_one(&[("CI", "1")], &[], Some(CiSystem::Generic))]
    #[case::ci_false(&[("CI", "false")], &[], None)]
    #[case::ci_empty(&[("CI", "")], &[], None)]
    #[case::jenkins(&[("JENKINS_URL", "https://ci/"), ("BUILD_ID", "42")], &[], Some(CiSystem::Jenkins))]
    #[case::jenkins_url_alone(&[("JENKINS_URL", "https://ci/")], &[], None)]
    #[case::build_id_alone(&[("BUILD_ID", "42")], &[], None)]
    #[case::github(&[("GITHUB_ACTIONS", "true"), ("CI", "true")], &[], Some(CiSystem::Github))]
    #[case::gitlab(&[("GITLAB_CI", "true")], &[], Some(CiSystem::Gitlab))]
    #[case::buildkite(&[("BUILDKITE", "true")], &[], Some(CiSystem::Buildkite))]
    #[case::codebuild(&[("CODEBUILD_BUILD_ID", "proj:abc")], &[], Some(CiSystem::Codebuild))]
    #[case::circleci(&[("CIRCLECI", "true")], &[], Some(CiSystem::Circleci))]
    #[case::azure(&[("TF_BUILD", "True")], &[], Some(CiSystem::Azure))]
    #[case::only_jenkins_rejects_github(&[("GITHUB_ACTIONS", "true")], &[CiSystem::Jenkins], None)]
    #[case::only_jenkins_rejects_ci_true(&[("CI", "true")], &[CiSystem::Jenkins], None)]
    #[case::only_jenkins_accepts_jenkins(&[("JENKINS_URL", "u"), ("BUILD_ID", "1")], &[CiSystem::Jenkins], Some(CiSystem::Jenkins))]
    #[case::generic_accepts_github_with_ci_true(&[("GITHUB_ACTIONS", "true"), ("CI", "true")], &[CiSystem::Generic], Some(CiSystem::Generic))]
    fn detects_ci(
        #[case] vars: &[(&str, &str)],
        #[case] allowed: &[CiSystem],
        #[case] want: Option<CiSystem>,
    ) {
        let d = detect_ci(&Env::from_pairs(vars.iter().copied()), allowed);
        assert_eq!(d.accepted, want, "{d:?}");
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_the_known_ones() {
        for s in CiSystem::ALL {
            assert_eq!(CiSystem::from_name(s.name()), Ok(s));
        }
        assert_eq!(CiSystem::from_name("Jenkins"), Ok(CiSystem::Jenkins));
        let e = CiSystem::from_name("travis").unwrap_err();
        assert!(e.contains("jenkins, github, gitlab"), "{e}");
    }

    #[test]
    fn narrowed_out_detection_says_what_was_found_and_what_is_accepted() {
        let d = detect_ci(
            &Env::from_pairs([("GITHUB_ACTIONS", "true")]),
            &[CiSystem::Jenkins],
        );
        let text = d.describe(&[CiSystem::Jenkins]);
        assert!(text.contains("GitHub Actions"), "{text}");
        assert!(text.contains("accepts only jenkins"), "{text}");
    }
}
