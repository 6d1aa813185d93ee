//! `/mgmt/gateways/{id}` and its actions: keys (list, regenerate), access
//! tokens, instances (heartbeats).
//!
//! Invariant: gateway keys are never in a GET of the gateway; only the
//! dedicated POST actions reveal or change them.

use serde_json::json;

use super::{found, method_not_allowed, parse_json, put_status, R};
use crate::mgmt::model::*;
use crate::mgmt::resources as res;
use crate::mgmt::server::{Req, Resp};
use crate::mgmt::store::Store;
use crate::mgmt::tokens::{self, KeyType};
use crate::mgmt::{bad, certificates, not_found, MgmtError};

pub(super) fn gateway(store: &Store, req: &Req, g: &str) -> R {
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

pub(super) fn gateway_action(store: &Store, req: &Req, g: &str, action: &str) -> R {
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
