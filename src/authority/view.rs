//! The per-worker read view of keys and tokens
//! (`policy::services::Services::authority`).
//!
//! Invariants: one `View` per worker (its clones share the worker's `Rc`,
//! never a thread); a read is a hash lookup and an `Rc` clone, with no
//! lock and no I/O; entries come only from the fetch thread (pushed
//! updates, or answers to this worker's asks), so a worker never holds
//! keys older than the last update it applied. Tokens are returned only
//! while unexpired.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::time::SystemTime;

use super::{Answer, Asker, AuthorityError, Got, OpenIdKeys, Token, Update, Want};

/// How long a worker that holds a provider's keys waits before asking
/// for them again (an unknown `kid`): a flood of tokens with made-up key
/// ids makes at most one ask per provider per worker in this time, so the
/// fetch thread's queue stays free for real asks while a provider is slow.
pub const REASK_HELD: std::time::Duration = std::time::Duration::from_secs(10);

#[derive(Default)]
struct Inner {
    openid: HashMap<String, Rc<OpenIdKeys>>,
    /// When this worker last asked for keys it already held (per URL of
    /// `openid`; never more entries than `openid`).
    reasked: HashMap<String, std::time::Instant>,
    /// (identity, resource) → token.
    tokens: HashMap<(String, String), Rc<Token>>,
}

/// One worker's keys and tokens, and its way to ask for more.
#[derive(Clone, Default)]
pub struct View {
    inner: Rc<RefCell<Inner>>,
    asker: Option<Asker>,
}

impl std::fmt::Debug for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inner = self.inner.borrow();
        f.debug_struct("View")
            .field("openid", &inner.openid.len())
            .field("tokens", &inner.tokens.len())
            .finish()
    }
}

impl View {
    /// A view that asks the fetch thread through `asker`.
    pub fn new(asker: Option<Asker>) -> View {
        View {
            inner: Rc::default(),
            asker,
        }
    }

    /// The keys of the provider whose discovery document is at `url`,
    /// when this worker has them.
    pub fn openid(&self, url: &str) -> Option<Rc<OpenIdKeys>> {
        self.inner.borrow().openid.get(url).cloned()
    }

    /// An unexpired token of `identity` for `resource`, when this worker
    /// has one.
    pub fn token(&self, identity: &str, resource: &str) -> Option<Rc<Token>> {
        let now = SystemTime::now();
        self.inner
            .borrow()
            .tokens
            .get(&(identity.to_owned(), resource.to_owned()))
            .filter(|t| t.valid_at(now))
            .cloned()
    }

    /// Applies what the fetch thread pushed.
    pub fn apply(&self, update: Update) {
        for a in update.answers {
            self.insert(a);
        }
    }

    /// Keeps `answer` and returns the worker's copy.
    fn insert(&self, answer: Answer) -> Got {
        let mut inner = self.inner.borrow_mut();
        match answer {
            Answer::OpenId(keys) => {
                let keys = Rc::new(keys);
                inner.openid.insert(keys.url.clone(), keys.clone());
                Got::OpenId(keys)
            }
            Answer::Token {
                identity,
                resource,
                token,
            } => {
                let token = Rc::new(token);
                let now = SystemTime::now();
                inner.tokens.retain(|_, t| t.valid_at(now));
                inner.tokens.insert((identity, resource), token.clone());
                Got::Token(token)
            }
        }
    }

    /// Asks the fetch thread for `want` and awaits its answer (never
    /// blocks the worker), keeping it in this view.
    pub async fn ask(&self, want: Want) -> Result<Got, AuthorityError> {
        let Some(asker) = &self.asker else {
            return Err(AuthorityError::Busy(
                "the gateway's identity-provider thread is not running".into(),
            ));
        };
        let held = match &want {
            Want::OpenId { url } => match self.openid(url) {
                Some(keys) => {
                    let now = std::time::Instant::now();
                    let mut inner = self.inner.borrow_mut();
                    if inner
                        .reasked
                        .get(url)
                        .is_some_and(|t| now.duration_since(*t) < REASK_HELD)
                    {
                        return Ok(Got::OpenId(keys));
                    }
                    inner.reasked.insert(url.clone(), now);
                    Some(keys.fetched)
                }
                None => None,
            },
            Want::Token { .. } => None,
        };
        let answer = asker.ask(want, held).await?;
        Ok(self.insert(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn updates_fill_the_view_and_expired_tokens_are_not_returned() {
        let v = View::default();
        assert!(v.openid("https://idp/.well-known/openid-configuration").is_none());
        let now = SystemTime::now();
        v.apply(Update {
            answers: vec![
                Answer::OpenId(OpenIdKeys {
                    url: "u".into(),
                    issuer: "i".into(),
                    token_endpoint: None,
                    keys: Default::default(),
                    fetched: now,
                }),
                Answer::Token {
                    identity: String::new(),
                    resource: "r".into(),
                    token: Token {
                        value: "t".into(),
                        expires: now + Duration::from_secs(60),
                    },
                },
                Answer::Token {
                    identity: String::new(),
                    resource: "old".into(),
                    token: Token {
                        value: "t".into(),
                        expires: now - Duration::from_secs(1),
                    },
                },
            ],
        });
        assert_eq!(v.openid("u").map(|k| k.issuer.clone()).as_deref(), Some("i"));
        assert!(v.token("", "r").is_some());
        assert!(v.token("", "old").is_none());
        assert!(v.token("other", "r").is_none());
        assert!(!format!("{:?}", v.token("", "r")).contains("\"t\""));
    }
}
