//! Subscription rows with their keys. Same transaction rules as the parent
//! module.
//!
//! Invariants: a subscription always has a primary and a secondary key
//! (generated when not given, kept on replace when not given); keys are
//! unique across all subscriptions and slots.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{delete_row, R};
use crate::mgmt::model::Subscription;
use crate::mgmt::tokens;
use crate::mgmt::MgmtError;

const SUB_SQL: &str = "SELECT id, display_name, scope, primary_key, secondary_key, state FROM subscriptions";

fn sub_row(r: &Row) -> rusqlite::Result<Subscription> {
    Ok(Subscription {
        id: r.get(0)?,
        display_name: r.get(1)?,
        scope: r.get(2)?,
        primary_key: Some(r.get(3)?),
        secondary_key: Some(r.get(4)?),
        state: r.get(5)?,
    })
}

/// Creates or replaces a subscription; missing keys are kept (update) or
/// generated (create). Keys must be unique across subscriptions (409).
pub fn put_subscription(c: &Connection, s: &Subscription) -> R<bool> {
    let old = get_subscription_with_keys(c, &s.id)?;
    let created = old.is_none();
    let pick = |given: &Option<String>, old: Option<String>| {
        given.clone().or(old).unwrap_or_else(tokens::generate_subscription_key)
    };
    let primary = pick(&s.primary_key, old.as_ref().and_then(|o| o.primary_key.clone()));
    let secondary = pick(&s.secondary_key, old.as_ref().and_then(|o| o.secondary_key.clone()));
    if primary == secondary {
        return Err(crate::mgmt::bad("primaryKey and secondaryKey must differ"));
    }
    let clash: Option<String> = c
        .query_row(
            "SELECT id FROM subscriptions WHERE id <> ?1 AND (primary_key IN (?2, ?3) OR secondary_key IN (?2, ?3))",
            [&s.id, &primary, &secondary],
            |r| r.get(0),
        )
        .optional()?;
    if clash.is_some() {
        return Err(MgmtError::Conflict(
            "a subscription key is already used by another subscription".into(),
        ));
    }
    c.execute(
        "INSERT INTO subscriptions (id, display_name, scope, primary_key, secondary_key, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET display_name = ?2, scope = ?3,
         primary_key = ?4, secondary_key = ?5, state = ?6",
        params![s.id, s.display_name, s.scope, primary, secondary, s.state],
    )?;
    Ok(created)
}

pub fn get_subscription_with_keys(c: &Connection, id: &str) -> R<Option<Subscription>> {
    Ok(c.query_row(&format!("{SUB_SQL} WHERE id = ?1"), [id], sub_row)
        .optional()?)
}

pub fn list_subscriptions_with_keys(c: &Connection) -> R<Vec<Subscription>> {
    let mut stmt = c.prepare(&format!("{SUB_SQL} ORDER BY id"))?;
    let rows = stmt.query_map([], sub_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_subscription(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "subscriptions", "id", "subscription", id)
}
