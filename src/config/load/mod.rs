//! Reading a configuration: classifies each file by its relative path, parses
//! it, checks single fields, then hands the whole set to `validate`.
//!
//! Invariants: [`load_files`] is the only implementation (the directory and
//! embedded loaders feed it); the result does not depend on the order of the
//! input files; the first error wins and nothing partial is returned. Files
//! ending in `.conf` or `.md` and dot-files are ignored; any other unknown
//! file is an error.
//!
//! This module walks the files and classifies them; `resources` turns the
//! parsed API, product and subscription files into checked values.

use std::collections::BTreeMap;
use std::path::Path;

use super::raw::{self, RawBackend, RawNamedValues, RawSubscriptions};
use super::syntax::{self, check_id, ServiceUrl};
use super::tls::{self, Certificate};
use super::{validate, Api, Backend, Config, ConfigError, NamedSchema, NamedValue, PolicyDoc, SchemaDoc};

mod resources;

pub use resources::parse_scope;
use resources::{api, product, subscription};

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
    let mut openapi_docs: BTreeMap<String, SchemaDoc> = BTreeMap::new();
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
                ("openapi", ext @ ("json" | "yaml" | "yml")) => {
                    if openapi_docs.contains_key(*api_id) {
                        return Err(ConfigError::new(path, None, "a second OpenAPI document for this API"));
                    }
                    openapi_docs.insert(api_id.to_string(), schema_doc(path, text, ext)?);
                }
                _ => return Err(unknown(path)),
            },
            ["schemas", file] => match split_name(path, file)? {
                (id, ext @ ("json" | "yaml" | "yml")) => {
                    if cfg.schemas.iter().any(|s| s.id == id) {
                        return Err(ConfigError::new(path, None, format!("a second schema {id:?}")));
                    }
                    cfg.schemas.push(NamedSchema {
                        id: id.to_owned(),
                        doc: schema_doc(path, text, ext)?,
                    });
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
    cfg.schemas.sort_by(|a, b| a.id.cmp(&b.id));
    let api_index = |apis: &[Api], id: &str| apis.binary_search_by(|a| a.id.as_str().cmp(id)).ok();
    // An API's own files: its policy and its OpenAPI document.
    let own = api_policies
        .into_iter()
        .map(|(id, doc)| (id, doc.source.clone(), ApiFile::Policy(doc)))
        .chain(
            openapi_docs
                .into_iter()
                .map(|(id, doc)| (id, doc.source.clone(), ApiFile::OpenApi(doc))),
        );
    for (id, source, file) in own {
        let Some(api) = api_index(&cfg.apis, &id).and_then(|i| cfg.apis.get_mut(i)) else {
            return Err(ConfigError::new(
                &source,
                None,
                format!("no API {id:?} (expected apis/{id}.toml)"),
            ));
        };
        match file {
            ApiFile::Policy(doc) => api.policy = Some(doc),
            ApiFile::OpenApi(doc) => api.openapi = Some(doc),
        }
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

/// A file that belongs to an API besides its TOML.
enum ApiFile {
    Policy(PolicyDoc),
    OpenApi(SchemaDoc),
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

/// A schema document, checked to parse (the replica compiles it).
fn schema_doc(path: &str, text: &str, ext: &str) -> Result<SchemaDoc, ConfigError> {
    crate::schema::document::parse_text(text.as_bytes(), Some(ext == "json"))
        .map_err(|m| ConfigError::new(path, None, m))?;
    Ok(SchemaDoc {
        source: path.to_owned(),
        text: text.to_owned(),
    })
}

fn policy(path: &str, text: &str) -> Result<PolicyDoc, ConfigError> {
    syntax::check_policy_root(text).map_err(|m| ConfigError::new(path, None, m))?;
    Ok(PolicyDoc {
        source: path.to_owned(),
        xml: text.to_owned(),
    })
}
