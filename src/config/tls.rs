//! The TLS part of the declarative model: certificates (`certificates/<id>.pem`),
//! custom host names with their certificates and TLS options
//! (`hostnames.toml`), and the TLS options of backends.
//!
//! Owns: the plain-data types, their TOML shape and reference checks (every
//! certificate id named exists; at most one default host name; no duplicate
//! host name; a client-certificate CA is either trusted or an intermediate,
//! never both). PEM contents are checked when the replica is compiled
//! (`crate::tls::certs`), which reports errors against the same file names.

use serde::Deserialize;
use std::fmt;

use super::syntax::check_id;
use super::{Config, ConfigError};

/// A PEM file: a certificate chain, optionally with its private key (a
/// server or client certificate), or CA certificates only. `Debug` never
/// shows the contents.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Certificate {
    pub id: String,
    pub pem: String,
}

impl fmt::Debug for Certificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Certificate")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

/// A TLS protocol version the gateway can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TlsProtocol {
    Tls12,
    Tls13,
}

impl TlsProtocol {
    /// Parses `tls1.2` / `tls1.3` (also `TLSv1.2`, `Tls12`); TLS 1.0 and 1.1
    /// are refused with the reason.
    pub fn parse(s: &str) -> Result<TlsProtocol, String> {
        let k: String = s
            .to_ascii_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        match k.as_str() {
            "tls12" | "tlsv12" => Ok(TlsProtocol::Tls12),
            "tls13" | "tlsv13" => Ok(TlsProtocol::Tls13),
            "tls10" | "tlsv10" | "tls11" | "tlsv11" | "ssl3" | "sslv3" => Err(format!(
                "{s:?} is not supported: TLS 1.0 and 1.1 are deprecated (RFC 8996) and not \
                 implemented by the TLS library Outpost uses (rustls); use tls1.2 and/or tls1.3"
            )),
            _ => Err(format!("unknown protocol {s:?} (expected tls1.2 or tls1.3)")),
        }
    }
}

/// A custom host name served over HTTPS.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Hostname {
    /// Lowercase; `*.example.com` matches one label in place of `*`.
    pub hostname: String,
    /// Id of the certificate (with key) presented for this host name.
    pub certificate: String,
    /// Used when a client sends no SNI or one no entry matches.
    pub default: bool,
    /// Ask for a client certificate in the handshake (APIM's "negotiate
    /// client certificate"); a client may still send none.
    pub negotiate_client_certificate: bool,
    /// When set, a client certificate must chain to a CA in this
    /// certificate file, or the handshake fails.
    pub client_ca: Option<String>,
    /// Sorted, deduplicated, non-empty.
    pub protocols: Vec<TlsProtocol>,
}

/// TLS options of a backend (applied to requests whose service URL has the
/// backend's scheme, host and port).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct BackendTls {
    /// Extra CA certificates (ids) trusted besides the system roots.
    pub ca_certificates: Vec<String>,
    /// Client certificate (id, with key) presented to the backend.
    pub client_certificate: Option<String>,
    /// `false` skips certificate validation entirely: testing only.
    pub validate_certificate: bool,
}

