//! Policy documents at every scope (`/mgmt/policy`, `.../apis/{id}/policy`,
//! ...) and policy fragments (`/mgmt/policy-fragments/{id}`).
//!
//! Invariant: a document or fragment is syntax-checked (and size-checked)
//! before it is stored; one that fails is refused with 400 and nothing is
//! written.

use serde_json::json;

use super::{found, method_not_allowed, parse_json, put_status, R};
use crate::mgmt::model::*;
use crate::mgmt::resources as res;
use crate::mgmt::server::{Req, Resp};
use crate::mgmt::store::Store;
use crate::mgmt::{bad, not_found};
use crate::policy::document::{self, Scope};

pub(super) fn policy(store: &Store, req: &Req, scope: String) -> R {
    match req.method.as_str() {
        "GET" => {
            let xml = store
                .read(|c| res::get_policy(c, &scope))?
                .ok_or_else(|| not_found("policy", &scope))?;
            Ok(Resp::json(200, &json!({ "value": xml, "format": "xml" })))
        }
        "PUT" => {
            let xml = if req.content_type.contains("xml") {
                String::from_utf8(req.body.clone()).map_err(|_| bad("policy XML must be UTF-8"))?
            } else {
                #[derive(serde::Deserialize)]
                struct Body {
                    value: String,
                    #[serde(default, rename = "format")]
                    _format: Option<String>,
                }
                parse_json::<Body>(&req.body)?.value
            };
            let level = match scope.split_once(':').map_or(scope.as_str(), |(kind, _)| kind) {
                "global" => Scope::Global,
                "product" => Scope::Product,
                "api" => Scope::Api,
                _ => Scope::Operation,
            };
            document::check_syntax(&format!("policy {scope}"), level, &xml).map_err(|e| bad(e.to_string()))?;
            let existed = store.read(|c| res::get_policy(c, &scope))?.is_some();
            store.write_config(|c| res::put_policy(c, &scope, &xml))?;
            Ok(Resp::json(
                put_status(!existed),
                &json!({ "value": xml, "format": "xml" }),
            ))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_policy(c, &scope))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}

/// Fragments larger than this are refused (APIM's limit, 512 KB).
const MAX_FRAGMENT_BYTES: usize = 512 * 1024;

pub(super) fn fragment(store: &Store, req: &Req, f: &str) -> R {
    match req.method.as_str() {
        "GET" => found(store.read(|c| res::get_fragment(c, f))?, "policy fragment", f),
        "PUT" => {
            let mut frag: PolicyFragment = if req.content_type.contains("xml") {
                let value = String::from_utf8(req.body.clone()).map_err(|_| bad("fragment XML must be UTF-8"))?;
                PolicyFragment {
                    id: String::new(),
                    description: None,
                    value,
                    format: "xml".into(),
                }
            } else {
                parse_json(&req.body)?
            };
            frag.id = f.to_string();
            if !matches!(frag.format.as_str(), "xml" | "rawxml") {
                return Err(bad("format must be \"xml\" or \"rawxml\""));
            }
            frag.format = "xml".into();
            if frag.value.len() > MAX_FRAGMENT_BYTES {
                return Err(bad("value is longer than 512 KiB"));
            }
            document::check_fragment_syntax(&format!("policy fragment {f}"), &frag.value)
                .map_err(|e| bad(e.to_string()))?;
            let (created, _) = store.write_config(|c| res::put_fragment(c, &frag))?;
            Ok(Resp::json(put_status(created), &frag))
        }
        "DELETE" => {
            store.write_config(|c| res::delete_fragment(c, f))?;
            Ok(Resp::empty(204))
        }
        _ => Err(method_not_allowed()),
    }
}
