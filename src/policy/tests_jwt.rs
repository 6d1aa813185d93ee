//! Unit tests of validate-jwt's `certificate-id` keys at compile time:
//! signing keys from an uploaded certificate's public key, decryption
//! keys from the private key uploaded with it (RSA-OAEP), and the load
//! errors (unknown certificate, no private key, not RSA). Certificates are
//! made with the openssl command (as in `crate::jwt::tests`).

use std::sync::Arc;

use base64::Engine;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::PrivateKeyDer;
use serde_json::json;

use super::compile::{CompileError, Compiler, Section, TargetTable, Unsupported};
use super::document::{parse, Scope, SectionKind};
use super::jwt_check::JwtCheck;
use crate::config::{Certificate, Config};
use crate::jwt::jwe::DecryptionKey;
use crate::jwt::validate::Trust;
use crate::jwt::{validate, Reason, Rules};
use crate::tls::store::CertStore;

struct Pems {
    rsa: String,
    rsa_key: String,
    ec: String,
    ec_key: String,
    cert_only: String,
}

fn openssl(dir: &std::path::Path, args: &[&str]) {
    let out = std::process::Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn pems() -> &'static Pems {
    static P: std::sync::OnceLock<Pems> = std::sync::OnceLock::new();
    P.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("outpost-jwt-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        openssl(
            &dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                "r.key",
                "-out",
                "r.crt",
                "-subj",
                "/CN=jwt-rsa",
                "-days",
                "2",
            ],
        );
        openssl(
            &dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:P-256",
                "-nodes",
                "-keyout",
                "e.key",
                "-out",
                "e.crt",
                "-subj",
                "/CN=jwt-ec",
                "-days",
                "2",
            ],
        );
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let p = Pems {
            rsa: read("r.crt"),
            rsa_key: read("r.key"),
            ec: read("e.crt"),
            ec_key: read("e.key"),
            cert_only: read("r.crt"),
        };
        let _ = std::fs::remove_dir_all(&dir);
        p
    })
}

fn store() -> Arc<CertStore> {
    let p = pems();
    let cfg = Config {
        certificates: vec![
            Certificate {
                id: "rsa".into(),
                pem: format!("{}{}", p.rsa, p.rsa_key),
            },
            Certificate {
                id: "ec".into(),
                pem: format!("{}{}", p.ec, p.ec_key),
            },
            Certificate {
                id: "public".into(),
                pem: p.cert_only.clone(),
            },
        ],
        ..Config::default()
    };
    Arc::new(CertStore::compile(&cfg).unwrap())
}

