//! Container lifecycles as pure functions of time: when each instance of a container starts
//! and stops (restarts, crash loops, completion). Nothing here is stored; the same plan and
//! clock always give the same answer, so logs and statuses agree with each other.

use super::scenario::CrashLoopSpec;
use super::util::{Nanos, stable_hex};

/// One run of a container (a restart makes a new instance with a new container id).
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// 0 for the first run; equals the restart count while it runs.
    pub index: u32,
    pub start: Nanos,
    /// When it exits, if it ever does (known in advance: the plan is deterministic).
    pub end: Option<Nanos>,
    pub exit_code: i32,
    /// `containerd://<64 hex digits>`.
    pub id: String,
}

impl Instance {
    /// The terminated reason the kubelet reports for this instance's exit.
    pub fn reason(&self, oom: bool) -> &'static str {
        match self.exit_code {
            0 => "Completed",
            _ if oom => "OOMKilled",
            _ => "Error",
        }
    }

    /// Whether the instance is still running at `now`.
    pub fn running_at(&self, now: Nanos) -> bool {
        now >= self.start && self.end.is_none_or(|e| now < e)
    }
}

/// How a container's runs are scheduled.
#[derive(Debug, Clone, PartialEq)]
pub enum Schedule {
    /// Runs until the pod goes away, restarting immediately at these absolute times.
    Restarts(Vec<Nanos>),
    /// Runs for `run_for`, exits, waits an exponential back-off, runs again.
    CrashLoop(CrashLoopSpec),
    /// Runs once for this long and exits 0 (init containers, Job pods).
    Once(Nanos),
}

/// The plan of one container.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub first_start: Nanos,
    pub schedule: Schedule,
    pub exit_code: i32,
    /// Whether runs end by the OOM killer (terminated reason OOMKilled).
    pub oom: bool,
    /// Seed for container ids (pod uid + container name).
    pub seed: String,
}

/// Where a container stands at a given time.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Timeline {
    /// Instances started so far (restartCount is `count - 1`).
    pub count: u32,
    /// The latest started instance (possibly exited).
    pub current: Option<Instance>,
    /// The instance before it.
    pub previous: Option<Instance>,
    /// When the next instance starts, if the current one has exited and another is due.
    pub next_start: Option<Nanos>,
}

impl Plan {
    fn instance(&self, index: u32, start: Nanos, end: Option<Nanos>, exit_code: i32) -> Instance {
        let id = stable_hex(&[&self.seed, &index.to_string()], 64);
        Instance {
            index,
            start,
            end,
            exit_code,
            id: format!("containerd://{id}"),
        }
    }

    /// The container's timeline at `now`.
    pub fn at(&self, now: Nanos) -> Timeline {
        if now < self.first_start {
            return Timeline::default();
        }
        match &self.schedule {
            Schedule::Once(d) => {
                let end = self.first_start + d;
                Timeline {
                    count: 1,
                    current: Some(self.instance(0, self.first_start, Some(end), 0)),
                    previous: None,
                    next_start: None,
                }
            }
            Schedule::Restarts(times) => {
                let mut starts = vec![self.first_start];
                starts.extend(times.iter().copied().filter(|t| *t > self.first_start));
                let count = starts.iter().filter(|s| **s <= now).count();
                let mk = |i: usize| {
                    let end = starts.get(i + 1).copied();
                    self.instance(i as u32, starts[i], end, self.exit_code)
                };
                Timeline {
                    count: count as u32,
                    current: Some(mk(count - 1)),
                    previous: (count >= 2).then(|| mk(count - 2)),
                    next_start: None,
                }
            }
            Schedule::CrashLoop(spec) => self.crash_loop_at(spec, now),
        }
    }

