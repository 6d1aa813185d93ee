//! Parsed API, product and subscription files → checked configuration
//! values: paths, host names, URLs, templates, versions, states and
//! subscription scopes are normalised or refused field by field.
//!
//! Invariant: every error names the file and the field at fault; the
//! checks here are per field and per file (what spans files is
//! `validate`'s).

use crate::config::raw::{self, RawApi, RawProduct};
use crate::config::syntax::{self, check_id, ServiceUrl};
use crate::config::template::UrlTemplate;
use crate::config::{
    Api, ApiVersion, ConfigError, Operation, Product, ProductState, Protocols, Subscription, SubscriptionScope,
    SubscriptionState, VersionScheme,
};

pub(super) fn api(file: &str, id: &str, raw: RawApi) -> Result<Api, ConfigError> {
    let e = |field: &str, m: String| ConfigError::new(file, Some(field), m);
    let path = syntax::normalise_api_path(&raw.path).map_err(|m| e("path", m))?;
    ServiceUrl::parse(&raw.service_url).map_err(|m| e("service-url", m))?;
    let mut hostnames = Vec::new();
    for h in &raw.hostnames {
        hostnames.push(syntax::normalise_hostname(h).map_err(|m| e("hostnames", m))?);
    }
    hostnames.sort();
    hostnames.dedup();
    let protocols = match &raw.protocols {
        None => Protocols::default(),
        Some(list) => Protocols::parse(list).map_err(|m| e("protocols", m))?,
    };
    if raw.revision == 0 {
        return Err(e("revision", "must be at least 1".into()));
    }
    let header = raw
        .subscription_key_header
        .unwrap_or_else(|| "Ocp-Apim-Subscription-Key".into());
    if !syntax::is_token(&header) {
        return Err(e("subscription-key-header", format!("invalid header name {header:?}")));
    }
    let query = raw.subscription_key_query.unwrap_or_else(|| "subscription-key".into());
    if !syntax::is_token(&query) {
        return Err(e(
            "subscription-key-query",
            format!("invalid query parameter name {query:?}"),
        ));
    }
    let version = match raw.version {
        None => None,
        Some(v) => {
            check_id(&v.name).map_err(|m| e("version.name", m))?;
            let scheme = match (v.scheme.as_str(), v.header, v.query) {
                ("segment", None, None) => VersionScheme::Segment,
                ("header", h, None) => VersionScheme::Header(h.unwrap_or_else(|| "Api-Version".into())),
                ("query", None, q) => VersionScheme::Query(q.unwrap_or_else(|| "api-version".into())),
                ("segment" | "header" | "query", _, _) => {
                    return Err(e(
                        "version",
                        "`header` is only for scheme \"header\", `query` only for scheme \"query\"".into(),
                    ));
                }
                (s, _, _) => {
                    return Err(e(
                        "version.scheme",
                        format!("{s:?} is not one of \"segment\", \"header\", \"query\""),
                    ));
                }
            };
            match &scheme {
                VersionScheme::Header(h) if !syntax::is_token(h) => {
                    return Err(e("version.header", format!("invalid header name {h:?}")));
                }
                VersionScheme::Query(q) if !syntax::is_token(q) => {
                    return Err(e("version.query", format!("invalid query parameter name {q:?}")));
                }
                _ => {}
            }
            Some(ApiVersion { name: v.name, scheme })
        }
    };
    let operations = match raw.operations {
        None => vec![Operation {
            id: "default".into(),
            display_name: "Default".into(),
            method: None,
            url_template: "/*".into(),
            policy: None,
        }],
        Some(ops) => {
            let mut out: Vec<Operation> = Vec::with_capacity(ops.len());
            for (i, op) in ops.into_iter().enumerate() {
                let f = |name: &str| format!("operations[{i}].{name}");
                check_id(&op.id).map_err(|m| e(&f("id"), m))?;
                if out.iter().any(|o| o.id == op.id) {
                    return Err(e(&f("id"), format!("duplicate operation id {:?}", op.id)));
                }
                let method = syntax::parse_method(&op.method).map_err(|m| e(&f("method"), m))?;
                UrlTemplate::parse(&op.url_template).map_err(|m| e(&f("url-template"), m))?;
                out.push(Operation {
                    display_name: op.display_name.unwrap_or_else(|| op.id.clone()),
                    id: op.id,
                    method,
                    url_template: op.url_template,
                    policy: None,
                });
            }
            out
        }
    };
    Ok(Api {
        id: id.to_owned(),
        display_name: raw.display_name,
        description: raw.description,
        path,
        service_url: raw.service_url,
        hostnames,
        protocols,
        subscription_required: raw.subscription_required,
        subscription_key_header: header,
        subscription_key_query: query,
        revision: raw.revision,
        is_current: raw.is_current,
        version,
        operations,
        policy: None,
        openapi: None,
    })
}

