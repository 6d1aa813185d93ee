//! Reading a configuration: classifies each file by its relative path, parses
//! it, checks single fields, then hands the whole set to `validate`.
//!
//! Invariants: [`load_files`] is the only implementation (the directory and
//! embedded loaders feed it); the result does not depend on the order of the
//! input files; the first error wins and nothing partial is returned. Files
//! ending in `.conf` or `.md` and dot-files are ignored; any other unknown
//! file is an error.

use std::collections::BTreeMap;
use std::path::Path;

use super::raw::{self, RawApi, RawBackend, RawNamedValues, RawProduct, RawSubscriptions};
use super::syntax::{self, check_id, ServiceUrl};
use super::template::UrlTemplate;
use super::tls::{self, Certificate};
use super::{
    validate, Api, ApiVersion, Backend, Config, ConfigError, NamedValue, Operation, PolicyDoc, Product, ProductState,
    Protocols, Subscription, SubscriptionScope, SubscriptionState, VersionScheme,
};

/// Reads every file under `dir` (UTF-8) and calls [`load_files`].
pub fn load_dir(dir: &Path) -> Result<Config, ConfigError> {
    let mut files = Vec::new();
    walk(dir, "", &mut files)?;
    load_files(&files)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, String)>) -> Result<(), ConfigError> {
    let io_err = |what: &str, e: std::io::Error| {
        let shown = if prefix.is_empty() {
            dir.display().to_string()
        } else {
            prefix.to_owned()
        };
        ConfigError::new(&shown, None, format!("{what}: {e}"))
    };
    let entries = std::fs::read_dir(dir).map_err(|e| io_err("cannot read directory", e))?;
    for entry in entries {
        let entry = entry.map_err(|e| io_err("cannot read directory", e))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let rel = if prefix.is_empty() {
            name
        } else {
            format!("{prefix}/{name}")
        };
        let path = entry.path();
        let meta = std::fs::metadata(&path).map_err(|e| ConfigError::new(&rel, None, format!("cannot stat: {e}")))?;
        if meta.is_dir() {
            walk(&path, &rel, out)?;
        } else if rel.ends_with(".conf") || rel.ends_with(".md") {
            continue;
        } else {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| ConfigError::new(&rel, None, format!("cannot read: {e}")))?;
            out.push((rel, text));
        }
    }
    Ok(())
}

