//! `System.TimeSpan`: constructors, `From*`, `Total*` and the component
//! properties, `Zero`/`MaxValue`/`MinValue`/`TicksPer*`, arithmetic
//! (`Add`, `Subtract`, `Negate`, `Duration`, `Multiply`, `Divide`),
//! `Parse`/`TryParse`/`ParseExact` (the invariant `c`/`g` forms), and
//! `ToString` (`c`, `g`, `G` and custom `hh\:mm\:ss` patterns).
//!
//! Invariant: all arithmetic is checked (`OverflowException` as .NET).

use super::datetime::{span_overflow, unit, TimeSpan};
pub use super::span_text::{format, format_constant, parse};
use super::span_text::{parse_error, parse_exact};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeKind, TypeRef};
use crate::value::Value;

pub static TIMESPAN: TypeDef = TypeDef {
    name: "TimeSpan",
    kind: TypeKind::Struct,
    bases: &["IComparable", "IFormattable", "IEquatable", "ValueType"],
    statics: &[
        m("Zero", "TimeSpan"),
        m("MaxValue", "TimeSpan"),
        m("MinValue", "TimeSpan"),
        m("TicksPerDay", "long"),
        m("TicksPerHour", "long"),
        m("TicksPerMinute", "long"),
        m("TicksPerSecond", "long"),
        m("TicksPerMillisecond", "long"),
        m("TicksPerMicrosecond", "long"),
        m("FromDays", "TimeSpan"),
        m("FromHours", "TimeSpan"),
        m("FromMinutes", "TimeSpan"),
        m("FromSeconds", "TimeSpan"),
        m("FromMilliseconds", "TimeSpan"),
        m("FromMicroseconds", "TimeSpan"),
        m("FromTicks", "TimeSpan"),
        m("Parse", "TimeSpan"),
        m("TryParse", "bool"),
        m("ParseExact", "TimeSpan"),
        m("TryParseExact", "bool"),
        m("Compare", "int"),
        m("Equals", "bool"),
    ],
    members: &[
        m("Days", "int"),
        m("Hours", "int"),
        m("Minutes", "int"),
        m("Seconds", "int"),
        m("Milliseconds", "int"),
        m("Microseconds", "int"),
        m("Ticks", "long"),
        m("TotalDays", "double"),
        m("TotalHours", "double"),
        m("TotalMinutes", "double"),
        m("TotalSeconds", "double"),
        m("TotalMilliseconds", "double"),
        m("TotalMicroseconds", "double"),
        m("Add", "TimeSpan"),
        m("Subtract", "TimeSpan"),
        m("Negate", "TimeSpan"),
        m("Duration", "TimeSpan"),
        m("Multiply", "TimeSpan"),
        m("Divide", "?"),
        m("CompareTo", "int"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
        m("ToString", "string"),
        m("HasValue", "bool"),
        m("Value", "TimeSpan"),
        m("GetValueOrDefault", "TimeSpan"),
    ],
    unimplemented: &["Nanoseconds", "TotalNanoseconds", "TryFormat"],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ctor: Some(construct),
    ..TypeDef::EMPTY
};

fn span_arg(v: Option<&Value<'_>>) -> EvalResult<TimeSpan> {
    match v {
        Some(Value::TimeSpan(t)) => Ok(*t),
        _ => Err(EvalError::argument("expected a TimeSpan")),
    }
}

fn real(v: Option<&Value<'_>>) -> EvalResult<f64> {
    v.and_then(Value::as_f64)
        .ok_or_else(|| EvalError::argument("expected a number"))
}

fn long(v: Option<&Value<'_>>) -> EvalResult<i64> {
    v.and_then(Value::as_integer)
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| EvalError::argument("expected an integer"))
}

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(match name {
        "Zero" => Value::TimeSpan(TimeSpan::ZERO),
        "MaxValue" => Value::TimeSpan(TimeSpan { ticks: i64::MAX }),
        "MinValue" => Value::TimeSpan(TimeSpan { ticks: i64::MIN }),
        "TicksPerDay" => Value::Long(unit::DAY),
        "TicksPerHour" => Value::Long(unit::HOUR),
        "TicksPerMinute" => Value::Long(unit::MINUTE),
        "TicksPerSecond" => Value::Long(unit::SECOND),
        "TicksPerMillisecond" => Value::Long(unit::MILLISECOND),
        "TicksPerMicrosecond" => Value::Long(unit::MICROSECOND),
        _ => return None,
    }))
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let from = |u: i64| -> EvalResult<Value<'a>> {
        match args {
            [v] => TimeSpan::from_units(real(Some(v))?, u).map(Value::TimeSpan),
            // .NET 9's integer overloads (FromHours(h, m, …)): whole units.
            _ => {
                let mut t: i128 = 0;
                let scale = [
                    unit::DAY,
                    unit::HOUR,
                    unit::MINUTE,
                    unit::SECOND,
                    unit::MILLISECOND,
                    unit::MICROSECOND,
                ];
                let start = scale.iter().position(|&x| x == u).unwrap_or(0);
                for (k, a) in args.iter().enumerate() {
                    let s = scale
                        .get(start + k)
                        .copied()
                        .ok_or_else(|| EvalError::argument("too many arguments"))?;
                    t += i128::from(long(Some(a))?) * i128::from(s);
                }
                i64::try_from(t)
                    .map(|ticks| Value::TimeSpan(TimeSpan { ticks }))
                    .map_err(|_| span_overflow())
            }
        }
    };
    let text = |v: Option<&Value<'a>>| -> EvalResult<String> {
        match v {
            Some(Value::Str(s)) => Ok(s.to_string()),
            _ => Err(EvalError::new(
                EvalErrorKind::ArgumentNull,
                "Value cannot be null. (Parameter 'input')",
            )),
        }
    };
    Some(match name {
        "FromDays" => from(unit::DAY),
        "FromHours" => from(unit::HOUR),
        "FromMinutes" => from(unit::MINUTE),
        "FromSeconds" => from(unit::SECOND),
        "FromMilliseconds" => from(unit::MILLISECOND),
        "FromMicroseconds" => from(unit::MICROSECOND),
        "FromTicks" => long(args.first()).map(|ticks| Value::TimeSpan(TimeSpan { ticks })),
        "Parse" => text(args.first()).and_then(|s| parse(&s)).map(Value::TimeSpan),
        "TryParse" => (|| {
            let r = text(args.first()).ok().and_then(|s| parse(&s).ok());
            rt.set_out(
                args.len().saturating_sub(1),
                Value::TimeSpan(r.unwrap_or(TimeSpan::ZERO)),
            )?;
            Ok(Value::Bool(r.is_some()))
        })(),
        "ParseExact" => (|| {
            let s = text(args.first())?;
            let f = text(args.get(1))?;
            parse_exact(&s, &f)?.map(Value::TimeSpan).ok_or_else(|| parse_error(&s))
        })(),
        "TryParseExact" => (|| {
            let r = match (text(args.first()), text(args.get(1))) {
                (Ok(s), Ok(f)) => parse_exact(&s, &f).ok().flatten(),
                _ => None,
            };
            rt.set_out(
                args.len().saturating_sub(1),
                Value::TimeSpan(r.unwrap_or(TimeSpan::ZERO)),
            )?;
            Ok(Value::Bool(r.is_some()))
        })(),
        "Compare" => (|| Ok(Value::Int(span_arg(args.first())?.cmp(&span_arg(args.get(1))?) as i32)))(),
        "Equals" => (|| Ok(Value::Bool(span_arg(args.first())? == span_arg(args.get(1))?)))(),
        _ => return None,
    })
}

