//! TLS termination: the compiled host-name table ([`ServerTls`], part of
//! the replica) and the accept path (read the ClientHello, pick the host
//! name's configuration by SNI, run the handshake).
//!
//! Each host name gets its own immutable `ServerConfig` (certificate,
//! protocol versions, client-certificate policy) that shares the
//! process-wide ticketer and session cache, so resumption works across
//! workers, host names and reloads. Lookup: exact name, then the
//! `*.parent` wildcard (one label), then the default host name.

use super::stream::{handshake, TlsRead, TlsWrite};
use super::verify::AnyClientCert;
use super::{certs, context};
use crate::config::{Config, ConfigError, Hostname, TlsProtocol};
use monoio::io::{AsyncReadRent, AsyncWriteRentExt, Splitable};
use monoio::net::TcpStream;
use rustls::server::{Acceptor, ResolvesServerCert, WebPkiClientVerifier};
use rustls::sign::CertifiedKey;
use rustls::ServerConfig;
use std::collections::HashMap;
use std::sync::Arc;

/// ALPN protocols offered (HTTP/2 joins here when the data plane speaks it).
pub const ALPN: &[&[u8]] = &[b"http/1.1"];

/// Why a TLS handshake with a client failed.
#[derive(Debug, thiserror::Error)]
pub enum HandshakeError {
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("TLS: {0}")]
    Tls(#[from] rustls::Error),
    #[error("no certificate for server name {0:?} and no default host name")]
    NoCertificate(Option<String>),
    #[error("handshake timed out")]
    Timeout,
}

/// The host-name table of one configuration.
pub struct ServerTls {
    exact: HashMap<String, Arc<ServerConfig>>,
    /// Keyed by the parent domain of `*.parent`.
    wildcard: HashMap<String, Arc<ServerConfig>>,
    default: Option<Arc<ServerConfig>>,
}

impl std::fmt::Debug for ServerTls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerTls")
            .field("exact", &self.exact.keys().collect::<Vec<_>>())
            .field("wildcard", &self.wildcard.keys().collect::<Vec<_>>())
            .field("default", &self.default.is_some())
            .finish()
    }
}

#[derive(Debug)]
struct OneCert(Arc<CertifiedKey>);

impl ResolvesServerCert for OneCert {
    fn resolve(&self, _hello: rustls::server::ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
}

impl ServerTls {
    /// Compiles `cfg.hostnames`; `None` when there are none (the HTTPS
    /// listener then refuses handshakes).
    pub fn compile(cfg: &Config) -> Result<Option<ServerTls>, ConfigError> {
        if cfg.hostnames.is_empty() {
            return Ok(None);
        }
        let mut t = ServerTls {
            exact: HashMap::new(),
            wildcard: HashMap::new(),
            default: None,
        };
        let only_one = cfg.hostnames.len() == 1;
        for h in &cfg.hostnames {
            let sc = Arc::new(server_config(cfg, h)?);
            if h.default || only_one {
                t.default = Some(sc.clone());
            }
            match h.hostname.strip_prefix("*.") {
                Some(parent) => t.wildcard.insert(parent.to_owned(), sc),
                None => t.exact.insert(h.hostname.clone(), sc),
            };
        }
        Ok(Some(t))
    }

    /// Number of configured host names.
    pub fn len(&self) -> usize {
        self.exact.len() + self.wildcard.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The configuration for a client's SNI (`None` = no SNI).
    pub fn select(&self, sni: Option<&str>) -> Option<&Arc<ServerConfig>> {
        let Some(name) = sni else {
            return self.default.as_ref();
        };
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.exact
            .get(&name)
            .or_else(|| name.split_once('.').and_then(|(_, parent)| self.wildcard.get(parent)))
            .or(self.default.as_ref())
    }
}

fn server_config(cfg: &Config, h: &Hostname) -> Result<ServerConfig, ConfigError> {
    let ctx = context();
    let provider = ctx.server_provider.clone();
    let file = crate::config::tls::HOSTNAMES_FILE;
    let key = certs::certified_key(certs::find(&cfg.certificates, &h.certificate)?, &provider)?;
    let versions: Vec<&'static rustls::SupportedProtocolVersion> = h
        .protocols
        .iter()
        .map(|p| match p {
            TlsProtocol::Tls12 => &rustls::version::TLS12,
            TlsProtocol::Tls13 => &rustls::version::TLS13,
        })
        .collect();
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(&versions)
        .map_err(|e| {
            ConfigError::new(
                file,
                Some("protocols"),
                format!("{}: {e} (check net.server.tls.ciphers.allowed-suites)", h.hostname),
            )
        })?;
    let builder = match (&h.client_ca, h.negotiate_client_certificate) {
        (Some(ca), _) => {
            let roots = certs::roots(&cfg.certificates, std::slice::from_ref(ca))?;
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone())
                .build()
                .map_err(|e| ConfigError::new(file, Some("client-ca"), format!("{}: {e}", h.hostname)))?;
            builder.with_client_cert_verifier(verifier)
        }
        (None, true) => builder.with_client_cert_verifier(Arc::new(AnyClientCert(provider.clone()))),
        (None, false) => builder.with_no_client_auth(),
    };
    let mut sc = builder.with_cert_resolver(Arc::new(OneCert(key)));
    sc.alpn_protocols = ALPN.iter().map(|p| p.to_vec()).collect();
    sc.session_storage = ctx.sessions.clone();
    sc.ticketer = ctx.ticketer.clone();
    Ok(sc)
}

/// Reads the ClientHello, picks the configuration by SNI and completes the
/// handshake. `tls` is `None` when no host name is configured.
pub async fn accept(stream: TcpStream, tls: Option<&ServerTls>) -> Result<(TlsRead, TlsWrite), HandshakeError> {
    let (mut r, mut w) = stream.into_split();
    let mut acceptor = Acceptor::default();
    let mut buf = Vec::with_capacity(4096);
    let accepted = loop {
        buf.clear();
        let (res, b) = r.read(buf).await;
        buf = b;
        if res? == 0 {
            return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof).into());
        }
        let mut slice = &buf[..];
        while !slice.is_empty() {
            if acceptor.read_tls(&mut slice)? == 0 {
                break;
            }
        }
        match acceptor.accept() {
            Ok(Some(a)) => break a,
            Ok(None) => continue,
            Err((e, alert)) => return Err(send_alert(&mut w, alert, e).await),
        }
    };
    let sni = accepted.client_hello().server_name().map(str::to_owned);
    let Some(config) = tls.and_then(|t| t.select(sni.as_deref())) else {
        return Err(HandshakeError::NoCertificate(sni));
    };
    let conn = match accepted.into_connection(config.clone()) {
        Ok(c) => c,
        Err((e, alert)) => return Err(send_alert(&mut w, alert, e).await),
    };
    Ok(handshake(r, w, rustls::Connection::Server(conn)).await?)
}

async fn send_alert(
    w: &mut monoio::net::tcp::TcpOwnedWriteHalf,
    mut alert: rustls::server::AcceptedAlert,
    e: rustls::Error,
) -> HandshakeError {
    let mut out = Vec::new();
    let _ = alert.write_all(&mut out);
    if !out.is_empty() {
        let _ = w.write_all(out).await;
    }
    e.into()
}
