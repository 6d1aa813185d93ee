//! `/mgmt/apis/{id}`, `/mgmt/apis/{id}/operations/{id}` and
//! `POST /mgmt/apis/import` (OpenAPI): APIs and their operations.

use serde_json::json;

use super::{found, id, method_not_allowed, parse_json, put_status, R};
use crate::mgmt::model::*;
use crate::mgmt::resources as res;
use crate::mgmt::server::{Req, Resp};
use crate::mgmt::store::Store;
use crate::mgmt::{bad, openapi};

pub(super) fn api(store: &Store, req: &Req, api_id: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_api(c, api_id))?, "api", api_id),
        "PUT" => {
            let mut a: Api = parse_json(&req.body)?;
            a.id = api_id.to_string();
            a.validate()?;
            let (created, _) = store.write_config(|c| res::put_api(c, &a))?;
            Ok(Resp::json(put_status(created), &a))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_api(c, api_id))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

pub(super) fn operation(store: &Store, req: &Req, api_id: &str, op_id: &str) -> R {
    match req.method.as_str() {
        "GET" => found(
            store.read(|c| res::get_operation(c, api_id, op_id))?,
            "operation",
            op_id,
        ),
        "PUT" => {
            let mut op: Operation = parse_json(&req.body)?;
            op.id = op_id.to_string();
            op.validate()?;
            let (created, _) = store.write_config(|c| res::put_operation(c, api_id, &op))?;
            Ok(Resp::json(put_status(created), &op))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_operation(c, api_id, op_id))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

pub(super) fn import(store: &Store, req: &Req) -> R {
    let api_id = id(
        "api",
        req.query("id").ok_or_else(|| bad("query parameter id is required"))?,
    )?;
    let path = req.query("path").unwrap_or(api_id);
    let doc = openapi::parse_document(&req.body, &req.content_type)?;
    let (api, ops) = openapi::import(&doc, api_id, path, req.query("serviceUrl"))?;
    openapi::check_schemas(&doc)?;
    let document = serde_json::to_string(&doc).map_err(|e| crate::mgmt::MgmtError::Internal(e.to_string()))?;
    let (created, _) = store.write_config(|c| {
        let created = res::put_api(c, &api)?;
        res::replace_operations(c, api_id, &ops)?;
        res::put_api_schema(c, api_id, &document)?;
        Ok(created)
    })?;
    Ok(Resp::json(
        put_status(created),
        &json!({ "api": api, "operations": ops }),
    ))
}
