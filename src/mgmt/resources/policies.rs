//! Policy documents by scope (`global`, `product:<id>`, `api:<id>`,
//! `operation:<api>/<op>`). Same transaction rules as the parent module.
//!
//! Invariant: one document per scope; a PUT replaces it whole.

use rusqlite::{Connection, OptionalExtension};

use super::{delete_row, R};

/// `scope` is `global`, `product:<id>`, `api:<id>` or `operation:<api>/<op>`.
pub fn put_policy(c: &Connection, scope: &str, xml: &str) -> R<()> {
    c.execute(
        "INSERT INTO policies (scope, xml) VALUES (?1, ?2) ON CONFLICT(scope) DO UPDATE SET xml = ?2",
        [scope, xml],
    )?;
    Ok(())
}

pub fn get_policy(c: &Connection, scope: &str) -> R<Option<String>> {
    Ok(
        c.query_row("SELECT xml FROM policies WHERE scope = ?1", [scope], |r| r.get(0))
            .optional()?,
    )
}

pub fn delete_policy(c: &Connection, scope: &str) -> R<()> {
    delete_row(c, "policies", "scope", "policy", scope)
}
