//! The fetch thread (`outpost-authority`): fetches and refreshes every
//! OpenID provider's keys and every token source, answers the workers'
//! asks, and pushes what changed to every worker (`WorkerMsg::Authority`).
//!
//! Schedule: a provider named by the configuration is fetched when the
//! configuration is applied, then again when its keys go stale (cache
//! headers, bounded: `openid`), and retried every [`REFRESH_MIN`] after a
//! failure. An ask for keys is answered from memory when the worker's copy
//! is older than the thread's or it has none; when the worker holds the
//! thread's current keys (it met an unknown `kid`) or the thread has none,
//! it refetches — at most once per [`REFRESH_MIN`] per URL
//! ([`refetch_on_ask`]), so a flood of tokens with made-up `kid`s costs
//! the provider one request a minute. A token source is created
//! by the first ask for its `(identity, resource)` and then refreshed
//! ahead of expiry on the thread's own tick, off the request path.
//!
//! Invariants: the last good keys are kept whatever a refetch gives (an
//! error, a malformed or huge document: refused and logged); good keys are
//! persisted beside the configuration backup (`store`) and loaded at
//! start; at most [`MAX_SOURCES`] token sources and [`MAX_PROVIDERS`]
//! providers; a slow provider delays only this thread (its exchanges are
//! bounded by `authority.fetch.timeout`; asks are bounded by the workers'
//! own wait).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use crossbeam_channel::{select, Receiver, Sender};

use super::ask::Asked;
use super::http::Http;
use super::identity::Identity;
use super::source::TokenSource;
use super::{Answer, AuthorityError, OpenIdKeys, Update, Want, REFRESH_MIN};
use crate::worker::WorkerMsg;

pub const MAX_PROVIDERS: usize = 1000;
/// Providers first named by a request (an `openid-config url` computed
/// from request data) rather than by the configuration: at most this many
/// are kept, the least recently asked one making room for a new one, so
/// URLs built from client input cannot grow the thread's work, memory or
/// backup without bound.
pub const MAX_ON_DEMAND: usize = 32;
pub const MAX_SOURCES: usize = 1000;
const TICK: Duration = Duration::from_secs(1);

/// What the fetch thread needs.
pub struct Spec {
    pub asked: Receiver<Asked>,
    pub workers: Vec<Sender<WorkerMsg>>,
    pub identities: Vec<Identity>,
    /// `config.backup.path`: where the keys are persisted.
    pub backup_dir: Option<PathBuf>,
    /// `authority.fetch.timeout`.
    pub fetch_timeout: Duration,
}

/// The control thread's handle: the URLs of each applied configuration.
#[derive(Clone)]
pub struct Handle {
    urls: Sender<Vec<String>>,
}

impl Handle {
    /// The discovery URLs the applied configuration names (fetched now
    /// when new).
    pub fn watch(&self, urls: &[String]) {
        let _ = self.urls.send(urls.to_vec());
    }
}

/// Starts the fetch thread.
pub fn spawn(spec: Spec) -> std::io::Result<Handle> {
    let (tx, rx) = crossbeam_channel::unbounded();
    let mut f = Fetcher::new(spec);
    std::thread::Builder::new()
        .name("outpost-authority".into())
        .spawn(move || f.run(rx))?;
    Ok(Handle { urls: tx })
}

struct Provider {
    keys: Option<OpenIdKeys>,
    jwks: Vec<u8>,
    /// When the keys go stale (or the next try after a failure).
    due: Instant,
    /// The last refetch an ask caused (the unknown-`kid` rate limit).
    asked_refetch: Option<Instant>,
    last_error: Option<String>,
    /// First named by a request, not by the configuration: `Some(last ask)`.
    on_demand: Option<Instant>,
}

impl Provider {
    fn new(keys: Option<OpenIdKeys>, jwks: Vec<u8>, due: Instant) -> Provider {
        Provider {
            keys,
            jwks,
            due,
            asked_refetch: None,
            on_demand: None,
            last_error: None,
        }
    }
}

/// Whether an ask for a provider's keys refetches them: not when the
/// thread has keys newer than the worker's (`held`) or the worker has none
/// (the thread's copy is what it lacks); otherwise (the worker holds the
/// thread's keys and met an unknown `kid`, or the thread has none) at most
/// once per [`REFRESH_MIN`] since the last refetch an ask caused.
pub fn refetch_on_ask(
    have: Option<SystemTime>,
    held: Option<SystemTime>,
    last_asked: Option<Instant>,
    now: Instant,
) -> bool {
    if let Some(have) = have {
        if held.is_none_or(|w| w < have) {
            return false;
        }
    }
    last_asked.is_none_or(|t| now.saturating_duration_since(t) >= REFRESH_MIN)
}

