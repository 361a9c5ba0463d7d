//! Table tests of the diagnosis on plain values.

use super::*;

const ECR: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/shop/api:1.4.0";
const ECR_HOST: &str = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";

fn pod_with(c: ContainerFacts) -> PodFacts {
    PodFacts {
        namespace: "shop".into(),
        name: "api-1".into(),
        phase: "Pending".into(),
        service_account: "api".into(),
        containers: vec![c],
        ..PodFacts::default()
    }
}

fn pulling(image: &str, message: &str) -> ContainerFacts {
    ContainerFacts {
        name: "api".into(),
        image: image.into(),
        waiting: Some(("ImagePullBackOff".into(), message.into())),
        ..ContainerFacts::default()
    }
}

fn secret(name: &str, expires_at: Option<i64>) -> SecretFacts {
    SecretFacts {
        name: name.into(),
        registries: vec![ECR_HOST.into()],
        expires_at,
    }
}

#[test]
fn ecr_without_any_pull_secret_says_to_refresh_for_the_exact_service_account() {
    let pod = pod_with(pulling(
        ECR,
        "Back-off pulling image: ErrImagePull: no basic auth credentials",
    ));
    let d = diagnose(&pod, &Knowledge::default());
    assert_eq!(d.cause, Cause::PullSecretMissing);
    assert!(
        d.summary
            .contains("`devk creds refresh -n shop --service-account api`"),
        "{}",
        d.summary
    );
    assert!(!d.running);
}

#[test]
fn an_expired_listed_secret_is_named_with_its_expiry() {
    let pod = pod_with(pulling(
        ECR,
        // Docker words it "pull access denied ... repository does not exist" too.
        "pull access denied for x, repository does not exist or may require 'docker login': denied: Your authorization token has expired.",
    ));
    let k = Knowledge {
        now: 1_800_000_000,
        secrets: vec![secret("devk-ecr", Some(1_700_000_000))],
        service_accounts: vec![("api".into(), vec!["devk-ecr".into()])],
        ..Knowledge::default()
    };
    let d = diagnose(&pod, &k);
    assert_eq!(d.cause, Cause::PullSecretExpired);
    assert!(
        d.summary.contains("devk-ecr") && d.summary.contains("2023-11-14"),
        "{}",
        d.summary
    );
}

#[test]
fn a_fresh_secret_the_service_account_does_not_list_is_reported_as_such() {
    let pod = pod_with(pulling(ECR, "no basic auth credentials"));
    let k = Knowledge {
        now: 1_700_000_000,
        secrets: vec![secret("devk-ecr", Some(1_800_000_000))],
        service_accounts: vec![("api".into(), vec![])],
        ..Knowledge::default()
    };
    let d = diagnose(&pod, &k);
    assert_eq!(d.cause, Cause::PullSecretNotListed);
    assert!(d.summary.contains("service account api"), "{}", d.summary);
}

#[test]
fn an_image_only_in_the_hosts_docker_gets_build_into_advice_and_pull_policy_advice() {
    let pod = pod_with(pulling(
        "shop/web:latest",
        "pull access denied for shop/web",
    ));
    let k = Knowledge {
        images: vec![ImageFacts {
            reference: "shop/web:latest".into(),
            in_local_docker: true,
            ..ImageFacts::default()
        }],
        minikube_profile: Some("minikube".into()),
        ..Knowledge::default()
    };
    let d = diagnose(&pod, &k);
    assert_eq!(d.cause, Cause::ImageOnlyLocal);
    assert!(
        d.summary.contains("devk build --into minikube"),
        "{}",
        d.summary
    );
    assert!(
        d.summary.contains("imagePullPolicy: IfNotPresent"),
        "{}",
        d.summary
    );
}

