//! `/mgmt/named-values/{id}` and `/mgmt/backends/{id}`.
//!
//! Invariant: a secret named value's value is never in a GET answer.

use super::{found, method_not_allowed, parse_json, put_status, R};
use crate::mgmt::bad;
use crate::mgmt::model::*;
use crate::mgmt::resources as res;
use crate::mgmt::server::{Req, Resp};
use crate::mgmt::store::Store;

pub(super) fn named_value(store: &Store, req: &Req, n: &str) -> R {
    match req.method.as_str() {
        "GET" => {
            let nv = store
                .read(|c| res::list_named_values(c))?
                .into_iter()
                .find(|v| v.id == n);
            found(
                nv.map(|mut v| {
                    if v.secret {
                        v.value = None;
                    }
                    v
                }),
                "named value",
                n,
            )
        }
        "PUT" => {
            let nv: NamedValue = parse_json(&req.body)?;
            let value = nv.value.ok_or_else(|| bad("value is required"))?;
            if value.len() > 64 * 1024 {
                return Err(bad("value is longer than 64 KiB"));
            }
            let (created, _) = store.write_config(|c| res::put_named_value(c, n, &value, nv.secret))?;
            let shown = (!nv.secret).then_some(value);
            Ok(Resp::json(
                put_status(created),
                &NamedValue {
                    id: n.into(),
                    value: shown,
                    secret: nv.secret,
                },
            ))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_named_value(c, n))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

pub(super) fn backend(store: &Store, req: &Req, b: &str) -> R {
    match req.method.as_str() {
        "GET" => found(
            store.read(|c| res::list_backends(c))?.into_iter().find(|x| x.id == b),
            "backend",
            b,
        ),
        "PUT" => {
            let mut be: Backend = parse_json(&req.body)?;
            be.id = b.to_string();
            validate_url("url", &be.url)?;
            let (created, _) = store.write_config(|c| res::put_backend(c, &be))?;
            Ok(Resp::json(put_status(created), &be))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_backend(c, b))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}
