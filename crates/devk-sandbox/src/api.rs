//! `/api/v1/...` and `/apis/GROUP/v1/...`: path parsing, content negotiation (JSON, Table,
//! PartialObjectMetadata), get and list. Writes, watches, logs and the scale subresource live
//! in their own modules.

use axum::body::Bytes;
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::res::Gv;
use super::selectors::{FieldSelector, LabelSelector};
use super::server::App;
use super::status::{ApiError, json_response};
use super::store::Res;
use super::table::{self, Include};
use super::util::{Params, now, parse_bool};

/// A request under `/api/v1/` or `/apis/GROUP/VERSION/`.
pub struct Request {
    pub gv: Gv,
    pub method: Method,
    pub segs: Vec<String>,
    pub params: Params,
    pub accept: String,
    pub content_type: String,
    pub body: Bytes,
}

/// What the path names.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    /// A collection, in one namespace or (None) across all.
    Collection { res: Res, ns: Option<String> },
    /// One object (`ns` is empty for namespaces).
    Object { res: Res, ns: String, name: String },
    /// `pods/NAME/log`.
    Log { ns: String, name: String },
    /// `KIND/NAME/scale` of a scalable workload.
    Scale { res: Res, ns: String, name: String },
    /// `KIND/NAME/status` (read-only here: only controllers write status).
    Status { res: Res, ns: String, name: String },
}

/// The representation the client asked for.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    Json,
    Table { version: String, include: Include },
    Metadata { version: String },
}

fn parse_target(gv: Gv, segs: &[String]) -> Option<(Target, bool)> {
    let (watch, segs) = match segs.split_first() {
        Some((w, rest)) if w == "watch" => (true, rest),
        _ => (false, segs),
    };
    let s: Vec<&str> = segs.iter().map(String::as_str).collect();
    let target = match s.as_slice() {
        [res] => Target::Collection {
            res: Res::from_plural(gv, res)?,
            ns: None,
        },
        ["namespaces", name] if gv == Gv::Core => Target::Object {
            res: Res::Namespace,
            ns: String::new(),
            name: (*name).into(),
        },
        ["namespaces", ns, res] => {
            let res = Res::from_plural(gv, res).filter(|r| r.namespaced())?;
            Target::Collection {
                res,
                ns: Some((*ns).into()),
            }
        }
        ["namespaces", ns, res, name] => {
            let res = Res::from_plural(gv, res).filter(|r| r.namespaced())?;
            Target::Object {
                res,
                ns: (*ns).into(),
                name: (*name).into(),
            }
        }
        ["namespaces", ns, "pods", name, "log"] if !watch && gv == Gv::Core => Target::Log {
            ns: (*ns).into(),
            name: (*name).into(),
        },
        ["namespaces", ns, res, name, "scale"] if !watch => Target::Scale {
            res: Res::from_plural(gv, res).filter(|r| r.scalable())?,
            ns: (*ns).into(),
            name: (*name).into(),
        },
        ["namespaces", ns, res, name, "status"] if !watch => Target::Status {
            res: Res::from_plural(gv, res).filter(|r| r.has_status())?,
            ns: (*ns).into(),
            name: (*name).into(),
        },
        _ => return None,
    };
    Some((target, watch))
}

/// Picks the first media type in `accept` the sandbox can produce.
pub fn negotiate(accept: &str, params: &Params) -> Result<Output, ApiError> {
    if accept.trim().is_empty() {
        return Ok(Output::Json);
    }
    for media in accept.split(',') {
        let mut parts = media.split(';').map(str::trim);
        let ty = parts.next().unwrap_or_default();
        if !matches!(ty, "application/json" | "*/*" | "application/*") {
            continue;
        }
        let (mut as_, mut g, mut v) = ("", "", "");
        for p in parts {
            match p.split_once('=') {
                Some(("as", x)) => as_ = x,
                Some(("g", x)) => g = x,
                Some(("v", x)) => v = x,
                _ => {}
            }
        }
        let meta_group = g == "meta.k8s.io" && matches!(v, "v1" | "v1beta1");
        match as_ {
            "" => return Ok(Output::Json),
            "Table" if meta_group => {
                let include = Include::from_param(params.get("includeObject"));
                return Ok(Output::Table {
                    version: v.into(),
                    include,
                });
            }
            "PartialObjectMetadata" | "PartialObjectMetadataList" if meta_group => {
                return Ok(Output::Metadata { version: v.into() });
            }
            _ => {}
        }
    }
    Err(ApiError::not_acceptable(accept))
}

/// A boolean query parameter, 400 when it is not a boolean.
pub fn bool_param(params: &Params, key: &str) -> Result<bool, ApiError> {
    match params.get(key) {
        None => Ok(false),
        Some(v) => parse_bool(v).ok_or_else(|| {
            ApiError::bad_request(format!(
                "invalid boolean value {v:?} for query parameter {key}"
            ))
        }),
    }
}

