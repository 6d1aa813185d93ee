//! The fetch thread (`outpost-authority`): fetches and refreshes every
//! OpenID provider's keys and every token source, answers the workers'
//! asks, and pushes what changed to every worker (`WorkerMsg::Authority`).
//!
//! Schedule: a provider named by the configuration is fetched when the
//! configuration is applied, then again when its keys go stale (cache
//! headers, bounded: `openid`); an ask for keys (the worker has none, or
//! met an unknown `kid`) refetches at most once per [`REFRESH_MIN`] per
//! URL and is otherwise answered from memory. A token source is created
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
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};

use super::ask::Asked;
use super::http::Http;
use super::identity::Identity;
use super::source::TokenSource;
use super::{Answer, AuthorityError, OpenIdKeys, Update, Want, REFRESH_MIN};
use crate::worker::WorkerMsg;

pub const MAX_PROVIDERS: usize = 1000;
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
    last_try: Option<Instant>,
    last_error: Option<String>,
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
                    Provider {
                        keys: Some(s.keys),
                        jwks: s.jwks,
                        due: Instant::now() + due,
                        last_try: None,
                        last_error: None,
                    },
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
                    Ok(a) => self.answer(a),
                    Err(_) => return,
                },
                recv(urls) -> u => match u {
                    Ok(u) => self.watch(u),
                    Err(_) => return,
                },
                recv(ticker) -> _ => self.tick(),
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

    fn watch(&mut self, urls: Vec<String>) {
        let mut new = Vec::new();
        for u in urls {
            if !self.providers.contains_key(&u) && self.providers.len() < MAX_PROVIDERS {
                self.providers.insert(
                    u.clone(),
                    Provider {
                        keys: None,
                        jwks: Vec::new(),
                        due: Instant::now(),
                        last_try: None,
                        last_error: None,
                    },
                );
                new.push(u);
            }
        }
        for u in new {
            self.refresh(&u);
        }
    }

    fn tick(&mut self) {
        let now = Instant::now();
        let due: Vec<String> = self
            .providers
            .iter()
            .filter(|(_, p)| p.due <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for u in due {
            self.refresh(&u);
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
    fn refresh(&mut self, url: &str) {
        let result = super::openid::fetch(&self.http, url);
        let Some(p) = self.providers.get_mut(url) else { return };
        p.last_try = Some(Instant::now());
        match result {
            Ok(f) => {
                tracing::info!(url, issuer = %f.keys.issuer, fresh_secs = f.fresh_for.as_secs(), "OpenID keys fetched");
                p.due = Instant::now() + f.fresh_for;
                p.keys = Some(f.keys.clone());
                p.jwks = f.jwks;
                p.last_error = None;
                self.persist();
                self.broadcast(vec![Answer::OpenId(f.keys)]);
            }
            Err(e) => {
                tracing::warn!(url, error = %e, kept = p.keys.is_some(), "OpenID keys not refreshed; the last good keys (if any) stay in use");
                p.due = Instant::now() + REFRESH_MIN;
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

    fn answer(&mut self, asked: Asked) {
        let r = match &asked.want {
            Want::OpenId { url } => self.openid(url),
            Want::Token { identity, resource } => self.token(identity, resource),
        };
        asked.answer(r);
    }

    fn openid(&mut self, url: &str) -> Result<Answer, AuthorityError> {
        if !self.providers.contains_key(url) {
            if self.providers.len() >= MAX_PROVIDERS {
                return Err(AuthorityError::Busy("too many OpenID providers".into()));
            }
            self.watch(vec![url.to_owned()]);
        } else {
            let recent = self
                .providers
                .get(url)
                .and_then(|p| p.last_try)
                .is_some_and(|t| t.elapsed() < REFRESH_MIN);
            if !recent {
                self.refresh(url);
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
