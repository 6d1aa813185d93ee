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

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherDecrypt, BlockCipherEncrypt, BlockModeDecrypt, BlockModeEncrypt, BlockSizeUser, KeyInit, KeyIvInit,
};

use super::{bytes_arg, crypto_error, disposed, enum_arg, random_bytes, span, str_arg, NS};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, Apim, Member, TypeDef, TypeKind, TypeRef};
use crate::value::{Object, Value};

const BLOCK: usize = 16;

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

const CBC: i64 = 1;
const ECB: i64 = 2;
const CFB: i64 = 4;
const PAD_NONE: i64 = 1;
const PKCS7: i64 = 2;
const ZEROS: i64 = 3;
const ANSIX923: i64 = 4;
const ISO10126: i64 = 5;

const SYM_MEMBERS: &[Member] = &[
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

const SYM_UNIMPLEMENTED: &[&str] = &[
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

/// The parameters of one encryption or decryption.
#[derive(Debug, Clone)]
pub struct Params {
    pub key: Vec<u8>,
    /// `None` for ECB.
    pub iv: Option<Vec<u8>>,
    pub mode: i64,
    pub padding: i64,
}

/// A `SymmetricAlgorithm` object (AES).
pub struct SymAlg {
    key: RefCell<Option<Vec<u8>>>,
    iv: RefCell<Option<Vec<u8>>>,
    key_size: Cell<i32>,
    feedback: Cell<i32>,
    mode: Cell<i64>,
    padding: Cell<i64>,
    disposed: Cell<bool>,
}

impl SymAlg {
    /// A new AES object with .NET's defaults: 256-bit key, CBC, PKCS7, key
    /// and IV generated on first use.
    pub fn new() -> SymAlg {
        SymAlg {
            key: RefCell::new(None),
            iv: RefCell::new(None),
            key_size: Cell::new(256),
            feedback: Cell::new(8),
            mode: Cell::new(CBC),
            padding: Cell::new(PKCS7),
            disposed: Cell::new(false),
        }
    }

    fn live(&self) -> EvalResult<()> {
        if self.disposed.get() {
            return Err(disposed("Aes"));
        }
        Ok(())
    }

    /// The key, generated if none was set.
    pub fn key(&self, rt: &mut dyn Runtime<'_>) -> Vec<u8> {
        let mut key = self.key.borrow_mut();
        key.get_or_insert_with(|| random_bytes(rt, self.key_size.get() as usize / 8))
            .clone()
    }

    /// The IV, generated if none was set.
    pub fn iv(&self, rt: &mut dyn Runtime<'_>) -> Vec<u8> {
        let mut iv = self.iv.borrow_mut();
        iv.get_or_insert_with(|| random_bytes(rt, BLOCK)).clone()
    }

    /// The parameters of a transform: the given key and IV or the object's.
    pub fn params(&self, rt: &mut dyn Runtime<'_>, key: Option<Vec<u8>>, iv: Option<Option<Vec<u8>>>) -> Params {
        let key = key.unwrap_or_else(|| self.key(rt));
        let iv = match iv {
            Some(iv) => iv,
            None => Some(self.iv(rt)),
        };
        let mode = self.mode.get();
        Params {
            key,
            iv: if mode == ECB { None } else { iv },
            mode,
            padding: self.padding.get(),
        }
    }
}

impl Default for SymAlg {
    fn default() -> Self {
        SymAlg::new()
    }
}

fn bad_key_size() -> EvalError {
    crypto_error("Specified key is not a valid size for this algorithm.")
}

fn valid_key_bits(bits: i64) -> bool {
    matches!(bits, 128 | 192 | 256)
}

impl Object for SymAlg {
    fn type_def(&self) -> &'static TypeDef {
        &AES
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "Key" => match self.live() {
                Ok(()) => Array::bytes(self.key(rt)),
                Err(e) => return Some(Err(e)),
            },
            "IV" => match self.live() {
                Ok(()) => Array::bytes(self.iv(rt)),
                Err(e) => return Some(Err(e)),
            },
            "KeySize" => Value::Int(self.key_size.get()),
            "BlockSize" => Value::Int(128),
            "FeedbackSize" => Value::Int(self.feedback.get()),
            "Mode" => Value::Enum(&CIPHER_MODE, self.mode.get()),
            "Padding" => Value::Enum(&PADDING_MODE, self.padding.get()),
            _ => return None,
        }))
    }

    fn set<'a>(&self, _: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        Some((|| match name {
            "Key" => {
                let key = bytes_arg(&value, "value")?;
                if !valid_key_bits(key.len() as i64 * 8) {
                    return Err(bad_key_size());
                }
                self.key_size.set(key.len() as i32 * 8);
                *self.key.borrow_mut() = Some(key);
                Ok(())
            }
            "IV" => {
                let iv = bytes_arg(&value, "value")?;
                if iv.len() != BLOCK {
                    return Err(crypto_error(
                        "Specified initialization vector (IV) does not match the block size for this algorithm.",
                    ));
                }
                *self.iv.borrow_mut() = Some(iv);
                Ok(())
            }
            "KeySize" => {
                let bits = value.to_i32("value")?;
                if !valid_key_bits(bits.into()) {
                    return Err(bad_key_size());
                }
                if bits != self.key_size.get() {
                    self.key_size.set(bits);
                    *self.key.borrow_mut() = None;
                }
                Ok(())
            }
            "BlockSize" => match value.to_i32("value")? {
                128 => Ok(()),
                _ => Err(crypto_error("Specified block size is not valid for this algorithm.")),
            },
            "FeedbackSize" => match value.to_i32("value")? {
                8 | 128 => {
                    self.feedback.set(value.to_i32("value")?);
                    Ok(())
                }
                _ => Err(crypto_error("Specified feedback size is invalid.")),
            },
            "Mode" => match enum_arg(&value, &CIPHER_MODE, "value")? {
                v @ (CBC | ECB | CFB) => {
                    self.mode.set(v);
                    Ok(())
                }
                _ => Err(crypto_error("Specified cipher mode is not valid for this algorithm.")),
            },
            "Padding" => match enum_arg(&value, &PADDING_MODE, "value")? {
                v @ 1..=5 => {
                    self.padding.set(v);
                    Ok(())
                }
                _ => Err(crypto_error("Specified padding mode is not valid for this algorithm.")),
            },
            _ => Err(EvalError::argument(format!("{name} cannot be set"))),
        })())
        .filter(|_| {
            matches!(
                name,
                "Key" | "IV" | "KeySize" | "BlockSize" | "FeedbackSize" | "Mode" | "Padding"
            )
        })
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        if matches!(name, "Dispose" | "Clear") && args.is_empty() {
            self.disposed.set(true);
            *self.key.borrow_mut() = None;
            *self.iv.borrow_mut() = None;
            return Some(Ok(Value::Null));
        }
        Some((|| {
            self.live()?;
            Ok(match (name, args) {
                ("GenerateKey", []) => {
                    *self.key.borrow_mut() = Some(random_bytes(rt, self.key_size.get() as usize / 8));
                    Value::Null
                }
                ("GenerateIV", []) => {
                    *self.iv.borrow_mut() = Some(random_bytes(rt, BLOCK));
                    Value::Null
                }
                ("CreateEncryptor" | "CreateDecryptor", []) => {
                    let p = self.params(rt, None, None);
                    transform(p, name == "CreateEncryptor")
                }
                ("CreateEncryptor" | "CreateDecryptor", [key, iv]) => {
                    let key = bytes_arg(key, "rgbKey")?;
                    let iv = if iv.is_null() {
                        None
                    } else {
                        Some(bytes_arg(iv, "rgbIV")?)
                    };
                    let p = self.params(rt, Some(key), Some(iv));
                    check_explicit(&p)?;
                    transform(p, name == "CreateEncryptor")
                }
                ("EncryptCbc" | "DecryptCbc", [data, iv, rest @ ..]) if rest.len() <= 1 => {
                    let padding = match rest {
                        [p] => enum_arg(p, &PADDING_MODE, "paddingMode")?,
                        _ => PKCS7,
                    };
                    let iv = bytes_arg(iv, "iv")?;
                    if iv.len() != BLOCK {
                        return Err(EvalError::argument(
                            "The specified initialization vector (IV) does not match the block size for this \
                             algorithm. (Parameter 'iv')",
                        ));
                    }
                    let p = Params {
                        key: self.key(rt),
                        iv: Some(iv),
                        mode: CBC,
                        padding,
                    };
                    let data = bytes_arg(
                        data,
                        if name == "EncryptCbc" {
                            "plaintext"
                        } else {
                            "ciphertext"
                        },
                    )?;
                    Array::bytes(run(rt, &p, &data, name == "EncryptCbc")?)
                }
                ("EncryptEcb" | "DecryptEcb", [data, padding]) => {
                    let p = Params {
                        key: self.key(rt),
                        iv: None,
                        mode: ECB,
                        padding: enum_arg(padding, &PADDING_MODE, "paddingMode")?,
                    };
                    let data = bytes_arg(
                        data,
                        if name == "EncryptEcb" {
                            "plaintext"
                        } else {
                            "ciphertext"
                        },
                    )?;
                    Array::bytes(run(rt, &p, &data, name == "EncryptEcb")?)
                }
                ("ValidKeySize", [bits]) => Value::Bool(valid_key_bits(bits.to_i32("bitLength")?.into())),
                ("GetCiphertextLengthCbc", [len, rest @ ..]) | ("GetCiphertextLengthEcb", [len, rest @ ..])
                    if rest.len() <= 1 =>
                {
                    let padding = match rest {
                        [p] => enum_arg(p, &PADDING_MODE, "paddingMode")?,
                        _ => PKCS7,
                    };
                    Value::Int(ciphertext_len(len.to_i32("plaintextLength")?, padding)?)
                }
                _ => {
                    return Err(EvalError::argument(format!(
                        "no overload of SymmetricAlgorithm.{name} takes these arguments"
                    )))
                }
            })
        })())
        .filter(|_| {
            matches!(
                name,
                "GenerateKey"
                    | "GenerateIV"
                    | "CreateEncryptor"
                    | "CreateDecryptor"
                    | "EncryptCbc"
                    | "DecryptCbc"
                    | "EncryptEcb"
                    | "DecryptEcb"
                    | "ValidKeySize"
                    | "GetCiphertextLengthCbc"
                    | "GetCiphertextLengthEcb"
            )
        })
    }

    fn fmt_debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key.
        write!(f, "Aes(KeySize={})", self.key_size.get())
    }
}

