//! The gateway's own HTTP client, for policies that call out
//! (`send-request`, `send-one-way-request`, the Dapr policies): one
//! request, the whole response read into memory.
//!
//! A call goes over the worker's connection pool (`proxy::pool`, keyed
//! `scheme://host:port`, plus the TLS options' and client certificate's
//! ids, as for backends), with the same TLS client code and trust as
//! backends (`tls::client`: system roots, local CAs, a configured
//! backend's CAs and options when the call goes to that backend's host and
//! port, `authentication-certificate` variants). Addresses: a replica
//! target's (resolved on the control thread) when the URL's origin is
//! one, else the worker's [`Resolver`](super::resolve::Resolver).
//!
//! Invariants: the whole exchange (resolution, connection, request,
//! response) ends within the call's timeout; the response body is bounded
//! by `policy.body.max-bytes` (a larger one fails the call and closes the
//! connection); a connection goes back to the pool only after a complete
//! response at a clean message boundary; a request that failed on a
//! reused connection before any response byte is sent once more on a
//! fresh one when its method is idempotent; one-way calls are bounded per
//! worker (`policy.send-one-way.max-in-flight`).

use std::cell::Cell;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::Duration;

use monoio::io::{AsyncReadRent, AsyncWriteRentExt, Splitable};
use monoio::net::TcpStream;

use super::body::{read_all, Side};
use super::error::ProxyError;
use super::pool::{Conn, Pool};
use super::resolve::Resolver;
use crate::http::{BodyFraming, HeadLimits, ResponseHead};
use crate::policy::effect::{CallError, CallUrl, HttpCall, HttpResponse};
use crate::replica::{BackendTarget, Replica};
use crate::server::io::Buffered;
use crate::tls::client::BackendConnector;

/// Read buffer of a call's connection.
const READ_BUF: usize = 16 * 1024;
/// Largest response head of a proxy's answer to `CONNECT`.
const CONNECT_HEAD_MAX: usize = 16 * 1024;

/// How to reach a call's origin: resolved from the replica before the
/// call starts, owned by it.
pub struct Destination {
    /// Known addresses (a replica target's), else resolved when sent.
    pub addrs: Vec<SocketAddr>,
    /// Set for `https://`.
    pub tls: Option<BackendConnector>,
    /// The pool the connection comes from and goes back to.
    pub pool_key: String,
    /// Where to connect: the origin, or the HTTP proxy.
    pub connect_host: String,
    pub connect_port: u16,
    /// Through an HTTP proxy: `Proxy-Authorization` and whether the
    /// target is tunnelled (`CONNECT`, https) or asked for in absolute form.
    pub proxy: Option<Option<String>>,
}

/// Request-body bytes one worker's one-way calls may hold at once; a call
/// beyond it is dropped (with a warning), like one beyond the count bound.
pub const DETACHED_BYTES_MAX: usize = 64 * 1024 * 1024;
/// The most of a one-way call's answer read (the rest is not read and the
/// connection is closed): nobody reads it.
pub const DETACHED_ANSWER_MAX: u64 = 64 * 1024;

/// A worker's client (cheap to clone: shared state behind an `Rc`).
#[derive(Clone)]
pub struct Client(Rc<Inner>);

struct Inner {
    pool: Pool,
    limits: HeadLimits,
    connect_timeout: Duration,
    resolver: Resolver,
    detached: Cell<usize>,
    /// Request-body bytes the one-way calls in flight hold.
    detached_bytes: Cell<usize>,
    max_detached: usize,
}

impl Client {
    pub fn new(pool: Pool, limits: HeadLimits, connect_timeout: Duration, max_detached: usize) -> Client {
        Client(Rc::new(Inner {
            pool,
            limits,
            connect_timeout,
            resolver: Resolver::default(),
            detached: Cell::new(0),
            detached_bytes: Cell::new(0),
            max_detached,
        }))
    }

    /// Sends `call` and reads the whole response, within its timeout.
    pub async fn send(&self, dest: Destination, call: &HttpCall) -> Result<HttpResponse, CallError> {
        match monoio::time::timeout(call.timeout, self.exchange(dest, call)).await {
            Ok(r) => r,
            Err(_) => Err(CallError::Timeout(format!(
                "The request to {} did not complete within {} seconds",
                call.url.display(),
                call.timeout.as_secs()
            ))),
        }
    }

