//! Object validation with the API server's rules and messages (422 Invalid).

use serde_json::{Map, Value};

use super::status::{ApiError, Cause};
use super::util::base64_decode;

const SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric \
characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', \
regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

const LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric \
characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or \
'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/// RFC 1123 label: `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && (b[0].is_ascii_lowercase() || b[0].is_ascii_digit())
        && (b[b.len() - 1].is_ascii_lowercase() || b[b.len() - 1].is_ascii_digit())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// RFC 1123 subdomain: dot-separated labels, at most 253 characters.
pub fn is_dns1123_subdomain(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.split('.').all(is_dns1123_label)
}

/// Checks `metadata.name` for a resource of `kind`. Namespaces need a label; the other kinds
/// the sandbox serves need a subdomain.
pub fn name_causes(kind: &str, name: &str) -> Vec<Cause> {
    if name.is_empty() {
        return vec![Cause {
            reason: "FieldValueRequired",
            field: "metadata.name".into(),
            message: "Required value: name or generateName is required".into(),
        }];
    }
    let (ok, msg) = if kind == "Namespace" {
        (is_dns1123_label(name), LABEL_MSG)
    } else {
        (is_dns1123_subdomain(name), SUBDOMAIN_MSG)
    };
    if ok {
        Vec::new()
    } else {
        vec![Cause::invalid("metadata.name", name, msg)]
    }
}

