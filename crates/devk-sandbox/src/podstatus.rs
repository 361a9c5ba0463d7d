//! A simulated pod's status, computed from its container plans, pulls and the clock exactly
//! as a kubelet would report it (phase, conditions, container states with last states).

use serde_json::{Value, json};

use super::lifecycle::{Instance, Timeline};
use super::podsim::{ContainerSim, PodSim, STARTUP};
use super::quantity::{parse_cpu, parse_memory};
use super::util::{Nanos, SECOND, rfc3339, stable_hex};

fn terminated(i: &Instance, oom: bool) -> Value {
    json!({"terminated": {
        "exitCode": i.exit_code,
        "reason": i.reason(oom),
        "startedAt": rfc3339(i.start),
        "finishedAt": i.end.map(rfc3339),
        "containerID": i.id,
    }})
}

/// A container's status entry and whether it is ready, at `now`.
fn container_status(
    pod: &PodSim,
    c: &ContainerSim,
    t: &Timeline,
    now: Nanos,
    init_running: bool,
) -> (Value, bool) {
    let oom = c.plan.oom;
    let (state, last, ready, started, id) = match &t.current {
        None => {
            let waiting = match c.pull.waiting(&c.image, now) {
                Some((reason, message)) => json!({"reason": reason, "message": message}),
                None if init_running => json!({"reason": "PodInitializing"}),
                None => json!({"reason": "ContainerCreating"}),
            };
            (json!({"waiting": waiting}), json!({}), false, false, None)
        }
        Some(cur) if cur.running_at(now) => {
            let last = t
                .previous
                .as_ref()
                .map_or(json!({}), |p| terminated(p, oom));
            (
                json!({"running": {"startedAt": rfc3339(cur.start)}}),
                last,
                c.probe_ok,
                true,
                Some(cur.id.clone()),
            )
        }
        Some(cur) if t.next_start.is_some() => {
            let backoff = c.plan.backoff_at(now).unwrap_or(10 * SECOND) / SECOND;
            let msg = format!(
                "back-off {} restarting failed container={} pod={}_{}({})",
                super::util::human_duration(backoff * SECOND),
                c.name,
                pod.name,
                pod.namespace,
                pod.uid
            );
            (
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": msg}}),
                terminated(cur, oom),
                false,
                false,
                Some(cur.id.clone()),
            )
        }
        Some(cur) => {
            let last = t
                .previous
                .as_ref()
                .map_or(json!({}), |p| terminated(p, oom));
            (
                terminated(cur, oom),
                last,
                false,
                false,
                Some(cur.id.clone()),
            )
        }
    };
    let digest = stable_hex(&[&c.image], 64);
    let image_id = format!(
        "{}@sha256:{digest}",
        c.image.split(':').next().unwrap_or(&c.image)
    );
    let mut v = json!({
        "name": c.name,
        "state": state,
        "lastState": last,
        "ready": ready,
        "restartCount": t.count.saturating_sub(1),
        "image": c.image,
        "imageID": if c.pull.error.is_none() { image_id } else { String::new() },
        "started": started,
    });
    if let Some(id) = id {
        v["containerID"] = Value::String(id);
    }
    (v, ready)
}

fn condition(ty: &str, ok: bool, since: Nanos, reason: Option<(&str, String)>) -> Value {
    let mut c = json!({"type": ty, "status": if ok { "True" } else { "False" }, "lastProbeTime": null, "lastTransitionTime": rfc3339(since)});
    if let Some((r, m)) = reason {
        c["reason"] = Value::String(r.into());
        c["message"] = Value::String(m);
    }
    c
}

/// The QoS class of a pod spec: Guaranteed when every container limits CPU and memory at
/// its requests, BestEffort when none asks for anything, Burstable otherwise.
pub fn qos_class(spec: &Value) -> &'static str {
    let containers: Vec<&Value> = ["initContainers", "containers"]
        .iter()
        .filter_map(|k| spec.get(*k).and_then(Value::as_array))
        .flatten()
        .collect();
    let q = |c: &Value, kind: &str, res: &str| -> Option<u64> {
        let s = c.pointer(&format!("/resources/{kind}/{res}"))?.as_str()?;
        if res == "cpu" {
            parse_cpu(s)
        } else {
            parse_memory(s)
        }
    };
    let any = containers.iter().any(|c| {
        ["requests", "limits"]
            .iter()
            .any(|k| ["cpu", "memory"].iter().any(|r| q(c, k, r).is_some()))
    });
    if !any {
        return "BestEffort";
    }
    let guaranteed = containers.iter().all(|c| {
        ["cpu", "memory"].iter().all(|r| {
            let l = q(c, "limits", r);
            l.is_some() && q(c, "requests", r).is_none_or(|x| Some(x) == l)
        })
    });
    if guaranteed {
        "Guaranteed"
    } else {
        "Burstable"
    }
}

