//! The `/mgmt` REST routes (admin-authenticated by the caller, [`super::server`]).
//!
//! Conventions: PUT creates (201) or replaces (200) and answers with the
//! resource; GET answers 200 or 404; DELETE answers 204 or 404; bodies are
//! JSON (APIM's `{"properties": {...}}` envelope is accepted too). Every
//! path id is validated before use. Secrets (named values marked secret,
//! subscription keys, gateway keys, certificate PEM and keys) are never returned by
//! GET; dedicated POST actions reveal keys.
//!
//! Invariant: every mutation is one `Store::write_config` call, so it is
//! atomic and bumps the configuration version exactly once.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};

use super::model::{self, *};
use super::resources as res;
use super::server::{Req, Resp};
use super::store::Store;
use super::tokens::{self, KeyType};
use super::{bad, certificates, gateway_cas, not_found, openapi, MgmtError};
use crate::policy::document::{self, Scope};

type R = Result<Resp, MgmtError>;

/// Parses a JSON body into `T`, unwrapping an APIM `properties` envelope.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, MgmtError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(bad("a JSON request body is required"));
    }
    let mut v: Value = serde_json::from_slice(body).map_err(|e| bad(format!("malformed JSON: {e}")))?;
    if let Some(props) = v.get_mut("properties").filter(|p| p.is_object()).map(Value::take) {
        v = props;
    }
    serde_json::from_value(v).map_err(|e| bad(format!("invalid body: {e}")))
}

fn id<'a>(kind: &str, s: &'a str) -> Result<&'a str, MgmtError> {
    model::validate_id(kind, s)?;
    Ok(s)
}

fn put_status(created: bool) -> u16 {
    if created {
        201
    } else {
        200
    }
}

fn found<T: serde::Serialize>(v: Option<T>, what: &str, key: &str) -> R {
    v.map(|v| Resp::json(200, &v)).ok_or_else(|| not_found(what, key))
}

fn method_not_allowed() -> MgmtError {
    bad("method not allowed on this resource")
}

