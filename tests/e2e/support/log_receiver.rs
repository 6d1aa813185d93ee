//! Receivers for the gateway's request-log sinks, on sockets the test binds:
//! UDP, TCP and unix stream (frames: RFC 6587 octet counting or NUL
//! terminated) and unix datagram. Each collects whole records on its own
//! thread; tests wait on them with a timeout, never a sleep.

use std::io::Read;
use std::net::{TcpListener, UdpSocket};
use std::os::unix::net::{UnixDatagram, UnixListener};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// How a stream receiver splits records.
#[derive(Clone, Copy, Debug)]
pub enum Frames {
    /// `LEN SP MSG` (RFC 6587 octet counting).
    OctetCounted,
    /// `MSG NUL`.
    Nul,
}

#[derive(Default)]
struct Shared {
    records: Mutex<Vec<String>>,
    cv: Condvar,
    /// While set, datagram receivers do not read (a slow sink).
    paused: AtomicBool,
}

impl Shared {
    fn push(&self, r: &[u8]) {
        self.records
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(String::from_utf8_lossy(r).into_owned());
        self.cv.notify_all();
    }
}

/// Records received by one socket.
pub struct Received {
    shared: Arc<Shared>,
    /// `127.0.0.1:port` or a socket path.
    pub endpoint: String,
    stop: Arc<AtomicBool>,
}

impl Received {
    fn new(endpoint: String) -> Received {
        Received {
            shared: Arc::default(),
            endpoint,
            stop: Arc::default(),
        }
    }

    pub fn records(&self) -> Vec<String> {
        self.shared.records.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Waits until `f` returns `Some` for the records so far (bounded).
    pub fn wait_until<T>(&self, what: &str, timeout: Duration, mut f: impl FnMut(&[String]) -> Option<T>) -> T {
        let deadline = Instant::now() + timeout;
        let mut recs = self.shared.records.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(t) = f(&recs) {
                return t;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{}: timed out waiting for {what}; records: {:#?}",
                self.endpoint,
                *recs
            );
            recs = self
                .shared
                .cv
                .wait_timeout(recs, left)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Waits for the first record containing `needle`.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        self.wait_until(&format!("a record with {needle:?}"), timeout, |r| {
            r.iter().find(|l| l.contains(needle)).cloned()
        })
    }

    /// Stops reading (datagram receivers): the socket's queue fills up.
    pub fn pause(&self) {
        self.shared.paused.store(true, Ordering::SeqCst);
    }

    pub fn resume(&self) {
        self.shared.paused.store(false, Ordering::SeqCst);
    }
}

impl Drop for Received {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Datagrams on a UDP socket at 127.0.0.1.
pub fn udp() -> Received {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind udp");
    let r = Received::new(s.local_addr().unwrap().to_string());
    let (sh, stop) = (r.shared.clone(), r.stop.clone());
    s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        while !stop.load(Ordering::SeqCst) {
            if let Ok(n) = s.recv(&mut buf) {
                sh.push(&buf[..n]);
            }
        }
    });
    r
}

/// Datagrams on a unix datagram socket at `path` (created now).
pub fn unix_datagram(path: &Path) -> Received {
    let _ = std::fs::remove_file(path);
    let s = UnixDatagram::bind(path).expect("bind unix datagram");
    let r = Received::new(path.display().to_string());
    let (sh, stop) = (r.shared.clone(), r.stop.clone());
    s.set_read_timeout(Some(Duration::from_millis(100))).unwrap();
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65536];
        while !stop.load(Ordering::SeqCst) {
            if sh.paused.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(20));
                continue;
            }
            if let Ok(n) = s.recv(&mut buf) {
                sh.push(&buf[..n]);
            }
        }
    });
    r
}

/// A TCP listener at 127.0.0.1 (port 0 = ephemeral): each connection's
/// frames become records.
pub fn tcp(port: u16, frames: Frames) -> Received {
    let l = TcpListener::bind(("127.0.0.1", port)).expect("bind tcp");
    let r = Received::new(l.local_addr().unwrap().to_string());
    let (sh, stop) = (r.shared.clone(), r.stop.clone());
    l.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            match l.accept() {
                Ok((c, _)) => {
                    let _ = c.set_nonblocking(false);
                    let _ = c.set_read_timeout(Some(Duration::from_millis(100)));
                    let (sh, stop) = (sh.clone(), stop.clone());
                    std::thread::spawn(move || read_frames(c, frames, &sh, &stop));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    });
    r
}

/// A unix stream listener at `path` (created now).
pub fn unix_stream(path: &Path, frames: Frames) -> Received {
    let _ = std::fs::remove_file(path);
    let l = UnixListener::bind(path).expect("bind unix stream");
    let r = Received::new(path.display().to_string());
    let (sh, stop) = (r.shared.clone(), r.stop.clone());
    l.set_nonblocking(true).unwrap();
    let p: PathBuf = path.into();
    std::thread::spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            match l.accept() {
                Ok((c, _)) => {
                    let _ = c.set_nonblocking(false);
                    let _ = c.set_read_timeout(Some(Duration::from_millis(100)));
                    let (sh, stop) = (sh.clone(), stop.clone());
                    std::thread::spawn(move || read_frames(c, frames, &sh, &stop));
                }
                Err(_) => std::thread::sleep(Duration::from_millis(10)),
            }
        }
        let _ = std::fs::remove_file(p);
    });
    r
}

/// Reads frames until the peer closes or the receiver stops (then the
/// connection is dropped: the gateway sees a closed peer).
fn read_frames(mut c: impl Read, frames: Frames, sh: &Shared, stop: &AtomicBool) {
    let mut buf: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16384];
    while !stop.load(Ordering::SeqCst) {
        match c.read(&mut chunk) {
            Ok(0) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => continue,
            Err(_) => return,
        }
        loop {
            let taken = match frames {
                Frames::OctetCounted => {
                    let Some(sp) = buf.iter().position(|&b| b == b' ') else {
                        break;
                    };
                    let len: usize = std::str::from_utf8(&buf[..sp])
                        .ok()
                        .and_then(|s| s.parse().ok())
                        .unwrap_or_else(|| panic!("bad octet count in {:?}", String::from_utf8_lossy(&buf)));
                    if buf.len() < sp + 1 + len {
                        break;
                    }
                    sh.push(&buf[sp + 1..sp + 1 + len]);
                    sp + 1 + len
                }
                Frames::Nul => {
                    let Some(end) = buf.iter().position(|&b| b == 0) else {
                        break;
                    };
                    sh.push(&buf[..end]);
                    end + 1
                }
            };
            buf.drain(..taken);
        }
    }
}

/// `key=value` from APIM's text layout (`…, key=value, …`).
pub fn kv(record: &str, key: &str) -> Option<String> {
    let needle = format!("{key}=");
    record.split(", ").find_map(|part| {
        let i = part.rfind(&needle)?;
        (i == 0 || part.as_bytes()[i - 1] == b' ').then(|| part[i + needle.len()..].to_string())
    })
}

/// The journal native protocol's `NAME=value` lines.
pub fn journal_field(record: &str, name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    record.lines().find_map(|l| l.strip_prefix(&prefix).map(str::to_string))
}
