//! Certificates (upload and view), gateway host names, gateways, their
//! certificate authorities, heartbeats and instances as the REST API reads
//! and writes them.
//!
//! Invariant: certificate PEM, PFX data and passwords are write-only: they
//! never appear in a GET shape ([`CertificateView`]) or in `Debug` output.

use serde::{Deserialize, Serialize};

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
    /// Read-only: how the instance that sent the latest heartbeat authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentityInUse>,
}

/// How a gateway authenticated to the management plane, as a heartbeat
/// recorded it. Stored as `gatewayKey` or `oauth2:<clientId>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdentityInUse {
    /// `gatewayKey` or `oauth2`.
    pub kind: String,
    /// The OAuth2 application's client id (`oauth2` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default)]
    pub instance_id: String,
    #[serde(default)]
    pub last_heartbeat: String,
}

/// The verified identity of a gateway request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayAuth {
    GatewayKey,
    OAuth2 { client_id: String },
}

impl GatewayAuth {
    /// The stored form (`gatewayKey`, `oauth2:<clientId>`).
    pub fn stored(&self) -> String {
        match self {
            GatewayAuth::GatewayKey => "gatewayKey".into(),
            GatewayAuth::OAuth2 { client_id } => format!("oauth2:{client_id}"),
        }
    }
}

impl IdentityInUse {
    /// From the stored form; rows from before identities were recorded are `gatewayKey`.
    pub fn from_stored(stored: Option<&str>, instance_id: String, last_heartbeat: i64) -> IdentityInUse {
        let (kind, client_id) = match stored.and_then(|s| s.strip_prefix("oauth2:")) {
            Some(id) => ("oauth2", Some(id.to_string())),
            None => ("gatewayKey", None),
        };
        IdentityInUse {
            kind: kind.into(),
            client_id,
            instance_id,
            last_heartbeat: crate::mgmt::tokens::format_iso(last_heartbeat),
        }
    }
}

/// `PUT /mgmt/gateways/{g}/identities/{clientId}` body (optional) and GET shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GatewayIdentity {
    /// Read-only: taken from the URL.
    #[serde(default)]
    pub client_id: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Read-only: when the mapping was created (RFC 3339 UTC).
    #[serde(default)]
    pub created: String,
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
    /// Request metrics since the instance's last acknowledged heartbeat.
    #[serde(default)]
    pub metrics: Option<crate::telemetry::rollup::Report>,
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
    /// How this instance authenticated at its last heartbeat.
    pub identity: IdentityInUse,
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
