//! The crypto family: System.Security.Cryptography (hashes, HMACs, AES
//! through the `SymmetricAlgorithm` API, `RSA`, `RNGCryptoServiceProvider`,
//! `Oid`, the enums) and System.Security.Cryptography.X509Certificates
//! (`X509Certificate2` and friends, for `context.Request.Certificate` and
//! `context.Deployment.Certificates`).
//!
//! Modules: [`hash`] (hash and HMAC objects, `HashAlgorithmName`),
//! [`symmetric`] (`SymmetricAlgorithm`, its transforms, `CipherMode`,
//! `PaddingMode`; also what APIM's `Encrypt`/`Decrypt` helpers call),
//! [`random`] (`RNGCryptoServiceProvider`), [`asymmetric`] (`RSA`,
//! `AsymmetricAlgorithm`, the padding types), [`oid`] (`Oid` and the
//! friendly-name table), [`x509`] (certificates, names, `PublicKey`).
//!
//! Invariants: the primitives come from RustCrypto crates (md-5, sha1,
//! sha2, hmac, aes, cbc, rsa) and x509-parser; this family only maps .NET's
//! API and its exceptions onto them. Failures a .NET program would see as a
//! `CryptographicException` are `EvalErrorKind::Other("CryptographicException")`.

use std::ops::Range;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::TypeDef;
use crate::value::Value;

pub mod asymmetric;
pub mod hash;
pub mod hash_name;
pub mod oid;
pub mod random;
pub mod rsa_key;
pub mod symmetric;
pub mod x509;

pub use x509::certificate_from_der;

pub static TYPES: &[&TypeDef] = &[
    &hash::HASH_ALGORITHM,
    &hash::KEYED_HASH_ALGORITHM,
    &hash::MD5,
    &hash::SHA1,
    &hash::SHA256,
    &hash::SHA384,
    &hash::SHA512,
    &hash::SHA1_MANAGED,
    &hash::SHA256_MANAGED,
    &hash::SHA384_MANAGED,
    &hash::SHA512_MANAGED,
    &hash::HMAC,
    &hash::HMACMD5,
    &hash::HMACSHA1,
    &hash::HMACSHA256,
    &hash::HMACSHA384,
    &hash::HMACSHA512,
    &hash_name::HASH_ALGORITHM_NAME,
    &symmetric::SYMMETRIC_ALGORITHM,
    &symmetric::AES,
    &symmetric::CRYPTO_TRANSFORM,
    &symmetric::CIPHER_MODE,
    &symmetric::PADDING_MODE,
    &random::RNG_CRYPTO_SERVICE_PROVIDER,
    &asymmetric::ASYMMETRIC_ALGORITHM,
    &asymmetric::RSA,
    &asymmetric::RSA_SIGNATURE_PADDING,
    &asymmetric::RSA_ENCRYPTION_PADDING,
    &oid::OID,
    &x509::X509_CERTIFICATE,
    &x509::X509_CERTIFICATE2,
    &x509::X500_DISTINGUISHED_NAME,
    &x509::PUBLIC_KEY,
    &x509::ASN_ENCODED_DATA,
    &x509::RSA_CERTIFICATE_EXTENSIONS,
    &x509::X509_CONTENT_TYPE,
    &x509::X509_NAME_TYPE,
];

pub(crate) const NS: &str = "System.Security.Cryptography";
pub(crate) const NS_X509: &str = "System.Security.Cryptography.X509Certificates";

/// A .NET `CryptographicException` with `message`.
pub(crate) fn crypto_error(message: impl Into<String>) -> EvalError {
    EvalError::new(EvalErrorKind::Other("CryptographicException"), message)
}

/// .NET's `ArgumentNullException` for parameter `param`.
pub(crate) fn null_arg(param: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentNull,
        format!("Value cannot be null. (Parameter '{param}')"),
    )
}

/// An `ObjectDisposedException` for a member used after `Dispose()`.
pub(crate) fn disposed(type_name: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("ObjectDisposedException"),
        format!("Cannot access a disposed object.\nObject name: '{type_name}'."),
    )
}

