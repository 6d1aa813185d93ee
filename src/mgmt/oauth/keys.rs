//! An authority's signing keys on the management plane: a [`KeyCache`]
//! read by connection threads and filled by the authority's own fetch
//! thread (`outpost-mgmt-jwks`), which fetches the discovery document (or
//! the JWKS URL directly) with `ureq`.
//!
//! Invariants:
//! - Network I/O happens only on the fetch thread, never while the cache's
//!   lock is held; a connection thread holds the lock only to copy an
//!   `Arc` or to wait on the condition variable (which releases it).
//! - Keys are refetched every `refresh` and when a token names a key id
//!   the cache does not hold, at most once per `min_refresh` (a flood of
//!   tokens with made-up key ids causes at most one fetch per interval).
//! - A failed, malformed or oversized fetch keeps the last good keys and is
//!   logged (without the document); bodies are capped ([`MAX_DOC`]).
//! - A discovery document must name the configured issuer, and its
//!   `jwks_uri` must be `https://` (or `http://` on a loopback host).

use std::io::Read;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::jwt::discovery::{secure_url, Discovery};
use crate::jwt::KeySet;
use crate::settings::KeySource;

/// Largest discovery document or JWKS accepted.
pub const MAX_DOC: u64 = 512 * 1024;
/// Longest a connection thread waits for a refetch it asked for.
const WAIT_FOR_FETCH: Duration = Duration::from_secs(5);
/// Bound of each fetch.
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// Retry period after a failed fetch while no keys are held.
const RETRY_EMPTY: Duration = Duration::from_secs(5);

#[derive(Default)]
struct CacheState {
    keys: Option<Arc<KeySet>>,
    /// Bumped after every fetch attempt (good or bad).
    attempts: u64,
    last_attempt: Option<Instant>,
    /// A connection thread asked for a refetch.
    wanted: bool,
    last_error: Option<String>,
}

/// Keys shared between the fetch thread and connection threads.
pub struct KeyCache {
    state: Mutex<CacheState>,
    cv: Condvar,
    min_refresh: Duration,
}

