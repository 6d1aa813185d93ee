//! `authority.*`: the gateway's OAuth2 identities (token sources of
//! `authentication-managed-identity`, `authority.identity.<name>.<field>`)
//! and the identity-provider thread's timeouts; and the gateway's own
//! OAuth2 identity towards its management plane
//! (`config.service.auth=azureAdApp` with `config.service.auth.azureAd.*`
//! and `config.service.auth.tokenAudience`, APIM's names).
//!
//! Invariant: applies exactly these keys (`Ok(false)` for any other);
//! identities are checked whole once all keys are applied
//! (`crate::authority::identity::Identity::from_draft`); secrets are kept
//! as `Secret`s.

use super::parse::parse_duration;
use super::Settings;

/// Prefix of the named identities' keys.
pub const IDENTITY_PREFIX: &str = "authority.identity.";
/// Prefix of the gateway's own identity's keys.
pub const SERVICE_PREFIX: &str = "config.service.auth.azureAd.";
/// The fields of an identity, as they appear in key names.
pub const FIELDS: &[&str] = &[
    "tokenEndpoint",
    "authority",
    "tenantId",
    "clientId",
    "clientSecret",
    "certificatePath",
    "certificatePassword",
    "federatedTokenFile",
    "scope",
    "clientAuth",
];

/// Applies `key = v`; `Ok(false)` when `key` is not one of these keys.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    match key {
        "authority.wait.timeout" => s.authority_wait_timeout = positive(parse_duration(v)?)?,
        "authority.fetch.timeout" => s.authority_fetch_timeout = positive(parse_duration(v)?)?,
        "gateway.name" => {
            if v.is_empty() || v.len() > 256 || v.bytes().any(|b| b.is_ascii_control() || b == b' ') {
                return Err("a gateway id: 1 to 256 characters, no spaces or control characters".into());
            }
            s.gateway_name = Some(v.to_owned())
        }
        "config.service.auth.tokenAudience" => {
            if v.is_empty() {
                return Err("must not be empty".into());
            }
            s.service_token_audience = v.to_owned()
        }
        _ => {
            if let Some(field) = key.strip_prefix(SERVICE_PREFIX) {
                return s.service_azure_ad.apply(field, v);
            }
            let Some(rest) = key.strip_prefix(IDENTITY_PREFIX) else {
                return Ok(false);
            };
            let Some((name, field)) = rest.split_once('.') else {
                return Ok(false);
            };
            if name.is_empty()
                || !name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return Err(format!(
                    "identity name {name:?}: lowercase letters, digits and '-' only"
                ));
            }
            if !FIELDS.contains(&field) {
                return Ok(false);
            }
            return s.identities.entry(name.to_owned()).or_default().apply(field, v);
        }
    }
    Ok(true)
}

fn positive(d: std::time::Duration) -> Result<std::time::Duration, String> {
    if d.is_zero() {
        Err("must be positive".into())
    } else {
        Ok(d)
    }
}

/// The key of an `OUTPOST_AUTHORITY_IDENTITY_<NAME>_<FIELD>` variable
/// (`<NAME>` with `-` as `_`; `<FIELD>` upper-cased, e.g. `CLIENTID`).
pub(super) fn env_identity_key(name: &str) -> Option<String> {
    let rest = name.strip_prefix("OUTPOST_AUTHORITY_IDENTITY_")?;
    let (ident, field) = rest.rsplit_once('_')?;
    let field = FIELDS.iter().find(|f| f.to_ascii_uppercase() == field)?;
    if ident.is_empty() {
        return None;
    }
    Some(format!(
        "{IDENTITY_PREFIX}{}.{field}",
        ident.to_ascii_lowercase().replace('_', "-")
    ))
}

#[cfg(test)]
mod tests {
    use super::super::tests::pairs;
    use super::super::Settings;
    use super::*;

    #[test]
    fn identities_and_the_gateway_identity_apply() {
        let (s, _) = Settings::from_pairs(pairs(&[
            ("authority.identity.default.clientId", "app"),
            ("authority.identity.default.clientSecret", "s3cret"),
            ("authority.identity.default.tokenEndpoint", "http://127.0.0.1:1/token"),
            ("authority.wait.timeout", "5s"),
            ("config.service.endpoint", "http://127.0.0.1:9"),
            ("config.service.auth", "azureAdApp"),
            ("config.service.auth.azureAd.tenantId", "contoso"),
            ("config.service.auth.azureAd.clientId", "gw-app"),
            ("config.service.auth.azureAd.clientSecret", "x"),
            ("config.service.auth.tokenAudience", "api://outpost"),
        ]))
        .unwrap();
        assert_eq!(s.identities.len(), 1);
        assert_eq!(s.authority_wait_timeout, std::time::Duration::from_secs(5));
        assert_eq!(s.service_token_audience, "api://outpost");
        assert!(s.service_oauth());
        assert_eq!(s.gateway_identity().unwrap().unwrap().client_id, "gw-app");
        assert!(!format!("{s:?}").contains("s3cret"));
        // Checked whole: a secret without a client id is refused.
        let e = Settings::from_pairs(pairs(&[("authority.identity.x.clientSecret", "s")])).unwrap_err();
        assert_eq!(e.key, "authority.identity.x");
        let e = Settings::from_pairs(pairs(&[
            ("config.service.endpoint", "http://127.0.0.1:9"),
            ("config.service.auth", "azureAdApp"),
        ]))
        .unwrap_err();
        assert_eq!(e.key, "config.service.auth.azureAd");
        assert!(Settings::from_pairs(pairs(&[("authority.identity.Bad.clientId", "a")])).is_err());
        assert!(Settings::from_pairs(pairs(&[("authority.identity.x.nope", "a")])).is_err());
        assert_eq!(
            env_identity_key("OUTPOST_AUTHORITY_IDENTITY_KEY_VAULT_CLIENTSECRET").as_deref(),
            Some("authority.identity.key-vault.clientSecret")
        );
        assert_eq!(env_identity_key("OUTPOST_AUTHORITY_IDENTITY_X_NOPE"), None);
    }
}
