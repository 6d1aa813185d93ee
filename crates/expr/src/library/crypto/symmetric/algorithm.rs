//! The `SymmetricAlgorithm` object (AES): its key, IV, sizes, mode and
//! padding as .NET's properties check them (a new object generates its key
//! and IV on first use), and its methods (transforms, the one-shots).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use super::cipher::{check_explicit, ciphertext_len, run, Params};
use super::transform::transform;
use super::*;
use crate::library::collections::Array;
use crate::library::crypto::{bytes_arg, crypto_error, disposed, enum_arg, random_bytes};
use crate::value::Object;

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

    pub(super) fn live(&self) -> EvalResult<()> {
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

pub(super) fn bad_key_size() -> EvalError {
    crypto_error("Specified key is not a valid size for this algorithm.")
}

pub(super) fn valid_key_bits(bits: i64) -> bool {
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
