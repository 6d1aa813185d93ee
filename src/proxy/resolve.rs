//! Host-name resolution for calls whose URL is known only at run time
//! (`send-request` with an expression URL), without blocking a worker.
//!
//! The system resolver (`getaddrinfo`, through `std::net::ToSocketAddrs`)
//! blocks, so it runs on a small pool of resolver threads shared by the
//! process ([`THREADS`], started on first use). A worker sends a job over a
//! bounded channel together with one end of a fresh Unix socket pair and
//! awaits the answer on the other end with an ordinary asynchronous read
//! on its own runtime: the resolver thread writes the addresses and closes
//! its end, which wakes the worker through its I/O driver (no cross-thread
//! waker is needed, so the runtime stays single-threaded). Answers are
//! cached per worker for [`TTL`] (failures are not cached).
//!
//! Invariants: an IP literal never leaves the worker; the channel is
//! bounded ([`QUEUE`]): a full queue fails the lookup at once instead of
//! waiting; the cache holds at most [`CACHE_MAX`] names; a dropped lookup
//! (the call timed out, a `wait for="any"` lost) only closes its socket:
//! the resolver thread's write then fails and is ignored.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::os::unix::net::UnixStream;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use monoio::io::AsyncReadRent;

/// How long a resolved name is reused by a worker.
pub const TTL: Duration = Duration::from_secs(30);
/// Resolver threads of the process.
pub const THREADS: usize = 2;
/// Lookups waiting for a resolver thread, process-wide.
pub const QUEUE: usize = 1024;
/// Names one worker caches.
pub const CACHE_MAX: usize = 1024;
/// Largest answer read (addresses as text lines).
const ANSWER_MAX: usize = 64 * 1024;

struct Job {
    host: String,
    port: u16,
    reply: UnixStream,
}

/// (host, port) → (addresses, when resolved).
type Cache = HashMap<(String, u16), (Vec<SocketAddr>, Instant)>;

/// The per-worker cache in front of the resolver threads.
#[derive(Default)]
pub struct Resolver {
    cache: RefCell<Cache>,
}

impl Resolver {
    /// The addresses of `host:port`: an IP literal at once, a cached name,
    /// or an answer from a resolver thread.
    pub async fn resolve(&self, host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return Ok(vec![SocketAddr::new(ip, port)]);
        }
        let key = (host.to_owned(), port);
        let now = Instant::now();
        if let Some((addrs, at)) = self.cache.borrow().get(&key) {
            if now.duration_since(*at) < TTL {
                return Ok(addrs.clone());
            }
        }
        let addrs = lookup(host, port).await?;
        let mut cache = self.cache.borrow_mut();
        if cache.len() >= CACHE_MAX {
            cache.retain(|_, (_, at)| now.duration_since(*at) < TTL);
            if cache.len() >= CACHE_MAX {
                cache.clear();
            }
        }
        cache.insert(key, (addrs.clone(), now));
        Ok(addrs)
    }
}

/// The resolver threads' queue (started on first use).
fn queue() -> Option<&'static crossbeam_channel::Sender<Job>> {
    static QUEUE_TX: OnceLock<Option<crossbeam_channel::Sender<Job>>> = OnceLock::new();
    QUEUE_TX
        .get_or_init(|| {
            let (tx, rx) = crossbeam_channel::bounded::<Job>(QUEUE);
            let mut started = 0;
            for i in 0..THREADS {
                let rx = rx.clone();
                let spawned = std::thread::Builder::new()
                    .name(format!("outpost-dns-{i}"))
                    .spawn(move || {
                        for job in rx {
                            answer(job);
                        }
                    });
                match spawned {
                    Ok(_) => started += 1,
                    Err(e) => tracing::error!(error = %e, "cannot start a resolver thread"),
                }
            }
            (started > 0).then_some(tx)
        })
        .as_ref()
}

/// Runs on a resolver thread: resolves and writes the answer.
fn answer(mut job: Job) {
    let text = match (job.host.as_str(), job.port).to_socket_addrs() {
        Ok(addrs) => {
            let mut t = String::from("ok\n");
            for a in addrs {
                t.push_str(&a.to_string());
                t.push('\n');
            }
            t
        }
        Err(e) => format!("err {e}\n"),
    };
    // The worker may have given up (timeout): a failed write is fine.
    let _ = job.reply.write_all(text.as_bytes());
}

/// Asks a resolver thread and awaits its answer.
async fn lookup(host: &str, port: u16) -> Result<Vec<SocketAddr>, String> {
    let (mine, theirs) = UnixStream::pair().map_err(|e| format!("resolver: {e}"))?;
    mine.set_nonblocking(true).map_err(|e| format!("resolver: {e}"))?;
    let job = Job {
        host: host.to_owned(),
        port,
        reply: theirs,
    };
    let Some(tx) = queue() else {
        return Err("no resolver thread is running".into());
    };
    tx.try_send(job)
        .map_err(|_| format!("too many host names are being resolved; {host} was not looked up"))?;
    let mut stream = monoio::net::UnixStream::from_std(mine).map_err(|e| format!("resolver: {e}"))?;
    let mut text = Vec::new();
    let mut buf = vec![0u8; 4096];
    loop {
        let (res, b) = stream.read(buf).await;
        buf = b;
        match res {
            Ok(0) => break,
            Ok(n) => {
                text.extend_from_slice(buf.get(..n).unwrap_or_default());
                if text.len() > ANSWER_MAX {
                    return Err(format!("{host}: too many addresses"));
                }
            }
            Err(e) => return Err(format!("resolver: {e}")),
        }
    }
    parse_answer(host, &String::from_utf8_lossy(&text))
}

fn parse_answer(host: &str, text: &str) -> Result<Vec<SocketAddr>, String> {
    let mut lines = text.lines();
    match lines.next() {
        Some("ok") => {
            let addrs: Vec<SocketAddr> = lines.filter_map(|l| l.parse().ok()).collect();
            if addrs.is_empty() {
                Err(format!("{host} has no address"))
            } else {
                Ok(addrs)
            }
        }
        Some(l) if l.starts_with("err ") => Err(format!("{host}: {}", &l[4..])),
        _ => Err(format!("{host}: no answer from the resolver")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_parse() {
        assert_eq!(
            parse_answer("h", "ok\n127.0.0.1:80\n[::1]:80\n"),
            Ok(vec!["127.0.0.1:80".parse().unwrap(), "[::1]:80".parse().unwrap()])
        );
        assert!(parse_answer("h", "ok\n").is_err());
        assert_eq!(parse_answer("h", "err no such host\n"), Err("h: no such host".into()));
        assert!(parse_answer("h", "").is_err());
    }

    #[test]
    fn names_resolve_off_the_runtime_thread_and_are_cached() {
        let mut rt = monoio::RuntimeBuilder::<monoio::LegacyDriver>::new()
            .enable_timer()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let r = Resolver::default();
            let ip = r.resolve("127.0.0.1", 81).await.unwrap();
            assert_eq!(ip, vec!["127.0.0.1:81".parse().unwrap()]);
            assert!(r.cache.borrow().is_empty(), "IP literals are not looked up");
            let local = r.resolve("localhost", 82).await.unwrap();
            assert!(
                local.iter().all(|a| a.port() == 82 && a.ip().is_loopback()),
                "{local:?}"
            );
            assert_eq!(r.cache.borrow().len(), 1);
            assert!(r.resolve("no-such-host.invalid", 1).await.is_err());
            assert_eq!(r.cache.borrow().len(), 1, "failures are not cached");
        });
    }
}
