//! HTTP plumbing (tiny_http, one thread per request, bounded), the admin
//! credential, and the gateway-facing endpoints:
//!
//! - `GET /gateway/config[?wait=S]` with `Authorization: GatewayKey …` and
//!   optional `If-None-Match: "N"` → 200 snapshot JSON + `ETag: "V"`, or 304
//!   when this gateway's content is unchanged since version N (long poll:
//!   held up to S ≤ 60 s, woken by every committed configuration write).
//! - `POST /gateway/heartbeat` → 204, stored per (gateway, instance).
//!
//! Invariants: `/mgmt` requires the admin bearer token (only its SHA-256 is
//! stored); gateway endpoints serve only the gateway named by a verified
//! token; every auth failure is a 401 with a fixed message; the admin token
//! is never logged; request bodies are capped at [`MAX_BODY`].

use std::collections::HashMap;
use std::io::Read;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use super::model::Heartbeat;
use super::store::Store;
use super::{api, bad, resources as res, snapshot, tokens, ControlPlaneOptions, MgmtError};

/// Largest accepted request body (OpenAPI documents can be big).
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// Concurrent requests (including held long polls) before answering 503.
const MAX_INFLIGHT: usize = 512;
const MAX_WAIT_SECS: u64 = 60;
const ADMIN_HASH_KEY: &str = "admin_token_sha256";
const GATEWAY_AUTH_FAILED: &str = "invalid or expired gateway token";

/// A request as the handlers see it.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Req {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response; `body` empty for 204/304.
pub struct Resp {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn json<T: Serialize + ?Sized>(status: u16, v: &T) -> Resp {
        let body = serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec());
        Resp {
            status,
            body,
            headers: vec![("Content-Type".into(), "application/json".into())],
        }
    }
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }
    pub fn with_status(mut self, status: u16) -> Resp {
        self.status = status;
        self
    }
    pub fn with_header(mut self, k: &str, v: String) -> Resp {
        self.headers.push((k.into(), v));
        self
    }
}

fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// (configuration version, content hash) of a snapshot served to a gateway.
type Served = (u64, [u8; 32]);

/// Shared server state.
pub struct State {
    pub store: Store,
    admin_hash: String,
    /// Content hashes this process served, per gateway: (version, hash), newest last.
    served: Mutex<HashMap<String, Vec<Served>>>,
}

impl State {
    fn remember(&self, gw: &str, version: u64, hash: [u8; 32]) {
        let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        let list = served.entry(gw.to_string()).or_default();
        if !list.iter().any(|(v, _)| *v == version) {
            list.push((version, hash));
            if list.len() > 32 {
                list.remove(0);
            }
        }
    }
    fn recall(&self, gw: &str, version: u64) -> Option<[u8; 32]> {
        let served = self.served.lock().unwrap_or_else(|p| p.into_inner());
        served.get(gw)?.iter().find(|(v, _)| *v == version).map(|(_, h)| *h)
    }
}

/// A provisioned admin token must be at least this long.
const MIN_PROVISIONED_TOKEN: usize = 32;

/// Ensures an admin token exists: on first start writes it to
/// `<data>/admin-token` (mode 0600) and stores only its hash. When that file
/// already exists on first start (an operator provisioned it, e.g. a
/// Kubernetes Secret mounted there), its token is adopted instead.
fn admin_hash(store: &Store, data_dir: &Path) -> Result<String, MgmtError> {
    if let Some(h) = store.setting(ADMIN_HASH_KEY)? {
        return Ok(h);
    }
    let path = data_dir.join("admin-token");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let token = text.trim();
        if token.len() < MIN_PROVISIONED_TOKEN || token.chars().any(char::is_whitespace) {
            return Err(MgmtError::Internal(format!(
                "{}: a provisioned admin token must be one word of at least {MIN_PROVISIONED_TOKEN} characters",
                path.display()
            )));
        }
        store.set_setting_if_absent(ADMIN_HASH_KEY, &tokens::sha256_hex(token))?;
        return store
            .setting(ADMIN_HASH_KEY)?
            .ok_or_else(|| MgmtError::Internal("admin token hash missing".into()));
    }
    let token = tokens::generate_admin_token();
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    let mut f = opts.open(&path)?;
    #[cfg(unix)]
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    std::io::Write::write_all(&mut f, format!("{token}\n").as_bytes())?;
    f.sync_all()?;
    store.set_setting_if_absent(ADMIN_HASH_KEY, &tokens::sha256_hex(&token))?;
    store
        .setting(ADMIN_HASH_KEY)?
        .ok_or_else(|| MgmtError::Internal("admin token hash missing".into()))
}

