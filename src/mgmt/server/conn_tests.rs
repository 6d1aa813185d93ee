//! Tests of the management plane's transport over loopback sockets: the
//! connection handler with an echo handler and small limits.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{json, Value};

use super::conn::{serve_connection, serve_listener, Handler, Limits};
use super::{Req, Resp};

/// Bound on every client read: a hang fails the test instead of stalling it.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

fn limits() -> Limits {
    Limits {
        max_connections: 8,
        idle_timeout: Duration::from_secs(30),
        head_timeout: Duration::from_secs(30),
        io_timeout: Duration::from_secs(30),
        max_head: 1024,
        max_uri: 512,
        max_body: 64,
    }
}

fn echo() -> Arc<Handler> {
    Arc::new(|req: Req| {
        let v = json!({
            "method": req.method,
            "path": req.path,
            "query": req.query,
            "contentType": req.content_type,
            "body": String::from_utf8_lossy(&req.body),
        });
        Resp::json(200, &v).with_header("X-Echo", "1".into())
    })
}

/// A client connected to one `serve_connection` run on its own thread.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
    server: Option<JoinHandle<()>>,
}

/// A response as read by the client.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl Client {
    fn start(limits: Limits) -> Client {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (served, _) = listener.accept().unwrap();
        let handler = echo();
        let server = std::thread::spawn(move || serve_connection(served, &limits, &*handler));
        Client::over(stream, Some(server))
    }

    fn over(stream: TcpStream, server: Option<JoinHandle<()>>) -> Client {
        stream.set_read_timeout(Some(CLIENT_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            buf: Vec::new(),
            server,
        }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).unwrap();
    }

    fn fill(&mut self) -> usize {
        let mut chunk = [0u8; 4096];
        let n = self
            .stream
            .read(&mut chunk)
            .expect("the server answers or closes in time");
        self.buf.extend_from_slice(&chunk[..n]);
        n
    }

    /// Reads one response (for a HEAD request when `head`).
    fn answer(&mut self, head: bool) -> Answer {
        loop {
            let mut hs = [httparse::EMPTY_HEADER; 32];
            let mut r = httparse::Response::new(&mut hs);
            if let httparse::Status::Complete(n) = r.parse(&self.buf).unwrap() {
                let status = r.code.unwrap();
                let headers: Vec<(String, String)> = r
                    .headers
                    .iter()
                    .map(|h| (h.name.to_string(), String::from_utf8_lossy(h.value).into_owned()))
                    .collect();
                self.buf.drain(..n);
                let mut a = Answer {
                    status,
                    headers,
                    body: Vec::new(),
                };
                let len: usize = a.header("content-length").map_or(0, |v| v.parse().unwrap());
                let len = if head { 0 } else { len };
                while self.buf.len() < len {
                    assert!(self.fill() > 0, "the body is cut short");
                }
                a.body = self.buf.drain(..len).collect();
                return a;
            }
            assert!(self.fill() > 0, "closed before a response");
        }
    }

    /// Asserts the server closes the connection with nothing more to say.
    fn assert_closed(&mut self) {
        assert_eq!(self.fill(), 0, "the connection closes");
        // Ends the server's lingering read at once.
        let _ = self.stream.shutdown(std::net::Shutdown::Write);
        assert!(self.buf.is_empty(), "no bytes after the last response");
        if let Some(s) = self.server.take() {
            s.join().expect("the connection handler does not panic");
        }
    }
}

#[test]
fn a_head_split_over_many_reads_is_assembled() {
    let mut c = Client::start(limits());
    for piece in [
        &b"GET /a%2F"[..],
        b"b?x=1%202&y HT",
        b"TP/1.1\r\nHo",
        b"st: t\r",
        b"\n\r",
        b"\n",
    ] {
        c.send(piece);
    }
    let a = c.answer(false);
    assert_eq!(a.status, 200);
    let v = a.json();
    assert_eq!(v["method"], "GET");
    assert_eq!(v["path"], "/a%2Fb", "the path is left encoded for the router");
    assert_eq!(v["query"], json!([["x", "1 2"], ["y", ""]]));
    assert_eq!(a.header("x-echo"), Some("1"));
    assert_eq!(a.header("connection"), Some("keep-alive"));
    assert_eq!(a.header("content-length"), Some(a.body.len().to_string().as_str()));
}

