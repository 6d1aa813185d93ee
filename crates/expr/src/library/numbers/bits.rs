//! `System.BitConverter` (little-endian, as .NET on every platform APIM
//! runs on): `GetBytes`, `ToInt16`… `ToDouble`, `ToBoolean`, `ToChar`,
//! `ToString(bytes[, start[, length]])` ("0A-FF"), `IsLittleEndian`, and
//! the bit reinterpretations (`DoubleToInt64Bits`…).

use super::math::pick;
use super::num::{Num, Scalar};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub static BIT_CONVERTER: TypeDef = TypeDef {
    name: "BitConverter",
    kind: TypeKind::Static,
    statics: &[
        m("IsLittleEndian", "bool"),
        m("GetBytes", "byte[]"),
        m("ToInt16", "short"),
        m("ToInt32", "int"),
        m("ToInt64", "long"),
        m("ToUInt16", "ushort"),
        m("ToUInt32", "uint"),
        m("ToUInt64", "ulong"),
        m("ToSingle", "float"),
        m("ToDouble", "double"),
        m("ToBoolean", "bool"),
        m("ToChar", "char"),
        m("ToString", "string"),
        m("DoubleToInt64Bits", "long"),
        m("Int64BitsToDouble", "double"),
        m("DoubleToUInt64Bits", "ulong"),
        m("UInt64BitsToDouble", "double"),
        m("SingleToInt32Bits", "int"),
        m("Int32BitsToSingle", "float"),
        m("SingleToUInt32Bits", "uint"),
        m("UInt32BitsToSingle", "float"),
    ],
    unimplemented: &[
        "ToHalf",
        "HalfToInt16Bits",
        "Int16BitsToHalf",
        "HalfToUInt16Bits",
        "UInt16BitsToHalf",
        "TryWriteBytes",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    (name == "IsLittleEndian").then_some(Ok(Value::Bool(true)))
}

fn bytes_arg(v: Option<&Value<'_>>) -> EvalResult<Vec<u8>> {
    match v {
        Some(Value::Null) | None => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'value')",
        )),
        Some(v) => Array::to_bytes(v).ok_or_else(|| EvalError::argument("expected a byte[]")),
    }
}

fn index_arg(v: Option<&Value<'_>>, len: usize, param: &str) -> EvalResult<usize> {
    let i = match v {
        None => 0,
        Some(v) => v.to_i32(param)?,
    };
    usize::try_from(i).ok().filter(|&i| i < len || (i == 0 && len == 0)).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            format!("Index was out of range. Must be non-negative and less than the size of the collection. (Parameter '{param}')"),
        )
    })
}

/// `width` bytes at `start` of the argument.
fn slice<const W: usize>(args: &[Value<'_>]) -> EvalResult<[u8; W]> {
    let b = bytes_arg(args.first())?;
    let start = index_arg(args.get(1), b.len(), "startIndex")?;
    b.get(start..start + W)
        .and_then(|s| s.try_into().ok())
        .ok_or_else(|| {
            EvalError::argument(
                "Destination array is not long enough to copy all the items in the collection. Check array index and length.",
            )
        })
}

/// `BitConverter.ToString(bytes[, start[, length]])`.
pub fn hex_dashes(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len() * 3);
    for (i, x) in b.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        out.push_str(&format!("{x:02X}"));
    }
    out
}

