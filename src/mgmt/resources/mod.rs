//! Row-level CRUD for every resource. Every function takes a connection that
//! is inside a transaction opened by [`super::store::Store`]; none commits.
//!
//! Invariants: deleting an API removes its operations, product links, gateway
//! assignments (foreign-key cascades) and its API/operation policies; gateway
//! keys are created with the gateway and only change through
//! [`regenerate_gateway_key`]; subscription keys are unique across all
//! subscriptions and slots.
//!
//! One module per resource family (`apis`, `policies`, `products`,
//! `subscriptions`, `named_values`, `backends`, `certificates`,
//! `certificate_authorities`, `fragments`, `gateways`, `identities`), re-exported here so
//! callers name `resources::put_api`; this module holds the shared row
//! helpers.

use rusqlite::{Connection, OptionalExtension};

use super::{not_found, MgmtError};

mod apis;
mod backends;
mod certificate_authorities;
mod certificates;
mod fragments;
mod gateways;
mod identities;
mod named_values;
mod policies;
mod products;
mod subscriptions;
pub use apis::*;
pub use backends::*;
pub use certificate_authorities::*;
pub use certificates::*;
pub use fragments::*;
pub use gateways::*;
pub use identities::*;
pub use named_values::*;
pub use policies::*;
pub use products::*;
pub use subscriptions::*;

pub(crate) type R<T> = Result<T, MgmtError>;

pub(crate) fn json_vec(s: String) -> Vec<String> {
    serde_json::from_str(&s).unwrap_or_default()
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

pub(crate) fn exists(c: &Connection, table: &str, id: &str) -> R<bool> {
    let sql = format!("SELECT 1 FROM {table} WHERE id = ?1");
    Ok(c.query_row(&sql, [id], |_| Ok(())).optional()?.is_some())
}

/// 404 unless the row exists.
pub fn require(c: &Connection, table: &str, what: &str, id: &str) -> R<()> {
    if exists(c, table, id)? {
        Ok(())
    } else {
        Err(not_found(what, id))
    }
}

pub(crate) fn delete_row(c: &Connection, table: &str, key: &str, what: &str, id: &str) -> R<()> {
    let n = c.execute(&format!("DELETE FROM {table} WHERE {key} = ?1"), [id])?;
    if n == 0 {
        return Err(not_found(what, id));
    }
    Ok(())
}