/// `GetCiphertextLength*`: the length after padding.
fn ciphertext_len(len: i32, padding: i64) -> EvalResult<i32> {
    if len < 0 {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Non-negative number required. (Parameter 'plaintextLength')",
        ));
    }
    let whole = len - len % BLOCK as i32;
    let r = match padding {
        PAD_NONE if len % BLOCK as i32 != 0 => {
            return Err(EvalError::argument(
                "The input data is not a complete block. (Parameter 'plaintextLength')",
            ))
        }
        PAD_NONE => len,
        ZEROS if len % BLOCK as i32 == 0 => len,
        _ => whole
            .checked_add(BLOCK as i32)
            .ok_or_else(|| EvalError::new(EvalErrorKind::ArgumentOutOfRange, "plaintextLength is too large"))?,
    };
    Ok(r)
}

/// .NET's checks of `CreateEncryptor(key, iv)`'s arguments.
fn check_explicit(p: &Params) -> EvalResult<()> {
    if !valid_key_bits(p.key.len() as i64 * 8) {
        return Err(EvalError::argument(
            "Specified key is not a valid size for this algorithm. (Parameter 'rgbKey')",
        ));
    }
    if p.iv.as_ref().is_some_and(|iv| iv.len() != BLOCK) {
        return Err(EvalError::argument(
            "Specified initialization vector (IV) does not match the block size for this algorithm. \
             (Parameter 'rgbIV')",
        ));
    }
    Ok(())
}