struct Fetcher {
    http: Http,
    asked: Receiver<Asked>,
    workers: Vec<Sender<WorkerMsg>>,
    identities: Vec<Identity>,
    backup_dir: Option<PathBuf>,
    providers: HashMap<String, Provider>,
    /// (the ask's identity, resource) → source.
    sources: HashMap<(String, String), TokenSource>,
}

impl Fetcher {
    fn new(spec: Spec) -> Fetcher {
        let mut f = Fetcher {
            http: Http::new(spec.fetch_timeout),
            asked: spec.asked,
            workers: spec.workers,
            identities: spec.identities,
            backup_dir: spec.backup_dir,
            providers: HashMap::new(),
            sources: HashMap::new(),
        };
        if let Some(dir) = f.backup_dir.clone() {
            let saved = super::store::read(&dir);
            let mut answers = Vec::new();
            for s in saved {
                let due = super::openid::FRESH_DEFAULT
                    .checked_sub(super::store::age(&s.keys))
                    .unwrap_or_default();
                tracing::info!(url = %s.keys.url, issuer = %s.keys.issuer, "OpenID keys loaded from the backup");
                answers.push(Answer::OpenId(s.keys.clone()));
                f.providers.insert(
                    s.keys.url.clone(),
                    Provider::new(Some(s.keys), s.jwks, Instant::now() + due),
                );
            }
            f.broadcast(answers);
        }
        f
    }

    fn run(&mut self, urls: Receiver<Vec<String>>) {
        let ticker = crossbeam_channel::tick(TICK);
        let asked = self.asked.clone();
        loop {
            select! {
                recv(asked) -> a => match a {
                    Ok(a) => self.answer(a, Instant::now()),
                    Err(_) => return,
                },
                recv(urls) -> u => match u {
                    Ok(u) => self.watch(u, Instant::now()),
                    Err(_) => return,
                },
                recv(ticker) -> _ => self.tick(Instant::now()),
            }
        }
    }

    fn broadcast(&self, answers: Vec<Answer>) {
        if answers.is_empty() {
            return;
        }
        let update = Update { answers };
        for w in &self.workers {
            let _ = w.send(WorkerMsg::Authority(Box::new(update.clone())));
        }
    }

    fn watch(&mut self, urls: Vec<String>, now: Instant) {
        let mut new = Vec::new();
        for u in urls {
            if !self.providers.contains_key(&u) && self.providers.len() < MAX_PROVIDERS {
                self.providers.insert(u.clone(), Provider::new(None, Vec::new(), now));
                new.push(u);
            }
        }
        for u in new {
            self.refresh(&u, now);
        }
    }

    fn tick(&mut self, now: Instant) {
        let due: Vec<String> = self
            .providers
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for u in due {
            self.refresh(&u, now);
        }
        let mut answers = Vec::new();
        for ((who, resource), s) in self.sources.iter_mut() {
            if s.due() {
                if let Ok(token) = s.fetch() {
                    answers.push(Answer::Token {
                        identity: who.clone(),
                        resource: resource.clone(),
                        token,
                    });
                }
            }
        }
        self.broadcast(answers);
    }

    /// Fetches `url`'s keys now; keeps the last good ones on failure.
    fn refresh(&mut self, url: &str, now: Instant) {
        let result = super::openid::fetch(&self.http, url);
        let Some(p) = self.providers.get_mut(url) else { return };
        match result {
            Ok(f) => {
                tracing::info!(url, issuer = %f.keys.issuer, fresh_secs = f.fresh_for.as_secs(), "OpenID keys fetched");
                p.due = now + f.fresh_for;
                p.keys = Some(f.keys.clone());
                p.jwks = f.jwks;
                p.last_error = None;
                self.persist();
                self.broadcast(vec![Answer::OpenId(f.keys)]);
            }
            Err(e) => {
                tracing::warn!(url, error = %e, kept = p.keys.is_some(), "OpenID keys not refreshed; the last good keys (if any) stay in use");
                p.due = now + REFRESH_MIN;
                p.last_error = Some(e);
            }
        }
    }

