//! Certificates from PEM text (`certificates/<id>.pem`): a chain with its
//! private key for the gateway's own certificates, or CA certificates.
//!
//! `Config::certificates` is the one certificate store, keyed by id, fed by
//! both sources (configuration files and the management plane's snapshot;
//! see `crate::config::overlay`). [`check_all`] is run on every compile, so a
//! broken certificate refuses the whole configuration, used or not.
//!
//! Errors name the certificate file, like every configuration error. Keys
//! are never logged or shown in errors.

use crate::config::{Certificate, ConfigError};
use rustls::crypto::CryptoProvider;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use std::sync::Arc;

fn file(id: &str) -> String {
    format!("certificates/{id}.pem")
}

/// The certificate with id `id` in `certs` (references were validated).
pub fn find<'a>(certs: &'a [Certificate], id: &str) -> Result<&'a Certificate, ConfigError> {
    certs
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| ConfigError::new(&file(id), None, "no such certificate"))
}

/// Every certificate in the PEM text (at least one).
pub fn chain(c: &Certificate) -> Result<Vec<CertificateDer<'static>>, ConfigError> {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(c.pem.as_bytes())
        .collect::<Result<_, _>>()
        .map_err(|e| ConfigError::new(&file(&c.id), None, format!("bad PEM: {e}")))?;
    if certs.is_empty() {
        return Err(ConfigError::new(&file(&c.id), None, "no CERTIFICATE block"));
    }
    Ok(certs)
}

/// The chain and private key in the PEM text, checked to belong together.
pub fn certified_key(c: &Certificate, provider: &CryptoProvider) -> Result<Arc<CertifiedKey>, ConfigError> {
    let err = |m: String| ConfigError::new(&file(&c.id), None, m);
    let chain = chain(c)?;
    let key = PrivateKeyDer::from_pem_slice(c.pem.as_bytes())
        .map_err(|_| err("no usable PRIVATE KEY block (PKCS#8, PKCS#1 or SEC1) next to the certificate".into()))?;
    let key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| err(format!("private key not usable: {e}")))?;
    let ck = CertifiedKey::new(chain, key);
    ck.keys_match()
        .map_err(|e| err(format!("the private key does not match the certificate: {e}")))?;
    Ok(Arc::new(ck))
}

/// Whether the PEM text holds a private-key block.
pub fn has_private_key(c: &Certificate) -> bool {
    PrivateKeyDer::from_pem_slice(c.pem.as_bytes()).is_ok()
}

/// Checks every certificate: each block is X.509, and a private key, when
/// present, is usable and matches the leaf.
pub fn check_all(certs: &[Certificate], provider: &CryptoProvider) -> Result<(), ConfigError> {
    for c in certs {
        for (i, der) in chain(c)?.iter().enumerate() {
            if crate::tls::info::CertificateInfo::parse(der).is_none() {
                let n = i + 1;
                return Err(ConfigError::new(
                    &file(&c.id),
                    None,
                    format!("CERTIFICATE block {n} is not a valid X.509 certificate"),
                ));
            }
        }
        if has_private_key(c) {
            certified_key(c, provider)?;
        }
    }
    Ok(())
}

/// A root store of the certificates in the named files.
pub fn roots(certs: &[Certificate], ids: &[String]) -> Result<rustls::RootCertStore, ConfigError> {
    let mut store = rustls::RootCertStore::empty();
    for id in ids {
        let c = find(certs, id)?;
        for der in chain(c)? {
            store
                .add(der)
                .map_err(|e| ConfigError::new(&file(id), None, format!("not a usable CA certificate: {e}")))?;
        }
    }
    Ok(store)
}
