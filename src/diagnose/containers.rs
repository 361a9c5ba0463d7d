//! One container's trouble: image pulls (see `pull`), crash loops with their last exit,
//! OOM kills against the memory limit, liveness kills, configuration errors.

use super::{Cause, ContainerFacts, Diagnosis, Knowledge, PodFacts, Terminated, diag};

fn what(c: &ContainerFacts) -> String {
    if c.init {
        format!("init container {}", c.name)
    } else {
        format!("container {}", c.name)
    }
}

/// How long an instance ran, from its RFC 3339 start and finish.
fn ran_for(t: &Terminated) -> Option<String> {
    let start = t.started_at.as_deref()?.parse::<jiff::Timestamp>().ok()?;
    let end = t.finished_at.as_deref()?.parse::<jiff::Timestamp>().ok()?;
    let secs = end.as_second() - start.as_second();
    Some(if secs < 120 {
        format!("{secs}s")
    } else {
        format!("{}m", secs / 60)
    })
}

fn restarts(c: &ContainerFacts) -> String {
    match c.restarts {
        0 => String::new(),
        1 => ", restarted once".into(),
        n => format!(", restarted {n} times"),
    }
}

fn previous_lines(k: &Knowledge) -> Vec<String> {
    k.previous_logs
        .iter()
        .map(|l| format!("previous instance: {l}"))
        .collect()
}

/// The diagnosis of container `c`, if it is what keeps the pod from running.
pub(super) fn container(pod: &PodFacts, c: &ContainerFacts, k: &Knowledge) -> Option<Diagnosis> {
    let (reason, message) = c
        .waiting
        .as_ref()
        .map(|(r, m)| (r.as_str(), m.as_str()))
        .unwrap_or(("", ""));
    match reason {
        "ErrImagePull" | "ImagePullBackOff" => {
            return Some(super::pull::image_pull(pod, c, k, message));
        }
        "ErrImageNeverPull" => {
            return Some(diag(
                pod,
                false,
                Cause::ImageNeverPull,
                format!(
                    "{} has imagePullPolicy Never and the node does not have {}: load it into the cluster (`devk build --into minikube`, or `minikube image load {}`)",
                    what(c),
                    c.image,
                    c.image
                ),
                vec![message.to_string()],
            ));
        }
        "CreateContainerConfigError"
        | "CreateContainerError"
        | "InvalidImageName"
        | "RunContainerError" => {
            return Some(diag(
                pod,
                false,
                Cause::ConfigError,
                format!("{} cannot start ({reason}): {message}", what(c)),
                Vec::new(),
            ));
        }
        _ => {}
    }
    let crashing = reason == "CrashLoopBackOff";
    let failed_once = c.terminated.as_ref().is_some_and(|t| t.exit_code != 0);
    if !crashing && !failed_once {
        return None;
    }
    let last = if crashing {
        c.last_terminated.clone().or_else(|| c.terminated.clone())
    } else {
        c.terminated.clone()
    }
    .unwrap_or_default();
    let ran = ran_for(&last)
        .map(|d| format!(" after {d}"))
        .unwrap_or_default();
    let liveness = pod
        .events
        .iter()
        .rev()
        .find(|e| e.reason == "Unhealthy" && e.message.starts_with("Liveness"));
    let details = previous_lines(k);
    let d = if last.reason == "OOMKilled" {
        let limit = c
            .memory_limit
            .as_deref()
            .map(|l| format!("its memory limit of {l}"))
            .unwrap_or_else(|| "the memory the node had (no limit set)".into());
        diag(
            pod,
            false,
            Cause::OomKilled,
            format!(
                "{} was OOMKilled{ran}: it used more than {limit} (exit code {}){}; raise resources.limits.memory or find what grows",
                what(c),
                last.exit_code,
                restarts(c)
            ),
            details,
        )
    } else if let Some(e) = liveness.filter(|_| last.exit_code == 137 || last.exit_code == 143) {
        diag(
            pod,
            false,
            Cause::LivenessKills,
            format!(
                "{} is killed by its liveness probe ({}){}; the app stops answering it — check the probe's path, port and initialDelaySeconds",
                what(c),
                e.message,
                restarts(c)
            ),
            details,
        )
    } else if last.exit_code == 0 && crashing {
        diag(
            pod,
            false,
            Cause::ExitsZero,
            format!(
                "{} exits 0 (Completed){ran} and restartPolicy Always starts it again{}: a Deployment's container must keep running; run one-off work as a Job",
                what(c),
                restarts(c)
            ),
            details,
        )
    } else {
        let reason = if last.reason.is_empty() {
            String::new()
        } else {
            format!(" ({})", last.reason)
        };
        let backoff = if crashing {
            ", now in CrashLoopBackOff"
        } else {
            ""
        };
        diag(
            pod,
            false,
            Cause::CrashLoop,
            format!(
                "{} exits with code {}{reason}{ran}{}{backoff}; see why in its last lines (`kubectl logs --previous {} -c {}`)",
                what(c),
                last.exit_code,
                restarts(c),
                pod.name,
                c.name
            ),
            details,
        )
    };
    Some(d)
}
