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

use super::{bytes_arg, charge_bytes, crypto_error, disposed, span, str_arg, NS};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::array::{Array, Store};
use crate::runtime::Runtime;
use crate::types::{m, Member, TypeDef, TypeRef};
use crate::value::{Object, Value};

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

const HASH_MEMBERS: &[Member] = &[
    m("ComputeHash", "byte[]"),
    m("TransformBlock", "int"),
    m("TransformFinalBlock", "byte[]"),
    m("Hash", "byte[]"),
    m("HashSize", "int"),
    m("Initialize", "void"),
    m("Dispose", "void"),
    m("Clear", "void"),
    m("InputBlockSize", "int"),
    m("OutputBlockSize", "int"),
    m("CanTransformMultipleBlocks", "bool"),
    m("CanReuseTransform", "bool"),
];

const HMAC_MEMBERS: &[Member] = &[
    m("ComputeHash", "byte[]"),
    m("TransformBlock", "int"),
    m("TransformFinalBlock", "byte[]"),
    m("Hash", "byte[]"),
    m("HashSize", "int"),
    m("Initialize", "void"),
    m("Dispose", "void"),
    m("Clear", "void"),
    m("InputBlockSize", "int"),
    m("OutputBlockSize", "int"),
    m("CanTransformMultipleBlocks", "bool"),
    m("CanReuseTransform", "bool"),
    m("Key", "byte[]"),
    m("HashName", "string"),
];

/// Members that take spans, streams or tasks, which expressions cannot make.
const HASH_UNIMPLEMENTED: &[&str] = &["ComputeHashAsync", "TryComputeHash", "TryHashData", "HashDataAsync"];

const HASH_BASES: &[&str] = &["HashAlgorithm", "ICryptoTransform", "IDisposable"];
const HMAC_BASES: &[&str] = &[
    "HMAC",
    "KeyedHashAlgorithm",
    "HashAlgorithm",
    "ICryptoTransform",
    "IDisposable",
];

/// The abstract bases' statics: `Create(name)` (the parameterless
/// `Create()` throws on .NET Core).
macro_rules! base_type {
    ($name:literal, $bases:expr, $create:literal, $members:expr, $call:ident) => {
        TypeDef {
            name: $name,
            namespace: NS,
            bases: $bases,
            statics: &[m("Create", $create)],
            members: $members,
            unimplemented: HASH_UNIMPLEMENTED,
            call_static: Some($call),
            ..TypeDef::EMPTY
        }
    };
}

/// `HashAlgorithm`: the base of every hash (and HMAC) object.
pub static HASH_ALGORITHM: TypeDef = base_type!(
    "HashAlgorithm",
    &["ICryptoTransform", "IDisposable"],
    "HashAlgorithm",
    HASH_MEMBERS,
    call_static_base
);

/// `KeyedHashAlgorithm`: the base of the HMACs.
pub static KEYED_HASH_ALGORITHM: TypeDef = base_type!(
    "KeyedHashAlgorithm",
    &["HashAlgorithm", "ICryptoTransform", "IDisposable"],
    "KeyedHashAlgorithm",
    HMAC_MEMBERS,
    call_static_keyed
);

/// `HMAC`: the base of `HMACSHA256` and the others.
pub static HMAC: TypeDef = base_type!(
    "HMAC",
    &["KeyedHashAlgorithm", "HashAlgorithm", "ICryptoTransform", "IDisposable"],
    "HMAC",
    HMAC_MEMBERS,
    call_static_keyed
);

macro_rules! hash_statics {
    ($create:literal) => {
        &[
            m("Create", $create),
            m("HashData", "byte[]"),
            m("HashSizeInBits", "int"),
            m("HashSizeInBytes", "int"),
        ]
    };
}

macro_rules! hash_type {
    ($name:literal, $create:literal, $bases:expr, $call:ident, $get:ident, $ctor:expr) => {
        TypeDef {
            name: $name,
            namespace: NS,
            bases: $bases,
            statics: hash_statics!($create),
            members: HASH_MEMBERS,
            unimplemented: HASH_UNIMPLEMENTED,
            get_static: Some($get),
            call_static: Some($call),
            ctor: $ctor,
            ..TypeDef::EMPTY
        }
    };
}

pub static MD5: TypeDef = hash_type!("MD5", "MD5", HASH_BASES, md5_call, md5_get, None);
pub static SHA1: TypeDef = hash_type!("SHA1", "SHA1", HASH_BASES, sha1_call, sha1_get, None);
pub static SHA256: TypeDef = hash_type!("SHA256", "SHA256", HASH_BASES, sha256_call, sha256_get, None);
pub static SHA384: TypeDef = hash_type!("SHA384", "SHA384", HASH_BASES, sha384_call, sha384_get, None);
pub static SHA512: TypeDef = hash_type!("SHA512", "SHA512", HASH_BASES, sha512_call, sha512_get, None);