    /// Sends `call` as a task of its own (`send-one-way-request`); its
    /// outcome is only logged. Beyond `max-in-flight` calls it is dropped.
    pub fn detach(&self, dest: Destination, call: HttpCall) {
        let inner = &self.0;
        if inner.detached.get() >= inner.max_detached {
            tracing::warn!(
                url = %call.url.display(),
                in_flight = inner.detached.get(),
                "send-one-way-request dropped: too many one-way requests in flight on this worker \
                 (policy.send-one-way.max-in-flight)"
            );
            return;
        }
        let bytes = call.body.len();
        if inner.detached_bytes.get().saturating_add(bytes) > DETACHED_BYTES_MAX {
            tracing::warn!(
                url = %call.url.display(),
                in_flight_bytes = inner.detached_bytes.get(),
                "send-one-way-request dropped: the one-way requests in flight on this worker hold \
                 {DETACHED_BYTES_MAX} bytes of bodies already"
            );
            return;
        }
        inner.detached.set(inner.detached.get() + 1);
        inner.detached_bytes.set(inner.detached_bytes.get() + bytes);
        let client = self.clone();
        let mut call = call;
        // Nobody reads a one-way answer: keep at most a little of it.
        call.body_max = call.body_max.min(DETACHED_ANSWER_MAX);
        monoio::spawn(async move {
            let result = client.send(dest, &call).await;
            let inner = &client.0;
            inner.detached.set(inner.detached.get().saturating_sub(1));
            inner
                .detached_bytes
                .set(inner.detached_bytes.get().saturating_sub(bytes));
            match result {
                Ok(r) => tracing::debug!(url = %call.url.display(), status = r.status, "one-way request answered"),
                Err(CallError::TooLarge(_)) => tracing::debug!(
                    url = %call.url.display(),
                    "one-way request answered with a large body (not read; connection closed)"
                ),
                Err(e) => tracing::info!(url = %call.url.display(), error = %e, "one-way request failed"),
            }
        });
    }

    /// One-way calls in flight on this worker.
    pub fn detached(&self) -> usize {
        self.0.detached.get()
    }

    async fn exchange(&self, mut dest: Destination, call: &HttpCall) -> Result<HttpResponse, CallError> {
        let mut request = write_request(call, &dest)?;
        let idempotent = matches!(
            call.method,
            http::Method::GET | http::Method::HEAD | http::Method::OPTIONS | http::Method::PUT | http::Method::DELETE
        );
        if let Some(conn) = self.0.pool.take(&dest.pool_key) {
            match self.roundtrip(conn, &mut request, call, &dest.pool_key).await {
                Err(Attempt::Stale(_)) if idempotent => {}
                Err(Attempt::Stale(e) | Attempt::Failed(e)) => return Err(e),
                Ok(r) => return Ok(r),
            }
        }
        if dest.addrs.is_empty() {
            dest.addrs = self
                .0
                .resolver
                .resolve(&dest.connect_host, dest.connect_port)
                .await
                .map_err(|e| CallError::Connection(format!("{e} ({})", call.url.display())))?;
        }
        let conn = self.connect(&dest, &call.url).await?;
        match self.roundtrip(conn, &mut request, call, &dest.pool_key).await {
            Ok(r) => Ok(r),
            Err(Attempt::Stale(e) | Attempt::Failed(e)) => Err(e),
        }
    }

