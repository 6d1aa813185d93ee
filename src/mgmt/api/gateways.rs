//! `/mgmt/gateways/{id}` and its actions: keys (list, regenerate), access
//! tokens, instances (heartbeats), OAuth2 application identities.
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
        "GET" => found(store.read(|c| with_identity(c, res::get_gateway(c, g)?))?, "gateway", g),
        "PUT" => {
            let mut gw: Gateway = if req.body.iter().all(u8::is_ascii_whitespace) {
                Gateway {
                    id: String::new(),
                    description: None,
                    hostname_configurations: vec![],
                    apis: vec![],
                    identity: None,
                }
            } else {
                parse_json(&req.body)?
            };
            gw.id = g.to_string();
            let (created, _) = store.write_config(|c| {
                certificates::check_all(c, &mut gw.hostname_configurations)?;
                res::put_gateway(c, &gw)
            })?;
            found(store.read(|c| with_identity(c, res::get_gateway(c, g)?))?, "gateway", g)
                .map(|r| r.with_status(put_status(created)))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_gateway(c, g))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

/// A gateway as GET shows it: with the identity of its latest heartbeat.
pub(super) fn with_identity(c: &rusqlite::Connection, gw: Option<Gateway>) -> Result<Option<Gateway>, MgmtError> {
    let Some(mut gw) = gw else { return Ok(None) };
    gw.identity = res::identity_in_use(c, &gw.id)?;
    Ok(Some(gw))
}

/// `/mgmt/gateways/{g}/identities[/{clientId}]`: the OAuth2 applications
/// allowed to configure the gateway.
pub(super) fn identity(store: &Store, req: &Req, g: &str, client_id: Option<&str>) -> R {
    let Some(client) = client_id else {
        if req.method != "GET" {
            return Err(method_not_allowed());
        }
        return Ok(Resp::json(
            200,
            &json!({ "value": store.read(|c| res::list_identities(c, g))? }),
        ));
    };
    let key = format!("{g}/{client}");
    match req.method.as_str() {
        "GET" => {
            let found_one = store.read(|c| {
                res::require(c, "gateways", "gateway", g)?;
                res::get_identity(c, g, client)
            })?;
            found(found_one, "gateway identity", &key)
        }
        "PUT" => {
            let body: GatewayIdentity = if req.body.iter().all(u8::is_ascii_whitespace) {
                GatewayIdentity {
                    client_id: String::new(),
                    description: None,
                    created: String::new(),
                }
            } else {
                parse_json(&req.body)?
            };
            if body.description.as_ref().is_some_and(|d| d.len() > 1024) {
                return Err(bad("description: at most 1024 characters"));
            }
            let (created, _) = store.write_config(|c| res::put_identity(c, g, client, body.description.as_deref()))?;
            found(
                store.read(|c| res::get_identity(c, g, client))?,
                "gateway identity",
                &key,
            )
            .map(|r| r.with_status(put_status(created)))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_identity(c, g, client))?;
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