pub(crate) fn run(opts: ControlPlaneOptions) -> Result<(), MgmtError> {
    let store = Store::open(&opts.data_dir)?;
    let admin_hash = admin_hash(&store, &opts.data_dir)?;
    let bind_err = |e: String| MgmtError::Internal(format!("bind {}: {e}", opts.listen));
    // With TLS, the REST server listens on loopback only, behind the TLS front.
    let rest_addr = match &opts.tls {
        Some(_) => SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), 0),
        None => opts.listen,
    };
    let server = tiny_http::Server::http(rest_addr).map_err(|e| bind_err(e.to_string()))?;
    let mut addr = server
        .server_addr()
        .to_ip()
        .ok_or_else(|| MgmtError::Internal("listener has no IP address".into()))?;
    let mut scheme = "http";
    if let Some((cert, key)) = &opts.tls {
        let config = super::tls_front::server_config(cert, key)
            .map_err(|e| MgmtError::Internal(format!("TLS certificate: {e}")))?;
        let public = std::net::TcpListener::bind(opts.listen).map_err(|e| bind_err(e.to_string()))?;
        let inner = addr;
        addr = public.local_addr().map_err(|e| bind_err(e.to_string()))?;
        super::tls_front::spawn(public, inner, config).map_err(|e| bind_err(e.to_string()))?;
        scheme = "https";
    }
    let token_file = opts.data_dir.join("admin-token");
    println!(
        "outpost control-plane listening on {scheme}://{addr} (admin token in {})",
        token_file.display()
    );
    println!("{}", walkthrough(scheme, addr, &token_file));
    if let Some(ready) = opts.ready {
        ready(addr);
    }
    let state = Arc::new(State {
        store,
        admin_hash,
        served: Mutex::new(HashMap::new()),
    });
    let inflight = Arc::new(AtomicUsize::new(0));
    for rq in server.incoming_requests() {
        if inflight.fetch_add(1, Ordering::SeqCst) >= MAX_INFLIGHT {
            inflight.fetch_sub(1, Ordering::SeqCst);
            let err = MgmtError::Internal("too many concurrent requests".into());
            respond(rq, Resp::json(503, &err.to_json()));
            continue;
        }
        let (state, inflight) = (state.clone(), inflight.clone());
        std::thread::spawn(move || {
            serve(&state, rq);
            inflight.fetch_sub(1, Ordering::SeqCst);
        });
    }
    Ok(())
}

fn walkthrough(scheme: &str, addr: SocketAddr, token_file: &Path) -> String {
    let t = token_file.display();
    let expiry = tokens::format_iso(tokens::now_unix() + 29 * 86400);
    format!(
        r#"Quick start:
  ADMIN="Authorization: Bearer $(cat {t})"; CP={scheme}://{addr}/mgmt
  curl -H "$ADMIN" -X PUT $CP/gateways/gw1 -d '{{"description":"first gateway"}}'
  curl -H "$ADMIN" -X PUT $CP/apis/echo -d '{{"displayName":"Echo API","path":"echo","serviceUrl":"echo://"}}'
  curl -H "$ADMIN" -X PUT $CP/apis/echo/operations/get -d '{{"method":"GET","urlTemplate":"/*"}}'
  curl -H "$ADMIN" -X PUT $CP/gateways/gw1/apis/echo
  curl -H "$ADMIN" -X POST $CP/gateways/gw1/generateToken -d '{{"keyType":"primary","expiry":"{expiry}"}}'
  OUTPOST_CONFIG_SERVICE_ENDPOINT={scheme}://{addr} OUTPOST_CONFIG_SERVICE_AUTH="<value from generateToken>" OUTPOST_CONFIG_BACKUP_PATH=./outpost-backup outpost gateway"#
    )
}