    /// Opens a connection: TCP (to the origin or the proxy), the proxy's
    /// tunnel for https, then TLS.
    async fn connect(&self, dest: &Destination, url: &CallUrl) -> Result<Conn, CallError> {
        let at = format!("{}:{}", dest.connect_host, dest.connect_port);
        let mut last = CallError::Connection(format!("no address for {at}"));
        let mut stream = None;
        for &addr in &dest.addrs {
            match monoio::time::timeout(self.0.connect_timeout, TcpStream::connect_addr(addr)).await {
                Ok(Ok(s)) => {
                    let _ = s.set_nodelay(true);
                    stream = Some(s);
                    break;
                }
                Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                    last = CallError::Connection(format!("Connection refused ({at})"));
                }
                Ok(Err(e)) => last = CallError::Connection(format!("{e} ({at})")),
                Err(_) => last = CallError::Connection(format!("Connection timed out ({at})")),
            }
        }
        let Some(mut stream) = stream else {
            return Err(last);
        };
        if let (Some(auth), Some(_)) = (&dest.proxy, &dest.tls) {
            stream = tunnel(stream, url, auth.as_deref(), &self.0.limits).await?;
        }
        match &dest.tls {
            None => Ok(crate::server::io::tcp_conn(stream.into_split())),
            Some(tls) => crate::tls::client::connect(stream, tls)
                .await
                .map(crate::server::io::tls_conn)
                .map_err(|e| {
                    CallError::Connection(format!(
                        "The SSL connection could not be established with {}:{}: {e}",
                        url.host, url.port
                    ))
                }),
        }
    }

    /// Writes the request on `conn` and reads the response.
    async fn roundtrip(
        &self,
        (r, mut w): Conn,
        request: &mut Vec<u8>,
        call: &HttpCall,
        pool_key: &str,
    ) -> Result<HttpResponse, Attempt> {
        let broken = |e: String| CallError::Connection(format!("{e} ({})", call.url.display()));
        let (res, sent) = w.write_all(std::mem::take(request)).await;
        *request = sent;
        if let Err(e) = res {
            return Err(Attempt::Stale(broken(e.to_string())));
        }
        let mut rd = Buffered::new(r, READ_BUF);
        let mut head = ResponseHead::new();
        let was_head = call.method == http::Method::HEAD;
        loop {
            match head.parse(rd.data(), &self.0.limits, was_head) {
                Ok(true) if (100..200).contains(&head.status) && head.status != 101 => rd.consume(head.head_len),
                Ok(true) => break,
                Ok(false) => {}
                Err(e) => return Err(Attempt::Failed(broken(format!("invalid response head: {e}")))),
            }
            let fresh = rd.data().is_empty();
            match rd.fill().await {
                Ok(0) if fresh => return Err(Attempt::Stale(broken("the server closed the connection".into()))),
                Ok(0) => return Err(Attempt::Failed(broken("the server closed the connection".into()))),
                Ok(_) => {}
                Err(e) if fresh => return Err(Attempt::Stale(broken(e.to_string()))),
                Err(e) => return Err(Attempt::Failed(broken(e.to_string()))),
            }
        }
        let data = rd.data();
        let reason = String::from_utf8_lossy(head.reason.get(data)).into_owned();
        let headers: Vec<(String, String)> = head
            .headers
            .iter()
            .map(|h| {
                (
                    String::from_utf8_lossy(h.name.get(data)).into_owned(),
                    String::from_utf8_lossy(h.value.get(data)).into_owned(),
                )
            })
            .collect();
        rd.consume(head.head_len);
        let framing = if head.status == 101 {
            BodyFraming::None
        } else {
            head.framing
        };
        let body = read_all(&mut rd, framing, call.body_max, call.timeout, Side::Backend)
            .await
            .map_err(|e| match e {
                ProxyError::BackendBodyTooLarge => Attempt::Failed(CallError::TooLarge(format!(
                    "The response from {} is larger than policy.body.max-bytes ({} bytes)",
                    call.url.display(),
                    call.body_max
                ))),
                other => Attempt::Failed(broken(other.to_string())),
            })?;
        if head.keep_alive && head.status != 101 && framing != BodyFraming::UntilClose && rd.data().is_empty() {
            self.0.pool.put(pool_key, (rd.into_parts().0, w));
        }
        Ok(HttpResponse {
            status: head.status,
            reason,
            headers,
            body,
        })
    }
}

/// How a round trip failed: `Stale` when nothing came back on a
/// connection that may have been closed while idle (worth one more try).
enum Attempt {
    Stale(CallError),
    Failed(CallError),
}

