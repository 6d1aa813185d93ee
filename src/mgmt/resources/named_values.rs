//! Named value rows. Same transaction rules as the parent module.
//!
//! Invariant: values are read back whole, secret or not, with their secret
//! flag: what to reveal is the REST layer's decision, never this one's.

use rusqlite::{params, Connection, OptionalExtension};

use super::{delete_row, R};
use crate::mgmt::model::NamedValue;

pub fn put_named_value(c: &Connection, id: &str, value: &str, secret: bool) -> R<bool> {
    let created = c
        .query_row("SELECT 1 FROM named_values WHERE name = ?1", [id], |_| Ok(()))
        .optional()?
        .is_none();
    c.execute(
        "INSERT INTO named_values (name, value, secret) VALUES (?1, ?2, ?3)
         ON CONFLICT(name) DO UPDATE SET value = ?2, secret = ?3",
        params![id, value, secret],
    )?;
    Ok(created)
}

/// All named values with their values (secret or not): callers decide what to reveal.
pub fn list_named_values(c: &Connection) -> R<Vec<NamedValue>> {
    let mut stmt = c.prepare("SELECT name, value, secret FROM named_values ORDER BY name")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(NamedValue {
                id: r.get(0)?,
                value: Some(r.get(1)?),
                secret: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_named_value(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "named_values", "name", "named value", id)
}
