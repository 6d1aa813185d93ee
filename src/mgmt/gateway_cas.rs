//! Gateway certificate authorities in the management plane (APIM's
//! `gateways/{gatewayId}/certificateAuthorities/{certificateId}`): the REST
//! handlers and what the gateway's snapshot says about them.
//!
//! Meaning (as APIM documents it: roots `isTrusted = true`, intermediates
//! `false`): a trusted CA is a trust anchor for client certificates on that
//! gateway (`validate-client-certificate`, `context.Request.Certificate.Verify()`);
//! an untrusted one only helps build a chain to a trusted root. They reach
//! the gateway as `certificate-authorities` / `intermediate-certificates`
//! of its `hostnames.toml`.
//!
//! Invariants: an assignment names an existing gateway and certificate
//! (404 otherwise); a certificate assigned to any gateway cannot be deleted
//! (409, see `certificates`); deleting a gateway removes its assignments.

use serde_json::json;

use super::api::parse_json;
use super::model::GatewayCertificateAuthority;
use super::resources as res;
use super::server::{Req, Resp};
use super::store::Store;
use super::{bad, not_found, MgmtError};

type R = Result<Resp, MgmtError>;

/// `GET /mgmt/gateways/{g}/certificateAuthorities`.
pub fn list(store: &Store, g: &str) -> R {
    let cas = store.read(|c| res::list_gateway_cas(c, g))?;
    Ok(Resp::json(200, &json!({ "value": cas })))
}

/// `GET/PUT/DELETE /mgmt/gateways/{g}/certificateAuthorities/{cert}`.
pub fn certificate_authority(store: &Store, req: &Req, g: &str, cert: &str) -> R {
    match req.method.as_str() {
        "GET" => {
            let ca = store.read(|c| {
                res::require(c, "gateways", "gateway", g)?;
                res::get_gateway_ca(c, g, cert)
            })?;
            ca.map(|ca| Resp::json(200, &ca))
                .ok_or_else(|| not_found("certificate authority", cert))
        }
        "PUT" => {
            let mut ca: GatewayCertificateAuthority = parse_json(&req.body)?;
            ca.id = cert.to_string();
            let (created, _) = store.write_config(|c| res::put_gateway_ca(c, g, cert, ca.is_trusted))?;
            Ok(Resp::json(if created { 201 } else { 200 }, &ca))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_gateway_ca(c, g, cert))?;
            Ok(Resp::empty(204))
        }
        _ => Err(bad("method not allowed on this resource")),
    }
}

/// (trusted, intermediate) certificate ids of a gateway's CAs.
pub fn split(cas: &[GatewayCertificateAuthority]) -> (Vec<String>, Vec<String>) {
    let pick = |t: bool| cas.iter().filter(|c| c.is_trusted == t).map(|c| c.id.clone()).collect();
    (pick(true), pick(false))
}
