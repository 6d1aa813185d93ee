//! Policy fragment rows (`policy_fragments`). Same transaction rules as the
//! parent module.
//!
//! Invariant: a stored fragment passed the syntax check of
//! [`crate::policy::document::check_fragment_syntax`]; whether the named
//! values and fragments it references exist is checked by the gateway when
//! it loads a snapshot.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{delete_row, exists, R};
use crate::mgmt::model::PolicyFragment;

fn fragment_row(r: &Row) -> rusqlite::Result<PolicyFragment> {
    Ok(PolicyFragment {
        id: r.get(0)?,
        description: r.get(1)?,
        value: r.get(2)?,
        format: "xml".into(),
    })
}

/// Creates or replaces a fragment. Returns true when created.
pub fn put_fragment(c: &Connection, f: &PolicyFragment) -> R<bool> {
    let created = !exists(c, "policy_fragments", &f.id)?;
    c.execute(
        "INSERT INTO policy_fragments (id, description, xml) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET description = ?2, xml = ?3",
        params![f.id, f.description, f.value],
    )?;
    Ok(created)
}

pub fn get_fragment(c: &Connection, id: &str) -> R<Option<PolicyFragment>> {
    Ok(c.query_row(
        "SELECT id, description, xml FROM policy_fragments WHERE id = ?1",
        [id],
        fragment_row,
    )
    .optional()?)
}

pub fn list_fragments(c: &Connection) -> R<Vec<PolicyFragment>> {
    let mut stmt = c.prepare("SELECT id, description, xml FROM policy_fragments ORDER BY id")?;
    let rows = stmt.query_map([], fragment_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_fragment(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "policy_fragments", "id", "policy fragment", id)
}