/// Parsed `labelSelector` and `fieldSelector` for `res`.
pub fn selectors(params: &Params, res: Res) -> Result<(LabelSelector, FieldSelector), ApiError> {
    let labels = LabelSelector::parse(params.get("labelSelector").unwrap_or(""))?;
    let raw = res.stored_field_selector(params.get("fieldSelector").unwrap_or(""));
    let fields = FieldSelector::parse(&raw, res.fields())?;
    Ok((labels, fields))
}

/// Whether `obj` passes both selectors.
pub fn selected(obj: &Value, labels: &LabelSelector, fields: &FieldSelector) -> bool {
    labels.matches(obj.pointer("/metadata/labels").and_then(Value::as_object))
        && fields.matches(obj)
}

/// Renders one object in the negotiated representation.
pub fn render(res: Res, obj: &Value, out: &Output, rv: u64) -> Value {
    match out {
        Output::Json => super::events_v1::served(res, obj),
        Output::Table { version, include } => {
            table::table(res, &[obj], rv, now(), *include, version, true)
        }
        Output::Metadata { version } => table::partial_metadata(obj, version),
    }
}

/// Entry point for `/api/v1/...`.
pub async fn handle(app: &App, req: Request) -> Response {
    let Some((target, watch_prefix)) = parse_target(req.gv, &req.segs) else {
        return ApiError::no_route().into_response();
    };
    let read_only_view = matches!(
        &target,
        Target::Collection {
            res: Res::EventV1,
            ..
        } | Target::Object {
            res: Res::EventV1,
            ..
        }
    );
    if read_only_view && req.method != Method::GET {
        return ApiError::method_not_allowed(req.method.as_str(), "events.events.k8s.io")
            .into_response();
    }
    let result = match (&target, &req.method) {
        (Target::Log { ns, name }, &Method::GET) => {
            return super::podlogs::serve(app, ns, name, &req.params).await;
        }
        (Target::Collection { res, ns }, &Method::GET) => match bool_param(&req.params, "watch") {
            Ok(w) if w || watch_prefix => {
                return super::watch::serve(app, *res, ns.clone(), None, &req).await;
            }
            Ok(_) => list(app, *res, ns.as_deref(), &req),
            Err(e) => Err(e),
        },
        (Target::Object { res, ns, name }, &Method::GET) if watch_prefix => {
            let ns = res.namespaced().then(|| ns.clone());
            return super::watch::serve(app, *res, ns, Some(name.clone()), &req).await;
        }
        (Target::Object { res, ns, name }, &Method::GET) => get(app, *res, ns, name, &req),
        (Target::Collection { res, ns: Some(ns) }, &Method::POST) => {
            super::write::create(app, *res, ns, &req)
        }
        (
            Target::Collection {
                res: Res::Namespace,
                ns: None,
            },
            &Method::POST,
        ) => super::write::create(app, Res::Namespace, "", &req),
        (Target::Object { res, ns, name }, &Method::PUT) => {
            super::write::update(app, *res, ns, name, &req)
        }
        (Target::Object { res, ns, name }, &Method::PATCH) => {
            super::write::patch(app, *res, ns, name, &req)
        }
        (Target::Object { res, ns, name }, &Method::DELETE) => {
            super::write::delete(app, *res, ns, name, &req)
        }
        (Target::Collection { res, .. }, m) => Err(ApiError::method_not_allowed(
            m.as_str(),
            &res.group_resource(),
        )),
        (Target::Object { res, .. }, m) => Err(ApiError::method_not_allowed(
            m.as_str(),
            &res.group_resource(),
        )),
        (Target::Log { .. }, m) => Err(ApiError::method_not_allowed(m.as_str(), "pods/log")),
        (Target::Scale { res, ns, name }, m) => super::scale::handle(app, *res, ns, name, m, &req),
        (Target::Status { res, ns, name }, &Method::GET) => get(app, *res, ns, name, &req),
        (Target::Status { res, .. }, m) => Err(ApiError::method_not_allowed(
            m.as_str(),
            &format!("{}/status", res.plural()),
        )),
    };
    match result {
        Ok((code, body)) => json_response(code, &body),
        Err(e) => e.into_response(),
    }
}

/// Checks that namespace `ns` exists (namespaced requests into a missing namespace are 404
/// about the namespace on the real server too).
pub fn require_namespace(
    cluster: &super::cluster::Cluster,
    res: Res,
    ns: &str,
) -> Result<(), ApiError> {
    if res.namespaced() && cluster.store.get(Res::Namespace, "", ns).is_none() {
        return Err(ApiError::not_found("namespaces", ns));
    }
    Ok(())
}

fn get(
    app: &App,
    res: Res,
    ns: &str,
    name: &str,
    req: &Request,
) -> Result<(StatusCode, Value), ApiError> {
    let out = negotiate(&req.accept, &req.params)?;
    let cluster = app.lock();
    let Some(obj) = cluster.store.get(res, ns, name) else {
        return Err(ApiError::not_found(&res.group_resource(), name));
    };
    Ok((
        StatusCode::OK,
        render(res, obj, &out, cluster.store.resource_version()),
    ))
}

