//! Certificates and gateway host-name configurations in the management
//! plane: upload checks, what GET shows, the REST handlers, and how a
//! gateway's host names are rendered into its snapshot (`hostnames.toml`).
//!
//! Invariants:
//! - a stored certificate is PEM text with at least one X.509 certificate
//!   and, when it carries a private key, a key that is usable and matches
//!   the leaf (checked with the same code the gateway compiles it with,
//!   `crate::tls::certs`), so the management plane never hands a gateway a
//!   certificate it would refuse;
//! - private keys and PEM text are never returned, logged or echoed in an
//!   error message;
//! - a stored host-name configuration passed the gateway's own host-name
//!   checks (`crate::config::tls::hostname`), names an existing certificate
//!   with a private key, and is unique by id and host name within its
//!   gateway, with at most one default; a certificate in use (by a host
//!   name or as a gateway certificate authority) cannot be deleted (409).

use base64::Engine;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::json;

use super::api::parse_json;
use super::model::{CertificateUpload, CertificateView, HostnameConfiguration};
use super::resources as res;
use super::server::{Req, Resp};
use super::store::Store;
use super::{bad, model, not_found, MgmtError};
use crate::config::tls::RawHostname;

type R = Result<Resp, MgmtError>;

/// Largest accepted certificate (PEM or PFX), far above any real chain.
const MAX_CERT_BYTES: usize = 256 * 1024;

/// The PEM text of an upload: `pem` as given, or APIM's PKCS#12 form
/// (`data` = base64 PFX, `password`) converted to PEM.
fn upload_pem(u: CertificateUpload) -> Result<String, MgmtError> {
    match (u.pem, u.data) {
        (Some(pem), None) => {
            if pem.len() > MAX_CERT_BYTES {
                return Err(bad("pem is longer than 256 KiB"));
            }
            Ok(pem)
        }
        (None, Some(data)) => {
            if data.len() > MAX_CERT_BYTES * 2 {
                return Err(bad("data is longer than 512 KiB"));
            }
            let der = base64::engine::general_purpose::STANDARD
                .decode(data.trim())
                .map_err(|_| bad("data must be the base64 encoding of a PFX (PKCS#12) file"))?;
            crate::tls::pkcs12::to_pem(&der, u.password.as_deref().unwrap_or("")).map_err(|e| bad(format!("data: {e}")))
        }
        (Some(_), Some(_)) => Err(bad("give either pem or data (PFX), not both")),
        (None, None) => Err(bad(
            "pem (certificate chain and private key, PEM) or data (base64 PFX) with password is required",
        )),
    }
}

fn as_config(id: &str, pem: &str) -> crate::config::Certificate {
    crate::config::Certificate {
        id: id.to_string(),
        pem: pem.to_string(),
    }
}

/// Checks PEM text as the gateway will and describes it.
pub fn check(id: &str, pem: &str) -> Result<CertificateView, MgmtError> {
    let cert = as_config(id, pem);
    let strip = |e: crate::config::ConfigError| bad(e.message);
    let chain = crate::tls::certs::chain(&cert).map_err(strip)?;
    let has_private_key = crate::tls::certs::has_private_key(&cert);
    if has_private_key {
        crate::tls::certs::certified_key(&cert, &crate::tls::context().server_provider).map_err(strip)?;
    }
    let leaf = chain.first().and_then(|d| crate::tls::info::CertificateInfo::parse(d));
    let leaf = leaf.ok_or_else(|| bad("the first CERTIFICATE block is not a valid X.509 certificate"))?;
    Ok(CertificateView {
        id: id.to_string(),
        subject: leaf.subject,
        thumbprint: leaf.thumbprint,
        expiration_date: crate::logging::rfc3339(leaf.not_after.max(0) as u64, 0),
        has_private_key,
    })
}

/// The view of a stored certificate (stored ones passed [`check`]).
fn view(id: &str, pem: &str) -> Result<CertificateView, MgmtError> {
    check(id, pem).map_err(|e| MgmtError::Internal(format!("stored certificate {id} no longer parses: {e}")))
}

/// `GET /mgmt/certificates`.
pub fn list(store: &Store) -> R {
    let all = store.read(|c| res::list_certificates(c))?;
    let views = all
        .iter()
        .map(|(id, pem)| view(id, pem))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Resp::json(200, &json!({ "value": views })))
}

