//! Where request-log records go: the endpoint forms of the
//! `telemetry.logs.local.*.endpoint` settings, and the blocking sockets and
//! files the sink thread writes them to (never a worker).
//!
//! Invariants:
//! - one record is one datagram (UDP, unix datagram), or one frame on a
//!   stream: RFC 6587 octet counting (`LEN SP MSG`) for RFC 5424 over TCP
//!   or a unix stream socket, a trailing NUL for BSD syslog over a unix
//!   stream socket (as glibc's `syslog(3)`), a trailing newline in a file;
//! - every blocking call is bounded: connects by [`CONNECT_TIMEOUT`],
//!   writes by [`WRITE_TIMEOUT`]; a failure closes the connection and the
//!   next attempt waits a back-off (100 ms doubling to [`MAX_BACKOFF`]),
//!   while which records are dropped, not queued;
//! - a TCP or stream peer that closed is noticed before the next write (a
//!   non-blocking peek), so a restarted receiver loses no batch to a dead
//!   connection; a log file moved away (rotation) is reopened within a
//!   second.

use std::io::{ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs, UdpSocket};
use std::os::unix::fs::MetadataExt;
use std::os::unix::net::{UnixDatagram, UnixStream};
use std::path::PathBuf;
use std::time::{Duration, Instant};

pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How often an open log file is checked against its path (rotation).
const FILE_CHECK: Duration = Duration::from_secs(1);

/// A parsed `…endpoint` setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// `host:port`.
    Udp(String),
    /// `host:port`.
    Tcp(String),
    /// A unix socket: datagram, or stream when the socket is one.
    Unix(PathBuf),
    /// A file records are appended to, one per line.
    File(PathBuf),
}

fn host_port(v: &str) -> Option<&str> {
    let (host, port) = v.rsplit_once(':')?;
    let ok = !host.is_empty() && !host.contains('/') && port.parse::<u16>().is_ok_and(|p| p != 0);
    ok.then_some(v)
}

fn socket_path(v: &str) -> Result<PathBuf, String> {
    let p = v.strip_prefix("unix://").unwrap_or(v);
    // sun_path holds 108 bytes with its NUL.
    if p.is_empty() || p.len() > 107 {
        return Err(format!("expected a unix socket path of 1 to 107 bytes, got {v:?}"));
    }
    Ok(PathBuf::from(p))
}

impl Endpoint {
    /// `telemetry.logs.local.rfc5424.endpoint`: `udp://host:port`,
    /// `tcp://host:port`, `unix:///path` or `/path` (a unix socket), or a
    /// bare `host:port` (UDP, syslog's usual transport).
    pub fn syslog(v: &str) -> Result<Endpoint, String> {
        let bad = || format!("expected udp://host:port, tcp://host:port, host:port or a socket path, got {v:?}");
        if let Some(hp) = v.strip_prefix("udp://") {
            return host_port(hp).map(|h| Endpoint::Udp(h.into())).ok_or_else(bad);
        }
        if let Some(hp) = v.strip_prefix("tcp://") {
            return host_port(hp).map(|h| Endpoint::Tcp(h.into())).ok_or_else(bad);
        }
        if v.starts_with("unix://") || v.starts_with('/') {
            return socket_path(v).map(Endpoint::Unix);
        }
        host_port(v).map(|h| Endpoint::Udp(h.into())).ok_or_else(bad)
    }

    /// `localsyslog` and `journal` endpoints: a unix socket path.
    pub fn socket(v: &str) -> Result<Endpoint, String> {
        socket_path(v).map(Endpoint::Unix)
    }

    /// `telemetry.logs.local.json.endpoint`: `host:port` or `udp://host:port`
    /// (UDP datagrams), anything else is a file path.
    pub fn json(v: &str) -> Result<Endpoint, String> {
        if let Some(hp) = v.strip_prefix("udp://") {
            return host_port(hp)
                .map(|h| Endpoint::Udp(h.into()))
                .ok_or_else(|| format!("expected udp://host:port, got {v:?}"));
        }
        if let Some(h) = host_port(v) {
            return Ok(Endpoint::Udp(h.into()));
        }
        if v.is_empty() || v.ends_with('/') {
            return Err(format!("expected host:port or a file path, got {v:?}"));
        }
        Ok(Endpoint::File(PathBuf::from(v.strip_prefix("file://").unwrap_or(v))))
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Udp(h) => write!(f, "udp://{h}"),
            Endpoint::Tcp(h) => write!(f, "tcp://{h}"),
            Endpoint::Unix(p) => write!(f, "unix://{}", p.display()),
            Endpoint::File(p) => write!(f, "{}", p.display()),
        }
    }
}

