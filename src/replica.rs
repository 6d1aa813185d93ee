//! The compiled replica: everything a worker needs to serve requests, built
//! once on the control thread from a validated [`Config`] and cloned to each
//! worker.
//!
//! Invariants: `Replica` is plain owned data (`Clone + Send + 'static`) and
//! immutable once built; `apis[i]` corresponds to `Config::apis[i]` and to API
//! index `i` in the router; `hash` depends only on the configuration contents
//! (FNV-1a over a canonical walk, stable across processes and builds), so two
//! replicas built from the same files have the same hash. Name resolution
//! failures are not errors: the affected backend keeps empty `addrs`.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::SocketAddr;

use crate::config::{Config, ConfigError, ServiceUrl};
use crate::pipeline::Pipeline;
use crate::policy::compile::TargetTable;
use crate::routing::Router;
use crate::subscription::{ApiAccess, Subscriptions};

#[derive(Clone, Debug)]
pub struct Replica {
    /// Stable hash of the configuration contents.
    pub hash: u64,
    pub router: Router,
    pub apis: Vec<CompiledApi>,
    /// Backends a policy can pick (`set-backend-service`): the configured
    /// backends (by id order), then literal `base-url`s of policies.
    pub targets: Vec<Target>,
    /// HTTPS host names (`None` = none configured); immutable, shared by
    /// all workers' replicas (see `crate::tls`).
    pub server_tls: Option<std::sync::Arc<crate::tls::server::ServerTls>>,
    /// Subscription keys and products.
    pub subscriptions: Subscriptions,
    /// The configuration's certificates, by id and thumbprint, and the
    /// client-certificate trust; shared by all workers' replicas.
    pub certs: std::sync::Arc<crate::tls::store::CertStore>,
    /// Store certificates `authentication-certificate` can present (every
    /// https connector has a variant for each).
    pub client_cert_keys: Vec<usize>,
    /// TLS for policy calls (`send-request`) to an `https://` origin that
    /// is no target: default options (validating against the system roots
    /// and local CAs), the server name set per call; `None` when it could
    /// not be built.
    pub call_tls: Option<crate::tls::client::BackendConnector>,
    /// OpenID discovery URLs the policies name (`crate::authority`
    /// fetches them when this replica is published).
    pub openid_urls: Vec<String>,
}

/// A backend `set-backend-service` can select.
#[derive(Clone, Debug)]
pub struct Target {
    /// Normalised URL (`set_backend_service::url_key`), for dynamic `base-url`s.
    pub key: String,
    pub backend: BackendTarget,
    /// For `https://` targets: TLS client configuration and server name.
    pub backend_tls: Option<crate::tls::client::BackendConnector>,
}

#[derive(Clone, Debug)]
pub struct CompiledApi {
    pub id: String,
    /// Display name.
    pub name: String,
    /// Normalised API path (`""` for root).
    pub path: String,
    pub backend: BackendTarget,
    /// For `https://` backends: TLS client configuration and server name.
    pub backend_tls: Option<crate::tls::client::BackendConnector>,
    pub operations: Vec<CompiledOperation>,
    pub version: Option<String>,
    pub revision: u32,
    /// Client schemes the API answers on (checked after routing).
    pub protocols: crate::config::Protocols,
    /// Subscription requirement, key names and products.
    pub access: ApiAccess,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BackendTarget {
    /// The built-in echo backend.
    Echo,
    Http {
        tls: bool,
        host: String,
        port: u16,
        /// No trailing `/`; `""` for root.
        base_path: String,
        /// `host`, plus `:port` when not the scheme default.
        host_header: String,
        /// Empty when resolution failed (serve 502 until re-resolved).
        addrs: Vec<SocketAddr>,
        /// `scheme://host:port`, the key of the worker's upstream pool.
        pool_key: String,
    },
}

#[derive(Clone, Debug)]
pub struct CompiledOperation {
    pub id: String,
    /// `None` = any method.
    pub method: Option<http::Method>,
    pub template: String,
    /// Template parameter names by number (`RouteScratch::params` numbering).
    pub params: Vec<String>,
    /// The operation's schemas for the validation policies (the API's
    /// OpenAPI document, the `schema-id` schemas its policies name).
    pub schema: Option<std::sync::Arc<crate::schema::OperationSchema>>,
    /// The pipeline without product scope.
    pub pipeline: Pipeline,
    /// Pipelines for requests under a product with a product-scope policy:
    /// (index into `Subscriptions::products`, pipeline).
    pub product_pipelines: Vec<(u32, Pipeline)>,
}

impl CompiledOperation {
    /// The pipeline for a request granted under `product`.
    pub fn pipeline_for(&self, product: Option<u32>) -> &Pipeline {
        product
            .and_then(|p| self.product_pipelines.iter().find(|(i, _)| *i == p))
            .map_or(&self.pipeline, |(_, pl)| pl)
    }
}

/// FNV-1a, 64 bit: tiny and stable, unlike `DefaultHasher`.
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    // Fixed width regardless of platform.
    fn write_usize(&mut self, n: usize) {
        self.write(&(n as u64).to_le_bytes());
    }
}

