//! Tests of the management plane's TLS front over loopback sockets:
//! closing both sides on a client error, the handshake deadline, the
//! connection cap.

use super::tls_front::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A throw-away self-signed certificate and key (PEM), made by `openssl`.
fn cert_and_key() -> (String, String) {
    static N: AtomicUsize = AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("outpost-tls-front-{}-{n}", std::process::id()));
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
    spawn(public, inner.local_addr().unwrap(), config, FrontLimits::default()).unwrap();

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

/// Reads until the peer closes (`Ok(0)`) or fails; `true` when it closed.
fn closed_by_peer(tcp: &mut TcpStream) -> bool {
    // A bound on a hang only.
    tcp.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut buf = [0u8; 1024];
    loop {
        match tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return e.kind() == std::io::ErrorKind::ConnectionReset,
        }
    }
}

fn front(limits: FrontLimits) -> SocketAddr {
    let (cert, key) = cert_and_key();
    let config = server_config(&cert, &key).unwrap();
    let inner = TcpListener::bind("127.0.0.1:0").unwrap();
    let public = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = public.local_addr().unwrap();
    spawn(public, inner.local_addr().unwrap(), config, limits).unwrap();
    // The REST side is never reached in these tests.
    std::mem::forget(inner);
    addr
}

#[test]
fn a_handshake_that_trickles_is_cut_at_its_deadline() {
    let addr = front(FrontLimits {
        max_connections: 8,
        handshake: Duration::from_millis(300),
    });
    // A handshake record announcing 16 KiB, then one byte every 20 ms:
    // each read gets data in time, so only a total deadline ends it.
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.write_all(&[0x16, 0x03, 0x01, 0x40, 0x00]).unwrap();
    let cut = (0..1000).any(|_| {
        std::thread::sleep(Duration::from_millis(20));
        tcp.write_all(&[0]).is_err()
    });
    assert!(cut, "the front kept a trickling handshake open past its deadline");
}

#[test]
fn connections_over_the_cap_are_closed_and_slots_come_back() {
    let addr = front(FrontLimits {
        max_connections: 1,
        handshake: Duration::from_secs(600),
    });
    // The first connection holds the only slot (its handshake waits).
    let mut first = TcpStream::connect(addr).unwrap();
    first.write_all(&[0x16]).unwrap();
    // The accept thread handles connections in order: the second is
    // refused while the first is open.
    let mut second = TcpStream::connect(addr).unwrap();
    assert!(closed_by_peer(&mut second), "over the cap: closed at once");
    // When the first ends (the client goes away), its slot comes back:
    // a later connection completes its handshake.
    drop(first);
    let mut third = TcpStream::connect(addr).unwrap();
    let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
    let mut client = rustls::ClientConnection::new(crate::tls::client::mgmt_client_config(true), name).unwrap();
    third.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut attempts = 0;
    loop {
        match client.complete_io(&mut third) {
            Ok(_) if !client.is_handshaking() => break,
            Ok(_) => {}
            // The first connection's slot may not be back yet when the
            // third is accepted: retry with a fresh connection.
            Err(e) => {
                attempts += 1;
                assert!(attempts < 1000, "the slot never came back: {e}");
                std::thread::yield_now();
                third = TcpStream::connect(addr).unwrap();
                third.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                let name = rustls_pki_types::ServerName::try_from("localhost").unwrap();
                client = rustls::ClientConnection::new(crate::tls::client::mgmt_client_config(true), name).unwrap();
            }
        }
    }
}
