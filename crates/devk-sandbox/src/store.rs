//! The object store: every object as JSON, one global resourceVersion counter (like etcd's
//! revision), a bounded change history for watches that resume from a resourceVersion, and a
//! broadcast channel that fans changes out to open watches.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use serde_json::{Value, json};
use tokio::sync::broadcast;

pub use super::res::Res;
use super::status::ApiError;
use super::util::{new_uid, now, rfc3339};

/// What happened to an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeType {
    Added,
    Modified,
    Deleted,
}

impl ChangeType {
    /// The watch event type.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeType::Added => "ADDED",
            ChangeType::Modified => "MODIFIED",
            ChangeType::Deleted => "DELETED",
        }
    }
}

/// One change, as recorded in the history and sent to watches.
#[derive(Debug)]
pub struct Change {
    pub rv: u64,
    pub res: Res,
    pub ty: ChangeType,
    pub namespace: String,
    pub object: Value,
    /// The object before a modification (watches use it to turn selector transitions into
    /// ADDED/DELETED, as the API server's watch cache does).
    pub old: Option<Value>,
}

type Key = (Res, String, String);

/// The store key of an object: cluster-scoped kinds have no namespace.
fn key_of(res: Res, ns: &str, name: &str) -> Key {
    let res = res.storage();
    let ns = if res.namespaced() { ns } else { "" };
    (res, ns.to_string(), name.to_string())
}

/// The live half of a watch: changes after the backlog.
pub type Subscription = broadcast::Receiver<Arc<Change>>;

/// All objects and their history.
pub struct Store {
    rv: u64,
    objects: BTreeMap<Key, Value>,
    history: VecDeque<Arc<Change>>,
    history_cap: usize,
    /// Watches may resume from any resourceVersion >= this one.
    oldest: u64,
    tx: broadcast::Sender<Arc<Change>>,
}

/// The namespace and name of an object.
pub fn meta(obj: &Value) -> (String, String) {
    let s = |p: &str| {
        obj.pointer(p)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    (s("/metadata/namespace"), s("/metadata/name"))
}

fn set_meta(obj: &mut Value, key: &str, v: Value) {
    if !obj.get("metadata").is_some_and(Value::is_object)
        && let Some(o) = obj.as_object_mut()
    {
        o.insert("metadata".into(), json!({}));
    }
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        m.insert(key.into(), v);
    }
}

impl Store {
    /// An empty store whose history keeps the last `history_cap` changes.
    pub fn new(history_cap: usize) -> Store {
        let (tx, _) = broadcast::channel(4096);
        let start = 1000;
        Store {
            rv: start,
            objects: BTreeMap::new(),
            history: VecDeque::new(),
            history_cap: history_cap.max(1),
            oldest: start,
            tx,
        }
    }

    /// The current resourceVersion (of the last change).
    pub fn resource_version(&self) -> u64 {
        self.rv
    }

    /// One object.
    pub fn get(&self, res: Res, ns: &str, name: &str) -> Option<&Value> {
        self.objects.get(&key_of(res, ns, name))
    }

    /// Objects of `res`, in one namespace or (None) in all, sorted by namespace then name.
    pub fn list(&self, res: Res, ns: Option<&str>) -> Vec<&Value> {
        let res = res.storage();
        self.objects
            .range((res, String::new(), String::new())..)
            .take_while(|((r, _, _), _)| *r == res)
            .filter(|((_, n, _), _)| ns.is_none_or(|ns| ns == n))
            .map(|(_, v)| v)
            .collect()
    }

    fn record(&mut self, res: Res, ty: ChangeType, ns: String, object: Value, old: Option<Value>) {
        let res = res.storage();
        let change = Arc::new(Change {
            rv: self.rv,
            res,
            ty,
            namespace: ns,
            object,
            old,
        });
        self.history.push_back(change.clone());
        while self.history.len() > self.history_cap {
            if let Some(c) = self.history.pop_front() {
                self.oldest = c.rv;
            }
        }
        // No receivers is normal (nobody watching).
        let _ = self.tx.send(change);
    }

