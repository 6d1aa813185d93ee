//! `mgmt.auth.*`: OAuth2/OIDC on the management plane (`outpost
//! control-plane`): the administrators' authority with its role claim and
//! the values that make a reader or a contributor, the gateways' authority
//! (OAuth2 application identities of gateways), and the JWKS refresh
//! bounds.
//!
//! Invariants: applies exactly the `mgmt.*` keys of [`KEYS`](super::KEYS)
//! (`Ok(false)` for any other key); an authority is enabled by its issuer,
//! and then needs an audience (checked by [`MgmtAuthSettings::check`]);
//! a key URL is `https://`, or `http://` only on a loopback host (keys
//! fetched in clear text over a network could be replaced).

use std::time::Duration;

use super::parse::parse_duration;

/// One OAuth2 authority whose bearer tokens the management plane accepts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthoritySettings {
    /// Expected `iss`; enables the authority. Discovery defaults to
    /// `{issuer}/.well-known/openid-configuration`.
    pub issuer: Option<String>,
    /// The OpenID discovery document, when not under the issuer.
    pub openid_config: Option<String>,
    /// The JWKS itself (no discovery).
    pub jwks_url: Option<String>,
    /// Accepted `aud` values (one must match).
    pub audiences: Vec<String>,
}

impl AuthoritySettings {
    pub fn enabled(&self) -> bool {
        self.issuer.is_some()
    }

    /// Where the keys come from: the JWKS URL, else the discovery document.
    pub fn key_source(&self) -> Option<KeySource> {
        if let Some(u) = &self.jwks_url {
            return Some(KeySource::Jwks(u.clone()));
        }
        if let Some(u) = &self.openid_config {
            return Some(KeySource::Discovery(u.clone()));
        }
        let issuer = self.issuer.as_ref()?;
        Some(KeySource::Discovery(format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        )))
    }
}

