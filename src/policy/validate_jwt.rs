//! `validate-jwt`: refuse the request unless it carries a valid JWT.
//!
//! ```xml
//! <validate-jwt header-name="Authorization" require-scheme="Bearer"
//!     failed-validation-httpcode="401" failed-validation-error-message="Unauthorized"
//!     require-expiration-time="true" require-signed-tokens="true" clock-skew="30"
//!     output-token-variable-name="jwt">
//!   <openid-config url="https://idp/.well-known/openid-configuration"/>
//!   <issuer-signing-keys><key id="k1">Base64</key><key certificate-id="c"/><key n=".." e=".."/></issuer-signing-keys>
//!   <decryption-keys><key>Base64</key><key certificate-id="rsa-cert"/></decryption-keys>
//!   <audiences><audience>api://orders</audience></audiences>
//!   <issuers><issuer>https://idp</issuer></issuers>
//!   <required-claims><claim name="roles" match="any" separator=","><value>admin</value></claim></required-claims>
//! </validate-jwt>
//! ```
//! Exactly one of `header-name`, `query-parameter-name`, `token-value`.
//! Refusal: `failed-validation-httpcode` (401), body `{ "statusCode": N,
//! "message": "<failed-validation-error-message or LastError.Message>" }`,
//! `LastError` source `validate-jwt` with APIM's reasons (`crate::jwt`).
//! The run-time half is `jwt_check` (shared with validate-azure-ad-token);
//! OpenID keys come from `crate::authority` (the URLs are registered here
//! so that the fetch thread has them before the first request).
//! `certificate-id` keys come from the configuration's certificate store
//! (`tls::store`) when the configuration loads: a signing key is the
//! certificate's public key; a decryption key is the private key uploaded
//! with it (RSA only: `RSA-OAEP`/`RSA-OAEP-256`); an unknown certificate,
//! or a decryption certificate without an RSA private key, is a load error.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::expr::Want as ExprWant;
use super::jwt_check::{next_id, parse_skew, JwtCheck, Setting, TokenSource};
use super::text::Text;
use crate::jwt::jwe::DecryptionKey;
use crate::jwt::{ClaimMatch, ClaimRule, Key, KeySet, Rules};

const SOURCE: &str = "validate-jwt";

/// The child elements, in APIM's order.
const ORDER: [&str; 6] = [
    "openid-config",
    "issuer-signing-keys",
    "decryption-keys",
    "audiences",
    "issuers",
    "required-claims",
];

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<JwtCheck, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    let token = token_source(c, el, None)?;
    let mut check = common(c, el, SOURCE, token)?;
    let mut last = 0;
    for child in children(el) {
        let Some(pos) = ORDER.iter().position(|n| *n == child.name) else {
            return Err(c.error(child, format!("<{}> may not appear in <validate-jwt>", child.name)));
        };
        if pos < last {
            return Err(c.error(child, format!("<{}> must come before <{}>", child.name, ORDER[last])));
        }
        last = pos;
        match child.name.as_str() {
            "openid-config" => {
                c.required(child, "url")?;
                match c.text_attr(child, "url", ExprWant::String)? {
                    // A computed URL (e.g. from a tenant in a variable) is
                    // checked when evaluated and fetched on first use.
                    Some(t @ Text::Expr(..)) => check.openid_exprs.push(t),
                    _ => {
                        let url = c.required(child, "url")?.trim().to_owned();
                        if !is_http_url(&url) {
                            return Err(c.error(
                                child,
                                "openid-config url must be an https URL (http only on a loopback host)",
                            ));
                        }
                        c.targets.openid_url(&url);
                        check.openid.push(url);
                    }
                }
            }
            "issuer-signing-keys" => {
                for k in children(child) {
                    check.keys.push(signing_key(c, k)?);
                }
            }
            "decryption-keys" => {
                for k in children(child) {
                    check.decryption.push(decryption_key(c, k)?);
                }
            }
            "audiences" => check.rules.audiences = values(c, child, "audience")?,
            "issuers" => check.rules.issuers = values(c, child, "issuer")?,
            _ => check.rules.required_claims = required_claims(c, child)?,
        }
    }
    Ok(check)
}