fn transform(p: Params, encrypt: bool) -> Value<'static> {
    Value::obj(Transform { p, encrypt })
}

/// An `ICryptoTransform`: fixed parameters, one direction.
pub struct Transform {
    p: Params,
    encrypt: bool,
}

impl Object for Transform {
    fn type_def(&self) -> &'static TypeDef {
        &CRYPTO_TRANSFORM
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "InputBlockSize" | "OutputBlockSize" => Value::Int(BLOCK as i32),
            "CanTransformMultipleBlocks" | "CanReuseTransform" => Value::Bool(true),
            _ => return None,
        }))
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        match (name, args) {
            ("TransformFinalBlock", [input, offset, count]) => Some((|| {
                let data = bytes_arg(input, "inputBuffer")?;
                let r = span(data.len(), offset, count)?;
                let part = data.get(r).unwrap_or_default();
                if !self.encrypt && part.is_empty() {
                    return Ok(Array::bytes(Vec::new()));
                }
                Ok(Array::bytes(run(rt, &self.p, part, self.encrypt)?))
            })()),
            ("Dispose", []) => Some(Ok(Value::Null)),
            _ => None,
        }
    }

    fn fmt_debug(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ICryptoTransform(encrypt={})", self.encrypt)
    }
}

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

/// One encryption or decryption of `data`.
pub fn run(rt: &mut dyn Runtime<'_>, p: &Params, data: &[u8], encrypt: bool) -> EvalResult<Vec<u8>> {
    match p.mode {
        CBC | ECB => {}
        CFB => {
            return Err(EvalError::new(
                EvalErrorKind::NotSupported,
                "CipherMode.CFB is not implemented by Outpost (CBC and ECB are)",
            ))
        }
        _ => return Err(crypto_error("Specified cipher mode is not valid for this algorithm.")),
    }
    super::charge_bytes(rt, data.len() + BLOCK)?;
    let iv = if p.mode == CBC {
        match &p.iv {
            Some(iv) if iv.len() == BLOCK => Some(iv.as_slice()),
            Some(_) => {
                return Err(crypto_error(
                    "Specified initialization vector (IV) does not match the block size for this algorithm.",
                ))
            }
            None => {
                return Err(crypto_error(
                    "The cipher mode specified requires that an initialization vector (IV) be used.",
                ))
            }
        }
    } else {
        None
    };
    if encrypt {
        let mut buf = pad(rt, data, p.padding)?;
        blocks(&p.key, iv, &mut buf, true)?;
        Ok(buf)
    } else {
        if !data.len().is_multiple_of(BLOCK) {
            return Err(crypto_error("The input data is not a complete block."));
        }
        let mut buf = data.to_vec();
        blocks(&p.key, iv, &mut buf, false)?;
        unpad(buf, p.padding)
    }
}

