//! `validate-azure-ad-token`: validate-jwt for tokens of one authority,
//! named by a tenant (Entra) or by the URL of any OpenID provider
//! (on-premises identity providers first, Entra one authority among
//! others).
//!
//! ```xml
//! <validate-azure-ad-token tenant-id="contoso.onmicrosoft.com"
//!     authentication-endpoint="https://login.microsoftonline.com"
//!     header-name="Authorization" failed-validation-httpcode="401"
//!     failed-validation-error-message="Unauthorized" output-token-variable-name="jwt">
//!   <client-application-ids><application-id>app-1</application-id></client-application-ids>
//!   <backend-application-ids><application-id>api-1</application-id></backend-application-ids>
//!   <audiences><audience>api://orders</audience></audiences>
//!   <required-claims><claim name="roles"><value>reader</value></claim></required-claims>
//! </validate-azure-ad-token>
//! ```
//! `tenant-id` (required): a tenant id or domain — the discovery document
//! is `{authentication-endpoint}/{tenant}/v2.0/.well-known/openid-configuration`
//! (endpoint default `https://login.microsoftonline.com`) — or an
//! `http(s)` URL of an authority (its `/.well-known/openid-configuration`
//! is appended unless present). The token comes from `Authorization`
//! with the `Bearer` scheme unless `header-name`, `query-parameter-name`
//! or `token-value` says otherwise. `client-application-ids`: the token's
//! `azp` (v2), `appid` (v1) or `client_id` (RFC 9068) must be one of them; `backend-application-ids`
//! and `audiences`: accepted `aud` values (an application id also as
//! `api://{id}`); the issuer must be the discovery document's. Refusals
//! as validate-jwt's, source `validate-azure-ad-token`.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::jwt_check::JwtCheck;
use super::text::Text;
use super::validate_jwt::{common, required_claims, token_source, values};

const SOURCE: &str = "validate-azure-ad-token";
const ENTRA: &str = "https://login.microsoftonline.com";
const WELL_KNOWN: &str = "/.well-known/openid-configuration";

/// The discovery URL of a `tenant-id` (and `authentication-endpoint`).
pub fn discovery_url(tenant: &str, endpoint: Option<&str>) -> String {
    let tenant = tenant.trim();
    if tenant.starts_with("https://") || tenant.starts_with("http://") {
        if tenant.ends_with(WELL_KNOWN) {
            return tenant.to_owned();
        }
        return format!("{}{WELL_KNOWN}", tenant.trim_end_matches('/'));
    }
    let endpoint = endpoint.map(str::trim).filter(|e| !e.is_empty()).unwrap_or(ENTRA);
    format!("{}/{tenant}/v2.0{WELL_KNOWN}", endpoint.trim_end_matches('/'))
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<JwtCheck, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    let token = token_source(c, el, Some("Authorization"))?;
    let mut check = common(c, el, SOURCE, token)?;
    if check.require_scheme.is_none() {
        check.require_scheme = Some(Text::Lit("Bearer".into()));
    }
    let tenant = c.required(el, "tenant-id")?;
    if tenant.trim().is_empty() || tenant.contains(['/', '?', '#']) && !tenant.trim().starts_with("http") {
        return Err(c.error(el, "tenant-id must be a tenant id, a domain or an http(s) URL"));
    }
    let url = discovery_url(tenant, c.attr(el, "authentication-endpoint"));
    if !crate::jwt::discovery::secure_url(&url) {
        return Err(c.error(el, "the authority must be an https URL (http only on a loopback host)"));
    }
    c.targets.openid_url(&url);
    check.openid.push(url);
    for child in children(el) {
        match child.name.as_str() {
            "client-application-ids" => check.client_apps = values(c, child, "application-id")?,
            "backend-application-ids" => {
                for id in values(c, child, "application-id")? {
                    check.rules.audiences.push(format!("api://{id}"));
                    check.rules.audiences.push(id);
                }
            }
            "audiences" => check.rules.audiences.extend(values(c, child, "audience")?),
            "required-claims" => check.rules.required_claims = required_claims(c, child)?,
            other => return Err(c.error(child, format!("<{other}> may not appear in <validate-azure-ad-token>"))),
        }
    }
    // As APIM: without it any application of the tenant would pass.
    if check.client_apps.is_empty() {
        return Err(c.error(
            el,
            "<validate-azure-ad-token> needs <client-application-ids> with at least one <application-id>",
        ));
    }
    Ok(check)
}

#[cfg(test)]
mod tests {
    use super::discovery_url;

    #[test]
    fn discovery_urls() {
        assert_eq!(
            discovery_url("contoso.onmicrosoft.com", None),
            "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("t", Some("https://login.microsoftonline.us/")),
            "https://login.microsoftonline.us/t/v2.0/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("https://idp/realms/x/", None),
            "https://idp/realms/x/.well-known/openid-configuration"
        );
        assert_eq!(
            discovery_url("http://idp/.well-known/openid-configuration", None),
            "http://idp/.well-known/openid-configuration"
        );
    }
}
