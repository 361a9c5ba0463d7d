//! Writes: create (POST), update (PUT, with the resourceVersion precondition), patch (merge,
//! strategic merge, JSON patch) and delete, with the API server's checks and messages.

use axum::http::StatusCode;
use serde_json::{Value, json};

use super::api::{Request, negotiate, render, require_namespace};
use super::cluster::Cluster;
use super::controllers::objects;
use super::patch::{self, PatchType};
use super::server::App;
use super::status::{ApiError, Cause, success_status};
use super::store::{Res, meta};
use super::util::{now, random_suffix};
use super::validate;

type Reply = Result<(StatusCode, Value), ApiError>;

fn dry_run(req: &Request) -> Result<bool, ApiError> {
    match req.params.get("dryRun") {
        None | Some("") => Ok(false),
        Some("All") => Ok(true),
        Some(other) => Err(ApiError::bad_request(format!(
            "Invalid dry run value: {other}; the only supported value is \"All\""
        ))),
    }
}

fn parse_body(res: Res, req: &Request) -> Result<Value, ApiError> {
    let ct = req.content_type.split(';').next().unwrap_or("").trim();
    let version = res.gv().api_version();
    if ct == super::proto::CONTENT_TYPE {
        return super::proto::decode(res, &req.body).map_err(|e| {
            ApiError::bad_request(format!(
                "{} in version \"{version}\" cannot be handled as a {}: {e}",
                res.kind(),
                res.kind()
            ))
        });
    }
    if !ct.is_empty() && ct != "application/json" && ct != "*/*" {
        return Err(ApiError::unsupported_media_type(
            ct,
            "application/json, application/vnd.kubernetes.protobuf",
        ));
    }
    let v: Value = serde_json::from_slice(&req.body).map_err(|e| {
        ApiError::bad_request(format!(
            "{} in version \"{version}\" cannot be handled as a {}: {e}",
            res.kind(),
            res.kind()
        ))
    })?;
    validate::check_shape(res.kind(), &v)?;
    if let Some(api) = v
        .get("apiVersion")
        .and_then(Value::as_str)
        .filter(|a| !a.is_empty() && *a != version)
    {
        return Err(ApiError::bad_request(format!(
            "the API version in the data ({api}) does not match the expected API version ({version})"
        )));
    }
    if let Some(kind) = v
        .get("kind")
        .and_then(Value::as_str)
        .filter(|k| !k.is_empty() && *k != res.kind())
    {
        return Err(ApiError::bad_request(format!(
            "{kind} in version \"{version}\" cannot be handled as a {}: the kind does not match",
            res.kind()
        )));
    }
    Ok(v)
}

/// Kind/namespace bookkeeping and per-kind validation shared by create, update and patch.
fn prepare(res: Res, ns: &str, obj: &mut Value) -> Result<(), ApiError> {
    obj["kind"] = json!(res.kind());
    obj["apiVersion"] = json!(res.gv().api_version());
    if !obj.get("metadata").is_some_and(Value::is_object) {
        obj["metadata"] = json!({});
    }
    let body_ns = obj
        .pointer("/metadata/namespace")
        .and_then(Value::as_str)
        .unwrap_or("");
    if res.namespaced() {
        if !body_ns.is_empty() && body_ns != ns {
            return Err(ApiError::bad_request(
                "the namespace of the provided object does not match the namespace sent on the request",
            ));
        }
        obj["metadata"]["namespace"] = json!(ns);
    } else if let Some(m) = obj["metadata"].as_object_mut() {
        m.shift_remove("namespace");
    }
    if res == Res::Secret {
        validate::normalize_secret(obj)?;
    }
    if res == Res::Service {
        super::services::defaults(obj);
    }
    let (_, name) = meta(obj);
    let mut causes = validate::name_causes(res.kind(), &name);
    causes.extend(validate::label_causes(obj));
    if Res::WORKLOADS.contains(&res) {
        objects::defaults(res, obj);
        causes.extend(objects::causes(res, obj));
    }
    match res {
        Res::Secret => causes.extend(validate::secret_causes(obj)),
        Res::Pod => {
            if let Some(spec) = obj.get_mut("spec").filter(|s| s.is_object()) {
                objects::pod_spec_defaults(spec, "Always");
            }
            let containers = obj.pointer("/spec/containers").and_then(Value::as_array);
            if containers.is_none_or(Vec::is_empty) {
                causes.push(Cause::required("spec.containers"));
            }
            for (i, c) in containers.into_iter().flatten().enumerate() {
                let name = c.get("name").and_then(Value::as_str).unwrap_or("");
                if name.is_empty() {
                    causes.push(Cause::required(format!("spec.containers[{i}].name")));
                }
                if c.get("image")
                    .and_then(Value::as_str)
                    .is_none_or(str::is_empty)
                {
                    causes.push(Cause::required(format!("spec.containers[{i}].image")));
                }
            }
        }
        _ => {}
    }
    if causes.is_empty() {
        Ok(())
    } else {
        Err(ApiError::invalid(res.kind(), &name, causes))
    }
}