fn get_bytes<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>) -> EvalResult<Value<'a>> {
    let b: Vec<u8> = match *v {
        Value::Bool(x) => vec![u8::from(x)],
        Value::Char(c) => (c as u32 as u16).to_le_bytes().to_vec(),
        _ => {
            let k = pick(
                std::slice::from_ref(v),
                &[
                    Num::Short,
                    Num::UShort,
                    Num::Int,
                    Num::UInt,
                    Num::Long,
                    Num::ULong,
                    Num::Float,
                    Num::Double,
                ],
            )
            .ok_or_else(|| {
                EvalError::argument(format!("BitConverter.GetBytes has no overload for {}", v.type_name()))
            })?;
            let s = Scalar::of(v).ok_or_else(|| EvalError::argument("expected a number"))?;
            match super::cast::scalar_to(s, k, false)? {
                Value::Short(x) => x.to_le_bytes().to_vec(),
                Value::UShort(x) => x.to_le_bytes().to_vec(),
                Value::Int(x) => x.to_le_bytes().to_vec(),
                Value::UInt(x) => x.to_le_bytes().to_vec(),
                Value::Long(x) => x.to_le_bytes().to_vec(),
                Value::ULong(x) => x.to_le_bytes().to_vec(),
                Value::Float(x) => x.to_le_bytes().to_vec(),
                Value::Double(x) => x.to_le_bytes().to_vec(),
                _ => return Err(EvalError::argument("BitConverter.GetBytes: unsupported type")),
            }
        }
    };
    rt.alloc(b.len())?;
    Ok(Array::bytes(b))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let num = |i: usize| -> EvalResult<i128> {
        args.get(i)
            .and_then(Value::as_integer)
            .ok_or_else(|| EvalError::argument("expected an integer"))
    };
    let real = |i: usize| -> EvalResult<f64> {
        args.get(i)
            .and_then(Value::as_f64)
            .ok_or_else(|| EvalError::argument("expected a number"))
    };
    Some(match name {
        "GetBytes" => match args {
            [v] => get_bytes(rt, v),
            _ => Err(EvalError::argument("GetBytes takes one argument")),
        },
        "ToInt16" => slice::<2>(args).map(|b| Value::Short(i16::from_le_bytes(b))),
        "ToUInt16" => slice::<2>(args).map(|b| Value::UShort(u16::from_le_bytes(b))),
        "ToInt32" => slice::<4>(args).map(|b| Value::Int(i32::from_le_bytes(b))),
        "ToUInt32" => slice::<4>(args).map(|b| Value::UInt(u32::from_le_bytes(b))),
        "ToInt64" => slice::<8>(args).map(|b| Value::Long(i64::from_le_bytes(b))),
        "ToUInt64" => slice::<8>(args).map(|b| Value::ULong(u64::from_le_bytes(b))),
        "ToSingle" => slice::<4>(args).map(|b| Value::Float(f32::from_le_bytes(b))),
        "ToDouble" => slice::<8>(args).map(|b| Value::Double(f64::from_le_bytes(b))),
        "ToBoolean" => slice::<1>(args).map(|b| Value::Bool(b[0] != 0)),
        "ToChar" => slice::<2>(args).and_then(|b| super::cast::char_from(u32::from(u16::from_le_bytes(b)))),
        "ToString" => (|| {
            let b = bytes_arg(args.first())?;
            let start = index_arg(args.get(1), b.len(), "startIndex")?;
            let len = match args.get(2) {
                None => b.len() - start,
                Some(l) => usize::try_from(l.to_i32("length")?)
                    .ok()
                    .filter(|l| start + l <= b.len())
                    .ok_or_else(|| {
                        EvalError::new(
                            EvalErrorKind::ArgumentOutOfRange,
                            "The specified length exceeds the remaining bytes. (Parameter 'length')",
                        )
                    })?,
            };
            rt.alloc(len * 3)?;
            Ok(Value::string(hex_dashes(&b[start..start + len])))
        })(),
        "DoubleToInt64Bits" => real(0).map(|x| Value::Long(x.to_bits() as i64)),
        "DoubleToUInt64Bits" => real(0).map(|x| Value::ULong(x.to_bits())),
        "Int64BitsToDouble" | "UInt64BitsToDouble" => num(0).map(|i| Value::Double(f64::from_bits(i as u64))),
        "SingleToInt32Bits" => real(0).map(|x| Value::Int((x as f32).to_bits() as i32)),
        "SingleToUInt32Bits" => real(0).map(|x| Value::UInt((x as f32).to_bits())),
        "Int32BitsToSingle" | "UInt32BitsToSingle" => num(0).map(|i| Value::Float(f32::from_bits(i as u32))),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn call(name: &str, args: &[Value<'static>]) -> EvalResult<Value<'static>> {
        call_static(&mut TestRt::new(), name, &[], args).unwrap()
    }

    #[test]
    fn round_trips() {
        let b = call("GetBytes", &[Value::Int(0x0102_0304)]).unwrap();
        assert_eq!(Array::to_bytes(&b).unwrap(), vec![4, 3, 2, 1]);
        assert_eq!(
            call("ToInt32", &[b.clone(), Value::Int(0)]).unwrap(),
            Value::Int(0x0102_0304)
        );
        assert_eq!(
            call("ToString", std::slice::from_ref(&b)).unwrap(),
            Value::str("04-03-02-01")
        );
        assert_eq!(
            call("ToString", &[b.clone(), Value::Int(1), Value::Int(2)]).unwrap(),
            Value::str("03-02")
        );
        assert_eq!(
            call("ToInt16", &[b.clone(), Value::Int(3)]).unwrap_err().kind,
            EvalErrorKind::Argument
        );
        assert_eq!(
            call("ToInt16", &[b, Value::Int(4)]).unwrap_err().kind,
            EvalErrorKind::ArgumentOutOfRange
        );
        let d = call("GetBytes", &[Value::Double(1.0)]).unwrap();
        assert_eq!(call("ToDouble", &[d, Value::Int(0)]).unwrap(), Value::Double(1.0));
        assert_eq!(
            call("DoubleToInt64Bits", &[Value::Double(1.0)]).unwrap(),
            Value::Long(0x3FF0_0000_0000_0000)
        );
        let t = call("GetBytes", &[Value::Bool(true)]).unwrap();
        assert_eq!(Array::to_bytes(&t).unwrap(), vec![1]);
        assert_eq!(call("ToString", &[Array::bytes(vec![])]).unwrap(), Value::str(""));
    }
}
