//! REST JSON shapes (camelCase, APIM-like names) and their validation.
//!
//! Invariant: a value that passed `validate()` can be rendered into the
//! gateway's declarative files without breaking the loader's syntax rules
//! (ids, methods, templates, URLs). Cross-resource rules (e.g. at most one
//! current revision) are left to the gateway loader.

use serde::{Deserialize, Serialize};

use super::{bad, MgmtError};

/// `[A-Za-z0-9._-]+`, at most 256 characters.
pub fn validate_id(kind: &str, id: &str) -> Result<(), MgmtError> {
    let ok = !id.is_empty()
        && id.len() <= 256
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        && id != "."
        && id != "..";
    if ok {
        Ok(())
    } else {
        Err(bad(format!(
            "invalid {kind} id '{id}': use 1-256 characters from A-Z a-z 0-9 . _ -"
        )))
    }
}

/// `http://…`, `https://…` or `echo://`; no query, fragment or user info.
pub fn validate_url(field: &str, url: &str) -> Result<(), MgmtError> {
    let lower = url.to_ascii_lowercase();
    let rest = if lower == "echo://" || lower == "echo:" {
        return Ok(());
    } else if let Some(r) = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://")) {
        r
    } else {
        return Err(bad(format!("{field}: scheme must be http, https or echo")));
    };
    let host = rest.split('/').next().unwrap_or("");
    if host.is_empty() || rest.contains(['?', '#', '@', ' ']) {
        return Err(bad(format!(
            "{field}: expected http(s)://host[:port][/path] without query, fragment or user info"
        )));
    }
    Ok(())
}

/// An uppercase method token or `*`; lowercase input is uppercased.
pub fn normalize_method(m: &str) -> Result<String, MgmtError> {
    let up = m.trim().to_ascii_uppercase();
    if up == "*" || (!up.is_empty() && up.len() <= 20 && up.bytes().all(|b| b.is_ascii_uppercase())) {
        Ok(up)
    } else {
        Err(bad(format!(
            "invalid method '{m}': expected an HTTP method such as GET or \"*\""
        )))
    }
}

pub fn validate_template(t: &str) -> Result<(), MgmtError> {
    let mut depth = 0i32;
    for c in t.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            c if c.is_whitespace() || c.is_control() => depth = 9,
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            break;
        }
    }
    if !t.starts_with('/') || depth != 0 {
        return Err(bad(format!(
            "invalid urlTemplate '{t}': must begin with '/', with balanced {{param}} and no spaces"
        )));
    }
    Ok(())
}