/// `header-name` | `query-parameter-name` | `token-value` (exactly one;
/// `default_header` when none is given, for validate-azure-ad-token).
pub fn token_source(c: &Compiler<'_>, el: &Element, default_header: Option<&str>) -> Result<TokenSource, CompileError> {
    let h = c.text_attr(el, "header-name", ExprWant::String)?;
    let q = c.text_attr(el, "query-parameter-name", ExprWant::String)?;
    let v = c.text_attr(el, "token-value", ExprWant::String)?;
    match (h, q, v) {
        (Some(h), None, None) => Ok(TokenSource::Header(h)),
        (None, Some(q), None) => Ok(TokenSource::Query(q)),
        (None, None, Some(v)) => Ok(TokenSource::Value(v)),
        (None, None, None) => match default_header {
            Some(d) => Ok(TokenSource::Header(Text::Lit(d.into()))),
            None => Err(c.error(
                el,
                "one of header-name, query-parameter-name or token-value is required",
            )),
        },
        _ => Err(c.error(
            el,
            "only one of header-name, query-parameter-name or token-value may be given",
        )),
    }
}

fn setting<T: Copy>(
    c: &Compiler<'_>,
    el: &Element,
    name: &str,
    default: T,
    parse: fn(&str) -> Option<T>,
) -> Result<Setting<T>, CompileError> {
    match c.text_attr(el, name, ExprWant::String)? {
        None => Ok(Setting::Lit(default)),
        Some(Text::Lit(s)) => parse(&s)
            .map(Setting::Lit)
            .ok_or_else(|| c.error(el, format!("invalid `{name}`: `{s}`"))),
        Some(t) => Ok(Setting::Expr(t)),
    }
}

/// The attributes validate-jwt and validate-azure-ad-token share.
pub fn common(
    c: &Compiler<'_>,
    el: &Element,
    source: &'static str,
    token: TokenSource,
) -> Result<JwtCheck, CompileError> {
    let status = setting(c, el, "failed-validation-httpcode", 401u16, |s| {
        s.trim().parse::<u16>().ok().filter(|s| (100..=599).contains(s))
    })?;
    let bool_of = |s: &str| match s.trim() {
        v if v.eq_ignore_ascii_case("true") => Some(true),
        v if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    };
    let require_expiration_time = setting(c, el, "require-expiration-time", true, bool_of)?;
    let require_signed_tokens = setting(c, el, "require-signed-tokens", true, bool_of)?;
    let clock_skew = setting(c, el, "clock-skew", 0i64, parse_skew)?;
    let mut rules = Rules::default();
    if let Setting::Lit(b) = require_expiration_time {
        rules.require_expiration_time = b;
    }
    if let Setting::Lit(b) = require_signed_tokens {
        rules.require_signed_tokens = b;
    }
    if let Setting::Lit(s) = clock_skew {
        rules.clock_skew = s;
    }
    let output = match c.attr(el, "output-token-variable-name").map(str::trim) {
        None => None,
        Some("") => return Err(c.error(el, "output-token-variable-name must not be empty")),
        Some(v) => Some(Text::Lit(v.into())),
    };
    Ok(JwtCheck {
        source_name: source,
        token,
        status,
        message: c.text_attr(el, "failed-validation-error-message", ExprWant::String)?,
        require_scheme: c.text_attr(el, "require-scheme", ExprWant::String)?,
        require_expiration_time,
        require_signed_tokens,
        clock_skew,
        output,
        openid: Vec::new(),
        openid_exprs: Vec::new(),
        keys: KeySet::default(),
        decryption: Vec::new(),
        rules,
        client_apps: Vec::new(),
        id: next_id(),
    })
}

