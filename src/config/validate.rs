//! Cross-file validation of an assembled [`Config`] (single fields were
//! already checked while loading).
//!
//! Owns: id uniqueness, the (host, path, version, revision) routing rules,
//! version-set scheme agreement, product/subscription references, and at
//! most one open product (no `subscription-required`) per API.
//! Invariant: runs in O(n log n) in the number of resources; the first error
//! (in id order) is returned.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::{Config, ConfigError, SubscriptionScope, VersionScheme};

fn api_file(id: &str) -> String {
    format!("apis/{id}.toml")
}

/// Returns the first id that occurs twice in an id-sorted list.
fn first_duplicate<'a>(ids: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let mut prev: Option<&str> = None;
    for id in ids {
        if prev == Some(id) {
            return Some(id);
        }
        prev = Some(id);
    }
    None
}

pub(crate) fn validate(cfg: &Config) -> Result<(), ConfigError> {
    let dup =
        |file: String, field: &str, id: &str| ConfigError::new(&file, Some(field), format!("duplicate id {id:?}"));
    if let Some(id) = first_duplicate(cfg.apis.iter().map(|a| a.id.as_str())) {
        return Err(dup(api_file(id), "id", id));
    }
    if let Some(id) = first_duplicate(cfg.products.iter().map(|a| a.id.as_str())) {
        return Err(dup(format!("products/{id}.toml"), "id", id));
    }
    if let Some(id) = first_duplicate(cfg.backends.iter().map(|a| a.id.as_str())) {
        return Err(dup(format!("backends/{id}.toml"), "id", id));
    }
    if let Some(id) = first_duplicate(cfg.subscriptions.iter().map(|a| a.id.as_str())) {
        return Err(dup("subscriptions.toml".into(), "id", id));
    }
    if let Some(id) = first_duplicate(cfg.named_values.iter().map(|a| a.name.as_str())) {
        return Err(dup("named-values.toml".into(), "name", id));
    }
    check_routes(cfg)?;
    crate::policy::document::ConfigPolicies::from_config(cfg)
        .map_err(|e| ConfigError::new(e.document(), None, e.located_message()))?;

    let api_ids: HashSet<&str> = cfg.apis.iter().map(|a| a.id.as_str()).collect();
    for p in &cfg.products {
        if let Some(missing) = p.apis.iter().find(|a| !api_ids.contains(a.as_str())) {
            let file = format!("products/{}.toml", p.id);
            return Err(ConfigError::new(&file, Some("apis"), format!("no API {missing:?}")));
        }
    }
    let mut open_product: HashMap<&str, &str> = HashMap::new();
    for p in cfg.products.iter().filter(|p| !p.subscription_required) {
        for api in &p.apis {
            if let Some(other) = open_product.insert(api.as_str(), p.id.as_str()) {
                let file = format!("products/{}.toml", p.id);
                let m = format!(
                    "API {api:?} is already in open product {other:?}; an API can be in at most one product without subscription-required"
                );
                return Err(ConfigError::new(&file, Some("apis"), m));
            }
        }
    }
    let product_ids: HashSet<&str> = cfg.products.iter().map(|p| p.id.as_str()).collect();
    let mut keys: HashMap<&str, &str> = HashMap::new();
    for s in &cfg.subscriptions {
        let field = format!("subscription {:?}: scope", s.id);
        let missing = match &s.scope {
            SubscriptionScope::All => None,
            SubscriptionScope::Api(a) => (!api_ids.contains(a.as_str())).then(|| format!("no API {a:?}")),
            SubscriptionScope::Product(p) => (!product_ids.contains(p.as_str())).then(|| format!("no product {p:?}")),
        };
        if let Some(m) = missing {
            return Err(ConfigError::new("subscriptions.toml", Some(&field), m));
        }
        for key in std::iter::once(&s.primary_key).chain(s.secondary_key.as_ref()) {
            if let Some(other) = keys.insert(key.as_str(), s.id.as_str()) {
                let field = format!("subscription {:?}: keys", s.id);
                let m = format!("key already used by subscription {other:?}");
                return Err(ConfigError::new("subscriptions.toml", Some(&field), m));
            }
        }
    }
    Ok(())
}

/// Per (host or any, path, version): unique revisions, exactly one current.
/// Per (host or any, path): versioned members agree on the scheme.
fn check_routes(cfg: &Config) -> Result<(), ConfigError> {
    type RouteKey<'a> = (Option<&'a str>, &'a str, Option<&'a str>);
    let mut revisions: BTreeMap<RouteKey<'_>, Vec<(u32, bool, &str)>> = BTreeMap::new();
    let mut schemes: HashMap<(Option<&str>, &str), (&VersionScheme, &str)> = HashMap::new();
    for api in &cfg.apis {
        let hosts: Vec<Option<&str>> = if api.hostnames.is_empty() {
            vec![None]
        } else {
            api.hostnames.iter().map(|h| Some(h.as_str())).collect()
        };
        for host in hosts {
            let version = api.version.as_ref().map(|v| v.name.as_str());
            let list = revisions.entry((host, api.path.as_str(), version)).or_default();
            if let Some((_, _, other)) = list.iter().find(|(r, _, _)| *r == api.revision) {
                let m = format!(
                    "API {other:?} already has revision {} for path {:?}{}",
                    api.revision,
                    api.path,
                    describe(host, version)
                );
                return Err(ConfigError::new(&api_file(&api.id), Some("revision"), m));
            }
            list.push((api.revision, api.is_current, api.id.as_str()));
            if let Some(v) = &api.version {
                let key = (host, api.path.as_str());
                let (scheme, other) = *schemes.entry(key).or_insert((&v.scheme, api.id.as_str()));
                if *scheme != v.scheme {
                    let m = format!(
                        "version set at path {:?} mixes schemes: API {other:?} uses {scheme:?}",
                        api.path
                    );
                    return Err(ConfigError::new(&api_file(&api.id), Some("version.scheme"), m));
                }
            }
        }
    }
    for ((host, path, version), list) in &revisions {
        let current: Vec<&str> = list.iter().filter(|r| r.1).map(|r| r.2).collect();
        if current.len() != 1 {
            let first = list.first().map_or("", |r| r.2);
            let m = format!(
                "exactly one revision must be current for path {path:?}{}; found {}: {:?}",
                describe(*host, *version),
                current.len(),
                current
            );
            return Err(ConfigError::new(&api_file(first), Some("is-current"), m));
        }
    }
    Ok(())
}

fn describe(host: Option<&str>, version: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(h) = host {
        s.push_str(&format!(" on host {h:?}"));
    }
    if let Some(v) = version {
        s.push_str(&format!(" version {v:?}"));
    }
    s
}