impl BackendTls {
    /// No extra CAs, no client certificate, validation on.
    pub fn default_validating() -> BackendTls {
        BackendTls {
            validate_certificate: true,
            ..BackendTls::default()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawHostnames {
    #[serde(default)]
    pub hostname: Vec<RawHostname>,
    /// Certificate ids trusted as CAs for client certificates.
    #[serde(default, rename = "certificate-authorities")]
    pub certificate_authorities: Vec<String>,
    /// Certificate ids usable as intermediates of a client certificate's
    /// chain, never as trust anchors (APIM's `isTrusted = false`).
    #[serde(default, rename = "intermediate-certificates")]
    pub intermediate_certificates: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawHostname {
    pub hostname: String,
    pub certificate: String,
    #[serde(default)]
    pub default: bool,
    #[serde(default)]
    pub negotiate_client_certificate: bool,
    #[serde(default)]
    pub client_ca: Option<String>,
    #[serde(default)]
    pub protocols: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawBackendTls {
    #[serde(default)]
    pub ca_certificates: Vec<String>,
    #[serde(default)]
    pub client_certificate: Option<String>,
    #[serde(default = "yes")]
    pub validate_certificate: bool,
}

fn yes() -> bool {
    true
}

impl From<RawBackendTls> for BackendTls {
    fn from(r: RawBackendTls) -> Self {
        BackendTls {
            ca_certificates: r.ca_certificates,
            client_certificate: r.client_certificate,
            validate_certificate: r.validate_certificate,
        }
    }
}

pub(crate) const HOSTNAMES_FILE: &str = "hostnames.toml";

/// Checks one `[[hostname]]` entry's fields.
pub(crate) fn hostname(r: RawHostname) -> Result<Hostname, ConfigError> {
    let file = HOSTNAMES_FILE;
    let name = r.hostname.trim().to_ascii_lowercase();
    let bare = name.strip_prefix("*.").unwrap_or(&name);
    let valid = !bare.is_empty()
        && bare
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'));
    if !valid {
        return Err(ConfigError::new(
            file,
            Some("hostname"),
            format!("not a host name (or *.domain wildcard): {:?}", r.hostname),
        ));
    }
    check_id(&r.certificate).map_err(|m| ConfigError::new(file, Some("certificate"), m))?;
    if let Some(ca) = &r.client_ca {
        check_id(ca).map_err(|m| ConfigError::new(file, Some("client-ca"), m))?;
    }
    let mut protocols = Vec::new();
    for p in r.protocols.unwrap_or_else(|| vec!["tls1.2".into(), "tls1.3".into()]) {
        protocols.push(TlsProtocol::parse(&p).map_err(|m| ConfigError::new(file, Some("protocols"), m))?);
    }
    protocols.sort();
    protocols.dedup();
    if protocols.is_empty() {
        return Err(ConfigError::new(
            file,
            Some("protocols"),
            "must name at least one protocol",
        ));
    }
    Ok(Hostname {
        hostname: name,
        certificate: r.certificate,
        default: r.default,
        negotiate_client_certificate: r.negotiate_client_certificate || r.client_ca.is_some(),
        client_ca: r.client_ca,
        protocols,
    })
}

/// The client-certificate CAs of one `hostnames.toml`: trusted roots
/// (`certificate-authorities`) and intermediates (`intermediate-certificates`),
/// each sorted and deduplicated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CaLists {
    pub trusted: Vec<String>,
    pub intermediates: Vec<String>,
}

/// Checks the two top-level lists of `file`: valid ids, and no id in both.
pub(crate) fn ca_lists(file: &str, trusted: Vec<String>, intermediates: Vec<String>) -> Result<CaLists, ConfigError> {
    let check = |field: &str, mut ids: Vec<String>| -> Result<Vec<String>, ConfigError> {
        for id in &ids {
            check_id(id).map_err(|m| ConfigError::new(file, Some(field), m))?;
        }
        ids.sort();
        ids.dedup();
        Ok(ids)
    };
    let trusted = check("certificate-authorities", trusted)?;
    let intermediates = check("intermediate-certificates", intermediates)?;
    if let Some(both) = intermediates.iter().find(|i| trusted.binary_search(i).is_ok()) {
        return Err(ConfigError::new(
            file,
            Some("intermediate-certificates"),
            format!("{both:?} is also in certificate-authorities: a CA is either trusted or an intermediate"),
        ));
    }
    Ok(CaLists { trusted, intermediates })
}

impl CaLists {
    /// `self` (the local file's lists) over `other` (the management plane's):
    /// an id keeps the role the local file gives it.
    pub(crate) fn over(mut self, other: CaLists) -> CaLists {
        let local = |id: &String, l: &CaLists| l.trusted.contains(id) || l.intermediates.contains(id);
        let snapshot = self.clone();
        self.trusted
            .extend(other.trusted.into_iter().filter(|id| !local(id, &snapshot)));
        self.intermediates
            .extend(other.intermediates.into_iter().filter(|id| !local(id, &snapshot)));
        for v in [&mut self.trusted, &mut self.intermediates] {
            v.sort();
            v.dedup();
        }
        self
    }
}

/// Reference and uniqueness checks of the TLS resources.
pub(crate) fn validate(cfg: &Config) -> Result<(), ConfigError> {
    let exists = |id: &str| cfg.certificates.binary_search_by(|c| c.id.as_str().cmp(id)).is_ok();
    let missing = |file: &str, field: &str, id: &str| {
        ConfigError::new(
            file,
            Some(field),
            format!("no certificate {id:?} (expected certificates/{id}.pem)"),
        )
    };
    let mut names = std::collections::HashSet::new();
    let mut defaults = 0;
    for h in &cfg.hostnames {
        if !names.insert(h.hostname.as_str()) {
            return Err(ConfigError::new(
                HOSTNAMES_FILE,
                Some("hostname"),
                format!("duplicate host name {:?}", h.hostname),
            ));
        }
        if !exists(&h.certificate) {
            return Err(missing(HOSTNAMES_FILE, "certificate", &h.certificate));
        }
        if let Some(ca) = h.client_ca.as_deref().filter(|ca| !exists(ca)) {
            return Err(missing(HOSTNAMES_FILE, "client-ca", ca));
        }
        defaults += usize::from(h.default);
    }
    if let Some(ca) = cfg.certificate_authorities.iter().find(|ca| !exists(ca)) {
        return Err(missing(HOSTNAMES_FILE, "certificate-authorities", ca));
    }
    if let Some(ca) = cfg.intermediate_certificates.iter().find(|ca| !exists(ca)) {
        return Err(missing(HOSTNAMES_FILE, "intermediate-certificates", ca));
    }
    if defaults > 1 {
        return Err(ConfigError::new(
            HOSTNAMES_FILE,
            Some("default"),
            "at most one host name can be the default",
        ));
    }
    for b in &cfg.backends {
        let file = format!("backends/{}.toml", b.id);
        if let Some(ca) = b.tls.ca_certificates.iter().find(|ca| !exists(ca)) {
            return Err(missing(&file, "tls.ca-certificates", ca));
        }
        if let Some(c) = b.tls.client_certificate.as_deref().filter(|c| !exists(c)) {
            return Err(missing(&file, "tls.client-certificate", c));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocols_parse_and_old_ones_explain_why() {
        assert_eq!(TlsProtocol::parse("tls1.2"), Ok(TlsProtocol::Tls12));
        assert_eq!(TlsProtocol::parse("TLSv1.3"), Ok(TlsProtocol::Tls13));
        let e = TlsProtocol::parse("tls1.0").unwrap_err();
        assert!(e.contains("not supported") && e.contains("rustls"), "{e}");
        assert!(TlsProtocol::parse("tls1.1").is_err());
        assert!(TlsProtocol::parse("quic").unwrap_err().contains("unknown"));
    }

    #[test]
    fn ca_lists_are_checked_and_local_roles_win() {
        let v = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let l = ca_lists("h", v(&["b", "a", "a"]), v(&["i"])).unwrap();
        assert_eq!(
            (l.trusted.clone(), l.intermediates.clone()),
            (v(&["a", "b"]), v(&["i"]))
        );
        let e = ca_lists("h", v(&["a"]), v(&["a"])).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("intermediate-certificates"));
        assert!(ca_lists("h", v(&["a/b"]), vec![]).is_err());
        // Local "i" is an intermediate and local "a" trusted: the snapshot's
        // opposite roles for them are ignored; its other ids are kept.
        let remote = ca_lists("h", v(&["i", "r"]), v(&["a", "ri"])).unwrap();
        let merged = l.over(remote);
        assert_eq!(merged.trusted, v(&["a", "b", "r"]));
        assert_eq!(merged.intermediates, v(&["i", "ri"]));
    }

    #[test]
    fn hostname_entries_are_checked() {
        let raw = |h: &str| RawHostname {
            hostname: h.into(),
            certificate: "c".into(),
            default: false,
            negotiate_client_certificate: false,
            client_ca: None,
            protocols: None,
        };
        let h = hostname(raw("API.Example.com")).unwrap();
        assert_eq!(h.hostname, "api.example.com");
        assert_eq!(h.protocols, vec![TlsProtocol::Tls12, TlsProtocol::Tls13]);
        assert!(hostname(raw("*.example.com")).is_ok());
        assert!(hostname(raw("a..b")).is_err());
        assert!(hostname(raw("a/b")).is_err());
        let mut r = raw("x.test");
        r.protocols = Some(vec!["tls1.1".into()]);
        assert_eq!(hostname(r).unwrap_err().field.as_deref(), Some("protocols"));
    }
}
