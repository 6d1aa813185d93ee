//! PKCS#12 (PFX) files, as APIM's certificate upload carries them
//! (`{"data": "<base64 PFX>", "password": "..."}`), turned into the PEM
//! text the rest of Outpost stores and loads (leaf, chain, PKCS#8 key).
//!
//! Decoding is done by the `p12-keystore` crate: maintained, pure Rust
//! (RustCrypto primitives), and it reads both the PBES2/AES files OpenSSL 3
//! writes by default and the legacy PBES1 (3DES/RC2) files Windows and
//! older tools export, which is what users bring from APIM. The key is
//! never logged or put in an error message.

use base64::Engine;
use p12_keystore::{KeyStore, Pkcs12ImportPolicy};

/// Why a PFX could not be read.
#[derive(Debug, thiserror::Error)]
pub enum Pkcs12Error {
    #[error("not a readable PFX (PKCS#12) file, or the password is wrong: {0}")]
    Unreadable(String),
    #[error("the PFX holds no private key together with its certificate")]
    NoKeyChain,
}

/// Appends `der` to `out` as one PEM block.
pub(crate) fn block(label: &str, der: &[u8], out: &mut String) {
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    out.push_str(&format!("-----BEGIN {label}-----\n"));
    for line in b64.as_bytes().chunks(64) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
}

/// Every certificate (DER) of `der`, key or not: a certificate-only PFX,
/// as .NET's X509Store keeps CA certificates (`<thumbprint>.pfx`, no password).
pub fn certificates(der: &[u8], password: &str) -> Result<Vec<Vec<u8>>, Pkcs12Error> {
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Raw)
        .map_err(|e| Pkcs12Error::Unreadable(e.to_string()))?;
    let mut out = Vec::new();
    for (_, entry) in store.entries() {
        match entry {
            p12_keystore::KeyStoreEntry::Certificate(c) => out.push(c.as_der().to_vec()),
            p12_keystore::KeyStoreEntry::PrivateKeyChain(k) => {
                out.extend(k.certs().iter().map(|c| c.as_der().to_vec()))
            }
            _ => {}
        }
    }
    Ok(out)
}

/// The certificate chain (leaf first) and private key of `der` as PEM.
pub fn to_pem(der: &[u8], password: &str) -> Result<String, Pkcs12Error> {
    let store = KeyStore::from_pkcs12(der, password, Pkcs12ImportPolicy::Strict)
        .map_err(|e| Pkcs12Error::Unreadable(e.to_string()))?;
    let (_, chain) = store.private_key_chain().ok_or(Pkcs12Error::NoKeyChain)?;
    if chain.certs().is_empty() {
        return Err(Pkcs12Error::NoKeyChain);
    }
    let mut pem = String::new();
    for cert in chain.certs() {
        block("CERTIFICATE", cert.as_der(), &mut pem);
    }
    block("PRIVATE KEY", chain.key().as_der(), &mut pem);
    Ok(pem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_and_empty_input_are_errors_not_panics() {
        assert!(matches!(to_pem(b"", "x"), Err(Pkcs12Error::Unreadable(_))));
        assert!(matches!(
            to_pem(&[0x30, 0x82, 0xff], "x"),
            Err(Pkcs12Error::Unreadable(_))
        ));
    }

    #[test]
    fn pem_blocks_wrap_at_64_columns() {
        let mut out = String::new();
        block("CERTIFICATE", &[7u8; 100], &mut out);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "-----BEGIN CERTIFICATE-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines.last().copied(), Some("-----END CERTIFICATE-----"));
    }
}
