//! Hash and HMAC objects: `MD5`, `SHA1`, `SHA256`, `SHA384`, `SHA512`, the
//! `*Managed` classes, the `HashAlgorithm` and `KeyedHashAlgorithm` bases,
//! `HMAC` and `HMACMD5`…`HMACSHA512`, and the `HashAlgorithmName` struct.
//!
//! Invariants: one object type ([`HashObj`]) serves every algorithm; its
//! running state holds what `TransformBlock` fed until `TransformFinalBlock`
//! or `ComputeHash` finishes it (as .NET's `HashCore`/`HashFinal`), so
//! `ComputeHash` after `TransformBlock` includes the earlier data, as in
//! .NET. Keys are copied in and out (`Key` returns a copy, as .NET does).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

use hmac::digest::{FixedOutput, KeyInit, Update};
use hmac::Hmac;

use super::{bytes_arg, charge_bytes, crypto_error, disposed, span};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::array::{Array, Store};
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};

mod types;

use crate::value::{Object, Value};
use types::hmac_def;
pub use types::*;

/// The hash functions .NET's classes name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    Md5,
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

impl HashKind {
    /// .NET's `HashAlgorithmName.Name` (`"SHA256"`).
    pub fn name(self) -> &'static str {
        match self {
            HashKind::Md5 => "MD5",
            HashKind::Sha1 => "SHA1",
            HashKind::Sha256 => "SHA256",
            HashKind::Sha384 => "SHA384",
            HashKind::Sha512 => "SHA512",
        }
    }

    /// The digest length in bytes.
    pub fn size(self) -> usize {
        match self {
            HashKind::Md5 => 16,
            HashKind::Sha1 => 20,
            HashKind::Sha256 => 32,
            HashKind::Sha384 => 48,
            HashKind::Sha512 => 64,
        }
    }

    /// The block length in bytes (the length of a new HMAC's random key).
    pub fn block_len(self) -> usize {
        match self {
            HashKind::Sha384 | HashKind::Sha512 => 128,
            _ => 64,
        }
    }

    /// A name as `HashAlgorithmName` or `CryptoConfig` spell it
    /// (`SHA256`, `SHA-256`, `sha256`, `SHA`), case-insensitively.
    pub fn from_name(name: &str) -> Option<HashKind> {
        Some(match name.to_ascii_uppercase().as_str() {
            "MD5" => HashKind::Md5,
            "SHA" | "SHA1" | "SHA-1" => HashKind::Sha1,
            "SHA256" | "SHA-256" => HashKind::Sha256,
            "SHA384" | "SHA-384" => HashKind::Sha384,
            "SHA512" | "SHA-512" => HashKind::Sha512,
            _ => return None,
        })
    }

    /// The algorithm's OID (for `HashAlgorithmName.FromOid`).
    pub fn oid(self) -> &'static str {
        match self {
            HashKind::Md5 => "1.2.840.113549.2.5",
            HashKind::Sha1 => "1.3.14.3.2.26",
            HashKind::Sha256 => "2.16.840.1.101.3.4.2.1",
            HashKind::Sha384 => "2.16.840.1.101.3.4.2.2",
            HashKind::Sha512 => "2.16.840.1.101.3.4.2.3",
        }
    }

    /// The digest of `data`.
    pub fn digest(self, data: &[u8]) -> Vec<u8> {
        let mut r = start(self, None);
        r.feed(data);
        r.finish()
    }

    /// HMAC of `data` under `key`.
    pub fn hmac(self, key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut r = start(self, Some(key));
        r.feed(data);
        r.finish()
    }
}

/// A hash or MAC in progress.
trait Running {
    fn feed(&mut self, data: &[u8]);
    /// The result.
    fn finish(self: Box<Self>) -> Vec<u8>;
}

impl<T: Update + FixedOutput> Running for T {
    fn feed(&mut self, data: &[u8]) {
        Update::update(self, data);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.finalize_fixed().to_vec()
    }
}

