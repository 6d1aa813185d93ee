//! A real HTTP/1.1 backend on 127.0.0.1 (thread per connection, keep-alive)
//! that records what reaches it. The behaviour is chosen by the first path
//! segment after the `/base` prefix the gateway adds:
//!
//! - `echo` (and anything unknown): 200 with the request body sent back, in
//!   the request's framing (chunked stays chunked), after the whole body was
//!   received (spooled to a file above 1 MiB, so memory stays flat);
//! - `duplex`: 200 with the same Content-Length, each received piece written
//!   back at once (full-duplex streaming);
//! - `fixed`: 200 `hello world`; `status/NNN`: that status (204/304 bodiless);
//! - `redirect/NNN`: that status with `Location:` the request's
//!   `X-Redirect-To` header (default `/base/echo`) and body `redirect!`;
//! - `chunked`: a chunked response with an extension and a trailer;
//! - `slow`: answers once the test calls [`Backend::release`];
//! - `hang`: never answers (waits for the gateway to close);
//! - `close`: closes without a response;
//! - `early`: 200 `early` as soon as the head arrived, before reading the
//!   body (which is read and discarded afterwards; keep-alive goes on);
//! - `early-close`: 200 `early` with `Connection: close` as soon as the head
//!   arrived, then closes with the body unread (the kernel resets the
//!   connection) once the response was acknowledged — a reset drops what
//!   the closing side had not sent yet, which no gateway could recover;
//! - `upgrade`: 101 then echoes raw bytes; `ws`: 101 then echoes WebSocket
//!   frames (masked from the client, unmasked back).
//!
//! Responses carry `X-Backend` (the backend's name), `X-Request-Target`,
//! `X-Body-Len` and `X-Body-Fnv` (checksum of the request body).

use super::wire::{Fnv, Framing, Headers, Wire};
use std::fs::File;
use std::io::{self, Read, Seek, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// A request as the backend saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Headers,
    pub body_len: u64,
    pub body_fnv: u64,
    /// The whole body arrived.
    pub complete: bool,
}

#[derive(Default)]
struct State {
    name: String,
    requests: Mutex<Vec<Recorded>>,
    changed: Condvar,
    connections: AtomicUsize,
    released: Mutex<bool>,
    release_cv: Condvar,
    stop: AtomicBool,
}

pub struct Backend {
    addr: SocketAddr,
    state: Arc<State>,
}

