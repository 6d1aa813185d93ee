//! Declarative configuration: the resource model (APIs, operations, products,
//! subscriptions, named values, backends, policy documents) read from a
//! directory of hand-written TOML and XML files.
//!
//! Owns: the plain-data model types and [`ConfigError`]. Loading lives in
//! `load`, field syntax checks in `syntax`, cross-file checks in `validate`,
//! URL templates in `template`, the compiled-in default in `embedded`.
//!
//! Invariants of a [`Config`] returned by [`load_files`] (and therefore by
//! [`load_dir`] and [`load_embedded`]):
//! - every id is `[A-Za-z0-9._-]+` and unique within its kind;
//! - `Api::path` is normalised (no leading/trailing `/`, no empty segment, no `;`);
//! - `Api::hostnames` are lowercase, without port, deduplicated and sorted;
//! - `Api::service_url` parses with [`ServiceUrl::parse`];
//! - every operation template parses with [`UrlTemplate::parse`];
//! - per (hostname or none, path, version) there is exactly one current
//!   revision and revisions are unique;
//! - products and subscriptions reference existing APIs/products;
//! - every policy document is non-empty with a `<policies>` root element;
//! - every policy document and fragment parses with
//!   [`crate::policy::document`] (well-formed, valid shape, every named
//!   value defined, every included fragment defined, no fragment cycle).
//!
//! Collections are sorted by id, so the same files always give the same value.

mod embedded;
mod load;
pub mod overlay;
mod raw;
mod syntax;
mod template;
pub mod tls;
mod validate;

#[cfg(test)]
mod tests;

pub use embedded::{load_embedded, EMBEDDED_FILES};
pub use load::{load_dir, load_files, parse_scope};
pub use overlay::{load_with_local, read_local_tls, LocalTls};
pub use syntax::ServiceUrl;
pub use template::{TemplateSegment, UrlTemplate};
pub use tls::{BackendTls, Certificate, Hostname, TlsProtocol};

use std::fmt;

/// A validation or read error, naming the file and (when known) the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// Path of the offending file, relative to the configuration directory.
    pub file: String,
    /// Offending field (kebab-case, dotted for nested fields), if known.
    pub field: Option<String>,
    /// Human-readable description.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: {}: {}", self.file, field, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl ConfigError {
    pub(crate) fn new(file: &str, field: Option<&str>, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_owned(),
            field: field.map(str::to_owned),
            message: message.into(),
        }
    }
}

/// The whole declarative configuration. Plain data.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Config {
    pub global_policy: Option<PolicyDoc>,
    pub apis: Vec<Api>,
    pub products: Vec<Product>,
    pub subscriptions: Vec<Subscription>,
    pub named_values: Vec<NamedValue>,
    pub backends: Vec<Backend>,
    /// Policy fragments (`fragments/<id>.xml`), sorted by id.
    pub fragments: Vec<PolicyFragment>,
    /// JSON Schemas `validate-content schema-id` names
    /// (`schemas/<id>.json|yaml`), sorted by id.
    pub schemas: Vec<NamedSchema>,
    /// Sorted by id.
    pub certificates: Vec<Certificate>,
    /// Custom host names served over HTTPS, sorted by host name.
    pub hostnames: Vec<Hostname>,
    /// Certificate ids whose CA certificates are trusted for client
    /// certificates (`validate-client-certificate validate-trust`,
    /// `Certificate.Verify()`), besides the system roots and each host
    /// name's `client-ca`. APIM's gateway certificate authorities with
    /// `isTrusted = true`. Sorted.
    pub certificate_authorities: Vec<String>,
    /// Certificate ids whose certificates may complete a client
    /// certificate's chain but are never trust anchors (APIM's gateway
    /// certificate authorities with `isTrusted = false`). Sorted; disjoint
    /// from `certificate_authorities`.
    pub intermediate_certificates: Vec<String>,
    /// CA certificates mounted in the local CA directory
    /// (`certificates.local.ca.enabled`), trusted for client certificates
    /// and backend TLS besides the system roots. Filled by the control
    /// thread (`crate::tls::local_ca`), not by the file loaders. Sorted by id
    /// (the file name).
    pub local_cas: Vec<Certificate>,
}

/// A policy fragment: `<fragment>…</fragment>`, included by id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyFragment {
    pub id: String,
    pub doc: PolicyDoc,
}

/// A schema document as written (JSON or YAML), checked to parse.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SchemaDoc {
    /// File path (relative to the configuration directory), for messages.
    pub source: String,
    pub text: String,
}

