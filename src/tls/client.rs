//! TLS to backends (`https://` service URLs): one `ClientConfig` per
//! distinct set of backend TLS options, compiled with the replica.
//!
//! Verification: the system roots, the local CA directory's certificates
//! (`certificates.local.ca.enabled`) and the backend's `ca-certificates`,
//! the URL's host as SNI and as the name checked; `validate-certificate =
//! false` turns verification off for that backend (testing only; warned
//! about at every load). A backend's `client-certificate` is presented
//! when the backend asks for one (the `authentication-certificate` case).
//! Client-side session resumption uses rustls' in-memory cache shared by
//! the `ClientConfig` (handshake path only).

use super::stream::{handshake, TlsRead, TlsWrite};
use super::verify::NoServerVerification;
use super::{certs, context};
use crate::config::{BackendTls, Config, ConfigError};
use monoio::io::Splitable;
use monoio::net::TcpStream;
use rustls::ClientConfig;
use rustls_pki_types::ServerName;
use std::sync::Arc;

/// What an HTTPS backend connection needs.
#[derive(Clone)]
pub struct BackendConnector {
    pub config: Arc<ClientConfig>,
    pub server_name: ServerName<'static>,
    /// Whether certificates are validated (for logs).
    pub validates: bool,
    /// The backend whose TLS options apply (keys the config cache).
    pub backend: Option<String>,
    /// The same backend presenting a certificate of the store
    /// (`authentication-certificate`), one entry per certificate a policy
    /// may name, each with its own session cache and pool.
    pub client_certs: Vec<CertVariant>,
}

/// A backend connector that presents one client certificate.
#[derive(Clone, Debug)]
pub struct CertVariant {
    /// Index into the replica's certificate store.
    pub cert: usize,
    pub connector: BackendConnector,
    /// The pool key: the backend's, plus `#cert=<thumbprint>`.
    pub pool_key: String,
}

impl BackendConnector {
    /// The connector presenting store certificate `cert`, if prepared.
    pub fn with_cert(&self, cert: usize) -> Option<&CertVariant> {
        self.client_certs.iter().find(|v| v.cert == cert)
    }
}

impl std::fmt::Debug for BackendConnector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BackendConnector")
            .field("server_name", &self.server_name)
            .field("validates", &self.validates)
            .field("client_certs", &self.client_certs.len())
            .finish()
    }
}

/// Builds the client configuration for one backend's TLS options.
/// `file` names where the options come from, for errors.
pub fn client_config(cfg: &Config, opts: &BackendTls, file: &str) -> Result<Arc<ClientConfig>, ConfigError> {
    let ctx = context();
    let provider = ctx.client_provider.clone();
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| {
            ConfigError::new(
                file,
                Some("tls"),
                format!("{e} (check net.client.tls.ciphers.allowed-suites)"),
            )
        })?;
    let builder = if opts.validate_certificate {
        let mut roots = (*ctx.system_roots()).clone();
        let extra = certs::roots(&cfg.certificates, &opts.ca_certificates)?;
        roots.roots.extend(extra.roots);
        roots.roots.extend(super::local_ca::roots(&cfg.local_cas).roots);
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoServerVerification(provider.clone())))
    };
    let mut cc = match &opts.client_certificate {
        Some(id) => {
            let key = certs::certified_key(certs::find(&cfg.certificates, id)?, &provider)?;
            builder.with_client_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(key)))
        }
        None => builder.with_no_client_auth(),
    };
    cc.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cc))
}

/// The control thread's TLS to the management plane: system roots and the
/// local CA directory (`certificates.local.ca.enabled`, as read now), or no
/// verification with `config.service.endpoint.disableCertificateValidation`.
pub fn mgmt_client_config(skip_verify: bool) -> Arc<ClientConfig> {
    let opts = BackendTls {
        validate_certificate: !skip_verify,
        ..BackendTls::default()
    };
    let mut cfg = Config::default();
    if let Some(dir) = super::local_ca::dir() {
        // Checked at start-up; if a file broke since, the directory is
        // left out of this connection's trust (the next configuration load
        // reports the file too).
        cfg.local_cas = super::local_ca::read(dir).unwrap_or_else(|e| {
            tracing::warn!(error = %e, "mounted CA certificates left out of the management-plane connection's trust");
            Vec::new()
        });
    }
    match client_config(&cfg, &opts, "config.service.endpoint") {
        Ok(c) => c,
        Err(e) => {
            // Only a suite list without TLS 1.2/1.3 suites can get here,
            // which settings validation already refuses.
            tracing::error!(error = %e, "management-plane TLS configuration");
            Arc::new(
                ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
                    .with_safe_default_protocol_versions()
                    .map(|b| {
                        b.with_root_certificates(rustls::RootCertStore::empty())
                            .with_no_client_auth()
                    })
                    .unwrap_or_else(|_| unreachable!("the default provider supports the default versions")),
            )
        }
    }
}

