//! Bodies of every size both ways, in both request framings, checked by
//! checksum; 64 MiB transfers must not grow the gateway's memory.

use crate::support::wire::fill_pattern;
use crate::support::*;
use std::io::Write;
use std::net::TcpStream;
use std::thread::JoinHandle;
use std::time::Duration;

/// Writes `len` pattern bytes, raw or as chunks of varying sizes.
fn write_pattern_body(mut w: TcpStream, len: u64, chunked_encoding: bool) -> std::io::Result<()> {
    let mut buf = vec![0u8; 64 * 1024];
    let mut off = 0u64;
    let mut k = 0usize;
    while off < len {
        // Varying piece sizes exercise chunk boundaries in the gateway.
        let piece = [65_536usize, 1, 4_093, 30_000][k % 4].min((len - off) as usize);
        k += 1;
        fill_pattern(off, &mut buf[..piece]);
        if chunked_encoding {
            w.write_all(format!("{piece:x}\r\n").as_bytes())?;
            w.write_all(&buf[..piece])?;
            w.write_all(b"\r\n")?;
        } else {
            w.write_all(&buf[..piece])?;
        }
        off += piece as u64;
    }
    if chunked_encoding {
        w.write_all(b"0\r\n\r\n")?;
    }
    Ok(())
}

/// Sends a POST head to `path`, then streams `len` pattern bytes from
/// another thread (raw or chunked). Returns the writer thread.
pub fn start_upload(c: &mut Conn, path: &str, len: u64, chunked_encoding: bool) -> JoinHandle<std::io::Result<()>> {
    let framing = if chunked_encoding {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {len}")
    };
    c.send(format!("POST {path} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n").as_bytes());
    let writer = c.writer();
    std::thread::spawn(move || write_pattern_body(writer, len, chunked_encoding))
}

/// Sends `len` bytes to `path` (streamed from another thread) and checks the
/// echoed response by length and checksum, and what the backend received.
fn round_trip(gw: &Gateway, backend: &Backend, path: &str, len: u64, chunked_encoding: bool) {
    let before = backend.request_count();
    let mut c = gw.connect();
    let sender = start_upload(&mut c, path, len, chunked_encoding);
    let mut fnv = Fnv::default();
    let mut got = 0u64;
    let r = c.read_response_streaming(false, &mut |b| {
        fnv.update(b);
        got += b.len() as u64;
    });
    let sent = sender.join().expect("body writer thread");
    let what = format!(
        "{path} {len} bytes {}",
        if chunked_encoding { "chunked" } else { "content-length" }
    );
    assert_eq!(r.status, 200, "{what}: {}", r.status_line());
    sent.unwrap_or_else(|e| panic!("{what}: writing the body failed: {e}"));
    let expected = pattern_fnv(len);
    assert_eq!(got, len, "{what}: response length");
    assert_eq!(fnv.0, expected, "{what}: response checksum");
    let reqs = backend.wait_until("the upload", Duration::from_secs(10), |r| {
        r.len() > before && r[before].complete
    });
    assert_eq!(reqs[before].body_len, len, "{what}: bytes received by the backend");
    assert_eq!(reqs[before].body_fnv, expected, "{what}: checksum at the backend");
    if chunked_encoding {
        assert!(
            reqs[before].headers.has_token("transfer-encoding", "chunked"),
            "{what}: re-chunked to the backend"
        );
        assert!(!reqs[before].headers.has("content-length"), "{what}");
    } else {
        assert_eq!(
            reqs[before].headers.get("content-length"),
            Some(len.to_string()),
            "{what}"
        );
    }
}

#[test]
fn small_and_medium_bodies_both_ways_both_framings() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    for len in [0u64, 1, 1024, 1 << 20] {
        for chunked_encoding in [false, true] {
            round_trip(&gw, &backend, "/api/echo/size", len, chunked_encoding);
        }
    }
}

#[test]
fn chunked_request_with_extensions_and_trailers_is_rechunked() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    let mut c = gw.connect();
    c.send(
        b"POST /api/echo/t HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
          5;name=value\r\nhello\r\n001\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: dropped\r\n\r\n",
    );
    let r = c.read_response();
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), "hello world");
    let reqs = backend.wait_until("the request", Duration::from_secs(10), |r| {
        !r.is_empty() && r[0].complete
    });
    assert_eq!(reqs[0].body_len, 11);
    let mut f = Fnv::default();
    f.update(b"hello world");
    assert_eq!(reqs[0].body_fnv, f.0, "payload intact");
    assert!(
        !reqs[0].headers.has("x-trailer"),
        "trailers are dropped, not turned into headers"
    );
}

/// 64 MiB up and back down, Content-Length then chunked, with the gateway's
/// peak RSS growing by less than 48 MiB over the whole transfer.
#[test]
fn body_64mib_streams_both_ways_with_flat_memory() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    // Warm up both workers' buffers and pools before measuring.
    for _ in 0..4 {
        round_trip(&gw, &backend, "/api/echo/warm", 256 * 1024, false);
    }
    let before = gw.peak_rss_kb();
    round_trip(&gw, &backend, "/api/echo/big", 64 << 20, false);
    round_trip(&gw, &backend, "/api/echo/big", 64 << 20, true);
    let after = gw.peak_rss_kb();
    assert!(
        after < before + 48 * 1024,
        "gateway peak RSS grew from {before} KiB to {after} KiB while streaming 64 MiB bodies (limit +48 MiB)"
    );
}

/// The backend answers while the upload is still arriving (full duplex):
/// the gateway must relay both directions at once instead of deadlocking.
#[test]
fn body_64mib_full_duplex_backend() {
    let backend = Backend::start("b");
    let gw = gateway_for(&backend);
    round_trip(&gw, &backend, "/api/duplex", 64 << 20, false);
}

/// The epoll fallback (what runs under Docker's default seccomp profile)
/// serves the same traffic: the start-up log says so, keep-alive and
/// pipelined requests work, and a streamed full-duplex body round-trips.
#[test]
fn epoll_driver_serves_streamed_bodies() {
    let backend = Backend::start("b");
    let gw = Gateway::builder()
        .proxy("test-api", "api", &backend.url())
        .env("OUTPOST_RUNTIME_DRIVER", "epoll")
        .start();
    let ready = gw.wait_for_line(|l| l.contains("outpost gateway ready"), Duration::from_secs(10));
    assert!(ready.contains("driver=\"epoll\""), "{ready}");
    let mut c = gw.connect();
    for i in 0..3 {
        let r = c.request("POST", "/api/echo", &[], format!("small-{i}").as_bytes());
        assert_eq!((r.status, r.body), (200, format!("small-{i}").into_bytes()));
    }
    round_trip(&gw, &backend, "/api/duplex", 4 << 20, false);
    round_trip(&gw, &backend, "/api/echo", 1 << 20, true);
}
