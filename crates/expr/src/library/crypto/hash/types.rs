//! The hash and HMAC types' definitions: member tables, the abstract
//! bases (`HashAlgorithm`, `KeyedHashAlgorithm`, `HMAC`), the concrete
//! classes and their statics (`Create`, `HashData`, `HashSizeInBits`) and
//! constructors. A `CallStaticFn` is not told its type, so each algorithm
//! has its own small static functions (made by `kind_fns!`).

use super::{HashKind, HashObj};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::crypto::{bytes_arg, charge_bytes, random_bytes, str_arg, NS};
use crate::runtime::Runtime;
use crate::types::{m, Member, TypeDef, TypeRef};
use crate::value::Value;

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

pub(super) fn hmac_def(kind: HashKind) -> &'static TypeDef {
    match kind {
        HashKind::Md5 => &HMACMD5,
        HashKind::Sha1 => &HMACSHA1,
        HashKind::Sha256 => &HMACSHA256,
        HashKind::Sha384 => &HMACSHA384,
        HashKind::Sha512 => &HMACSHA512,
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
            let key = random_bytes(rt, k.block_len());
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
        [] => random_bytes(rt, kind.block_len()),
        [key] | [key, Value::Bool(_)] => bytes_arg(key, "key")?,
        _ => return Err(EvalError::argument("HMAC constructors take () or (byte[] key)")),
    };
    Ok(HashObj::hmac(kind, key))
}
