//! TLS: termination of client connections (HTTPS listener, certificates per
//! host name by SNI, client certificates, session resumption), TLS to
//! backends, and the process-wide TLS context.
//!
//! The crypto provider is chosen explicitly: rustls' `ring` provider, with
//! the cipher suites allowed by `net.server.tls.ciphers.allowed-suites`
//! (client → gateway) and `net.client.tls.ciphers.allowed-suites`
//! (gateway → backend).
//!
//! Shared across threads (a deliberate exception to "nothing shared", see
//! docs/architecture.md): the session-ticket key rotator and the TLS 1.2
//! session-ID cache, so a client's next connection resumes on whichever
//! worker the kernel hands it to, and across configuration reloads. Both
//! are touched only during handshakes, never per request. The compiled
//! per-host-name `ServerConfig`s are immutable and shared by `Arc`.

pub mod certs;
pub mod client;
pub mod dn;
pub mod info;
pub mod local_ca;
pub mod pkcs12;
pub mod server;
pub mod store;
pub mod stream;
pub mod suites;
pub mod verify;

use rustls::crypto::CryptoProvider;
use rustls::server::{ProducesTickets, StoresServerSessions};
use std::sync::{Arc, OnceLock};

/// Entries of the shared TLS 1.2 session-ID cache (about 300 bytes each).
const SESSION_CACHE_ENTRIES: usize = 20_000;

/// Process-wide TLS state; built once from the settings.
pub struct TlsContext {
    pub server_provider: Arc<CryptoProvider>,
    pub client_provider: Arc<CryptoProvider>,
    /// Session-ticket keys, rotated (rustls' `Ticketer`: a new key every
    /// 6 hours, the previous one still accepted).
    pub ticketer: Arc<dyn ProducesTickets>,
    /// Server-side session-ID cache (TLS 1.2 ids, TLS 1.3 when tickets are off).
    pub sessions: Arc<dyn StoresServerSessions>,
    system_roots: OnceLock<Arc<rustls::RootCertStore>>,
}

static CONTEXT: OnceLock<TlsContext> = OnceLock::new();

fn provider(suites: Vec<rustls::SupportedCipherSuite>) -> Arc<CryptoProvider> {
    Arc::new(CryptoProvider {
        cipher_suites: suites,
        ..rustls::crypto::ring::default_provider()
    })
}

impl TlsContext {
    fn new(server: Option<&str>, client: Option<&str>) -> Result<TlsContext, String> {
        let server = suites::select(server).map_err(|e| format!("net.server.tls.ciphers.allowed-suites: {e}"))?;
        let client = suites::select(client).map_err(|e| format!("net.client.tls.ciphers.allowed-suites: {e}"))?;
        let ticketer = rustls::crypto::ring::Ticketer::new().map_err(|e| format!("session tickets: {e}"))?;
        Ok(TlsContext {
            server_provider: provider(server.suites),
            client_provider: provider(client.suites),
            ticketer,
            sessions: rustls::server::ServerSessionMemoryCache::new(SESSION_CACHE_ENTRIES),
            system_roots: OnceLock::new(),
        })
    }

    /// The system's trusted roots (loaded on first use; unreadable ones are
    /// skipped).
    pub fn system_roots(&self) -> Arc<rustls::RootCertStore> {
        self.system_roots
            .get_or_init(|| {
                let mut store = rustls::RootCertStore::empty();
                let found = rustls_native_certs::load_native_certs();
                for e in &found.errors {
                    tracing::warn!(error = %e, "reading system CA certificates");
                }
                let (added, _) = store.add_parsable_certificates(found.certs);
                tracing::debug!(roots = added, "system CA certificates loaded");
                Arc::new(store)
            })
            .clone()
    }
}

/// Builds the process-wide context from the suite settings. Returns the
/// names of suites that were listed but are not implemented (to be
/// reported once). Calling it again after success changes nothing.
pub fn init(server_suites: Option<&str>, client_suites: Option<&str>) -> Result<Vec<String>, String> {
    let mut ignored = Vec::new();
    for (key, list) in [
        ("net.server.tls.ciphers.allowed-suites", server_suites),
        ("net.client.tls.ciphers.allowed-suites", client_suites),
    ] {
        let s = suites::select(list).map_err(|e| format!("{key}: {e}"))?;
        ignored.extend(s.ignored.into_iter().map(|n| format!("{key}: {n}")));
    }
    let ctx = TlsContext::new(server_suites, client_suites)?;
    let _ = CONTEXT.set(ctx);
    Ok(ignored)
}

/// The process-wide context (all implemented suites when [`init`] was not called).
pub fn context() -> &'static TlsContext {
    CONTEXT.get_or_init(|| TlsContext::new(None, None).unwrap_or_else(|e| panic!("default TLS context: {e}")))
}
