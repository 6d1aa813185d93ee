//! A raw HTTP/1.1 client over a blocking socket: write any bytes, read
//! responses (head with httparse, body by the framing it announces).
//! Every read times out after [`IO_TIMEOUT`] so a hang fails the test.

use super::wire::{Headers, Wire};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

pub const IO_TIMEOUT: Duration = Duration::from_secs(10);

/// A response as received.
#[derive(Debug)]
pub struct Response {
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    pub version: u8,
    pub status: u16,
    pub reason: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name)
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `HTTP/1.x NNN`, for messages.
    pub fn status_line(&self) -> String {
        format!("HTTP/1.{} {} {}", self.version, self.status, self.reason)
    }
}

pub struct Conn {
    pub wire: Wire<TcpStream>,
}

impl Conn {
    pub fn connect(port: u16) -> Conn {
        Conn::try_connect(port).unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"))
    }

    pub fn try_connect(port: u16) -> io::Result<Conn> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let s = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        s.set_read_timeout(Some(IO_TIMEOUT))?;
        s.set_write_timeout(Some(IO_TIMEOUT))?;
        s.set_nodelay(true)?;
        Ok(Conn { wire: Wire::new(s) })
    }

    /// A second handle on the socket, for writing from another thread.
    pub fn writer(&self) -> TcpStream {
        self.wire.stream.try_clone().expect("clone socket")
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.wire.stream.write_all(bytes).expect("write to gateway");
    }

    /// Like `send`, but a reset or broken pipe is not a failure (the
    /// gateway may legitimately close while we are still writing).
    pub fn send_lossy(&mut self, bytes: &[u8]) {
        let _ = self.wire.stream.write_all(bytes);
    }

    /// A GET with a Host header.
    pub fn get(&mut self, path: &str) -> Response {
        self.send(format!("GET {path} HTTP/1.1\r\nHost: gateway.test\r\n\r\n").as_bytes());
        self.read_response()
    }

    /// A request with a Content-Length body.
    pub fn request(&mut self, method: &str, path: &str, extra: &[(&str, &str)], body: &[u8]) -> Response {
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: gateway.test\r\n");
        for (k, v) in extra {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() || method == "POST" || method == "PUT" {
            req.push_str(&format!("Content-Length: {}\r\n", body.len()));
        }
        req.push_str("\r\n");
        let mut bytes = req.into_bytes();
        bytes.extend_from_slice(body);
        self.send(&bytes);
        self.read_response_to(method == "HEAD")
    }

    /// Reads one response head (possibly interim 1xx); the body is left unread.
    pub fn read_head(&mut self) -> (u8, u16, String, Headers) {
        loop {
            let mut hs = [httparse::EMPTY_HEADER; 128];
            let mut r = httparse::Response::new(&mut hs);
            match r.parse(self.wire.data()) {
                Ok(httparse::Status::Complete(n)) => {
                    let out = (
                        r.version.unwrap_or(1),
                        r.code.unwrap_or(0),
                        r.reason.unwrap_or("").to_string(),
                        Headers::from_httparse(r.headers),
                    );
                    self.wire.consume(n);
                    return out;
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => panic!(
                    "bad response head ({e}): {:?}",
                    String::from_utf8_lossy(self.wire.data())
                ),
            }
            match self.wire.fill() {
                Ok(0) => panic!(
                    "connection closed before a complete response head; got {:?}",
                    String::from_utf8_lossy(self.wire.data())
                ),
                Ok(_) => {}
                Err(e) => panic!(
                    "reading response head: {e}; got {:?}",
                    String::from_utf8_lossy(self.wire.data())
                ),
            }
        }
    }

    pub fn read_response(&mut self) -> Response {
        self.read_response_to(false)
    }

    /// Reads one response; `head_request` = the request was HEAD (no body).
    pub fn read_response_to(&mut self, head_request: bool) -> Response {
        let mut body = Vec::new();
        let mut r = self.read_response_streaming(head_request, &mut |b| body.extend_from_slice(b));
        r.body = body;
        r
    }

    /// Reads one response, passing the body to `sink` instead of keeping it.
    pub fn read_response_streaming(&mut self, head_request: bool, sink: &mut dyn FnMut(&[u8])) -> Response {
        let (version, status, reason, headers) = self.read_head();
        let framing = headers.response_framing(status, head_request);
        if let Err(e) = self.wire.read_body(framing, sink) {
            panic!("reading body of {status} response ({framing:?}): {e}");
        }
        Response {
            version,
            status,
            reason,
            headers,
            body: Vec::new(),
        }
    }

    /// Reads until the peer closes; a reset counts as a close.
    pub fn read_until_close(&mut self) -> Vec<u8> {
        let mut out = Vec::new();
        match self.wire.read_to_close(&mut |b| out.extend_from_slice(b)) {
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {}
            Err(e) => panic!(
                "waiting for the gateway to close the connection: {e}; got {:?}",
                String::from_utf8_lossy(&out)
            ),
        }
        out
    }

    /// Asserts the gateway closed the connection with nothing more to read.
    pub fn assert_closed(&mut self) {
        let rest = self.read_until_close();
        assert!(
            rest.is_empty(),
            "expected the connection to close, got more bytes: {:?}",
            String::from_utf8_lossy(&rest)
        );
    }

    /// Reads whatever arrives until close: a response if there is one.
    /// Returns `None` if the connection closed without a response.
    pub fn read_response_or_close(&mut self) -> Option<Response> {
        loop {
            let mut hs = [httparse::EMPTY_HEADER; 128];
            let mut r = httparse::Response::new(&mut hs);
            if let Ok(httparse::Status::Complete(_)) = r.parse(self.wire.data()) {
                return Some(self.read_response());
            }
            match self.wire.fill() {
                Ok(0) => {
                    assert!(
                        self.wire.data().is_empty(),
                        "partial response then close: {:?}",
                        String::from_utf8_lossy(self.wire.data())
                    );
                    return None;
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("waiting for a response or a close: {e}"),
            }
        }
    }
}

/// Builds a chunked encoding of `body` with chunks of `chunk` bytes.
pub fn chunked(body: &[u8], chunk: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for c in body.chunks(chunk.max(1)) {
        out.extend_from_slice(format!("{:x}\r\n", c.len()).as_bytes());
        out.extend_from_slice(c);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}