fn respond(rq: tiny_http::Request, resp: Resp) {
    let mut out = tiny_http::Response::from_data(resp.body).with_status_code(resp.status);
    for (k, v) in resp.headers {
        if let Ok(h) = tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()) {
            out.add_header(h);
        }
    }
    // The client may have gone away; nothing useful to do about it.
    let _ = rq.respond(out);
}

fn serve(state: &State, mut rq: tiny_http::Request) {
    let resp = to_req(&mut rq).and_then(|req| route(state, &req)).unwrap_or_else(|e| {
        let (status, _) = e.status_and_code();
        if status == 500 {
            eprintln!(
                "outpost control-plane: {} {}: {e}",
                rq.method(),
                rq.url().split('?').next().unwrap_or("")
            );
        }
        Resp::json(status, &e.to_json())
    });
    respond(rq, resp);
}

fn to_req(rq: &mut tiny_http::Request) -> Result<Req, MgmtError> {
    let mut body = Vec::new();
    rq.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut body)?;
    if body.len() > MAX_BODY {
        return Err(MgmtError::PayloadTooLarge);
    }
    let url = rq.url().to_string();
    let (path, query) = url.split_once('?').unwrap_or((&url, ""));
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect();
    let headers: Vec<(String, String)> = rq
        .headers()
        .iter()
        .map(|h| (h.field.as_str().to_string(), h.value.as_str().to_string()))
        .collect();
    let content_type = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    Ok(Req {
        method: rq.method().as_str().to_ascii_uppercase(),
        path: path.to_string(),
        query,
        headers,
        content_type,
        body,
    })
}

/// Routes one request (public for in-process tests).
pub fn route(state: &State, req: &Req) -> Result<Resp, MgmtError> {
    let decoded: Vec<String> = req
        .path
        .trim_matches('/')
        .split('/')
        .map(|s| percent_decode(s, false))
        .collect();
    let segs: Vec<&str> = decoded.iter().map(String::as_str).collect();
    match segs.as_slice() {
        ["mgmt", rest @ ..] => {
            check_admin(state, req)?;
            api::handle(&state.store, req, rest)
        }
        ["gateway", "config"] if req.method == "GET" => gateway_config(state, req),
        ["gateway", "heartbeat"] if req.method == "POST" => heartbeat(state, req),
        _ => Err(MgmtError::NotFound(format!("no route for {} {}", req.method, req.path))),
    }
}

fn check_admin(state: &State, req: &Req) -> Result<(), MgmtError> {
    let presented = req
        .header("Authorization")
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim);
    match presented {
        Some(t) if tokens::ct_eq(tokens::sha256_hex(t).as_bytes(), state.admin_hash.as_bytes()) => Ok(()),
        _ => Err(MgmtError::Unauthorized("a valid admin bearer token is required".into())),
    }
}

/// Verifies the `GatewayKey` token; returns the gateway id it names.
fn check_gateway(state: &State, req: &Req) -> Result<String, MgmtError> {
    let fail = || MgmtError::Unauthorized(GATEWAY_AUTH_FAILED.into());
    let token = req
        .header("Authorization")
        .and_then(tokens::parse_token)
        .ok_or_else(fail)?;
    let (primary, secondary) = state
        .store
        .read(|c| res::gateway_keys(c, &token.gateway_id))?
        .ok_or_else(fail)?;
    if tokens::verify(&token, &primary, &secondary, tokens::now_unix()) {
        Ok(token.gateway_id)
    } else {
        Err(fail())
    }
}

