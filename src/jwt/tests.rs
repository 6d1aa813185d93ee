//! Unit tests of validation with tokens signed here (keys generated in
//! the test), every algorithm family, JWE and the negative cases.

use std::sync::OnceLock;

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use ring::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair, ECDSA_P256_SHA256_FIXED_SIGNING};
use rsa::pkcs1::EncodeRsaPrivateKey;
use rsa::traits::PublicKeyParts;
use serde_json::json;

use super::jwe::DecryptionKey;
use super::validate::Trust;
use super::*;

const NOW: i64 = 1_700_000_000;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn rsa_key() -> &'static rsa::RsaPrivateKey {
    static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 2048).unwrap())
}

fn rsa_jwks(kid: &str) -> Vec<u8> {
    let k = rsa_key();
    let (n, e) = (b64(&k.n().to_bytes_be()), b64(&k.e().to_bytes_be()));
    serde_json::to_vec(&json!({"keys":[
        {"kty":"RSA","use":"enc","kid":"enc1","n":n,"e":e},
        {"kty":"RSA","use":"sig","kid":kid,"n":n,"e":e,"alg":"RS256"},
        {"kty":"weird"}
    ]}))
    .unwrap()
}

fn sign(alg: Algorithm, kid: Option<&str>, claims: serde_json::Value, key: &EncodingKey) -> String {
    let mut h = Header::new(alg);
    h.kid = kid.map(str::to_owned);
    encode(&h, &claims, key).unwrap()
}

fn rsa_enc() -> EncodingKey {
    EncodingKey::from_rsa_der(rsa_key().to_pkcs1_der().unwrap().as_bytes())
}

fn claims() -> serde_json::Value {
    json!({"iss":"https://idp","aud":["api://one","api://two"],"exp":NOW+60,"nbf":NOW-60,"sub":"alice","roles":"a,b,c","scp":"read write"})
}

fn check(token: &str, keys: &KeySet, rules: &Rules) -> Result<Validated, Refusal> {
    validate(
        token,
        &Trust {
            keys: &[keys],
            ..Trust::default()
        },
        rules,
        NOW,
    )
}

fn reason(r: Result<Validated, Refusal>) -> Reason {
    r.map(|_| ()).unwrap_err().reason
}