    fn crash_loop_at(&self, spec: &CrashLoopSpec, now: Nanos) -> Timeline {
        // Walk the doubling phase one instance at a time; once the back-off reaches its cap the
        // period is constant and the rest is arithmetic, so a pod that has crash-looped for
        // days costs no more than a young one.
        let mut index: u32 = 0;
        let mut start = self.first_start;
        let mut backoff = spec.backoff;
        let mut prev: Option<(Nanos, Nanos)> = None;
        loop {
            let end = start + spec.run_for;
            let next = end + backoff;
            if backoff >= spec.max_backoff && next <= now {
                let period = spec.run_for + spec.max_backoff;
                let skip = u32::try_from((now - next) / period).unwrap_or(u32::MAX / 2);
                if skip > 0 {
                    let base = next + Nanos::from(skip - 1) * period;
                    prev = Some((base, base + spec.run_for));
                    start = base + period;
                    index = index.saturating_add(skip).saturating_add(1);
                    continue;
                }
            }
            if next > now {
                let cur = self.instance(index, start, Some(end), spec.exit_code);
                let previous =
                    prev.map(|(s, e)| self.instance(index - 1, s, Some(e), spec.exit_code));
                return Timeline {
                    count: index + 1,
                    next_start: (now >= end).then_some(next),
                    current: Some(cur),
                    previous,
                };
            }
            prev = Some((start, end));
            start = next;
            index += 1;
            backoff = (backoff * 2).min(spec.max_backoff);
        }
    }

    /// The back-off the container is waiting out at `now`, if it is waiting.
    pub fn backoff_at(&self, now: Nanos) -> Option<Nanos> {
        let t = self.at(now);
        let (Some(next), Some(cur)) = (t.next_start, t.current) else {
            return None;
        };
        cur.end.map(|e| next - e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::SECOND;

    fn crash_plan() -> Plan {
        Plan {
            first_start: 0,
            schedule: Schedule::CrashLoop(CrashLoopSpec {
                run_for: 5 * SECOND,
                backoff: 10 * SECOND,
                max_backoff: 40 * SECOND,
                exit_code: 2,
                oom_killed: false,
            }),
            exit_code: 1,
            oom: false,
            seed: "p/c".into(),
        }
    }

    #[test]
    fn crash_loop_backs_off_exponentially_then_steadily() {
        let p = crash_plan();
        // runs [0,5) wait 10 -> [15,20) wait 20 -> [40,45) wait 40 -> [85,90) wait 40 -> [130,135)
        let t = p.at(3 * SECOND);
        assert_eq!((t.count, t.next_start), (1, None));
        let t = p.at(7 * SECOND);
        assert_eq!((t.count, t.next_start), (1, Some(15 * SECOND)));
        let t = p.at(41 * SECOND);
        assert_eq!(t.count, 3);
        assert_eq!(t.previous.map(|i| i.start), Some(15 * SECOND));
        let t = p.at(131 * SECOND);
        assert_eq!(t.count, 5);
        assert_eq!(t.current.as_ref().map(|i| i.start), Some(130 * SECOND));
        assert_eq!(
            t.previous.map(|i| (i.start, i.index)),
            Some((85 * SECOND, 3))
        );
        // Far in the future the closed form agrees with stepping.
        let t = p.at(130 * SECOND + 45 * SECOND * 100 + SECOND);
        assert_eq!(t.count, 105);
        assert_eq!(
            t.current.map(|i| i.start),
            Some(130 * SECOND + 45 * SECOND * 100)
        );
    }

    #[test]
    fn restarts_make_new_instances_with_new_ids() {
        let p = Plan {
            first_start: 0,
            schedule: Schedule::Restarts(vec![10 * SECOND]),
            exit_code: 137,
            oom: false,
            seed: "p/c".into(),
        };
        let before = p.at(5 * SECOND);
        let after = p.at(11 * SECOND);
        assert_eq!(before.count, 1);
        assert_eq!(after.count, 2);
        let prev = after.previous.clone();
        assert_eq!(
            prev.as_ref().map(|i| (i.end, i.exit_code)),
            Some((Some(10 * SECOND), 137))
        );
        assert_ne!(prev.map(|i| i.id), after.current.map(|i| i.id));
    }
}
