//! `System.Random`: `new Random()`, `new Random(seed)`, `Random.Shared`,
//! `Next` (0–2 bounds), `NextInt64`, `NextDouble`, `NextSingle`,
//! `NextBytes(byte[])` (fills the array in place).
//!
//! Unseeded generators draw from the runtime's randomness
//! ([`Runtime::random_u64`], the operating system's generator). A seeded
//! generator is deterministic (splitmix64 of the seed) but its sequence is
//! not .NET's: .NET's seeded algorithm is an implementation detail that
//! policies cannot rely on across .NET versions either (documented).

use std::any::Any;
use std::cell::Cell;
use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::array::{Array, Store};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static RANDOM: TypeDef = TypeDef {
    name: "Random",
    statics: &[m("Shared", "Random")],
    members: &[
        m("Next", "int"),
        m("NextInt64", "long"),
        m("NextDouble", "double"),
        m("NextSingle", "float"),
        m("NextBytes", "void"),
        m("ToString", "string"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
    ],
    unimplemented: &["GetItems", "Shuffle", "Sample", "GetHexString", "GetString"],
    get_static: Some(get_static),
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

/// A `Random` instance: `seed` is `Some(state)` for a seeded generator.
#[derive(Debug)]
pub struct Random {
    state: Option<Cell<u64>>,
}

impl Random {
    fn next_u64(&self, rt: &mut dyn Runtime<'_>) -> u64 {
        match &self.state {
            None => rt.random_u64(),
            Some(s) => {
                let x = s.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
                s.set(x);
                let mut z = x;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^ (z >> 31)
            }
        }
    }

    /// A uniform value in `0..range` (`range` > 0), without modulo bias.
    fn below(&self, rt: &mut dyn Runtime<'_>, range: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % range);
        for _ in 0..64 {
            let x = self.next_u64(rt);
            if x < zone {
                return x % range;
            }
        }
        self.next_u64(rt) % range
    }

    /// A uniform value in `min..max` (`min <= max`; `min` when equal).
    fn between(&self, rt: &mut dyn Runtime<'_>, min: i64, max: i64) -> i64 {
        let range = (max as i128 - min as i128) as u64;
        if range == 0 {
            return min;
        }
        (min as i128 + self.below(rt, range) as i128) as i64
    }
}

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    (name == "Shared").then(|| Ok(Value::obj(Random { state: None })))
}

fn construct<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    match args {
        [] => Ok(Value::obj(Random { state: None })),
        [seed] => {
            let s = seed.to_i32("Seed")?;
            Ok(Value::obj(Random {
                state: Some(Cell::new(s as u64)),
            }))
        }
        _ => Err(EvalError::argument("new Random: too many arguments")),
    }
}

fn out_of_range(msg: &str) -> EvalError {
    EvalError::new(EvalErrorKind::ArgumentOutOfRange, msg)
}

fn long_arg(v: &Value<'_>) -> EvalResult<i64> {
    v.as_integer()
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| EvalError::argument("expected an integer"))
}

impl Object for Random {
    fn type_def(&self) -> &'static TypeDef {
        &RANDOM
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
        let max_of = |long: bool| if long { i64::MAX } else { i64::from(i32::MAX) };
        Some((|| match (name, args) {
            ("Next" | "NextInt64", []) => {
                let long = name == "NextInt64";
                let v = self.between(rt, 0, max_of(long));
                Ok(if long { Value::Long(v) } else { Value::Int(v as i32) })
            }
            ("Next" | "NextInt64", [max]) => {
                let max = long_arg(max)?;
                if max < 0 {
                    return Err(out_of_range(
                        "'maxValue' must be greater than or equal to zero. (Parameter 'maxValue')",
                    ));
                }
                let v = self.between(rt, 0, max);
                Ok(if name == "NextInt64" {
                    Value::Long(v)
                } else {
                    Value::Int(v as i32)
                })
            }
            ("Next" | "NextInt64", [min, max]) => {
                let (min, max) = (long_arg(min)?, long_arg(max)?);
                if min > max {
                    return Err(out_of_range(
                        "'minValue' cannot be greater than maxValue. (Parameter 'minValue')",
                    ));
                }
                let v = self.between(rt, min, max);
                Ok(if name == "NextInt64" {
                    Value::Long(v)
                } else {
                    Value::Int(v as i32)
                })
            }
            ("NextDouble", []) => Ok(Value::Double((self.next_u64(rt) >> 11) as f64 / (1u64 << 53) as f64)),
            ("NextSingle", []) => Ok(Value::Float((self.next_u64(rt) >> 40) as f32 / (1u32 << 24) as f32)),
            ("NextBytes", [buffer]) => {
                let Some(arr) = buffer.downcast::<Array>() else {
                    return Err(if buffer.is_null() {
                        EvalError::new(
                            EvalErrorKind::ArgumentNull,
                            "Value cannot be null. (Parameter 'buffer')",
                        )
                    } else {
                        EvalError::argument("NextBytes expects a byte[]")
                    });
                };
                let len = arr.len();
                rt.charge(len as u64 / 8 + 1)?;
                let mut bytes = Vec::with_capacity(len);
                while bytes.len() < len {
                    let x = self.next_u64(rt).to_le_bytes();
                    let take = (len - bytes.len()).min(8);
                    bytes.extend_from_slice(&x[..take]);
                }
                match &mut *arr.store.borrow_mut() {
                    Store::Bytes(b) => b.copy_from_slice(&bytes),
                    Store::Values(v) => {
                        for (slot, b) in v.iter_mut().zip(bytes) {
                            *slot = Value::Byte(b);
                        }
                    }
                }
                Ok(Value::Null)
            }
            _ => Err(EvalError::argument(format!("Random.{name}: no such overload"))),
        })())
        .filter(|_| matches!(name, "Next" | "NextInt64" | "NextDouble" | "NextSingle" | "NextBytes"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn call(r: &Value<'static>, rt: &mut TestRt, name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
        let Value::Obj(o) = r else { panic!() };
        o.call(rt, o, name, &[], args).unwrap()
    }

    #[test]
    fn ranges() {
        let mut rt = TestRt::new();
        let r = construct(&mut rt, &[], &[]).unwrap();
        for _ in 0..200 {
            let Value::Int(x) = call(&r, &mut rt, "Next", &[Value::Int(1), Value::Int(7)]).unwrap() else {
                panic!()
            };
            assert!((1..7).contains(&x));
            let Value::Double(d) = call(&r, &mut rt, "NextDouble", &[]).unwrap() else {
                panic!()
            };
            assert!((0.0..1.0).contains(&d));
        }
        assert_eq!(
            call(&r, &mut rt, "Next", &[Value::Int(5), Value::Int(5)]).unwrap(),
            Value::Int(5)
        );
        let e = call(&r, &mut rt, "Next", &[Value::Int(5), Value::Int(1)]).unwrap_err();
        assert_eq!(e.kind, EvalErrorKind::ArgumentOutOfRange);
        let a = construct(&mut rt, &[], &[Value::Int(42)]).unwrap();
        let b = construct(&mut rt, &[], &[Value::Int(42)]).unwrap();
        assert_eq!(
            call(&a, &mut rt, "Next", &[]).unwrap(),
            call(&b, &mut rt, "Next", &[]).unwrap()
        );
        let buf = Array::bytes(vec![0; 20]);
        call(&r, &mut rt, "NextBytes", std::slice::from_ref(&buf)).unwrap();
        assert!(Array::to_bytes(&buf).unwrap().iter().any(|&b| b != 0));
    }
}