/// How records are delimited on a stream (TCP, unix stream, file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    /// RFC 6587 octet counting: `LEN SP MSG`.
    OctetCounted,
    /// `MSG NUL` (glibc's `syslog(3)` on a stream socket).
    Nul,
    /// `MSG LF`.
    Newline,
    /// Datagrams only: a stream socket is refused (the journal).
    DatagramOnly,
}

/// Why records could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("cannot resolve {0}: {1}")]
    Resolve(String, std::io::Error),
    #[error("cannot connect to {0}: {1}")]
    Connect(String, std::io::Error),
    #[error("{0} is a stream socket; this sink sends datagrams only")]
    StreamRefused(String),
    #[error("cannot open {0}: {1}")]
    Open(String, std::io::Error),
    #[error("writing to {0} failed: {1}")]
    Write(String, std::io::Error),
    #[error("{0} closed the connection")]
    Closed(String),
}

enum Conn {
    Udp(UdpSocket),
    Tcp(TcpStream),
    Dgram(UnixDatagram),
    Stream(UnixStream),
    File {
        file: std::fs::File,
        id: (u64, u64),
        checked: Instant,
    },
}

/// What happened to one batch.
#[derive(Debug)]
pub enum Sent {
    /// All records written.
    All(u64),
    /// Not connected and the back-off has not elapsed: all dropped.
    Waiting(u64),
    /// The endpoint failed: `dropped` records lost (the connection is closed).
    Failed { dropped: u64, error: SinkError },
}

/// An endpoint and its connection, owned by the sink thread.
pub struct Transport {
    endpoint: Endpoint,
    framing: Framing,
    conn: Option<Conn>,
    retry_at: Option<Instant>,
    backoff: Duration,
    frame: Vec<u8>,
}

impl Transport {
    pub fn new(endpoint: Endpoint, framing: Framing) -> Transport {
        Transport {
            endpoint,
            framing,
            conn: None,
            retry_at: None,
            backoff: FIRST_BACKOFF,
            frame: Vec::new(),
        }
    }

    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Writes `records` (each without framing).
    pub fn send<'a>(&mut self, records: impl Iterator<Item = &'a [u8]> + Clone) -> Sent {
        let total = records.clone().count() as u64;
        if total == 0 {
            return Sent::All(0);
        }
        // A peer that closed or a file moved away: reconnect at once.
        if self.conn.as_mut().is_some_and(|c| stale(c, &self.endpoint)) {
            self.conn = None;
            self.retry_at = None;
        }
        if self.conn.is_none() {
            if self.retry_at.is_some_and(|t| Instant::now() < t) {
                return Sent::Waiting(total);
            }
            match self.connect() {
                Ok(c) => self.conn = Some(c),
                Err(error) => {
                    self.failed();
                    return Sent::Failed { dropped: total, error };
                }
            }
        }
        match self.write(records) {
            Ok(()) => {
                self.backoff = FIRST_BACKOFF;
                self.retry_at = None;
                Sent::All(total)
            }
            Err((sent, error)) => {
                self.failed();
                Sent::Failed {
                    dropped: total - sent,
                    error,
                }
            }
        }
    }

    /// Closes the connection; the next attempt waits the back-off.
    fn failed(&mut self) {
        self.conn = None;
        self.retry_at = Some(Instant::now() + self.backoff);
        self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
    }

    fn connect(&self) -> Result<Conn, SinkError> {
        let name = || self.endpoint.to_string();
        match &self.endpoint {
            Endpoint::Udp(hp) => {
                let addr = resolve(hp)?;
                let bind: std::net::SocketAddr = if addr.is_ipv4() {
                    ([0, 0, 0, 0], 0).into()
                } else {
                    (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
                };
                let s = UdpSocket::bind(bind).map_err(|e| SinkError::Connect(name(), e))?;
                s.connect(addr).map_err(|e| SinkError::Connect(name(), e))?;
                Ok(Conn::Udp(s))
            }
            Endpoint::Tcp(hp) => {
                let addr = resolve(hp)?;
                let s =
                    TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT).map_err(|e| SinkError::Connect(name(), e))?;
                let _ = s.set_nodelay(true);
                s.set_write_timeout(Some(WRITE_TIMEOUT))
                    .map_err(|e| SinkError::Connect(name(), e))?;
                Ok(Conn::Tcp(s))
            }
            Endpoint::Unix(path) => {
                let dgram = UnixDatagram::unbound().and_then(|s| s.connect(path).map(|()| s));
                match dgram {
                    Ok(s) => {
                        s.set_write_timeout(Some(WRITE_TIMEOUT))
                            .map_err(|e| SinkError::Connect(name(), e))?;
                        Ok(Conn::Dgram(s))
                    }
                    Err(e) if e.raw_os_error() == Some(libc::EPROTOTYPE) => {
                        if self.framing == Framing::DatagramOnly {
                            return Err(SinkError::StreamRefused(name()));
                        }
                        let s = UnixStream::connect(path).map_err(|e| SinkError::Connect(name(), e))?;
                        s.set_write_timeout(Some(WRITE_TIMEOUT))
                            .map_err(|e| SinkError::Connect(name(), e))?;
                        Ok(Conn::Stream(s))
                    }
                    Err(e) => Err(SinkError::Connect(name(), e)),
                }
            }
            Endpoint::File(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|e| SinkError::Open(name(), e))?;
                let m = file.metadata().map_err(|e| SinkError::Open(name(), e))?;
                Ok(Conn::File {
                    file,
                    id: (m.dev(), m.ino()),
                    checked: Instant::now(),
                })
            }
        }
    }

    /// Writes every record; on error, how many were written before it.
    fn write<'a>(&mut self, records: impl Iterator<Item = &'a [u8]>) -> Result<(), (u64, SinkError)> {
        let name = || self.endpoint.to_string();
        let Some(conn) = self.conn.as_mut() else {
            return Err((0, SinkError::Closed(name())));
        };
        let stream = match conn {
            Conn::Udp(_) | Conn::Dgram(_) => None,
            Conn::File { .. } => Some(Framing::Newline),
            Conn::Tcp(_) | Conn::Stream(_) => Some(self.framing),
        };
        let Some(framing) = stream else {
            let mut sent = 0u64;
            for r in records {
                let res = match conn {
                    Conn::Udp(s) => s.send(r),
                    Conn::Dgram(s) => s.send(r),
                    _ => Ok(0),
                };
                match res {
                    // An oversized record is lost, not the endpoint.
                    Err(e) if e.raw_os_error() != Some(libc::EMSGSIZE) => {
                        return Err((sent, SinkError::Write(name(), e)));
                    }
                    _ => sent += 1,
                }
            }
            return Ok(());
        };
        // One write per batch; a partly written batch counts as lost.
        let frame = &mut self.frame;
        frame.clear();
        for r in records {
            match framing {
                Framing::OctetCounted => {
                    let _ = write!(frame, "{} ", r.len());
                    frame.extend_from_slice(r);
                }
                Framing::Nul => {
                    frame.extend_from_slice(r);
                    frame.push(0);
                }
                Framing::Newline | Framing::DatagramOnly => {
                    frame.extend_from_slice(r);
                    frame.push(b'\n');
                }
            }
        }
        let res = match conn {
            Conn::Tcp(s) => s.write_all(frame),
            Conn::Stream(s) => s.write_all(frame),
            Conn::File { file, .. } => file.write_all(frame),
            _ => Ok(()),
        };
        if frame.capacity() > 1 << 20 {
            *frame = Vec::new();
        }
        res.map_err(|e| (0, SinkError::Write(name(), e)))
    }
}

