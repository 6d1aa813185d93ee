//! API and operation rows. Same transaction rules as the parent module.
//!
//! Invariants: deleting an API removes its operations, product links and
//! gateway assignments (foreign-key cascades) and its API and operation
//! policies and its OpenAPI document; `replace_operations` replaces an
//! API's whole operation set (an OpenAPI import) in the caller's
//! transaction.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{delete_row, exists, json_vec, require, to_json, R};
use crate::mgmt::model::{Api, KeyNames, Operation, VersionSet};
use crate::mgmt::not_found;

const API_COLS: &str = "id, display_name, description, path, service_url, hostnames, protocols, \
    subscription_required, key_header, key_query, revision, is_current, version_name, version_scheme, \
    version_header, version_query";

fn api_row(r: &Row) -> rusqlite::Result<Api> {
    let (kh, kq): (Option<String>, Option<String>) = (r.get(8)?, r.get(9)?);
    let scheme: Option<String> = r.get(13)?;
    Ok(Api {
        id: r.get(0)?,
        display_name: r.get(1)?,
        description: r.get(2)?,
        path: r.get(3)?,
        service_url: r.get(4)?,
        hostnames: json_vec(r.get(5)?),
        protocols: json_vec(r.get(6)?),
        subscription_required: r.get(7)?,
        subscription_key_parameter_names: (kh.is_some() || kq.is_some()).then_some(KeyNames { header: kh, query: kq }),
        api_revision: r.get(10)?,
        is_current: r.get(11)?,
        api_version: r.get(12)?,
        api_version_set: scheme.map(|versioning_scheme| VersionSet {
            versioning_scheme,
            version_header_name: r.get(14).ok().flatten(),
            version_query_name: r.get(15).ok().flatten(),
        }),
    })
}

/// Creates or replaces an API (operations are kept). Returns true when created.
pub fn put_api(c: &Connection, a: &Api) -> R<bool> {
    let created = !exists(c, "apis", &a.id)?;
    let keys = a.subscription_key_parameter_names.clone().unwrap_or_default();
    let set = a.api_version_set.as_ref();
    c.execute(
        &format!(
            "INSERT INTO apis ({API_COLS}) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16)
             ON CONFLICT(id) DO UPDATE SET display_name=?2, description=?3, path=?4, service_url=?5,
             hostnames=?6, protocols=?7, subscription_required=?8, key_header=?9, key_query=?10,
             revision=?11, is_current=?12, version_name=?13, version_scheme=?14, version_header=?15,
             version_query=?16"
        ),
        params![
            a.id,
            a.display_name,
            a.description,
            a.path,
            a.service_url,
            to_json(&a.hostnames),
            to_json(&a.protocols),
            a.subscription_required,
            keys.header,
            keys.query,
            a.api_revision,
            a.is_current,
            a.api_version,
            set.map(|s| &s.versioning_scheme),
            set.and_then(|s| s.version_header_name.as_ref()),
            set.and_then(|s| s.version_query_name.as_ref()),
        ],
    )?;
    Ok(created)
}

pub fn get_api(c: &Connection, id: &str) -> R<Option<Api>> {
    let sql = format!("SELECT {API_COLS} FROM apis WHERE id = ?1");
    Ok(c.query_row(&sql, [id], api_row).optional()?)
}

pub fn list_apis(c: &Connection) -> R<Vec<Api>> {
    let mut stmt = c.prepare(&format!("SELECT {API_COLS} FROM apis ORDER BY id"))?;
    let rows = stmt.query_map([], api_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_api(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "apis", "id", "api", id)?;
    let op_prefix = format!("operation:{id}/");
    c.execute(
        "DELETE FROM policies WHERE scope = ?1 OR substr(scope, 1, length(?2)) = ?2",
        params![format!("api:{id}"), op_prefix],
    )?;
    Ok(())
}

fn op_row(r: &Row) -> rusqlite::Result<Operation> {
    Ok(Operation {
        id: r.get(0)?,
        display_name: r.get(1)?,
        method: r.get(2)?,
        url_template: r.get(3)?,
    })
}

pub fn list_operations(c: &Connection, api_id: &str) -> R<Vec<Operation>> {
    let mut stmt = c.prepare(
        "SELECT id, display_name, method, url_template FROM operations WHERE api_id = ?1 ORDER BY position, id",
    )?;
    let rows = stmt.query_map([api_id], op_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn get_operation(c: &Connection, api_id: &str, id: &str) -> R<Option<Operation>> {
    Ok(c.query_row(
        "SELECT id, display_name, method, url_template FROM operations WHERE api_id = ?1 AND id = ?2",
        [api_id, id],
        op_row,
    )
    .optional()?)
}

/// Creates or replaces an operation; new ones go last. Returns true when created.
pub fn put_operation(c: &Connection, api_id: &str, op: &Operation) -> R<bool> {
    require(c, "apis", "api", api_id)?;
    let created = get_operation(c, api_id, &op.id)?.is_none();
    c.execute(
        "INSERT INTO operations (api_id, id, display_name, method, url_template, position)
         VALUES (?1, ?2, ?3, ?4, ?5, (SELECT COALESCE(MAX(position), 0) + 1 FROM operations WHERE api_id = ?1))
         ON CONFLICT(api_id, id) DO UPDATE SET display_name = ?3, method = ?4, url_template = ?5",
        params![api_id, op.id, op.display_name, op.method, op.url_template],
    )?;
    Ok(created)
}

pub fn delete_operation(c: &Connection, api_id: &str, id: &str) -> R<()> {
    let n = c.execute("DELETE FROM operations WHERE api_id = ?1 AND id = ?2", [api_id, id])?;
    if n == 0 {
        return Err(not_found("operation", &format!("{api_id}/{id}")));
    }
    c.execute(
        "DELETE FROM policies WHERE scope = ?1",
        [format!("operation:{api_id}/{id}")],
    )?;
    Ok(())
}

/// Stores an API's OpenAPI document (JSON text), replacing any earlier one.
pub fn put_api_schema(c: &Connection, api_id: &str, document: &str) -> R<()> {
    require(c, "apis", "api", api_id)?;
    c.execute(
        "INSERT INTO api_schemas (api_id, document) VALUES (?1, ?2)
         ON CONFLICT(api_id) DO UPDATE SET document = ?2",
        params![api_id, document],
    )?;
    Ok(())
}

/// An API's OpenAPI document (JSON text), when it was imported from one.
pub fn get_api_schema(c: &Connection, api_id: &str) -> R<Option<String>> {
    Ok(
        c.query_row("SELECT document FROM api_schemas WHERE api_id = ?1", [api_id], |r| {
            r.get(0)
        })
        .optional()?,
    )
}

/// Replaces every operation of an API (used by import).
pub fn replace_operations(c: &Connection, api_id: &str, ops: &[Operation]) -> R<()> {
    c.execute("DELETE FROM operations WHERE api_id = ?1", [api_id])?;
    c.execute(
        "DELETE FROM policies WHERE substr(scope, 1, length(?1)) = ?1",
        [format!("operation:{api_id}/")],
    )?;
    for op in ops {
        put_operation(c, api_id, op)?;
    }
    Ok(())
}
