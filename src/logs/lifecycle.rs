//! Why a log stream ended, decided from the pod's status (which the session's pod watch keeps
//! up to date), not by asking the API server again. A container that exited ends its stream:
//! that is not a disconnect. Either it will run again (devk says so once and waits for the
//! watch to show the new instance) or it is finished (the stream ends with a marker). Only a
//! stream whose container still runs is treated as cut and reconnected, with back-off.

use super::timestamp::Nanos;

/// How the kubelet treats a container that exits, for this container (init containers and
/// sidecars have their own rules; see [`RestartRule::for_container`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestartRule {
    Always,
    OnFailure,
    Never,
}

impl RestartRule {
    /// The rule for a container given the pod's `restartPolicy` and the container's own
    /// (`restartPolicy: Always` on an init container makes it a sidecar). A regular init
    /// container runs again only after a failure, whatever the pod's policy says.
    pub fn for_container(
        pod_policy: Option<&str>,
        container_policy: Option<&str>,
        init: bool,
    ) -> RestartRule {
        let pod = match pod_policy {
            Some("Never") => RestartRule::Never,
            Some("OnFailure") => RestartRule::OnFailure,
            _ => RestartRule::Always,
        };
        match (init, container_policy) {
            (true, Some("Always")) => RestartRule::Always,
            (true, _) if pod == RestartRule::Never => RestartRule::Never,
            (true, _) => RestartRule::OnFailure,
            (false, _) => pod,
        }
    }
}

/// How an instance of a container ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Termination {
    pub exit_code: i32,
    /// The kubelet's reason (`Error`, `Completed`, `OOMKilled`, ...).
    pub reason: Option<String>,
    pub finished_at: Option<Nanos>,
}

impl Termination {
    /// `exited (code 1, Error) at 2024-01-01T00:00:00Z`.
    pub fn describe(&self) -> String {
        let reason = self
            .reason
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(|r| format!(", {r}"))
            .unwrap_or_default();
        let verb = if self.exit_code == 0 {
            "completed"
        } else {
            "exited"
        };
        let at = self
            .finished_at
            .and_then(|t| jiff::Timestamp::from_nanosecond(i128::from(t)).ok())
            .map(|t| format!(" at {}", t.strftime("%Y-%m-%dT%H:%M:%SZ")))
            .unwrap_or_default();
        format!("{verb} (code {}{reason}){at}", self.exit_code)
    }
}

/// What the pod's status says about a container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerState {
    Running,
    Terminated(Termination),
    /// Waiting to (re)start; `last` is how the previous instance ended, if one ran
    /// (CrashLoopBackOff).
    Waiting {
        reason: Option<String>,
        last: Option<Termination>,
    },
    /// No status yet.
    Unknown,
}

/// A container as the latest pod status shows it: plain values converted from the API object
/// by the adapter, so this decision needs no kube types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub restarts: i32,
    pub state: ContainerState,
    pub rule: RestartRule,
    pub init: bool,
    /// The pod's phase is Succeeded or Failed: nothing in it runs again.
    pub pod_finished: bool,
    /// The pod's phase, for the end marker.
    pub phase: Option<String>,
}

impl Observed {
    /// True when the container has run (its log exists).
    pub fn started(&self) -> bool {
        self.restarts > 0
            || matches!(
                self.state,
                ContainerState::Running
                    | ContainerState::Terminated(_)
                    | ContainerState::Waiting { last: Some(_), .. }
            )
    }

    /// True when there is a previous (terminated) instance to read with `previous=true`.
    pub fn has_previous(&self) -> bool {
        self.restarts > 0
    }

    fn will_restart(&self, t: &Termination) -> bool {
        !self.pod_finished
            && match self.rule {
                RestartRule::Always => true,
                RestartRule::OnFailure => t.exit_code != 0,
                RestartRule::Never => false,
            }
    }
}

/// What a following stream does when the server ended its response cleanly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AfterEnd {
    /// A newer instance runs already: read it now.
    Restarted { restarts: i32 },
    /// The instance exited and another will start: say so once, then wait for the watch to
    /// show it, asking the API server nothing.
    WaitForRestart(Termination),
    /// The instance exited and nothing will run again: end the stream with a marker.
    Finished(Termination),
    /// The status says it still runs: the connection was probably cut (or the status is
    /// behind); reconnect after the back-off unless the status changes first.
    StillRunning,
}

/// Decides what the end of a stream that was reading instance `instance` (its restart count
/// when the stream connected) means, given the latest status.
pub fn after_end(seen: &Observed, instance: i32) -> AfterEnd {
    if seen.restarts > instance {
        return AfterEnd::Restarted {
            restarts: seen.restarts,
        };
    }
    let ended = match &seen.state {
        ContainerState::Terminated(t) => t,
        ContainerState::Waiting { last: Some(t), .. } => t,
        ContainerState::Running
        | ContainerState::Unknown
        | ContainerState::Waiting { last: None, .. } => return AfterEnd::StillRunning,
    };
    if seen.will_restart(ended) {
        AfterEnd::WaitForRestart(ended.clone())
    } else {
        AfterEnd::Finished(ended.clone())
    }
}