fn is_config_key(k: &str) -> bool {
    !k.is_empty()
        && k.len() <= 253
        && k != "."
        && k != ".."
        && k.bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Folds `stringData` into `data` (base64), as the API server does on write, and checks that
/// every `data` value is valid base64 (a 400 from the JSON decoder on a real server).
pub fn normalize_secret(obj: &mut Value) -> Result<(), ApiError> {
    let Some(map) = obj.as_object_mut() else {
        return Ok(());
    };
    let string_data = map.remove("stringData");
    let data = map
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if data.is_null() {
        *data = Value::Object(Map::new());
    }
    let Some(data) = data.as_object_mut() else {
        return Err(ApiError::bad_request(
            "Secret in version \"v1\" cannot be handled as a Secret: data must be an object",
        ));
    };
    for (k, v) in data.iter() {
        let ok = v
            .as_str()
            .is_some_and(|s| base64_decode(s.as_bytes()).is_some());
        if !ok {
            return Err(ApiError::bad_request(format!(
                "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in data[{k}]"
            )));
        }
    }
    if let Some(Value::Object(sd)) = string_data {
        for (k, v) in sd {
            let s = v.as_str().unwrap_or_default();
            data.insert(k, Value::String(super::util::base64_encode(s.as_bytes())));
        }
    }
    if map
        .get("type")
        .is_none_or(|t| t.as_str().is_none_or(str::is_empty))
    {
        map.insert("type".into(), Value::String("Opaque".into()));
    }
    Ok(())
}

fn decoded(data: &Map<String, Value>, key: &str) -> Option<Vec<u8>> {
    data.get(key)
        .and_then(Value::as_str)
        .and_then(|s| base64_decode(s.as_bytes()))
}

/// Type-specific Secret rules (`kubernetes.io/dockerconfigjson` needs a JSON
/// `.dockerconfigjson`, `kubernetes.io/tls` needs `tls.crt` and `tls.key`, ...).
pub fn secret_causes(obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let empty = Map::new();
    let data = obj.get("data").and_then(Value::as_object).unwrap_or(&empty);
    let mut total = 0usize;
    for (k, v) in data {
        if !is_config_key(k) {
            causes.push(Cause::invalid(
                format!("data[{k}]"),
                k,
                "a valid config key must consist of alphanumeric characters, '-', '_' or '.' \
                 (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is \
                 '[-._a-zA-Z0-9]+')",
            ));
        }
        total += v.as_str().map_or(0, |s| s.len() * 3 / 4);
    }
    if total > 1024 * 1024 {
        causes.push(Cause {
            reason: "FieldValueTooLong",
            field: "data".into(),
            message: "Too long: must have at most 1048576 bytes".into(),
        });
    }
    let ty = obj.get("type").and_then(Value::as_str).unwrap_or("Opaque");
    let json_key = |key: &str, causes: &mut Vec<Cause>| match decoded(data, key) {
        None => causes.push(Cause::required(format!("data[{key}]"))),
        Some(bytes) => {
            if let Err(e) = serde_json::from_slice::<Value>(&bytes) {
                causes.push(Cause::invalid(
                    format!("data[{key}]"),
                    "<secret contents redacted>",
                    &e.to_string(),
                ));
            }
        }
    };
    match ty {
        "kubernetes.io/dockerconfigjson" => json_key(".dockerconfigjson", &mut causes),
        "kubernetes.io/dockercfg" => json_key(".dockercfg", &mut causes),
        "kubernetes.io/tls" => {
            for key in ["tls.crt", "tls.key"] {
                if !data.contains_key(key) {
                    causes.push(Cause::required(format!("data[{key}]")));
                }
            }
        }
        "kubernetes.io/basic-auth"
            if !data.contains_key("username") && !data.contains_key("password") =>
        {
            causes.push(Cause::required("data[username]"));
        }
        "kubernetes.io/ssh-auth" if !data.contains_key("ssh-privatekey") => {
            causes.push(Cause::required("data[ssh-privatekey]"));
        }
        _ => {}
    }
    causes
}

/// Label keys and values in `metadata.labels` must be valid.
pub fn label_causes(obj: &Value) -> Vec<Cause> {
    let mut causes = Vec::new();
    let Some(labels) = obj.pointer("/metadata/labels").and_then(Value::as_object) else {
        return causes;
    };
    for (k, v) in labels {
        let value = v.as_str().unwrap_or_default();
        let ok = value.is_empty()
            || (value.len() <= 63
                && value.starts_with(|c: char| c.is_ascii_alphanumeric())
                && value.ends_with(|c: char| c.is_ascii_alphanumeric())
                && value
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')));
        if !ok || !v.is_string() {
            causes.push(Cause::invalid(
                "metadata.labels",
                value,
                "a valid label must be an empty string or consist of alphanumeric characters, \
                 '-', '_' or '.', and must start and end with an alphanumeric character (e.g. \
                 'MyValue',  or 'my_value',  or '12345', regex used for validation is \
                 '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
            ));
        }
        if k.is_empty() {
            causes.push(Cause::invalid(
                "metadata.labels",
                k,
                "name part must be non-empty",
            ));
        }
    }
    causes
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks the JSON types of the fields the sandbox reads, so that a malformed object is a
/// 400 (as the API server's decoder answers) and never reaches code that assumes a shape.
pub fn check_shape(kind: &str, obj: &Value) -> Result<(), ApiError> {
    let fail = |path: &str, v: &Value, want: &str| {
        Err(ApiError::bad_request(format!(
            "{kind} in version \"v1\" cannot be handled as a {kind}: json: cannot unmarshal {} \
             into Go struct field {path} of type {want}",
            json_type(v)
        )))
    };
    if !obj.is_object() {
        return fail(kind, obj, "object");
    }
    let is = |v: &Value, ty: &str| v.is_null() || json_type(v) == ty;
    let mut checks: Vec<(&str, &str)> = vec![
        ("/metadata", "object"),
        ("/metadata/name", "string"),
        ("/metadata/generateName", "string"),
        ("/metadata/namespace", "string"),
        ("/metadata/resourceVersion", "string"),
        ("/metadata/labels", "object"),
        ("/metadata/annotations", "object"),
        ("/metadata/finalizers", "array"),
        ("/metadata/ownerReferences", "array"),
    ];
    match kind {
        "Secret" => checks.extend([
            ("/data", "object"),
            ("/stringData", "object"),
            ("/type", "string"),
        ]),
        "ServiceAccount" => checks.extend([("/secrets", "array"), ("/imagePullSecrets", "array")]),
        "Pod" => checks.extend([
            ("/spec", "object"),
            ("/spec/containers", "array"),
            ("/spec/initContainers", "array"),
        ]),
        "Namespace" => checks.extend([("/spec", "object"), ("/status", "object")]),
        _ => {}
    }
    for (ptr, ty) in checks {
        if let Some(v) = obj.pointer(ptr)
            && !is(v, ty)
        {
            return fail(&ptr[1..].replace('/', "."), v, ty);
        }
    }
    for map in ["/metadata/labels", "/metadata/annotations", "/stringData"] {
        if let Some((k, v)) = obj
            .pointer(map)
            .and_then(Value::as_object)
            .and_then(|m| m.iter().find(|(_, v)| !v.is_string()))
        {
            return fail(
                &format!("{}[{k}]", &map[1..].replace('/', ".")),
                v,
                "string",
            );
        }
    }
    for list in [
        "/secrets",
        "/imagePullSecrets",
        "/spec/containers",
        "/spec/initContainers",
    ] {
        if let Some(v) = obj
            .pointer(list)
            .and_then(Value::as_array)
            .and_then(|a| a.iter().find(|i| !i.is_object()))
        {
            return fail(&list[1..].replace('/', "."), v, "object");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_follow_rfc1123() {
        assert!(is_dns1123_subdomain("regcred.v2"));
        assert!(!is_dns1123_subdomain("Bad_Name"));
        assert!(is_dns1123_label("shop-2"));
        assert!(!is_dns1123_label("a.b"));
        assert_eq!(name_causes("Secret", "Bad_Name").len(), 1);
        assert_eq!(name_causes("Namespace", "a.b").len(), 1);
    }

    #[test]
    fn dockerconfigjson_secret_requires_its_key() {
        let s = json!({"type": "kubernetes.io/dockerconfigjson", "data": {}});
        let causes = secret_causes(&s);
        assert_eq!(causes.len(), 1);
        assert_eq!(causes[0].field, "data[.dockerconfigjson]");
        let ok = json!({"type": "kubernetes.io/dockerconfigjson",
                        "data": {".dockerconfigjson": crate::util::base64_encode(b"{}")}});
        assert!(secret_causes(&ok).is_empty());
    }

    #[test]
    fn malformed_objects_are_bad_requests() {
        assert!(check_shape("Secret", &json!({"metadata": {"name": "a"}, "data": {}})).is_ok());
        for bad in [
            json!([]),
            json!({"metadata": "x"}),
            json!({"metadata": {"labels": "x"}}),
            json!({"metadata": {"labels": {"a": 1}}}),
            json!({"metadata": {"name": 5}}),
            json!({"data": []}),
        ] {
            assert_eq!(
                check_shape("Secret", &bad).err().map(|e| e.code),
                Some(400),
                "{bad}"
            );
        }
        let e = check_shape("ServiceAccount", &json!({"imagePullSecrets": ["x"]})).err();
        assert!(e.is_some_and(|e| e.message.contains("imagePullSecrets")));
    }

    #[test]
    fn string_data_is_folded_into_data() {
        let mut s = json!({"stringData": {"a": "hi"}});
        assert!(normalize_secret(&mut s).is_ok());
        assert_eq!(s, json!({"data": {"a": "aGk="}, "type": "Opaque"}));
        let mut bad = json!({"data": {"a": "***"}});
        assert_eq!(normalize_secret(&mut bad).err().map(|e| e.code), Some(400));
    }
}
