//! OAuth2 client-credentials token requests (RFC 6749 §4.4) for an
//! [`Identity`], with a client secret (`client_secret_post` or
//! `client_secret_basic`), a `private_key_jwt` assertion signed with the
//! identity's certificate key (RFC 7523; the header carries the
//! certificate's `x5t`/`x5t#S256` thumbprints as Microsoft Entra expects),
//! or a federated token file (Entra Workload ID).
//!
//! Invariants: blocking, called only off the workers (the fetch thread,
//! the sync threads); the secret, the assertion and the token never appear
//! in an error or a log; the response is capped (`http::SMALL_MAX`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};

use super::http::{Http, SMALL_MAX};
use super::identity::{Credential, Endpoint, Identity};
use super::Token;

/// A token's lifetime when the answer has no `expires_in`.
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// Client assertions are valid this long.
const ASSERTION_LIFETIME: u64 = 300;

/// A token of `identity` for `resource`; `token_url` is the endpoint
/// (already discovered for [`Endpoint::Issuer`]).
pub fn request(http: &Http, identity: &Identity, token_url: &str, resource: &str) -> Result<Token, String> {
    let mut form: Vec<(&str, String)> = vec![("grant_type", "client_credentials".into())];
    let entra = matches!(identity.endpoint, Endpoint::Entra { .. });
    match &identity.scope {
        Some(template) => form.push(("scope", template.replace("{resource}", resource))),
        None if entra => form.push(("scope", format!("{}/.default", resource.trim_end_matches('/')))),
        None => {}
    }
    if !entra && !resource.is_empty() {
        form.push(("resource", resource.to_owned()));
    }
    let mut basic = None;
    match &identity.credential {
        Credential::Secret { secret, basic: true } => {
            let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
            let pair = format!("{}:{}", enc(&identity.client_id), enc(&secret.0));
            basic = Some(format!("Basic {}", STANDARD.encode(pair)));
        }
        Credential::Secret { secret, basic: false } => {
            form.push(("client_id", identity.client_id.clone()));
            form.push(("client_secret", secret.0.clone()));
        }
        Credential::Certificate { path, password } => {
            let assertion = assertion(identity, path, password.as_ref().map(|p| p.0.as_str()), token_url)?;
            form.push(("client_id", identity.client_id.clone()));
            form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()));
            form.push(("client_assertion", assertion));
        }
        Credential::FederatedTokenFile(path) => {
            let t = std::fs::read_to_string(path)
                .map_err(|e| format!("federated token file {}: {e}", path.display()))?;
            form.push(("client_id", identity.client_id.clone()));
            form.push(("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".into()));
            form.push(("client_assertion", t.trim().to_owned()));
        }
    }
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let body = http
        .post_form(token_url, &fields, basic.as_deref())
        .map_err(|e| format!("token endpoint {token_url}: {e}"))?;
    parse_response(body.status, &body.bytes, SystemTime::now()).map_err(|e| format!("token endpoint {token_url}: {e}"))
}

/// The token of a token endpoint's answer, or its OAuth2 error.
pub fn parse_response(status: u16, body: &[u8], now: SystemTime) -> Result<Token, String> {
    if body.len() as u64 > SMALL_MAX {
        return Err("the answer is too large".into());
    }
    let v: serde_json::Value = serde_json::from_slice(body).map_err(|_| format!("HTTP {status}, not a JSON answer"))?;
    if !(200..300).contains(&status) {
        // `error` and `error_description` are the server's words: no secret of ours.
        let error = v.get("error").and_then(|e| e.as_str()).unwrap_or("error");
        let desc = v
            .get("error_description")
            .and_then(|e| e.as_str())
            .map(|d| d.chars().take(300).collect::<String>())
            .unwrap_or_default();
        return Err(format!("HTTP {status}: {error} {desc}").trim_end().to_owned());
    }
    let value = v
        .get("access_token")
        .and_then(|t| t.as_str())
        .filter(|t| !t.is_empty() && t.len() <= 16 * 1024 && t.bytes().all(|b| b.is_ascii_graphic()))
        .ok_or("no usable access_token in the answer")?;
    let lifetime = match v.get("expires_in") {
        Some(serde_json::Value::Number(n)) => n.as_u64().map(Duration::from_secs),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok().map(Duration::from_secs),
        _ => None,
    }
    .unwrap_or(DEFAULT_LIFETIME)
    .min(Duration::from_secs(366 * 24 * 3600));
    Ok(Token {
        value: value.to_owned(),
        expires: now + lifetime,
    })
}

