//! Product rows and their API links. Same transaction rules as the parent
//! module.
//!
//! Invariant: APIM's rule holds after every write: an API is in at most
//! one open product (one without `subscriptionRequired`); a write that
//! would break it fails with 409 and changes nothing.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{delete_row, exists, require, R};
use crate::mgmt::model::Product;
use crate::mgmt::not_found;
use crate::mgmt::MgmtError;

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