fn list(
    app: &App,
    res: Res,
    ns: Option<&str>,
    req: &Request,
) -> Result<(StatusCode, Value), ApiError> {
    let out = negotiate(&req.accept, &req.params)?;
    let (labels, fields) = selectors(&req.params, res)?;
    let limit = match req.params.non_empty("limit") {
        None => None,
        Some(l) => Some(
            l.parse::<usize>()
                .map_err(|_| ApiError::bad_request(format!("invalid limit {l:?}")))?,
        ),
    };
    let cont = req.params.non_empty("continue");
    let cluster = app.lock();
    let rv = cluster.store.resource_version();
    let all: Vec<&Value> = cluster
        .store
        .list(res, ns)
        .into_iter()
        .filter(|o| selected(o, &labels, &fields))
        .collect();
    // Pagination: the continue token is the index of the next item (this list is small and
    // served from memory, so a snapshot token is not needed).
    let start = match cont {
        None => 0,
        Some(c) => c.parse::<usize>().map_err(|_| {
            let mut e = ApiError::bad_request("continue key is not valid: the provided continue parameter is too old to display a consistent list result");
            e.code = 410;
            e.reason = "Expired";
            e
        })?,
    };
    let end = limit
        .filter(|l| *l > 0)
        .map_or(all.len(), |l| start.saturating_add(l).min(all.len()));
    let page: Vec<&Value> = all
        .get(start..end)
        .map(<[&Value]>::to_vec)
        .unwrap_or_default();
    let mut meta = json!({"resourceVersion": rv.to_string()});
    if end < all.len() {
        meta["continue"] = json!(end.to_string());
        meta["remainingItemCount"] = json!(all.len() - end);
    }
    let body = match &out {
        Output::Table { version, include } => {
            let mut t = table::table(res, &page, rv, now(), *include, version, true);
            t["metadata"] = meta;
            t
        }
        Output::Metadata { version } => json!({
            "kind": "PartialObjectMetadataList",
            "apiVersion": format!("meta.k8s.io/{version}"),
            "metadata": meta,
            "items": page.iter().map(|o| table::partial_metadata(o, version)).collect::<Vec<_>>(),
        }),
        Output::Json => {
            // Items of a typed list carry no kind/apiVersion on the wire.
            let items: Vec<Value> = page
                .iter()
                .map(|o| {
                    let mut o = super::events_v1::served(res, o);
                    if let Some(m) = o.as_object_mut() {
                        m.shift_remove("kind");
                        m.shift_remove("apiVersion");
                    }
                    o
                })
                .collect();
            json!({"kind": format!("{}List", res.kind()), "apiVersion": res.gv().api_version(), "metadata": meta, "items": items})
        }
    };
    Ok((StatusCode::OK, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_table_accept_header_negotiates_a_table() {
        let p = Params::default();
        let a = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(
            negotiate(a, &p),
            Ok(Output::Table {
                version: "v1".into(),
                include: Include::Metadata
            })
        );
        assert_eq!(negotiate("application/json", &p), Ok(Output::Json));
        assert_eq!(negotiate("", &p), Ok(Output::Json));
        let agg =
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
        assert_eq!(negotiate(agg, &p), Ok(Output::Json));
        assert_eq!(
            negotiate("application/vnd.kubernetes.protobuf", &p)
                .err()
                .map(|e| e.code),
            Some(406)
        );
    }

    #[test]
    fn paths_parse_into_targets() {
        let t = |p: &str| {
            parse_target(
                Gv::Core,
                &p.split('/').map(String::from).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            t("pods"),
            Some((
                Target::Collection {
                    res: Res::Pod,
                    ns: None
                },
                false
            ))
        );
        assert_eq!(
            t("watch/namespaces/a/pods"),
            Some((
                Target::Collection {
                    res: Res::Pod,
                    ns: Some("a".into())
                },
                true
            ))
        );
        assert_eq!(
            t("namespaces/a/pods/p/log"),
            Some((
                Target::Log {
                    ns: "a".into(),
                    name: "p".into()
                },
                false
            ))
        );
        assert_eq!(t("namespaces/a/namespaces"), None);
        assert_eq!(t("configmaps"), None);
        assert_eq!(t("deployments"), None);
        let apps = |p: &str| {
            parse_target(
                Gv::Apps,
                &p.split('/').map(String::from).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            apps("namespaces/a/deployments/web/scale").map(|t| t.0),
            Some(Target::Scale {
                res: Res::Deployment,
                ns: "a".into(),
                name: "web".into()
            })
        );
        assert_eq!(apps("namespaces/a/pods"), None);
        assert_eq!(apps("namespaces/a"), None);
    }
}