/// Stable hash of a configuration (the canonical walk is the derived `Hash`
/// over the id-sorted model, with fixed-width integers).
pub fn config_hash(cfg: &Config) -> u64 {
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    cfg.hash(&mut h);
    h.finish()
}

/// Compiles a validated configuration. `resolve` is called once per distinct
/// (host, port) of http(s) backends; its failures leave `addrs` empty.
pub fn compile(
    cfg: &Config,
    resolve: &mut dyn FnMut(&str, u16) -> std::io::Result<Vec<SocketAddr>>,
) -> Result<Replica, ConfigError> {
    crate::tls::certs::check_all(&cfg.certificates, &crate::tls::context().server_provider)?;
    let router = Router::build(&cfg.apis)?;
    let (subscriptions, access) = crate::subscription::compile(cfg);
    let mut resolved: HashMap<(String, u16), Vec<SocketAddr>> = HashMap::new();
    let mut tls_cache = crate::tls::client::BackendTlsCache::default();
    // A backend URL → its target and, for https, its TLS connector.
    // `file`/`field` name where the URL came from, for errors.
    let mut target_of = |url: &str,
                         file: &str,
                         field: &str|
     -> Result<(BackendTarget, Option<crate::tls::client::BackendConnector>), ConfigError> {
        let mut backend_tls = None;
        let parsed = ServiceUrl::parse(url).map_err(|m| ConfigError::new(file, Some(field), m))?;
        let target = match parsed {
            ServiceUrl::Echo => BackendTarget::Echo,
            ServiceUrl::Http {
                tls,
                host,
                port,
                base_path,
                host_header,
            } => {
                let addrs = resolved
                    .entry((host.clone(), port))
                    .or_insert_with(|| resolve(&host, port).unwrap_or_default())
                    .clone();
                let mut pool_key = format!("{}://{host}:{port}", if tls { "https" } else { "http" });
                if tls {
                    let (connector, backend_id) = tls_cache.connector(cfg, &host, port, file)?;
                    if let Some(id) = backend_id {
                        pool_key = format!("{pool_key}#{id}");
                    }
                    backend_tls = Some(connector);
                }
                BackendTarget::Http {
                    tls,
                    host,
                    port,
                    base_path,
                    host_header,
                    addrs,
                    pool_key,
                }
            }
        };
        Ok((target, backend_tls))
    };
    let certs = std::sync::Arc::new(crate::tls::store::CertStore::compile(cfg)?);
    let mut table = TargetTable::new(cfg.backends.iter().map(|b| (b.id.clone(), b.url.clone())));
    table.certs = Some(certs.clone());
    let policies = crate::policy::build::documents(cfg)?;
    let mut named_schemas = schema_compilers(cfg)?;
    let mut apis = Vec::with_capacity(cfg.apis.len());
    for (api, access) in cfg.apis.iter().zip(access) {
        let file = format!("apis/{}.toml", api.id);
        let (backend, backend_tls) = target_of(&api.service_url, &file, "service-url")?;
        let (mut api_schema, defs) = openapi_compiler(api)?;
        let mut operations = Vec::with_capacity(api.operations.len());
        for op in &api.operations {
            let field = format!("operations.{}", op.id);
            let err = |m: String| ConfigError::new(&file, Some(&field), m);
            let method = match &op.method {
                None => None,
                Some(m) => Some(http::Method::from_bytes(m.as_bytes()).map_err(|e| err(e.to_string()))?),
            };
            let template = crate::config::UrlTemplate::parse(&op.url_template).map_err(err)?;
            let mut product_pipelines = Vec::new();
            for &p in access.products.iter() {
                let Some(product) = subscriptions.products.get(p as usize) else {
                    continue;
                };
                if policies.products.contains_key(&product.id) {
                    let pl =
                        crate::policy::build::for_operation(&policies, Some(&product.id), &api.id, &op.id, &mut table)?;
                    product_pipelines.push((p, pl));
                }
            }
            let pipeline = crate::policy::build::for_operation(&policies, None, &api.id, &op.id, &mut table)?;
            let needs = crate::policy::validation::needs(
                std::iter::once(&pipeline).chain(product_pipelines.iter().map(|(_, p)| p)),
            );
            let def = crate::schema::find_operation(&defs, op.method.as_deref(), &op.url_template, &op.id);
            if api_schema.is_some() && def.is_none() {
                tracing::warn!(api = %api.id, operation = %op.id, "the API's OpenAPI document has no such operation: the validation policies have no schema for it");
            }
            let schema = match (api_schema.as_mut().zip(def), needs.named.is_empty()) {
                (None, true) => None,
                (with_api, _) => {
                    let source = api.openapi.as_ref().map_or(file.as_str(), |d| d.source.as_str());
                    let compiled = crate::schema::compile_operation(with_api, &mut named_schemas, &needs)
                        .map_err(|m| ConfigError::new(source, Some(&field), m))?;
                    Some(std::sync::Arc::new(compiled))
                }
            };
            operations.push(CompiledOperation {
                product_pipelines,
                id: op.id.clone(),
                method,
                template: op.url_template.clone(),
                params: template.params,
                schema,
                pipeline,
            });
        }
        apis.push(CompiledApi {
            id: api.id.clone(),
            name: api.display_name.clone(),
            path: api.path.clone(),
            backend,
            backend_tls,
            operations,
            version: api.version.as_ref().map(|v| v.name.clone()),
            revision: api.revision,
            protocols: api.protocols,
            access,
        });
    }
    // A `base-url` expression may also name any API's service URL (resolved
    // above, so this adds no lookup).
    for api in &cfg.apis {
        table.url_index(&api.service_url);
    }
    let mut targets = Vec::with_capacity(table.urls.len());
    for (i, url) in table.urls.iter().enumerate() {
        let file = table
            .ids
            .get(i)
            .map_or_else(|| "policy".to_owned(), |id| format!("backends/{id}.toml"));
        let (backend, backend_tls) = target_of(url, &file, "url")?;
        targets.push(Target {
            key: table.keys[i].clone(),
            backend,
            backend_tls,
        });
    }
    let client_cert_keys = if table.any_client_cert {
        certs.with_keys(cfg)
    } else {
        let mut v = table.client_certs.clone();
        v.sort_unstable();
        v
    };
    // Host names of calls are checked per call; "localhost" stands in.
    let mut call_tls = tls_cache.connector(cfg, "localhost", 0, "policy").ok().map(|(c, _)| c);
    if !client_cert_keys.is_empty() {
        let connectors = apis
            .iter_mut()
            .map(|a| (&a.backend, &mut a.backend_tls))
            .chain(targets.iter_mut().map(|t| (&t.backend, &mut t.backend_tls)));
        for (backend, tls) in connectors {
            if let (BackendTarget::Http { pool_key, .. }, Some(c)) = (backend, tls.as_mut()) {
                tls_cache.add_cert_variants(cfg, &certs, &client_cert_keys, c, pool_key)?;
            }
        }
        if let Some(c) = call_tls.as_mut() {
            tls_cache.add_cert_variants(cfg, &certs, &client_cert_keys, c, "")?;
        }
    }
    Ok(Replica {
        hash: config_hash(cfg),
        router,
        apis,
        targets,
        server_tls: crate::tls::server::ServerTls::compile(cfg)?.map(std::sync::Arc::new),
        subscriptions,
        certs,
        client_cert_keys,
        call_tls,
        openid_urls: table.openid_urls.clone(),
    })
}

