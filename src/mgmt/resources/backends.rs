//! Backend rows (id, URL, description). Same transaction rules as the
//! parent module.

use rusqlite::{params, Connection};

use super::{delete_row, exists, R};
use crate::mgmt::model::Backend;

pub fn put_backend(c: &Connection, b: &Backend) -> R<bool> {
    let created = !exists(c, "backends", &b.id)?;
    c.execute(
        "INSERT INTO backends (id, url, description) VALUES (?1, ?2, ?3)
         ON CONFLICT(id) DO UPDATE SET url = ?2, description = ?3",
        params![b.id, b.url, b.description],
    )?;
    Ok(created)
}

pub fn list_backends(c: &Connection) -> R<Vec<Backend>> {
    let mut stmt = c.prepare("SELECT id, url, description FROM backends ORDER BY id")?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Backend {
                id: r.get(0)?,
                url: r.get(1)?,
                description: r.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_backend(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "backends", "id", "backend", id)
}