#[test]
fn jwks_keys_and_kids() {
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    assert_eq!(set.len(), 1, "the enc key and the unknown type are skipped");
    assert!(set.has_kid("k1") && !set.has_kid("enc1"));
    assert!(KeySet::from_jwks(b"{}").is_err());
    assert!(KeySet::from_jwks(b"not json").is_err());
    assert!(KeySet::from_jwks(br#"{"keys":[{"kty":"RSA","n":"!!","e":"AQAB"}]}"#).is_err());
    assert!(matches!(
        KeySet::from_jwks(&vec![b' '; MAX_JWKS_BYTES + 1]),
        Err(JwtError::TooLarge(..))
    ));
    let rsa: serde_json::Value = serde_json::from_slice(&rsa_jwks("k1")).unwrap();
    let one = rsa["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == "k1")
        .unwrap()
        .clone();
    let many: Vec<_> = (0..MAX_KEYS + 1)
        .map(|i| {
            let mut k = one.clone();
            k["kid"] = json!(i.to_string());
            k
        })
        .collect();
    let doc = serde_json::to_vec(&json!({ "keys": many })).unwrap();
    assert!(matches!(KeySet::from_jwks(&doc), Err(JwtError::TooManyKeys(..))));
    // A symmetric key published in a key set is never used: it would make
    // a public document an HMAC secret.
    let oct = json!({"keys": [{"kty":"oct","k":"c2VjcmV0","kid":"s"}, one]});
    let set = KeySet::from_jwks(&serde_json::to_vec(&oct).unwrap()).unwrap();
    assert_eq!(set.len(), 1);
    assert!(!set.has_kid("s"));
}

#[test]
fn rsa_family_signatures() {
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    let t = sign(Algorithm::RS256, Some("k1"), claims(), &rsa_enc());
    let v = check(&t, &set, &Rules::default()).unwrap();
    assert_eq!(v.claims["sub"], "alice");
    assert_eq!(v.expires, Some(NOW + 60));
    // The JWK says RS256: a PS256 token with that key is refused.
    let ps = sign(Algorithm::PS256, Some("k1"), claims(), &rsa_enc());
    assert_eq!(
        reason(check(&ps, &set, &Rules::default())),
        Reason::TokenSignatureKeyNotFound
    );
    // n/e keys take every RSA algorithm.
    let k = rsa_key();
    let ne = Key::rsa_components(&b64(&k.n().to_bytes_be()), &b64(&k.e().to_bytes_be()), None).unwrap();
    let ne = KeySet::new(vec![ne]);
    for alg in [
        Algorithm::RS256,
        Algorithm::RS384,
        Algorithm::RS512,
        Algorithm::PS256,
        Algorithm::PS384,
        Algorithm::PS512,
    ] {
        let t = sign(alg, None, claims(), &rsa_enc());
        assert!(check(&t, &ne, &Rules::default()).is_ok(), "{alg:?}");
    }
    // Unknown kid, but another key works (rollover, as IdentityModel): accepted.
    let t = sign(Algorithm::RS256, Some("k2"), claims(), &rsa_enc());
    assert!(check(&t, &set, &Rules::default()).is_ok());
    assert!(check(&t, &ne, &Rules::default()).is_ok());
    // Unknown kid and no key verifies: KeyNotFound, flagged for a refresh.
    let forged = format!("{}AAAA", t.get(..t.len() - 4).unwrap());
    let r = check(&forged, &set, &Rules::default()).unwrap_err();
    assert_eq!(r.reason, Reason::TokenSignatureKeyNotFound);
    assert!(r.unknown_kid);
    // Known kid, bad signature: invalid, no refresh.
    let good = sign(Algorithm::RS256, Some("k1"), claims(), &rsa_enc());
    let bad = format!("{}AAAA", good.get(..good.len() - 4).unwrap());
    let r = check(&bad, &set, &Rules::default()).unwrap_err();
    assert_eq!((r.reason, r.unknown_kid), (Reason::TokenSignatureInvalid, false));
}

#[test]
fn hmac_ec_and_ed() {
    let secret = b"0123456789abcdef0123456789abcdef";
    let inline = Key::symmetric_base64(&base64::engine::general_purpose::STANDARD.encode(secret), None).unwrap();
    let set = KeySet::new(vec![inline]);
    for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
        let t = sign(alg, None, claims(), &EncodingKey::from_secret(secret));
        assert!(check(&t, &set, &Rules::default()).is_ok(), "{alg:?}");
    }
    let wrong = sign(Algorithm::HS256, None, claims(), &EncodingKey::from_secret(b"other"));
    assert_eq!(
        reason(check(&wrong, &set, &Rules::default())),
        Reason::TokenSignatureInvalid
    );
    // An RS256 token against only an HMAC key: no key of its family.
    let rs = sign(Algorithm::RS256, None, claims(), &rsa_enc());
    assert_eq!(
        reason(check(&rs, &set, &Rules::default())),
        Reason::TokenSignatureKeyNotFound
    );

    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwks = json!({"keys":[{"kty":"EC","crv":"P-256","kid":"ec","x":b64(&point[1..33]),"y":b64(&point[33..65])}]});
    let set = KeySet::from_jwks(&serde_json::to_vec(&jwks).unwrap()).unwrap();
    let t = sign(
        Algorithm::ES256,
        Some("ec"),
        claims(),
        &EncodingKey::from_ec_der(pkcs8.as_ref()),
    );
    assert!(check(&t, &set, &Rules::default()).is_ok());

    let pkcs8 = Ed25519KeyPair::generate_pkcs8(&rng).unwrap();
    let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
    let jwks = json!({"keys":[{"kty":"OKP","crv":"Ed25519","x":b64(pair.public_key().as_ref())}]});
    let set = KeySet::from_jwks(&serde_json::to_vec(&jwks).unwrap()).unwrap();
    let t = sign(
        Algorithm::EdDSA,
        None,
        claims(),
        &EncodingKey::from_ed_der(pkcs8.as_ref()),
    );
    assert!(check(&t, &set, &Rules::default()).is_ok());
}

#[test]
fn es384_and_curves_that_do_not_match() {
    use ring::signature::ECDSA_P384_SHA384_FIXED_SIGNING;
    let rng = ring::rand::SystemRandom::new();
    let p384 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P384_SHA384_FIXED_SIGNING, p384.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwks = json!({"keys":[{"kty":"EC","crv":"P-384","kid":"p384","x":b64(&point[1..49]),"y":b64(&point[49..97])}]});
    let set384 = KeySet::from_jwks(&serde_json::to_vec(&jwks).unwrap()).unwrap();
    let es384 = sign(
        Algorithm::ES384,
        Some("p384"),
        claims(),
        &EncodingKey::from_ec_der(p384.as_ref()),
    );
    assert_eq!(check(&es384, &set384, &Rules::default()).unwrap().alg, "ES384");
    // A P-256 key for an ES384 token, and an ES256 token for a P-384 key:
    // refused, never a panic.
    let p256 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, p256.as_ref(), &rng).unwrap();
    let point = pair.public_key().as_ref();
    let jwks = json!({"keys":[{"kty":"EC","crv":"P-256","kid":"p384","x":b64(&point[1..33]),"y":b64(&point[33..65])}]});
    let set256 = KeySet::from_jwks(&serde_json::to_vec(&jwks).unwrap()).unwrap();
    assert_eq!(
        reason(check(&es384, &set256, &Rules::default())),
        Reason::TokenSignatureInvalid
    );
    let es256 = sign(
        Algorithm::ES256,
        Some("p384"),
        claims(),
        &EncodingKey::from_ec_der(p256.as_ref()),
    );
    assert!(check(&es256, &set256, &Rules::default()).is_ok());
    assert_eq!(
        reason(check(&es256, &set384, &Rules::default())),
        Reason::TokenSignatureInvalid
    );
}

#[test]
fn signature_checks_per_token_are_bounded() {
    use super::validate::MAX_KEYS_TRIED;
    let secret = |i: usize| format!("secret number {i:04} of the key set");
    let inline = |kid: Option<String>| {
        KeySet::new(
            (0..MAX_KEYS_TRIED + 4)
                .map(|i| {
                    let text = base64::engine::general_purpose::STANDARD.encode(secret(i));
                    Key::symmetric_base64(&text, kid.clone().map(|k| format!("{k}{i}"))).unwrap()
                })
                .collect(),
        )
    };
    let set = inline(None);
    let by = |i: usize, kid: Option<&str>| {
        sign(
            Algorithm::HS256,
            kid,
            claims(),
            &EncodingKey::from_secret(secret(i).as_bytes()),
        )
    };
    // No kid: the first MAX_KEYS_TRIED keys are tried, no more.
    assert!(check(&by(MAX_KEYS_TRIED - 1, None), &set, &Rules::default()).is_ok());
    assert_eq!(
        reason(check(&by(MAX_KEYS_TRIED, None), &set, &Rules::default())),
        Reason::TokenSignatureInvalid
    );
    // A kid that names a key: that key only, wherever it is.
    let named = inline(Some("k".into()));
    let last = MAX_KEYS_TRIED + 3;
    assert!(check(&by(last, Some(&format!("k{last}"))), &named, &Rules::default()).is_ok());
    let r = check(&by(0, Some(&format!("k{last}"))), &named, &Rules::default()).unwrap_err();
    assert_eq!((r.reason, r.unknown_kid), (Reason::TokenSignatureInvalid, false));
    // An unknown kid: bounded too, and flagged for a refresh.
    let r = check(&by(last, Some("unknown")), &named, &Rules::default()).unwrap_err();
    assert_eq!((r.reason, r.unknown_kid), (Reason::TokenSignatureKeyNotFound, true));
}

#[test]
fn tokens_with_thousands_of_audiences_and_claims() {
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    let mut c = claims();
    let many: Vec<String> = (0..1_000).map(|i| format!("a{i}")).collect();
    c["aud"] = json!(many);
    for i in 0..300 {
        c[format!("c{i}")] = json!(i);
    }
    c["roles"] = json!(many.join(","));
    let t = sign(Algorithm::RS256, Some("k1"), c, &rsa_enc());
    assert!(t.len() < MAX_TOKEN_BYTES);
    let rules = Rules {
        audiences: vec!["a999".into()],
        required_claims: vec![ClaimRule {
            name: "roles".into(),
            matching: ClaimMatch::All,
            separator: Some(",".into()),
            values: vec!["a0".into(), "a999".into()],
        }],
        ..Rules::default()
    };
    assert!(check(&t, &set, &rules).is_ok());
    let rules = Rules {
        audiences: vec!["nope".into()],
        ..Rules::default()
    };
    assert_eq!(reason(check(&t, &set, &rules)), Reason::TokenAudienceNotAllowed);
}

fn unsigned(claims: serde_json::Value) -> String {
    format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    )
}

