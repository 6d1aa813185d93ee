//! `RNGCryptoServiceProvider` (and the statics it inherits from
//! `RandomNumberGenerator`, which is not itself on APIM's list): bytes
//! from the runtime's generator, which is the operating system's in the
//! gateway ([`Runtime::random_u64`]). `GetBytes(byte[])` fills the array in
//! place, as .NET does.

use std::any::Any;
use std::rc::Rc;

use super::{null_arg, random_bytes, span, NS};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::array::{Array, Store};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static RNG_CRYPTO_SERVICE_PROVIDER: TypeDef = TypeDef {
    name: "RNGCryptoServiceProvider",
    namespace: NS,
    bases: &["RandomNumberGenerator", "IDisposable"],
    statics: &[
        m("Create", "RNGCryptoServiceProvider"),
        m("GetBytes", "byte[]"),
        m("GetInt32", "int"),
    ],
    members: &[
        m("GetBytes", "void"),
        m("GetNonZeroBytes", "void"),
        m("Dispose", "void"),
    ],
    unimplemented: &["Fill", "GetHexString", "GetString", "GetItems", "Shuffle"],
    call_static: Some(call_static),
    ctor: Some(ctor),
    ..TypeDef::EMPTY
};

/// A random number generator object (stateless: the bytes come from the
/// runtime).
#[derive(Debug)]
pub struct Rng;

fn ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    // The obsolete (string) / (byte[]) / (CspParameters) overloads ignore
    // their argument on .NET Core.
    match args {
        [] | [_] => Ok(Value::obj(Rng)),
        _ => Err(EvalError::argument("RNGCryptoServiceProvider takes no arguments")),
    }
}

/// A uniform integer in `[0, n)` by rejection sampling (no modulo bias).
fn below(rt: &mut dyn Runtime<'_>, n: u64) -> EvalResult<u64> {
    if n == 0 {
        return Ok(0);
    }
    let zone = u64::MAX - u64::MAX % n;
    for _ in 0..64 {
        let x = rt.random_u64();
        if x < zone {
            return Ok(x % n);
        }
        rt.charge(1)?;
    }
    Ok(rt.random_u64() % n)
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    Some((|| {
        Ok(match (name, args) {
            ("Create", []) => Value::obj(Rng),
            ("GetBytes", [n]) => {
                let n = n.to_i32("count")?;
                let n = usize::try_from(n).map_err(|_| {
                    EvalError::new(
                        EvalErrorKind::ArgumentOutOfRange,
                        "Non-negative number required. (Parameter 'count')",
                    )
                })?;
                super::charge_bytes(rt, n)?;
                Array::bytes(random_bytes(rt, n))
            }
            ("GetInt32", [max]) => int_in(rt, 0, max.to_i32("toExclusive")?)?,
            ("GetInt32", [min, max]) => int_in(rt, min.to_i32("fromInclusive")?, max.to_i32("toExclusive")?)?,
            _ => return Err(EvalError::argument("")),
        })
    })())
    .filter(|_| matches!(name, "Create" | "GetBytes" | "GetInt32"))
}

fn int_in<'a>(rt: &mut dyn Runtime<'a>, min: i32, max: i32) -> EvalResult<Value<'a>> {
    if min >= max {
        return Err(EvalError::argument(
            "Range of random number does not contain at least one possibility. (Parameter 'toExclusive')",
        ));
    }
    let span = (i64::from(max) - i64::from(min)) as u64;
    Ok(Value::Int((i64::from(min) + below(rt, span)? as i64) as i32))
}

/// Fills `range` of the `byte[]` in `buf` (all of it without a range) with
/// random bytes, none zero if `non_zero`.
fn fill<'a>(
    rt: &mut dyn Runtime<'a>,
    buf: &Value<'a>,
    range: Option<(&Value<'a>, &Value<'a>)>,
    non_zero: bool,
) -> EvalResult<Value<'a>> {
    let Some(a) = buf.downcast::<Array>() else {
        return Err(match buf {
            Value::Null => null_arg("data"),
            v => EvalError::argument(format!("data: expected a byte[], got {}", v.type_name())),
        });
    };
    let len = a.len();
    let r = match range {
        Some((o, c)) => span(len, o, c)?,
        None => 0..len,
    };
    super::charge_bytes(rt, r.len())?;
    let mut bytes = random_bytes(rt, r.len());
    if non_zero {
        for b in bytes.iter_mut() {
            while *b == 0 {
                *b = (rt.random_u64() & 0xff) as u8;
            }
        }
    }
    let mut store = a.store.borrow_mut();
    match &mut *store {
        Store::Bytes(dst) => {
            if let Some(d) = dst.get_mut(r) {
                d.copy_from_slice(&bytes);
            }
        }
        Store::Values(vs) => {
            for (slot, b) in vs.iter_mut().skip(r.start).zip(bytes) {
                *slot = Value::Byte(b);
            }
        }
    }
    Ok(Value::Null)
}

impl Object for Rng {
    fn type_def(&self) -> &'static TypeDef {
        &RNG_CRYPTO_SERVICE_PROVIDER
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn call<'a>(
        &self,
        rt: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        Some(match (name, args) {
            ("GetBytes", [buf]) => fill(rt, buf, None, false),
            ("GetBytes", [buf, o, c]) => fill(rt, buf, Some((o, c)), false),
            ("GetNonZeroBytes", [buf]) => fill(rt, buf, None, true),
            ("Dispose", []) => Ok(Value::Null),
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    #[test]
    fn fills_in_place() {
        let mut rt = TestRt::new();
        let rng = ctor(&mut rt, &[], &[]).unwrap();
        let buf = Array::bytes(vec![0; 40]);
        let Value::Obj(o) = &rng else { panic!() };
        o.call(&mut rt, o, "GetNonZeroBytes", &[], std::slice::from_ref(&buf))
            .unwrap()
            .unwrap();
        let bytes = Array::to_bytes(&buf).unwrap();
        assert!(bytes.iter().all(|b| *b != 0));
        let buf = Array::bytes(vec![0; 8]);
        o.call(
            &mut rt,
            o,
            "GetBytes",
            &[],
            &[buf.clone(), Value::Int(2), Value::Int(4)],
        )
        .unwrap()
        .unwrap();
        let bytes = Array::to_bytes(&buf).unwrap();
        assert_eq!((bytes[0], bytes[1], bytes[6], bytes[7]), (0, 0, 0, 0));
        assert_eq!(
            o.call(&mut rt, o, "GetBytes", &[], &[Value::Null])
                .unwrap()
                .unwrap_err()
                .kind,
            EvalErrorKind::ArgumentNull
        );
    }

    #[test]
    fn statics() {
        let mut rt = TestRt::new();
        for _ in 0..50 {
            let Value::Int(i) = call_static(&mut rt, "GetInt32", &[], &[Value::Int(-3), Value::Int(3)])
                .unwrap()
                .unwrap()
            else {
                panic!()
            };
            assert!((-3..3).contains(&i));
        }
        let b = call_static(&mut rt, "GetBytes", &[], &[Value::Int(5)])
            .unwrap()
            .unwrap();
        assert_eq!(Array::to_bytes(&b).unwrap().len(), 5);
        assert!(call_static(&mut rt, "GetInt32", &[], &[Value::Int(0)])
            .unwrap()
            .is_err());
        assert!(call_static(&mut rt, "Nope", &[], &[]).is_none());
    }
}