/// An HMAC state. HMAC takes keys of any length (longer ones are hashed
/// first), so `new_from_slice` never fails; the fallback keeps the code
/// free of panics.
macro_rules! mac {
    ($d:ty, $key:expr) => {
        match <Hmac<$d> as KeyInit>::new_from_slice($key) {
            Ok(h) => Box::new(h) as Box<dyn Running>,
            Err(_) => Box::new(<$d>::default()),
        }
    };
}

fn start(kind: HashKind, key: Option<&[u8]>) -> Box<dyn Running> {
    match (kind, key) {
        (HashKind::Md5, None) => Box::new(md5::Md5::default()),
        (HashKind::Sha1, None) => Box::new(sha1::Sha1::default()),
        (HashKind::Sha256, None) => Box::new(sha2::Sha256::default()),
        (HashKind::Sha384, None) => Box::new(sha2::Sha384::default()),
        (HashKind::Sha512, None) => Box::new(sha2::Sha512::default()),
        (HashKind::Md5, Some(k)) => mac!(md5::Md5, k),
        (HashKind::Sha1, Some(k)) => mac!(sha1::Sha1, k),
        (HashKind::Sha256, Some(k)) => mac!(sha2::Sha256, k),
        (HashKind::Sha384, Some(k)) => mac!(sha2::Sha384, k),
        (HashKind::Sha512, Some(k)) => mac!(sha2::Sha512, k),
    }
}

/// A hash or HMAC object.
pub struct HashObj {
    def: &'static TypeDef,
    kind: HashKind,
    /// The HMAC key (`None` for plain hashes).
    key: RefCell<Option<Vec<u8>>>,
    running: RefCell<Option<Box<dyn Running>>>,
    /// What the `Hash` property returns (set when a computation finishes).
    hash: RefCell<Option<Vec<u8>>>,
    disposed: Cell<bool>,
}

impl HashObj {
    /// A new hash object of type `def` (a plain hash).
    pub fn hash(def: &'static TypeDef, kind: HashKind) -> Value<'static> {
        Value::obj(HashObj::new(def, kind, None))
    }

    /// A new HMAC object under `key`.
    pub fn hmac(kind: HashKind, key: Vec<u8>) -> Value<'static> {
        Value::obj(HashObj::new(hmac_def(kind), kind, Some(key)))
    }

    fn new(def: &'static TypeDef, kind: HashKind, key: Option<Vec<u8>>) -> HashObj {
        HashObj {
            def,
            kind,
            key: RefCell::new(key),
            running: RefCell::new(None),
            hash: RefCell::new(None),
            disposed: Cell::new(false),
        }
    }

    /// The algorithm.
    pub fn kind(&self) -> HashKind {
        self.kind
    }

    fn feed(&self, data: &[u8]) {
        let mut running = self.running.borrow_mut();
        let key = self.key.borrow();
        running
            .get_or_insert_with(|| start(self.kind, key.as_deref()))
            .feed(data);
    }

    fn finish(&self) -> Vec<u8> {
        let out = match self.running.borrow_mut().take() {
            Some(r) => r.finish(),
            None => start(self.kind, self.key.borrow().as_deref()).finish(),
        };
        *self.hash.borrow_mut() = Some(out.clone());
        out
    }

    fn live(&self) -> EvalResult<()> {
        if self.disposed.get() {
            return Err(disposed(self.def.name));
        }
        Ok(())
    }
}