fn validate_api_path(p: &str) -> Result<(), MgmtError> {
    if p.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,=:@/".contains(c))
    {
        Ok(())
    } else {
        Err(bad(format!(
            "invalid path '{p}': allowed are letters, digits, / and -._~!$&'()*+,=:@"
        )))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyNames {
    pub header: Option<String>,
    pub query: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionSet {
    /// `segment` | `header` | `query` (case-insensitive on input).
    pub versioning_scheme: String,
    pub version_header_name: Option<String>,
    pub version_query_name: Option<String>,
}

fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn both_schemes() -> Vec<String> {
    vec!["http".into(), "https".into()]
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Api {
    #[serde(default)]
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub path: String,
    pub service_url: String,
    #[serde(default)]
    pub hostnames: Vec<String>,
    #[serde(default = "both_schemes")]
    pub protocols: Vec<String>,
    #[serde(default)]
    pub subscription_required: bool,
    #[serde(default)]
    pub subscription_key_parameter_names: Option<KeyNames>,
    #[serde(default = "one")]
    pub api_revision: u32,
    #[serde(default = "yes")]
    pub is_current: bool,
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub api_version_set: Option<VersionSet>,
}

impl Api {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("api", &self.id)?;
        if self.display_name.trim().is_empty() {
            return Err(bad("displayName is required"));
        }
        validate_api_path(&self.path)?;
        validate_url("serviceUrl", &self.service_url)?;
        if self.api_revision == 0 {
            return Err(bad("apiRevision must be at least 1"));
        }
        for p in &mut self.protocols {
            *p = p.to_ascii_lowercase();
            if !matches!(p.as_str(), "http" | "https" | "ws" | "wss") {
                return Err(bad(format!("invalid protocol '{p}': expected http, https, ws or wss")));
            }
        }
        self.protocols.sort();
        self.protocols.dedup();
        if self.protocols.is_empty() {
            return Err(bad("protocols must name at least one of http, https, ws, wss"));
        }
        match (&self.api_version, &mut self.api_version_set) {
            (None, None) => {}
            (Some(v), Some(set)) if !v.is_empty() => {
                set.versioning_scheme = set.versioning_scheme.to_ascii_lowercase();
                if !matches!(set.versioning_scheme.as_str(), "segment" | "header" | "query") {
                    return Err(bad("apiVersionSet.versioningScheme must be segment, header or query"));
                }
            }
            _ => return Err(bad("apiVersion and apiVersionSet must be given together")),
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Operation {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    pub method: String,
    pub url_template: String,
}

impl Operation {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("operation", &self.id)?;
        self.method = normalize_method(&self.method)?;
        validate_template(&self.url_template)?;
        if self.display_name.trim().is_empty() {
            self.display_name = self.id.clone();
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    #[serde(default)]
    pub id: String,
    pub display_name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default = "yes")]
    pub subscription_required: bool,
    #[serde(default)]
    pub approval_required: bool,
    #[serde(default = "not_published")]
    pub state: String,
    /// Read-only: linked APIs (ignored on input).
    #[serde(default)]
    pub apis: Vec<String>,
}

fn not_published() -> String {
    "notPublished".into()
}

impl Product {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("product", &self.id)?;
        if self.display_name.trim().is_empty() {
            return Err(bad("displayName is required"));
        }
        if !matches!(self.state.as_str(), "published" | "notPublished") {
            return Err(bad("state must be \"published\" or \"notPublished\""));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Subscription {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    /// `all`, `api:<id>` or `product:<id>`.
    pub scope: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_key: Option<String>,
    #[serde(default = "active")]
    pub state: String,
}

fn active() -> String {
    "active".into()
}

impl Subscription {
    pub fn validate(&mut self) -> Result<(), MgmtError> {
        validate_id("subscription", &self.id)?;
        if self.display_name.trim().is_empty() {
            self.display_name = self.id.clone();
        }
        // APIM's forms (`/apis`, `/apis/{id}`, `/products/{id}`) are stored
        // in the canonical form the gateway files use.
        use crate::config::SubscriptionScope as S;
        self.scope = match crate::config::parse_scope(&self.scope) {
            Some(S::All) => "all".into(),
            Some(S::Api(a)) if a.len() <= 256 => format!("api:{a}"),
            Some(S::Product(p)) if p.len() <= 256 => format!("product:{p}"),
            _ => {
                return Err(bad(
                    "scope must be \"all\", \"api:<api-id>\", \"product:<product-id>\", \"/apis\", \"/apis/<api-id>\" or \"/products/<product-id>\"",
                ))
            }
        };
        const STATES: [&str; 6] = ["active", "suspended", "submitted", "expired", "cancelled", "rejected"];
        if !STATES.contains(&self.state.as_str()) {
            return Err(bad(format!("state must be one of {}", STATES.join(", "))));
        }
        for k in [&self.primary_key, &self.secondary_key].into_iter().flatten() {
            if k.is_empty() || k.len() > 256 || k.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(bad("keys must be 1-256 characters without spaces"));
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedValue {
    #[serde(default)]
    pub id: String,
    /// `None` in responses for secret values.
    pub value: Option<String>,
    #[serde(default)]
    pub secret: bool,
}

/// A policy fragment (APIM's `policyFragments` resource).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyFragment {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// `<fragment>…</fragment>`.
    pub value: String,
    /// `xml` or `rawxml` on input (both accepted as written); `xml` on output.
    #[serde(default = "xml_format")]
    pub format: String,
}

fn xml_format() -> String {
    "xml".into()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Backend {
    #[serde(default)]
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// `PUT /mgmt/certificates/{id}` body: PEM text (chain, optionally with
/// its private key), or APIM's PKCS#12 upload (`data` = base64 PFX,
/// `password`). Never returned: GET shows [`CertificateView`].
#[derive(Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CertificateUpload {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub pem: Option<String>,
    #[serde(default)]
    pub data: Option<String>,
    #[serde(default)]
    pub password: Option<String>,
}

impl std::fmt::Debug for CertificateUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertificateUpload")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// What GET shows of a certificate (never the PEM or the key).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CertificateView {
    pub id: String,
    /// Distinguished name of the leaf certificate.
    pub subject: String,
    /// SHA-1 of the leaf's DER encoding, uppercase hex (APIM's `thumbprint`).
    pub thumbprint: String,
    /// End of validity, RFC 3339 UTC.
    pub expiration_date: String,
    /// Whether the private key was uploaded (the key itself is never shown).
    pub has_private_key: bool,
}

/// A custom host name of a gateway (APIM's gateway `hostnameConfigurations`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HostnameConfiguration {
    /// APIM's `hcId`; defaults to the host name (`*` spelled `wildcard`).
    #[serde(default)]
    pub id: String,
    /// `api.contoso.com` or `*.contoso.com`.
    pub hostname: String,
    /// A certificate id, or an APIM resource id ending in `/certificates/{id}`
    /// (stored as the bare id). The certificate must hold a private key.
    pub certificate_id: String,
    #[serde(default)]
    pub negotiate_client_certificate: bool,
    /// Served to clients without SNI or with an unknown name.
    #[serde(default)]
    pub default_ssl_binding: bool,
    /// `["tls1.2", "tls1.3"]` by default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocols: Option<Vec<String>>,
    /// APIM's switches; `true` is refused (rustls implements neither).
    #[serde(default)]
    pub tls10_enabled: bool,
    #[serde(default)]
    pub tls11_enabled: bool,
    /// Accepted and ignored: the gateway speaks HTTP/1.1 only so far.
    #[serde(default)]
    pub http2_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Gateway {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub hostname_configurations: Vec<HostnameConfiguration>,
    /// Read-only: assigned API ids.
    #[serde(default)]
    pub apis: Vec<String>,
}

/// `POST /gateway/heartbeat` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Heartbeat {
    pub instance_id: String,
    #[serde(default)]
    pub hostname: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub uptime_secs: Option<u64>,
    #[serde(default)]
    pub applied_version: Option<u64>,
    #[serde(default)]
    pub requests: Option<serde_json::Value>,
    #[serde(default)]
    pub last_error: Option<String>,
    #[serde(default)]
    pub token_expiry: Option<String>,
}

/// A row of `GET /mgmt/gateways/{id}/instances`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayInstance {
    pub instance_id: String,
    pub hostname: Option<String>,
    pub version: Option<String>,
    pub uptime_secs: Option<u64>,
    pub applied_version: Option<u64>,
    pub last_heartbeat: String,
    pub requests: Option<serde_json::Value>,
    pub last_error: Option<String>,
    pub token_expiry: Option<String>,
}

/// A certificate assigned to a gateway as a certificate authority (APIM's
/// `GatewayCertificateAuthorityContract`). `isTrusted = true`: a root,
/// trusted for client certificates; `false` (the default): an intermediate,
/// used only to build a client certificate's chain to a trusted root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayCertificateAuthority {
    /// The certificate id (read-only: taken from the URL).
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub is_trusted: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        assert!(validate_id("api", "echo-1.v2_x").is_ok());
        for id in ["", "a/b", "a b", "..", "é"] {
            assert!(validate_id("api", id).is_err(), "{id}");
        }
        assert!(validate_url("u", "echo://").is_ok());
        assert!(validate_url("u", "https://example.com:8443/base").is_ok());
        for u in ["ftp://x", "http://", "http://u@h", "http://h/?q", "h"] {
            assert!(validate_url("u", u).is_err(), "{u}");
        }
        assert_eq!(normalize_method("get").unwrap(), "GET");
        assert!(normalize_method("G T").is_err());
        assert!(validate_template("/users/{id}").is_ok());
        assert!(validate_template("users").is_err());
        assert!(validate_template("/a/{id").is_err());
        assert!(validate_template("/a/}{").is_err());
    }
}