/// The marker shown once when a container exited and will run again.
pub fn waiting_marker(t: &Termination) -> String {
    format!("container {}; waiting for restart", t.describe())
}

/// The marker that ends the stream of a container that will not run again.
pub fn finished_marker(seen: &Observed, t: &Termination) -> String {
    let who = if seen.init {
        "init container"
    } else {
        "container"
    };
    let why = match seen.phase.as_deref() {
        Some(phase @ ("Succeeded" | "Failed")) if !seen.init => format!(" (pod {phase})"),
        _ => String::new(),
    };
    format!("{who} {}{why}; end of its log", t.describe())
}

/// The marker where a restarted container's new instance begins.
pub fn restarted_marker(restarts: i32) -> String {
    format!("container restarted (restart {restarts}); following the new instance")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn term(code: i32) -> Termination {
        Termination {
            exit_code: code,
            reason: Some(if code == 0 { "Completed" } else { "Error" }.into()),
            finished_at: Some(1_704_067_203_000_000_000),
        }
    }

    fn seen(restarts: i32, state: ContainerState, rule: RestartRule) -> Observed {
        Observed {
            restarts,
            state,
            rule,
            init: false,
            pod_finished: false,
            phase: Some("Running".into()),
        }
    }

    #[rstest]
    #[case::running_means_a_cut(
        ContainerState::Running,
        RestartRule::Always,
        AfterEnd::StillRunning
    )]
    #[case::crash_loop_back_off_waits(
        ContainerState::Waiting { reason: Some("CrashLoopBackOff".into()), last: Some(term(1)) },
        RestartRule::Always,
        AfterEnd::WaitForRestart(term(1))
    )]
    #[case::exited_under_always_waits(
        ContainerState::Terminated(term(1)),
        RestartRule::Always,
        AfterEnd::WaitForRestart(term(1))
    )]
    #[case::success_under_on_failure_is_final(
        ContainerState::Terminated(term(0)),
        RestartRule::OnFailure,
        AfterEnd::Finished(term(0))
    )]
    #[case::failure_under_on_failure_waits(
        ContainerState::Terminated(term(2)),
        RestartRule::OnFailure,
        AfterEnd::WaitForRestart(term(2))
    )]
    #[case::never_is_final(
        ContainerState::Terminated(term(1)),
        RestartRule::Never,
        AfterEnd::Finished(term(1))
    )]
    #[case::no_status_yet_is_a_cut(
        ContainerState::Unknown,
        RestartRule::Always,
        AfterEnd::StillRunning
    )]
    fn the_end_of_a_stream_is_read_from_the_status(
        #[case] state: ContainerState,
        #[case] rule: RestartRule,
        #[case] want: AfterEnd,
    ) {
        assert_eq!(after_end(&seen(3, state, rule), 3), want);
    }

    #[test]
    fn a_newer_instance_is_read_at_once() {
        let s = seen(4, ContainerState::Running, RestartRule::Always);
        assert_eq!(after_end(&s, 3), AfterEnd::Restarted { restarts: 4 });
    }

    #[test]
    fn nothing_restarts_in_a_finished_pod() {
        let mut s = seen(0, ContainerState::Terminated(term(1)), RestartRule::Always);
        s.pod_finished = true;
        s.phase = Some("Failed".into());
        assert_eq!(after_end(&s, 0), AfterEnd::Finished(term(1)));
        assert_eq!(
            finished_marker(&s, &term(1)),
            "container exited (code 1, Error) at 2024-01-01T00:00:03Z (pod Failed); end of its log"
        );
    }

    #[rstest]
    #[case::regular_init_runs_again_only_after_failure(
        Some("Always"),
        None,
        true,
        RestartRule::OnFailure
    )]
    #[case::sidecar_init_always(Some("Always"), Some("Always"), true, RestartRule::Always)]
    #[case::init_in_a_never_pod(Some("Never"), None, true, RestartRule::Never)]
    #[case::main_follows_the_pod(Some("OnFailure"), None, false, RestartRule::OnFailure)]
    #[case::default_is_always(None, None, false, RestartRule::Always)]
    fn restart_rules_follow_the_kubelet(
        #[case] pod: Option<&str>,
        #[case] container: Option<&str>,
        #[case] init: bool,
        #[case] want: RestartRule,
    ) {
        assert_eq!(RestartRule::for_container(pod, container, init), want);
    }

    #[test]
    fn markers_say_what_happened_once() {
        assert_eq!(
            waiting_marker(&term(1)),
            "container exited (code 1, Error) at 2024-01-01T00:00:03Z; waiting for restart"
        );
        let mut init = seen(
            0,
            ContainerState::Terminated(term(0)),
            RestartRule::OnFailure,
        );
        init.init = true;
        assert_eq!(after_end(&init, 0), AfterEnd::Finished(term(0)));
        assert_eq!(
            finished_marker(&init, &term(0)),
            "init container completed (code 0, Completed) at 2024-01-01T00:00:03Z; end of its log"
        );
    }
}
