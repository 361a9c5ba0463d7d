//! Just enough Kubernetes protobuf to read the request bodies kubectl's typed clients send
//! (`kubectl create secret|serviceaccount|namespace` post `application/vnd.kubernetes.protobuf`
//! and have no JSON fallback). Bodies are decoded into the same JSON the API would take;
//! responses are always JSON, which the clients accept.

use serde_json::{Map, Value, json};

use super::store::Res;
use super::util::{base64_encode, rfc3339};

/// The protobuf media type.
pub const CONTENT_TYPE: &str = "application/vnd.kubernetes.protobuf";

const MAGIC: &[u8] = b"k8s\0";

enum Wire<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

struct Reader<'a> {
    buf: &'a [u8],
}

impl<'a> Reader<'a> {
    fn varint(&mut self) -> Result<u64, String> {
        let mut v: u64 = 0;
        for i in 0..10 {
            let (&b, rest) = self.buf.split_first().ok_or("truncated varint")?;
            self.buf = rest;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("varint too long".into())
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.buf.len() {
            return Err("truncated field".into());
        }
        let (head, rest) = self.buf.split_at(n);
        self.buf = rest;
        Ok(head)
    }

    fn next(&mut self) -> Result<Option<(u64, Wire<'a>)>, String> {
        if self.buf.is_empty() {
            return Ok(None);
        }
        let key = self.varint()?;
        let wire = match key & 7 {
            0 => Wire::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Wire::Fixed
            }
            2 => {
                let n = usize::try_from(self.varint()?).map_err(|_| "length overflow")?;
                Wire::Bytes(self.take(n)?)
            }
            5 => {
                self.take(4)?;
                Wire::Fixed
            }
            other => return Err(format!("unsupported wire type {other}")),
        };
        Ok(Some((key >> 3, wire)))
    }
}

/// Visits every field of a message.
fn fields<'a>(
    buf: &'a [u8],
    mut f: impl FnMut(u64, Wire<'a>) -> Result<(), String>,
) -> Result<(), String> {
    let mut r = Reader { buf };
    while let Some((n, w)) = r.next()? {
        f(n, w)?;
    }
    Ok(())
}

