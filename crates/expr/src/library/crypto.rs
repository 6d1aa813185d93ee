//! The crypto family: System.Security.Cryptography (hashes, HMACs, `Aes`
//! and the `SymmetricAlgorithm` API, `RSA` from certificates,
//! `RNGCryptoServiceProvider`, `Oid`, the enums) and
//! System.Security.Cryptography.X509Certificates (`X509Certificate2` and
//! friends, for `context.Request.Certificate` and
//! `context.Deployment.Certificates`).

use crate::types::TypeDef;

pub static TYPES: &[&TypeDef] = &[];
