//! The three patch types the API server accepts: JSON merge patch (RFC 7386), strategic merge
//! patch (merge keys from the Kubernetes Go types) and JSON patch (RFC 6902).

use serde_json::{Map, Value};

/// The patch flavour, from the request's Content-Type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchType {
    /// `application/merge-patch+json`
    Merge,
    /// `application/strategic-merge-patch+json`
    Strategic,
    /// `application/json-patch+json`
    Json,
}

impl PatchType {
    /// Maps a Content-Type (parameters ignored) to a patch type.
    pub fn from_content_type(ct: &str) -> Option<PatchType> {
        match ct.split(';').next().map(str::trim) {
            Some("application/merge-patch+json") => Some(PatchType::Merge),
            Some("application/strategic-merge-patch+json") => Some(PatchType::Strategic),
            Some("application/json-patch+json") => Some(PatchType::Json),
            _ => None,
        }
    }
}

/// Applies `patch` of `ty` to `target` (an object of `kind`), returning the patched object.
pub fn apply(ty: PatchType, kind: &str, target: &Value, patch: &Value) -> Result<Value, String> {
    let mut out = target.clone();
    match ty {
        PatchType::Merge => merge_patch(&mut out, patch),
        PatchType::Strategic => {
            if !patch.is_object() {
                return Err("unable to find api field in struct for the patch: \
                            a strategic merge patch must be a JSON object"
                    .into());
            }
            strategic(&mut out, patch, kind, &mut Vec::new())?;
        }
        PatchType::Json => json_patch(&mut out, patch)?,
    }
    Ok(out)
}

