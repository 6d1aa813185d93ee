//! Gateway identities: OAuth2 application client ids allowed to fetch a
//! gateway's configuration and send its heartbeats with a bearer token
//! (`/mgmt/gateways/{g}/identities/{clientId}`), and the identity each
//! instance last authenticated with.
//!
//! Invariants: a mapping belongs to its gateway (deleted with it); a
//! client id may be mapped to several gateways; the check
//! ([`identity_allowed`]) reads the table on every gateway request, so a
//! DELETE takes effect at the gateway's next request.

use rusqlite::{params, Connection, OptionalExtension};

use super::{require, R};
use crate::mgmt::model::{GatewayIdentity, IdentityInUse};
use crate::mgmt::{not_found, tokens};

fn identity_row(r: &rusqlite::Row) -> rusqlite::Result<GatewayIdentity> {
    Ok(GatewayIdentity {
        client_id: r.get(0)?,
        description: r.get(1)?,
        created: tokens::format_iso(r.get(2)?),
    })
}

/// Creates or updates a mapping; returns true when created.
pub fn put_identity(c: &Connection, gateway: &str, client_id: &str, description: Option<&str>) -> R<bool> {
    require(c, "gateways", "gateway", gateway)?;
    let n = c.execute(
        "UPDATE gateway_identities SET description = ?3 WHERE gateway_id = ?1 AND client_id = ?2",
        params![gateway, client_id, description],
    )?;
    if n > 0 {
        return Ok(false);
    }
    c.execute(
        "INSERT INTO gateway_identities (gateway_id, client_id, description, created) VALUES (?1, ?2, ?3, ?4)",
        params![gateway, client_id, description, tokens::now_unix()],
    )?;
    Ok(true)
}

pub fn get_identity(c: &Connection, gateway: &str, client_id: &str) -> R<Option<GatewayIdentity>> {
    Ok(c.query_row(
        "SELECT client_id, description, created FROM gateway_identities WHERE gateway_id = ?1 AND client_id = ?2",
        [gateway, client_id],
        identity_row,
    )
    .optional()?)
}

pub fn list_identities(c: &Connection, gateway: &str) -> R<Vec<GatewayIdentity>> {
    require(c, "gateways", "gateway", gateway)?;
    let mut stmt = c.prepare(
        "SELECT client_id, description, created FROM gateway_identities WHERE gateway_id = ?1 ORDER BY client_id",
    )?;
    let rows = stmt.query_map([gateway], identity_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_identity(c: &Connection, gateway: &str, client_id: &str) -> R<()> {
    let n = c.execute(
        "DELETE FROM gateway_identities WHERE gateway_id = ?1 AND client_id = ?2",
        [gateway, client_id],
    )?;
    if n == 0 {
        return Err(not_found("gateway identity", &format!("{gateway}/{client_id}")));
    }
    Ok(())
}

/// Whether `client_id` may configure `gateway`.
pub fn identity_allowed(c: &Connection, gateway: &str, client_id: &str) -> R<bool> {
    Ok(get_identity(c, gateway, client_id)?.is_some())
}

/// The gateways `client_id` may configure (at most `limit`).
pub fn gateways_of_identity(c: &Connection, client_id: &str, limit: usize) -> R<Vec<String>> {
    let mut stmt =
        c.prepare("SELECT gateway_id FROM gateway_identities WHERE client_id = ?1 ORDER BY gateway_id LIMIT ?2")?;
    let rows = stmt
        .query_map(params![client_id, limit as i64], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The identity of the instance that sent the latest heartbeat, if any.
pub fn identity_in_use(c: &Connection, gateway: &str) -> R<Option<IdentityInUse>> {
    let row: Option<(String, Option<String>, i64)> = c
        .query_row(
            "SELECT instance_id, identity, last_heartbeat FROM gateway_instances WHERE gateway_id = ?1
             ORDER BY last_heartbeat DESC, instance_id LIMIT 1",
            [gateway],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    Ok(row.map(|(instance_id, identity, at)| IdentityInUse::from_stored(identity.as_deref(), instance_id, at)))
}
