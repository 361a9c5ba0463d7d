//! "Only CI pushes to ECR": the decision every image push goes through before a byte leaves the
//! machine. Pure: the caller passes the reference, the other tags the Docker engine knows for
//! the same image ID, a snapshot of the environment and the rules from config.

use super::ci::{CiDetection, CiSystem, Env, detect_ci};
use super::glob::Glob;
use super::image_ref::{ImageRef, RefError};
use super::registry::{RegistryKind, classify_registry};

/// Why images for ECR come only from CI; part of every refusal.
pub const WHY_CI_ONLY: &str = "images for UAT and production are built and pushed by CI";

/// The rules a push decision depends on (from `[policy]` in config).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushRules {
    /// Registry hosts (`host` or `host:port` globs) treated like ECR.
    pub ci_only: Vec<Glob>,
    /// CI systems accepted as CI; empty = any recognised system.
    pub ci_systems: Vec<CiSystem>,
}

impl PushRules {
    /// Rules from `policy.ci_only_registries` and `policy.ci_systems`; an unknown system name
    /// is an error (config checks report it first, with its origin).
    pub fn new(ci_only_registries: &[String], ci_systems: &[String]) -> Result<PushRules, String> {
        Ok(PushRules {
            ci_only: ci_only_registries.iter().map(|p| Glob::new(p)).collect(),
            ci_systems: ci_systems
                .iter()
                .map(|n| CiSystem::from_name(n))
                .collect::<Result<_, _>>()?,
        })
    }
}

/// A push decision, with the rule that made it, why, and what to do instead when refused.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PushDecision {
    pub allowed: bool,
    /// A stable rule ID: `ecr-ci-only`, `ci-only-registry` or `unrestricted`.
    pub rule: String,
    /// The rule in words ("only CI pushes to ECR").
    pub rule_summary: String,
    pub why: String,
    /// What to do instead; empty when allowed.
    pub advice: String,
    /// The reference asked about, fully qualified.
    pub reference: String,
    /// The reference that decided: the one asked about, or another tag of the same image.
    pub decided_by: String,
    /// The kind of `decided_by`'s registry.
    pub registry: RegistryKind,
    pub ci: CiDetection,
}

impl PushDecision {
    /// One paragraph for an error line: rule, why and what to do instead.
    pub fn message(&self) -> String {
        let verdict = if self.allowed { "allowed" } else { "refused" };
        let mut s = format!(
            "push of {} {verdict} by rule `{}` ({}): {}",
            self.reference, self.rule, self.rule_summary, self.why
        );
        if !self.advice.is_empty() {
            s.push_str("\nInstead: ");
            s.push_str(&self.advice);
        }
        s
    }
}

/// Decides whether `reference` may be pushed here. `other_tags` are the other tags of the same
/// image ID: a push is refused when any of them is in a CI-only registry too, since the same
/// bytes would then be one `docker push` away from ECR.
pub fn decide_push(
    reference: &ImageRef,
    other_tags: &[ImageRef],
    env: &Env,
    rules: &PushRules,
) -> PushDecision {
    let ci = detect_ci(env, &rules.ci_systems);
    let restricted = std::iter::once(reference)
        .chain(other_tags)
        .map(|r| (r, classify_registry(r.registry(), &rules.ci_only)))
        .find(|(_, kind)| kind.is_ci_only());
    let Some((decider, kind)) = restricted else {
        let kind = classify_registry(reference.registry(), &rules.ci_only);
        let why = format!(
            "{} is {kind}; only pushes to ECR and to policy.ci_only_registries are limited to CI{}",
            reference.registry(),
            if other_tags.is_empty() {
                String::new()
            } else {
                ", and no other tag of the image is in one".to_string()
            }
        );
        return PushDecision {
            allowed: true,
            rule: "unrestricted".into(),
            rule_summary: "pushes outside ECR and CI-only registries are not limited".into(),
            why,
            advice: String::new(),
            reference: reference.to_string(),
            decided_by: reference.to_string(),
            registry: kind,
            ci,
        };
    };
    let (rule, rule_summary) = if kind.is_ecr() {
        ("ecr-ci-only", "only CI pushes to ECR")
    } else {
        (
            "ci-only-registry",
            "only CI pushes to registries in policy.ci_only_registries",
        )
    };
    let via_other = decider != reference;
    let target = if via_other {
        format!(
            "the image is also tagged {decider}, and {} is {kind}",
            decider.registry()
        )
    } else {
        format!("{} is {kind}", decider.registry())
    };
    let ci_text = ci.describe(&rules.ci_systems);
    let allowed = ci.accepted.is_some();
    let (why, advice) = if allowed {
        (format!("{target}, and {ci_text}"), String::new())
    } else {
        (
            format!("{target}, and {ci_text}; {WHY_CI_ONLY}"),
            advice(reference, via_other.then_some(decider)),
        )
    };
    PushDecision {
        allowed,
        rule: rule.into(),
        rule_summary: rule_summary.into(),
        why,
        advice,
        reference: reference.to_string(),
        decided_by: decider.to_string(),
        registry: kind,
        ci,
    }
}

