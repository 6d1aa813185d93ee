//! HTTPS for the management plane (`outpost control-plane --tls-cert F
//! --tls-key F`): a TLS front on the public address that relays each
//! decrypted connection to the REST server listening on a loopback-only
//! ephemeral port (which applies its limits and timeouts to the relayed
//! connection; when it closes, the TLS connection closes). Blocking I/O, two threads per connection (the management
//! plane serves a handful of gateways and administrators, not the data path).
//!
//! Invariants: at most [`FrontLimits::max_connections`] client connections
//! are open at once (over it, a new one is closed at once: without TLS it
//! cannot be answered); a handshake gets [`FrontLimits::handshake`] in
//! total, however slowly its bytes trickle; the rustls session is shared by a connection's two relay
//! threads behind a `Mutex` that is never held across socket I/O; when the
//! REST server closes, the client connection is closed, and when the client
//! connection fails, the REST connection is closed at once (it never waits
//! for the REST server's idle timeout holding one of its bounded slots).

use rustls::{ServerConfig, ServerConnection};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bounds of the TLS front.
#[derive(Clone, Copy, Debug)]
pub struct FrontLimits {
    /// Client connections open at once (each holds two threads).
    pub max_connections: usize,
    /// Time a client has to complete its handshake.
    pub handshake: Duration,
}

impl Default for FrontLimits {
    /// As many connections as the REST server behind admits; the REST
    /// server's head timeout for the handshake.
    fn default() -> Self {
        FrontLimits {
            max_connections: 512,
            handshake: Duration::from_secs(10),
        }
    }
}

/// One open client connection; gives its slot back when dropped.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>, max: usize) -> Option<Slot> {
        if open.fetch_add(1, Ordering::SeqCst) >= max {
            open.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(Slot(open.clone()))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Loads the PEM certificate chain and key into a server configuration
/// (the gateway's crypto provider and suites).
pub fn server_config(cert_pem: &str, key_pem: &str) -> Result<Arc<ServerConfig>, String> {
    let cert = crate::config::Certificate {
        id: "control-plane".into(),
        pem: format!("{cert_pem}\n{key_pem}"),
    };
    let provider = crate::tls::context().server_provider.clone();
    let key = crate::tls::certs::certified_key(&cert, &provider).map_err(|e| e.message)?;
    let mut sc = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(key)));
    sc.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(sc))
}

/// Accepts TLS connections on `public` and relays them to `inner`.
pub fn spawn(
    public: TcpListener,
    inner: SocketAddr,
    config: Arc<ServerConfig>,
    limits: FrontLimits,
) -> std::io::Result<()> {
    let open = Arc::new(AtomicUsize::new(0));
    std::thread::Builder::new()
        .name("outpost-mgmt-tls".into())
        .spawn(move || {
            for stream in public.incoming() {
                let stream = match stream {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::warn!(error = %e, "management plane: TLS accept failed");
                        // Out of descriptors or similar: do not spin on the
                        // error (as the REST server's accept loop does).
                        std::thread::sleep(std::time::Duration::from_millis(50));
                        continue;
                    }
                };
                let Some(slot) = Slot::take(&open, limits.max_connections) else {
                    tracing::warn!(
                        max = limits.max_connections,
                        "management plane: too many TLS connections; closing a new one"
                    );
                    continue;
                };
                let config = config.clone();
                let _ = std::thread::Builder::new().spawn(move || {
                    let _slot = slot;
                    if let Err(e) = relay(stream, inner, config, limits.handshake) {
                        tracing::debug!(error = %e, "management-plane TLS connection ended");
                    }
                });
            }
        })?;
    Ok(())
}

