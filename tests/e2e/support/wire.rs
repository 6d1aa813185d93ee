//! Buffered blocking reads shared by the test client and the test backend:
//! lines, exact lengths, and message bodies (Content-Length, chunked, until
//! close). Chunked input is decoded here, independently of the gateway's code.

use std::io::{self, Read};

/// How a message body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

/// Header fields in arrival order; names compared case-insensitively.
#[derive(Clone, Debug, Default)]
pub struct Headers(pub Vec<(String, Vec<u8>)>);

impl Headers {
    pub fn from_httparse(hs: &[httparse::Header<'_>]) -> Headers {
        Headers(hs.iter().map(|h| (h.name.to_string(), h.value.to_vec())).collect())
    }

    pub fn get(&self, name: &str) -> Option<String> {
        self.0
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
    }

    pub fn get_all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .collect()
    }

    pub fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name))
    }

    /// Whether a comma-separated header lists `token` (case-insensitive).
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name)
            .iter()
            .flat_map(|v| v.split(',').map(|t| t.trim().to_string()).collect::<Vec<_>>())
            .any(|t| t.eq_ignore_ascii_case(token))
    }

    /// Request body framing (RFC 9112 §6.3, for well-formed messages).
    pub fn request_framing(&self) -> Framing {
        if self.has("transfer-encoding") {
            return Framing::Chunked;
        }
        match self.get("content-length") {
            Some(v) => Framing::Length(v.trim().parse().expect("numeric Content-Length")),
            None => Framing::None,
        }
    }

    /// Response body framing, given the status and whether the request was HEAD.
    pub fn response_framing(&self, status: u16, head_request: bool) -> Framing {
        if head_request || (100..200).contains(&status) || status == 204 || status == 304 {
            return Framing::None;
        }
        if self.has_token("transfer-encoding", "chunked") {
            return Framing::Chunked;
        }
        match self.get("content-length") {
            Some(v) => Framing::Length(v.trim().parse().expect("numeric Content-Length")),
            None => Framing::UntilClose,
        }
    }
}

/// A reader with a buffer of bytes received but not yet consumed.
pub struct Wire<S> {
    pub stream: S,
    buf: Vec<u8>,
    start: usize,
}

fn eof() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed")
}

impl<S: Read> Wire<S> {
    pub fn new(stream: S) -> Self {
        Wire {
            stream,
            buf: Vec::with_capacity(64 * 1024),
            start: 0,
        }
    }

    pub fn data(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    pub fn consume(&mut self, n: usize) {
        self.start += n;
        if self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        }
    }

    /// Reads more bytes; `Ok(0)` at end of stream. A read a signal
    /// interrupted is retried (a socket with a read timeout is not
    /// restarted by the kernel: EINTR reaches us).
    pub fn fill(&mut self) -> io::Result<usize> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let len = self.buf.len();
        self.buf.resize(len + 64 * 1024, 0);
        let r = loop {
            match self.stream.read(&mut self.buf[len..]) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        self.buf.truncate(len + *r.as_ref().unwrap_or(&0));
        r
    }

    /// One line without its CRLF (or bare LF).
    pub fn read_line(&mut self) -> io::Result<Vec<u8>> {
        loop {
            if let Some(i) = self.data().iter().position(|&b| b == b'\n') {
                let mut line = self.data()[..i].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                self.consume(i + 1);
                return Ok(line);
            }
            if self.fill()? == 0 {
                return Err(eof());
            }
        }
    }

    /// Passes exactly `n` bytes to `sink`.
    pub fn read_exact_to(&mut self, mut n: u64, sink: &mut dyn FnMut(&[u8])) -> io::Result<()> {
        while n > 0 {
            if self.data().is_empty() && self.fill()? == 0 {
                return Err(eof());
            }
            let take = self.data().len().min(n as usize);
            sink(&self.data()[..take]);
            self.consume(take);
            n -= take as u64;
        }
        Ok(())
    }

    /// Passes every byte until end of stream to `sink`.
    pub fn read_to_close(&mut self, sink: &mut dyn FnMut(&[u8])) -> io::Result<u64> {
        let mut total = 0;
        loop {
            if !self.data().is_empty() {
                total += self.data().len() as u64;
                sink(self.data());
                let n = self.data().len();
                self.consume(n);
            }
            if self.fill()? == 0 {
                return Ok(total);
            }
        }
    }

    /// Reads one body; returns the payload length.
    pub fn read_body(&mut self, framing: Framing, sink: &mut dyn FnMut(&[u8])) -> io::Result<u64> {
        match framing {
            Framing::None => Ok(0),
            Framing::Length(n) => self.read_exact_to(n, sink).map(|_| n),
            Framing::UntilClose => self.read_to_close(sink),
            Framing::Chunked => self.read_chunked(sink),
        }
    }

    /// A chunked body: sizes, data, CRLFs, then trailer fields until an empty line.
    pub fn read_chunked(&mut self, sink: &mut dyn FnMut(&[u8])) -> io::Result<u64> {
        let bad = |what: &str| io::Error::new(io::ErrorKind::InvalidData, what.to_string());
        let mut total = 0;
        loop {
            let line = self.read_line()?;
            let text = String::from_utf8_lossy(&line);
            let size_part = text.split(';').next().unwrap_or("").trim();
            let size = u64::from_str_radix(size_part, 16).map_err(|_| bad("bad chunk size"))?;
            if size == 0 {
                while !self.read_line()?.is_empty() {}
                return Ok(total);
            }
            self.read_exact_to(size, sink)?;
            total += size;
            if !self.read_line()?.is_empty() {
                return Err(bad("chunk data not followed by CRLF"));
            }
        }
    }
}

/// FNV-1a, 64 bits: a checksum for bodies streamed through the gateway.
#[derive(Clone, Copy, Debug)]
pub struct Fnv(pub u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    pub fn update(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The deterministic body byte at offset `i` (not periodic at small scales).
pub fn pattern_byte(i: u64) -> u8 {
    (i ^ (i >> 8).wrapping_mul(31) ^ (i >> 17).wrapping_mul(7)) as u8
}

/// Fills `buf` with the pattern starting at `offset`.
pub fn fill_pattern(offset: u64, buf: &mut [u8]) {
    for (k, b) in buf.iter_mut().enumerate() {
        *b = pattern_byte(offset + k as u64);
    }
}

/// `len` bytes of the pattern.
pub fn pattern(len: usize) -> Vec<u8> {
    let mut v = vec![0; len];
    fill_pattern(0, &mut v);
    v
}

/// Checksum of `len` bytes of the pattern.
pub fn pattern_fnv(len: u64) -> u64 {
    let mut f = Fnv::default();
    let mut buf = vec![0; 64 * 1024];
    let mut off = 0;
    while off < len {
        let n = (len - off).min(buf.len() as u64) as usize;
        fill_pattern(off, &mut buf[..n]);
        f.update(&buf[..n]);
        off += n as u64;
    }
    f.0
}
