//! The test OpenID provider itself (support::oidc): what the JWT, token
//! source and management-plane tests rely on holds — discovery names the
//! JWKS and token endpoint, client-credentials tokens carry the requested
//! audience, rotation changes the published keys, failure modes apply.

use crate::support::oidc::{json_of, Client, Oidc};
use base64::Engine;
use serde_json::Value;

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWS has three parts");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url payload");
    serde_json::from_slice(&bytes).expect("JSON claims")
}

fn kids(oidc: &Oidc) -> Vec<String> {
    let jwks: Value = json_of(ureq::get(&oidc.jwks_url()).call().expect("jwks"));
    jwks["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .filter_map(|k| k["kid"].as_str().map(str::to_owned))
        .collect()
}

#[test]
fn provider_issues_audience_bound_tokens_and_rotates_keys() {
    let client = Client {
        id: "svc".into(),
        secret: "svc-secret-0123456789".into(),
    };
    let other = Client {
        id: "other".into(),
        secret: "other-secret-0123456789".into(),
    };
    let oidc = Oidc::builder()
        .client(&other.id, &other.secret)
        .token_ttl(120)
        .client_with_claims(&client.id, &client.secret, serde_json::json!({"roles": ["reader"]}))
        .start();
    let disco: Value = json_of(ureq::get(&oidc.discovery_url()).call().expect("discovery"));
    assert_eq!(disco["issuer"], oidc.issuer.as_str());
    assert_eq!(disco["jwks_uri"], oidc.jwks_url().as_str());
    assert_eq!(disco["token_endpoint"], oidc.token_endpoint().as_str());

    let token = oidc.token(&client, Some("https://backend.example/api"));
    let c = claims(&token);
    assert_eq!(c["aud"], "https://backend.example/api");
    assert_eq!(c["iss"], oidc.issuer.as_str());
    assert_eq!(c["client_id"], "svc");
    assert_eq!(c["roles"][0], "reader");
    assert_eq!(c["exp"].as_u64().unwrap() - c["iat"].as_u64().unwrap(), 120);
    let c = claims(&oidc.token(&other, None));
    assert_eq!(c["client_id"], "other");
    assert!(c.get("roles").is_none());

    let before = kids(&oidc);
    let new = oidc.rotate(true);
    let after = kids(&oidc);
    assert!(new.iter().all(|k| after.contains(k)) && before.iter().all(|k| after.contains(k)));
    oidc.rotate(false);
    let last = kids(&oidc);
    assert!(last.iter().all(|k| !after.contains(k)), "{last:?} vs {after:?}");

    let signed = oidc.sign(
        serde_json::json!({"sub": "x", "aud": "a"}),
        serde_json::json!({}),
        "ES256",
    );
    assert_eq!(claims(&signed)["aud"], "a");

    let served = oidc.requests("/jwks");
    oidc.set_mode("/jwks", "error", 0);
    let err = ureq::get(&oidc.jwks_url()).call();
    assert!(matches!(err, Err(ureq::Error::Status(503, _))), "{err:?}");
    assert_eq!(oidc.requests("/jwks"), served + 1);
    oidc.set_mode("/jwks", "normal", 0);
    assert!(ureq::get(&oidc.jwks_url()).call().is_ok());
}
