//! Console sessions: a browser signs in once with an admin credential and
//! then carries a random session id in an `HttpOnly`, `SameSite=Strict`
//! cookie scoped to `/console` (and `Secure` when the management plane
//! serves HTTPS).
//!
//! Invariants: only the SHA-256 of a session id is kept (in memory: a
//! restart signs everyone out); a session holds the principal it signed in
//! as (never the credential) and ends after [`IDLE`] without a request or
//! [`LIFETIME`] in all; at most [`MAX_SESSIONS`] live at once (signing in
//! beyond that ends the least recently used one).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::mgmt::principal::Principal;
use crate::mgmt::tokens;

/// The cookie's name.
pub const COOKIE: &str = "outpost_console";
/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(30 * 60);
/// A session ends this long after signing in, whatever happens.
pub const LIFETIME: Duration = Duration::from_secs(8 * 3600);
/// Sessions at once.
pub const MAX_SESSIONS: usize = 1024;

struct Session {
    principal: Principal,
    created: Instant,
    last_seen: Instant,
}

/// The live sessions of this process.
#[derive(Default)]
pub struct Sessions {
    by_hash: Mutex<HashMap<String, Session>>,
}

fn alive(s: &Session, now: Instant) -> bool {
    now.duration_since(s.created) < LIFETIME && now.duration_since(s.last_seen) < IDLE
}

impl Sessions {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Session>> {
        self.by_hash.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a session for `principal`; returns its id (the cookie value).
    pub fn create(&self, principal: Principal) -> String {
        self.create_at(principal, Instant::now())
    }

    fn create_at(&self, principal: Principal, now: Instant) -> String {
        // 32 random bytes as hex: safe in a cookie as it is.
        let id = format!(
            "{}{}",
            tokens::generate_subscription_key(),
            tokens::generate_subscription_key()
        );
        let mut all = self.lock();
        all.retain(|_, s| alive(s, now));
        if all.len() >= MAX_SESSIONS {
            let oldest = all.iter().min_by_key(|(_, s)| s.last_seen).map(|(k, _)| k.clone());
            if let Some(k) = oldest {
                all.remove(&k);
            }
        }
        all.insert(
            tokens::sha256_hex(&id),
            Session {
                principal,
                created: now,
                last_seen: now,
            },
        );
        id
    }

    /// The principal of a live session (and notes the request).
    pub fn get(&self, id: &str) -> Option<Principal> {
        self.get_at(id, Instant::now())
    }

    fn get_at(&self, id: &str, now: Instant) -> Option<Principal> {
        let key = tokens::sha256_hex(id);
        let mut all = self.lock();
        let s = all.get_mut(&key)?;
        if !alive(s, now) {
            all.remove(&key);
            return None;
        }
        s.last_seen = now;
        Some(s.principal.clone())
    }

    /// Ends a session.
    pub fn remove(&self, id: &str) {
        self.lock().remove(&tokens::sha256_hex(id));
    }
}

/// The session id in a `Cookie` header, if any.
pub fn from_cookie(header: &str) -> Option<&str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == COOKIE && !v.is_empty()).then_some(v)
    })
}

/// The `Set-Cookie` value starting a session (`secure`: served over HTTPS).
pub fn set_cookie(id: &str, secure: bool) -> String {
    format!(
        "{COOKIE}={id}; Path=/console; HttpOnly; SameSite=Strict; Max-Age={}{}",
        LIFETIME.as_secs(),
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value ending it.
pub fn clear_cookie(secure: bool) -> String {
    format!(
        "{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_expire_when_idle_or_old_and_are_bounded() {
        let s = Sessions::default();
        let t0 = Instant::now();
        let id = s.create_at(Principal::admin_token(), t0);
        assert_eq!(s.get_at(&id, t0 + IDLE / 2), Some(Principal::admin_token()));
        assert_eq!(s.get_at(&id, t0 + IDLE), Some(Principal::admin_token()), "kept alive");
        assert_eq!(s.get_at(&id, t0 + IDLE * 3), None, "idle too long");
        assert_eq!(s.get_at(&id, t0 + IDLE), None, "and gone for good");
        let id = s.create_at(Principal::admin_token(), t0);
        let mut t = t0;
        while t < t0 + LIFETIME {
            assert!(s.get_at(&id, t).is_some());
            t += IDLE / 2;
        }
        assert_eq!(s.get_at(&id, t), None, "at most LIFETIME even when used");
        assert_eq!(s.get("forged"), None);
        let first = s.create_at(Principal::admin_token(), t0);
        for i in 0..MAX_SESSIONS {
            s.create_at(Principal::admin_token(), t0 + Duration::from_millis(i as u64 + 1));
        }
        assert_eq!(s.lock().len(), MAX_SESSIONS);
        assert_eq!(
            s.get_at(&first, t0 + Duration::from_secs(2)),
            None,
            "least recently used went"
        );
        s.remove(&id);
    }

    #[test]
    fn cookies() {
        assert_eq!(from_cookie("a=1; outpost_console=xyz; b=2"), Some("xyz"));
        assert_eq!(from_cookie("outpost_console="), None);
        assert_eq!(from_cookie("outpost_consolex=1"), None);
        let c = set_cookie("xyz", true);
        for part in ["HttpOnly", "SameSite=Strict", "Path=/console", "Secure"] {
            assert!(c.contains(part), "{c}");
        }
        assert!(!set_cookie("xyz", false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