fn construct<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let v: Vec<i128> = args
        .iter()
        .map(|a| {
            a.as_integer()
                .ok_or_else(|| EvalError::argument("new TimeSpan: expected integers"))
        })
        .collect::<EvalResult<_>>()?;
    let ticks = match v.as_slice() {
        [] => 0,
        [t] => *t,
        [h, m, s] => (h * 3600 + m * 60 + s) * i128::from(unit::SECOND),
        [d, h, m, s] => (((d * 24 + h) * 60 + m) * 60 + s) * i128::from(unit::SECOND),
        [d, h, m, s, ms] => {
            (((d * 24 + h) * 60 + m) * 60 + s) * i128::from(unit::SECOND) + ms * i128::from(unit::MILLISECOND)
        }
        [d, h, m, s, ms, us] => {
            (((d * 24 + h) * 60 + m) * 60 + s) * i128::from(unit::SECOND)
                + ms * i128::from(unit::MILLISECOND)
                + us * i128::from(unit::MICROSECOND)
        }
        _ => return Err(EvalError::argument("new TimeSpan: wrong number of arguments")),
    };
    i64::try_from(ticks)
        .map(|ticks| Value::TimeSpan(TimeSpan { ticks }))
        .map_err(|_| {
            EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "TimeSpan overflowed because the duration is too long.",
            )
        })
}

