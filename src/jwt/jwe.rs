//! JWE (RFC 7516, compact form) decryption for validate-jwt's
//! `decryption-keys`: content encryption A128CBC-HS256, A192CBC-HS384 and
//! A256CBC-HS512 (RFC 7518 §5.2, the ones APIM lists); key management
//! `dir`, `A128KW`/`A192KW`/`A256KW` (AES key wrap) and `RSA-OAEP`/
//! `RSA-OAEP-256`.
//!
//! Invariants: built from RustCrypto primitives (no hand-written cipher);
//! the tag is checked (constant time) before anything is decrypted;
//! compressed (`zip`) payloads are refused; a failure says nothing about
//! which step failed (no padding or key oracle): one message.

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, KeyIvInit};
use hmac::{Hmac, Mac};
use rsa::{Oaep, RsaPrivateKey};
use subtle::ConstantTimeEq;

use super::b64url;
use super::token::Header;

/// A key that may decrypt a token (APIM's `decryption-keys/key`).
#[derive(Clone, Debug)]
pub enum DecryptionKey {
    /// A symmetric key: the content key itself (`dir`) or an AES key-wrap
    /// key (`A*KW`), inline Base64 in the policy.
    Symmetric { kid: Option<String>, key: Vec<u8> },
    /// An RSA private key (an uploaded certificate's) for `RSA-OAEP*`.
    Rsa {
        kid: Option<String>,
        key: Box<RsaPrivateKey>,
    },
}

impl DecryptionKey {
    fn kid(&self) -> Option<&str> {
        match self {
            DecryptionKey::Symmetric { kid, .. } | DecryptionKey::Rsa { kid, .. } => kid.as_deref(),
        }
    }

    /// An RSA key from PKCS#8 or PKCS#1 DER.
    pub fn rsa_der(der: &[u8], kid: Option<String>) -> Option<DecryptionKey> {
        use rsa::pkcs1::DecodeRsaPrivateKey;
        use rsa::pkcs8::DecodePrivateKey;
        let key = RsaPrivateKey::from_pkcs8_der(der)
            .or_else(|_| RsaPrivateKey::from_pkcs1_der(der))
            .ok()?;
        Some(DecryptionKey::Rsa {
            kid,
            key: Box::new(key),
        })
    }
}

const FAILED: &str = "IDX10603: Decryption failed.";

/// Decrypts a compact JWE's parts; the error is a `JwtInvalid` message.
pub fn decrypt(
    header: &Header,
    protected: &str,
    encrypted_key: &str,
    iv: &str,
    ciphertext: &str,
    tag: &str,
    keys: &[DecryptionKey],
) -> Result<Vec<u8>, &'static str> {
    if keys.is_empty() {
        return Err("IDX10609: Decryption failed. No decryption keys were provided.");
    }
    if header.zip.is_some() {
        return Err("IDX10679: Compressed (zip) tokens are not supported.");
    }
    let enc = header.enc.as_deref().ok_or(FAILED)?;
    let cek_len = match enc {
        "A128CBC-HS256" => 32,
        "A192CBC-HS384" => 48,
        "A256CBC-HS512" => 64,
        _ => return Err("IDX10619: Decryption failed. The token's 'enc' is not supported."),
    };
    let (encrypted_key, iv, ciphertext, tag) = (
        b64url(encrypted_key).ok_or(FAILED)?,
        b64url(iv).ok_or(FAILED)?,
        b64url(ciphertext).ok_or(FAILED)?,
        b64url(tag).ok_or(FAILED)?,
    );
    let kid = header.kid.as_deref();
    let candidates = keys
        .iter()
        .filter(|k| kid.is_none() || k.kid().is_none() || k.kid() == kid);
    for key in candidates {
        let Some(cek) = content_key(&header.alg, &encrypted_key, key, cek_len) else {
            continue;
        };
        if let Some(plain) = open(enc, &cek, protected.as_bytes(), &iv, &ciphertext, &tag) {
            return Ok(plain);
        }
    }
    Err(FAILED)
}

/// The content encryption key, unwrapped by `key` per `alg`.
fn content_key(alg: &str, encrypted_key: &[u8], key: &DecryptionKey, len: usize) -> Option<Vec<u8>> {
    let cek = match (alg, key) {
        ("dir", DecryptionKey::Symmetric { key, .. }) if encrypted_key.is_empty() => key.clone(),
        ("A128KW" | "A192KW" | "A256KW", DecryptionKey::Symmetric { key, .. }) => {
            let want = match alg {
                "A128KW" => 16,
                "A192KW" => 24,
                _ => 32,
            };
            if key.len() != want {
                return None;
            }
            unwrap_aes(key, encrypted_key)?
        }
        ("RSA-OAEP", DecryptionKey::Rsa { key, .. }) => key.decrypt(Oaep::new::<sha1::Sha1>(), encrypted_key).ok()?,
        ("RSA-OAEP-256", DecryptionKey::Rsa { key, .. }) => {
            key.decrypt(Oaep::new::<sha2::Sha256>(), encrypted_key).ok()?
        }
        _ => return None,
    };
    (cek.len() == len).then_some(cek)
}

fn unwrap_aes(kek: &[u8], wrapped: &[u8]) -> Option<Vec<u8>> {
    match kek.len() {
        16 => aes_kw::KekAes128::try_from(kek).ok()?.unwrap_vec(wrapped).ok(),
        24 => aes_kw::KekAes192::try_from(kek).ok()?.unwrap_vec(wrapped).ok(),
        32 => aes_kw::KekAes256::try_from(kek).ok()?.unwrap_vec(wrapped).ok(),
        _ => None,
    }
}

/// AES-CBC + HMAC-SHA2 authenticated decryption (RFC 7518 §5.2.2.2).
fn open(enc: &str, cek: &[u8], aad: &[u8], iv: &[u8], ciphertext: &[u8], tag: &[u8]) -> Option<Vec<u8>> {
    let half = cek.len() / 2;
    let (mac_key, enc_key) = (cek.get(..half)?, cek.get(half..)?);
    if iv.len() != 16 || tag.len() != half {
        return None;
    }
    let al = ((aad.len() as u64) * 8).to_be_bytes();
    let full = match enc {
        "A128CBC-HS256" => mac::<Hmac<sha2::Sha256>>(mac_key, &[aad, iv, ciphertext, &al])?,
        "A192CBC-HS384" => mac::<Hmac<sha2::Sha384>>(mac_key, &[aad, iv, ciphertext, &al])?,
        _ => mac::<Hmac<sha2::Sha512>>(mac_key, &[aad, iv, ciphertext, &al])?,
    };
    if !bool::from(full.get(..half)?.ct_eq(tag)) {
        return None;
    }
    match enc_key.len() {
        16 => cbc::Decryptor::<aes::Aes128>::new_from_slices(enc_key, iv)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .ok(),
        24 => cbc::Decryptor::<aes::Aes192>::new_from_slices(enc_key, iv)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .ok(),
        32 => cbc::Decryptor::<aes::Aes256>::new_from_slices(enc_key, iv)
            .ok()?
            .decrypt_padded_vec_mut::<Pkcs7>(ciphertext)
            .ok(),
        _ => None,
    }
}

fn mac<M: Mac + hmac::digest::KeyInit>(key: &[u8], parts: &[&[u8]]) -> Option<Vec<u8>> {
    let mut m = <M as hmac::digest::KeyInit>::new_from_slice(key).ok()?;
    for p in parts {
        m.update(p);
    }
    Some(m.finalize().into_bytes().to_vec())
}
