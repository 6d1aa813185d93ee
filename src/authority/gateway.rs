//! The gateway's own OAuth2 identity towards its management plane
//! (`config.service.auth=azureAdApp`): a token source shared by the two
//! sync threads (configuration and heartbeat), behind a mutex — they are
//! blocking threads off the request path, and the mutex makes them share
//! one token and one refresh.
//!
//! Fail static: when the authority is down, the cached token is sent
//! until it expires; then calls fail like a refused gateway token and the
//! gateway keeps serving its last configuration (`sync`'s rules).

use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::http::Http;
use super::identity::Identity;
use super::source::TokenSource;

pub struct GatewayToken {
    client_id: String,
    source: Mutex<TokenSource>,
}

impl std::fmt::Debug for GatewayToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayToken").field("client_id", &self.client_id).finish()
    }
}

impl GatewayToken {
    /// Tokens of `identity` for `audience` (`config.service.auth.tokenAudience`).
    pub fn new(identity: Identity, audience: String, timeout: Duration) -> GatewayToken {
        GatewayToken {
            client_id: identity.client_id.clone(),
            source: Mutex::new(TokenSource::new(Http::new(timeout), identity, audience)),
        }
    }

    /// The identity the heartbeat reports (the application's client id).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `Bearer <token>` and the token's expiry (blocking: may fetch).
    pub fn authorization(&self) -> Result<(String, SystemTime), String> {
        let mut s = self.source.lock().unwrap_or_else(|e| e.into_inner());
        let (t, _) = s.get()?;
        Ok((format!("Bearer {}", t.value), t.expires))
    }
}