/// POST to a collection.
pub fn create(app: &App, res: Res, ns: &str, req: &Request) -> Reply {
    let out = negotiate(&req.accept, &req.params)?;
    let dry = dry_run(req)?;
    let mut obj = parse_body(res, req)?;
    let name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let generate = obj
        .pointer("/metadata/generateName")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if name.is_empty() && !generate.is_empty() {
        obj["metadata"]["name"] = json!(format!("{generate}{}", random_suffix(5)));
    }
    if obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .is_some_and(|v| !v.is_empty())
    {
        return Err(ApiError::bad_request(
            "resourceVersion should not be set on objects to be created",
        ));
    }
    if let Some(m) = obj.get_mut("metadata").and_then(Value::as_object_mut) {
        for server_set in [
            "uid",
            "creationTimestamp",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
            "generation",
        ] {
            m.shift_remove(server_set);
        }
    }
    if Res::WORKLOADS.contains(&res) {
        // Set before defaulting: a Job's generated selector names its uid.
        obj["metadata"]["uid"] = json!(super::util::new_uid());
        obj["metadata"]["generation"] = json!(1);
        obj["status"] = json!({});
    }
    prepare(res, ns, &mut obj)?;
    if res == Res::Namespace {
        obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = obj["metadata"]["name"].clone();
        obj["spec"] = json!({"finalizers": ["kubernetes"]});
        obj["status"] = json!({"phase": "Active"});
    }
    let mut cluster = app.lock();
    require_namespace(&cluster, res, ns)?;
    let (_, name) = meta(&obj);
    if dry {
        if cluster.store.get(res, ns, &name).is_some() {
            return Err(ApiError::already_exists(&res.group_resource(), &name));
        }
        return Ok((
            StatusCode::CREATED,
            render(res, &obj, &out, cluster.store.resource_version()),
        ));
    }
    let created = match res {
        Res::Namespace => cluster.create_namespace(obj)?,
        Res::Pod => {
            if cluster.store.get(res, ns, &name).is_some() {
                return Err(ApiError::already_exists(&res.group_resource(), &name));
            }
            obj["metadata"]["uid"] = json!(super::util::new_uid());
            let with_status = cluster.adopt_pod(&obj, now());
            match cluster.store.create(res, with_status) {
                Ok(o) => o,
                Err(e) => {
                    cluster.pods.remove(&(ns.to_string(), name));
                    return Err(e);
                }
            }
        }
        Res::Service => {
            cluster.assign_cluster_ip(&mut obj);
            cluster.store.create(res, obj)?
        }
        _ => cluster.store.create(res, obj)?,
    };
    Ok((
        StatusCode::CREATED,
        render(res, &created, &out, cluster.store.resource_version()),
    ))
}

fn resource_version(obj: &Value) -> &str {
    obj.pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// Keeps what a write to the main resource may not change: status of pods and namespaces,
/// and server-managed metadata.
fn carry_over(res: Res, existing: &Value, obj: &mut Value) {
    if res.has_status() {
        obj["status"] = existing.get("status").cloned().unwrap_or(Value::Null);
    }
    if Res::WORKLOADS.contains(&res) {
        // The generation counts changes of the spec, as the API server keeps it.
        let generation = existing
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        let changed = existing.get("spec") != obj.get("spec");
        obj["metadata"]["generation"] = json!(generation + i64::from(changed));
    }
    for field in [
        "uid",
        "creationTimestamp",
        "deletionTimestamp",
        "deletionGracePeriodSeconds",
    ] {
        match existing.pointer(&format!("/metadata/{field}")) {
            Some(v) => obj["metadata"][field] = v.clone(),
            None => {
                if let Some(m) = obj["metadata"].as_object_mut() {
                    m.shift_remove(field);
                }
            }
        }
    }
}

fn store_write(
    cluster: &mut Cluster,
    res: Res,
    existing: &Value,
    mut obj: Value,
    dry: bool,
) -> Result<Value, ApiError> {
    carry_over(res, existing, &mut obj);
    let mut cmp = obj.clone();
    cmp["metadata"]["resourceVersion"] = existing["metadata"]["resourceVersion"].clone();
    // A write that changes nothing does not bump the resourceVersion or notify watchers.
    if &cmp == existing || dry {
        return Ok(if dry { cmp } else { existing.clone() });
    }
    cluster.store.update(res, obj)
}

/// PUT to an object.
pub fn update(app: &App, res: Res, ns: &str, name: &str, req: &Request) -> Reply {
    let out = negotiate(&req.accept, &req.params)?;
    let dry = dry_run(req)?;
    let mut obj = parse_body(res, req)?;
    let body_name = obj
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if body_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({body_name}) does not match the name on the URL ({name})"
        )));
    }
    prepare(res, ns, &mut obj)?;
    let mut cluster = app.lock();
    require_namespace(&cluster, res, ns)?;
    let Some(existing) = cluster.store.get(res, ns, name).cloned() else {
        return Err(ApiError::not_found(&res.group_resource(), name));
    };
    let rv = resource_version(&obj);
    if !rv.is_empty() && rv != resource_version(&existing) {
        return Err(ApiError::conflict(&res.group_resource(), name));
    }
    let updated = store_write(&mut cluster, res, &existing, obj, dry)?;
    Ok((
        StatusCode::OK,
        render(res, &updated, &out, cluster.store.resource_version()),
    ))
}

