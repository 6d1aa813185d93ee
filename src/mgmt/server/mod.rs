//! HTTP plumbing (our own blocking HTTP/1.1 server: one thread per
//! connection, bounded, keep-alive with an idle timeout), the admin
//! credential, and the gateway-facing endpoints:
//!
//! - `GET /gateway/config[?wait=S]` with `Authorization: GatewayKey …` and
//!   optional `If-None-Match: "N"` → 200 snapshot JSON + `ETag: "V"`, or 304
//!   when this gateway's content is unchanged since version N (long poll:
//!   held up to S ≤ 60 s, woken by every committed configuration write).
//! - `POST /gateway/heartbeat` → 204, stored per (gateway, instance).
//!
//! Invariants: `/mgmt` requires the admin bearer token (only its SHA-256 is
//! stored) or an administrators' OAuth2 token (reader: GET only, 403
//! otherwise; contributor: everything); every `/mgmt` write is audited as
//! its principal; gateway endpoints serve only the gateway named by a
//! verified `GatewayKey` token, or by a verified OAuth2 token whose client
//! id is mapped to that gateway; every `GatewayKey` failure is a 401 with a
//! fixed message; no token is ever logged; request bodies are capped at
//! [`MAX_BODY`].
//!
//! Layout: this module owns the server loop, the shared state, the admin
//! credential and the router; `conn` is the transport (accept loop,
//! connection bound, keep-alive, response framing) and `wire` reads
//! requests off a socket (head, body framing, size and time limits);
//! `http` holds the handlers' [`Req`]/[`Resp`] (query decoding); `gateway` serves
//! the gateway-facing endpoints (token check, long-polled snapshots with
//! their ETags, heartbeats).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::audit::AuditContext;
use super::oauth::OAuth;
use super::principal::Principal;
use super::store::Store;
use super::{api, tokens, ControlPlaneOptions, MgmtError};

mod conn;
#[cfg(test)]
mod conn_tests;
pub(crate) mod gateway;
mod http;
mod wire;

use gateway::{gateway_config, heartbeat};
pub(crate) use http::percent_decode;
pub use http::{Req, Resp};

/// Largest accepted request body (OpenAPI documents can be big).
pub const MAX_BODY: usize = 8 * 1024 * 1024;
/// Concurrent connections (each may hold a long poll) before answering 503.
const MAX_CONNECTIONS: usize = 512;
/// How long a kept-alive connection may wait for its next request. Longer
/// than the gateways' heartbeat period (60 s by default), so their pooled
/// connections are rarely closed under them; a held long poll (≤ 60 s) is
/// not idle time.
const IDLE_TIMEOUT: Duration = Duration::from_secs(90);

/// The transport's bounds in production.
fn limits() -> conn::Limits {
    conn::Limits {
        max_connections: MAX_CONNECTIONS,
        idle_timeout: IDLE_TIMEOUT,
        head_timeout: Duration::from_secs(10),
        io_timeout: Duration::from_secs(30),
        max_head: 64 * 1024,
        max_uri: 16 * 1024,
        max_body: MAX_BODY,
    }
}
const ADMIN_HASH_KEY: &str = "admin_token_sha256";

/// (configuration version, content hash) of a snapshot served to a gateway.
type Served = (u64, [u8; 32]);

/// Shared server state.
pub struct State {
    pub store: Store,
    admin_hash: String,
    /// OAuth2 authorities of administrators and gateways.
    pub oauth: OAuth,
    /// Content hashes this process served, per gateway: (version, hash), newest last.
    served: Mutex<HashMap<String, Vec<Served>>>,
    /// When stored metrics were last pruned (Unix seconds).
    pub(crate) metrics_pruned: std::sync::atomic::AtomicI64,
    /// The console's sign-in sessions.
    pub(crate) console: super::console::session::Sessions,
    /// Console cookies are `Secure` (the management plane serves HTTPS).
    pub(crate) secure_cookies: bool,
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
    let listener = std::net::TcpListener::bind(rest_addr).map_err(|e| bind_err(e.to_string()))?;
    let mut addr = listener.local_addr().map_err(|e| bind_err(e.to_string()))?;
    let mut scheme = "http";
    if let Some((cert, key)) = &opts.tls {
        let config = super::tls_front::server_config(cert, key)
            .map_err(|e| MgmtError::Internal(format!("TLS certificate: {e}")))?;
        let public = std::net::TcpListener::bind(opts.listen).map_err(|e| bind_err(e.to_string()))?;
        let inner = addr;
        addr = public.local_addr().map_err(|e| bind_err(e.to_string()))?;
        super::tls_front::spawn(public, inner, config, Default::default()).map_err(|e| bind_err(e.to_string()))?;
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
        oauth: OAuth::start(&opts.auth)?,
        served: Mutex::new(HashMap::new()),
        metrics_pruned: Default::default(),
        console: Default::default(),
        secure_cookies: opts.tls.is_some(),
    });
    conn::serve_listener(listener, limits(), Arc::new(move |req| serve(&state, req)));
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

fn serve(state: &State, req: Req) -> Resp {
    route(state, &req).unwrap_or_else(|e| {
        let (status, _) = e.status_and_code();
        if status == 500 {
            eprintln!("outpost control-plane: {} {}: {e}", req.method, req.path);
        }
        Resp::json(status, &e.to_json())
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
            let principal = authenticate_admin(state, req)?;
            principal.authorize(&req.method)?;
            if req.method == "GET" || req.method == "HEAD" {
                return api::handle(&state.store, req, rest);
            }
            // Every configuration write of this request is audited as this
            // principal (the store records it in the write's transaction).
            let ctx = AuditContext {
                principal,
                method: req.method.clone(),
                resource: format!("/{}", rest.join("/")),
            };
            api::handle(&state.store.audited(ctx), req, rest)
        }
        ["console", rest @ ..] => super::console::handle(state, req, rest),
        ["gateway", "config"] if req.method == "GET" => gateway_config(state, req),
        ["gateway", "heartbeat"] if req.method == "POST" => heartbeat(state, req),
        _ => Err(MgmtError::NotFound(format!("no route for {} {}", req.method, req.path))),
    }
}

/// The admin token, else an administrators' OAuth2 token (when enabled).
pub(crate) fn authenticate_admin(state: &State, req: &Req) -> Result<Principal, MgmtError> {
    match req.header("Authorization").and_then(bearer) {
        Some(t) => principal_for_token(state, t),
        None => Err(MgmtError::Unauthorized("a valid admin bearer token is required".into())),
    }
}

/// Who a presented admin credential is: the admin token, else an
/// administrators' OAuth2 token (when enabled).
pub(crate) fn principal_for_token(state: &State, t: &str) -> Result<Principal, MgmtError> {
    if tokens::ct_eq(tokens::sha256_hex(t).as_bytes(), state.admin_hash.as_bytes()) {
        Ok(Principal::admin_token())
    } else if state.oauth.admin.is_some() {
        state.oauth.admin_principal(t)
    } else {
        Err(MgmtError::Unauthorized("a valid admin bearer token is required".into()))
    }
}

/// The token of `Authorization: Bearer <token>` (scheme case-insensitive).
pub(super) fn bearer(h: &str) -> Option<&str> {
    let (scheme, token) = h.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

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