/// Where an authority's signing keys are fetched from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeySource {
    Discovery(String),
    Jwks(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MgmtAuthSettings {
    /// Administrators' authority (`mgmt.auth.admin.*`).
    pub admin: AuthoritySettings,
    /// Claim holding the administrator's roles (string, space-separated string or array).
    pub admin_role_claim: String,
    pub admin_reader_values: Vec<String>,
    pub admin_contributor_values: Vec<String>,
    /// Gateways' authority (`mgmt.auth.gateway.*`).
    pub gateway: AuthoritySettings,
    /// Claims naming the application (client id), tried in order.
    pub gateway_client_id_claims: Vec<String>,
    /// Keys are refetched this often.
    pub jwks_refresh: Duration,
    /// At most one refetch per authority this often when a token names an unknown key.
    pub jwks_min_refresh: Duration,
    /// Tolerance on `exp` and `nbf`.
    pub clock_skew: Duration,
}

impl Default for MgmtAuthSettings {
    fn default() -> Self {
        MgmtAuthSettings {
            admin: AuthoritySettings::default(),
            admin_role_claim: "roles".into(),
            admin_reader_values: vec!["Outpost.Reader".into()],
            admin_contributor_values: vec!["Outpost.Contributor".into()],
            gateway: AuthoritySettings {
                audiences: vec!["https://azure-api.net/configuration".into()],
                ..AuthoritySettings::default()
            },
            gateway_client_id_claims: vec!["appid".into(), "azp".into(), "client_id".into()],
            jwks_refresh: Duration::from_secs(3600),
            jwks_min_refresh: Duration::from_secs(60),
            clock_skew: Duration::from_secs(30),
        }
    }
}

fn list(v: &str) -> Result<Vec<String>, String> {
    let items: Vec<String> = v
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    if items.is_empty() {
        return Err("expected a comma-separated list of one or more values".into());
    }
    Ok(items)
}

/// `https://…`, or `http://` on a loopback host.
fn key_url(v: &str) -> Result<String, String> {
    let parsed = url::Url::parse(v).map_err(|e| format!("invalid URL {v:?}: {e}"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(v.to_string()),
        "http" if loopback => Ok(v.to_string()),
        _ => Err(format!(
            "expected an https:// URL (http:// only on a loopback host), got {v:?}"
        )),
    }
}

fn authority(a: &mut AuthoritySettings, field: &str, v: &str) -> Result<bool, String> {
    match field {
        "issuer" => {
            if v.is_empty() {
                return Err("expected the issuer URL (the tokens' `iss`)".into());
            }
            a.issuer = Some(v.to_string())
        }
        "openid-config" => a.openid_config = Some(key_url(v)?),
        "jwks-url" => a.jwks_url = Some(key_url(v)?),
        "audience" => a.audiences = list(v)?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Applies `key = v`; `Ok(false)` when `key` is not a `mgmt.*` key.
pub(super) fn apply(s: &mut MgmtAuthSettings, key: &str, v: &str) -> Result<bool, String> {
    if let Some(field) = key.strip_prefix("mgmt.auth.admin.") {
        match field {
            "role-claim" if !v.is_empty() => s.admin_role_claim = v.to_string(),
            "role-claim" => return Err("expected a claim name".into()),
            "reader-values" => s.admin_reader_values = list(v)?,
            "contributor-values" => s.admin_contributor_values = list(v)?,
            _ => return authority(&mut s.admin, field, v),
        }
        return Ok(true);
    }
    if let Some(field) = key.strip_prefix("mgmt.auth.gateway.") {
        if field == "client-id-claims" {
            s.gateway_client_id_claims = list(v)?;
            return Ok(true);
        }
        return authority(&mut s.gateway, field, v);
    }
    match key {
        "mgmt.auth.jwks.refresh-interval" => s.jwks_refresh = parse_duration(v)?,
        "mgmt.auth.jwks.min-refresh-interval" => s.jwks_min_refresh = parse_duration(v)?,
        "mgmt.auth.clock-skew" => s.clock_skew = parse_duration(v)?,
        _ => return Ok(false),
    }
    Ok(true)
}

impl MgmtAuthSettings {
    /// Checks across keys: an enabled authority needs an audience; the
    /// refresh interval is positive.
    pub(super) fn check(&self) -> Result<(), (&'static str, String)> {
        if self.admin.enabled() && self.admin.audiences.is_empty() {
            return Err((
                "mgmt.auth.admin.audience",
                "required with mgmt.auth.admin.issuer".into(),
            ));
        }
        for (a, key) in [
            (&self.admin, "mgmt.auth.admin.issuer"),
            (&self.gateway, "mgmt.auth.gateway.issuer"),
        ] {
            if !a.enabled() && (a.jwks_url.is_some() || a.openid_config.is_some()) {
                return Err((key, "required with the authority's jwks-url or openid-config".into()));
            }
            if let (true, Some(KeySource::Discovery(u))) = (a.enabled(), a.key_source()) {
                key_url(&u).map_err(|e| (key, format!("{e} (the discovery document's URL)")))?;
            }
        }
        if self.jwks_refresh < Duration::from_secs(1) {
            return Err(("mgmt.auth.jwks.refresh-interval", "must be at least 1s".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::pairs;
    use super::super::Settings;
    use super::*;

    #[test]
    fn admin_and_gateway_authorities() {
        let (s, _) = Settings::from_pairs(pairs(&[
            ("mgmt.auth.admin.issuer", "https://login.example.com/t1/v2.0"),
            ("mgmt.auth.admin.audience", "api://outpost, outpost-admin"),
            ("mgmt.auth.admin.role-claim", "groups"),
            ("mgmt.auth.admin.reader-values", "g-read"),
            ("mgmt.auth.admin.contributor-values", "g-write,g-admin"),
            ("mgmt.auth.gateway.issuer", "http://127.0.0.1:4000"),
            ("mgmt.auth.gateway.jwks-url", "http://127.0.0.1:4000/jwks"),
            ("mgmt.auth.jwks.min-refresh-interval", "5s"),
        ]))
        .unwrap();
        let m = &s.mgmt_auth;
        assert_eq!(m.admin.audiences, ["api://outpost", "outpost-admin"]);
        assert_eq!(
            m.admin.key_source(),
            Some(KeySource::Discovery(
                "https://login.example.com/t1/v2.0/.well-known/openid-configuration".into()
            ))
        );
        assert_eq!(m.admin_contributor_values, ["g-write", "g-admin"]);
        assert_eq!(m.admin_role_claim, "groups");
        assert_eq!(
            m.gateway.key_source(),
            Some(KeySource::Jwks("http://127.0.0.1:4000/jwks".into()))
        );
        assert_eq!(m.gateway.audiences, ["https://azure-api.net/configuration"]);
        assert_eq!(m.jwks_min_refresh, Duration::from_secs(5));
        assert!(!Settings::default().mgmt_auth.admin.enabled());
    }

    #[test]
    fn bad_authorities_are_refused() {
        for kv in [
            &[("mgmt.auth.admin.issuer", "https://idp")][..],
            &[("mgmt.auth.admin.jwks-url", "http://idp.example.com/keys")][..],
            &[("mgmt.auth.admin.jwks-url", "https://idp.example.com/keys")][..],
            &[("mgmt.auth.gateway.issuer", "http://idp.example.com")][..],
            &[("mgmt.auth.admin.audience", " , ")][..],
        ] {
            assert!(Settings::from_pairs(pairs(kv)).is_err(), "{kv:?}");
        }
    }
}