impl Backend {
    pub fn start(name: &str) -> Backend {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind backend");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            name: name.to_string(),
            ..State::default()
        });
        let st = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                st.connections.fetch_add(1, Ordering::SeqCst);
                let st = st.clone();
                std::thread::spawn(move || {
                    let _ = serve(conn, &st);
                });
            }
        });
        Backend { addr, state }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT/base`, for `service-url`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/base", self.port())
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Every request head received so far (bodies may be incomplete).
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn request_count(&self) -> usize {
        self.state.requests.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Waits until `pred` holds for the recorded requests (bounded).
    pub fn wait_until(&self, what: &str, timeout: Duration, pred: impl Fn(&[Recorded]) -> bool) -> Vec<Recorded> {
        let deadline = Instant::now() + timeout;
        let mut reqs = self.state.requests.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if pred(&reqs) {
                return reqs.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "backend {}: timed out waiting for {what}; requests: {:#?}",
                self.state.name,
                *reqs
            );
            reqs = self.state.changed.wait_timeout(reqs, left).unwrap().0;
        }
    }

    /// Lets every `slow` request (held or future) answer.
    pub fn release(&self) {
        *self.state.released.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.state.release_cv.notify_all();
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.state.stop.store(true, Ordering::SeqCst);
        self.release();
        let _ = TcpStream::connect(self.addr);
    }
}

fn record(st: &State, r: Recorded) -> usize {
    let mut reqs = st.requests.lock().unwrap_or_else(|e| e.into_inner());
    reqs.push(r);
    st.changed.notify_all();
    reqs.len() - 1
}

fn finish(st: &State, idx: usize, len: u64, fnv: u64) {
    let mut reqs = st.requests.lock().unwrap_or_else(|e| e.into_inner());
    reqs[idx].body_len = len;
    reqs[idx].body_fnv = fnv;
    reqs[idx].complete = true;
    st.changed.notify_all();
}

fn read_head(w: &mut Wire<TcpStream>) -> io::Result<Option<(String, String, u8, Headers)>> {
    loop {
        let mut hs = [httparse::EMPTY_HEADER; 128];
        let mut r = httparse::Request::new(&mut hs);
        match r.parse(w.data()) {
            Ok(httparse::Status::Complete(n)) => {
                let out = (
                    r.method.unwrap_or("").to_string(),
                    r.path.unwrap_or("").to_string(),
                    r.version.unwrap_or(1),
                    Headers::from_httparse(r.headers),
                );
                w.consume(n);
                return Ok(Some(out));
            }
            Ok(httparse::Status::Partial) => {}
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e.to_string())),
        }
        if w.fill()? == 0 {
            return Ok(None);
        }
    }
}

/// Body bytes kept until the response: in memory, or in a file above 1 MiB.
enum Spool {
    Mem(Vec<u8>),
    File(File, PathBuf),
}

impl Spool {
    fn push(&mut self, b: &[u8]) {
        match self {
            Spool::Mem(v) if v.len() + b.len() <= 1 << 20 => v.extend_from_slice(b),
            Spool::Mem(v) => {
                static NEXT: AtomicUsize = AtomicUsize::new(0);
                let n = NEXT.fetch_add(1, Ordering::SeqCst);
                let path = std::env::temp_dir().join(format!("outpost-e2e-spool-{}-{n}", std::process::id()));
                let mut f = File::options()
                    .read(true)
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .open(&path)
                    .unwrap();
                f.write_all(v).unwrap();
                f.write_all(b).unwrap();
                *self = Spool::File(f, path);
            }
            Spool::File(f, _) => f.write_all(b).unwrap(),
        }
    }

    /// Calls `out` with the spooled bytes in pieces of at most 64 KiB.
    fn replay(&mut self, out: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        match self {
            Spool::Mem(v) => v.chunks(64 * 1024).try_for_each(out),
            Spool::File(f, _) => {
                f.rewind()?;
                let mut buf = vec![0; 64 * 1024];
                loop {
                    let n = f.read(&mut buf)?;
                    if n == 0 {
                        return Ok(());
                    }
                    out(&buf[..n])?;
                }
            }
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Spool::File(_, p) = self {
            let _ = std::fs::remove_file(p);
        }
    }
}

fn serve(stream: TcpStream, st: &State) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut out = stream.try_clone()?;
    let mut w = Wire::new(stream);
    while let Some((method, target, version, headers)) = read_head(&mut w)? {
        let framing = headers.request_framing();
        let idx = record(
            st,
            Recorded {
                method: method.clone(),
                target: target.clone(),
                headers: headers.clone(),
                body_len: 0,
                body_fnv: 0,
                complete: false,
            },
        );
        let path = target.split('?').next().unwrap_or("");
        let rest = path.strip_prefix("/base").unwrap_or(path);
        let mut segs = rest.trim_start_matches('/').split('/');
        let action = segs.next().unwrap_or("");
        let keep = version == 1 && !headers.has_token("connection", "close");
        let common = format!("X-Backend: {}\r\nX-Request-Target: {}\r\n", st.name, target);
        let head_req = method == "HEAD";

        if action == "duplex" {
            let Framing::Length(n) = framing else { return Ok(()) };
            write!(out, "HTTP/1.1 200 OK\r\n{common}Content-Length: {n}\r\n\r\n")?;
            let mut fnv = Fnv::default();
            let mut res = Ok(());
            w.read_exact_to(n, &mut |b| {
                fnv.update(b);
                if res.is_ok() {
                    res = out.write_all(b);
                }
            })?;
            res?;
            finish(st, idx, n, fnv.0);
            continue;
        }

        if action == "early" || action == "early-close" {
            let close = action == "early-close" || !keep;
            let conn_hdr = if close { "Connection: close\r\n" } else { "" };
            write!(
                out,
                "HTTP/1.1 200 OK\r\n{common}{conn_hdr}Content-Length: 5\r\n\r\nearly"
            )?;
            if action == "early-close" {
                wait_acked(&out);
                return Ok(());
            }
            let mut fnv = Fnv::default();
            let len = w.read_body(framing, &mut |b| fnv.update(b))?;
            finish(st, idx, len, fnv.0);
            if close {
                return Ok(());
            }
            continue;
        }

        // Every other behaviour reads the whole request body first.
        let mut spool = Spool::Mem(Vec::new());
        let mut fnv = Fnv::default();
        let len = w.read_body(framing, &mut |b| {
            fnv.update(b);
            if action != "close" {
                spool.push(b);
            }
        })?;
        finish(st, idx, len, fnv.0);
        let common = format!("{common}X-Body-Len: {len}\r\nX-Body-Fnv: {:016x}\r\n", fnv.0);
        let conn_hdr = if keep { "" } else { "Connection: close\r\n" };

        match action {
            "close" => return Ok(()),
            "hang" => {
                let _ = w.read_to_close(&mut |_| {});
                return Ok(());
            }
            "slow" => {
                let deadline = Instant::now() + Duration::from_secs(60);
                let mut released = st.released.lock().unwrap_or_else(|e| e.into_inner());
                while !*released && Instant::now() < deadline {
                    released = st.release_cv.wait_timeout(released, Duration::from_secs(1)).unwrap().0;
                }
                drop(released);
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\n{common}{conn_hdr}Content-Length: 8\r\n\r\nreleased"
                )?;
            }
            "fixed" => {
                write!(out, "HTTP/1.1 200 OK\r\n{common}{conn_hdr}Content-Length: 11\r\n\r\n")?;
                if !head_req {
                    out.write_all(b"hello world")?;
                }
            }
            "status" => {
                let code: u16 = segs.next().and_then(|s| s.parse().ok()).unwrap_or(500);
                match code {
                    204 => write!(out, "HTTP/1.1 204 No Content\r\n{common}{conn_hdr}\r\n")?,
                    // A 304 may announce the selected representation's length.
                    304 => write!(
                        out,
                        "HTTP/1.1 304 Not Modified\r\n{common}{conn_hdr}ETag: \"v1\"\r\nContent-Length: 11\r\n\r\n"
                    )?,
                    c => write!(
                        out,
                        "HTTP/1.1 {c} Status\r\n{common}{conn_hdr}Content-Length: 0\r\n\r\n"
                    )?,
                }
            }
            "redirect" => {
                let code: u16 = segs.next().and_then(|s| s.parse().ok()).unwrap_or(302);
                let to = headers.get("X-Redirect-To").unwrap_or_else(|| "/base/echo".into());
                write!(
                    out,
                    "HTTP/1.1 {code} Redirect\r\n{common}{conn_hdr}Location: {to}\r\nContent-Length: 9\r\n\r\n"
                )?;
                if !head_req {
                    out.write_all(b"redirect!")?;
                }
            }
            "chunked" => {
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\n{common}{conn_hdr}Transfer-Encoding: chunked\r\n\r\n"
                )?;
                if !head_req {
                    out.write_all(b"6\r\nhello \r\n8;ext=1\r\nchunked \r\n5\r\nworld\r\n0\r\nX-Trailer: t\r\n\r\n")?;
                }
            }
            "upgrade" | "ws" => {
                write!(
                    out,
                    "HTTP/1.1 101 Switching Protocols\r\n{common}Upgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
                )?;
                if action == "upgrade" {
                    w.read_to_close(&mut |b| {
                        let _ = out.write_all(b);
                    })?;
                } else {
                    ws_echo(&mut w, &mut out)?;
                }
                return Ok(());
            }
            _ => {
                let te = framing == Framing::Chunked;
                let framing_hdr = if te {
                    "Transfer-Encoding: chunked\r\n".to_string()
                } else {
                    format!("Content-Length: {len}\r\n")
                };
                write!(out, "HTTP/1.1 200 OK\r\n{common}{conn_hdr}{framing_hdr}\r\n")?;
                if !head_req {
                    spool.replay(&mut |b| {
                        if te {
                            write!(out, "{:x}\r\n", b.len())?;
                            out.write_all(b)?;
                            out.write_all(b"\r\n")
                        } else {
                            out.write_all(b)
                        }
                    })?;
                    if te {
                        out.write_all(b"0\r\n\r\n")?;
                    }
                }
            }
        }
        if !keep {
            return Ok(());
        }
    }
    Ok(())
}

/// Waits (bounded) until everything written on `s` was acknowledged by the
/// peer's kernel (`SIOCOUTQ` is 0), so a reset sent next cannot drop it.
fn wait_acked(s: &TcpStream) {
    use std::os::fd::AsRawFd;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut unacked: libc::c_int = 0;
        // SAFETY: TIOCOUTQ (SIOCOUTQ on a TCP socket) writes one c_int
        // through the pointer, which points to a live local of that type;
        // the fd is owned by `s` and open for the whole call.
        let rc = unsafe { libc::ioctl(s.as_raw_fd(), libc::TIOCOUTQ, &mut unacked) };
        if rc != 0 || unacked == 0 || Instant::now() >= deadline {
            return;
        }
        std::thread::yield_now();
    }
}

/// Echoes WebSocket frames until a close frame (which is echoed too).
fn ws_echo(w: &mut Wire<TcpStream>, out: &mut TcpStream) -> io::Result<()> {
    loop {
        let mut hdr = Vec::new();
        w.read_exact_to(2, &mut |b| hdr.extend_from_slice(b))?;
        let opcode = hdr[0] & 0x0f;
        let masked = hdr[1] & 0x80 != 0;
        let mut len = u64::from(hdr[1] & 0x7f);
        if len >= 126 {
            let mut ext = Vec::new();
            w.read_exact_to(if len == 126 { 2 } else { 8 }, &mut |b| ext.extend_from_slice(b))?;
            len = ext.iter().fold(0, |acc, &b| (acc << 8) | u64::from(b));
        }
        let mut mask = Vec::new();
        if masked {
            w.read_exact_to(4, &mut |b| mask.extend_from_slice(b))?;
        }
        let mut payload = Vec::new();
        w.read_exact_to(len, &mut |b| payload.extend_from_slice(b))?;
        if masked {
            for (i, b) in payload.iter_mut().enumerate() {
                *b ^= mask[i % 4];
            }
        }
        out.write_all(&ws_frame(opcode, &payload, None))?;
        if opcode == 8 {
            return Ok(());
        }
    }
}

/// One final WebSocket frame, masked when `mask` is given.
pub fn ws_frame(opcode: u8, payload: &[u8], mask: Option<[u8; 4]>) -> Vec<u8> {
    let mut f = vec![0x80 | opcode];
    let m = if mask.is_some() { 0x80 } else { 0 };
    match payload.len() {
        n if n < 126 => f.push(m | n as u8),
        n if n <= 0xffff => {
            f.push(m | 126);
            f.extend_from_slice(&(n as u16).to_be_bytes());
        }
        n => {
            f.push(m | 127);
            f.extend_from_slice(&(n as u64).to_be_bytes());
        }
    }
    match mask {
        Some(k) => {
            f.extend_from_slice(&k);
            f.extend(payload.iter().enumerate().map(|(i, b)| b ^ k[i % 4]));
        }
        None => f.extend_from_slice(payload),
    }
    f
}
