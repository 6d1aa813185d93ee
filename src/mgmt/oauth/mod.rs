//! OAuth2/OIDC bearer tokens on the management plane: administrators'
//! tokens for `/mgmt` (role from a claim) and gateways' application tokens
//! for `/gateway/config` and `/gateway/heartbeat` (client id mapped to
//! gateways by `/mgmt/gateways/{g}/identities/{clientId}`).
//!
//! Layout: [`keys`] holds each authority's signing keys and its fetch
//! thread; [`verify`] checks a token (signature through `crate::jwt`,
//! issuer, audience, expiry) into its claims; [`claims`] reads roles,
//! names and client ids from verified claims.
//!
//! Invariants: a token is never logged or echoed; every refusal is a 401
//! with a message naming the reason (expired, wrong audience, …) and never
//! the token; a verified token without an accepted role is a 403; keys are
//! fetched only on the authorities' own threads.

pub mod claims;
pub mod keys;
pub mod verify;

use std::sync::Arc;

use serde_json::{Map, Value};

use super::principal::{ActorKind, Principal};
use super::MgmtError;
use crate::settings::{AuthoritySettings, MgmtAuthSettings};
use keys::KeyCache;

/// One authority: its rules and its key cache.
pub struct Authority {
    pub settings: AuthoritySettings,
    keys: Arc<KeyCache>,
    clock_skew_secs: u64,
}

impl Authority {
    /// The authority of `settings`, with its fetch thread started (`None`
    /// when the authority is not enabled).
    fn start(
        name: &'static str,
        settings: &AuthoritySettings,
        all: &MgmtAuthSettings,
    ) -> Result<Option<Authority>, MgmtError> {
        let (Some(issuer), Some(source)) = (settings.issuer.clone(), settings.key_source()) else {
            return Ok(None);
        };
        let keys = Arc::new(KeyCache::new(all.jwks_min_refresh));
        keys::spawn_fetcher(name, issuer, source, keys.clone(), all.jwks_refresh)
            .map_err(|e| MgmtError::Internal(format!("cannot start the {name} key fetch thread: {e}")))?;
        Ok(Some(Authority {
            settings: settings.clone(),
            keys,
            clock_skew_secs: all.clock_skew.as_secs(),
        }))
    }

    /// An authority whose keys are installed by the caller (tests).
    #[cfg(test)]
    pub fn with_cache(settings: AuthoritySettings, keys: Arc<KeyCache>) -> Authority {
        Authority {
            settings,
            keys,
            clock_skew_secs: 0,
        }
    }

    /// The verified claims of `token`, or a 401 naming why it was refused.
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, MgmtError> {
        verify::verify(token, &self.settings, &self.keys, self.clock_skew_secs)
            .map_err(|reason| MgmtError::Unauthorized(format!("bearer token refused: {reason}")))
    }
}

/// The management plane's OAuth2 configuration, shared by connection threads.
pub struct OAuth {
    pub admin: Option<Authority>,
    pub gateway: Option<Authority>,
    pub settings: MgmtAuthSettings,
}

impl OAuth {
    /// Starts the fetch threads of the enabled authorities.
    pub fn start(settings: &MgmtAuthSettings) -> Result<OAuth, MgmtError> {
        Ok(OAuth {
            admin: Authority::start("administrators", &settings.admin, settings)?,
            gateway: Authority::start("gateways", &settings.gateway, settings)?,
            settings: settings.clone(),
        })
    }

    /// No authority (bearer tokens other than the admin token are refused).
    pub fn disabled() -> OAuth {
        OAuth {
            admin: None,
            gateway: None,
            settings: MgmtAuthSettings::default(),
        }
    }

    /// The administrator a bearer token (not the admin token) stands for.
    pub fn admin_principal(&self, token: &str) -> Result<Principal, MgmtError> {
        let Some(authority) = &self.admin else {
            return Err(MgmtError::Unauthorized(
                "a valid admin bearer token is required (OAuth2 tokens are not enabled: mgmt.auth.admin.issuer)".into(),
            ));
        };
        let claims = authority.verify(token)?;
        let s = &self.settings;
        let role = claims::role(
            &claims,
            &s.admin_role_claim,
            &s.admin_reader_values,
            &s.admin_contributor_values,
        )
        .ok_or_else(|| {
            MgmtError::Forbidden(format!(
                "the token grants no role: claim '{}' holds none of {} (reader) or {} (contributor)",
                s.admin_role_claim,
                s.admin_reader_values.join(", "),
                s.admin_contributor_values.join(", ")
            ))
        })?;
        Ok(Principal {
            kind: ActorKind::OAuth,
            id: claims::actor(&claims),
            role,
        })
    }

    /// The application (client id) a gateway's bearer token stands for.
    pub fn gateway_client_id(&self, token: &str) -> Result<String, MgmtError> {
        let Some(authority) = &self.gateway else {
            return Err(MgmtError::Unauthorized(
                "bearer tokens are not accepted from gateways (mgmt.auth.gateway.issuer is not set)".into(),
            ));
        };
        let claims = authority.verify(token)?;
        claims::first_string(&claims, &self.settings.gateway_client_id_claims).ok_or_else(|| {
            MgmtError::Unauthorized(format!(
                "bearer token refused: none of the claims {} names the application",
                self.settings.gateway_client_id_claims.join(", ")
            ))
        })
    }
}
