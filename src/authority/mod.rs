//! Everything the gateway fetches from identity providers, off the
//! workers: OpenID discovery documents and their JWKS (for `validate-jwt`,
//! `validate-azure-ad-token`), OAuth2 client-credentials tokens (for
//! `authentication-managed-identity` and for the gateway's own
//! `config.service.auth=azureAdApp`).
//!
//! Layout:
//! - this module: the owned values that cross threads ([`Want`],
//!   [`OpenIdKeys`], [`Token`], [`Answer`], [`Update`]) and the errors;
//! - `view`: the per-worker read view the policies reach through
//!   `policy::services::Services::authority` (`Rc`s, no locks);
//! - `ask`: how a worker asks the fetch thread for something it does not
//!   have yet and awaits the answer without blocking (a bounded channel
//!   and a Unix socket pair, as `proxy::resolve` does for DNS);
//! - `fetch`: the fetch thread (schedule, last good keys, broadcast);
//! - `openid`: one provider's discovery document and JWKS;
//! - `store`: the keys' backup beside the configuration backup;
//! - `identity`, `token`, `source`: OAuth2 client-credentials identities,
//!   token requests (secret, `private_key_jwt`, federated token file) and
//!   cached, refreshed token sources;
//! - `http`: the blocking, size-capped HTTP client of all of the above.
//!
//! Invariants: a worker never blocks and never takes a lock for keys or
//! tokens (it reads its own copy; copies arrive as `WorkerMsg::Authority`
//! or as the answer to an ask); values crossing threads are owned and
//! `Send`; a token, secret, key or assertion is never logged nor shown in
//! `Debug` output.

pub mod ask;
pub mod fetch;
pub mod gateway;
pub mod http;
pub mod identity;
pub mod openid;
pub mod source;
pub mod store;
pub mod token;
pub mod view;

use std::time::{Duration, SystemTime};

pub use ask::Asker;
pub use view::View;

/// What a policy waits for (`Effect::Authority`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Want {
    /// The keys of the OpenID provider whose discovery document is at
    /// `url` (an `openid-config url`). Asked when the worker has none, or
    /// when a token names a `kid` the worker's keys lack: the fetch thread
    /// then refetches, at most once per [`REFRESH_MIN`] per URL, and
    /// answers with what it has.
    OpenId { url: String },
    /// A token of the configured OAuth2 identity `identity` ("" = the
    /// default identity; otherwise an identity's name or client id) for
    /// `resource` (`authentication-managed-identity resource`).
    Token { identity: String, resource: String },
}

/// Unknown `kid` refetches: at most once per this, per discovery URL.
pub const REFRESH_MIN: Duration = Duration::from_secs(60);

/// The signing keys of one OpenID provider.
#[derive(Clone, Debug)]
pub struct OpenIdKeys {
    /// The discovery document's URL (the `Want::OpenId` key).
    pub url: String,
    /// The discovery document's `issuer`.
    pub issuer: String,
    /// The discovery document's `token_endpoint`, when it has one.
    pub token_endpoint: Option<String>,
    /// The keys of its `jwks_uri`.
    pub keys: KeySet,
    /// When they were fetched (wall clock; from the backup after a restart).
    pub fetched: SystemTime,
}

pub use crate::jwt::KeySet;

/// An OAuth2 access token (client credentials).
#[derive(Clone)]
pub struct Token {
    /// The access token (a secret: never logged; `Debug` redacts it).
    pub value: String,
    /// When the authority says it expires.
    pub expires: SystemTime,
}

impl Token {
    /// Whether it can still be sent at `now`.
    pub fn valid_at(&self, now: SystemTime) -> bool {
        now < self.expires
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"***")
            .field("expires", &self.expires)
            .finish()
    }
}

/// What the fetch thread answers to a [`Want`] (owned, `Send`: each
/// worker gets its own copy).
#[derive(Clone, Debug)]
pub enum Answer {
    OpenId(OpenIdKeys),
    Token {
        identity: String,
        resource: String,
        token: Token,
    },
}

/// What a policy gets back (`Outcome::Authority`): the worker's copy.
#[derive(Clone, Debug)]
pub enum Got {
    OpenId(std::rc::Rc<OpenIdKeys>),
    Token(std::rc::Rc<Token>),
}

/// Keys and tokens the fetch thread pushes to every worker
/// (`WorkerMsg::Authority`): refreshed keys, tokens refreshed ahead of
/// their expiry. Each worker gets its own clone.
#[derive(Clone, Debug, Default)]
pub struct Update {
    pub answers: Vec<Answer>,
}

/// Why a [`Want`] has no answer. The messages never carry a secret.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AuthorityError {
    /// The provider could not be reached or answered badly, and nothing
    /// good is known from before.
    #[error("{0}")]
    Unavailable(String),
    /// No OAuth2 identity of that name or client id is configured.
    #[error("no OAuth2 identity {0:?} is configured on the gateway")]
    UnknownIdentity(String),
    /// No answer within the wait's timeout.
    #[error("no answer from the identity provider within {0:?}")]
    Timeout(Duration),
    /// Too many asks are waiting, or the fetch thread is not running.
    #[error("{0}")]
    Busy(String),
}