#[test]
fn unsigned_malformed_and_oversized() {
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    let none = unsigned(claims());
    assert_eq!(
        reason(check(&none, &set, &Rules::default())),
        Reason::TokenSignatureInvalid
    );
    let lax = Rules {
        require_signed_tokens: false,
        ..Rules::default()
    };
    assert!(check(&none, &set, &lax).is_ok());
    // alg none with a signature, or a signed alg without one: malformed.
    assert_eq!(reason(check(&format!("{none}AAAA"), &set, &lax)), Reason::JwtInvalid);
    assert_eq!(reason(check("", &set, &lax)), Reason::TokenNotPresent);
    for bad in ["abc", "a.b", "a.b.c", "....", "a.b.c.d.e.f", "é.é.é", "e30.e30.e30"] {
        assert_eq!(reason(check(bad, &set, &Rules::default())), Reason::JwtInvalid, "{bad}");
    }
    let big = format!("{}.{}.x", b64(br#"{"alg":"RS256"}"#), "A".repeat(MAX_TOKEN_BYTES));
    assert_eq!(reason(check(&big, &set, &Rules::default())), Reason::JwtInvalid);
    // A payload that is not an object.
    let t = format!("{}.{}.", b64(br#"{"alg":"none"}"#), b64(b"[1]"));
    assert_eq!(reason(check(&t, &set, &lax)), Reason::JwtInvalid);
    // Unsupported alg.
    let t = format!("{}.{}.AAAA", b64(br#"{"alg":"ES512"}"#), b64(b"{}"));
    assert_eq!(
        reason(check(&t, &set, &Rules::default())),
        Reason::TokenSignatureInvalid
    );
}

#[test]
fn lifetime_audience_issuer_claims() {
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    let tok = |c: serde_json::Value| sign(Algorithm::RS256, Some("k1"), c, &rsa_enc());
    let mut c = claims();
    c["exp"] = json!(NOW - 10);
    let expired = tok(c.clone());
    assert_eq!(reason(check(&expired, &set, &Rules::default())), Reason::TokenExpired);
    assert!(check(
        &expired,
        &set,
        &Rules {
            clock_skew: 11,
            ..Rules::default()
        }
    )
    .is_ok());
    c.as_object_mut().unwrap().remove("exp");
    let no_exp = tok(c);
    assert_eq!(reason(check(&no_exp, &set, &Rules::default())), Reason::TokenExpired);
    assert!(check(
        &no_exp,
        &set,
        &Rules {
            require_expiration_time: false,
            ..Rules::default()
        }
    )
    .is_ok());
    let mut c = claims();
    c["nbf"] = json!(NOW + 30);
    let early = tok(c);
    assert_eq!(reason(check(&early, &set, &Rules::default())), Reason::JwtInvalid);
    assert!(check(
        &early,
        &set,
        &Rules {
            clock_skew: 30,
            ..Rules::default()
        }
    )
    .is_ok());

    let good = tok(claims());
    let aud = |a: &[&str]| Rules {
        audiences: a.iter().map(|s| s.to_string()).collect(),
        ..Rules::default()
    };
    assert!(check(&good, &set, &aud(&["x", "api://two/"])).is_ok());
    assert_eq!(
        reason(check(&good, &set, &aud(&["x"]))),
        Reason::TokenAudienceNotAllowed
    );
    let iss = |i: &[&str]| Rules {
        issuers: i.iter().map(|s| s.to_string()).collect(),
        ..Rules::default()
    };
    assert!(check(&good, &set, &iss(&["https://idp"])).is_ok());
    assert_eq!(
        reason(check(&good, &set, &iss(&["https://other"]))),
        Reason::TokenIssuerNotAllowed
    );
    // Discovery issuers count too.
    let r = validate(
        &good,
        &Trust {
            keys: &[&set],
            issuers: &["https://nope"],
            ..Trust::default()
        },
        &Rules::default(),
        NOW,
    );
    assert_eq!(reason(r), Reason::TokenIssuerNotAllowed);

    let claim = |name: &str, m: ClaimMatch, sep: Option<&str>, vals: &[&str]| ClaimRule {
        name: name.into(),
        matching: m,
        separator: sep.map(str::to_owned),
        values: vals.iter().map(|s| s.to_string()).collect(),
    };
    let req = |rules: Vec<ClaimRule>| Rules {
        required_claims: rules,
        ..Rules::default()
    };
    assert!(check(
        &good,
        &set,
        &req(vec![claim("roles", ClaimMatch::All, Some(","), &["a", "c"])])
    )
    .is_ok());
    let r = check(
        &good,
        &set,
        &req(vec![claim("roles", ClaimMatch::All, Some(","), &["a", "z"])]),
    )
    .unwrap_err();
    assert_eq!(r.reason, Reason::TokenClaimValueNotAllowed);
    assert_eq!(r.message, "Claim roles value of a,b,c is not allowed. Access denied.");
    assert!(check(
        &good,
        &set,
        &req(vec![claim("scp", ClaimMatch::Any, Some(" "), &["admin", "write"])])
    )
    .is_ok());
    assert!(check(
        &good,
        &set,
        &req(vec![claim("aud", ClaimMatch::Any, None, &["api://two"])])
    )
    .is_ok());
    let r = check(
        &good,
        &set,
        &req(vec![
            claim("x", ClaimMatch::All, None, &[]),
            claim("y", ClaimMatch::All, None, &[]),
        ]),
    )
    .unwrap_err();
    assert_eq!(r.reason, Reason::TokenClaimNotFound);
    assert_eq!(
        r.message,
        "JWT token is missing the following claims: x, y. Access denied."
    );
}

fn jwe(alg: &str, enc: &str, kid: Option<&str>, cek: &[u8], encrypted_key: &[u8], plain: &[u8]) -> String {
    use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
    use hmac::Mac;
    let mut h = json!({"alg":alg,"enc":enc,"cty":"JWT"});
    if let Some(k) = kid {
        h["kid"] = json!(k);
    }
    let protected = b64(h.to_string().as_bytes());
    let half = cek.len() / 2;
    let (mac_key, enc_key) = cek.split_at(half);
    let iv = [7u8; 16];
    let ct = match half {
        16 => cbc::Encryptor::<aes::Aes128>::new_from_slices(enc_key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(plain),
        24 => cbc::Encryptor::<aes::Aes192>::new_from_slices(enc_key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(plain),
        _ => cbc::Encryptor::<aes::Aes256>::new_from_slices(enc_key, &iv)
            .unwrap()
            .encrypt_padded_vec_mut::<Pkcs7>(plain),
    };
    let al = ((protected.len() as u64) * 8).to_be_bytes();
    let input = [protected.as_bytes(), &iv, &ct, &al].concat();
    let tag = match half {
        16 => hmac::Hmac::<sha2::Sha256>::new_from_slice(mac_key)
            .unwrap()
            .chain_update(&input)
            .finalize()
            .into_bytes()
            .to_vec(),
        24 => hmac::Hmac::<sha2::Sha384>::new_from_slice(mac_key)
            .unwrap()
            .chain_update(&input)
            .finalize()
            .into_bytes()
            .to_vec(),
        _ => hmac::Hmac::<sha2::Sha512>::new_from_slice(mac_key)
            .unwrap()
            .chain_update(&input)
            .finalize()
            .into_bytes()
            .to_vec(),
    };
    format!(
        "{protected}.{}.{}.{}.{}",
        b64(encrypted_key),
        b64(&iv),
        b64(&ct),
        b64(&tag[..half])
    )
}

#[test]
fn jwe_decryption() {
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    let inner = sign(Algorithm::RS256, Some("k1"), claims(), &rsa_enc());
    for (enc, len) in [("A128CBC-HS256", 32), ("A192CBC-HS384", 48), ("A256CBC-HS512", 64)] {
        let cek = vec![9u8; len];
        let key = DecryptionKey::Symmetric {
            kid: None,
            key: cek.clone(),
        };
        let t = jwe("dir", enc, None, &cek, b"", inner.as_bytes());
        let r = validate(
            &t,
            &Trust {
                keys: &[&set],
                issuers: &[],
                decryption: std::slice::from_ref(&key),
            },
            &Rules::default(),
            NOW,
        );
        assert_eq!(r.unwrap().jws, inner, "{enc}");
        // A flipped tag byte.
        let mut bad = t.clone();
        bad.pop();
        bad.push(if t.ends_with('A') { 'B' } else { 'A' });
        let r = validate(
            &bad,
            &Trust {
                keys: &[&set],
                issuers: &[],
                decryption: &[key],
            },
            &Rules::default(),
            NOW,
        );
        assert_eq!(reason(r), Reason::JwtInvalid);
    }
    // AES key wrap.
    let kek = [3u8; 16];
    let cek = [5u8; 32];
    let wrapped = aes_kw::KekAes128::from(kek).wrap_vec(&cek).unwrap();
    let t = jwe("A128KW", "A128CBC-HS256", Some("w"), &cek, &wrapped, inner.as_bytes());
    let keys = [DecryptionKey::Symmetric {
        kid: Some("w".into()),
        key: kek.to_vec(),
    }];
    assert!(validate(
        &t,
        &Trust {
            keys: &[&set],
            issuers: &[],
            decryption: &keys
        },
        &Rules::default(),
        NOW
    )
    .is_ok());
    // RSA-OAEP and RSA-OAEP-256.
    let public = rsa_key().to_public_key();
    let der = rsa_key().to_pkcs1_der().unwrap();
    let keys = [DecryptionKey::rsa_der(der.as_bytes(), None).unwrap()];
    let mut rng = rand::thread_rng();
    let ek = public.encrypt(&mut rng, rsa::Oaep::new::<sha1::Sha1>(), &cek).unwrap();
    let t = jwe("RSA-OAEP", "A128CBC-HS256", None, &cek, &ek, inner.as_bytes());
    assert!(validate(
        &t,
        &Trust {
            keys: &[&set],
            issuers: &[],
            decryption: &keys
        },
        &Rules::default(),
        NOW
    )
    .is_ok());
    let ek = public
        .encrypt(&mut rng, rsa::Oaep::new::<sha2::Sha256>(), &cek)
        .unwrap();
    let t = jwe("RSA-OAEP-256", "A128CBC-HS256", None, &cek, &ek, inner.as_bytes());
    assert!(validate(
        &t,
        &Trust {
            keys: &[&set],
            issuers: &[],
            decryption: &keys
        },
        &Rules::default(),
        NOW
    )
    .is_ok());
    // No decryption keys, or the wrong one.
    assert_eq!(
        reason(validate(
            &t,
            &Trust {
                keys: &[&set],
                ..Trust::default()
            },
            &Rules::default(),
            NOW
        )),
        Reason::JwtInvalid
    );
    let other = [DecryptionKey::Symmetric {
        kid: None,
        key: vec![1; 32],
    }];
    assert_eq!(
        reason(validate(
            &t,
            &Trust {
                keys: &[&set],
                issuers: &[],
                decryption: &other
            },
            &Rules::default(),
            NOW
        )),
        Reason::JwtInvalid
    );
    // A JWE of bare, unsigned claims.
    let t = jwe("dir", "A128CBC-HS256", None, &cek, b"", claims().to_string().as_bytes());
    let keys = [DecryptionKey::Symmetric {
        kid: None,
        key: cek.to_vec(),
    }];
    let tr = Trust {
        keys: &[&set],
        issuers: &[],
        decryption: &keys,
    };
    assert_eq!(
        reason(validate(&t, &tr, &Rules::default(), NOW)),
        Reason::TokenSignatureInvalid
    );
    assert!(validate(
        &t,
        &tr,
        &Rules {
            require_signed_tokens: false,
            ..Rules::default()
        },
        NOW
    )
    .is_ok());
}

#[test]
fn certificate_keys() {
    // A throw-away certificate made with the openssl command (test.sh installs it).
    let dir = std::env::temp_dir().join(format!("outpost-jwt-cert-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("openssl");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    run(&[
        "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "k.pem", "-out", "c.der", "-outform", "DER",
        "-subj", "/CN=jwt", "-days", "2",
    ]);
    run(&[
        "pkcs8", "-topk8", "-nocrypt", "-in", "k.pem", "-outform", "DER", "-out", "k.der",
    ]);
    let cert = std::fs::read(dir.join("c.der")).unwrap();
    let pkcs8 = std::fs::read(dir.join("k.der")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let key = Key::certificate_der(&cert, Some("c".into())).unwrap();
    assert_eq!(key.kid(), Some("c"));
    let private = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_der(&pkcs8).unwrap();
    let enc = EncodingKey::from_rsa_der(private.to_pkcs1_der().unwrap().as_bytes());
    let set = KeySet::new(vec![key]);
    assert!(check(
        &sign(Algorithm::RS256, Some("c"), claims(), &enc),
        &set,
        &Rules::default()
    )
    .is_ok());
    assert!(check(
        &sign(Algorithm::RS256, None, claims(), &rsa_enc()),
        &set,
        &Rules::default()
    )
    .is_err());
    assert!(Key::certificate_der(b"junk", None).is_err());
    assert!(DecryptionKey::rsa_der(&pkcs8, None).is_some());
}

/// The library-level cost (issue 15, "Speed"): ring's raw RS256 verify,
/// validate() on a new token each time, and a verified-token cache hit.
/// `cargo test --release --lib jwt::tests::bench -- --ignored --nocapture`
#[test]
#[ignore]
fn bench_rs256_new_token_vs_ring_and_cache_hit() {
    use std::time::Instant;
    const N: usize = 2_000;
    let enc = rsa_enc();
    let tokens: Vec<String> = (0..N)
        .map(|i| {
            let mut c = claims();
            c["jti"] = json!(i);
            sign(Algorithm::RS256, Some("k1"), c, &enc)
        })
        .collect();
    let set = KeySet::from_jwks(&rsa_jwks("k1")).unwrap();
    let k = rsa_key();
    let (n, e) = (k.n().to_bytes_be(), k.e().to_bytes_be());
    let raw: Vec<(Vec<u8>, Vec<u8>)> = tokens
        .iter()
        .map(|t| {
            let (input, sig) = t.rsplit_once('.').unwrap();
            (input.as_bytes().to_vec(), super::b64url(sig).unwrap())
        })
        .collect();
    let t0 = Instant::now();
    for (input, sig) in &raw {
        ring::signature::RsaPublicKeyComponents { n: &n, e: &e }
            .verify(&ring::signature::RSA_PKCS1_2048_8192_SHA256, input, sig)
            .unwrap();
    }
    let ring_us = t0.elapsed().as_secs_f64() * 1e6 / N as f64;
    let rules = Rules {
        audiences: vec!["api://one".into()],
        issuers: vec!["https://idp".into()],
        ..Rules::default()
    };
    let t0 = Instant::now();
    for t in &tokens {
        validate(
            t,
            &Trust {
                keys: &[&set],
                ..Trust::default()
            },
            &rules,
            NOW,
        )
        .unwrap();
    }
    let full_us = t0.elapsed().as_secs_f64() * 1e6 / N as f64;
    let mut cache = cache::VerifiedCache::default();
    let key = cache::VerifiedCache::key(b"policy", &tokens[0]);
    let v = std::rc::Rc::new(
        validate(
            &tokens[0],
            &Trust {
                keys: &[&set],
                ..Trust::default()
            },
            &rules,
            NOW,
        )
        .unwrap(),
    );
    cache.insert(key, v, NOW, 0);
    let t0 = Instant::now();
    for _ in 0..N * 10 {
        let key = cache::VerifiedCache::key(b"policy", &tokens[0]);
        assert!(cache.get(&key, NOW).is_some());
    }
    let hit_us = t0.elapsed().as_secs_f64() * 1e6 / (N * 10) as f64;
    println!("RS256 2048-bit, {N} tokens: ring raw verify {ring_us:.1} µs; validate() new token {full_us:.1} µs ({:.2}x ring); cache hit {hit_us:.2} µs", full_us / ring_us);
}
