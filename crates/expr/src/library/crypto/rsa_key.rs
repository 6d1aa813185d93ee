//! RSA keys in the encodings .NET's `RSA` imports and exports: DER
//! (PKCS#1 `RSAPublicKey`/`RSAPrivateKey`, X.509 `SubjectPublicKeyInfo`,
//! PKCS#8), PEM (`ImportFromPem`) and the `<RSAKeyValue>` XML of
//! `FromXmlString`/`ToXmlString`. The encodings come from the `rsa` crate's
//! `pkcs1`/`pkcs8` modules; the XML is read here (flat, six known
//! elements, base64 text).

use base64::Engine;
use rsa::pkcs1::{DecodeRsaPrivateKey, DecodeRsaPublicKey, EncodeRsaPrivateKey, EncodeRsaPublicKey};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey, RsaPublicKey};

use super::crypto_error;
use crate::error::EvalResult;

/// An RSA key: public only, or a key pair.
#[derive(Clone)]
pub enum Key {
    Public(RsaPublicKey),
    Private(Box<RsaPrivateKey>),
}

impl Key {
    pub fn public(&self) -> RsaPublicKey {
        match self {
            Key::Public(k) => k.clone(),
            Key::Private(k) => k.to_public_key(),
        }
    }

    pub fn bits(&self) -> usize {
        match self {
            Key::Public(k) => k.size() * 8,
            Key::Private(k) => k.size() * 8,
        }
    }
}

fn bad(what: &str) -> impl Fn(rsa::pkcs1::Error) -> crate::error::EvalError + '_ {
    move |_| crypto_error(format!("ASN1 corrupted data. ({what})"))
}

/// Which DER structure an `Import*` method reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Der {
    RsaPublicKey,
    RsaPrivateKey,
    SubjectPublicKeyInfo,
    Pkcs8PrivateKey,
}

pub fn import_der(kind: Der, der: &[u8]) -> EvalResult<Key> {
    let corrupt = || crypto_error("ASN1 corrupted data.");
    Ok(match kind {
        Der::RsaPublicKey => Key::Public(RsaPublicKey::from_pkcs1_der(der).map_err(bad("RSAPublicKey"))?),
        Der::RsaPrivateKey => Key::Private(Box::new(
            RsaPrivateKey::from_pkcs1_der(der).map_err(bad("RSAPrivateKey"))?,
        )),
        Der::SubjectPublicKeyInfo => Key::Public(RsaPublicKey::from_public_key_der(der).map_err(|_| corrupt())?),
        Der::Pkcs8PrivateKey => Key::Private(Box::new(RsaPrivateKey::from_pkcs8_der(der).map_err(|_| corrupt())?)),
    })
}

pub fn export_der(kind: Der, key: &Key) -> EvalResult<Vec<u8>> {
    let failed = |_: rsa::pkcs1::Error| crypto_error("The key could not be exported.");
    let failed8 = |_: rsa::pkcs8::spki::Error| crypto_error("The key could not be exported.");
    let failed8k = |_: rsa::pkcs8::Error| crypto_error("The key could not be exported.");
    match (kind, key) {
        (Der::RsaPublicKey, k) => Ok(k.public().to_pkcs1_der().map_err(failed)?.into_vec()),
        (Der::SubjectPublicKeyInfo, k) => Ok(k.public().to_public_key_der().map_err(failed8)?.into_vec()),
        (Der::RsaPrivateKey, Key::Private(k)) => Ok(k.to_pkcs1_der().map_err(failed)?.as_bytes().to_vec()),
        (Der::Pkcs8PrivateKey, Key::Private(k)) => Ok(k.to_pkcs8_der().map_err(failed8k)?.as_bytes().to_vec()),
        _ => Err(no_private_key()),
    }
}

pub fn no_private_key() -> crate::error::EvalError {
    crypto_error("The key does not contain a private key.")
}

/// `ImportFromPem`: the first RSA key in the text (`RSA PUBLIC KEY`,
/// `PUBLIC KEY`, `RSA PRIVATE KEY`, `PRIVATE KEY`); an `ArgumentException`
/// as .NET's when there is none.
pub fn import_pem(text: &str) -> EvalResult<Key> {
    let labels = [
        ("RSA PRIVATE KEY", Der::RsaPrivateKey),
        ("PRIVATE KEY", Der::Pkcs8PrivateKey),
        ("RSA PUBLIC KEY", Der::RsaPublicKey),
        ("PUBLIC KEY", Der::SubjectPublicKeyInfo),
    ];
    let mut best: Option<(usize, Der, &str)> = None;
    for (label, kind) in labels {
        let begin = format!("-----BEGIN {label}-----");
        if let Some(at) = text.find(&begin) {
            // "PRIVATE KEY" also matches inside "RSA PRIVATE KEY"'s line: keep the earliest real start.
            let start = at + begin.len();
            if best.is_none_or(|(b, _, _)| at < b) {
                let end = format!("-----END {label}-----");
                if let Some(len) = text.get(start..).and_then(|t| t.find(&end)) {
                    best = Some((at, kind, text.get(start..start + len).unwrap_or("")));
                }
            }
        }
    }
    let (_, kind, body) = best.ok_or_else(|| {
        crate::error::EvalError::argument("No supported key formats were found. Check that the input represents the contents of a PEM-encoded key file, not the path to such a file. (Parameter 'input')")
    })?;
    let b64: String = body.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .map_err(|_| crate::error::EvalError::argument("The PEM contents are not valid base64. (Parameter 'input')"))?;
    import_der(kind, &der)
}