/// A property of a TimeSpan.
pub fn get<'a>(t: TimeSpan, name: &str) -> Option<EvalResult<Value<'a>>> {
    let part = |u: i64, m: i64| Value::Int(((t.ticks / u) % m) as i32);
    Some(Ok(match name {
        "Days" => Value::Int((t.ticks / unit::DAY) as i32),
        "Hours" => part(unit::HOUR, 24),
        "Minutes" => part(unit::MINUTE, 60),
        "Seconds" => part(unit::SECOND, 60),
        "Milliseconds" => part(unit::MILLISECOND, 1000),
        "Microseconds" => part(unit::MICROSECOND, 1000),
        "Ticks" => Value::Long(t.ticks),
        "TotalDays" => Value::Double(t.total(unit::DAY)),
        "TotalHours" => Value::Double(t.total(unit::HOUR)),
        "TotalMinutes" => Value::Double(t.total(unit::MINUTE)),
        "TotalSeconds" => Value::Double(t.total(unit::SECOND)),
        "TotalMilliseconds" => Value::Double(t.total(unit::MILLISECOND)),
        "TotalMicroseconds" => Value::Double(t.total(unit::MICROSECOND)),
        "HasValue" => Value::Bool(true),
        "Value" => Value::TimeSpan(t),
        _ => return None,
    }))
}

fn negate(t: TimeSpan) -> EvalResult<TimeSpan> {
    t.ticks.checked_neg().map(|ticks| TimeSpan { ticks }).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::Overflow,
            "Negating the minimum value of a twos complement number is invalid.",
        )
    })
}

fn scaled(t: TimeSpan, factor: f64) -> EvalResult<TimeSpan> {
    if factor.is_nan() {
        return Err(EvalError::argument(
            "TimeSpan does not accept floating point Not-a-Number values.",
        ));
    }
    let r = (t.ticks as f64 * factor).round_ties_even();
    if !(i64::MIN as f64..i64::MAX as f64).contains(&r) {
        return Err(span_overflow());
    }
    Ok(TimeSpan { ticks: r as i64 })
}

