//! HTTPS for the management plane (`outpost control-plane --tls-cert F
//! --tls-key F`): a TLS front on the public address that relays each
//! decrypted connection to the REST server listening on a loopback-only
//! ephemeral port (which applies its limits and timeouts to the relayed
//! connection; when it closes, the TLS connection closes). Blocking I/O, two threads per connection (the management
//! plane serves a handful of gateways and administrators, not the data path).
//!
//! Invariants: the rustls session is shared by a connection's two relay
//! threads behind a `Mutex` that is never held across socket I/O; when the
//! REST server closes, the client connection is closed, and when the client
//! connection fails, the REST connection is closed at once (it never waits
//! for the REST server's idle timeout holding one of its bounded slots).

use rustls::{ServerConfig, ServerConnection};
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

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
pub fn spawn(public: TcpListener, inner: SocketAddr, config: Arc<ServerConfig>) -> std::io::Result<()> {
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
                let config = config.clone();
                let _ = std::thread::Builder::new().spawn(move || {
                    if let Err(e) = relay(stream, inner, config) {
                        tracing::debug!(error = %e, "management-plane TLS connection ended");
                    }
                });
            }
        })?;
    Ok(())
}

fn relay(mut tcp: TcpStream, inner: SocketAddr, config: Arc<ServerConfig>) -> std::io::Result<()> {
    tcp.set_read_timeout(Some(std::time::Duration::from_secs(30)))?;
    let mut conn = ServerConnection::new(config).map_err(std::io::Error::other)?;
    while conn.is_handshaking() {
        conn.complete_io(&mut tcp)?;
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// A throw-away self-signed certificate and key (PEM), made by `openssl`.
    fn cert_and_key() -> (String, String) {
        let dir = std::env::temp_dir().join(format!("outpost-tls-front-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
        let out = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
            ])
            .args(["-subj", "/CN=localhost", "-days", "1", "-keyout"])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .output()
            .expect("run openssl (test.sh installs it)");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let pems = (
            std::fs::read_to_string(&cert).unwrap(),
            std::fs::read_to_string(&key).unwrap(),
        );
        std::fs::remove_dir_all(&dir).unwrap();
        pems
    }

    #[test]
    fn a_client_tls_error_closes_the_rest_connection_at_once() {
        let (cert, key) = cert_and_key();
        let config = server_config(&cert, &key).unwrap();
        let inner = TcpListener::bind("127.0.0.1:0").unwrap();
        let public = TcpListener::bind("127.0.0.1:0").unwrap();
        let public_addr = public.local_addr().unwrap();
        spawn(public, inner.local_addr().unwrap(), config).unwrap();

        // A client completes the handshake and sends a request's first bytes.
        let mut tcp = TcpStream::connect(public_addr).unwrap();
        let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
        let mut client = rustls::ClientConnection::new(crate::tls::client::mgmt_client_config(true), name).unwrap();
        client.writer().write_all(b"GET").unwrap();
        while client.is_handshaking() || client.wants_write() {
            client.complete_io(&mut tcp).unwrap();
        }
        let (mut rest, _) = inner.accept().unwrap();
        // A bound on a hang only: the EOF below comes at once with the fix.
        rest.set_read_timeout(Some(std::time::Duration::from_secs(60))).unwrap();
        let mut got = [0u8; 3];
        rest.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"GET");

        // Then a record that does not decrypt: the front refuses the
        // connection, and the REST server sees its connection end while the
        // client's TCP connection is still open.
        let mut bad = vec![0x17, 0x03, 0x03, 0x00, 0x20];
        bad.extend([0u8; 32]);
        tcp.write_all(&bad).unwrap();
        let mut rest_buf = [0u8; 64];
        let n = rest
            .read(&mut rest_buf)
            .expect("the REST connection is closed, not left waiting");
        assert_eq!(n, 0, "EOF on the REST connection");
        drop(tcp);
    }
}