#[test]
fn a_tag_never_pushed_and_a_ci_only_registry_are_told_apart() {
    let image = "registry.example.com/web:9.9.9";
    let pod = pod_with(pulling(
        image,
        "manifest for registry.example.com/web:9.9.9 not found: manifest unknown",
    ));
    let d = diagnose(&pod, &Knowledge::default());
    assert_eq!(d.cause, Cause::ImageNotPushed);
    assert!(d.summary.contains("tag 9.9.9"), "{}", d.summary);
    let k = Knowledge {
        images: vec![ImageFacts {
            reference: image.into(),
            ci_only: true,
            ..ImageFacts::default()
        }],
        ..Knowledge::default()
    };
    let d = diagnose(&pod, &k);
    assert_eq!(d.cause, Cause::CiOnlyRegistry);
    assert!(d.summary.contains("kept for CI"), "{}", d.summary);
}

#[test]
fn oom_killed_names_the_limit_and_crash_loops_the_exit_code_and_last_lines() {
    let mut c = ContainerFacts {
        name: "model".into(),
        image: "r/x:1".into(),
        restarts: 7,
        waiting: Some(("CrashLoopBackOff".into(), "back-off 40s".into())),
        last_terminated: Some(Terminated {
            exit_code: 137,
            reason: "OOMKilled".into(),
            started_at: Some("2024-01-01T00:00:00Z".into()),
            finished_at: Some("2024-01-01T00:00:20Z".into()),
        }),
        memory_limit: Some("256Mi".into()),
        ..ContainerFacts::default()
    };
    let mut pod = pod_with(c.clone());
    pod.phase = "Running".into();
    let d = diagnose(&pod, &Knowledge::default());
    assert_eq!(d.cause, Cause::OomKilled);
    assert!(
        d.summary.contains("256Mi")
            && d.summary.contains("after 20s")
            && d.summary.contains("7 times"),
        "{}",
        d.summary
    );
    c.last_terminated = Some(Terminated {
        exit_code: 1,
        reason: "Error".into(),
        ..Terminated::default()
    });
    pod.containers = vec![c];
    let k = Knowledge {
        previous_logs: vec!["panic: config missing".into()],
        ..Knowledge::default()
    };
    let d = diagnose(&pod, &k);
    assert_eq!(d.cause, Cause::CrashLoop);
    assert!(
        d.summary.contains("exits with code 1 (Error)"),
        "{}",
        d.summary
    );
    assert_eq!(d.details, ["previous instance: panic: config missing"]);
}

#[test]
fn failed_scheduling_is_said_in_plain_words() {
    let mut pod = pod_with(ContainerFacts {
        name: "reports".into(),
        memory_request: Some("32Gi".into()),
        ..ContainerFacts::default()
    });
    pod.conditions = vec![(
        "PodScheduled".into(),
        "False".into(),
        "Unschedulable".into(),
        "0/2 nodes are available: 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.".into(),
    )];
    let d = diagnose(&pod, &Knowledge::default());
    assert_eq!(d.cause, Cause::Unschedulable);
    assert_eq!(
        d.summary,
        "is Pending because no node has enough free memory (it asks for 32Gi): lower its resources.requests, or give the cluster a bigger node (`minikube start --memory/--cpus`)"
    );
}

#[test]
fn a_running_ready_pod_is_fine_and_an_unready_one_quotes_its_probe() {
    let mut pod = pod_with(ContainerFacts {
        name: "app".into(),
        running: true,
        ready: true,
        ..ContainerFacts::default()
    });
    pod.phase = "Running".into();
    let d = diagnose(&pod, &Knowledge::default());
    assert!(d.running && d.cause == Cause::Running);
    pod.containers[0].ready = false;
    pod.events = vec![EventFacts {
        reason: "Unhealthy".into(),
        message: "Readiness probe failed: HTTP probe failed with statuscode: 503".into(),
        warning: true,
        count: 4,
    }];
    let d = diagnose(&pod, &Knowledge::default());
    assert_eq!(d.cause, Cause::NotReady);
    assert!(d.summary.contains("statuscode: 503 (4x)"), "{}", d.summary);
}