/// Pads `data` to whole blocks as .NET's `PaddingMode` says.
fn pad(rt: &mut dyn Runtime<'_>, data: &[u8], padding: i64) -> EvalResult<Vec<u8>> {
    let rem = data.len() % BLOCK;
    let n = BLOCK - rem;
    let mut buf = Vec::with_capacity(data.len() + BLOCK);
    buf.extend_from_slice(data);
    match padding {
        PAD_NONE if rem != 0 => return Err(crypto_error("The input data is not a complete block.")),
        PAD_NONE => {}
        ZEROS if rem == 0 => {}
        ZEROS => buf.resize(data.len() + n, 0),
        PKCS7 => buf.resize(data.len() + n, n as u8),
        ANSIX923 => {
            buf.resize(data.len() + n - 1, 0);
            buf.push(n as u8);
        }
        ISO10126 => {
            buf.extend_from_slice(&random_bytes(rt, n - 1));
            buf.push(n as u8);
        }
        _ => return Err(crypto_error("Specified padding mode is not valid for this algorithm.")),
    }
    Ok(buf)
}

/// Removes the padding of decrypted `buf`.
fn unpad(mut buf: Vec<u8>, padding: i64) -> EvalResult<Vec<u8>> {
    let bad = || crypto_error("Padding is invalid and cannot be removed.");
    match padding {
        PAD_NONE | ZEROS => return Ok(buf),
        PKCS7 | ANSIX923 | ISO10126 => {}
        _ => return Err(crypto_error("Specified padding mode is not valid for this algorithm.")),
    }
    let n = usize::from(*buf.last().ok_or_else(bad)?);
    if n == 0 || n > BLOCK || n > buf.len() {
        return Err(bad());
    }
    let body = buf.len() - n;
    let fill = buf.get(body..buf.len() - 1).unwrap_or_default();
    let ok = match padding {
        PKCS7 => fill.iter().all(|b| usize::from(*b) == n),
        ANSIX923 => fill.iter().all(|b| *b == 0),
        _ => true,
    };
    if !ok {
        return Err(bad());
    }
    buf.truncate(body);
    Ok(buf)
}

/// AES over whole blocks of `buf`, in place: CBC with `iv`, else ECB.
fn blocks(key: &[u8], iv: Option<&[u8]>, buf: &mut [u8], encrypt: bool) -> EvalResult<()> {
    match key.len() {
        16 => blocks_with::<aes::Aes128>(key, iv, buf, encrypt),
        24 => blocks_with::<aes::Aes192>(key, iv, buf, encrypt),
        32 => blocks_with::<aes::Aes256>(key, iv, buf, encrypt),
        _ => Err(bad_key_size()),
    }
}

fn blocks_with<C>(key: &[u8], iv: Option<&[u8]>, buf: &mut [u8], encrypt: bool) -> EvalResult<()>
where
    C: KeyInit + BlockCipherEncrypt + BlockCipherDecrypt + BlockSizeUser<BlockSize = U16>,
{
    let mut block = aes::Block::default();
    match iv {
        None => {
            let c = C::new_from_slice(key).map_err(|_| bad_key_size())?;
            for chunk in buf.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(chunk);
                if encrypt {
                    c.encrypt_block(&mut block);
                } else {
                    c.decrypt_block(&mut block);
                }
                chunk.copy_from_slice(&block);
            }
        }
        Some(iv) if encrypt => {
            let mut c = cbc::Encryptor::<C>::new_from_slices(key, iv).map_err(|_| bad_key_size())?;
            for chunk in buf.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(chunk);
                c.encrypt_block(&mut block);
                chunk.copy_from_slice(&block);
            }
        }
        Some(iv) => {
            let mut c = cbc::Decryptor::<C>::new_from_slices(key, iv).map_err(|_| bad_key_size())?;
            for chunk in buf.chunks_exact_mut(BLOCK) {
                block.copy_from_slice(chunk);
                c.decrypt_block(&mut block);
                chunk.copy_from_slice(&block);
            }
        }
    }
    Ok(())
}
