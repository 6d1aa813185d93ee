//! The configuration's certificate store: every certificate of every
//! `certificates/<id>.pem` (from local files or the management plane's
//! snapshot), looked up by id or by SHA-1 thumbprint, and the trust used
//! for client certificates. This is the one place policies resolve
//! certificate references (`authentication-certificate thumbprint` /
//! `certificate-id`, `validate-client-certificate issuer-thumbprint` /
//! `issuer-certificate-id`).
//!
//! Client-certificate trust (`validate-trust`, `Certificate.Verify()`):
//! the system roots, the CA certificates of `certificate-authorities`
//! (hostnames.toml; the management plane's trusted gateway CAs), of every
//! host name's `client-ca` and of the local CA directory
//! (`certificates.local.ca.enabled`, `super::local_ca`). The certificates
//! of `intermediate-certificates` (untrusted gateway CAs) may complete a
//! chain but are never trust anchors. Revocation (CRL, OCSP) is not checked.
//!
//! Built once per configuration on the control thread, immutable, shared by
//! `Arc` between the workers' replicas (verification touches no shared
//! mutable state).

use super::info::{thumbprint, CertificateInfo};
use super::{certs, context};
use crate::config::{Config, ConfigError};
use rustls::server::danger::ClientCertVerifier;
use rustls::sign::CertifiedKey;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use std::sync::Arc;
use x509_parser::prelude::{FromDer, X509Certificate};

/// One certificate of the store.
#[derive(Clone)]
pub struct StoredCert {
    /// The file id (`certificates/<id>.pem`).
    pub id: String,
    /// Position in its file (0 = the leaf).
    pub index: usize,
    pub thumbprint: String,
    pub der: Vec<u8>,
    /// DER of the subject name (to find issuers).
    pub subject_raw: Vec<u8>,
    /// The private key that came with a leaf (`certificates/<id>.pem`
    /// holds one), for validate-jwt's `decryption-keys certificate-id`.
    /// Never logged (`StoredCert` has no `Debug`).
    key: Option<Arc<PrivateKeyDer<'static>>>,
}

/// The certificates of a configuration and the client-certificate trust.
#[derive(Default)]
pub struct CertStore {
    entries: Vec<StoredCert>,
    trust: Option<Arc<dyn ClientCertVerifier>>,
    /// DER of the `intermediate-certificates`: offered to chain building
    /// next to what the client sent, never trust anchors.
    intermediates: Vec<Vec<u8>>,
}

impl std::fmt::Debug for CertStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CertStore")
            .field("certificates", &self.entries.len())
            .field("trust", &self.trust.is_some())
            .finish()
    }
}

/// The issuer certificate of a client certificate, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub thumbprint: String,
    /// The store id, when the issuer is in the configuration's store.
    pub id: Option<String>,
}

