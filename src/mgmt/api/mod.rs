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

use super::metrics::query::{self, Query, Scope};
use super::model::{self, *};
use super::resources as res;
use super::server::{Req, Resp};
use super::store::Store;
use super::{audit, bad, certificates, gateway_cas, not_found, tokens, MgmtError};

pub(super) type R = Result<Resp, MgmtError>;

mod apis;
mod gateways;
mod policies;
mod products;
mod values;

use apis::{api, import, operation};
use gateways::{gateway, gateway_action, identity, with_identity};
use policies::{fragment, policy};
use products::{product, subscription};
use values::{backend, named_value};

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

pub(super) fn id<'a>(kind: &str, s: &'a str) -> Result<&'a str, MgmtError> {
    model::validate_id(kind, s)?;
    Ok(s)
}

pub(super) fn put_status(created: bool) -> u16 {
    if created {
        201
    } else {
        200
    }
}

pub(super) fn found<T: serde::Serialize>(v: Option<T>, what: &str, key: &str) -> R {
    v.map(|v| Resp::json(200, &v)).ok_or_else(|| not_found(what, key))
}

pub(super) fn method_not_allowed() -> MgmtError {
    bad("method not allowed on this resource")
}

/// Dispatches one `/mgmt/...` request; `segs` are the path segments after `mgmt`.
pub fn handle(store: &Store, req: &Req, segs: &[&str]) -> R {
    let m = req.method.as_str();
    match segs {
        ["version"] if m == "GET" => Ok(Resp::json(200, &json!({ "version": store.version()? }))),
        ["audit"] if m == "GET" => {
            let q = audit::Query::parse(|n| req.query(n).map(str::to_string))?;
            let (entries, more) = store.read(|c| audit::list(c, &q))?;
            let mut body = json!({ "value": entries });
            if more {
                body["nextSkip"] = json!(q.skip + q.top);
            }
            Ok(Resp::json(200, &body))
        }
        ["policy"] => policy(store, req, "global".into()),
        ["apis"] if m == "GET" => Ok(Resp::json(200, &json!({ "value": store.read(|c| res::list_apis(c))? }))),
        ["apis", "import"] if m == "POST" => import(store, req),
        ["apis", api_id] => api(store, req, id("api", api_id)?),
        ["apis", api_id, "policy"] => {
            let api_id = id("api", api_id)?;
            store.read(|c| res::require(c, "apis", "api", api_id))?;
            policy(store, req, format!("api:{api_id}"))
        }
        ["apis", api_id, "metrics"] if m == "GET" => {
            let api_id = id("api", api_id)?;
            let gateway = req.query("gatewayId").map(|g| id("gateway", g)).transpose()?;
            metrics(store, req, "apis", "api", api_id, Scope::Api { id: api_id, gateway })
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
        ["gateways"] if m == "GET" => {
            let all = store.read(|c| {
                let mut out = Vec::new();
                for gw in res::list_gateways(c)? {
                    out.extend(with_identity(c, Some(gw))?);
                }
                Ok(out)
            })?;
            Ok(Resp::json(200, &json!({ "value": all })))
        }
        ["gateways", g, "metrics"] if m == "GET" => {
            let g = id("gateway", g)?;
            let api = req.query("apiId").map(|a| id("api", a)).transpose()?;
            metrics(store, req, "gateways", "gateway", g, Scope::Gateway { id: g, api })
        }
        ["gateways", g, "identities"] => identity(store, req, id("gateway", g)?, None),
        ["gateways", g, "identities", client] => identity(store, req, id("gateway", g)?, Some(id("client", client)?)),
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

/// `GET /mgmt/gateways/{g}/metrics`, `GET /mgmt/apis/{api}/metrics`
/// (see [`crate::mgmt::metrics::query`]).
fn metrics(store: &Store, req: &Req, table: &str, what: &str, key: &str, scope: Scope<'_>) -> R {
    let q = Query::parse(|n| req.query(n).map(str::to_string), tokens::now_unix())?;
    let series = store.read(|c| {
        res::require(c, table, what, key)?;
        query::run(c, scope, &q)
    })?;
    Ok(Resp::json(200, &series))
}

pub(super) fn hide_keys(s: &mut Subscription) {
    s.primary_key = None;
    s.secondary_key = None;
}