/// The `schema-id` schemas of the configuration, ready to compile.
fn schema_compilers(cfg: &Config) -> Result<HashMap<String, crate::schema::Compiler>, ConfigError> {
    let mut out = HashMap::new();
    for s in &cfg.schemas {
        let doc = crate::schema::document::parse_text(s.doc.text.as_bytes(), Some(s.doc.source.ends_with(".json")))
            .map_err(|m| ConfigError::new(&s.doc.source, None, m))?;
        out.insert(s.id.clone(), crate::schema::Compiler::json_schema(doc));
    }
    Ok(out)
}

/// An API's OpenAPI document, ready to compile, and its operations.
fn openapi_compiler(
    api: &crate::config::Api,
) -> Result<(Option<crate::schema::Compiler>, Vec<crate::schema::OperationDef>), ConfigError> {
    let Some(doc) = &api.openapi else {
        return Ok((None, Vec::new()));
    };
    let err = |m: String| ConfigError::new(&doc.source, None, m);
    let value =
        crate::schema::document::parse_text(doc.text.as_bytes(), Some(doc.source.ends_with(".json"))).map_err(err)?;
    let defs = crate::schema::document::operations(&value).map_err(err)?;
    let compiler = crate::schema::Compiler::openapi(value).map_err(err)?;
    Ok((Some(compiler), defs))
}

