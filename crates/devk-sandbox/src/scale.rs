//! The `scale` subresource of Deployments, ReplicaSets and StatefulSets (`autoscaling/v1`
//! Scale), which `kubectl scale` patches.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use super::api::Request;
use super::patch::{self, PatchType};
use super::server::App;
use super::status::ApiError;
use super::store::Res;
use super::table_apps::format_selector;

type Reply = Result<(StatusCode, Value), ApiError>;

fn scale_of(obj: &Value) -> Value {
    let meta = &obj["metadata"];
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {"name": meta["name"], "namespace": meta["namespace"], "uid": meta["uid"],
                     "resourceVersion": meta["resourceVersion"], "creationTimestamp": meta["creationTimestamp"]},
        "spec": {"replicas": obj.pointer("/spec/replicas").cloned().unwrap_or(json!(1))},
        "status": {"replicas": obj.pointer("/status/replicas").cloned().unwrap_or(json!(0)),
                   "selector": format_selector(obj.pointer("/spec/selector")).replace("<none>", "")},
    })
}

/// GET, PUT or PATCH of `res/NAME/scale`.
pub fn handle(app: &App, res: Res, ns: &str, name: &str, method: &Method, req: &Request) -> Reply {
    let mut cluster = app.lock();
    super::api::require_namespace(&cluster, res, ns)?;
    let Some(obj) = cluster.store.get(res, ns, name).cloned() else {
        return Err(ApiError::not_found(&res.group_resource(), name));
    };
    let current = scale_of(&obj);
    let wanted = match *method {
        Method::GET => return Ok((StatusCode::OK, current)),
        Method::PUT => serde_json::from_slice::<Value>(&req.body).map_err(|e| {
            ApiError::bad_request(format!(
                "Scale in version \"v1\" cannot be handled as a Scale: {e}"
            ))
        })?,
        Method::PATCH => {
            let ty = PatchType::from_content_type(&req.content_type).ok_or_else(|| {
                ApiError::unsupported_media_type(
                    &req.content_type,
                    "application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json",
                )
            })?;
            let body: Value = serde_json::from_slice(&req.body)
                .map_err(|e| ApiError::bad_request(format!("error decoding patch: {e}")))?;
            patch::apply(ty, "Scale", &current, &body).map_err(ApiError::bad_request)?
        }
        ref m => {
            return Err(ApiError::method_not_allowed(
                m.as_str(),
                &format!("{}/scale", res.plural()),
            ));
        }
    };
    let rv = wanted
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    if *method == Method::PUT
        && !rv.is_empty()
        && Some(rv)
            != obj
                .pointer("/metadata/resourceVersion")
                .and_then(Value::as_str)
    {
        return Err(ApiError::conflict(&res.group_resource(), name));
    }
    let Some(replicas) = wanted.pointer("/spec/replicas").and_then(Value::as_i64) else {
        return Err(ApiError::bad_request("spec.replicas must be an integer"));
    };
    if replicas < 0 {
        let causes = vec![super::status::Cause::invalid(
            "spec.replicas",
            &replicas.to_string(),
            "must be greater than or equal to 0",
        )];
        return Err(ApiError::invalid("Scale", name, causes));
    }
    if req.params.get("dryRun") == Some("All") {
        let mut s = current;
        s["spec"]["replicas"] = json!(replicas);
        return Ok((StatusCode::OK, s));
    }
    let mut next = obj.clone();
    if obj.pointer("/spec/replicas").and_then(Value::as_i64) != Some(replicas) {
        next["spec"]["replicas"] = json!(replicas);
        let generation = obj
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        next["metadata"]["generation"] = json!(generation + 1);
        next = cluster.store.update(res, next)?;
    }
    Ok((StatusCode::OK, scale_of(&next)))
}