/// Normalises a thumbprint as written in a policy (case, spaces, colons).
pub fn normalise_thumbprint(t: &str) -> String {
    t.chars()
        .filter(|c| !c.is_whitespace() && *c != ':')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl CertStore {
    /// Reads every certificate of `cfg` (unreadable files are skipped here:
    /// they are reported where they are used) and builds the client trust.
    pub fn compile(cfg: &Config) -> Result<CertStore, ConfigError> {
        let mut entries = Vec::new();
        for c in &cfg.certificates {
            let Ok(chain) = certs::chain(c) else { continue };
            for (index, der) in chain.iter().enumerate() {
                let Ok((_, x)) = X509Certificate::from_der(der) else {
                    continue;
                };
                entries.push(StoredCert {
                    id: c.id.clone(),
                    index,
                    thumbprint: thumbprint(der),
                    der: der.to_vec(),
                    subject_raw: x.subject().as_raw().to_vec(),
                    key: if index == 0 {
                        PrivateKeyDer::from_pem_slice(c.pem.as_bytes()).ok().map(Arc::new)
                    } else {
                        None
                    },
                });
            }
        }
        let mut ids: Vec<String> = cfg.certificate_authorities.clone();
        ids.extend(cfg.hostnames.iter().filter_map(|h| h.client_ca.clone()));
        ids.sort();
        ids.dedup();
        let mut roots = (*context().system_roots()).clone();
        roots.roots.extend(certs::roots(&cfg.certificates, &ids)?.roots);
        roots.roots.extend(super::local_ca::roots(&cfg.local_cas).roots);
        let mut intermediates = Vec::new();
        for id in &cfg.intermediate_certificates {
            intermediates.extend(
                certs::chain(certs::find(&cfg.certificates, id)?)?
                    .iter()
                    .map(|d| d.to_vec()),
            );
        }
        let trust = if roots.is_empty() {
            None
        } else {
            let provider = context().server_provider.clone();
            match rustls::server::WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider).build() {
                Ok(v) => Some(v),
                Err(e) => {
                    // Only a CRL problem can get here (the roots are not empty).
                    tracing::warn!(error = %e, "client-certificate trust not built: validate-trust refuses every certificate");
                    None
                }
            }
        };
        Ok(CertStore {
            entries,
            trust,
            intermediates,
        })
    }

    /// Every certificate, in id order (`context.Deployment.Certificates`).
    pub fn all(&self) -> &[StoredCert] {
        &self.entries
    }

    pub fn get(&self, i: usize) -> &StoredCert {
        &self.entries[i]
    }

    /// The leaf certificate of file `id`.
    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.entries.iter().position(|e| e.id == id && e.index == 0)
    }

    /// The leaf certificate with this thumbprint (any case, spaces ignored).
    pub fn by_thumbprint(&self, t: &str) -> Option<usize> {
        let t = normalise_thumbprint(t);
        self.entries.iter().position(|e| e.index == 0 && e.thumbprint == t)
    }

    /// The private key (PKCS#8, PKCS#1 or SEC1 DER) that came with leaf
    /// `i`, if any (`check_all` made sure it matches the certificate).
    pub fn private_key_der(&self, i: usize) -> Option<&[u8]> {
        self.entries.get(i)?.key.as_deref().map(PrivateKeyDer::secret_der)
    }

    /// Indices of the leaf certificates that come with a private key.
    pub fn with_keys(&self, cfg: &Config) -> Vec<usize> {
        (0..self.entries.len())
            .filter(|&i| self.entries[i].index == 0 && self.key(cfg, i).is_ok())
            .collect()
    }

    /// The certificate chain and private key of entry `i` (a leaf), checked
    /// to belong together.
    pub fn key(&self, cfg: &Config, i: usize) -> Result<Arc<CertifiedKey>, ConfigError> {
        let c = certs::find(&cfg.certificates, &self.entries[i].id)?;
        certs::certified_key(c, &context().client_provider)
    }

    /// Whether the client certificate chains (with the intermediates the
    /// client sent and the configured `intermediate-certificates`) to a
    /// trusted CA. Validity dates are checked at `at` (Unix seconds).
    pub fn verify_client(&self, cert: &CertificateInfo, chain: &[Vec<u8>], at: i64) -> Result<(), String> {
        let Some(trust) = &self.trust else {
            return Err("no trusted certificate authorities are configured".into());
        };
        let inter: Vec<CertificateDer<'_>> = chain
            .iter()
            .chain(&self.intermediates)
            .map(|d| CertificateDer::from(d.as_slice()))
            .collect();
        let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(u64::try_from(at).unwrap_or(0)));
        trust
            .verify_client_cert(&CertificateDer::from(cert.der.as_slice()), &inter, now)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// The certificate that issued `cert` (its subject is `cert`'s issuer
    /// and its key verifies `cert`'s signature), looked for in the store
    /// first and then among the certificates the client sent.
    pub fn issuer_of(&self, cert: &CertificateInfo, chain: &[Vec<u8>]) -> Option<Issuer> {
        let (_, leaf) = X509Certificate::from_der(&cert.der).ok()?;
        let signs = |der: &[u8]| -> bool {
            match X509Certificate::from_der(der) {
                Ok((_, c)) => {
                    c.subject().as_raw() == cert.issuer_raw.as_slice()
                        && leaf.verify_signature(Some(c.public_key())).is_ok()
                }
                Err(_) => false,
            }
        };
        if let Some(e) = self
            .entries
            .iter()
            .find(|e| e.subject_raw == cert.issuer_raw && signs(&e.der))
        {
            return Some(Issuer {
                thumbprint: e.thumbprint.clone(),
                id: Some(e.id.clone()),
            });
        }
        chain.iter().find(|d| signs(d)).map(|d| Issuer {
            thumbprint: thumbprint(d),
            id: None,
        })
    }
}