#[test]
fn pipelined_requests_are_answered_in_order_then_close() {
    let mut c = Client::start(limits());
    c.send(
        b"POST /one HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n\r\nabcGET /two HTTP/1.1\r\nHost: t\r\n\r\n\
          DELETE /three HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    );
    let (a, b, d) = (c.answer(false), c.answer(false), c.answer(false));
    assert_eq!(
        (a.json()["path"].clone(), a.json()["body"].clone()),
        (json!("/one"), json!("abc"))
    );
    assert_eq!(b.json()["path"], "/two");
    assert_eq!(d.json()["method"], "DELETE");
    assert_eq!(d.header("connection"), Some("close"));
    c.assert_closed();
}

#[test]
fn chunked_bodies_are_decoded_and_100_continue_answered() {
    let mut c = Client::start(limits());
    c.send(b"PUT /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nContent-Type: Application/JSON\r\n\r\n");
    assert_eq!(c.answer(false).status, 100, "100 Continue before the body");
    c.send(b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n");
    let a = c.answer(false);
    assert_eq!(a.status, 200);
    assert_eq!(a.json()["body"], "hello world");
    assert_eq!(a.json()["contentType"], "application/json");
    // The connection stays usable after a chunked body.
    c.send(b"GET /next HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(c.answer(false).json()["path"], "/next");
    c.assert_closed();
}

#[test]
fn oversize_heads_get_431_and_close() {
    let mut c = Client::start(limits());
    let long = "x".repeat(2000);
    c.send(format!("GET / HTTP/1.1\r\nHost: t\r\nX-Long: {long}\r\n\r\n").as_bytes());
    let a = c.answer(false);
    assert_eq!(a.status, 431);
    assert_eq!(a.json()["error"]["code"], "RequestHeaderFieldsTooLarge");
    assert_eq!(a.header("connection"), Some("close"));
    c.assert_closed();
    // Too many header lines is the same.
    let mut c = Client::start(Limits {
        max_head: 1 << 20,
        ..limits()
    });
    let many: String = (0..200).map(|i| format!("X-{i}: v\r\n")).collect();
    c.send(format!("GET / HTTP/1.1\r\nHost: t\r\n{many}\r\n").as_bytes());
    assert_eq!(c.answer(false).status, 431);
    c.assert_closed();
}

#[test]
fn oversize_bodies_get_413_and_close() {
    let mut c = Client::start(limits());
    c.send(b"POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 65\r\n\r\n");
    let a = c.answer(false);
    assert_eq!(a.status, 413);
    assert_eq!(a.json()["error"]["code"], "PayloadTooLarge");
    c.assert_closed();
    // Chunked: the cap applies to the decoded total.
    let mut c = Client::start(limits());
    let chunk = format!("20\r\n{}\r\n", "y".repeat(32));
    c.send(
        format!("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{chunk}{chunk}1\r\nz\r\n0\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(c.answer(false).status, 413);
    c.assert_closed();
    // Exactly at the cap is accepted.
    let mut c = Client::start(limits());
    c.send(
        format!("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n{chunk}{chunk}0\r\n\r\n").as_bytes(),
    );
    assert_eq!(c.answer(false).json()["body"].as_str().map(str::len), Some(64));
}

#[test]
fn bad_requests_are_refused_and_closed() {
    let http11 = "POST / HTTP/1.1\r\nHost: t\r\n";
    for (bad, status, code) in [
        ("GARBAGE\r\n\r\n".to_string(), 400, "ValidationError"),
        ("GET / HTTP/1.1\r\n\r\n".into(), 400, "ValidationError"),
        ("GET / HTTP/1.1\nHost: t\n\n".into(), 400, "ValidationError"),
        (
            "GET / HTTP/2.0\r\nHost: t\r\n\r\n".into(),
            505,
            "HttpVersionNotSupported",
        ),
        (
            format!("GET /{} HTTP/1.1\r\nHost: t\r\n\r\n", "u".repeat(900)),
            414,
            "UriTooLong",
        ),
        (format!("{http11}Bad Header\r\n\r\n"), 400, "ValidationError"),
        (
            format!("{http11}Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            400,
            "ValidationError",
        ),
        (format!("{http11}Content-Length: x\r\n\r\n"), 400, "ValidationError"),
        (
            format!("{http11}Content-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
            400,
            "ValidationError",
        ),
        (
            format!("{http11}Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
            400,
            "ValidationError",
        ),
        (
            format!("{http11}Transfer-Encoding: chunked\r\n\r\nzz\r\n"),
            400,
            "ValidationError",
        ),
        (
            format!("{http11}Transfer-Encoding: chunked\r\n\r\n1\nx\r\n0\r\n\r\n"),
            400,
            "ValidationError",
        ),
        (
            format!("{http11}Transfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n0\r\n\r\n"),
            400,
            "ValidationError",
        ),
    ] {
        let mut c = Client::start(Limits {
            max_head: 4096,
            ..limits()
        });
        c.send(bad.as_bytes());
        let a = c.answer(false);
        assert_eq!(
            (a.status, a.json()["error"]["code"].as_str()),
            (status, Some(code)),
            "{bad}"
        );
        assert_eq!(a.header("connection"), Some("close"), "{bad}");
        c.assert_closed();
    }
}

#[test]
fn keep_alive_then_close_and_http10() {
    let mut c = Client::start(limits());
    for i in 0..3 {
        c.send(format!("GET /{i} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
        assert_eq!(c.answer(false).json()["path"], format!("/{i}"));
    }
    c.send(b"HEAD /h HTTP/1.1\r\nHost: t\r\n\r\n");
    let a = c.answer(true);
    assert_eq!(a.status, 200);
    assert!(
        a.header("content-length").is_some_and(|l| l != "0"),
        "HEAD announces the length"
    );
    c.send(b"GET /last HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(c.answer(false).header("connection"), Some("close"));
    c.assert_closed();
    // HTTP/1.0 closes unless asked to keep alive.
    let mut c = Client::start(limits());
    c.send(b"GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    assert_eq!(c.answer(false).header("connection"), Some("keep-alive"));
    c.send(b"GET /c HTTP/1.0\r\n\r\n");
    assert_eq!(c.answer(false).header("connection"), Some("close"));
    c.assert_closed();
}

#[test]
fn idle_and_slow_connections_are_closed() {
    let short = Limits {
        idle_timeout: Duration::from_millis(100),
        head_timeout: Duration::from_millis(100),
        ..limits()
    };
    // Idle after a response: closed without a word.
    let mut c = Client::start(short.clone());
    c.send(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(c.answer(false).status, 200);
    c.assert_closed();
    // Never sends anything.
    Client::start(short.clone()).assert_closed();
    // A head that never ends (slowloris).
    let mut c = Client::start(short);
    c.send(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ");
    c.assert_closed();
}

#[test]
fn responses_never_break_their_framing() {
    let mut out = Vec::new();
    let resp = Resp::empty(304)
        .with_header("ETag", "\"1\"".into())
        .with_header("Content-Length", "99".into())
        .with_header("X-Bad", "a\r\nInjected: 1".into());
    super::conn::write_response(&mut out, &resp, true, false).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "HTTP/1.1 304 Not Modified\r\nETag: \"1\"\r\nConnection: keep-alive\r\n\r\n"
    );
}

#[test]
fn garbage_never_panics_the_handler() {
    // A deterministic spread of byte soups, each on its own connection.
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..64 {
        let mut bytes = b"POST / HTTP/1.1\r\nHost: t\r\n".to_vec();
        for _ in 0..300 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let alphabet = b"\r\n: ;0aZ\t\x00\xff-";
            bytes.push(alphabet[(seed % alphabet.len() as u64) as usize]);
        }
        let mut c = Client::start(limits());
        c.send(&bytes);
        let _ = c.stream.shutdown(std::net::Shutdown::Write);
        // Whatever was answered, the handler ends without panicking.
        while c.fill() > 0 {}
        c.server.take().unwrap().join().expect("no panic on garbage");
    }
}

#[test]
fn connections_over_the_bound_get_503() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let bound = Limits {
        max_connections: 2,
        ..limits()
    };
    std::thread::spawn(move || serve_listener(listener, bound, echo()));
    // Two held connections, each proven accepted by an answered request.
    let mut held: Vec<Client> = (0..2)
        .map(|i| {
            let mut c = Client::over(TcpStream::connect(addr).unwrap(), None);
            c.send(format!("GET /held{i} HTTP/1.1\r\nHost: t\r\n\r\n").as_bytes());
            assert_eq!(c.answer(false).status, 200);
            c
        })
        .collect();
    let mut over = Client::over(TcpStream::connect(addr).unwrap(), None);
    let a = over.answer(false);
    assert_eq!(a.status, 503);
    assert_eq!(a.json()["error"]["code"], "ServiceUnavailable");
    assert_eq!(a.header("connection"), Some("close"));
    over.assert_closed();
    // A slot frees when a held connection closes.
    let mut first = held.remove(0);
    first.send(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    first.answer(false);
    first.assert_closed();
    drop(first);
    // Its thread releases the slot just after the close: poll (each
    // attempt is answered at once, 503 or 200) until a deadline.
    let deadline = std::time::Instant::now() + CLIENT_TIMEOUT;
    while try_get(addr) != Some(200) {
        assert!(std::time::Instant::now() < deadline, "a freed slot is reused");
    }
    held[0].send(b"GET /still HTTP/1.1\r\nHost: t\r\n\r\n");
    assert_eq!(held[0].answer(false).status, 200);
}

/// One request on a fresh connection; `None` when the connection failed
/// (a refused connection may be reset before its 503 is read).
fn try_get(addr: std::net::SocketAddr) -> Option<u16> {
    let mut s = TcpStream::connect(addr).ok()?;
    s.set_read_timeout(Some(CLIENT_TIMEOUT)).ok()?;
    s.write_all(b"GET /again HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .ok()?;
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).ok()?;
    let mut hs = [httparse::EMPTY_HEADER; 16];
    let mut r = httparse::Response::new(&mut hs);
    r.parse(&buf).ok()?;
    r.code
}
