//! `/mgmt/products/{id}` and `/mgmt/subscriptions/{id}`: products and the
//! subscriptions to them.
//!
//! Invariant: subscription keys are never in a GET answer (only the
//! `listSecrets` action reveals them).

use super::{found, hide_keys, method_not_allowed, parse_json, put_status, R};
use crate::mgmt::model::*;
use crate::mgmt::not_found;
use crate::mgmt::resources as res;
use crate::mgmt::server::{Req, Resp};
use crate::mgmt::store::Store;

pub(super) fn product(store: &Store, req: &Req, p: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_product(c, p))?, "product", p),
        "PUT" => {
            let mut prod: Product = parse_json(&req.body)?;
            prod.id = p.to_string();
            prod.validate()?;
            let (created, _) = store.write_config(|c| res::put_product(c, &prod))?;
            found(store.read(|c| res::get_product(c, p))?, "product", p).map(|r| r.with_status(put_status(created)))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_product(c, p))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

pub(super) fn subscription(store: &Store, req: &Req, s: &str) -> R {
    match req.method.as_str() {
        "GET" => {
            let mut sub = store
                .read(|c| res::get_subscription_with_keys(c, s))?
                .ok_or_else(|| not_found("subscription", s))?;
            hide_keys(&mut sub);
            Ok(Resp::json(200, &sub))
        }
        "PUT" => {
            let mut sub: Subscription = parse_json(&req.body)?;
            sub.id = s.to_string();
            sub.validate()?;
            let (created, _) = store.write_config(|c| res::put_subscription(c, &sub))?;
            hide_keys(&mut sub);
            Ok(Resp::json(put_status(created), &sub))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_subscription(c, s))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}