/// PEM text of a DER structure, 64-column lines, LF endings (as .NET's
/// `PemEncoding.Write`).
pub fn pem(label: &str, der: &[u8]) -> String {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    let bytes = b64.as_bytes();
    for line in bytes.chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or(""));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----"));
    out
}

fn xml_field(xml: &str, name: &str) -> Option<String> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = xml.find(&open)? + open.len();
    let len = xml.get(start..)?.find(&close)?;
    Some(
        xml.get(start..start + len)?
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect(),
    )
}

fn xml_number(xml: &str, name: &str) -> EvalResult<Option<BigUint>> {
    let Some(b64) = xml_field(xml, name) else {
        return Ok(None);
    };
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).map_err(|_| {
        crypto_error(format!(
            "Input string does not contain a valid encoding of the 'RSA' '{name}' parameter."
        ))
    })?;
    Ok(Some(BigUint::from_bytes_be(&bytes)))
}

/// `FromXmlString`: a public key (`Modulus`, `Exponent`) or a key pair
/// (with `P`, `Q` and `D`; `DP`, `DQ`, `InverseQ` are recomputed).
pub fn from_xml(xml: &str) -> EvalResult<Key> {
    if !xml.contains("<RSAKeyValue>") {
        return Err(crypto_error(
            "Input string does not contain a valid encoding of the 'RSA' 'RSAKeyValue' parameter.",
        ));
    }
    let need = |name: &str, v: Option<BigUint>| {
        v.ok_or_else(|| {
            crypto_error(format!(
                "Input string does not contain a valid encoding of the 'RSA' '{name}' parameter."
            ))
        })
    };
    let n = need("Modulus", xml_number(xml, "Modulus")?)?;
    let e = need("Exponent", xml_number(xml, "Exponent")?)?;
    match xml_number(xml, "D")? {
        None => RsaPublicKey::new(n, e)
            .map(Key::Public)
            .map_err(|err| crypto_error(format!("The RSA key is not valid: {err}"))),
        Some(d) => {
            let p = need("P", xml_number(xml, "P")?)?;
            let q = need("Q", xml_number(xml, "Q")?)?;
            RsaPrivateKey::from_components(n, e, d, vec![p, q])
                .map(|k| Key::Private(Box::new(k)))
                .map_err(|err| crypto_error(format!("The RSA key is not valid: {err}")))
        }
    }
}

fn b64_padded(n: &BigUint, len: usize) -> String {
    let raw = n.to_bytes_be();
    let mut bytes = vec![0u8; len.saturating_sub(raw.len())];
    bytes.extend_from_slice(&raw);
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// `ToXmlString(includePrivateParameters)`, in .NET's element order with
/// the private values padded to .NET's lengths (half the modulus; `D` the
/// whole modulus).
pub fn to_xml(key: &Key, private: bool) -> EvalResult<String> {
    let public = key.public();
    let size = public.size();
    let half = size.div_ceil(2);
    let mut out = format!(
        "<RSAKeyValue><Modulus>{}</Modulus><Exponent>{}</Exponent>",
        b64_padded(public.n(), size),
        b64_padded(public.e(), 0)
    );
    if private {
        let Key::Private(k) = key else {
            return Err(no_private_key());
        };
        let mut k = (**k).clone();
        k.precompute().map_err(|e| crypto_error(e.to_string()))?;
        let primes = k.primes();
        let (Some(p), Some(q)) = (primes.first(), primes.get(1)) else {
            return Err(crypto_error("The key could not be exported."));
        };
        let (Some(dp), Some(dq), Some(qinv)) = (k.dp(), k.dq(), k.crt_coefficient()) else {
            return Err(crypto_error("The key could not be exported."));
        };
        out.push_str(&format!(
            "<P>{}</P><Q>{}</Q><DP>{}</DP><DQ>{}</DQ><InverseQ>{}</InverseQ><D>{}</D>",
            b64_padded(p, half),
            b64_padded(q, half),
            b64_padded(dp, half),
            b64_padded(dq, half),
            b64_padded(&qinv, half),
            b64_padded(k.d(), size)
        ));
    }
    out.push_str("</RSAKeyValue>");
    Ok(out)
}