/// The SNI / verified name of a backend host.
pub fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    ServerName::try_from(host.to_owned()).map_err(|e| format!("{host:?}: {e}"))
}

/// Runs the client handshake on a fresh backend connection.
pub async fn connect(stream: TcpStream, c: &BackendConnector) -> std::io::Result<(TlsRead, TlsWrite)> {
    let conn = rustls::ClientConnection::new(c.config.clone(), c.server_name.clone())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    let (r, w) = stream.into_split();
    handshake(r, w, rustls::Connection::Client(conn)).await
}

/// Compiles the backend TLS of a configuration once per distinct backend
/// options (APIs sharing a backend share its `ClientConfig`).
#[derive(Default)]
pub struct BackendTlsCache {
    by_backend: std::collections::HashMap<Option<String>, Arc<ClientConfig>>,
    /// (backend, store certificate) → the backend's config presenting it.
    with_cert: std::collections::HashMap<(Option<String>, usize), Arc<ClientConfig>>,
}

/// Client-side TLS sessions cached per certificate variant.
const VARIANT_SESSIONS: usize = 64;

impl BackendTlsCache {
    /// The connector for an `https://host:port` service URL, and the id of
    /// the backend whose TLS options apply (the backend whose `url` has the
    /// same scheme, host and port), which keys the pool separately.
    pub fn connector(
        &mut self,
        cfg: &Config,
        host: &str,
        port: u16,
        file: &str,
    ) -> Result<(BackendConnector, Option<String>), ConfigError> {
        let backend = cfg.backends.iter().find(|b| {
            matches!(crate::config::ServiceUrl::parse(&b.url),
                Ok(crate::config::ServiceUrl::Http { tls: true, host: h, port: p, .. }) if h == host && p == port)
        });
        let key = backend.map(|b| b.id.clone());
        let config = match self.by_backend.get(&key) {
            Some(c) => c.clone(),
            None => {
                let (opts, from) = match backend {
                    Some(b) => (b.tls.clone(), format!("backends/{}.toml", b.id)),
                    None => (BackendTls::default_validating(), file.to_owned()),
                };
                if !opts.validate_certificate {
                    tracing::warn!(
                        backend = key.as_deref().unwrap_or(""),
                        host,
                        "TLS certificate validation is OFF for this backend (validate-certificate = false): \
                         for testing only, never in production"
                    );
                }
                let c = client_config(cfg, &opts, &from)?;
                self.by_backend.insert(key.clone(), c.clone());
                c
            }
        };
        let server_name = server_name(host).map_err(|m| ConfigError::new(file, Some("service-url"), m))?;
        let validates = backend.is_none_or(|b| b.tls.validate_certificate);
        Ok((
            BackendConnector {
                config,
                server_name,
                validates,
                backend: key.clone(),
                client_certs: Vec::new(),
            },
            key,
        ))
    }

    /// Adds to `c` one variant per store certificate in `certs`, presenting
    /// it (replacing any `client-certificate` of the backend). Each variant
    /// has its own session cache, so a connection never resumes a session
    /// established with another certificate (or with none), and its own
    /// pool key.
    pub fn add_cert_variants(
        &mut self,
        cfg: &Config,
        store: &super::store::CertStore,
        certs: &[usize],
        c: &mut BackendConnector,
        pool_key: &str,
    ) -> Result<(), ConfigError> {
        for &i in certs {
            let base = self
                .by_backend
                .get(&c.backend)
                .cloned()
                .unwrap_or_else(|| c.config.clone());
            let config = match self.with_cert.get(&(c.backend.clone(), i)) {
                Some(v) => v.clone(),
                None => {
                    let key = store.key(cfg, i)?;
                    let mut v = (*base).clone();
                    v.client_auth_cert_resolver = Arc::new(rustls::sign::SingleCertAndKey::from(key));
                    v.resumption = rustls::client::Resumption::in_memory_sessions(VARIANT_SESSIONS);
                    let v = Arc::new(v);
                    self.with_cert.insert((c.backend.clone(), i), v.clone());
                    v
                }
            };
            c.client_certs.push(CertVariant {
                cert: i,
                connector: BackendConnector {
                    config,
                    server_name: c.server_name.clone(),
                    validates: c.validates,
                    backend: c.backend.clone(),
                    client_certs: Vec::new(),
                },
                pool_key: format!("{pool_key}#cert={}", store.get(i).thumbprint),
            });
        }
        Ok(())
    }
}