/// The bytes of a `byte[]` argument (a copy): `ArgumentNullException` for
/// null, `ArgumentException` for another type.
pub(crate) fn bytes_arg(v: &Value<'_>, param: &str) -> EvalResult<Vec<u8>> {
    match v {
        Value::Null => Err(null_arg(param)),
        v => Array::to_bytes(v)
            .ok_or_else(|| EvalError::argument(format!("{param}: expected a byte[], got {}", v.type_name()))),
    }
}

/// A string argument: `ArgumentNullException` for null.
pub(crate) fn str_arg<'v>(v: &'v Value<'_>, param: &str) -> EvalResult<&'v str> {
    match v {
        Value::Null => Err(null_arg(param)),
        Value::Str(s) => Ok(s),
        v => Err(EvalError::argument(format!(
            "{param}: expected a string, got {}",
            v.type_name()
        ))),
    }
}

/// A `bool` argument.
pub(crate) fn bool_arg(v: &Value<'_>, param: &str) -> EvalResult<bool> {
    match v {
        Value::Bool(b) => Ok(*b),
        v => Err(EvalError::argument(format!(
            "{param}: expected a bool, got {}",
            v.type_name()
        ))),
    }
}

/// The value of an enum argument of type `def`.
pub(crate) fn enum_arg(v: &Value<'_>, def: &TypeDef, param: &str) -> EvalResult<i64> {
    match v {
        Value::Enum(d, x) if d.is(def) => Ok(*x),
        v => Err(EvalError::argument(format!(
            "{param}: expected a {}, got {}",
            def.name,
            v.type_name()
        ))),
    }
}

/// The range `offset..offset + count` of a buffer of `len` bytes, checked
/// as .NET's `(buffer, offset, count)` overloads check it.
pub(crate) fn span(len: usize, offset: &Value<'_>, count: &Value<'_>) -> EvalResult<Range<usize>> {
    let offset = offset.to_i32("offset")?;
    let count = count.to_i32("count")?;
    if offset < 0 {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Non-negative number required. (Parameter 'offset')",
        ));
    }
    let (offset, count) = (offset as usize, usize::try_from(count).unwrap_or(usize::MAX));
    if count > len {
        return Err(EvalError::argument("Value was invalid. (Parameter 'count')"));
    }
    if len - count < offset {
        return Err(EvalError::argument(
            "Offset and length were out of bounds for the array or count is greater than the number of \
             elements from index to the end of the source collection.",
        ));
    }
    Ok(offset..offset + count)
}

/// Charges the budget for processing `n` bytes (one step per 64).
pub(crate) fn charge_bytes(rt: &mut dyn Runtime<'_>, n: usize) -> EvalResult<()> {
    rt.charge(1 + n as u64 / 64)?;
    rt.alloc(n)
}

/// Uppercase hex without separators (.NET's `Thumbprint`, `ToHexString`).
pub(crate) fn hex_upper(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(HEX[usize::from(b >> 4)] as char);
        s.push(HEX[usize::from(b & 15)] as char);
    }
    s
}

/// `n` random bytes from the runtime's generator (the OS's in the gateway).
pub(crate) fn random_bytes(rt: &mut dyn Runtime<'_>, n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        out.extend_from_slice(&rt.random_u64().to_le_bytes());
    }
    out.truncate(n);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_checked_as_dotnet_does() {
        let v = |i: i32| Value::Int(i);
        assert_eq!(span(10, &v(2), &v(3)).unwrap(), 2..5);
        assert_eq!(span(10, &v(10), &v(0)).unwrap(), 10..10);
        assert_eq!(
            span(10, &v(-1), &v(3)).unwrap_err().kind,
            EvalErrorKind::ArgumentOutOfRange
        );
        assert_eq!(span(10, &v(0), &v(11)).unwrap_err().kind, EvalErrorKind::Argument);
        assert_eq!(span(10, &v(8), &v(3)).unwrap_err().kind, EvalErrorKind::Argument);
        assert_eq!(span(10, &v(0), &v(-1)).unwrap_err().kind, EvalErrorKind::Argument);
    }

    #[test]
    fn hex_and_random() {
        assert_eq!(hex_upper(&[0x0a, 0xff, 0]), "0AFF00");
        let mut rt = crate::testing::TestRt::new();
        assert_eq!(random_bytes(&mut rt, 13).len(), 13);
    }
}

#[cfg(test)]
pub(crate) mod family_tests;
