//! A real OpenID Provider for the tests: the certified `oidc-provider`
//! npm package (tests/oidc/provider.mjs), run by Node.js on 127.0.0.1 with
//! an ephemeral port. It serves discovery, JWKS and client-credentials JWT
//! access tokens (audience = the requested `resource`), and, for the tests
//! only, key rotation, arbitrary signed tokens, failure modes per path
//! (malformed, huge, error, slow) and per-path request counts.
//!
//! The Node packages are installed once per test process (`npm ci`) when
//! missing. The provider exits when its stdin closes (the test process or
//! the `Oidc` value ending): no orphans.

use super::gateway::TempDir;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

const START_TIMEOUT: Duration = Duration::from_secs(30);

fn oidc_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/oidc")
}

/// `npm ci` once per test process when the packages are missing.
fn ensure_installed() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        super::npm::ci_unless_installed(&oidc_dir(), "oidc-provider", "the OpenID provider tests");
    });
}

/// A client of the provider (client-credentials grant).
#[derive(Clone, Debug)]
pub struct Client {
    pub id: String,
    pub secret: String,
}

pub struct OidcBuilder {
    clients: Vec<Value>,
    ttl: u64,
}

impl OidcBuilder {
    /// A client authenticating with `client_secret_basic`/`_post`.
    pub fn client(self, id: &str, secret: &str) -> Self {
        self.client_with_claims(id, secret, json!(null))
    }

    /// A client whose tokens carry `claims` besides the standard ones
    /// (e.g. `{"roles": ["contributor"]}`).
    pub fn client_with_claims(mut self, id: &str, secret: &str, claims: Value) -> Self {
        let mut c = json!({
            "client_id": id,
            "client_secret": secret,
            "grant_types": ["client_credentials"],
            "redirect_uris": [],
            "response_types": [],
            "token_endpoint_auth_method": "client_secret_basic",
        });
        if !claims.is_null() {
            c["extra_claims"] = claims;
        }
        self.clients.push(c);
        self
    }

    /// Lifetime of the access tokens it issues (default 300 s).
    pub fn token_ttl(mut self, secs: u64) -> Self {
        self.ttl = secs;
        self
    }

    pub fn start(self) -> Oidc {
        ensure_installed();
        let dir = TempDir::new("oidc");
        let options = dir.0.join("options.json");
        let body = json!({ "clients": self.clients, "access_token_ttl": self.ttl });
        std::fs::write(&options, body.to_string()).expect("write oidc options");
        let mut child = Command::new("node")
            .arg(oidc_dir().join("provider.mjs"))
            .arg(&options)
            .current_dir(oidc_dir())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn node tests/oidc/provider.mjs");
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("provider stdout");
        // The first line is {"issuer": …}; read it on a thread so that a
        // provider that never prints fails the test after START_TIMEOUT.
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = match rx.recv_timeout(START_TIMEOUT) {
            Ok(line) => line,
            Err(_) => {
                let _ = child.kill();
                panic!("the OpenID provider did not start within {START_TIMEOUT:?}");
            }
        };
        let v: Value =
            serde_json::from_str(line.trim()).unwrap_or_else(|e| panic!("OpenID provider start line {line:?}: {e}"));
        let issuer = v["issuer"].as_str().expect("issuer").to_owned();
        Oidc {
            child: Some(child),
            _stdin: stdin,
            _dir: dir,
            issuer,
        }
    }
}

pub struct Oidc {
    child: Option<Child>,
    _stdin: Option<ChildStdin>,
    _dir: TempDir,
    /// `http://127.0.0.1:<port>` (no trailing slash): the `iss` of its tokens.
    pub issuer: String,
}

impl Oidc {
    pub fn builder() -> OidcBuilder {
        OidcBuilder {
            clients: Vec::new(),
            ttl: 300,
        }
    }

    /// `{issuer}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/jwks", self.issuer)
    }

    pub fn token_endpoint(&self) -> String {
        format!("{}/token", self.issuer)
    }

    /// A client-credentials access token for `client` (`resource` = its
    /// audience; the provider's default resource when `None`).
    pub fn token(&self, client: &Client, resource: Option<&str>) -> String {
        let mut form = vec![("grant_type", "client_credentials")];
        if let Some(r) = resource {
            form.push(("resource", r));
        }
        let auth = base64_basic(&client.id, &client.secret);
        let resp = ureq::post(&self.token_endpoint())
            .set("Authorization", &auth)
            .send_form(&form)
            .unwrap_or_else(|e| panic!("token request for {}: {e}", client.id));
        let v = json_of(resp);
        v["access_token"].as_str().expect("access_token").to_owned()
    }

    /// A compact JWS over `payload`, signed with the provider's current key
    /// for `alg` (`RS256` or `ES256`); `header` adds or overrides header
    /// fields (`kid`, `typ`…). For tokens the grant would not issue: other
    /// issuers, audiences, lifetimes, claims.
    pub fn sign(&self, payload: Value, header: Value, alg: &str) -> String {
        let body = json!({ "payload": payload, "header": header, "alg": alg });
        let v = self.admin_post("/_admin/sign", body);
        v["token"].as_str().expect("token").to_owned()
    }

    /// New signing keys; the old ones stay published when `keep`. Returns
    /// the new key ids.
    pub fn rotate(&self, keep: bool) -> Vec<String> {
        let path = if keep {
            "/_admin/rotate?keep=1"
        } else {
            "/_admin/rotate"
        };
        let v = self.admin_post(path, json!({}));
        v["kids"]
            .as_array()
            .map(|a| a.iter().filter_map(|k| k.as_str().map(str::to_owned)).collect())
            .unwrap_or_default()
    }

    /// How `path` (e.g. `/jwks`, `/.well-known/openid-configuration`,
    /// `/token`) answers from now on: `normal`, `malformed` (truncated
    /// JSON), `huge` (8 MiB), `error` (503), `slow` (`ms` delay, then normal).
    pub fn set_mode(&self, path: &str, mode: &str, ms: u64) {
        self.admin_post("/_admin/mode", json!({ "path": path, "mode": mode, "ms": ms }));
    }

    /// How many requests `path` has been sent (admin requests not counted).
    pub fn requests(&self, path: &str) -> u64 {
        let v = json_of(
            ureq::get(&format!("{}/_admin/stats", self.issuer))
                .call()
                .expect("oidc stats"),
        );
        v[path].as_u64().unwrap_or(0)
    }

    /// Stops the provider (an identity provider outage); its port may be
    /// taken by another process afterwards.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    fn admin_post(&self, path: &str, body: Value) -> Value {
        json_of(
            ureq::post(&format!("{}{path}", self.issuer))
                .set("Content-Type", "application/json")
                .send_string(&body.to_string())
                .unwrap_or_else(|e| panic!("oidc admin {path}: {e}")),
        )
    }
}

impl Drop for Oidc {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The JSON body of a response.
pub fn json_of(resp: ureq::Response) -> Value {
    let text = resp.into_string().expect("response body");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn base64_basic(id: &str, secret: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"))
    )
}
