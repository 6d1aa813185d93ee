//! Row-level CRUD for every resource. Every function takes a connection that
//! is inside a transaction opened by [`super::store::Store`]; none commits.
//!
//! Invariants: deleting an API removes its operations, product links, gateway
//! assignments (foreign-key cascades) and its API/operation policies; gateway
//! keys are created with the gateway and only change through
//! [`regenerate_gateway_key`]; subscription keys are unique across all
//! subscriptions and slots.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::model::*;
use super::tokens;
use super::{not_found, MgmtError};

mod certificate_authorities;
mod fragments;
mod gateways;
pub use certificate_authorities::*;
pub use fragments::*;
pub use gateways::*;

pub(crate) type R<T> = Result<T, MgmtError>;

fn json_vec(s: String) -> Vec<String> {
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

// ---- APIs and operations ------------------------------------------------

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

// ---- Policies -------------------------------------------------------------

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

// ---- Products ---------------------------------------------------------------

fn product_row(c: &Connection, r: &Row) -> rusqlite::Result<Product> {
    let id: String = r.get(0)?;
    let mut stmt = c.prepare("SELECT api_id FROM product_apis WHERE product_id = ?1 ORDER BY api_id")?;
    let apis = stmt.query_map([&id], |r| r.get(0))?.collect::<Result<_, _>>()?;
    Ok(Product {
        id,
        display_name: r.get(1)?,
        description: r.get(2)?,
        subscription_required: r.get(3)?,
        approval_required: r.get(4)?,
        state: r.get(5)?,
        apis,
    })
}

const PRODUCT_SQL: &str =
    "SELECT id, display_name, description, subscription_required, approval_required, state FROM products";

/// APIM's rule: an API is in at most one open product (one without
/// `subscriptionRequired`). Fails with 409 when making `product` open, or
/// linking `apis` to it, would break the rule.
fn check_one_open_product(c: &Connection, product: &str, open: bool, apis: &[String]) -> R<()> {
    if !open {
        return Ok(());
    }
    for api in apis {
        let other: Option<String> = c
            .query_row(
                "SELECT p.id FROM products p JOIN product_apis l ON l.product_id = p.id
                 WHERE l.api_id = ?1 AND p.id <> ?2 AND NOT p.subscription_required LIMIT 1",
                [api, product],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(other) = other {
            return Err(MgmtError::Conflict(format!(
                "API '{api}' is already in open product '{other}'; an API can be in at most one product without subscriptionRequired"
            )));
        }
    }
    Ok(())
}

pub fn put_product(c: &Connection, p: &Product) -> R<bool> {
    let created = !exists(c, "products", &p.id)?;
    if !p.subscription_required && !created {
        let mut stmt = c.prepare("SELECT api_id FROM product_apis WHERE product_id = ?1")?;
        let apis: Vec<String> = stmt.query_map([&p.id], |r| r.get(0))?.collect::<Result<_, _>>()?;
        check_one_open_product(c, &p.id, true, &apis)?;
    }
    c.execute(
        "INSERT INTO products (id, display_name, description, subscription_required, approval_required, state)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(id) DO UPDATE SET display_name = ?2, description = ?3,
         subscription_required = ?4, approval_required = ?5, state = ?6",
        params![
            p.id,
            p.display_name,
            p.description,
            p.subscription_required,
            p.approval_required,
            p.state
        ],
    )?;
    Ok(created)
}

pub fn get_product(c: &Connection, id: &str) -> R<Option<Product>> {
    Ok(
        c.query_row(&format!("{PRODUCT_SQL} WHERE id = ?1"), [id], |r| product_row(c, r))
            .optional()?,
    )
}

pub fn list_products(c: &Connection) -> R<Vec<Product>> {
    let mut stmt = c.prepare(&format!("{PRODUCT_SQL} ORDER BY id"))?;
    let rows = stmt.query_map([], |r| product_row(c, r))?.collect::<Result<_, _>>()?;
    Ok(rows)
}

pub fn delete_product(c: &Connection, id: &str) -> R<()> {
    delete_row(c, "products", "id", "product", id)?;
    c.execute("DELETE FROM policies WHERE scope = ?1", [format!("product:{id}")])?;
    Ok(())
}

pub fn link_product_api(c: &Connection, product: &str, api: &str) -> R<()> {
    require(c, "products", "product", product)?;
    require(c, "apis", "api", api)?;
    let open: bool = c.query_row(
        "SELECT NOT subscription_required FROM products WHERE id = ?1",
        [product],
        |r| r.get(0),
    )?;
    check_one_open_product(c, product, open, &[api.to_owned()])?;
    c.execute(
        "INSERT OR IGNORE INTO product_apis (product_id, api_id) VALUES (?1, ?2)",
        [product, api],
    )?;
    Ok(())
}

pub fn unlink_product_api(c: &Connection, product: &str, api: &str) -> R<()> {
    let n = c.execute(
        "DELETE FROM product_apis WHERE product_id = ?1 AND api_id = ?2",
        [product, api],
    )?;
    if n == 0 {
        return Err(not_found("product api link", &format!("{product}/{api}")));
    }
    Ok(())
}

// ---- Subscriptions -----------------------------------------------------------

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
        return Err(super::bad("primaryKey and secondaryKey must differ"));
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

// ---- Named values, backends, certificates ---------------------------------------

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