pub(super) fn product(file: &str, id: &str, raw: RawProduct) -> Result<Product, ConfigError> {
    let state = match raw.state.as_deref() {
        None | Some("notPublished") => ProductState::NotPublished,
        Some("published") => ProductState::Published,
        Some(s) => {
            let m = format!("{s:?} is not \"published\" or \"notPublished\"");
            return Err(ConfigError::new(file, Some("state"), m));
        }
    };
    Ok(Product {
        id: id.to_owned(),
        display_name: raw.display_name,
        description: raw.description,
        apis: raw.apis,
        subscription_required: raw.subscription_required,
        approval_required: raw.approval_required,
        state,
        policy: None,
    })
}

pub(super) fn subscription(file: &str, raw: raw::RawSubscription) -> Result<Subscription, ConfigError> {
    let e = |field: &str, m: String| ConfigError::new(file, Some(&format!("subscription {:?}: {field}", raw.id)), m);
    check_id(&raw.id).map_err(|m| e("id", m))?;
    let scope = parse_scope(&raw.scope).ok_or_else(|| {
        e(
            "scope",
            format!(
                "{:?} is not \"all\", \"api:<id>\", \"product:<id>\" or APIM's \"/apis\", \"/apis/<id>\", \"/products/<id>\"",
                raw.scope
            ),
        )
    })?;
    let state = match raw.state.as_deref().unwrap_or("active") {
        "active" => SubscriptionState::Active,
        "suspended" => SubscriptionState::Suspended,
        "submitted" => SubscriptionState::Submitted,
        "expired" => SubscriptionState::Expired,
        "cancelled" => SubscriptionState::Cancelled,
        "rejected" => SubscriptionState::Rejected,
        s => return Err(e("state", format!("unknown state {s:?}"))),
    };
    for (field, key) in [
        ("primary-key", Some(&raw.primary_key)),
        ("secondary-key", raw.secondary_key.as_ref()),
    ] {
        if key.is_some_and(|k| k.trim().is_empty() || k.trim() != k) {
            return Err(e(field, "must be non-empty without surrounding whitespace".into()));
        }
    }
    Ok(Subscription {
        display_name: raw.display_name.clone().unwrap_or_else(|| raw.id.clone()),
        id: raw.id,
        scope,
        primary_key: raw.primary_key,
        secondary_key: raw.secondary_key,
        state,
    })
}

/// A subscription scope: `all`, `api:<id>`, `product:<id>`, or APIM's form
/// `/apis`, `/apis/<id>`, `/products/<id>` (optionally after a full
/// resource path ending in `/service/<name>`). Ids are checked.
pub fn parse_scope(scope: &str) -> Option<SubscriptionScope> {
    let id = |s: &str| check_id(s).is_ok().then(|| s.to_owned());
    if scope == "all" {
        return Some(SubscriptionScope::All);
    }
    if let Some(a) = scope.strip_prefix("api:") {
        return id(a).map(SubscriptionScope::Api);
    }
    if let Some(p) = scope.strip_prefix("product:") {
        return id(p).map(SubscriptionScope::Product);
    }
    // APIM resource form; keep only what follows the service name.
    let tail = match scope.to_ascii_lowercase().find("/service/") {
        Some(i) => {
            let rest = scope.get(i + "/service/".len()..)?;
            rest.get(rest.find('/')?..)?
        }
        None => scope,
    };
    let tail = tail.trim_end_matches('/');
    let parts: Vec<&str> = tail.split('/').collect();
    match parts.as_slice() {
        ["", apis] if apis.eq_ignore_ascii_case("apis") => Some(SubscriptionScope::All),
        ["", apis, a] if apis.eq_ignore_ascii_case("apis") => id(a).map(SubscriptionScope::Api),
        ["", products, p] if products.eq_ignore_ascii_case("products") => id(p).map(SubscriptionScope::Product),
        _ => None,
    }
}