/// PATCH to an object.
pub fn patch(app: &App, res: Res, ns: &str, name: &str, req: &Request) -> Reply {
    let out = negotiate(&req.accept, &req.params)?;
    let dry = dry_run(req)?;
    let Some(ty) = PatchType::from_content_type(&req.content_type) else {
        return Err(ApiError::unsupported_media_type(
            &req.content_type,
            "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json",
        ));
    };
    let body: Value = serde_json::from_slice(&req.body)
        .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
    let mut cluster = app.lock();
    require_namespace(&cluster, res, ns)?;
    let Some(existing) = cluster.store.get(res, ns, name).cloned() else {
        return Err(ApiError::not_found(&res.group_resource(), name));
    };
    let mut patched = patch::apply(ty, res.kind(), &existing, &body).map_err(|e| {
        let mut err = ApiError::bad_request(e);
        err.code = 422;
        err.reason = "Invalid";
        err
    })?;
    validate::check_shape(res.kind(), &patched)?;
    let (_, patched_name) = meta(&patched);
    if patched_name != name {
        return Err(ApiError::bad_request(format!(
            "the name of the object ({patched_name}) does not match the name on the URL ({name})"
        )));
    }
    // A resourceVersion in the patch is an optimistic-concurrency precondition.
    let rv = resource_version(&patched);
    if !rv.is_empty() && rv != resource_version(&existing) {
        return Err(ApiError::conflict(&res.group_resource(), name));
    }
    prepare(res, ns, &mut patched)?;
    let updated = store_write(&mut cluster, res, &existing, patched, dry)?;
    Ok((
        StatusCode::OK,
        render(res, &updated, &out, cluster.store.resource_version()),
    ))
}

/// DELETE of an object. Pods and namespaces answer with the object (now terminating), the
/// other kinds with a success Status, as on the real server.
pub fn delete(app: &App, res: Res, ns: &str, name: &str, req: &Request) -> Reply {
    let dry = dry_run(req)?;
    let options: Value = if req.body.is_empty() {
        json!({})
    } else {
        serde_json::from_slice(&req.body)
            .map_err(|e| ApiError::bad_request(format!("invalid DeleteOptions: {e}")))?
    };
    let grace = match req.params.non_empty("gracePeriodSeconds") {
        Some(g) => Some(
            g.parse::<i64>()
                .map_err(|_| ApiError::bad_request(format!("invalid gracePeriodSeconds {g:?}")))?,
        ),
        None => options.get("gracePeriodSeconds").and_then(Value::as_i64),
    };
    let mut cluster = app.lock();
    require_namespace(&cluster, res, ns)?;
    let Some(existing) = cluster.store.get(res, ns, name).cloned() else {
        return Err(ApiError::not_found(&res.group_resource(), name));
    };
    for (field, pointer) in [
        ("uid", "/metadata/uid"),
        ("resourceVersion", "/metadata/resourceVersion"),
    ] {
        if let Some(want) = options
            .pointer(&format!("/preconditions/{field}"))
            .and_then(Value::as_str)
        {
            let got = existing
                .pointer(pointer)
                .and_then(Value::as_str)
                .unwrap_or("");
            if want != got {
                let mut e = ApiError::conflict(&res.group_resource(), name);
                let label = if field == "uid" {
                    "UID"
                } else {
                    "ResourceVersion"
                };
                e.message = format!(
                    "Precondition failed: {label} in precondition: {want}, {label} in object meta: {got}"
                );
                return Err(e);
            }
        }
    }
    let uid = existing
        .pointer("/metadata/uid")
        .and_then(Value::as_str)
        .map(String::from);
    if dry {
        return Ok((StatusCode::OK, existing));
    }
    let policy = req
        .params
        .non_empty("propagationPolicy")
        .map(String::from)
        .or_else(|| {
            options
                .get("propagationPolicy")
                .and_then(Value::as_str)
                .map(String::from)
        });
    if let Some(p) = policy.as_deref()
        && !matches!(p, "Orphan" | "Background" | "Foreground")
    {
        return Err(ApiError::bad_request(format!(
            "Invalid propagationPolicy {p:?}: supported values are \"Orphan\", \"Background\" and \"Foreground\""
        )));
    }
    match res {
        Res::Namespace => Ok((StatusCode::OK, cluster.delete_namespace(name)?)),
        Res::Pod => Ok((StatusCode::OK, cluster.delete_pod(ns, name, grace, now())?)),
        _ => {
            // Background and Foreground both leave the dependents to the garbage collector
            // (the sandbox does not hold the owner back until they are gone).
            if policy.as_deref() == Some("Orphan")
                && let Some(uid) = uid.as_deref()
            {
                cluster.orphan_dependents(uid);
            }
            cluster.store.delete(res, ns, name)?;
            Ok((
                StatusCode::OK,
                success_status(name, &res.group_resource(), uid.as_deref()),
            ))
        }
    }
}