fn parse_etag(v: &str) -> Option<u64> {
    let v = v.trim();
    let v = v.strip_prefix("W/").unwrap_or(v);
    v.trim_matches('"').parse().ok()
}

fn gateway_config(state: &State, req: &Req) -> Result<Resp, MgmtError> {
    let gw = check_gateway(state, req)?;
    let wait = match req.query("wait") {
        None => 0,
        Some(w) => w
            .parse::<u64>()
            .map_err(|_| bad("wait must be a number of seconds (0-60)"))?
            .min(MAX_WAIT_SECS),
    };
    let known = req.header("If-None-Match").and_then(parse_etag);
    let known_hash = known.and_then(|n| state.recall(&gw, n));
    let deadline = Instant::now() + Duration::from_secs(wait);
    loop {
        let snap = state.store.read(|c| snapshot::build(c, &gw)).map_err(|e| match e {
            MgmtError::NotFound(_) => MgmtError::Unauthorized(GATEWAY_AUTH_FAILED.into()),
            other => other,
        })?;
        let hash = snap.content_hash();
        state.remember(&gw, snap.version, hash);
        let etag = format!("\"{}\"", snap.version);
        let unchanged = known == Some(snap.version) || (known_hash.is_some() && known_hash == Some(hash));
        if !unchanged {
            return Ok(Resp::json(200, &snap).with_header("ETag", etag));
        }
        if Instant::now() >= deadline {
            return Ok(Resp::empty(304).with_header("ETag", etag));
        }
        state.store.wait_for_version_change(snap.version, deadline);
    }
}

fn heartbeat(state: &State, req: &Req) -> Result<Resp, MgmtError> {
    let gw = check_gateway(state, req)?;
    let hb: Heartbeat = api::parse_json(&req.body)?;
    model_check(&hb)?;
    state
        .store
        .write_status(|c| res::record_heartbeat(c, &gw, &hb, tokens::now_unix()))?;
    Ok(Resp::empty(204))
}

fn model_check(hb: &Heartbeat) -> Result<(), MgmtError> {
    if hb.instance_id.is_empty() || hb.instance_id.len() > 256 {
        return Err(bad("instanceId must be 1-256 characters"));
    }
    let long = [&hb.hostname, &hb.version, &hb.last_error, &hb.token_expiry]
        .into_iter()
        .flatten()
        .any(|s| s.len() > 4096);
    if long || hb.requests.as_ref().is_some_and(|r| r.to_string().len() > 64 * 1024) {
        return Err(bad("heartbeat field too long"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers() {
        assert_eq!(percent_decode("a%20b+c%2", true), "a b c%2");
        assert_eq!(percent_decode("a+b", false), "a+b");
        assert_eq!(parse_etag("W/\"12\""), Some(12));
        assert_eq!(parse_etag("\"x\""), None);
    }

    #[test]
    fn provisioned_admin_tokens_are_adopted_and_weak_ones_refused() {
        let dir = std::env::temp_dir().join(format!("outpost-admin-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("admin-token"), "short\n").unwrap();
        let store = Store::open(&dir).unwrap();
        assert!(admin_hash(&store, &dir).is_err(), "a short token is refused");
        let token = "x".repeat(MIN_PROVISIONED_TOKEN);
        std::fs::write(dir.join("admin-token"), format!("{token}\n")).unwrap();
        assert_eq!(admin_hash(&store, &dir).unwrap(), tokens::sha256_hex(&token));
        // Once adopted, the stored hash wins over later file contents.
        std::fs::write(dir.join("admin-token"), "y".repeat(40)).unwrap();
        assert_eq!(admin_hash(&store, &dir).unwrap(), tokens::sha256_hex(&token));
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