/// Builds and validates a [`Config`] from `(relative path, contents)` pairs.
pub fn load_files(files: &[(String, String)]) -> Result<Config, ConfigError> {
    let mut sorted: Vec<&(String, String)> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut cfg = Config::default();
    let mut api_policies = BTreeMap::new();
    let mut op_policies: BTreeMap<(String, String), PolicyDoc> = BTreeMap::new();
    let mut product_policies = BTreeMap::new();
    for (path, text) in sorted {
        let parts: Vec<&str> = path.split('/').collect();
        if parts.iter().any(|p| p.starts_with('.')) || path.ends_with(".conf") || path.ends_with(".md") {
            continue;
        }
        match parts.as_slice() {
            ["policy.xml"] => cfg.global_policy = Some(policy(path, text)?),
            ["subscriptions.toml"] => {
                let raw: RawSubscriptions = raw::parse(path, text)?;
                for s in raw.subscription {
                    cfg.subscriptions.push(subscription(path, s)?);
                }
            }
            ["named-values.toml"] => {
                let raw: RawNamedValues = raw::parse(path, text)?;
                for nv in raw.named_value {
                    check_id(&nv.name).map_err(|m| ConfigError::new(path, Some("name"), m))?;
                    cfg.named_values.push(NamedValue {
                        name: nv.name,
                        value: nv.value,
                        secret: nv.secret,
                    });
                }
            }
            ["hostnames.toml"] => {
                let raw: tls::RawHostnames = raw::parse(path, text)?;
                for h in raw.hostname {
                    cfg.hostnames.push(tls::hostname(h)?);
                }
                let cas = tls::ca_lists(path, raw.certificate_authorities, raw.intermediate_certificates)?;
                cfg.certificate_authorities = cas.trusted;
                cfg.intermediate_certificates = cas.intermediates;
            }
            ["certificates", file] => match split_name(path, file)? {
                (id, "pem") => cfg.certificates.push(Certificate {
                    id: id.to_owned(),
                    pem: text.clone(),
                }),
                _ => return Err(unknown(path)),
            },
            ["apis", file] => match split_name(path, file)? {
                (id, "toml") => cfg.apis.push(api(path, id, raw::parse(path, text)?)?),
                (id, "xml") => {
                    api_policies.insert(id.to_owned(), policy(path, text)?);
                }
                _ => return Err(unknown(path)),
            },
            ["apis", api_id, file] => match split_name(path, file)? {
                (op, "xml") => {
                    let key = (api_id.to_string(), op.to_owned());
                    op_policies.insert(key, policy(path, text)?);
                }
                _ => return Err(unknown(path)),
            },
            ["products", file] => match split_name(path, file)? {
                (id, "toml") => cfg.products.push(product(path, id, raw::parse(path, text)?)?),
                (id, "xml") => {
                    product_policies.insert(id.to_owned(), policy(path, text)?);
                }
                _ => return Err(unknown(path)),
            },
            ["fragments", file] => match split_name(path, file)? {
                (id, "xml") => cfg.fragments.push(super::PolicyFragment {
                    id: id.to_owned(),
                    doc: PolicyDoc {
                        source: path.to_owned(),
                        xml: text.to_owned(),
                    },
                }),
                _ => return Err(unknown(path)),
            },
            ["backends", file] => match split_name(path, file)? {
                (id, "toml") => {
                    let raw: RawBackend = raw::parse(path, text)?;
                    ServiceUrl::parse(&raw.url).map_err(|m| ConfigError::new(path, Some("url"), m))?;
                    let b = Backend {
                        id: id.to_owned(),
                        url: raw.url,
                        description: raw.description,
                        tls: raw
                            .tls
                            .map_or_else(crate::config::BackendTls::default_validating, Into::into),
                    };
                    cfg.backends.push(b);
                }
                _ => return Err(unknown(path)),
            },
            _ => return Err(unknown(path)),
        }
    }
    cfg.apis.sort_by(|a, b| a.id.cmp(&b.id));
    cfg.products.sort_by(|a, b| a.id.cmp(&b.id));
    cfg.subscriptions.sort_by(|a, b| a.id.cmp(&b.id));
    cfg.named_values.sort_by(|a, b| a.name.cmp(&b.name));
    cfg.backends.sort_by(|a, b| a.id.cmp(&b.id));
    cfg.certificates.sort_by(|a, b| a.id.cmp(&b.id));
    cfg.hostnames.sort_by(|a, b| a.hostname.cmp(&b.hostname));
    cfg.fragments.sort_by(|a, b| a.id.cmp(&b.id));
    let api_index = |apis: &[Api], id: &str| apis.binary_search_by(|a| a.id.as_str().cmp(id)).ok();
    for (id, doc) in api_policies {
        let Some(api) = api_index(&cfg.apis, &id).and_then(|i| cfg.apis.get_mut(i)) else {
            return Err(ConfigError::new(
                &doc.source,
                None,
                format!("no API {id:?} (expected apis/{id}.toml)"),
            ));
        };
        api.policy = Some(doc);
    }
    for ((api_id, op_id), doc) in op_policies {
        let Some(api) = api_index(&cfg.apis, &api_id).and_then(|i| cfg.apis.get_mut(i)) else {
            return Err(ConfigError::new(
                &doc.source,
                None,
                format!("no API {api_id:?} (expected apis/{api_id}.toml)"),
            ));
        };
        let Some(op) = api.operations.iter_mut().find(|o| o.id == op_id) else {
            return Err(ConfigError::new(
                &doc.source,
                None,
                format!("API {api_id:?} has no operation {op_id:?}"),
            ));
        };
        op.policy = Some(doc);
    }
    for (id, doc) in product_policies {
        let Some(p) = cfg.products.iter_mut().find(|p| p.id == id) else {
            return Err(ConfigError::new(
                &doc.source,
                None,
                format!("no product {id:?} (expected products/{id}.toml)"),
            ));
        };
        p.policy = Some(doc);
    }
    validate::validate(&cfg)?;
    tls::validate(&cfg)?;
    Ok(cfg)
}

fn unknown(path: &str) -> ConfigError {
    ConfigError::new(path, None, "unknown file (see the configuration README for the layout)")
}

/// `name.ext` → (checked id, ext).
fn split_name<'a>(path: &str, file: &'a str) -> Result<(&'a str, &'a str), ConfigError> {
    let Some((stem, ext)) = file.rsplit_once('.') else {
        return Err(unknown(path));
    };
    check_id(stem).map_err(|m| ConfigError::new(path, None, format!("file name: {m}")))?;
    Ok((stem, ext))
}

fn policy(path: &str, text: &str) -> Result<PolicyDoc, ConfigError> {
    syntax::check_policy_root(text).map_err(|m| ConfigError::new(path, None, m))?;
    Ok(PolicyDoc {
        source: path.to_owned(),
        xml: text.to_owned(),
    })
}

fn api(file: &str, id: &str, raw: RawApi) -> Result<Api, ConfigError> {
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
    })
}

fn product(file: &str, id: &str, raw: RawProduct) -> Result<Product, ConfigError> {
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

fn subscription(file: &str, raw: raw::RawSubscription) -> Result<Subscription, ConfigError> {
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