fn compile(inner: &str, certs: Option<Arc<CertStore>>) -> Result<JwtCheck, CompileError> {
    let xml = format!(
        "<policies><inbound><validate-jwt header-name=\"Authorization\">{inner}</validate-jwt></inbound></policies>"
    );
    let doc = parse("d.xml", Scope::Api, &xml).unwrap();
    let els = doc.section(SectionKind::Inbound).unwrap_or_default();
    let mut targets = TargetTable {
        certs,
        ..TargetTable::default()
    };
    let mut c = Compiler::new(Section::Inbound, Unsupported::Error, &mut targets, "d.xml");
    super::validate_jwt::compile(&mut c, &els[0])
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A compact JWE (RSA-OAEP, A128CBC-HS256) of `plain` for `public`.
fn jwe_for(public: &rsa::RsaPublicKey, plain: &[u8]) -> String {
    use aes::cipher::{block_padding::Pkcs7, BlockEncryptMut, KeyIvInit};
    use hmac::Mac;
    let cek = [0x42u8; 32];
    let protected = b64(br#"{"alg":"RSA-OAEP","enc":"A128CBC-HS256","cty":"JWT"}"#);
    let ek = public
        .encrypt(&mut rand::thread_rng(), rsa::Oaep::new::<sha1::Sha1>(), &cek)
        .unwrap();
    let iv = [9u8; 16];
    let ct = cbc::Encryptor::<aes::Aes128>::new_from_slices(&cek[16..], &iv)
        .unwrap()
        .encrypt_padded_vec_mut::<Pkcs7>(plain);
    let al = ((protected.len() as u64) * 8).to_be_bytes();
    let tag = hmac::Hmac::<sha2::Sha256>::new_from_slice(&cek[..16])
        .unwrap()
        .chain_update([protected.as_bytes(), &iv, &ct, &al].concat())
        .finalize()
        .into_bytes();
    format!("{protected}.{}.{}.{}.{}", b64(&ek), b64(&iv), b64(&ct), b64(&tag[..16]))
}

#[test]
fn certificate_keys_for_signatures_and_decryption() {
    let check = compile(
        r#"<issuer-signing-keys><key certificate-id="rsa" /><key certificate-id="ec" id="e1" /></issuer-signing-keys>
           <decryption-keys><key certificate-id="rsa" /></decryption-keys>"#,
        Some(store()),
    )
    .unwrap();
    assert_eq!(check.keys.len(), 2);
    assert!(matches!(check.decryption.as_slice(), [DecryptionKey::Rsa { .. }]));
    // Debug shows no key material.
    let shown = format!("{:?}", check.decryption);
    assert!(!shown.contains("RsaPrivateKey") && shown.len() < 100, "{shown}");

    let p = pems();
    let now = crate::jwt::now();
    let claims = json!({"sub":"s","exp":now + 60});
    let private = <rsa::RsaPrivateKey as rsa::pkcs8::DecodePrivateKey>::from_pkcs8_pem(&p.rsa_key).unwrap();
    let pkcs1 = rsa::pkcs1::EncodeRsaPrivateKey::to_pkcs1_der(&private).unwrap();
    let rs = encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &EncodingKey::from_rsa_der(pkcs1.as_bytes()),
    )
    .unwrap();
    let mut h = Header::new(Algorithm::ES256);
    h.kid = Some("e1".into());
    let ec_pkcs8 = PrivateKeyDer::from_pem_slice(p.ec_key.as_bytes()).unwrap();
    let es = encode(&h, &claims, &EncodingKey::from_ec_der(ec_pkcs8.secret_der())).unwrap();
    let encrypted = jwe_for(&private.to_public_key(), rs.as_bytes());
    let trust = Trust {
        keys: &[&check.keys],
        issuers: &[],
        decryption: &check.decryption,
    };
    for t in [&rs, &es, &encrypted] {
        let v = validate(t, &trust, &Rules::default(), now).unwrap();
        assert_eq!(v.claims["sub"], "s");
    }
    assert_eq!(validate(&encrypted, &trust, &Rules::default(), now).unwrap().jws, rs);
    // Encrypted for another key: refused as APIM's JwtInvalid.
    let other = rsa::RsaPrivateKey::new(&mut rand::thread_rng(), 1024).unwrap();
    let r = validate(
        &jwe_for(&other.to_public_key(), rs.as_bytes()),
        &trust,
        &Rules::default(),
        now,
    );
    assert_eq!(r.unwrap_err().reason, Reason::JwtInvalid);
}

#[test]
fn certificate_key_errors_at_load() {
    let err = |inner: &str| compile(inner, Some(store())).unwrap_err().message;
    assert!(
        err(r#"<decryption-keys><key certificate-id="nope" /></decryption-keys>"#).contains("no certificate `nope`")
    );
    assert!(
        err(r#"<decryption-keys><key certificate-id="public" /></decryption-keys>"#).contains("has no private key")
    );
    assert!(
        err(r#"<decryption-keys><key certificate-id="ec" /></decryption-keys>"#).contains("does not have an RSA key")
    );
    assert!(
        err(r#"<issuer-signing-keys><key certificate-id="nope" /></issuer-signing-keys>"#).contains("no certificate")
    );
    // A lone document being linted has no store: accepted.
    assert!(compile(
        r#"<decryption-keys><key certificate-id="rsa" /></decryption-keys>"#,
        None
    )
    .is_ok());
}