fn string(w: &Wire<'_>) -> String {
    match w {
        Wire::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

/// A `map<string, string|bytes>` entry (key = 1, value = 2).
fn map_entry(w: &Wire<'_>, bytes_value: bool) -> Result<(String, Value), String> {
    let Wire::Bytes(b) = w else {
        return Err("bad map entry".into());
    };
    let (mut k, mut v) = (String::new(), Value::String(String::new()));
    fields(b, |n, w| {
        match (n, &w) {
            (1, _) => k = string(&w),
            (2, Wire::Bytes(val)) if bytes_value => v = json!(base64_encode(val)),
            (2, _) => v = json!(string(&w)),
            _ => {}
        }
        Ok(())
    })?;
    Ok((k, v))
}

fn time(w: &Wire<'_>) -> Result<Value, String> {
    let Wire::Bytes(b) = w else {
        return Ok(Value::Null);
    };
    let mut secs: i64 = 0;
    fields(b, |n, w| {
        if let (1, Wire::Varint(v)) = (n, w) {
            secs = v as i64;
        }
        Ok(())
    })?;
    Ok(json!(rfc3339(i128::from(secs) * 1_000_000_000)))
}

fn object_meta(b: &[u8]) -> Result<Value, String> {
    let mut m = Map::new();
    let (mut labels, mut annotations, mut finalizers) = (Map::new(), Map::new(), Vec::new());
    fields(b, |n, w| {
        let key = match n {
            1 => "name",
            2 => "generateName",
            3 => "namespace",
            5 => "uid",
            6 => "resourceVersion",
            8 => {
                m.insert("creationTimestamp".into(), time(&w)?);
                return Ok(());
            }
            11 | 12 => {
                let (k, v) = map_entry(&w, false)?;
                if n == 11 {
                    labels.insert(k, v)
                } else {
                    annotations.insert(k, v)
                };
                return Ok(());
            }
            14 => {
                finalizers.push(json!(string(&w)));
                return Ok(());
            }
            _ => return Ok(()),
        };
        let v = string(&w);
        if !v.is_empty() {
            m.insert(key.into(), json!(v));
        }
        Ok(())
    })?;
    if !labels.is_empty() {
        m.insert("labels".into(), Value::Object(labels));
    }
    if !annotations.is_empty() {
        m.insert("annotations".into(), Value::Object(annotations));
    }
    if !finalizers.is_empty() {
        m.insert("finalizers".into(), Value::Array(finalizers));
    }
    Ok(Value::Object(m))
}

fn reference(w: &Wire<'_>, names: &[(u64, &str)]) -> Result<Value, String> {
    let Wire::Bytes(b) = w else {
        return Ok(json!({}));
    };
    let mut m = Map::new();
    fields(b, |n, w| {
        if let Some((_, key)) = names.iter().find(|(f, _)| *f == n) {
            m.insert((*key).into(), json!(string(&w)));
        }
        Ok(())
    })?;
    Ok(Value::Object(m))
}

fn decode_object(res: Res, raw: &[u8]) -> Result<Value, String> {
    let mut obj = json!({"kind": res.kind(), "apiVersion": "v1"});
    let (mut data, mut string_data) = (Map::new(), Map::new());
    let (mut secrets, mut pulls, mut finalizers) = (Vec::new(), Vec::new(), Vec::new());
    fields(raw, |n, w| {
        match (res, n, &w) {
            (_, 1, Wire::Bytes(b)) => obj["metadata"] = object_meta(b)?,
            (Res::Secret, 2, _) => {
                let (k, v) = map_entry(&w, true)?;
                data.insert(k, v);
            }
            (Res::Secret, 3, _) => obj["type"] = json!(string(&w)),
            (Res::Secret, 4, _) => {
                let (k, v) = map_entry(&w, false)?;
                string_data.insert(k, v);
            }
            (Res::Secret, 5, Wire::Varint(v)) => obj["immutable"] = json!(*v != 0),
            (Res::ServiceAccount, 2, _) => secrets.push(reference(
                &w,
                &[
                    (1, "kind"),
                    (2, "namespace"),
                    (3, "name"),
                    (4, "uid"),
                    (5, "apiVersion"),
                ],
            )?),
            (Res::ServiceAccount, 3, _) => pulls.push(reference(&w, &[(1, "name")])?),
            (Res::ServiceAccount, 4, Wire::Varint(v)) => {
                obj["automountServiceAccountToken"] = json!(*v != 0)
            }
            (Res::Namespace, 2, Wire::Bytes(b)) => fields(b, |n, w| {
                if n == 1 {
                    finalizers.push(json!(string(&w)));
                }
                Ok(())
            })?,
            _ => {}
        }
        Ok(())
    })?;
    if !data.is_empty() {
        obj["data"] = Value::Object(data);
    }
    if !string_data.is_empty() {
        obj["stringData"] = Value::Object(string_data);
    }
    if !secrets.is_empty() {
        obj["secrets"] = Value::Array(secrets);
    }
    if !pulls.is_empty() {
        obj["imagePullSecrets"] = Value::Array(pulls);
    }
    if !finalizers.is_empty() {
        obj["spec"] = json!({"finalizers": finalizers});
    }
    Ok(obj)
}

/// Decodes a protobuf request body for `res` into JSON. Only the kinds kubectl's typed
/// `create` commands send are understood; anything else is `Err`.
pub fn decode(res: Res, body: &[u8]) -> Result<Value, String> {
    let Some(envelope) = body.strip_prefix(MAGIC) else {
        return Err(
            "provided object is not a valid protobuf message (missing the k8s magic prefix)".into(),
        );
    };
    let (mut kind, mut raw, mut encoding) = (String::new(), None, String::new());
    fields(envelope, |n, w| {
        match (n, &w) {
            (1, Wire::Bytes(tm)) => fields(tm, |n, w| {
                if n == 2 {
                    kind = string(&w);
                }
                Ok(())
            })?,
            (2, Wire::Bytes(b)) => raw = Some(*b),
            (3, _) => encoding = string(&w),
            _ => {}
        }
        Ok(())
    })?;
    if !encoding.is_empty() {
        return Err(format!("unsupported content encoding {encoding:?}"));
    }
    if kind != res.kind() || !matches!(res, Res::Secret | Res::ServiceAccount | Res::Namespace) {
        return Err(format!(
            "the sandbox cannot decode {kind} objects from protobuf; send JSON"
        ));
    }
    decode_object(res, raw.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: u64, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![((n << 3) | 2) as u8, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn decodes_a_docker_registry_secret_like_kubectl_sends() {
        let meta = field(1, b"regcred");
        let entry = [field(1, b".dockerconfigjson"), field(2, b"{}")].concat();
        let secret = [
            field(1, &meta),
            field(2, &entry),
            field(3, b"kubernetes.io/dockerconfigjson"),
        ]
        .concat();
        let type_meta = [field(1, b"v1"), field(2, b"Secret")].concat();
        let body = [MAGIC.to_vec(), field(1, &type_meta), field(2, &secret)].concat();
        let v = decode(Res::Secret, &body).unwrap();
        assert_eq!(v["metadata"]["name"], "regcred");
        assert_eq!(v["type"], "kubernetes.io/dockerconfigjson");
        assert_eq!(v["data"][".dockerconfigjson"], "e30=");
        assert!(decode(Res::Pod, &body).is_err());
        assert!(decode(Res::Secret, b"{}").is_err());
    }
}