/// Dispatches one `/mgmt/...` request; `segs` are the path segments after `mgmt`.
pub fn handle(store: &Store, req: &Req, segs: &[&str]) -> R {
    let m = req.method.as_str();
    match segs {
        ["version"] if m == "GET" => Ok(Resp::json(200, &json!({ "version": store.version()? }))),
        ["policy"] => policy(store, req, "global".into()),
        ["apis"] if m == "GET" => Ok(Resp::json(200, &json!({ "value": store.read(|c| res::list_apis(c))? }))),
        ["apis", "import"] if m == "POST" => import(store, req),
        ["apis", api_id] => api(store, req, id("api", api_id)?),
        ["apis", api_id, "policy"] => {
            let api_id = id("api", api_id)?;
            store.read(|c| res::require(c, "apis", "api", api_id))?;
            policy(store, req, format!("api:{api_id}"))
        }
        ["apis", api_id, "operations"] if m == "GET" => {
            let api_id = id("api", api_id)?;
            let ops = store.read(|c| {
                res::require(c, "apis", "api", api_id)?;
                res::list_operations(c, api_id)
            })?;
            Ok(Resp::json(200, &json!({ "value": ops })))
        }
        ["apis", api_id, "operations", op_id] => operation(store, req, id("api", api_id)?, id("operation", op_id)?),
        ["apis", api_id, "operations", op_id, "policy"] => {
            let (api_id, op_id) = (id("api", api_id)?, id("operation", op_id)?);
            store.read(|c| {
                res::get_operation(c, api_id, op_id)?
                    .ok_or_else(|| not_found("operation", &format!("{api_id}/{op_id}")))
            })?;
            policy(store, req, format!("operation:{api_id}/{op_id}"))
        }
        ["products"] if m == "GET" => Ok(Resp::json(
            200,
            &json!({ "value": store.read(|c| res::list_products(c))? }),
        )),
        ["products", p] => product(store, req, id("product", p)?),
        ["products", p, "policy"] => {
            let p = id("product", p)?;
            store.read(|c| res::require(c, "products", "product", p))?;
            policy(store, req, format!("product:{p}"))
        }
        ["products", p, "apis", a] => {
            let (p, a) = (id("product", p)?, id("api", a)?);
            match m {
                "PUT" => store.write_config(|c| res::link_product_api(c, p, a))?,
                "DELETE" => {
                    store.write_config(|c| res::unlink_product_api(c, p, a))?;
                    return Ok(Resp::empty(204));
                }
                _ => return Err(method_not_allowed()),
            };
            Ok(Resp::json(200, &json!({ "productId": p, "apiId": a })))
        }
        ["subscriptions"] if m == "GET" => {
            let mut subs = store.read(|c| res::list_subscriptions_with_keys(c))?;
            subs.iter_mut().for_each(hide_keys);
            Ok(Resp::json(200, &json!({ "value": subs })))
        }
        ["subscriptions", s] => subscription(store, req, id("subscription", s)?),
        ["subscriptions", s, "listSecrets"] if m == "POST" => {
            let s = id("subscription", s)?;
            let sub = store
                .read(|c| res::get_subscription_with_keys(c, s))?
                .ok_or_else(|| not_found("subscription", s))?;
            Ok(Resp::json(
                200,
                &json!({ "primaryKey": sub.primary_key, "secondaryKey": sub.secondary_key }),
            ))
        }
        ["named-values"] if m == "GET" => {
            let mut all = store.read(|c| res::list_named_values(c))?;
            all.iter_mut().filter(|n| n.secret).for_each(|n| n.value = None);
            Ok(Resp::json(200, &json!({ "value": all })))
        }
        ["named-values", n] => named_value(store, req, id("named value", n)?),
        ["policy-fragments"] if m == "GET" => Ok(Resp::json(
            200,
            &json!({ "value": store.read(|c| res::list_fragments(c))? }),
        )),
        ["policy-fragments", f] => fragment(store, req, id("policy fragment", f)?),
        ["backends"] if m == "GET" => Ok(Resp::json(
            200,
            &json!({ "value": store.read(|c| res::list_backends(c))? }),
        )),
        ["backends", b] => backend(store, req, id("backend", b)?),
        ["certificates"] if m == "GET" => certificates::list(store),
        ["certificates", cert] => certificates::certificate(store, req, id("certificate", cert)?),
        ["gateways", g, "hostnameConfigurations"] if m == "GET" => {
            certificates::hostname_configuration(store, req, id("gateway", g)?, None)
        }
        ["gateways", g, "hostnameConfigurations", hc] => {
            certificates::hostname_configuration(store, req, id("gateway", g)?, Some(id("hostname configuration", hc)?))
        }
        ["gateways", g, "certificateAuthorities"] if m == "GET" => gateway_cas::list(store, id("gateway", g)?),
        ["gateways", g, "certificateAuthorities", cert] => {
            gateway_cas::certificate_authority(store, req, id("gateway", g)?, id("certificate", cert)?)
        }
        ["gateways"] if m == "GET" => Ok(Resp::json(
            200,
            &json!({ "value": store.read(|c| res::list_gateways(c))? }),
        )),
        ["gateways", g] => gateway(store, req, id("gateway", g)?),
        ["gateways", g, "apis", a] => {
            let (g, a) = (id("gateway", g)?, id("api", a)?);
            match m {
                "PUT" => store.write_config(|c| res::assign_api(c, g, a))?,
                "DELETE" => {
                    store.write_config(|c| res::unassign_api(c, g, a))?;
                    return Ok(Resp::empty(204));
                }
                _ => return Err(method_not_allowed()),
            };
            Ok(Resp::json(200, &json!({ "gatewayId": g, "apiId": a })))
        }
        ["gateways", g, action] if m == "POST" || *action == "instances" => {
            gateway_action(store, req, id("gateway", g)?, action)
        }
        _ => Err(MgmtError::NotFound(format!("no route for {} {}", req.method, req.path))),
    }
}

fn hide_keys(s: &mut Subscription) {
    s.primary_key = None;
    s.secondary_key = None;
}

