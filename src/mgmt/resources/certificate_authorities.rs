//! Gateway certificate-authority rows (`gateway_certificate_authorities`):
//! which certificates a gateway uses as CAs for client certificates, and
//! whether each is trusted (a root) or not (an intermediate). Same
//! transaction rules as the parent module.
//!
//! Invariants: a row names an existing gateway and an existing certificate
//! (foreign keys); removing the gateway removes its rows; a certificate with
//! rows cannot be deleted (checked by the caller, enforced by the key).

use rusqlite::{params, Connection, OptionalExtension};

use super::{require, R};
use crate::mgmt::model::GatewayCertificateAuthority;
use crate::mgmt::not_found;

/// Assigns (or updates) a CA. Returns true when created; 404 for an unknown
/// gateway or certificate.
pub fn put_gateway_ca(c: &Connection, gateway: &str, cert: &str, trusted: bool) -> R<bool> {
    require(c, "gateways", "gateway", gateway)?;
    require(c, "certificates", "certificate", cert)?;
    let created = get_gateway_ca(c, gateway, cert)?.is_none();
    c.execute(
        "INSERT INTO gateway_certificate_authorities (gateway_id, certificate_id, is_trusted) VALUES (?1, ?2, ?3)
         ON CONFLICT(gateway_id, certificate_id) DO UPDATE SET is_trusted = ?3",
        params![gateway, cert, trusted],
    )?;
    Ok(created)
}

pub fn get_gateway_ca(c: &Connection, gateway: &str, cert: &str) -> R<Option<GatewayCertificateAuthority>> {
    Ok(c.query_row(
        "SELECT certificate_id, is_trusted FROM gateway_certificate_authorities
         WHERE gateway_id = ?1 AND certificate_id = ?2",
        [gateway, cert],
        |r| {
            Ok(GatewayCertificateAuthority {
                id: r.get(0)?,
                is_trusted: r.get(1)?,
            })
        },
    )
    .optional()?)
}

/// A gateway's CAs by certificate id (404 for an unknown gateway).
pub fn list_gateway_cas(c: &Connection, gateway: &str) -> R<Vec<GatewayCertificateAuthority>> {
    require(c, "gateways", "gateway", gateway)?;
    let mut stmt = c.prepare(
        "SELECT certificate_id, is_trusted FROM gateway_certificate_authorities
         WHERE gateway_id = ?1 ORDER BY certificate_id",
    )?;
    let rows = stmt
        .query_map([gateway], |r| {
            Ok(GatewayCertificateAuthority {
                id: r.get(0)?,
                is_trusted: r.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_gateway_ca(c: &Connection, gateway: &str, cert: &str) -> R<()> {
    require(c, "gateways", "gateway", gateway)?;
    let n = c.execute(
        "DELETE FROM gateway_certificate_authorities WHERE gateway_id = ?1 AND certificate_id = ?2",
        [gateway, cert],
    )?;
    if n == 0 {
        return Err(not_found("certificate authority", cert));
    }
    Ok(())
}

/// A gateway that has certificate `id` as one of its CAs.
pub fn gateway_with_ca(c: &Connection, id: &str) -> R<Option<String>> {
    Ok(c.query_row(
        "SELECT gateway_id FROM gateway_certificate_authorities WHERE certificate_id = ?1 ORDER BY gateway_id LIMIT 1",
        [id],
        |r| r.get(0),
    )
    .optional()?)
}