    /// Stores a new object: sets uid, creationTimestamp (unless given) and resourceVersion.
    pub fn create(&mut self, res: Res, mut obj: Value) -> Result<Value, ApiError> {
        let (ns, name) = meta(&obj);
        let key = key_of(res, &ns, &name);
        if self.objects.contains_key(&key) {
            return Err(ApiError::already_exists(&res.group_resource(), &name));
        }
        self.rv += 1;
        if obj
            .pointer("/metadata/uid")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            set_meta(&mut obj, "uid", Value::String(new_uid()));
        }
        if obj
            .pointer("/metadata/creationTimestamp")
            .is_none_or(Value::is_null)
        {
            set_meta(&mut obj, "creationTimestamp", Value::String(rfc3339(now())));
        }
        set_meta(
            &mut obj,
            "resourceVersion",
            Value::String(self.rv.to_string()),
        );
        self.objects.insert(key, obj.clone());
        self.record(res, ChangeType::Added, ns, obj.clone(), None);
        Ok(obj)
    }

    /// Replaces an existing object (the caller has checked preconditions) with a new
    /// resourceVersion. Identity fields are kept from the stored object.
    pub fn update(&mut self, res: Res, mut obj: Value) -> Result<Value, ApiError> {
        let (ns, name) = meta(&obj);
        let key = key_of(res, &ns, &name);
        let Some(old) = self.objects.get(&key).cloned() else {
            return Err(ApiError::not_found(&res.group_resource(), &name));
        };
        for field in ["uid", "creationTimestamp"] {
            if let Some(v) = old.pointer(&format!("/metadata/{field}")) {
                set_meta(&mut obj, field, v.clone());
            }
        }
        self.rv += 1;
        set_meta(
            &mut obj,
            "resourceVersion",
            Value::String(self.rv.to_string()),
        );
        self.objects.insert(key, obj.clone());
        self.record(res, ChangeType::Modified, ns, obj.clone(), Some(old));
        Ok(obj)
    }

    /// Removes an object; the DELETED event carries a new resourceVersion, as on a real server.
    pub fn delete(&mut self, res: Res, ns: &str, name: &str) -> Result<Value, ApiError> {
        let ns = if res.namespaced() { ns } else { "" };
        let Some(mut obj) = self.objects.remove(&key_of(res, ns, name)) else {
            return Err(ApiError::not_found(&res.group_resource(), name));
        };
        self.rv += 1;
        set_meta(
            &mut obj,
            "resourceVersion",
            Value::String(self.rv.to_string()),
        );
        self.record(res, ChangeType::Deleted, ns.to_string(), obj.clone(), None);
        Ok(obj)
    }

    /// Subscribes to changes. With `since`, also returns the remembered changes after that
    /// resourceVersion; a version older than the history is 410 Expired, one from the future is
    /// 504 (the real server waits for it briefly, then gives up the same way).
    pub fn watch(&self, since: Option<u64>) -> Result<(Vec<Arc<Change>>, Subscription), ApiError> {
        let rx = self.tx.subscribe();
        let Some(since) = since else {
            return Ok((Vec::new(), rx));
        };
        if since < self.oldest {
            return Err(ApiError::expired(since, self.oldest + 1));
        }
        if since > self.rv {
            let mut e = ApiError::internal(format!(
                "Too large resource version: {since}, current: {}",
                self.rv
            ));
            e.code = 504;
            e.reason = "Timeout";
            e.details = Some(json!({"causes": [{"reason": "ResourceVersionTooLarge",
                                                "message": "Too large resource version"}],
                                    "retryAfterSeconds": 1}));
            return Err(e);
        }
        let backlog = self
            .history
            .iter()
            .filter(|c| c.rv > since)
            .cloned()
            .collect();
        Ok((backlog, rx))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(name: &str) -> Value {
        json!({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": name, "namespace": "ns"}})
    }

    #[test]
    fn resource_versions_increase_and_history_replays() {
        let mut s = Store::new(100);
        let a = s.create(Res::Secret, secret("a")).unwrap_or_default();
        let rv_a: u64 = a["metadata"]["resourceVersion"]
            .as_str()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let _ = s.create(Res::Secret, secret("b"));
        let _ = s.delete(Res::Secret, "ns", "a");
        assert_eq!(s.resource_version(), rv_a + 2);
        let (backlog, _) = s
            .watch(Some(rv_a))
            .unwrap_or_else(|_| (Vec::new(), s.tx.subscribe()));
        let types: Vec<_> = backlog.iter().map(|c| c.ty).collect();
        assert_eq!(types, vec![ChangeType::Added, ChangeType::Deleted]);
        assert_eq!(
            s.create(Res::Secret, secret("b")).err().map(|e| e.code),
            Some(409)
        );
    }

    #[test]
    fn watch_from_compacted_version_is_410_gone() {
        let mut s = Store::new(2);
        for n in ["a", "b", "c", "d"] {
            let _ = s.create(Res::Secret, secret(n));
        }
        let err = s.watch(Some(1000)).err();
        assert_eq!(err.as_ref().map(|e| e.code), Some(410));
        assert_eq!(err.map(|e| e.reason), Some("Expired"));
        assert!(s.watch(Some(s.resource_version() - 2)).is_ok());
        assert_eq!(
            s.watch(Some(s.resource_version() + 5))
                .err()
                .map(|e| e.code),
            Some(504)
        );
    }

    #[test]
    fn update_keeps_identity_and_bumps_version() {
        let mut s = Store::new(10);
        let a = s.create(Res::Secret, secret("a")).unwrap_or_default();
        let mut changed = secret("a");
        changed["data"] = json!({"k": "dg=="});
        let b = s.update(Res::Secret, changed).unwrap_or_default();
        assert_eq!(a["metadata"]["uid"], b["metadata"]["uid"]);
        assert_ne!(
            a["metadata"]["resourceVersion"],
            b["metadata"]["resourceVersion"]
        );
    }
}