fn api(store: &Store, req: &Req, api_id: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_api(c, api_id))?, "api", api_id),
        "PUT" => {
            let mut a: Api = parse_json(&req.body)?;
            a.id = api_id.to_string();
            a.validate()?;
            let (created, _) = store.write_config(|c| res::put_api(c, &a))?;
            Ok(Resp::json(put_status(created), &a))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_api(c, api_id))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn operation(store: &Store, req: &Req, api_id: &str, op_id: &str) -> R {
    match req.method.as_str() {
        "GET" => found(
            store.read(|c| res::get_operation(c, api_id, op_id))?,
            "operation",
            op_id,
        ),
        "PUT" => {
            let mut op: Operation = parse_json(&req.body)?;
            op.id = op_id.to_string();
            op.validate()?;
            let (created, _) = store.write_config(|c| res::put_operation(c, api_id, &op))?;
            Ok(Resp::json(put_status(created), &op))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_operation(c, api_id, op_id))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn policy(store: &Store, req: &Req, scope: String) -> R {
    match req.method.as_str() {
        "GET" => {
            let xml = store
                .read(|c| res::get_policy(c, &scope))?
                .ok_or_else(|| not_found("policy", &scope))?;
            Ok(Resp::json(200, &json!({ "value": xml, "format": "xml" })))
        }
        "PUT" => {
            let xml = if req.content_type.contains("xml") {
                String::from_utf8(req.body.clone()).map_err(|_| bad("policy XML must be UTF-8"))?
            } else {
                #[derive(serde::Deserialize)]
                struct Body {
                    value: String,
                    #[serde(default, rename = "format")]
                    _format: Option<String>,
                }
                parse_json::<Body>(&req.body)?.value
            };
            let level = match scope.split_once(':').map_or(scope.as_str(), |(kind, _)| kind) {
                "global" => Scope::Global,
                "product" => Scope::Product,
                "api" => Scope::Api,
                _ => Scope::Operation,
            };
            document::check_syntax(&format!("policy {scope}"), level, &xml).map_err(|e| bad(e.to_string()))?;
            let existed = store.read(|c| res::get_policy(c, &scope))?.is_some();
            store.write_config(|c| res::put_policy(c, &scope, &xml))?;
            Ok(Resp::json(
                put_status(!existed),
                &json!({ "value": xml, "format": "xml" }),
            ))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_policy(c, &scope))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

/// Fragments larger than this are refused (APIM allows 32 KB).
const MAX_FRAGMENT_BYTES: usize = 256 * 1024;

fn fragment(store: &Store, req: &Req, f: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_fragment(c, f))?, "policy fragment", f),
        "PUT" => {
            let mut frag: PolicyFragment = if req.content_type.contains("xml") {
                let value = String::from_utf8(req.body.clone()).map_err(|_| bad("fragment XML must be UTF-8"))?;
                PolicyFragment {
                    id: String::new(),
                    description: None,
                    value,
                    format: "xml".into(),
                }
            } else {
                parse_json(&req.body)?
            };
            frag.id = f.to_string();
            if !matches!(frag.format.as_str(), "xml" | "rawxml") {
                return Err(bad("format must be \"xml\" or \"rawxml\""));
            }
            frag.format = "xml".into();
            if frag.value.len() > MAX_FRAGMENT_BYTES {
                return Err(bad("value is longer than 256 KiB"));
            }
            document::check_fragment_syntax(&format!("policy fragment {f}"), &frag.value)
                .map_err(|e| bad(e.to_string()))?;
            let (created, _) = store.write_config(|c| res::put_fragment(c, &frag))?;
            Ok(Resp::json(put_status(created), &frag))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_fragment(c, f))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn product(store: &Store, req: &Req, p: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_product(c, p))?, "product", p),
        "PUT" => {
            let mut prod: Product = parse_json(&req.body)?;
            prod.id = p.to_string();
            prod.validate()?;
            let (created, _) = store.write_config(|c| res::put_product(c, &prod))?;
            found(store.read(|c| res::get_product(c, p))?, "product", p).map(|r| r.with_status(put_status(created)))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_product(c, p))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn subscription(store: &Store, req: &Req, s: &str) -> R {
    match req.method.as_str() {
        "GET" => {
            let mut sub = store
                .read(|c| res::get_subscription_with_keys(c, s))?
                .ok_or_else(|| not_found("subscription", s))?;
            hide_keys(&mut sub);
            Ok(Resp::json(200, &sub))
        }
        "PUT" => {
            let mut sub: Subscription = parse_json(&req.body)?;
            sub.id = s.to_string();
            sub.validate()?;
            let (created, _) = store.write_config(|c| res::put_subscription(c, &sub))?;
            hide_keys(&mut sub);
            Ok(Resp::json(put_status(created), &sub))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_subscription(c, s))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn named_value(store: &Store, req: &Req, n: &str) -> R {
    match req.method.as_str() {
        "GET" => {
            let nv = store
                .read(|c| res::list_named_values(c))?
                .into_iter()
                .find(|v| v.id == n);
            found(
                nv.map(|mut v| {
                    if v.secret {
                        v.value = None;
                    }
                    v
                }),
                "named value",
                n,
            )
        }
        "PUT" => {
            let nv: NamedValue = parse_json(&req.body)?;
            let value = nv.value.ok_or_else(|| bad("value is required"))?;
            if value.len() > 64 * 1024 {
                return Err(bad("value is longer than 64 KiB"));
            }
            let (created, _) = store.write_config(|c| res::put_named_value(c, n, &value, nv.secret))?;
            let shown = (!nv.secret).then_some(value);
            Ok(Resp::json(
                put_status(created),
                &NamedValue {
                    id: n.into(),
                    value: shown,
                    secret: nv.secret,
                },
            ))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_named_value(c, n))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn backend(store: &Store, req: &Req, b: &str) -> R {
    match req.method.as_str() {
        "GET" => found(
            store.read(|c| res::list_backends(c))?.into_iter().find(|x| x.id == b),
            "backend",
            b,
        ),
        "PUT" => {
            let mut be: Backend = parse_json(&req.body)?;
            be.id = b.to_string();
            validate_url("url", &be.url)?;
            let (created, _) = store.write_config(|c| res::put_backend(c, &be))?;
            Ok(Resp::json(put_status(created), &be))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_backend(c, b))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

fn gateway(store: &Store, req: &Req, g: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_gateway(c, g))?, "gateway", g),
        "PUT" => {
            let mut gw: Gateway = if req.body.iter().all(u8::is_ascii_whitespace) {
                Gateway {
                    id: String::new(),
                    description: None,
                    hostname_configurations: vec![],
                    apis: vec![],
                }
            } else {
                parse_json(&req.body)?
            };
            gw.id = g.to_string();
            let (created, _) = store.write_config(|c| {
                certificates::check_all(c, &mut gw.hostname_configurations)?;
                res::put_gateway(c, &gw)
            })?;
            found(store.read(|c| res::get_gateway(c, g))?, "gateway", g).map(|r| r.with_status(put_status(created)))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_gateway(c, g))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct KeyRequest {
    key_type: String,
    #[serde(default)]
    expiry: Option<String>,
}

fn gateway_action(store: &Store, req: &Req, g: &str, action: &str) -> R {
    let keys = || {
        store
            .read(|c| res::gateway_keys(c, g))?
            .ok_or_else(|| not_found("gateway", g))
    };
    match (req.method.as_str(), action) {
        ("GET", "instances") => {
            keys()?;
            Ok(Resp::json(
                200,
                &json!({ "value": store.read(|c| res::list_instances(c, g))? }),
            ))
        }
        ("POST", "listKeys") => {
            let (primary, secondary) = keys()?;
            Ok(Resp::json(200, &json!({ "primary": primary, "secondary": secondary })))
        }
        ("POST", "regenerateKey") => {
            let kt = KeyType::parse(&parse_json::<KeyRequest>(&req.body)?.key_type)?;
            store.write_config(|c| res::regenerate_gateway_key(c, g, kt))?;
            Ok(Resp::empty(204))
        }
        ("POST", "generateToken") => {
            let body: KeyRequest = parse_json(&req.body)?;
            let kt = KeyType::parse(&body.key_type)?;
            let expiry = body.expiry.ok_or_else(|| bad("expiry is required (ISO 8601 UTC)"))?;
            let expiry = tokens::parse_iso(&expiry)
                .ok_or_else(|| bad(format!("invalid expiry '{expiry}': expected e.g. 2026-12-01T00:00:00Z")))?;
            let (primary, secondary) = keys()?;
            let key = if kt == KeyType::Primary { primary } else { secondary };
            let value = tokens::generate_token(g, &key, expiry, tokens::now_unix())?;
            Ok(Resp::json(200, &json!({ "value": value })))
        }
        _ => Err(MgmtError::NotFound(format!("no route for {} {}", req.method, req.path))),
    }
}

fn import(store: &Store, req: &Req) -> R {
    let api_id = id(
        "api",
        req.query("id").ok_or_else(|| bad("query parameter id is required"))?,
    )?;
    let path = req.query("path").unwrap_or(api_id);
    let doc = openapi::parse_document(&req.body, &req.content_type)?;
    let (api, ops) = openapi::import(&doc, api_id, path, req.query("serviceUrl"))?;
    let (created, _) = store.write_config(|c| {
        let created = res::put_api(c, &api)?;
        res::replace_operations(c, api_id, &ops)?;
        Ok(created)
    })?;
    Ok(Resp::json(
        put_status(created),
        &json!({ "api": api, "operations": ops }),
    ))
}
