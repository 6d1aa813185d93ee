//! Certificate rows (PEM by id). Same transaction rules as the parent
//! module.
//!
//! Invariant: a certificate a gateway's hostname configuration uses is
//! found by `gateway_using_certificate`, so the REST layer can refuse to
//! delete it.

use rusqlite::{Connection, OptionalExtension};

use super::{delete_row, exists, list_gateways, R};

pub fn put_certificate(c: &Connection, id: &str, pem: &str) -> R<bool> {
    let created = !exists(c, "certificates", id)?;
    c.execute(
        "INSERT INTO certificates (id, pem) VALUES (?1, ?2) ON CONFLICT(id) DO UPDATE SET pem = ?2",
        [id, pem],
    )?;
    Ok(created)
}

/// (id, PEM) of every certificate, by id.
pub fn list_certificates(c: &Connection) -> R<Vec<(String, String)>> {
    let mut stmt = c.prepare("SELECT id, pem FROM certificates ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn get_certificate_pem(c: &Connection, id: &str) -> R<Option<String>> {
    Ok(
        c.query_row("SELECT pem FROM certificates WHERE id = ?1", [id], |r| r.get(0))
            .optional()?,
    )
}

/// A gateway with a host-name configuration that names certificate `id`.
pub fn gateway_using_certificate(c: &Connection, id: &str) -> R<Option<String>> {
    Ok(list_gateways(c)?
        .into_iter()
        .find(|g| g.hostname_configurations.iter().any(|h| h.certificate_id == id))
        .map(|g| g.id))
}

pub fn delete_certificate(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "certificates", "id", "certificate", id)
}