fn lock(m: &Mutex<CacheState>) -> MutexGuard<'_, CacheState> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl KeyCache {
    pub fn new(min_refresh: Duration) -> KeyCache {
        KeyCache {
            state: Mutex::new(CacheState::default()),
            cv: Condvar::new(),
            min_refresh,
        }
    }

    /// The keys held now; when none are held yet, asks the fetch thread
    /// and waits (bounded) for its next attempt. `Err` says why there are none.
    pub fn current(&self) -> Result<Arc<KeySet>, String> {
        let mut st = lock(&self.state);
        if st.keys.is_none() {
            st = self.ask_and_wait(st);
        }
        Self::held(&st)
    }

    /// After a token named a key id the keys lack: asks for a refetch and
    /// waits (bounded) for it, unless one happened within `min_refresh`
    /// (then answers at once with the keys held).
    pub fn refetch(&self) -> Result<Arc<KeySet>, String> {
        let mut st = lock(&self.state);
        if st.last_attempt.is_none_or(|t| t.elapsed() >= self.min_refresh) {
            st = self.ask_and_wait(st);
        }
        Self::held(&st)
    }

    fn held(st: &CacheState) -> Result<Arc<KeySet>, String> {
        st.keys.clone().ok_or_else(|| {
            st.last_error
                .clone()
                .unwrap_or_else(|| "the authority's signing keys are not available yet".into())
        })
    }

    /// Wakes the fetch thread and waits for its next attempt (the wait
    /// releases the lock; bounded by [`WAIT_FOR_FETCH`]).
    fn ask_and_wait<'a>(&self, mut st: MutexGuard<'a, CacheState>) -> MutexGuard<'a, CacheState> {
        let seen = st.attempts;
        st.wanted = true;
        self.cv.notify_all();
        let deadline = Instant::now() + WAIT_FOR_FETCH;
        while st.attempts == seen {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            st = match self.cv.wait_timeout(st, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        st
    }

    /// Waits (fetch thread) until a fetch is due; returns after `refresh`
    /// at the latest.
    fn wait_until_due(&self, refresh: Duration) {
        let mut st = lock(&self.state);
        loop {
            let since = st.last_attempt.map(|t| t.elapsed());
            let due = match since {
                None => Duration::ZERO,
                Some(s) if st.keys.is_none() => RETRY_EMPTY.saturating_sub(s).min(if st.wanted {
                    self.min_refresh.saturating_sub(s)
                } else {
                    Duration::MAX
                }),
                Some(s) if st.wanted => self.min_refresh.saturating_sub(s),
                Some(s) => refresh.saturating_sub(s),
            };
            if due.is_zero() {
                st.wanted = false;
                st.last_attempt = Some(Instant::now());
                return;
            }
            // With nothing wanted, sleep at most until the periodic refresh.
            st = match self.cv.wait_timeout(st, due) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
    }

    fn finish(&self, result: Result<KeySet, String>) {
        let mut st = lock(&self.state);
        match result {
            Ok(keys) => {
                st.keys = Some(Arc::new(keys));
                st.last_error = None;
            }
            Err(e) => st.last_error = Some(e),
        }
        st.attempts += 1;
        self.cv.notify_all();
    }

    /// For tests: installs keys as if fetched.
    #[cfg(test)]
    pub fn install(&self, keys: KeySet) {
        let mut st = lock(&self.state);
        st.last_attempt = Some(Instant::now());
        drop(st);
        self.finish(Ok(keys));
    }
}

/// Starts the fetch thread of one authority. It runs for the life of the process.
pub fn spawn_fetcher(
    name: &'static str,
    issuer: String,
    source: KeySource,
    cache: Arc<KeyCache>,
    refresh: Duration,
) -> std::io::Result<()> {
    let agent = ureq::AgentBuilder::new()
        .timeout_connect(FETCH_TIMEOUT)
        .timeout(FETCH_TIMEOUT)
        .redirects(0)
        .tls_config(crate::tls::client::mgmt_client_config(false))
        .build();
    std::thread::Builder::new()
        .name("outpost-mgmt-jwks".into())
        .spawn(move || loop {
            cache.wait_until_due(refresh);
            let result = fetch_keys(&agent, &issuer, &source);
            match &result {
                Ok(_) => tracing::debug!(authority = name, "management plane: signing keys fetched"),
                Err(e) => tracing::warn!(authority = name, error = %e, "management plane: signing keys not fetched; keeping the last good keys"),
            }
            cache.finish(result);
        })
        .map(|_| ())
}

fn get(agent: &ureq::Agent, url: &str) -> Result<Vec<u8>, String> {
    let resp = agent.get(url).call().map_err(|e| match e {
        ureq::Error::Status(code, _) => format!("{url}: HTTP {code}"),
        ureq::Error::Transport(t) => format!("{url}: {}", t.kind()),
    })?;
    let mut body = Vec::new();
    resp.into_reader()
        .take(MAX_DOC + 1)
        .read_to_end(&mut body)
        .map_err(|e| format!("{url}: {e}"))?;
    if body.len() as u64 > MAX_DOC {
        return Err(format!("{url}: document larger than {MAX_DOC} bytes, refused"));
    }
    Ok(body)
}

/// Discovery (when configured), then the JWKS.
fn fetch_keys(agent: &ureq::Agent, issuer: &str, source: &KeySource) -> Result<KeySet, String> {
    let jwks_url = match source {
        KeySource::Jwks(u) => u.clone(),
        KeySource::Discovery(u) => {
            let doc = Discovery::parse(&get(agent, u)?).map_err(|e| format!("{u}: {e}"))?;
            if doc.issuer.trim_end_matches('/') != issuer.trim_end_matches('/') {
                return Err(format!(
                    "{u}: the discovery document names issuer {:?}, not the configured {issuer:?}",
                    doc.issuer
                ));
            }
            if !secure_url(&doc.jwks_uri) {
                return Err(format!(
                    "{u}: jwks_uri must be https:// (http:// only on a loopback host)"
                ));
            }
            doc.jwks_uri
        }
    };
    KeySet::from_jwks(&get(agent, &jwks_url)?).map_err(|e| format!("{jwks_url}: {e}"))
}