/// Whether an open connection should be replaced before writing: a stream
/// whose peer closed, or a file no longer at its path (rotated), checked at
/// most once per [`FILE_CHECK`].
fn stale(c: &mut Conn, endpoint: &Endpoint) -> bool {
    match c {
        Conn::Tcp(s) => peer_closed(s),
        Conn::Stream(s) => peer_closed(s),
        Conn::File { id, checked, .. } => {
            if checked.elapsed() < FILE_CHECK {
                return false;
            }
            *checked = Instant::now();
            let Endpoint::File(path) = endpoint else { return false };
            std::fs::metadata(path)
                .map(|m| (m.dev(), m.ino()) != *id)
                .unwrap_or(true)
        }
        Conn::Udp(_) | Conn::Dgram(_) => false,
    }
}

fn resolve(hp: &str) -> Result<std::net::SocketAddr, SinkError> {
    hp.to_socket_addrs()
        .map_err(|e| SinkError::Resolve(hp.into(), e))?
        .next()
        .ok_or_else(|| SinkError::Resolve(hp.into(), ErrorKind::NotFound.into()))
}

/// Whether a stream's peer has closed (reads and drops anything it sent).
fn peer_closed(s: &impl std::os::fd::AsFd) -> bool {
    let sock = socket2::SockRef::from(s);
    let mut buf = [std::mem::MaybeUninit::<u8>::uninit(); 512];
    loop {
        match sock.recv_with_flags(&mut buf, libc::MSG_DONTWAIT) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(_) => return true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_forms() {
        assert_eq!(Endpoint::syslog("udp://h:514"), Ok(Endpoint::Udp("h:514".into())));
        assert_eq!(
            Endpoint::syslog("tcp://[::1]:601"),
            Ok(Endpoint::Tcp("[::1]:601".into()))
        );
        assert_eq!(
            Endpoint::syslog("10.0.0.1:514"),
            Ok(Endpoint::Udp("10.0.0.1:514".into()))
        );
        assert_eq!(Endpoint::syslog("/dev/log"), Ok(Endpoint::Unix("/dev/log".into())));
        assert_eq!(
            Endpoint::syslog("unix:///run/s.sock"),
            Ok(Endpoint::Unix("/run/s.sock".into()))
        );
        assert!(Endpoint::syslog("tcp://h").is_err());
        assert!(Endpoint::syslog("h:0").is_err());
        assert!(Endpoint::syslog("syslog").is_err());
        assert!(Endpoint::socket(&format!("/{}", "x".repeat(120))).is_err());
        assert_eq!(
            Endpoint::json("127.0.0.1:8888"),
            Ok(Endpoint::Udp("127.0.0.1:8888".into()))
        );
        assert_eq!(
            Endpoint::json("logs/gw.json"),
            Ok(Endpoint::File("logs/gw.json".into()))
        );
        assert_eq!(
            Endpoint::json("/var/log/a:1"),
            Ok(Endpoint::File("/var/log/a:1".into()))
        );
        assert!(Endpoint::json("").is_err());
    }

    fn records<'a>(v: &'a [&'static str]) -> impl Iterator<Item = &'static [u8]> + Clone + 'a {
        v.iter().map(|s| s.as_bytes())
    }

    #[test]
    fn tcp_frames_are_octet_counted_and_a_closed_peer_is_noticed() {
        use std::io::Read;
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let mut t = Transport::new(
            Endpoint::Tcp(l.local_addr().unwrap().to_string()),
            Framing::OctetCounted,
        );
        assert!(matches!(t.send(records(&["ab", "cde"])), Sent::All(2)));
        let (mut peer, _) = l.accept().unwrap();
        let mut got = [0u8; 9];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"2 ab3 cde");
        peer.shutdown(std::net::Shutdown::Both).unwrap();
        drop(peer);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !matches!(&t.conn, Some(Conn::Tcp(s)) if peer_closed(s)) {
            assert!(Instant::now() < deadline, "the FIN arrives");
            std::thread::yield_now();
        }
        // The close is seen before the next write (the FIN is already
        // there): the batch goes to a new connection, not the dead one.
        assert!(matches!(t.send(records(&["again"])), Sent::All(1)));
        let (mut peer, _) = l.accept().unwrap();
        let mut got = [0u8; 7];
        peer.read_exact(&mut got).unwrap();
        assert_eq!(&got, b"5 again");
    }

    #[test]
    fn unix_datagram_and_stream_sockets() {
        let dir = std::env::temp_dir().join(format!("outpost-transport-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let dg = dir.join("d.sock");
        let _ = std::fs::remove_file(&dg);
        let rx = UnixDatagram::bind(&dg).unwrap();
        let mut t = Transport::new(Endpoint::Unix(dg.clone()), Framing::Nul);
        assert!(matches!(t.send(records(&["one", "two"])), Sent::All(2)));
        let mut buf = [0u8; 16];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"one");
        let st = dir.join("s.sock");
        let _ = std::fs::remove_file(&st);
        let l = std::os::unix::net::UnixListener::bind(&st).unwrap();
        let mut t = Transport::new(Endpoint::Unix(st.clone()), Framing::Nul);
        assert!(matches!(t.send(records(&["one", "two"])), Sent::All(2)));
        let (mut peer, _) = l.accept().unwrap();
        let mut got = [0u8; 8];
        std::io::Read::read_exact(&mut peer, &mut got).unwrap();
        assert_eq!(&got, b"one\0two\0");
        let mut journal = Transport::new(Endpoint::Unix(st.clone()), Framing::DatagramOnly);
        assert!(matches!(
            journal.send(records(&["x"])),
            Sent::Failed {
                error: SinkError::StreamRefused(_),
                ..
            }
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_missing_socket_fails_then_waits_the_backoff() {
        let mut t = Transport::new(Endpoint::Unix("/nonexistent/outpost.sock".into()), Framing::Nul);
        assert!(matches!(t.send(records(&["a"])), Sent::Failed { dropped: 1, .. }));
        assert!(matches!(t.send(records(&["a", "b"])), Sent::Waiting(2)));
    }

    #[test]
    fn a_rotated_file_is_reopened() {
        let dir = std::env::temp_dir().join(format!("outpost-transport-file-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("log.json");
        let mut t = Transport::new(Endpoint::File(path.clone()), Framing::Newline);
        assert!(matches!(t.send(records(&["{\"a\":1}"])), Sent::All(1)));
        std::fs::rename(&path, dir.join("log.json.1")).unwrap();
        if let Some(Conn::File { checked, .. }) = t.conn.as_mut() {
            *checked = Instant::now() - FILE_CHECK;
        }
        assert!(matches!(t.send(records(&["{\"a\":2}"])), Sent::All(1)));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":2}\n");
        assert_eq!(std::fs::read_to_string(dir.join("log.json.1")).unwrap(), "{\"a\":1}\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