/// RFC 7386: objects merge recursively, `null` deletes, anything else replaces.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    if let Value::Object(t) = target {
        for (k, v) in p {
            if v.is_null() {
                t.remove(k);
            } else {
                merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

/// How a list at a given path merges in a strategic merge patch.
enum ListStrategy {
    /// Replace the whole list (no patchStrategy, or `listType=atomic`).
    Replace,
    /// Merge objects by this key.
    Key(&'static str),
    /// Union of primitive values (`finalizers`).
    Primitive,
}

/// The patch strategy of the list at `path` in an object of `kind`, as declared by the
/// `patchStrategy`/`patchMergeKey` tags of the Kubernetes Go types. Note that
/// ServiceAccount.imagePullSecrets has no tag, so a strategic patch replaces that list, while
/// PodSpec.imagePullSecrets merges by `name`.
fn list_strategy(kind: &str, path: &[String]) -> ListStrategy {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    match (kind, p.as_slice()) {
        (_, ["metadata", "ownerReferences"]) => ListStrategy::Key("uid"),
        (_, ["metadata", "finalizers"]) => ListStrategy::Primitive,
        ("ServiceAccount", ["secrets"]) => ListStrategy::Key("name"),
        (
            "Pod",
            [
                "spec",
                "containers" | "initContainers" | "ephemeralContainers",
            ],
        ) => ListStrategy::Key("name"),
        ("Pod", ["spec", "volumes" | "imagePullSecrets"]) => ListStrategy::Key("name"),
        ("Pod", ["spec", "hostAliases"]) => ListStrategy::Key("ip"),
        ("Pod", ["spec", _, "env"]) => ListStrategy::Key("name"),
        ("Pod", ["spec", _, "ports"]) => ListStrategy::Key("containerPort"),
        ("Pod", ["spec", _, "volumeMounts"]) => ListStrategy::Key("mountPath"),
        ("Pod", ["spec", _, "volumeDevices"]) => ListStrategy::Key("devicePath"),
        ("Pod", ["status", "conditions"]) => ListStrategy::Key("type"),
        _ => ListStrategy::Replace,
    }
}

fn directive(v: &Value) -> Option<&str> {
    v.get("$patch").and_then(Value::as_str)
}

/// Removes `$patch`, `$retainKeys`, `$setElementOrder/...` and other directives, recursively.
fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

fn strategic(
    target: &mut Value,
    patch: &Value,
    kind: &str,
    path: &mut Vec<String>,
) -> Result<(), String> {
    let Value::Object(p) = patch else {
        *target = patch.clone();
        return Ok(());
    };
    match directive(patch) {
        Some("replace") => {
            *target = strip_directives(patch);
            return Ok(());
        }
        Some("delete") => {
            *target = Value::Null;
            return Ok(());
        }
        Some("merge") | None => {}
        Some(other) => return Err(format!("Unknown patch type: {other}")),
    }
    if !target.is_object() {
        *target = Value::Object(Map::new());
    }
    let Value::Object(t) = target else {
        return Ok(());
    };
    let retain: Option<Vec<String>> = p.get("$retainKeys").and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(Value::as_str)
            .map(String::from)
            .collect()
    });
    for (k, v) in p {
        if let Some(field) = k.strip_prefix("$deleteFromPrimitiveList/") {
            if let (Some(Value::Array(list)), Value::Array(remove)) = (t.get_mut(field), v) {
                list.retain(|item| !remove.contains(item));
            }
            continue;
        }
        if k.starts_with('$') {
            continue;
        }
        path.push(k.clone());
        if v.is_null() {
            t.remove(k);
        } else if let Value::Array(items) = v {
            let slot = t.entry(k.clone()).or_insert(Value::Null);
            merge_list(slot, items, kind, path)?;
        } else if v.is_object() {
            let slot = t.entry(k.clone()).or_insert(Value::Null);
            strategic(slot, v, kind, path)?;
            if slot.is_null() {
                t.remove(k);
            }
        } else {
            t.insert(k.clone(), v.clone());
        }
        path.pop();
    }
    if let Some(keys) = retain {
        t.retain(|k, _| keys.contains(k));
    }
    Ok(())
}

fn merge_list(
    slot: &mut Value,
    items: &[Value],
    kind: &str,
    path: &mut Vec<String>,
) -> Result<(), String> {
    if items.iter().any(|i| directive(i) == Some("replace")) {
        let kept: Vec<Value> = items
            .iter()
            .filter(|i| directive(i) != Some("replace"))
            .map(strip_directives)
            .collect();
        *slot = Value::Array(kept);
        return Ok(());
    }
    match list_strategy(kind, path) {
        ListStrategy::Replace => {
            *slot = strip_directives(&Value::Array(items.to_vec()));
        }
        ListStrategy::Primitive => {
            let mut list = slot.as_array().cloned().unwrap_or_default();
            for item in items {
                if !list.contains(item) {
                    list.push(item.clone());
                }
            }
            *slot = Value::Array(list);
        }
        ListStrategy::Key(key) => {
            let mut list = slot.as_array().cloned().unwrap_or_default();
            for item in items {
                let Some(id) = item.get(key) else {
                    return Err(format!(
                        "map: {item} does not contain declared merge key: {key}"
                    ));
                };
                let pos = list.iter().position(|e| e.get(key) == Some(id));
                match (directive(item), pos) {
                    (Some("delete"), Some(i)) => {
                        list.remove(i);
                    }
                    (Some("delete"), None) => {}
                    (_, Some(i)) => {
                        if let Some(existing) = list.get_mut(i) {
                            strategic(existing, item, kind, path)?;
                        }
                    }
                    (_, None) => list.push(strip_directives(item)),
                }
            }
            *slot = Value::Array(list);
        }
    }
    Ok(())
}

/// Splits an RFC 6901 pointer into unescaped tokens.
fn pointer_tokens(ptr: &str) -> Result<Vec<String>, String> {
    if ptr.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = ptr.strip_prefix('/') else {
        return Err(format!("invalid JSON pointer {ptr:?}: must start with '/'"));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn parent_mut<'a>(
    doc: &'a mut Value,
    tokens: &[String],
    ptr: &str,
) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in tokens {
        cur = match cur {
            Value::Object(m) => m.get_mut(t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("doc is missing path: {ptr:?}"))?;
    }
    Ok(cur)
}

fn remove_at(doc: &mut Value, ptr: &str) -> Result<Value, String> {
    let tokens = pointer_tokens(ptr)?;
    let Some((last, parents)) = tokens.split_last() else {
        return Err("cannot remove the document root".into());
    };
    let missing = || format!("unable to remove nonexistent key: {ptr}: missing value");
    match parent_mut(doc, parents, ptr)? {
        Value::Object(m) => m.shift_remove(last).ok_or_else(missing),
        Value::Array(a) => match last.parse::<usize>() {
            Ok(i) if i < a.len() => Ok(a.remove(i)),
            _ => Err(missing()),
        },
        _ => Err(missing()),
    }
}

fn add_at(doc: &mut Value, ptr: &str, value: Value, replace: bool) -> Result<(), String> {
    let tokens = pointer_tokens(ptr)?;
    let Some((last, parents)) = tokens.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, parents, ptr)? {
        Value::Object(m) => {
            if replace && !m.contains_key(last) {
                return Err(format!(
                    "replace operation does not apply: doc is missing key: {ptr}"
                ));
            }
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(a) => {
            if last == "-" && !replace {
                a.push(value);
                return Ok(());
            }
            let i: usize = last
                .parse()
                .map_err(|_| format!("invalid array index {last:?} in {ptr}"))?;
            match (replace, i.cmp(&a.len())) {
                (true, std::cmp::Ordering::Less) => {
                    a[i] = value;
                    Ok(())
                }
                (false, std::cmp::Ordering::Less | std::cmp::Ordering::Equal) => {
                    a.insert(i, value);
                    Ok(())
                }
                _ => Err(format!(
                    "add operation does not apply: index out of bounds: {ptr}"
                )),
            }
        }
        _ => Err(format!(
            "add operation does not apply: doc is missing path: {ptr}"
        )),
    }
}

/// RFC 6902: add, remove, replace, move, copy and test, applied in order, all or nothing.
pub fn json_patch(doc: &mut Value, patch: &Value) -> Result<(), String> {
    let Some(ops) = patch.as_array() else {
        return Err("a JSON patch must be an array of operations".into());
    };
    let mut work = doc.clone();
    for op in ops {
        let name = op.get("op").and_then(Value::as_str).unwrap_or_default();
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("operation {name:?} is missing \"path\""))?;
        let value = || {
            op.get("value")
                .cloned()
                .ok_or_else(|| format!("operation {name:?} is missing \"value\""))
        };
        let from = || {
            op.get("from")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("operation {name:?} is missing \"from\""))
        };
        match name {
            "add" => add_at(&mut work, path, value()?, false)?,
            "replace" => add_at(&mut work, path, value()?, true)?,
            "remove" => {
                remove_at(&mut work, path)?;
            }
            "move" => {
                let v = remove_at(&mut work, from()?)?;
                add_at(&mut work, path, v, false)?;
            }
            "copy" => {
                let v = work.pointer(from()?).cloned().ok_or_else(|| {
                    format!("copy operation does not apply: doc is missing from path: {path}")
                })?;
                add_at(&mut work, path, v, false)?;
            }
            "test" => {
                if work.pointer(path) != Some(&value()?) {
                    return Err(format!("testing value {path} failed: test failed"));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    *doc = work;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn smp(kind: &str, target: Value, patch: Value) -> Value {
        apply(PatchType::Strategic, kind, &target, &patch).unwrap_or(Value::Null)
    }

    #[test]
    fn merge_patch_deletes_with_null_and_replaces_lists() {
        let mut t = json!({"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]});
        merge_patch(&mut t, &json!({"a": null, "b": {"c": 5}, "l": [9]}));
        assert_eq!(t, json!({"b": {"c": 5, "d": 3}, "l": [9]}));
    }

    #[test]
    fn strategic_patch_replaces_serviceaccount_image_pull_secrets() {
        let sa = json!({"imagePullSecrets": [{"name": "x"}], "secrets": [{"name": "s1"}]});
        let out = smp(
            "ServiceAccount",
            sa,
            json!({"imagePullSecrets": [{"name": "y"}], "secrets": [{"name": "s2"}]}),
        );
        assert_eq!(out["imagePullSecrets"], json!([{"name": "y"}]));
        assert_eq!(out["secrets"], json!([{"name": "s1"}, {"name": "s2"}]));
    }

    #[test]
    fn strategic_patch_merges_pod_lists_by_key() {
        let pod = json!({"spec": {"imagePullSecrets": [{"name": "x"}],
            "containers": [{"name": "app", "image": "a:1",
                            "env": [{"name": "A", "value": "1"}],
                            "ports": [{"containerPort": 80}]}]}});
        let out = smp(
            "Pod",
            pod,
            json!({"spec": {"imagePullSecrets": [{"name": "y"}],
                "containers": [{"name": "app", "image": "a:2",
                                "env": [{"name": "B", "value": "2"}, {"name": "A", "$patch": "delete"}],
                                "ports": [{"containerPort": 443}]},
                               {"name": "side", "image": "s:1"}]}}),
        );
        assert_eq!(
            out["spec"]["imagePullSecrets"],
            json!([{"name": "x"}, {"name": "y"}])
        );
        let c = &out["spec"]["containers"];
        assert_eq!(c[0]["image"], "a:2");
        assert_eq!(c[0]["env"], json!([{"name": "B", "value": "2"}]));
        assert_eq!(
            c[0]["ports"],
            json!([{"containerPort": 80}, {"containerPort": 443}])
        );
        assert_eq!(c[1]["name"], "side");
    }

    #[test]
    fn strategic_patch_directives() {
        let t = json!({"metadata": {"labels": {"a": "1", "b": "2"}, "finalizers": ["x"]}});
        let out = smp(
            "Secret",
            t.clone(),
            json!({"metadata": {"labels": {"$patch": "replace", "c": "3"}, "finalizers": ["y", "x"]}}),
        );
        assert_eq!(out["metadata"]["labels"], json!({"c": "3"}));
        assert_eq!(out["metadata"]["finalizers"], json!(["x", "y"]));
        let out = smp(
            "Secret",
            t,
            json!({"metadata": {"$deleteFromPrimitiveList/finalizers": ["x"]}}),
        );
        assert_eq!(out["metadata"]["finalizers"], json!([]));
    }

    #[test]
    fn json_patch_appends_and_is_atomic() {
        let mut sa = json!({"imagePullSecrets": [{"name": "x"}]});
        let ok = json_patch(
            &mut sa,
            &json!([{"op": "add", "path": "/imagePullSecrets/-", "value": {"name": "y"}}]),
        );
        assert!(ok.is_ok());
        assert_eq!(
            sa["imagePullSecrets"],
            json!([{"name": "x"}, {"name": "y"}])
        );
        let before = sa.clone();
        let err = json_patch(
            &mut sa,
            &json!([{"op": "remove", "path": "/imagePullSecrets/0"},
                    {"op": "test", "path": "/nope", "value": 1}]),
        );
        assert!(err.is_err());
        assert_eq!(sa, before);
    }
}