fn relay(mut tcp: TcpStream, inner: SocketAddr, config: Arc<ServerConfig>, handshake: Duration) -> std::io::Result<()> {
    let deadline = Instant::now() + handshake;
    let mut conn = ServerConnection::new(config).map_err(std::io::Error::other)?;
    // Not `complete_io`: it keeps reading until the handshake is done, so a
    // client trickling bytes would never meet the deadline between calls.
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "TLS handshake too slow",
            ));
        }
        tcp.set_write_timeout(Some(left))?;
        while conn.wants_write() {
            conn.write_tls(&mut tcp)?;
        }
        if !conn.is_handshaking() {
            break;
        }
        tcp.set_read_timeout(Some(left))?;
        if conn.read_tls(&mut tcp)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        if let Err(e) = conn.process_new_packets() {
            // Send the alert rustls queued, then give up.
            let _ = conn.write_tls(&mut tcp);
            return Err(std::io::Error::other(e));
        }
    }
    tcp.set_write_timeout(None)?;
    tcp.set_read_timeout(None)?;
    let mut backend = TcpStream::connect(inner)?;
    // A client may send its request with its last handshake flight: relay
    // what rustls already decrypted before waiting for more.
    let mut early = Vec::new();
    match conn.reader().read_to_end(&mut early) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
        Err(e) => return Err(e),
    }
    backend.write_all(&early)?;
    let session = Arc::new(Mutex::new(conn));
    let (mut tcp_w, mut backend_r) = (tcp.try_clone()?, backend.try_clone()?);
    let s = session.clone();
    // Server → client: encrypt what the REST server writes.
    let down = std::thread::spawn(move || -> std::io::Result<()> {
        let mut buf = vec![0u8; 16 * 1024];
        let mut out = Vec::new();
        loop {
            let n = backend_r.read(&mut buf)?;
            {
                let mut c = s.lock().unwrap_or_else(|e| e.into_inner());
                if n == 0 {
                    c.send_close_notify();
                } else {
                    c.writer().write_all(&buf[..n])?;
                }
                while c.wants_write() {
                    c.write_tls(&mut out)?;
                }
            }
            tcp_w.write_all(&out)?;
            out.clear();
            if n == 0 {
                // The REST server closed (idle timeout, `Connection: close`,
                // an error): end the client side too, which also ends the
                // other relay thread's read.
                let _ = tcp_w.shutdown(Shutdown::Both);
                return Ok(());
            }
        }
    });
    // Client → server: decrypt what the client sends.
    let up = client_to_server(&mut tcp, &mut backend, &session);
    if up.is_err() {
        // The client side failed (reset, bad TLS record): close both sides
        // now. Otherwise the REST connection (one of its bounded slots) and
        // the other relay thread would wait for the REST server's idle
        // timeout, and the client for a close that never comes.
        let _ = tcp.shutdown(Shutdown::Both);
        let _ = backend.shutdown(Shutdown::Both);
    } else {
        // The client finished sending; its responses still come back.
        let _ = backend.shutdown(Shutdown::Write);
    }
    let _ = down.join();
    up
}

/// Relays what the client sends, decrypted, to the REST server until the
/// client ends its side (`Ok`) or either side fails (`Err`).
fn client_to_server(
    tcp: &mut TcpStream,
    backend: &mut TcpStream,
    session: &Mutex<ServerConnection>,
) -> std::io::Result<()> {
    let mut buf = vec![0u8; 16 * 1024];
    let mut plain = Vec::new();
    loop {
        let n = tcp.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        {
            let mut c = session.lock().unwrap_or_else(|e| e.into_inner());
            let mut slice = &buf[..n];
            while !slice.is_empty() {
                c.read_tls(&mut slice)?;
                let state = c.process_new_packets().map_err(std::io::Error::other)?;
                if state.plaintext_bytes_to_read() > 0 {
                    let start = plain.len();
                    plain.resize(start + state.plaintext_bytes_to_read(), 0);
                    c.reader().read_exact(&mut plain[start..])?;
                }
                if state.peer_has_closed() {
                    break;
                }
            }
        }
        backend.write_all(&plain)?;
        plain.clear();
    }
}
