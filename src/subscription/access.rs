//! The access decision for one request, following APIM's rules:
//!
//! - **With a key**: the key must belong to an *active* subscription whose
//!   scope covers the API: all APIs, this API (any revision), or a product
//!   containing this API. Otherwise 401 "invalid subscription key", whatever
//!   the API's `subscription-required` says. A product-scoped key runs in
//!   that product's context; other scopes run in no product's context.
//! - **Without a key**: an open product containing the API (one that does
//!   not require a subscription) grants access in its context; otherwise an
//!   API with `subscription-required = false` is called in no product's
//!   context; otherwise 401 "missing subscription key".
//!
//! Invariant: deciding allocates nothing, and a key is compared with the
//! stored keys only in constant time (after a keyed-hash lookup).

use std::hash::BuildHasher;

use subtle::ConstantTimeEq;

use super::compile::{ApiAccess, CompiledProduct, CompiledSubscription, Scope, Subscriptions};
use crate::config::SubscriptionState;

/// Which of a subscription's two keys was presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySlot {
    Primary,
    Secondary,
}

/// Why a request was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Denied {
    /// No key, and neither an open product nor the API lets it in.
    MissingKey,
    /// A key that is unknown, inactive, or not valid for this API.
    InvalidKey,
}

/// The outcome of a granted request: indices into the [`Subscriptions`] of
/// the replica that decided it. Default: no subscription, no product.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grant {
    /// The subscription whose key was presented, and which key.
    pub subscription: Option<(u32, KeySlot)>,
    /// The product whose context the request runs in: the product of a
    /// product-scoped subscription, or the open product for a request
    /// without a key. Product-scope policies apply only when this is set.
    pub product: Option<u32>,
}

impl Subscriptions {
    /// Decides whether a request to the API with `access` may proceed,
    /// given the key it carries (if any).
    pub fn authorize(&self, access: &ApiAccess, key: Option<&[u8]>) -> Result<Grant, Denied> {
        let Some(key) = key else {
            return match access.open_product {
                Some(p) => Ok(Grant {
                    subscription: None,
                    product: Some(p),
                }),
                None if !access.subscription_required => Ok(Grant::default()),
                None => Err(Denied::MissingKey),
            };
        };
        let (index, slot) = self.find(key).ok_or(Denied::InvalidKey)?;
        let sub = self.subscriptions.get(index as usize).ok_or(Denied::InvalidKey)?;
        if sub.state != SubscriptionState::Active {
            return Err(Denied::InvalidKey);
        }
        let product = match sub.scope {
            Scope::All => None,
            Scope::Api(group) if group == access.group => None,
            Scope::Product(p) if access.products.contains(&p) => Some(p),
            Scope::Api(_) | Scope::Product(_) => return Err(Denied::InvalidKey),
        };
        Ok(Grant {
            subscription: Some((index, slot)),
            product,
        })
    }

    /// The subscription and slot holding exactly `key`.
    fn find(&self, key: &[u8]) -> Option<(u32, KeySlot)> {
        let candidates = self.by_key.get(&self.hasher.hash_one(key))?;
        candidates.iter().copied().find(|&(i, slot)| {
            self.subscriptions.get(i as usize).is_some_and(|s| {
                let stored = match slot {
                    KeySlot::Primary => Some(s.primary_key.as_bytes()),
                    KeySlot::Secondary => s.secondary_key.as_ref().map(|k| k.as_bytes()),
                };
                // `ct_eq` on slices of different lengths is false without
                // comparing bytes: only the length can leak, not content.
                stored.is_some_and(|stored| bool::from(stored.ct_eq(key)))
            })
        })
    }
}

