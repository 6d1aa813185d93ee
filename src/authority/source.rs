//! A token source: one identity's tokens for one resource, cached until
//! shortly before they expire, refreshed ahead of expiry, and kept when
//! the authority fails (fail static) until they expire.
//!
//! Used by the fetch thread (one per `(identity, resource)` a policy asked
//! for) and, behind a mutex, by the management-plane sync threads (the
//! gateway's own `azureAdApp` identity). Blocking: never on a worker.
//!
//! Invariants: a token handed out is unexpired (its `expires` is the
//! authority's expiry minus [`EARLY`], at most a tenth of its lifetime);
//! after a failure the authority is not asked again before the back-off
//! ([`BACKOFF_MIN`] doubling to [`BACKOFF_MAX`]) has passed.

use std::time::{Duration, Instant, SystemTime};

use super::http::{Http, SMALL_MAX};
use super::identity::{Endpoint, Identity};
use super::Token;

/// Tokens are treated as expired this long before the authority's expiry.
pub const EARLY: Duration = Duration::from_secs(30);
pub const BACKOFF_MIN: Duration = Duration::from_secs(5);
pub const BACKOFF_MAX: Duration = Duration::from_secs(60);

pub struct TokenSource {
    http: Http,
    pub identity: Identity,
    pub resource: String,
    token: Option<Token>,
    /// When to fetch a new one ahead of expiry (¾ of the lifetime).
    refresh_at: SystemTime,
    retry_at: Option<Instant>,
    backoff: Duration,
    last_error: Option<String>,
    /// The discovered token endpoint of an [`Endpoint::Issuer`].
    discovered: Option<String>,
}

impl TokenSource {
    pub fn new(http: Http, identity: Identity, resource: String) -> TokenSource {
        TokenSource {
            http,
            identity,
            resource,
            token: None,
            refresh_at: SystemTime::UNIX_EPOCH,
            retry_at: None,
            backoff: BACKOFF_MIN,
            last_error: None,
            discovered: None,
        }
    }

    /// The cached token while it is unexpired.
    pub fn cached(&self) -> Option<&Token> {
        self.token.as_ref().filter(|t| t.valid_at(SystemTime::now()))
    }

    /// Whether a refresh is due (ahead of expiry, back-off respected).
    pub fn due(&self) -> bool {
        self.token.is_some()
            && SystemTime::now() >= self.refresh_at
            && self.retry_at.is_none_or(|r| Instant::now() >= r)
    }

    /// A usable token: the cached one before its refresh time, else a new
    /// one; when the authority fails, the cached one while it lasts.
    /// `Ok((token, new))`: `new` when it was just fetched.
    pub fn get(&mut self) -> Result<(Token, bool), String> {
        let now = SystemTime::now();
        if let Some(t) = self.cached() {
            if now < self.refresh_at {
                return Ok((t.clone(), false));
            }
        }
        if self.retry_at.is_some_and(|r| Instant::now() < r) {
            return match self.cached() {
                Some(t) => Ok((t.clone(), false)),
                None => Err(self.last_error.clone().unwrap_or_else(|| "the authority failed".into())),
            };
        }
        match self.fetch() {
            Ok(t) => Ok((t, true)),
            Err(e) => match self.cached() {
                Some(t) => {
                    tracing::warn!(identity = %self.identity.name, resource = %self.resource, error = %e,
                        "token refresh failed; the cached token is used until it expires");
                    Ok((t.clone(), false))
                }
                None => Err(e),
            },
        }
    }

    /// Fetches a new token now (recording a failure's back-off).
    pub fn fetch(&mut self) -> Result<Token, String> {
        let started = SystemTime::now();
        let result = self
            .token_url()
            .and_then(|url| super::token::request(&self.http, &self.identity, &url, &self.resource));
        match result {
            Ok(mut t) => {
                let lifetime = t.expires.duration_since(started).unwrap_or_default();
                t.expires = t
                    .expires
                    .checked_sub(EARLY.min(lifetime / 10))
                    .unwrap_or(t.expires);
                self.refresh_at = started + lifetime * 3 / 4;
                self.token = Some(t.clone());
                self.retry_at = None;
                self.backoff = BACKOFF_MIN;
                self.last_error = None;
                tracing::info!(identity = %self.identity.name, client_id = %self.identity.client_id,
                    resource = %self.resource, lifetime_secs = lifetime.as_secs(), "OAuth2 token obtained");
                Ok(t)
            }
            Err(e) => {
                self.retry_at = Some(Instant::now() + self.backoff);
                self.backoff = (self.backoff * 2).min(BACKOFF_MAX);
                self.last_error = Some(e.clone());
                tracing::warn!(identity = %self.identity.name, client_id = %self.identity.client_id,
                    resource = %self.resource, error = %e, "OAuth2 token request failed");
                Err(e)
            }
        }
    }

    fn token_url(&mut self) -> Result<String, String> {
        match &self.identity.endpoint {
            Endpoint::Url(u) | Endpoint::Entra { token_url: u } => Ok(u.clone()),
            Endpoint::Issuer(issuer) => {
                if let Some(u) = &self.discovered {
                    return Ok(u.clone());
                }
                let url = format!("{issuer}/.well-known/openid-configuration");
                let doc = self
                    .http
                    .get(&url, SMALL_MAX)
                    .map_err(|e| format!("discovery document {url}: {e}"))?;
                let v: serde_json::Value =
                    serde_json::from_slice(&doc.bytes).map_err(|_| format!("discovery document {url}: not JSON"))?;
                let t = v
                    .get("token_endpoint")
                    .and_then(|t| t.as_str())
                    .filter(|t| t.starts_with("https://") || t.starts_with("http://"))
                    .ok_or_else(|| format!("discovery document {url}: no token_endpoint"))?
                    .to_owned();
                self.discovered = Some(t.clone());
                Ok(t)
            }
        }
    }
}