/// The request bytes: head (the policy's fields, `Host`, the framing) and body.
fn write_request(call: &HttpCall, dest: &Destination) -> Result<Vec<u8>, CallError> {
    use std::fmt::Write as _;
    check_fields(call)?;
    let mut head = String::with_capacity(256 + call.headers.len() * 32);
    let absolute = dest.proxy.is_some() && dest.tls.is_none();
    let _ = write!(head, "{} ", call.method);
    if absolute {
        let _ = write!(head, "http://{}", call.url.host_header);
    }
    let _ = write!(head, "{} HTTP/1.1\r\n", call.url.target);
    if !call.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        let _ = write!(head, "Host: {}\r\n", call.url.host_header);
    }
    for (n, v) in &call.headers {
        let _ = write!(head, "{n}: {v}\r\n");
    }
    if let (true, Some(Some(auth))) = (absolute, &dest.proxy) {
        let _ = write!(head, "Proxy-Authorization: {auth}\r\n");
    }
    let bodiless = matches!(
        call.method,
        http::Method::GET | http::Method::HEAD | http::Method::DELETE
    );
    if !call.body.is_empty() || !bodiless {
        let _ = write!(head, "Content-Length: {}\r\n", call.body.len());
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(&call.body);
    Ok(out)
}

/// Refuses a request target or header field that would not stay one line
/// (CR, LF, NUL; spaces and controls in the target): values built by
/// expressions or copied from the request must never split the message on
/// a pooled connection.
fn check_fields(call: &HttpCall) -> Result<(), CallError> {
    let bad_target = call.url.target.bytes().any(|b| b <= b' ' || b == 0x7f);
    let bad_header = call.headers.iter().find(|(n, v)| {
        n.is_empty()
            || n.bytes().any(|b| b <= b' ' || b == b':' || b == 0x7f)
            || v.bytes().any(|b| b == b'\r' || b == b'\n' || b == 0)
    });
    if bad_target {
        return Err(CallError::Connection(
            "the request target holds spaces or control characters".into(),
        ));
    }
    if let Some((n, _)) = bad_header {
        return Err(CallError::Connection(format!(
            "header `{}` holds a line break or control character",
            n.escape_debug()
        )));
    }
    Ok(())
}

/// Asks an HTTP proxy for a tunnel to the call's origin (`CONNECT`).
async fn tunnel(
    mut stream: TcpStream,
    url: &CallUrl,
    auth: Option<&str>,
    limits: &HeadLimits,
) -> Result<TcpStream, CallError> {
    let origin = if url.host.contains(':') {
        format!("[{}]:{}", url.host, url.port)
    } else {
        format!("{}:{}", url.host, url.port)
    };
    let mut req = format!("CONNECT {origin} HTTP/1.1\r\nHost: {origin}\r\n");
    if let Some(a) = auth {
        req.push_str(&format!("Proxy-Authorization: {a}\r\n"));
    }
    req.push_str("\r\n");
    let failed = |why: String| CallError::Connection(format!("proxy tunnel to {origin}: {why}"));
    let (res, _) = stream.write_all(req.into_bytes()).await;
    res.map_err(|e| failed(e.to_string()))?;
    let mut got: Vec<u8> = Vec::new();
    let mut head = ResponseHead::new();
    loop {
        // Read byte-exact up to the end of the head: what follows is TLS.
        let (res, buf) = stream.read(vec![0u8; 1]).await;
        match res {
            Ok(1) => got.extend_from_slice(&buf),
            Ok(_) => return Err(failed("the proxy closed the connection".into())),
            Err(e) => return Err(failed(e.to_string())),
        }
        if got.ends_with(b"\r\n\r\n") {
            break;
        }
        if got.len() > CONNECT_HEAD_MAX {
            return Err(failed("the proxy's answer is too large".into()));
        }
    }
    match head.parse(&got, limits, true) {
        Ok(true) if (200..300).contains(&head.status) => Ok(stream),
        Ok(true) => Err(failed(format!("the proxy answered {}", head.status))),
        _ => Err(failed("the proxy's answer is not HTTP".into())),
    }
}

