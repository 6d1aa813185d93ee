//! Gateway rows: gateways and their keys, API assignments, and instance
//! heartbeats. Same transaction rules as the parent module.
//!
//! Invariants: keys are generated when a gateway is created and only change
//! through [`regenerate_gateway_key`]; heartbeats are status, not
//! configuration (callers store them without bumping the version).

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{delete_row, exists, require, to_json, R};
use crate::mgmt::model::{Gateway, GatewayAuth, GatewayInstance, Heartbeat, IdentityInUse};
use crate::mgmt::not_found;
use crate::mgmt::tokens::{self, KeyType};

fn gateway_row(c: &Connection, r: &Row) -> rusqlite::Result<Gateway> {
    let id: String = r.get(0)?;
    let apis = assigned_apis(c, &id).unwrap_or_default();
    let hc: String = r.get(2)?;
    Ok(Gateway {
        id,
        description: r.get(1)?,
        hostname_configurations: serde_json::from_str(&hc).unwrap_or_default(),
        apis,
        identity: None,
    })
}

/// Creates (with fresh keys) or updates a gateway. Returns true when created.
pub fn put_gateway(c: &Connection, g: &Gateway) -> R<bool> {
    let hc = to_json(&g.hostname_configurations);
    if exists(c, "gateways", &g.id)? {
        c.execute(
            "UPDATE gateways SET description = ?2, hostname_configurations = ?3 WHERE id = ?1",
            params![g.id, g.description, hc],
        )?;
        return Ok(false);
    }
    c.execute(
        "INSERT INTO gateways (id, description, primary_key, secondary_key, hostname_configurations)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![g.id, g.description, tokens::generate_key(), tokens::generate_key(), hc],
    )?;
    Ok(true)
}

pub fn get_gateway(c: &Connection, id: &str) -> R<Option<Gateway>> {
    let sql = "SELECT id, description, hostname_configurations FROM gateways WHERE id = ?1";
    Ok(c.query_row(sql, [id], |r| gateway_row(c, r)).optional()?)
}

pub fn list_gateways(c: &Connection) -> R<Vec<Gateway>> {
    let mut stmt = c.prepare("SELECT id, description, hostname_configurations FROM gateways ORDER BY id")?;
    let rows = stmt.query_map([], |r| gateway_row(c, r))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_gateway(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "gateways", "id", "gateway", id)
}

/// (primary, secondary), or `None` when the gateway does not exist.
pub fn gateway_keys(c: &Connection, id: &str) -> R<Option<(String, String)>> {
    Ok(c.query_row(
        "SELECT primary_key, secondary_key FROM gateways WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?)
}

pub fn regenerate_gateway_key(c: &Connection, id: &str, kt: KeyType) -> R<()> {
    let col = if kt == KeyType::Primary {
        "primary_key"
    } else {
        "secondary_key"
    };
    let n = c.execute(
        &format!("UPDATE gateways SET {col} = ?2 WHERE id = ?1"),
        [id, &tokens::generate_key()],
    )?;
    if n == 0 {
        return Err(not_found("gateway", id));
    }
    Ok(())
}

pub fn assigned_apis(c: &Connection, gateway: &str) -> R<Vec<String>> {
    let mut stmt = c.prepare("SELECT api_id FROM gateway_apis WHERE gateway_id = ?1 ORDER BY api_id")?;
    let rows = stmt.query_map([gateway], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn assign_api(c: &Connection, gateway: &str, api: &str) -> R<()> {
    require(c, "gateways", "gateway", gateway)?;
    require(c, "apis", "api", api)?;
    c.execute(
        "INSERT OR IGNORE INTO gateway_apis (gateway_id, api_id) VALUES (?1, ?2)",
        [gateway, api],
    )?;
    Ok(())
}

pub fn unassign_api(c: &Connection, gateway: &str, api: &str) -> R<()> {
    let n = c.execute(
        "DELETE FROM gateway_apis WHERE gateway_id = ?1 AND api_id = ?2",
        [gateway, api],
    )?;
    if n == 0 {
        return Err(not_found("gateway api assignment", &format!("{gateway}/{api}")));
    }
    Ok(())
}

/// Stores a heartbeat with the identity the request was verified as.
pub fn record_heartbeat(c: &Connection, gateway: &str, hb: &Heartbeat, auth: &GatewayAuth, now: i64) -> R<()> {
    c.execute(
        "INSERT INTO gateway_instances (gateway_id, instance_id, hostname, version, uptime_secs, applied_version,
         last_heartbeat, counters, last_error, token_expiry, identity)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
         ON CONFLICT(gateway_id, instance_id) DO UPDATE SET hostname = ?3, version = ?4, uptime_secs = ?5,
         applied_version = ?6, last_heartbeat = ?7, counters = ?8, last_error = ?9, token_expiry = ?10,
         identity = ?11",
        params![
            gateway,
            hb.instance_id,
            hb.hostname,
            hb.version,
            hb.uptime_secs.map(|u| u.min(i64::MAX as u64) as i64),
            hb.applied_version.map(|u| u.min(i64::MAX as u64) as i64),
            now,
            hb.requests.as_ref().map(to_json),
            hb.last_error,
            hb.token_expiry,
            auth.stored(),
        ],
    )?;
    Ok(())
}

pub fn list_instances(c: &Connection, gateway: &str) -> R<Vec<GatewayInstance>> {
    let mut stmt = c.prepare(
        "SELECT instance_id, hostname, version, uptime_secs, applied_version, last_heartbeat, counters, last_error,
         token_expiry, identity FROM gateway_instances WHERE gateway_id = ?1 ORDER BY instance_id",
    )?;
    let rows = stmt
        .query_map([gateway], |r| {
            let counters: Option<String> = r.get(6)?;
            let identity: Option<String> = r.get(9)?;
            let instance_id: String = r.get(0)?;
            Ok(GatewayInstance {
                identity: IdentityInUse::from_stored(identity.as_deref(), instance_id.clone(), r.get(5)?),
                instance_id,
                hostname: r.get(1)?,
                version: r.get(2)?,
                uptime_secs: r.get::<_, Option<i64>>(3)?.map(|v| v as u64),
                applied_version: r.get::<_, Option<i64>>(4)?.map(|v| v as u64),
                last_heartbeat: tokens::format_iso(r.get(5)?),
                requests: counters.and_then(|s| serde_json::from_str(&s).ok()),
                last_error: r.get(7)?,
                token_expiry: r.get(8)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}
