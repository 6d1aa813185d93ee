//! The crypto family: System.Security.Cryptography (hashes, HMACs, `Aes`
//! and the `SymmetricAlgorithm` API, `RSA` from certificates,
//! `RNGCryptoServiceProvider`, `Oid`, the enums) and
//! System.Security.Cryptography.X509Certificates (`X509Certificate2` and
//! friends, for `context.Request.Certificate` and
//! `context.Deployment.Certificates`).

use crate::types::TypeDef;

pub static TYPES: &[&TypeDef] = &[];

/// An `X509Certificate2` from its DER bytes; `client` marks the request's
/// client certificate (whose `Verify()` asks the context's trust store).
pub fn certificate_from_der(der: &[u8], client: bool) -> crate::error::EvalResult<crate::value::Value<'static>> {
    let _ = (der, client);
    Err(crate::error::EvalError::new(
        crate::error::EvalErrorKind::NotSupported,
        "X509Certificate2 is not implemented yet",
    ))
}