impl Object for HashObj {
    fn type_def(&self) -> &'static TypeDef {
        self.def
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, rt: &mut dyn Runtime<'a>, this: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        let _ = (rt, this);
        let hmac = self.key.borrow().is_some();
        Some(Ok(match name {
            "HashSize" => Value::Int(self.kind.size() as i32 * 8),
            "InputBlockSize" | "OutputBlockSize" => Value::Int(1),
            "CanTransformMultipleBlocks" | "CanReuseTransform" => Value::Bool(true),
            "Hash" => {
                if let Err(e) = self.live() {
                    return Some(Err(e));
                }
                return Some(match &*self.hash.borrow() {
                    Some(h) => Ok(Array::bytes(h.clone())),
                    None => Err(EvalError::new(
                        EvalErrorKind::Other("CryptographicUnexpectedOperationException"),
                        "Hash must be finalized before the hash value is retrieved.",
                    )),
                });
            }
            "Key" if hmac => match &*self.key.borrow() {
                Some(k) => Array::bytes(k.clone()),
                None => Value::Null,
            },
            "HashName" if hmac => Value::str(self.kind.name()),
            _ => return None,
        }))
    }

    fn set<'a>(&self, rt: &mut dyn Runtime<'a>, name: &str, value: Value<'a>) -> Option<EvalResult<()>> {
        let _ = rt;
        if name != "Key" || self.key.borrow().is_none() {
            return None;
        }
        Some((|| {
            let key = bytes_arg(&value, "value")?;
            if self.running.borrow().is_some() {
                return Err(crypto_error(
                    "Hash key cannot be changed after the first write to the stream.",
                ));
            }
            *self.key.borrow_mut() = Some(key);
            Ok(())
        })())
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        this: &Rc<dyn Object>,
        name: &str,
        targs: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        let _ = (this, targs);
        let r = match (name, args) {
            ("ComputeHash", [buf]) => self.live().and_then(|()| {
                let data = bytes_arg(buf, "buffer")?;
                charge_bytes(rt, data.len())?;
                self.feed(&data);
                Ok(Array::bytes(self.finish()))
            }),
            ("ComputeHash", [buf, offset, count]) => self.live().and_then(|()| {
                let data = bytes_arg(buf, "buffer")?;
                let r = span(data.len(), offset, count)?;
                charge_bytes(rt, r.len())?;
                self.feed(data.get(r).unwrap_or_default());
                Ok(Array::bytes(self.finish()))
            }),
            ("TransformBlock", [input, offset, count, output, out_offset]) => self
                .live()
                .and_then(|()| self.transform_block(rt, input, offset, count, output, out_offset)),
            ("TransformFinalBlock", [input, offset, count]) => self.live().and_then(|()| {
                let data = bytes_arg(input, "inputBuffer")?;
                let r = span(data.len(), offset, count)?;
                charge_bytes(rt, r.len())?;
                let part = data.get(r).unwrap_or_default().to_vec();
                self.feed(&part);
                self.finish();
                Ok(Array::bytes(part))
            }),
            ("Initialize", []) => {
                *self.running.borrow_mut() = None;
                Ok(Value::Null)
            }
            ("Dispose" | "Clear", []) => {
                self.disposed.set(true);
                *self.running.borrow_mut() = None;
                *self.hash.borrow_mut() = None;
                Ok(Value::Null)
            }
            _ => return None,
        };
        Some(r)
    }

    fn size_hint(&self) -> usize {
        256
    }
}

impl HashObj {
    fn transform_block<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        input: &Value<'a>,
        offset: &Value<'a>,
        count: &Value<'a>,
        output: &Value<'a>,
        out_offset: &Value<'a>,
    ) -> EvalResult<Value<'a>> {
        let data = bytes_arg(input, "inputBuffer")?;
        let r = span(data.len(), offset, count)?;
        charge_bytes(rt, r.len())?;
        let part = data.get(r.clone()).unwrap_or_default();
        self.feed(part);
        if let Some(out) = output.downcast::<Array>() {
            let at = out_offset.to_i32("outputOffset")?;
            let at = usize::try_from(at).map_err(|_| {
                EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Non-negative number required. (Parameter 'outputOffset')",
                )
            })?;
            let mut store = out.store.borrow_mut();
            match &mut *store {
                Store::Bytes(b) if at <= b.len() && b.len() - at >= part.len() => {
                    b[at..at + part.len()].copy_from_slice(part);
                }
                Store::Bytes(_) => {
                    return Err(EvalError::argument(
                        "Offset and length were out of bounds for the array or count is greater than the \
                         number of elements from index to the end of the source collection.",
                    ))
                }
                Store::Values(_) => return Err(EvalError::argument("outputBuffer: expected a byte[]")),
            }
        } else if !output.is_null() {
            return Err(EvalError::argument("outputBuffer: expected a byte[]"));
        }
        Ok(Value::Int(r.len() as i32))
    }
}
