//! Subscriptions and products in the data plane: which key a request
//! carries, whether it may call the API it routed to, and in which product's
//! context it runs (APIM's rules, see `docs/subscriptions.md`).
//!
//! Owns: the compiled lookup structure ([`Subscriptions`], built once on the
//! control thread as part of the replica), the per-API access settings
//! ([`ApiAccess`]), key extraction from a request ([`request_key`]), the
//! decision ([`Subscriptions::authorize`]) and its result ([`Grant`]), which
//! the exchange carries so policies can read `context.Subscription.*` and
//! `context.Product.*`.
//!
//! Invariants:
//! - keys are secrets: no `Debug`, log line or error message contains one;
//! - a check allocates nothing unless the query-string key is
//!   percent-encoded; a key is found by a keyed hash of its bytes (SipHash
//!   with per-replica random keys) and then compared in constant time, so
//!   response timing does not reveal how much of a key was right;
//! - a [`Grant`] is plain indices into the [`Subscriptions`] of the replica
//!   it was made with, and is only read against that replica.

mod access;
mod compile;
mod key;

pub use access::{Denied, Grant, KeySlot};
pub use compile::{compile, ApiAccess, CompiledProduct, CompiledSubscription, Scope, Subscriptions};
pub use key::request_key;