/// `GET/PUT/DELETE /mgmt/certificates/{id}`.
pub fn certificate(store: &Store, req: &Req, id: &str) -> R {
    match req.method.as_str() {
        "GET" => {
            let pem = store
                .read(|c| res::get_certificate_pem(c, id))?
                .ok_or_else(|| not_found("certificate", id))?;
            Ok(Resp::json(200, &view(id, &pem)?))
        }
        "PUT" => {
            let pem = upload_pem(parse_json(&req.body)?)?;
            let shown = check(id, &pem)?;
            let (created, _) = store.write_config(|c| {
                if !shown.has_private_key {
                    if let Some(g) = res::gateway_using_certificate(c, id)? {
                        return Err(bad(format!(
                            "certificate {id} is used by a host name of gateway {g}: it must include its private key"
                        )));
                    }
                }
                res::put_certificate(c, id, &pem)
            })?;
            Ok(Resp::json(if created { 201 } else { 200 }, &shown))
        }
        "DELETE" => {
            store.write_config(|c| {
                if let Some(g) = res::gateway_using_certificate(c, id)? {
                    return Err(MgmtError::Conflict(format!(
                        "certificate {id} is used by a host name of gateway {g}; remove that first"
                    )));
                }
                if let Some(g) = res::gateway_with_ca(c, id)? {
                    return Err(MgmtError::Conflict(format!(
                        "certificate {id} is a certificate authority of gateway {g}; remove that assignment first \
                         (DELETE /mgmt/gateways/{g}/certificateAuthorities/{id})"
                    )));
                }
                res::delete_certificate(c, id)
            })?;
            Ok(Resp::empty(204))
        }
        _ => Err(bad("method not allowed on this resource")),
    }
}

/// Checks and normalises one host-name configuration (inside the write
/// transaction: the certificate must exist and hold a private key).
fn normalise(c: &Connection, hc: &mut HostnameConfiguration) -> Result<(), MgmtError> {
    if hc.tls10_enabled || hc.tls11_enabled {
        return Err(bad(
            "tls10Enabled/tls11Enabled: TLS 1.0 and 1.1 are deprecated (RFC 8996) and not implemented \
             by the TLS library Outpost uses (rustls); leave them false",
        ));
    }
    let cert = hc
        .certificate_id
        .rsplit_once("/certificates/")
        .map_or(hc.certificate_id.as_str(), |(_, id)| id)
        .to_string();
    model::validate_id("certificate", &cert)?;
    let checked = crate::config::tls::hostname(RawHostname {
        hostname: hc.hostname.clone(),
        certificate: cert.clone(),
        default: hc.default_ssl_binding,
        negotiate_client_certificate: hc.negotiate_client_certificate,
        client_ca: None,
        protocols: hc.protocols.clone(),
    })
    .map_err(|e| bad(format!("{}: {}", e.field.as_deref().unwrap_or("hostname"), e.message)))?;
    let pem =
        res::get_certificate_pem(c, &cert)?.ok_or_else(|| bad(format!("certificateId: no certificate {cert:?}")))?;
    if !crate::tls::certs::has_private_key(&as_config(&cert, &pem)) {
        return Err(bad(format!(
            "certificateId: certificate {cert:?} has no private key, so it cannot serve a host name"
        )));
    }
    hc.hostname = checked.hostname;
    hc.certificate_id = cert;
    hc.protocols = hc.protocols.as_ref().map(|_| {
        checked
            .protocols
            .iter()
            .map(|p| match p {
                crate::config::TlsProtocol::Tls12 => "tls1.2".to_string(),
                crate::config::TlsProtocol::Tls13 => "tls1.3".to_string(),
            })
            .collect()
    });
    if hc.id.is_empty() {
        hc.id = hc.hostname.replace('*', "wildcard");
    }
    model::validate_id("hostname configuration", &hc.id)
}