pub static SHA1_MANAGED: TypeDef = hash_type!(
    "SHA1Managed",
    "SHA1",
    &["SHA1", "HashAlgorithm", "ICryptoTransform", "IDisposable"],
    sha1_call,
    sha1_get,
    Some(sha1_managed_ctor)
);
pub static SHA256_MANAGED: TypeDef = hash_type!(
    "SHA256Managed",
    "SHA256",
    &["SHA256", "HashAlgorithm", "ICryptoTransform", "IDisposable"],
    sha256_call,
    sha256_get,
    Some(sha256_managed_ctor)
);
pub static SHA384_MANAGED: TypeDef = hash_type!(
    "SHA384Managed",
    "SHA384",
    &["SHA384", "HashAlgorithm", "ICryptoTransform", "IDisposable"],
    sha384_call,
    sha384_get,
    Some(sha384_managed_ctor)
);
pub static SHA512_MANAGED: TypeDef = hash_type!(
    "SHA512Managed",
    "SHA512",
    &["SHA512", "HashAlgorithm", "ICryptoTransform", "IDisposable"],
    sha512_call,
    sha512_get,
    Some(sha512_managed_ctor)
);

macro_rules! hmac_type {
    ($name:literal, $call:ident, $get:ident, $ctor:ident) => {
        TypeDef {
            name: $name,
            namespace: NS,
            bases: HMAC_BASES,
            statics: &[
                m("HashData", "byte[]"),
                m("HashSizeInBits", "int"),
                m("HashSizeInBytes", "int"),
                m("Create", "HMAC"),
            ],
            members: HMAC_MEMBERS,
            unimplemented: HASH_UNIMPLEMENTED,
            get_static: Some($get),
            call_static: Some($call),
            ctor: Some($ctor),
            ..TypeDef::EMPTY
        }
    };
}

pub static HMACMD5: TypeDef = hmac_type!("HMACMD5", hmacmd5_call, md5_get, hmacmd5_ctor);
pub static HMACSHA1: TypeDef = hmac_type!("HMACSHA1", hmacsha1_call, sha1_get, hmacsha1_ctor);
pub static HMACSHA256: TypeDef = hmac_type!("HMACSHA256", hmacsha256_call, sha256_get, hmacsha256_ctor);
pub static HMACSHA384: TypeDef = hmac_type!("HMACSHA384", hmacsha384_call, sha384_get, hmacsha384_ctor);
pub static HMACSHA512: TypeDef = hmac_type!("HMACSHA512", hmacsha512_call, sha512_get, hmacsha512_ctor);

/// The per-algorithm static functions (a `CallStaticFn` is not told its type).
macro_rules! kind_fns {
    ($kind:expr, $call:ident, $get:ident, $hcall:ident, $hctor:ident) => {
        fn $call<'a>(
            rt: &mut dyn Runtime<'a>,
            name: &str,
            _: &[TypeRef],
            args: &[Value<'a>],
        ) -> Option<EvalResult<Value<'a>>> {
            call_static_hash($kind, rt, name, args)
        }
        fn $get<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
            get_static_hash($kind, name)
        }
        fn $hcall<'a>(
            rt: &mut dyn Runtime<'a>,
            name: &str,
            targs: &[TypeRef],
            args: &[Value<'a>],
        ) -> Option<EvalResult<Value<'a>>> {
            call_static_hmac_kind($kind, rt, name, targs, args)
        }
        fn $hctor<'a>(rt: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
            ctor_hmac($kind, rt, args)
        }
    };
}

kind_fns!(HashKind::Md5, md5_call, md5_get, hmacmd5_call, hmacmd5_ctor);
kind_fns!(HashKind::Sha1, sha1_call, sha1_get, hmacsha1_call, hmacsha1_ctor);
kind_fns!(
    HashKind::Sha256,
    sha256_call,
    sha256_get,
    hmacsha256_call,
    hmacsha256_ctor
);
kind_fns!(
    HashKind::Sha384,
    sha384_call,
    sha384_get,
    hmacsha384_call,
    hmacsha384_ctor
);
kind_fns!(
    HashKind::Sha512,
    sha512_call,
    sha512_get,
    hmacsha512_call,
    hmacsha512_ctor
);

macro_rules! managed_ctor {
    ($ctor:ident, $def:ident, $kind:expr) => {
        fn $ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
            if !args.is_empty() {
                return Err(EvalError::argument(concat!(
                    stringify!($def),
                    " has no constructor with arguments"
                )));
            }
            Ok(HashObj::hash(&$def, $kind))
        }
    };
}

managed_ctor!(sha1_managed_ctor, SHA1_MANAGED, HashKind::Sha1);
managed_ctor!(sha256_managed_ctor, SHA256_MANAGED, HashKind::Sha256);
managed_ctor!(sha384_managed_ctor, SHA384_MANAGED, HashKind::Sha384);
managed_ctor!(sha512_managed_ctor, SHA512_MANAGED, HashKind::Sha512);

