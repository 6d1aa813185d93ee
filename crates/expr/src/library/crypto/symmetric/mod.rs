//! Symmetric encryption: `SymmetricAlgorithm` (APIM allows all of it but
//! the parameterless `Create()`; `SymmetricAlgorithm.Create("Aes")` is how
//! a policy gets an AES object, since `Aes` itself is not on APIM's list),
//! its transforms (`CreateEncryptor()`… → `ICryptoTransform`), the .NET 6
//! one-shot `EncryptCbc`/`DecryptCbc`/`EncryptEcb`/`DecryptEcb`, and the
//! `CipherMode` and `PaddingMode` enums. APIM's `Encrypt`/`Decrypt`
//! helpers call [`algorithm_by_name`] and [`run_with`].
//!
//! Only AES (and Rijndael with its 128-bit block, which is AES) is
//! implemented, in CBC and ECB modes; `DES`, `TripleDES`, `RC2` and the CFB
//! mode throw `NotSupportedException` naming what is missing. Blocks come
//! from the `aes` and `cbc` crates; padding is done here because .NET's
//! rules are its own (`Zeros` is not removed on decryption; `ANSIX923`
//! checks its zero bytes; `ISO10126` does not check its random ones).

use super::{str_arg, NS};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, Apim, Member, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

mod algorithm;
mod cipher;
mod transform;

pub use algorithm::SymAlg;
use cipher::check_explicit;
pub use cipher::{run, Params};
pub use transform::Transform;

pub(crate) const BLOCK: usize = 16;

/// `System.Security.Cryptography.CipherMode`.
pub static CIPHER_MODE: TypeDef = TypeDef {
    name: "CipherMode",
    namespace: NS,
    kind: TypeKind::Enum,
    enum_values: &[("CBC", 1), ("ECB", 2), ("OFB", 3), ("CFB", 4), ("CTS", 5)],
    ..TypeDef::EMPTY
};

/// `System.Security.Cryptography.PaddingMode`.
pub static PADDING_MODE: TypeDef = TypeDef {
    name: "PaddingMode",
    namespace: NS,
    kind: TypeKind::Enum,
    enum_values: &[
        ("None", 1),
        ("PKCS7", 2),
        ("Zeros", 3),
        ("ANSIX923", 4),
        ("ISO10126", 5),
    ],
    ..TypeDef::EMPTY
};

pub(crate) const CBC: i64 = 1;
pub(crate) const ECB: i64 = 2;
pub(crate) const CFB: i64 = 4;
pub(crate) const PAD_NONE: i64 = 1;
pub(crate) const PKCS7: i64 = 2;
pub(crate) const ZEROS: i64 = 3;
pub(crate) const ANSIX923: i64 = 4;
pub(crate) const ISO10126: i64 = 5;

pub(crate) const SYM_MEMBERS: &[Member] = &[
    m("Key", "byte[]"),
    m("IV", "byte[]"),
    m("KeySize", "int"),
    m("BlockSize", "int"),
    m("FeedbackSize", "int"),
    m("Mode", "CipherMode"),
    m("Padding", "PaddingMode"),
    m("GenerateKey", "void"),
    m("GenerateIV", "void"),
    m("CreateEncryptor", "ICryptoTransform"),
    m("CreateDecryptor", "ICryptoTransform"),
    m("EncryptCbc", "byte[]"),
    m("DecryptCbc", "byte[]"),
    m("EncryptEcb", "byte[]"),
    m("DecryptEcb", "byte[]"),
    m("ValidKeySize", "bool"),
    m("GetCiphertextLengthCbc", "int"),
    m("GetCiphertextLengthEcb", "int"),
    m("Clear", "void"),
    m("Dispose", "void"),
];

pub(crate) const SYM_UNIMPLEMENTED: &[&str] = &[
    "LegalKeySizes",
    "LegalBlockSizes",
    "EncryptCfb",
    "DecryptCfb",
    "GetCiphertextLengthCfb",
    "TryEncryptCbc",
    "TryDecryptCbc",
    "TryEncryptEcb",
    "TryDecryptEcb",
    "TryEncryptCfb",
    "TryDecryptCfb",
    "SetKey",
];