    fn persist(&self) {
        let Some(dir) = &self.backup_dir else { return };
        let all: Vec<(&OpenIdKeys, &[u8])> = self
            .providers
            .values()
            .filter_map(|p| p.keys.as_ref().map(|k| (k, p.jwks.as_slice())))
            .collect();
        if let Err(e) = super::store::write(dir, &all) {
            tracing::error!(path = %super::store::path(dir).display(), error = %e, "OpenID keys backup not written");
        }
    }

    fn answer(&mut self, asked: Asked, now: Instant) {
        let r = match &asked.want {
            Want::OpenId { url } => self.openid(url, asked.held, now),
            Want::Token { identity, resource } => self.token(identity, resource),
        };
        asked.answer(r);
    }

    /// Drops the least recently asked on-demand provider when
    /// [`MAX_ON_DEMAND`] are held (its keys go from the workers' next
    /// asks; they are fetched again if it is asked for again).
    fn make_room_on_demand(&mut self) {
        let on_demand = self.providers.values().filter(|p| p.on_demand.is_some()).count();
        if on_demand < MAX_ON_DEMAND {
            return;
        }
        let oldest = self
            .providers
            .iter()
            .filter_map(|(u, p)| p.on_demand.map(|t| (t, u.clone())))
            .min();
        if let Some((_, url)) = oldest {
            tracing::info!(url = %url, "forgetting the least recently used OpenID provider named by requests");
            self.providers.remove(&url);
        }
    }

    /// Answers an ask for `url`'s keys (`held`: the worker's, see
    /// [`refetch_on_ask`]).
    fn openid(&mut self, url: &str, held: Option<SystemTime>, now: Instant) -> Result<Answer, AuthorityError> {
        let full = self.providers.len() >= MAX_PROVIDERS;
        match self.providers.get_mut(url) {
            None if full => {
                return Err(AuthorityError::Busy("too many OpenID providers".into()));
            }
            None => {
                self.make_room_on_demand();
                self.watch(vec![url.to_owned()], now);
                if let Some(p) = self.providers.get_mut(url) {
                    p.asked_refetch = Some(now);
                    p.on_demand = Some(now);
                }
            }
            Some(p) => {
                if p.on_demand.is_some() {
                    p.on_demand = Some(now);
                }
                if refetch_on_ask(p.keys.as_ref().map(|k| k.fetched), held, p.asked_refetch, now) {
                    p.asked_refetch = Some(now);
                    tracing::debug!(
                        url,
                        "refetching OpenID keys on a worker's ask (unknown kid or none held)"
                    );
                    self.refresh(url, now);
                }
            }
        }
        match self.providers.get(url) {
            Some(Provider { keys: Some(k), .. }) => Ok(Answer::OpenId(k.clone())),
            Some(p) => Err(AuthorityError::Unavailable(format!(
                "no signing keys from {url}: {}",
                p.last_error.as_deref().unwrap_or("not fetched yet")
            ))),
            None => Err(AuthorityError::Unavailable(format!("no signing keys from {url}"))),
        }
    }

    fn token(&mut self, who: &str, resource: &str) -> Result<Answer, AuthorityError> {
        let key = (who.to_owned(), resource.to_owned());
        if !self.sources.contains_key(&key) {
            let Some(identity) = self.identities.iter().find(|i| i.answers_to(who)) else {
                return Err(AuthorityError::UnknownIdentity(who.to_owned()));
            };
            if self.sources.len() >= MAX_SOURCES {
                return Err(AuthorityError::Busy("too many token sources".into()));
            }
            let s = TokenSource::new(self.http.clone(), identity.clone(), resource.to_owned());
            self.sources.insert(key.clone(), s);
        }
        let Some(s) = self.sources.get_mut(&key) else {
            return Err(AuthorityError::UnknownIdentity(who.to_owned()));
        };
        match s.get() {
            Ok((token, new)) => {
                let answer = Answer::Token {
                    identity: key.0,
                    resource: key.1,
                    token,
                };
                if new {
                    // The other workers get it too (they would ask otherwise).
                    self.broadcast(vec![answer.clone()]);
                }
                Ok(answer)
            }
            Err(e) => Err(AuthorityError::Unavailable(e)),
        }
    }
}

#[cfg(test)]
#[path = "fetch_tests.rs"]
mod tests;