impl Replica {
    /// Distinct (host, port) of http(s) backends whose resolution failed.
    pub fn unresolved_hosts(&self) -> Vec<(String, u16)> {
        let mut out: Vec<(String, u16)> = Vec::new();
        for api in &self.apis {
            if let BackendTarget::Http { host, port, addrs, .. } = &api.backend {
                if addrs.is_empty() && !out.iter().any(|(h, p)| h == host && p == port) {
                    out.push((host.clone(), *port));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_files;

    fn api(name: &str, url: &str) -> (String, String) {
        (
            format!("apis/{name}.toml"),
            format!("display-name = \"{name}\"\npath = \"{name}\"\nservice-url = \"{url}\"\n"),
        )
    }

    #[test]
    fn compiles_backends_and_resolves_each_host_once() {
        let cfg = load_files(&[
            api("a", "http://Backend.example:8080/base/"),
            api("b", "http://backend.example:8080"),
            api("c", "https://down.example"),
            api("d", "echo://"),
        ])
        .expect("valid");
        let mut calls = Vec::new();
        let mut resolve = |h: &str, p: u16| -> std::io::Result<Vec<SocketAddr>> {
            calls.push((h.to_owned(), p));
            if h == "down.example" {
                Err(std::io::Error::other("nxdomain"))
            } else {
                Ok(vec![SocketAddr::from(([127, 0, 0, 1], p))])
            }
        };
        let r = compile(&cfg, &mut resolve).expect("compiles");
        assert_eq!(calls.len(), 2, "{calls:?}");
        match &r.apis[0].backend {
            BackendTarget::Http {
                tls,
                host,
                port,
                base_path,
                host_header,
                addrs,
                pool_key,
            } => {
                assert_eq!(pool_key, "http://backend.example:8080");
                assert!(!tls);
                assert_eq!((host.as_str(), *port), ("backend.example", 8080));
                assert_eq!(base_path, "/base");
                assert_eq!(host_header, "backend.example:8080");
                assert_eq!(addrs.len(), 1);
            }
            other => panic!("unexpected {other:?}"),
        }
        match &r.apis[2].backend {
            BackendTarget::Http {
                host_header,
                base_path,
                port,
                ..
            } => {
                assert_eq!(
                    (host_header.as_str(), base_path.as_str(), *port),
                    ("down.example", "", 443)
                );
            }
            other => panic!("unexpected {other:?}"),
        }
        assert_eq!(r.apis[3].backend, BackendTarget::Echo);
        assert_eq!(r.unresolved_hosts(), vec![("down.example".to_owned(), 443)]);
        let op = &r.apis[3].operations[0];
        assert_eq!(
            (op.id.as_str(), op.method.is_none(), op.template.as_str()),
            ("default", true, "/*")
        );
    }

    #[test]
    fn hash_is_stable_and_content_sensitive() {
        let mut none = |_: &str, _: u16| -> std::io::Result<Vec<SocketAddr>> { Ok(Vec::new()) };
        let one = load_files(&[api("a", "echo://"), api("b", "echo://")]).expect("valid");
        let reordered = load_files(&[api("b", "echo://"), api("a", "echo://")]).expect("valid");
        let other = load_files(&[api("a", "echo://"), api("b", "http://x")]).expect("valid");
        let h1 = compile(&one, &mut none).expect("ok").hash;
        assert_eq!(h1, compile(&reordered, &mut none).expect("ok").hash);
        assert_ne!(h1, compile(&other, &mut none).expect("ok").hash);
        assert_eq!(h1, config_hash(&one));
    }

    #[test]
    fn replica_is_send_and_static() {
        fn check<T: Clone + Send + 'static>() {}
        check::<Replica>();
    }
}