/// Where `call` goes, from the replica: a known target's addresses, TLS
/// options and pool, or the defaults for a host found at run time.
pub fn destination(replica: &Replica, call: &HttpCall) -> Result<Destination, CallError> {
    let url = &call.url;
    let target = url.known.and_then(|i| replica.targets.get(i)).or_else(|| {
        replica.targets.iter().find(|t| {
            matches!(&t.backend, BackendTarget::Http { tls, host, port, .. }
                if *tls == url.tls && *host == url.host && *port == url.port)
        })
    });
    let scheme = if url.tls { "https" } else { "http" };
    let (mut addrs, base_tls, mut pool_key) = match target {
        Some(t) => match &t.backend {
            BackendTarget::Http { addrs, pool_key, .. } => (addrs.clone(), t.backend_tls.as_ref(), pool_key.clone()),
            BackendTarget::Echo => (Vec::new(), None, String::new()),
        },
        None => (
            Vec::new(),
            replica.call_tls.as_ref(),
            format!("{scheme}://{}:{}", url.host, url.port),
        ),
    };
    let tls = match (url.tls, base_tls) {
        (false, _) => None,
        (true, None) => {
            return Err(CallError::Connection(format!(
                "no TLS client configuration for {}",
                url.display()
            )))
        }
        (true, Some(base)) => {
            let chosen = match call.client_cert {
                None => base,
                Some(i) => {
                    let v = base.with_cert(i).ok_or_else(|| {
                        CallError::Connection(format!("the client certificate is not prepared for {}", url.display()))
                    })?;
                    pool_key = match target {
                        Some(_) => v.pool_key.clone(),
                        None => format!(
                            "{pool_key}#cert={}",
                            replica.certs.all().get(i).map_or("", |c| c.thumbprint.as_str())
                        ),
                    };
                    &v.connector
                }
            };
            let server_name = match target {
                Some(_) => chosen.server_name.clone(),
                None => crate::tls::client::server_name(&url.host).map_err(CallError::Connection)?,
            };
            Some(BackendConnector {
                config: chosen.config.clone(),
                server_name,
                validates: chosen.validates,
                backend: chosen.backend.clone(),
                client_certs: Vec::new(),
            })
        }
    };
    let (connect_host, connect_port, proxy) = match &call.proxy {
        None => (url.host.clone(), url.port, None),
        Some(p) => {
            // Connections through a proxy are pooled apart, per proxy and
            // per credentials (a tunnel opened with one policy's
            // credentials is never lent to another's); the key holds a
            // digest of them, never the credentials.
            let creds = p.authorization.as_deref().map_or(0, |a| {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                a.hash(&mut h);
                h.finish()
            });
            pool_key = format!("proxy://{}/{creds:016x}/{pool_key}", p.url.host_header);
            addrs = p
                .url
                .known
                .and_then(|i| replica.targets.get(i))
                .and_then(|t| match &t.backend {
                    BackendTarget::Http { addrs, .. } => Some(addrs.clone()),
                    BackendTarget::Echo => None,
                })
                .unwrap_or_default();
            (p.url.host.clone(), p.url.port, Some(p.authorization.clone()))
        }
    };
    Ok(Destination {
        addrs,
        tls,
        pool_key,
        connect_host,
        connect_port,
        proxy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::effect::CallUrl;

    fn call(target: &str, headers: &[(&str, &str)]) -> HttpCall {
        HttpCall {
            method: http::Method::GET,
            url: CallUrl {
                tls: false,
                host: "127.0.0.1".into(),
                port: 80,
                host_header: "127.0.0.1".into(),
                target: target.into(),
                known: None,
            },
            headers: headers
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
            body: Vec::new(),
            timeout: Duration::from_secs(1),
            client_cert: None,
            bearer: None,
            proxy: None,
            body_max: 1024,
        }
    }

    #[test]
    fn fields_that_would_split_the_request_are_refused() {
        assert!(check_fields(&call("/a?b=c", &[("X-A", "one two")])).is_ok());
        for bad in [
            call("/a\r\nGET /smuggled HTTP/1.1", &[]),
            call("/a b", &[]),
            call("/", &[("X-A", "v\r\nX-Injected: 1")]),
            call("/", &[("X-A", "v\nX")]),
            call("/", &[("X-A", "v\0")]),
            call("/", &[("X A", "v")]),
            call("/", &[("X-A:", "v")]),
            call("/", &[("", "v")]),
        ] {
            assert!(matches!(check_fields(&bad), Err(CallError::Connection(_))), "{bad:?}");
        }
    }
}