fn kid(c: &Compiler<'_>, k: &Element) -> Option<String> {
    c.attr(k, "id")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn signing_key(c: &Compiler<'_>, k: &Element) -> Result<Key, CompileError> {
    if k.name != "key" {
        return Err(c.error(k, "only <key> elements may appear in <issuer-signing-keys>"));
    }
    let id = kid(c, k);
    if let Some(cert) = c.attr(k, "certificate-id") {
        let store = c.targets.certs.as_ref();
        let Some(i) = store.and_then(|s| s.by_id(cert.trim())) else {
            if store.is_none() {
                // A lone document being linted: no store to look in. A
                // random key stands in: it can never verify a token.
                use base64::Engine;
                let random = base64::engine::general_purpose::STANDARD.encode(rand::random::<[u8; 32]>());
                return Key::symmetric_base64(&random, id).map_err(|e| c.error(k, e.to_string()));
            }
            return Err(c.error(k, format!("no certificate `{cert}`")));
        };
        let der = store.map(|s| s.get(i).der.clone()).unwrap_or_default();
        return Key::certificate_der(&der, id).map_err(|e| c.error(k, e.to_string()));
    }
    match (c.attr(k, "n"), c.attr(k, "e")) {
        (Some(n), Some(e)) => Key::rsa_components(n.trim(), e.trim(), id).map_err(|e| c.error(k, e.to_string())),
        (None, None) => Key::symmetric_base64(&k.text(), id).map_err(|e| c.error(k, format!("signing key: {e}"))),
        _ => Err(c.error(k, "a key needs both n and e, or neither")),
    }
}

fn decryption_key(c: &Compiler<'_>, k: &Element) -> Result<DecryptionKey, CompileError> {
    if k.name != "key" {
        return Err(c.error(k, "only <key> elements may appear in <decryption-keys>"));
    }
    if let Some(cert) = c.attr(k, "certificate-id") {
        let Some(store) = c.targets.certs.as_ref() else {
            // A lone document being linted: no store to look in (a random
            // key stands in: it can never decrypt a token).
            return Ok(DecryptionKey::Symmetric {
                kid: kid(c, k),
                key: rand::random::<[u8; 32]>().to_vec(),
            });
        };
        let Some(i) = store.by_id(cert.trim()) else {
            return Err(c.error(k, format!("no certificate `{}`", cert.trim())));
        };
        let Some(der) = store.private_key_der(i) else {
            return Err(c.error(
                k,
                format!(
                    "certificate `{}` has no private key: a decryption key needs the certificate with its key",
                    cert.trim()
                ),
            ));
        };
        return DecryptionKey::rsa_der(der, kid(c, k)).ok_or_else(|| {
            c.error(
                k,
                format!(
                    "certificate `{}` does not have an RSA key: decryption keys from certificates are for RSA-OAEP",
                    cert.trim()
                ),
            )
        });
    }
    let key = crate::jwt::keys::base64_any(&k.text())
        .filter(|k| !k.is_empty())
        .ok_or_else(|| c.error(k, "a decryption key must be Base64"))?;
    Ok(DecryptionKey::Symmetric { kid: kid(c, k), key })
}

pub fn values(c: &Compiler<'_>, el: &Element, child: &str) -> Result<Vec<String>, CompileError> {
    let mut out = Vec::new();
    for v in children(el) {
        if v.name != child {
            return Err(c.error(v, format!("only <{child}> elements may appear in <{}>", el.name)));
        }
        let t = v.text().trim().to_owned();
        if t.is_empty() {
            return Err(c.error(v, format!("<{child}> must not be empty")));
        }
        out.push(t);
    }
    Ok(out)
}

pub fn required_claims(c: &Compiler<'_>, el: &Element) -> Result<Vec<ClaimRule>, CompileError> {
    let mut out = Vec::new();
    for claim in children(el) {
        if claim.name != "claim" {
            return Err(c.error(claim, "only <claim> elements may appear in <required-claims>"));
        }
        let matching = match c.attr(claim, "match").map(str::trim) {
            None => ClaimMatch::All,
            Some(m) if m.eq_ignore_ascii_case("all") => ClaimMatch::All,
            Some(m) if m.eq_ignore_ascii_case("any") => ClaimMatch::Any,
            Some(m) => return Err(c.error(claim, format!("match must be all or any, not `{m}`"))),
        };
        out.push(ClaimRule {
            name: c.required(claim, "name")?.trim().to_owned(),
            matching,
            separator: c.attr(claim, "separator").filter(|s| !s.is_empty()).map(str::to_owned),
            values: values(c, claim, "value")?,
        });
    }
    Ok(out)
}

/// An `openid-config` URL the gateway may fetch keys from: `https://`, or
/// `http://` on a loopback host (see `jwt::discovery::secure_url`).
pub fn is_http_url(url: &str) -> bool {
    crate::jwt::discovery::secure_url(url)
}
