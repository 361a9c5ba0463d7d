//! The `events.k8s.io/v1` view of the stored core events: the same objects with the fields
//! renamed as the API server's conversion renames them (`involvedObject` -> `regarding`,
//! `message` -> `note`, `count` -> `series` / `deprecatedCount`, ...).

use serde_json::{Map, Value, json};

use super::store::Res;

/// `obj` as served for `res`: converted for `events.k8s.io/v1`, unchanged for the others.
pub fn served(res: Res, obj: &Value) -> Value {
    if res == Res::EventV1 {
        to_v1(obj)
    } else {
        obj.clone()
    }
}

/// Converts a core/v1 Event into an events.k8s.io/v1 Event.
pub fn to_v1(core: &Value) -> Value {
    let get = |k: &str| core.get(k).cloned().unwrap_or(Value::Null);
    let mut out = Map::new();
    out.insert("kind".into(), json!("Event"));
    out.insert("apiVersion".into(), json!("events.k8s.io/v1"));
    out.insert("metadata".into(), get("metadata"));
    // A core event without eventTime gets its first timestamp with microseconds, as the
    // conversion does, because eventTime is required in events.k8s.io/v1.
    let event_time = match core.get("eventTime") {
        Some(Value::String(s)) => json!(s),
        _ => match core.get("firstTimestamp").and_then(Value::as_str) {
            Some(t) => json!(t.replace('Z', ".000000Z")),
            None => Value::Null,
        },
    };
    out.insert("eventTime".into(), event_time);
    let count = core.get("count").and_then(Value::as_i64).unwrap_or(1);
    if count > 1 {
        out.insert(
            "series".into(),
            json!({"count": count, "lastObservedTime": core.get("lastTimestamp").and_then(Value::as_str).map(|t| t.replace('Z', ".000000Z"))}),
        );
    }
    for (from, to) in [
        ("reportingComponent", "reportingController"),
        ("reportingInstance", "reportingInstance"),
        ("reason", "reason"),
        ("involvedObject", "regarding"),
        ("related", "related"),
        ("message", "note"),
        ("type", "type"),
        ("source", "deprecatedSource"),
        ("firstTimestamp", "deprecatedFirstTimestamp"),
        ("lastTimestamp", "deprecatedLastTimestamp"),
        ("count", "deprecatedCount"),
    ] {
        if let Some(v) = core.get(from).filter(|v| !v.is_null()) {
            out.insert(to.into(), v.clone());
        }
    }
    if let Some(a) = core.get("action").filter(|v| !v.is_null()) {
        out.insert("action".into(), a.clone());
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_event_converts_to_events_k8s_io() {
        let core = json!({"kind": "Event", "apiVersion": "v1", "metadata": {"name": "p.1", "namespace": "a"},
            "involvedObject": {"kind": "Pod", "name": "p"}, "reason": "BackOff", "message": "Back-off",
            "source": {"component": "kubelet", "host": "n1"}, "firstTimestamp": "2024-01-01T00:00:00Z",
            "lastTimestamp": "2024-01-01T00:01:00Z", "count": 3, "type": "Warning", "eventTime": null,
            "reportingComponent": "kubelet", "reportingInstance": "n1"});
        let v1 = to_v1(&core);
        assert_eq!(v1["apiVersion"], "events.k8s.io/v1");
        assert_eq!(v1["regarding"]["name"], "p");
        assert_eq!(v1["note"], "Back-off");
        assert_eq!(v1["series"]["count"], 3);
        assert_eq!(v1["reportingController"], "kubelet");
        assert_eq!(v1["eventTime"], "2024-01-01T00:00:00.000000Z");
        assert_eq!(v1["deprecatedCount"], 3);
    }
}