/// `SymmetricAlgorithm`.
pub static SYMMETRIC_ALGORITHM: TypeDef = TypeDef {
    name: "SymmetricAlgorithm",
    namespace: NS,
    apim: Apim::Except(&["Create()"]),
    bases: &["IDisposable"],
    statics: &[m("Create", "SymmetricAlgorithm")],
    members: SYM_MEMBERS,
    unimplemented: SYM_UNIMPLEMENTED,
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

/// The runtime type of `SymmetricAlgorithm.Create("Aes")` (`Aes` is not on
/// APIM's list: a policy cannot name it, only receive one).
pub static AES: TypeDef = TypeDef {
    name: "Aes",
    namespace: NS,
    apim: Apim::Helper,
    bases: &["SymmetricAlgorithm", "IDisposable"],
    members: SYM_MEMBERS,
    unimplemented: SYM_UNIMPLEMENTED,
    ..TypeDef::EMPTY
};

/// What `CreateEncryptor()`/`CreateDecryptor()` return.
pub static CRYPTO_TRANSFORM: TypeDef = TypeDef {
    name: "ICryptoTransform",
    namespace: NS,
    kind: TypeKind::Interface,
    apim: Apim::Helper,
    bases: &["IDisposable"],
    members: &[
        m("TransformFinalBlock", "byte[]"),
        m("InputBlockSize", "int"),
        m("OutputBlockSize", "int"),
        m("CanTransformMultipleBlocks", "bool"),
        m("CanReuseTransform", "bool"),
        m("Dispose", "void"),
    ],
    unimplemented: &["TransformBlock"],
    ..TypeDef::EMPTY
};

/// `SymmetricAlgorithm.Create(name)`: an AES object for the names .NET's
/// `CryptoConfig` maps to AES or Rijndael; `NotSupportedException` for the
/// other ciphers .NET has (DES, TripleDES, RC2); `None` (null) otherwise.
pub fn algorithm_by_name(name: &str) -> EvalResult<Option<Value<'static>>> {
    let upper = name.to_ascii_uppercase();
    let short = upper.strip_prefix("SYSTEM.SECURITY.CRYPTOGRAPHY.").unwrap_or(&upper);
    match short {
        "AES" | "AESMANAGED" | "AESCRYPTOSERVICEPROVIDER" | "AESCNG" | "RIJNDAEL" | "RIJNDAELMANAGED" => {
            Ok(Some(Value::obj(SymAlg::new())))
        }
        "DES"
        | "DESCRYPTOSERVICEPROVIDER"
        | "3DES"
        | "TRIPLEDES"
        | "TRIPLEDESCRYPTOSERVICEPROVIDER"
        | "TRIPLEDESCNG"
        | "RC2"
        | "RC2CRYPTOSERVICEPROVIDER" => Err(EvalError::new(
            EvalErrorKind::NotSupported,
            format!("the symmetric algorithm '{name}' is not implemented by Outpost (only AES is)"),
        )),
        _ => Ok(None),
    }
}

fn call_static<'a>(
    _: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("Create", []) => Some(Err(EvalError::new(
            EvalErrorKind::Other("PlatformNotSupportedException"),
            "Operation is not supported on this platform.",
        ))),
        ("Create", [n]) => Some(
            str_arg(n, "algName")
                .and_then(algorithm_by_name)
                .map(|v| v.unwrap_or(Value::Null)),
        ),
        _ => None,
    }
}

/// Encrypts or decrypts `data` with `alg` (a `SymmetricAlgorithm` value):
/// with its own key and IV, or the given ones (APIM's `Encrypt`/`Decrypt`
/// helpers). An `ArgumentException` if `alg` is not one.
pub fn run_with(
    rt: &mut dyn Runtime<'_>,
    alg: &Value<'_>,
    key_iv: Option<(Vec<u8>, Vec<u8>)>,
    data: &[u8],
    encrypt: bool,
) -> EvalResult<Vec<u8>> {
    let Some(a) = alg.downcast::<SymAlg>() else {
        return Err(match alg {
            Value::Null => super::null_arg("alg"),
            v => EvalError::argument(format!("alg: expected a SymmetricAlgorithm, got {}", v.type_name())),
        });
    };
    a.live()?;
    let p = match key_iv {
        Some((key, iv)) => {
            let p = a.params(rt, Some(key), Some(Some(iv)));
            check_explicit(&p)?;
            p
        }
        None => a.params(rt, None, None),
    };
    if !encrypt && data.is_empty() {
        return Ok(Vec::new());
    }
    run(rt, &p, data, encrypt)
}