/// A JSON Schema added to the gateway (APIM's `/schemas/<id>`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NamedSchema {
    pub id: String,
    pub doc: SchemaDoc,
}

/// A policy document; only its root element has been checked so far.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PolicyDoc {
    /// File path (relative to the configuration directory), for messages.
    pub source: String,
    pub xml: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Api {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    /// Normalised URL suffix: `""` for the root API, else `a/b` form.
    pub path: String,
    /// As written; guaranteed to parse with [`ServiceUrl::parse`].
    pub service_url: String,
    /// Lowercase host names; empty = any host.
    pub hostnames: Vec<String>,
    /// Client schemes the API answers on.
    pub protocols: Protocols,
    pub subscription_required: bool,
    pub subscription_key_header: String,
    pub subscription_key_query: String,
    pub revision: u32,
    pub is_current: bool,
    pub version: Option<ApiVersion>,
    pub operations: Vec<Operation>,
    pub policy: Option<PolicyDoc>,
    /// The API's OpenAPI document (`apis/<id>/openapi.json|yaml`): the
    /// schema the validation policies check against.
    pub openapi: Option<SchemaDoc>,
}

/// The client schemes an API answers on (APIM's `protocols`); a request on
/// another scheme is not routed to it (404, as APIM answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Protocols {
    /// Plain HTTP (`http`, and `ws` for WebSocket APIs).
    pub http: bool,
    /// HTTPS (`https`, and `wss`).
    pub https: bool,
}

impl Default for Protocols {
    /// Both schemes.
    fn default() -> Self {
        Protocols {
            http: true,
            https: true,
        }
    }
}

impl Protocols {
    /// Parses `["http", "https"]` (case-insensitive; `ws`/`wss` count as
    /// `http`/`https`); at least one is required.
    pub fn parse(list: &[String]) -> Result<Protocols, String> {
        let mut p = Protocols {
            http: false,
            https: false,
        };
        for s in list {
            match s.to_ascii_lowercase().as_str() {
                "http" | "ws" => p.http = true,
                "https" | "wss" => p.https = true,
                other => return Err(format!("unknown protocol {other:?} (expected http, https, ws or wss)")),
            }
        }
        if !p.http && !p.https {
            return Err("must name at least one of \"http\", \"https\"".into());
        }
        Ok(p)
    }

    /// Whether a request on this scheme (`https` = TLS) may use the API.
    pub fn allows(self, https: bool) -> bool {
        if https {
            self.https
        } else {
            self.http
        }
    }
}

/// Membership of an API in a version set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ApiVersion {
    pub name: String,
    pub scheme: VersionScheme,
}

/// How the version is read from a request.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum VersionScheme {
    /// The path segment right after the API path.
    Segment,
    /// The value of this request header.
    Header(String),
    /// The value of this query parameter.
    Query(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Operation {
    pub id: String,
    pub display_name: String,
    /// Uppercase method; `None` means any method (`"*"` in the file).
    pub method: Option<String>,
    pub url_template: String,
    pub policy: Option<PolicyDoc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductState {
    Published,
    NotPublished,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Product {
    pub id: String,
    pub display_name: String,
    pub description: Option<String>,
    pub apis: Vec<String>,
    pub subscription_required: bool,
    pub approval_required: bool,
    pub state: ProductState,
    pub policy: Option<PolicyDoc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubscriptionScope {
    All,
    Api(String),
    Product(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionState {
    Active,
    Suspended,
    Submitted,
    Expired,
    Cancelled,
    Rejected,
}

/// A subscription. `Debug` redacts the keys.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Subscription {
    pub id: String,
    pub display_name: String,
    pub scope: SubscriptionScope,
    pub primary_key: String,
    pub secondary_key: Option<String>,
    pub state: SubscriptionState,
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .field("display_name", &self.display_name)
            .field("scope", &self.scope)
            .field("primary_key", &"<redacted>")
            .field("secondary_key", &self.secondary_key.as_ref().map(|_| "<redacted>"))
            .field("state", &self.state)
            .finish()
    }
}

/// A named value. `Debug` redacts the value when `secret`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct NamedValue {
    pub name: String,
    pub value: String,
    pub secret: bool,
}

impl fmt::Debug for NamedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &str = if self.secret { "<redacted>" } else { &self.value };
        f.debug_struct("NamedValue")
            .field("name", &self.name)
            .field("value", &value)
            .field("secret", &self.secret)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Backend {
    pub id: String,
    /// Guaranteed to parse with [`ServiceUrl::parse`].
    pub url: String,
    pub description: Option<String>,
    pub tls: BackendTls,
}