/// The status of a pod the scheduler cannot place.
fn unscheduled(pod: &PodSim, message: &str) -> Value {
    json!({
        "phase": "Pending",
        "conditions": [{"type": "PodScheduled", "status": "False", "lastProbeTime": null,
                        "lastTransitionTime": rfc3339(pod.appear_at), "reason": "Unschedulable",
                        "message": message}],
        "qosClass": qos_class(&pod.template["spec"]),
    })
}

/// The pod's status at `now`.
pub fn status(pod: &PodSim, now: Nanos) -> Value {
    if let Some(message) = &pod.unschedulable {
        return unscheduled(pod, message);
    }
    let mut init_statuses = Vec::new();
    let mut init_done = true;
    let mut init_done_at = pod.appear_at + STARTUP;
    for c in &pod.init {
        let t = c.timeline(now);
        let (mut s, _) = container_status(pod, c, &t, now, false);
        let done = t
            .current
            .as_ref()
            .is_some_and(|i| i.end.is_some_and(|e| e <= now));
        // A completed init container counts as ready, as the kubelet reports it.
        s["ready"] = json!(done);
        if done {
            init_done_at = t
                .current
                .as_ref()
                .and_then(|i| i.end)
                .unwrap_or(init_done_at);
        }
        init_done &= done;
        init_statuses.push(s);
    }
    let mut statuses = Vec::new();
    let mut unready = Vec::new();
    let (mut any_started, mut all_finished, mut all_zero) = (false, true, true);
    let mut ready_since = init_done_at;
    for c in &pod.containers {
        let t = c.timeline(now);
        let (s, ready) = container_status(pod, c, &t, now, !init_done);
        if !ready {
            unready.push(c.name.clone());
        }
        if let Some(cur) = &t.current {
            any_started = true;
            let since = if cur.running_at(now) {
                cur.start
            } else {
                cur.end.unwrap_or(cur.start)
            };
            ready_since = ready_since.max(since);
            let finished = !cur.running_at(now) && t.next_start.is_none();
            all_finished &= finished;
            all_zero &= cur.exit_code == 0;
        } else {
            all_finished = false;
        }
        statuses.push(s);
    }
    let phase = if !init_done || !any_started {
        "Pending"
    } else if all_finished && !pod.containers.is_empty() {
        if all_zero { "Succeeded" } else { "Failed" }
    } else {
        "Running"
    };
    let ready = unready.is_empty() && init_done;
    let not_ready = (!ready).then(|| {
        let reason = if phase == "Succeeded" {
            "PodCompleted"
        } else {
            "ContainersNotReady"
        };
        (
            reason,
            format!("containers with unready status: [{}]", unready.join(" ")),
        )
    });
    let scheduled_at = pod.appear_at;
    let mut conditions = vec![
        condition(
            "PodReadyToStartContainers",
            now >= pod.appear_at + STARTUP,
            pod.appear_at + STARTUP,
            None,
        ),
        condition(
            "Initialized",
            init_done,
            if init_done {
                init_done_at
            } else {
                scheduled_at
            },
            None,
        ),
        condition("Ready", ready, ready_since, not_ready.clone()),
        condition("ContainersReady", ready, ready_since, not_ready),
        condition("PodScheduled", true, scheduled_at, None),
    ];
    if !init_done && !pod.init.is_empty() {
        let pending: Vec<&str> = pod.init.iter().map(|c| c.name.as_str()).collect();
        conditions[1]["reason"] = json!("ContainersNotInitialized");
        conditions[1]["message"] = json!(format!(
            "containers with incomplete status: [{}]",
            pending.join(" ")
        ));
    }
    let mut s = json!({
        "phase": phase,
        "conditions": conditions,
        "hostIP": pod.host_ip,
        "hostIPs": [{"ip": pod.host_ip}],
        "podIP": pod.pod_ip,
        "podIPs": [{"ip": pod.pod_ip}],
        "startTime": rfc3339(pod.appear_at),
        "containerStatuses": statuses,
        "qosClass": qos_class(&pod.template["spec"]),
    });
    if !init_statuses.is_empty() {
        s["initContainerStatuses"] = Value::Array(init_statuses);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qos_follows_requests_and_limits() {
        assert_eq!(
            qos_class(&json!({"containers": [{"name": "a"}]})),
            "BestEffort"
        );
        let g = json!({"containers": [{"resources": {"limits": {"cpu": "1", "memory": "1Gi"}}}]});
        assert_eq!(qos_class(&g), "Guaranteed");
        let b = json!({"containers": [{"resources": {"requests": {"memory": "64Mi"}}}]});
        assert_eq!(qos_class(&b), "Burstable");
    }
}
