//! Building the subscription lookup structure and the per-API access
//! settings from a validated [`Config`], on the control thread.
//!
//! Invariants: `Subscriptions::products[i]` is `Config::products[i]` and
//! `Subscriptions::subscriptions[i]` is `Config::subscriptions[i]`; the
//! returned `Vec<ApiAccess>` is parallel to `Config::apis`. Revisions of one
//! API (same host names, path and version) share a *group*, so a
//! subscription or product naming any revision covers all of them, as in
//! APIM where revisions are one API.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasher, RandomState};

use super::access::KeySlot;
use crate::config::{Config, PolicyDoc, SubscriptionScope, SubscriptionState};

/// Everything the data plane needs to check keys, cloned into each worker.
#[derive(Clone, Default)]
pub struct Subscriptions {
    /// Keys of the SipHash used for `by_key` (random per compilation).
    pub(super) hasher: RandomState,
    /// Keyed hash of a key's bytes → the subscriptions and slots holding a
    /// key with that hash (in practice exactly one).
    pub(super) by_key: HashMap<u64, Box<[(u32, KeySlot)]>>,
    pub subscriptions: Vec<CompiledSubscription>,
    pub products: Vec<CompiledProduct>,
}

impl fmt::Debug for Subscriptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscriptions")
            .field("subscriptions", &self.subscriptions)
            .field("products", &self.products)
            .finish_non_exhaustive()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompiledProduct {
    pub id: String,
    /// Display name (`context.Product.Name`).
    pub name: String,
    /// `false`: an *open* product, used for requests without a key.
    pub subscription_required: bool,
    /// The product-scope policy document, for the policy engine; it applies
    /// only to requests granted in this product's context.
    pub policy: Option<PolicyDoc>,
}

/// What a subscription gives access to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// Every API (`/apis`).
    All,
    /// One API, all of its revisions (the API group, see [`ApiAccess::group`]).
    Api(u32),
    /// The APIs of a product (index into [`Subscriptions::products`]).
    Product(u32),
}

/// A subscription. `Debug` redacts the keys.
#[derive(Clone, PartialEq, Eq)]
pub struct CompiledSubscription {
    pub id: String,
    /// Display name (`context.Subscription.Name`).
    pub name: String,
    pub scope: Scope,
    pub state: SubscriptionState,
    pub primary_key: String,
    pub secondary_key: Option<String>,
}

impl fmt::Debug for CompiledSubscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CompiledSubscription")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("scope", &self.scope)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

/// Per-API subscription settings, compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiAccess {
    /// The API's own `subscription-required`.
    pub subscription_required: bool,
    /// Header carrying the key (matched case-insensitively).
    pub key_header: Box<str>,
    /// Query parameter carrying the key (matched exactly).
    pub key_query: Box<str>,
    /// The API's group: the index (into `Config::apis`) of the current
    /// revision with the same host names, path and version.
    pub group: u32,
    /// Products containing this API (indices, ascending).
    pub products: Box<[u32]>,
    /// The open product containing this API, if any (the first by id).
    pub open_product: Option<u32>,
}

/// Compiles the subscriptions and products of `cfg`, and the access
/// settings of each API (parallel to `cfg.apis`).
pub fn compile(cfg: &Config) -> (Subscriptions, Vec<ApiAccess>) {
    let groups = api_groups(cfg);
    let group_of: HashMap<&str, u32> = cfg
        .apis
        .iter()
        .map(|a| a.id.as_str())
        .zip(groups.iter().copied())
        .collect();
    let product_index: HashMap<&str, u32> = cfg
        .products
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i as u32))
        .collect();

    let products: Vec<CompiledProduct> = cfg
        .products
        .iter()
        .map(|p| CompiledProduct {
            id: p.id.clone(),
            name: p.display_name.clone(),
            subscription_required: p.subscription_required,
            policy: p.policy.clone(),
        })
        .collect();

    let mut access: Vec<ApiAccess> = cfg
        .apis
        .iter()
        .zip(&groups)
        .map(|(api, &group)| ApiAccess {
            subscription_required: api.subscription_required,
            key_header: api.subscription_key_header.as_str().into(),
            key_query: api.subscription_key_query.as_str().into(),
            group,
            products: Box::new([]),
            open_product: None,
        })
        .collect();
    for (pi, p) in cfg.products.iter().enumerate() {
        let member_groups: Vec<u32> = p
            .apis
            .iter()
            .filter_map(|id| group_of.get(id.as_str()).copied())
            .collect();
        for a in access.iter_mut().filter(|a| member_groups.contains(&a.group)) {
            let mut list = a.products.to_vec();
            list.push(pi as u32);
            a.products = list.into_boxed_slice();
            if !p.subscription_required && a.open_product.is_none() {
                a.open_product = Some(pi as u32);
            }
        }
    }

    let hasher = RandomState::new();
    let mut by_key: HashMap<u64, Vec<(u32, KeySlot)>> = HashMap::new();
    let mut subscriptions = Vec::with_capacity(cfg.subscriptions.len());
    for (si, s) in cfg.subscriptions.iter().enumerate() {
        // Validation guarantees the referenced API or product exists; were it
        // missing, the keys are left out of the index so they never match.
        let resolved = match &s.scope {
            SubscriptionScope::All => Some(Scope::All),
            SubscriptionScope::Api(id) => group_of.get(id.as_str()).map(|&g| Scope::Api(g)),
            SubscriptionScope::Product(id) => product_index.get(id.as_str()).map(|&p| Scope::Product(p)),
        };
        if resolved.is_some() {
            let slots = std::iter::once((KeySlot::Primary, &s.primary_key))
                .chain(s.secondary_key.as_ref().map(|k| (KeySlot::Secondary, k)));
            for (slot, k) in slots {
                by_key
                    .entry(hasher.hash_one(k.as_bytes()))
                    .or_default()
                    .push((si as u32, slot));
            }
        }
        subscriptions.push(CompiledSubscription {
            id: s.id.clone(),
            name: s.display_name.clone(),
            scope: resolved.unwrap_or(Scope::All),
            state: s.state,
            primary_key: s.primary_key.clone(),
            secondary_key: s.secondary_key.clone(),
        });
    }
    let by_key = by_key.into_iter().map(|(h, v)| (h, v.into_boxed_slice())).collect();
    let subs = Subscriptions {
        hasher,
        by_key,
        subscriptions,
        products,
    };
    (subs, access)
}

/// The group of each API: the index of the current revision sharing its
/// host names, path and version (itself when it has no other revisions).
fn api_groups(cfg: &Config) -> Vec<u32> {
    type GroupKey<'a> = (&'a [String], &'a str, Option<&'a str>);
    fn key(a: &crate::config::Api) -> GroupKey<'_> {
        (
            &a.hostnames,
            a.path.as_str(),
            a.version.as_ref().map(|v| v.name.as_str()),
        )
    }
    let mut current: HashMap<GroupKey<'_>, u32> = HashMap::new();
    for (i, a) in cfg.apis.iter().enumerate() {
        if a.is_current {
            current.entry(key(a)).or_insert(i as u32);
        }
    }
    cfg.apis
        .iter()
        .enumerate()
        .map(|(i, a)| current.get(&key(a)).copied().unwrap_or(i as u32))
        .collect()
}