/// The certificate (DER) and PKCS#8/PKCS#1 RSA key of a PEM or PFX file.
fn load_certificate(path: &std::path::Path, password: Option<&str>) -> Result<(Vec<u8>, ring::signature::RsaKeyPair), String> {
    let raw = std::fs::read(path).map_err(|e| format!("certificate {}: {e}", path.display()))?;
    let pem = if raw.starts_with(b"-----") || raw.iter().take(64).any(|b| *b == b'-') {
        raw
    } else {
        crate::tls::pkcs12::to_pem(&raw, password.unwrap_or(""))
            .map_err(|e| format!("certificate {}: {e}", path.display()))?
            .into_bytes()
    };
    let cert = CertificateDer::from_pem_slice(&pem)
        .map_err(|_| format!("certificate {}: no certificate in the file", path.display()))?;
    let key = PrivateKeyDer::from_pem_slice(&pem)
        .map_err(|_| format!("certificate {}: no private key in the file", path.display()))?;
    let pair = match &key {
        PrivateKeyDer::Pkcs8(k) => ring::signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()),
        PrivateKeyDer::Pkcs1(k) => ring::signature::RsaKeyPair::from_der(k.secret_pkcs1_der()),
        _ => return Err(format!("certificate {}: the private key must be RSA", path.display())),
    }
    .map_err(|_| format!("certificate {}: the private key must be RSA (2048 bits or more)", path.display()))?;
    Ok((cert.as_ref().to_vec(), pair))
}

/// A `private_key_jwt` client assertion (RS256) for `audience`.
fn assertion(identity: &Identity, path: &std::path::Path, password: Option<&str>, audience: &str) -> Result<String, String> {
    let (cert, key) = load_certificate(path, password)?;
    sign_assertion(&identity.client_id, &cert, &key, audience, SystemTime::now())
}

/// Signs the assertion (split out for tests).
pub fn sign_assertion(
    client_id: &str,
    cert_der: &[u8],
    key: &ring::signature::RsaKeyPair,
    audience: &str,
    now: SystemTime,
) -> Result<String, String> {
    let sha1 = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert_der);
    let sha256 = ring::digest::digest(&ring::digest::SHA256, cert_der);
    let x5t = URL_SAFE_NO_PAD.encode(sha1.as_ref());
    let header = serde_json::json!({
        "alg": "RS256",
        "typ": "JWT",
        "kid": x5t,
        "x5t": x5t,
        "x5t#S256": URL_SAFE_NO_PAD.encode(sha256.as_ref()),
    });
    let iat = now.duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default();
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "jti": format!("{:032x}", rand::random::<u128>()),
        "iat": iat,
        "nbf": iat,
        "exp": iat + ASSERTION_LIFETIME,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let mut sig = vec![0u8; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .map_err(|_| "could not sign the client assertion".to_string())?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_answers_parse_and_errors_carry_no_secret() {
        let now = UNIX_EPOCH + Duration::from_secs(1000);
        let t = parse_response(200, br#"{"access_token":"abc","expires_in":3600,"token_type":"Bearer"}"#, now).unwrap();
        assert_eq!(t.value, "abc");
        assert_eq!(t.expires, now + Duration::from_secs(3600));
        let t = parse_response(200, br#"{"access_token":"abc","expires_in":"60"}"#, now).unwrap();
        assert_eq!(t.expires, now + Duration::from_secs(60));
        let t = parse_response(200, br#"{"access_token":"abc"}"#, now).unwrap();
        assert_eq!(t.expires, now + DEFAULT_LIFETIME);
        let e = parse_response(401, br#"{"error":"invalid_client","error_description":"bad secret"}"#, now).unwrap_err();
        assert_eq!(e, "HTTP 401: invalid_client bad secret");
        assert!(parse_response(200, b"<html>", now).is_err());
        assert!(parse_response(200, br#"{"access_token":""}"#, now).is_err());
        assert!(parse_response(200, br#"{"access_token":"a\nb"}"#, now).is_err());
        assert!(parse_response(200, &vec![b' '; 70_000], now).is_err());
    }

    #[test]
    fn assertions_are_signed_rs256_with_thumbprints() {
        // A throwaway key from the openssl command (the e2e tests need it too).
        let Ok(out) = std::process::Command::new("openssl")
            .args(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"])
            .stdin(std::process::Stdio::null())
            .output()
        else {
            return;
        };
        let pem = out.stdout;
        let key = PrivateKeyDer::from_pem_slice(&pem).unwrap();
        let PrivateKeyDer::Pkcs8(k) = key else { return };
        let pair = ring::signature::RsaKeyPair::from_pkcs8(k.secret_pkcs8_der()).unwrap();
        let jwt = sign_assertion("app", b"cert", &pair, "https://t/token", UNIX_EPOCH).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "RS256");
        assert!(header["x5t"].is_string());
        let claims: serde_json::Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["aud"], "https://t/token");
        assert_eq!(claims["exp"], ASSERTION_LIFETIME);
    }
}