/// Checks a gateway's whole list: each entry, unique ids and host names,
/// at most one default.
pub fn check_all(c: &Connection, list: &mut [HostnameConfiguration]) -> Result<(), MgmtError> {
    for hc in list.iter_mut() {
        normalise(c, hc)?;
    }
    for (i, hc) in list.iter().enumerate() {
        if list[..i].iter().any(|o| o.id == hc.id) {
            return Err(bad(format!("duplicate hostname configuration id {:?}", hc.id)));
        }
        if list[..i].iter().any(|o| o.hostname == hc.hostname) {
            return Err(bad(format!("duplicate host name {:?}", hc.hostname)));
        }
    }
    if list.iter().filter(|h| h.default_ssl_binding).count() > 1 {
        return Err(bad("at most one hostname configuration can be the defaultSslBinding"));
    }
    Ok(())
}

/// `GET /mgmt/gateways/{g}/hostnameConfigurations` and
/// `GET/PUT/DELETE /mgmt/gateways/{g}/hostnameConfigurations/{hc}`.
pub fn hostname_configuration(store: &Store, req: &Req, g: &str, hc_id: Option<&str>) -> R {
    let gateway = |c: &Connection| res::get_gateway(c, g)?.ok_or_else(|| not_found("gateway", g));
    match (req.method.as_str(), hc_id) {
        ("GET", None) => {
            let gw = store.read(|c| gateway(c))?;
            Ok(Resp::json(200, &json!({ "value": gw.hostname_configurations })))
        }
        ("GET", Some(id)) => {
            let gw = store.read(|c| gateway(c))?;
            let hc = gw.hostname_configurations.into_iter().find(|h| h.id == id);
            hc.map(|h| Resp::json(200, &h))
                .ok_or_else(|| not_found("hostname configuration", id))
        }
        ("PUT", Some(id)) => {
            let mut hc: HostnameConfiguration = parse_json(&req.body)?;
            hc.id = id.to_string();
            let (created, saved) = store
                .write_config(|c| {
                    let mut gw = gateway(c)?;
                    let slot = gw.hostname_configurations.iter().position(|h| h.id == id);
                    match slot {
                        Some(i) => gw.hostname_configurations[i] = hc.clone(),
                        None => gw.hostname_configurations.push(hc.clone()),
                    }
                    check_all(c, &mut gw.hostname_configurations)?;
                    res::put_gateway(c, &gw)?;
                    let saved = gw.hostname_configurations.into_iter().find(|h| h.id == id);
                    Ok((slot.is_none(), saved))
                })?
                .0;
            Ok(Resp::json(if created { 201 } else { 200 }, &saved))
        }
        ("DELETE", Some(id)) => {
            store.write_config(|c| {
                let mut gw = gateway(c)?;
                let before = gw.hostname_configurations.len();
                gw.hostname_configurations.retain(|h| h.id != id);
                if gw.hostname_configurations.len() == before {
                    return Err(not_found("hostname configuration", id));
                }
                res::put_gateway(c, &gw).map(|_| ())
            })?;
            Ok(Resp::empty(204))
        }
        _ => Err(bad("method not allowed on this resource")),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct HostnamesToml<'a> {
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    certificate_authorities: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    intermediate_certificates: &'a [String],
    hostname: Vec<HostnameToml<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "kebab-case")]
struct HostnameToml<'a> {
    hostname: &'a str,
    certificate: &'a str,
    default: bool,
    negotiate_client_certificate: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    protocols: Option<&'a [String]>,
}

/// `hostnames.toml` for a gateway's host names and certificate
/// authorities (`trusted` roots, `intermediates`); `None` when it has none.
pub fn render_hostnames(
    list: &[HostnameConfiguration],
    trusted: &[String],
    intermediates: &[String],
) -> Result<Option<String>, MgmtError> {
    if list.is_empty() && trusted.is_empty() && intermediates.is_empty() {
        return Ok(None);
    }
    let doc = HostnamesToml {
        certificate_authorities: trusted,
        intermediate_certificates: intermediates,
        hostname: list
            .iter()
            .map(|h| HostnameToml {
                hostname: &h.hostname,
                certificate: &h.certificate_id,
                default: h.default_ssl_binding,
                negotiate_client_certificate: h.negotiate_client_certificate,
                protocols: h.protocols.as_deref(),
            })
            .collect(),
    };
    toml::to_string(&doc)
        .map(Some)
        .map_err(|e| MgmtError::Internal(format!("rendering hostnames.toml: {e}")))
}