/// `decide_push` on text references. Tags the engine reports for untagged images
/// (`<none>:<none>`) are skipped; any other unreadable reference is an error, never a pass.
pub fn decide_push_str(
    reference: &str,
    other_tags: &[String],
    env: &Env,
    rules: &PushRules,
) -> Result<PushDecision, RefError> {
    let reference = ImageRef::parse(reference)?;
    let others = other_tags
        .iter()
        .filter(|t| !t.starts_with("<none>"))
        .map(|t| ImageRef::parse(t))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(decide_push(&reference, &others, env, rules))
}

fn advice(reference: &ImageRef, ci_only_tag: Option<&ImageRef>) -> String {
    let mut steps = Vec::new();
    if let Some(tag) = ci_only_tag {
        // The reference itself may be pushed; only the other tag stands in the way.
        steps.push(format!(
            "remove the CI-only tag (`docker rmi {tag}` removes only that tag, not the image), then push as before (`devk push {reference}`)"
        ));
    } else {
        let short = format!("{}:{}", reference.path(), reference.tag_or_latest());
        let local = format!("localhost:5000/{short}");
        steps.push(format!(
            "load the image into your local cluster (`minikube image load {reference}` or \
             `kind load docker-image {reference}`)"
        ));
        steps.push(format!(
            "or push it to a local registry (`docker tag {reference} {local} && docker push {local}`)"
        ));
    }
    steps.push(
        "to get it into ECR, push your commit and let the CI pipeline build and push it".into(),
    );
    steps.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
    const DIGEST: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    /// Where a reference's push is limited to CI (`Ci`) or free (`Free`).
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Want {
        Ci,
        Free,
    }

    fn rules() -> PushRules {
        PushRules::new(
            &["registry.corp.example".into(), "*.ci-only.test".into()],
            &[],
        )
        .unwrap()
    }

    fn no_ci() -> Env {
        Env::default()
    }

    fn jenkins() -> Env {
        Env::from_pairs([
            ("JENKINS_URL", "https://jenkins.example/"),
            ("BUILD_ID", "7"),
        ])
    }

    #[rstest]
    // ECR private, every form.
    #[case::ecr_tag("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1.0", Want::Ci)]
    #[case::ecr_no_tag("123456789012.dkr.ecr.eu-west-1.amazonaws.com/app", Want::Ci)]
    #[case::ecr_nested_path(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/svc/api:v2",
        Want::Ci
    )]
    #[case::ecr_upper("123456789012.DKR.ECR.EU-WEST-1.AMAZONAWS.COM/app:1", Want::Ci)]
    #[case::ecr_mixed_case("123456789012.Dkr.Ecr.us-east-1.AmazonAWS.com/app:1", Want::Ci)]
    #[case::ecr_port("123456789012.dkr.ecr.eu-west-1.amazonaws.com:443/app:1", Want::Ci)]
    #[case::ecr_digest(&format!("{ECR}/app@{DIGEST}"), Want::Ci)]
    #[case::ecr_tag_and_digest(&format!("{ECR}/app:1@{DIGEST}"), Want::Ci)]
    #[case::ecr_china("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1", Want::Ci)]
    #[case::ecr_china_ningxia(
        "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/app:1",
        Want::Ci
    )]
    #[case::ecr_fips(
        "123456789012.dkr.ecr-fips.us-gov-west-1.amazonaws.com/app:1",
        Want::Ci
    )]
    #[case::ecr_fips_commercial(
        "123456789012.dkr.ecr-fips.us-east-2.amazonaws.com/app:1",
        Want::Ci
    )]
    #[case::ecr_dual_stack("123456789012.dkr-ecr.eu-west-1.on.aws/app:1", Want::Ci)]
    #[case::ecr_dual_stack_fips("123456789012.dkr-ecr-fips.us-east-1.on.aws/app:1", Want::Ci)]
    #[case::ecr_dual_stack_upper_port("123456789012.DKR-ECR.EU-WEST-1.ON.AWS:443/app", Want::Ci)]
    #[case::ecr_vpc_endpoint(
        "vpce-0a1b2c3d-ef45.dkr.ecr.us-east-1.vpce.amazonaws.com/app:1",
        Want::Ci
    )]
    // Every other partition (each of these was pushable from a laptop before the SDK table).
    #[case::ecr_iso_c2s("123456789012.dkr.ecr.us-iso-east-1.c2s.ic.gov/app:1", Want::Ci)]
    #[case::ecr_iso_b_sc2s("123456789012.dkr.ecr.us-isob-east-1.sc2s.sgov.gov/app:1", Want::Ci)]
    #[case::ecr_iso_e_adc("123456789012.dkr.ecr.eu-isoe-west-1.cloud.adc-e.uk/app:1", Want::Ci)]
    #[case::ecr_iso_f_hci(
        "123456789012.dkr.ecr-fips.us-isof-south-1.csp.hci.ic.gov/app",
        Want::Ci
    )]
    #[case::ecr_sovereign_cloud("123456789012.dkr.ecr.eusc-de-east-1.amazonaws.eu/app:1", Want::Ci)]
    #[case::ecr_sovereign_dual_stack(
        "123456789012.dkr-ecr.eusc-de-east-1.on.amazonwebservices.eu/app:1",
        Want::Ci
    )]
    #[case::ecr_china_dual_stack_api(
        "123456789012.dkr-ecr.cn-north-1.api.amazonwebservices.com.cn/app:1",
        Want::Ci
    )]
    #[case::ecr_iso_dual_stack("123456789012.dkr-ecr.us-iso-east-1.on.aws.ic.gov/app:1", Want::Ci)]
    #[case::ecr_public("public.ecr.aws/team/app:1", Want::Ci)]
    #[case::ecr_public_upper("PUBLIC.ECR.AWS/team/app:1", Want::Ci)]
    #[case::ecr_public_digest(&format!("public.ecr.aws/team/app@{DIGEST}"), Want::Ci)]
    #[case::ecr_public_port("public.ecr.aws:443/team/app", Want::Ci)]
    // CI-only registries from config.
    #[case::ci_only_exact("registry.corp.example/app:1", Want::Ci)]
    #[case::ci_only_upper_port("REGISTRY.CORP.EXAMPLE:5000/app:1", Want::Ci)]
    #[case::ci_only_glob("harbor.ci-only.test/app", Want::Ci)]
    // Look-alikes that are not ECR.
    #[case::lookalike_example("dkr.ecr.example.com/app:1", Want::Free)]
    #[case::lookalike_account_example(
        "123456789012.dkr.ecr.us-east-1.example.com/app:1",
        Want::Free
    )]
    #[case::lookalike_evil_suffix(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.io/app:1",
        Want::Free
    )]
    #[case::lookalike_amazonaws_evil("amazonaws.com.evil.io/app:1", Want::Free)]
    #[case::lookalike_no_dot("123456789012-dkr-ecr-us-east-1-amazonaws-com.io/app", Want::Free)]
    #[case::lookalike_public("public.ecr.aws.evil.io/app:1", Want::Free)]
    #[case::lookalike_public_prefix("notpublic-ecr.aws.example/app:1", Want::Free)]
    #[case::ecr_api_not_registry("api.ecr.us-east-1.amazonaws.com/app:1", Want::Free)]
    #[case::ecr_in_path_only(
        "ghcr.io/123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
        Want::Free
    )]
    #[case::ci_only_lookalike("registry.corp.example.evil.io/app", Want::Free)]
    // Everything else.
    #[case::docker_hub_bare("nginx", Want::Free)]
    #[case::docker_hub_tag("nginx:1.27", Want::Free)]
    #[case::docker_hub_user("team/app:1", Want::Free)]
    #[case::docker_hub_explicit("docker.io/library/nginx:1.27", Want::Free)]
    #[case::docker_hub_index("index.docker.io/team/app", Want::Free)]
    #[case::docker_hub_digest(&format!("nginx@{DIGEST}"), Want::Free)]
    #[case::ghcr("ghcr.io/org/app:1", Want::Free)]
    #[case::quay("quay.io/org/app:1", Want::Free)]
    #[case::localhost_port("localhost:5000/x", Want::Free)]
    #[case::localhost("localhost/app:dev", Want::Free)]
    #[case::loopback_v4("127.0.0.1:5000/app:dev", Want::Free)]
    #[case::loopback_v6("[::1]:5000/app:dev", Want::Free)]
    #[case::minikube_registry("192.168.49.2:5000/app:dev", Want::Free)]
    #[case::dot_local("registry.local:5000/app", Want::Free)]
    #[case::bare_localhost_is_docker_hub("localhost:5000", Want::Free)]
    fn push_table(#[case] reference: &str, #[case] want: Want) {
        let outside = decide_push_str(reference, &[], &no_ci(), &rules()).unwrap();
        let inside = decide_push_str(reference, &[], &jenkins(), &rules()).unwrap();
        assert!(inside.allowed, "in CI: {}", inside.message());
        match want {
            Want::Ci => {
                assert!(!outside.allowed, "outside CI: {}", outside.message());
                assert_ne!(outside.rule, "unrestricted");
                assert!(outside.why.contains(WHY_CI_ONLY), "{}", outside.why);
                assert!(outside.advice.contains("local"), "{}", outside.advice);
            }
            Want::Free => {
                assert!(outside.allowed, "outside CI: {}", outside.message());
                assert_eq!(outside.rule, "unrestricted");
            }
        }
    }

    #[rstest]
    #[case::none(&[], false)]
    #[case::ci_true(&[("CI", "true")], true)]
    #[case::ci_false(&[("CI", "false")], false)]
    #[case::jenkins_url_without_build(&[("JENKINS_URL", "https://j/")], false)]
    #[case::jenkins(&[("JENKINS_URL", "https://j/"), ("BUILD_ID", "1")], true)]
    #[case::github(&[("GITHUB_ACTIONS", "true")], true)]
    #[case::gitlab(&[("GITLAB_CI", "true")], true)]
    #[case::buildkite(&[("BUILDKITE", "true")], true)]
    #[case::codebuild(&[("CODEBUILD_BUILD_ID", "p:1")], true)]
    #[case::circleci(&[("CIRCLECI", "true")], true)]
    #[case::azure(&[("TF_BUILD", "True")], true)]
    fn ecr_push_is_allowed_exactly_in_ci(#[case] vars: &[(&str, &str)], #[case] allowed: bool) {
        let d = decide_push_str(
            &format!("{ECR}/app:1"),
            &[],
            &Env::from_pairs(vars.iter().copied()),
            &PushRules::default(),
        )
        .unwrap();
        assert_eq!(d.allowed, allowed, "{}", d.message());
        assert_eq!(d.rule, "ecr-ci-only");
    }

    #[rstest]
    #[case::jenkins_only_accepts_jenkins(&[("JENKINS_URL", "u"), ("BUILD_ID", "1"), ("CI", "true")], true)]
    #[case::jenkins_only_refuses_github(&[("GITHUB_ACTIONS", "true"), ("CI", "true")], false)]
    #[case::jenkins_only_refuses_ci_true(&[("CI", "true")], false)]
    fn ci_systems_narrows_what_counts_as_ci(#[case] vars: &[(&str, &str)], #[case] allowed: bool) {
        let rules = PushRules::new(&[], &["jenkins".into()]).unwrap();
        let d = decide_push_str(
            &format!("{ECR}/app:1"),
            &[],
            &Env::from_pairs(vars.iter().copied()),
            &rules,
        )
        .unwrap();
        assert_eq!(d.allowed, allowed, "{}", d.message());
        if !allowed {
            assert!(d.why.contains("accepts only jenkins"), "{}", d.why);
        }
    }

    #[rstest]
    #[case::ecr_second_tag(&["app:dev", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/app:1"], false)]
    #[case::ecr_public_second_tag(&["public.ecr.aws/t/app:1"], false)]
    #[case::ci_only_second_tag(&["registry.corp.example/app:1"], false)]
    #[case::only_free_tags(&["app:dev", "ghcr.io/o/app:1", "<none>:<none>"], true)]
    #[case::no_other_tags(&[], true)]
    fn a_second_tag_in_a_ci_only_registry_refuses_the_push(
        #[case] others: &[&str],
        #[case] allowed: bool,
    ) {
        let others: Vec<String> = others.iter().map(|s| s.to_string()).collect();
        let d = decide_push_str("localhost:5000/app:dev", &others, &no_ci(), &rules()).unwrap();
        assert_eq!(d.allowed, allowed, "{}", d.message());
        if !allowed {
            assert!(d.why.contains("also tagged"), "{}", d.why);
            assert!(d.advice.contains("docker rmi"), "{}", d.advice);
            assert_ne!(d.decided_by, d.reference);
            assert!(
                d.advice.contains("`devk push localhost:5000/app:dev`"),
                "{}",
                d.advice
            );
        }
        let in_ci =
            decide_push_str("localhost:5000/app:dev", &others, &jenkins(), &rules()).unwrap();
        assert!(in_ci.allowed);
    }

    #[test]
    fn refusal_names_rule_reason_and_local_alternatives() {
        let d = decide_push_str(&format!("{ECR}/team/app:1.2"), &[], &no_ci(), &rules()).unwrap();
        let m = d.message();
        assert!(
            m.contains("refused by rule `ecr-ci-only` (only CI pushes to ECR)"),
            "{m}"
        );
        assert!(m.contains("region eu-west-1"), "{m}");
        assert!(m.contains("not a CI environment"), "{m}");
        assert!(m.contains(WHY_CI_ONLY), "{m}");
        assert!(m.contains("minikube image load"), "{m}");
        assert!(m.contains("localhost:5000/team/app:1.2"), "{m}");
    }

    /// Advice never tells the user to tag an image to the name it already has.
    #[rstest]
    #[case::local_registry_with_ecr_tag("localhost:5000/app:dev", "public.ecr.aws/team/app:1")]
    #[case::loopback_with_ecr_tag("127.0.0.1:5000/app:dev", &format!("{ECR}/app:1"))]
    #[case::already_local_name("localhost:5000/team/app:1", "public.ecr.aws/team/app:1")]
    #[case::ecr_itself(&format!("{ECR}/app:1"), "ghcr.io/o/app:1")]
    fn advice_never_tags_an_image_to_its_own_name(#[case] reference: &str, #[case] other: &str) {
        let d = decide_push_str(reference, &[other.to_owned()], &no_ci(), &rules()).unwrap();
        assert!(!d.allowed);
        let tags: Vec<(&str, &str)> = d
            .advice
            .split("`docker tag ")
            .skip(1)
            .filter_map(|rest| {
                let words: Vec<&str> = rest.split_whitespace().take(2).collect();
                Some((*words.first()?, words.get(1)?.trim_end_matches('`')))
            })
            .collect();
        for (from, to) in tags {
            assert_ne!(from, to, "{}", d.advice);
        }
    }

    #[test]
    fn invalid_references_are_errors_not_passes() {
        assert!(decide_push_str("Not/Valid", &[], &no_ci(), &rules()).is_err());
        assert!(decide_push_str("nginx", &["bad tag".into()], &no_ci(), &rules()).is_err());
    }

    #[test]
    fn unknown_ci_system_name_is_an_error() {
        assert!(PushRules::new(&[], &["travis".into()]).is_err());
    }
}