/// A method of a TimeSpan (operators included: `op_Addition`, …).
pub fn call<'a>(t: TimeSpan, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    let ts = |r: EvalResult<TimeSpan>| r.map(Value::TimeSpan);
    Some(match (name, args) {
        ("Add" | "op_Addition", [Value::TimeSpan(o)]) => ts(t.checked_add(*o)),
        ("Subtract" | "op_Subtraction", [Value::TimeSpan(o)]) => ts(t.checked_sub(*o)),
        ("Negate" | "op_UnaryNegation", []) => ts(negate(t)),
        ("op_UnaryPlus", []) => Ok(Value::TimeSpan(t)),
        ("Duration", []) if t.ticks == i64::MIN => Err(EvalError::new(
            EvalErrorKind::Overflow,
            "The duration cannot be returned for TimeSpan.MinValue because the absolute value of TimeSpan.MinValue exceeds the value of TimeSpan.MaxValue.",
        )),
        ("Duration", []) => Ok(Value::TimeSpan(TimeSpan { ticks: t.ticks.abs() })),
        ("Multiply" | "op_Multiply", [f]) => ts(real(Some(f)).and_then(|f| scaled(t, f))),
        ("Divide" | "op_Division", [Value::TimeSpan(o)]) => Ok(Value::Double(t.ticks as f64 / o.ticks as f64)),
        ("Divide" | "op_Division", [d]) => ts(real(Some(d)).and_then(|d| {
            if d == 0.0 {
                Err(span_overflow())
            } else {
                scaled(t, 1.0 / d)
            }
        })),
        ("CompareTo", [Value::TimeSpan(o)]) => Ok(Value::Int(t.cmp(o) as i32)),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [_]) => Err(EvalError::argument("Object must be of type TimeSpan.")),
        ("Equals" | "op_Equality", [o]) => Ok(Value::Bool(matches!(o, Value::TimeSpan(x) if *x == t))),
        ("op_Inequality", [o]) => Ok(Value::Bool(!matches!(o, Value::TimeSpan(x) if *x == t))),
        ("GetHashCode", []) => Ok(Value::Int((t.ticks as i32) ^ ((t.ticks >> 32) as i32))),
        ("ToString", []) | ("ToString", [Value::Null]) => Ok(Value::string(format_constant(t))),
        ("ToString", [Value::Str(f)]) | ("ToString", [Value::Str(f), _]) => format(t, f).map(Value::string),
        ("GetValueOrDefault", [] | [_]) => Ok(Value::TimeSpan(t)),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(ticks: i64) -> TimeSpan {
        TimeSpan { ticks }
    }

    #[test]
    fn formats() {
        let t = ts(unit::DAY + 2 * unit::HOUR + 3 * unit::MINUTE + 4 * unit::SECOND + 5 * unit::MILLISECOND);
        assert_eq!(format(t, "").unwrap(), "1.02:03:04.0050000");
        assert_eq!(format(t, "g").unwrap(), "1:2:03:04.005");
        assert_eq!(format(t, "G").unwrap(), "1:02:03:04.0050000");
        assert_eq!(format(t, "hh\\:mm\\:ss").unwrap(), "02:03:04");
        assert_eq!(format(t, "d\\.hh\\:mm").unwrap(), "1.02:03");
        assert_eq!(format(t, "%h").unwrap(), "2");
        assert_eq!(format(ts(-unit::MINUTE), "c").unwrap(), "-00:01:00");
        assert!(format(t, "hh:mm").is_err());
        assert!(format(t, "x").is_err());
        assert_eq!(TimeSpan::from_millis(1500).to_dotnet_string(), "00:00:01.5000000");
    }

    #[test]
    fn parses() {
        assert_eq!(
            parse("01:02:03").unwrap(),
            ts(unit::HOUR + 2 * unit::MINUTE + 3 * unit::SECOND)
        );
        assert_eq!(
            parse("1.02:03").unwrap(),
            ts(unit::DAY + 2 * unit::HOUR + 3 * unit::MINUTE)
        );
        assert_eq!(parse("-00:00:01.5").unwrap(), ts(-15_000_000));
        assert_eq!(parse("3").unwrap(), ts(3 * unit::DAY));
        assert_eq!(
            parse("1:02:03:04").unwrap(),
            ts(unit::DAY + 2 * unit::HOUR + 3 * unit::MINUTE + 4 * unit::SECOND)
        );
        assert_eq!(parse("24:00:00").unwrap_err().kind, EvalErrorKind::Overflow);
        assert_eq!(parse("abc").unwrap_err().kind, EvalErrorKind::Format);
        assert_eq!(
            parse_exact("02:03", "hh\\:mm").unwrap(),
            Some(ts(2 * unit::HOUR + 3 * unit::MINUTE))
        );
    }

    #[test]
    fn arithmetic() {
        let c = |t: TimeSpan, n: &str, a: &[Value<'static>]| call(t, n, a).unwrap();
        assert_eq!(
            c(ts(10), "op_Addition", &[Value::TimeSpan(ts(5))]),
            Ok(Value::TimeSpan(ts(15)))
        );
        assert_eq!(c(ts(-10), "Duration", &[]), Ok(Value::TimeSpan(ts(10))));
        assert_eq!(
            c(ts(i64::MIN), "Duration", &[]).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            c(ts(i64::MIN), "Negate", &[]).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            c(ts(10), "Multiply", &[Value::Double(1.5)]),
            Ok(Value::TimeSpan(ts(15)))
        );
        assert_eq!(c(ts(10), "Divide", &[Value::TimeSpan(ts(4))]), Ok(Value::Double(2.5)));
        assert_eq!(get(ts(unit::HOUR * 25), "Hours").unwrap(), Ok(Value::Int(1)));
        assert_eq!(get(ts(unit::HOUR * 36), "TotalDays").unwrap(), Ok(Value::Double(1.5)));
        assert_eq!(TimeSpan::from_units(1.5, unit::SECOND).unwrap(), ts(15_000_000));
    }
}

#[cfg(test)]
mod operator_tests {
    use super::*;
    use crate::testing::TestRt;

    #[test]
    fn number_times_span() {
        let mut rt = TestRt::new();
        let r = crate::library::numbers::call(
            &mut rt,
            &Value::Double(2.0),
            "op_Multiply",
            &[],
            &[Value::TimeSpan(TimeSpan { ticks: 5 })],
        );
        assert_eq!(r.unwrap().unwrap(), Value::TimeSpan(TimeSpan { ticks: 10 }));
    }
}