fn hash_def(kind: HashKind) -> &'static TypeDef {
    match kind {
        HashKind::Md5 => &MD5,
        HashKind::Sha1 => &SHA1,
        HashKind::Sha256 => &SHA256,
        HashKind::Sha384 => &SHA384,
        HashKind::Sha512 => &SHA512,
    }
}

fn hmac_def(kind: HashKind) -> &'static TypeDef {
    match kind {
        HashKind::Md5 => &HMACMD5,
        HashKind::Sha1 => &HMACSHA1,
        HashKind::Sha256 => &HMACSHA256,
        HashKind::Sha384 => &HMACSHA384,
        HashKind::Sha512 => &HMACSHA512,
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

/// Parses a `CryptoConfig` name: `(kind, is_hmac)`.
fn parse_config_name(name: &str) -> Option<(HashKind, bool)> {
    let upper = name.to_ascii_uppercase();
    let short = upper.strip_prefix("SYSTEM.SECURITY.CRYPTOGRAPHY.").unwrap_or(&upper);
    let short = short
        .strip_suffix("MANAGED")
        .or_else(|| short.strip_suffix("CRYPTOSERVICEPROVIDER"))
        .or_else(|| short.strip_suffix("CNG"))
        .unwrap_or(short);
    match short.strip_prefix("HMAC") {
        Some(rest) => HashKind::from_name(rest).map(|k| (k, true)),
        None => HashKind::from_name(short).map(|k| (k, false)),
    }
}

/// `HashAlgorithm.Create(name)` and friends: `None` (.NET's null) for an
/// unknown name; `allow_plain`/`allow_hmac` say what the calling type returns.
fn create_named(rt: &mut dyn Runtime<'_>, name: &str, allow_plain: bool, allow_hmac: bool) -> Value<'static> {
    match parse_config_name(name) {
        Some((k, false)) if allow_plain => HashObj::hash(hash_def(k), k),
        Some((k, true)) if allow_hmac => {
            let key = super::random_bytes(rt, k.block_len());
            HashObj::hmac(k, key)
        }
        _ => Value::Null,
    }
}

fn platform_not_supported() -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("PlatformNotSupportedException"),
        "Operation is not supported on this platform.",
    )
}

fn call_static_base<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("Create", []) => Some(Err(platform_not_supported())),
        ("Create", [n]) => Some(str_arg(n, "hashName").map(|n| create_named(rt, n, true, true))),
        _ => None,
    }
}

fn call_static_keyed<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("Create", []) => Some(Err(platform_not_supported())),
        ("Create", [n]) => Some(str_arg(n, "algName").map(|n| create_named(rt, n, false, true))),
        _ => None,
    }
}

/// `MD5.Create()`, `SHA256.HashData(bytes)`, `SHA256.Create("SHA384")`.
fn call_static_hash<'a>(
    kind: HashKind,
    rt: &mut dyn Runtime<'a>,
    name: &str,
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some(match (name, args) {
        ("Create", []) => Ok(HashObj::hash(hash_def(kind), kind)),
        ("Create", [n]) => str_arg(n, "hashName").map(|n| create_named(rt, n, true, false)),
        ("HashData", [data]) => bytes_arg(data, "source").and_then(|d| {
            charge_bytes(rt, d.len())?;
            Ok(Array::bytes(kind.digest(&d)))
        }),
        _ => return None,
    })
}

/// `HMACSHA256.HashData(key, data)`, `HMACSHA256.Create(name)`.
fn call_static_hmac_kind<'a>(
    kind: HashKind,
    rt: &mut dyn Runtime<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    match (name, args) {
        ("HashData", [key, data]) => Some((|| {
            let key = bytes_arg(key, "key")?;
            let data = bytes_arg(data, "source")?;
            charge_bytes(rt, data.len())?;
            Ok(Array::bytes(kind.hmac(&key, &data)))
        })()),
        _ => call_static_keyed(rt, name, targs, args),
    }
}

fn get_static_hash<'a>(kind: HashKind, name: &str) -> Option<EvalResult<Value<'a>>> {
    match name {
        "HashSizeInBits" => Some(Ok(Value::Int(kind.size() as i32 * 8))),
        "HashSizeInBytes" => Some(Ok(Value::Int(kind.size() as i32))),
        _ => None,
    }
}

/// `new HMACSHA256()` (a random key of the hash's block length),
/// `new HMACSHA256(key)`, and HMACSHA1's obsolete `(key, useManagedSha1)`.
fn ctor_hmac<'a>(kind: HashKind, rt: &mut dyn Runtime<'a>, args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let key = match args {
        [] => super::random_bytes(rt, kind.block_len()),
        [key] | [key, Value::Bool(_)] => bytes_arg(key, "key")?,
        _ => return Err(EvalError::argument("HMAC constructors take () or (byte[] key)")),
    };
    Ok(HashObj::hmac(kind, key))
}