impl Grant {
    /// The subscription the request was made with.
    pub fn subscription<'r>(&self, subs: &'r Subscriptions) -> Option<&'r CompiledSubscription> {
        self.subscription.and_then(|(i, _)| subs.subscriptions.get(i as usize))
    }

    /// The key the request presented (`context.Subscription.Key`).
    pub fn key<'r>(&self, subs: &'r Subscriptions) -> Option<&'r str> {
        let (_, slot) = self.subscription?;
        let s = self.subscription(subs)?;
        match slot {
            KeySlot::Primary => Some(&s.primary_key),
            KeySlot::Secondary => s.secondary_key.as_deref(),
        }
    }

    /// The product whose context the request runs in.
    pub fn product<'r>(&self, subs: &'r Subscriptions) -> Option<&'r CompiledProduct> {
        self.product.and_then(|p| subs.products.get(p as usize))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::load_files;
    use crate::subscription::compile;

    fn files(extra: &[(&str, &str)]) -> Vec<(String, String)> {
        let api = |p: &str, req: bool| {
            format!(
                "display-name = \"{p}\"\npath = \"{p}\"\nservice-url = \"echo://\"\nsubscription-required = {req}\n"
            )
        };
        let mut v = vec![
            ("apis/a.toml".to_string(), api("a", true)),
            ("apis/b.toml".to_string(), api("b", true)),
            ("apis/free.toml".to_string(), api("free", false)),
            ("apis/opened.toml".to_string(), api("opened", true)),
            (
                "apis/a-rev2.toml".to_string(),
                format!("{}revision = 2\nis-current = false\n", api("a", true)),
            ),
            (
                "products/gold.toml".to_string(),
                "display-name = \"Gold\"\napis = [\"b\", \"free\"]\n".to_string(),
            ),
            (
                "products/open.toml".to_string(),
                "display-name = \"Open\"\napis = [\"opened\"]\nsubscription-required = false\n".to_string(),
            ),
            (
                "subscriptions.toml".to_string(),
                [
                    ("all", "all", "k-all", "active"),
                    ("api-a", "api:a", "k-a", "active"),
                    ("gold", "product:gold", "k-gold", "active"),
                    ("gone", "all", "k-gone", "suspended"),
                ]
                .iter()
                .map(|(id, scope, key, state)| {
                    format!("[[subscription]]\nid = \"{id}\"\nscope = \"{scope}\"\nprimary-key = \"{key}\"\nsecondary-key = \"{key}-2\"\nstate = \"{state}\"\n")
                })
                .collect(),
            ),
        ];
        v.extend(extra.iter().map(|(a, b)| (a.to_string(), b.to_string())));
        v
    }

    fn setup() -> (Subscriptions, Vec<ApiAccess>, Vec<String>) {
        let cfg = load_files(&files(&[])).expect("valid");
        let (subs, access) = compile(&cfg);
        (subs, access, cfg.apis.iter().map(|a| a.id.clone()).collect())
    }

    fn decide(id: &str, key: Option<&str>) -> Result<(Option<String>, Option<String>), Denied> {
        let (subs, access, ids) = setup();
        let i = ids.iter().position(|x| x == id).expect("api");
        let g = subs.authorize(&access[i], key.map(str::as_bytes))?;
        Ok((
            g.subscription(&subs).map(|s| s.id.clone()),
            g.product(&subs).map(|p| p.id.clone()),
        ))
    }

    fn ok(s: Option<&str>, p: Option<&str>) -> Result<(Option<String>, Option<String>), Denied> {
        Ok((s.map(Into::into), p.map(Into::into)))
    }

    #[test]
    fn keys_by_scope() {
        assert_eq!(decide("a", Some("k-all")), ok(Some("all"), None));
        assert_eq!(decide("a", Some("k-a")), ok(Some("api-a"), None));
        assert_eq!(decide("a", Some("k-a-2")), ok(Some("api-a"), None), "secondary key");
        assert_eq!(decide("a-rev2", Some("k-a")), ok(Some("api-a"), None), "other revision");
        assert_eq!(decide("b", Some("k-a")), Err(Denied::InvalidKey), "other API");
        assert_eq!(decide("b", Some("k-gold")), ok(Some("gold"), Some("gold")));
        assert_eq!(
            decide("a", Some("k-gold")),
            Err(Denied::InvalidKey),
            "API not in product"
        );
        assert_eq!(decide("a", Some("k-gone")), Err(Denied::InvalidKey), "suspended");
        assert_eq!(decide("a", Some("nope")), Err(Denied::InvalidKey));
        assert_eq!(decide("a", Some("k-al")), Err(Denied::InvalidKey), "prefix of a key");
    }

    #[test]
    fn without_key() {
        assert_eq!(decide("a", None), Err(Denied::MissingKey));
        assert_eq!(decide("free", None), ok(None, None), "subscription not required");
        assert_eq!(decide("opened", None), ok(None, Some("open")), "open product context");
        // A key, when given, must be valid even where none is needed.
        assert_eq!(decide("free", Some("nope")), Err(Denied::InvalidKey));
        assert_eq!(decide("opened", Some("nope")), Err(Denied::InvalidKey));
        assert_eq!(decide("free", Some("k-gold")), ok(Some("gold"), Some("gold")));
    }

    #[test]
    fn key_view_and_redaction() {
        let (subs, access, ids) = setup();
        let i = ids.iter().position(|x| x == "b").unwrap();
        let g = subs.authorize(&access[i], Some(b"k-gold-2")).unwrap();
        assert_eq!(g.key(&subs), Some("k-gold-2"));
        assert_eq!(g.subscription.map(|s| s.1), Some(KeySlot::Secondary));
        let shown = format!("{subs:?}");
        assert!(!shown.contains("k-gold") && shown.contains("gold"), "{shown}");
    }
}
