//! Members of `DateTime` and `DateTimeOffset` values and the statics and
//! constructors of their types, operators (`op_Addition`,
//! `op_Subtraction`, comparisons) included.
//!
//! The gateway runs in UTC: `DateTime.Now` is `UtcNow` with kind Local,
//! `Today` its date, `IsDaylightSavingTime()` false, and `DateTimeOffset.Now`
//! has offset +00:00.

use super::datetime::{offset_minutes, out_of_range, unit, DateTime, DateTimeOffset, Kind, TimeSpan};
use super::defs::{DATETIME_KIND, DAY_OF_WEEK};
use super::format::{format_datetime, format_offset, millisecond};
use super::parse::{not_recognized, parse, parse_exact, to_datetime, Parsed};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::time::civil;
use crate::runtime::Runtime;
use crate::types::TypeRef;
use crate::value::Value;

fn int(v: Option<&Value<'_>>, what: &str) -> EvalResult<i64> {
    v.and_then(Value::as_integer)
        .and_then(|i| i64::try_from(i).ok())
        .ok_or_else(|| EvalError::argument(format!("{what}: expected an integer")))
}

fn real(v: Option<&Value<'_>>) -> EvalResult<f64> {
    v.and_then(Value::as_f64)
        .ok_or_else(|| EvalError::argument("expected a number"))
}

fn span(v: Option<&Value<'_>>) -> EvalResult<TimeSpan> {
    match v {
        Some(Value::TimeSpan(t)) => Ok(*t),
        _ => Err(EvalError::argument("expected a TimeSpan")),
    }
}

fn text<'v>(v: Option<&'v Value<'_>>, param: &str) -> EvalResult<&'v str> {
    match v {
        Some(Value::Str(s)) => Ok(s),
        _ => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            format!("Value cannot be null. (Parameter '{param}')"),
        )),
    }
}

fn kind_arg(v: Option<&Value<'_>>) -> EvalResult<Kind> {
    match v {
        None => Ok(Kind::Unspecified),
        Some(Value::Enum(_, k)) => Kind::from_i64(*k).ok_or_else(|| EvalError::argument("Invalid DateTimeKind value.")),
        Some(_) => Err(EvalError::argument("expected a DateTimeKind")),
    }
}

/// The `Add*` methods shared by both types: `f` applies to a DateTime.
fn add(d: DateTime, name: &str, args: &[Value<'_>]) -> Option<EvalResult<DateTime>> {
    let a = args.first();
    Some(match name {
        "Add" => span(a).and_then(|t| d.add_ticks(t.ticks)),
        "AddDays" => real(a).and_then(|v| d.add_units(v, unit::DAY)),
        "AddHours" => real(a).and_then(|v| d.add_units(v, unit::HOUR)),
        "AddMinutes" => real(a).and_then(|v| d.add_units(v, unit::MINUTE)),
        "AddSeconds" => real(a).and_then(|v| d.add_units(v, unit::SECOND)),
        "AddMilliseconds" => real(a).and_then(|v| d.add_units(v, unit::MILLISECOND)),
        "AddTicks" => int(a, "value").and_then(|t| d.add_ticks(t)),
        "AddMonths" => int(a, "months").and_then(|m| d.add_months(m)),
        "AddYears" => int(a, "value").and_then(|y| {
            if !(-10_000..=10_000).contains(&y) {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Years value must be between +/-10000. (Parameter 'value')",
                ));
            }
            d.add_months(y * 12)
        }),
        _ => return None,
    })
}

/// The calendar properties shared by both types.
fn field<'a>(d: DateTime, name: &str) -> Option<Value<'a>> {
    let c = d.civil();
    Some(match name {
        "Year" => Value::Int(c.year as i32),
        "Month" => Value::Int(c.month as i32),
        "Day" => Value::Int(c.day as i32),
        "Hour" => Value::Int(c.hour as i32),
        "Minute" => Value::Int(c.minute as i32),
        "Second" => Value::Int(c.second as i32),
        "Millisecond" => Value::Int(millisecond(d) as i32),
        "DayOfWeek" => Value::Enum(&DAY_OF_WEEK, i64::from(c.weekday)),
        "DayOfYear" => Value::Int(d.day_of_year() as i32),
        "TimeOfDay" => Value::TimeSpan(d.time_of_day()),
        _ => return None,
    })
}

/// A property of a DateTime.
pub fn datetime_get<'a>(d: DateTime, name: &str) -> Option<EvalResult<Value<'a>>> {
    if let Some(v) = field(d, name) {
        return Some(Ok(v));
    }
    Some(Ok(match name {
        "Date" => Value::DateTime(d.date()),
        "Ticks" => Value::Long(d.dotnet_ticks()),
        "Kind" => Value::Enum(&DATETIME_KIND, d.kind.as_i64()),
        "HasValue" => Value::Bool(true),
        "Value" => Value::DateTime(d),
        _ => return None,
    }))
}

/// A method of a DateTime (operators included).
pub fn datetime_call<'a>(d: DateTime, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    if let Some(r) = add(d, name, args) {
        return Some(r.map(Value::DateTime));
    }
    let s = |f: &str| format_datetime(d, f).map(Value::string);
    Some(match (name, args) {
        ("Subtract" | "op_Subtraction", [Value::DateTime(o)]) => Ok(Value::TimeSpan(TimeSpan {
            ticks: d.ticks - o.ticks,
        })),
        ("Subtract" | "op_Subtraction", [Value::TimeSpan(t)]) => t
            .ticks
            .checked_neg()
            .ok_or_else(out_of_range)
            .and_then(|n| d.add_ticks(n))
            .map(Value::DateTime),
        ("op_Addition", [Value::TimeSpan(t)]) => d.add_ticks(t.ticks).map(Value::DateTime),
        ("IsDaylightSavingTime", []) => Ok(Value::Bool(false)),
        ("ToString", []) | ("ToString", [Value::Null]) => s(""),
        ("ToString", [Value::Str(f)]) | ("ToString", [Value::Str(f), _]) => s(f),
        ("ToLongDateString", []) => s("D"),
        ("ToShortDateString", []) => s("d"),
        ("ToLongTimeString", []) => s("T"),
        ("ToShortTimeString", []) => s("t"),
        ("ToUniversalTime", []) => Ok(Value::DateTime(d.to_utc())),
        ("ToLocalTime", []) => Ok(Value::DateTime(d.with_kind(Kind::Local))),
        ("ToFileTimeUtc", []) => {
            let t = d.dotnet_ticks() - 504_911_232_000_000_000;
            if t < 0 {
                Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Not a valid Win32 FileTime. (Parameter 'fileTime')",
                ))
            } else {
                Ok(Value::Long(t))
            }
        }
        ("CompareTo", [Value::DateTime(o)]) => Ok(Value::Int(d.cmp(o) as i32)),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [_]) => Err(EvalError::argument("Object must be of type DateTime.")),
        ("Equals" | "op_Equality", [o]) => Ok(Value::Bool(matches!(o, Value::DateTime(x) if *x == d))),
        ("op_Inequality", [o]) => Ok(Value::Bool(!matches!(o, Value::DateTime(x) if *x == d))),
        ("GetHashCode", []) => Ok(Value::Int(
            (d.dotnet_ticks() as i32) ^ ((d.dotnet_ticks() >> 32) as i32),
        )),
        ("GetValueOrDefault", [] | [_]) => Ok(Value::DateTime(d)),
        _ => return None,
    })
}

fn now(rt: &mut dyn Runtime<'_>) -> DateTime {
    rt.now().with_kind(Kind::Utc)
}

/// `DateTime.MaxValue`, `Now`, `UtcNow`, `Today`…
pub fn datetime_get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(Value::DateTime(match name {
        "MaxValue" => DateTime::MAX,
        "MinValue" => DateTime::MIN,
        "UnixEpoch" => DateTime::from_unix_seconds(0),
        "UtcNow" => now(rt),
        "Now" => now(rt).with_kind(Kind::Local),
        "Today" => now(rt).date().with_kind(Kind::Local),
        _ => return None,
    })))
}

fn year_arg(v: Option<&Value<'_>>) -> EvalResult<i64> {
    let y = int(v, "year")?;
    if (1..=9999).contains(&y) {
        Ok(y)
    } else {
        Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Year must be between 1 and 9999. (Parameter 'year')",
        ))
    }
}

/// `DateTime.Parse` and friends.
pub fn datetime_call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let today = now(rt);
    let a = args.first();
    Some(match name {
        "Parse" => text(a, "s")
            .and_then(|s| parse(s, today).ok_or_else(|| not_recognized(s)).and_then(to_datetime))
            .map(Value::DateTime),
        "TryParse" => (|| {
            let r = match a {
                Some(Value::Str(s)) => parse(s, today).and_then(|p| to_datetime(p).ok()),
                _ => None,
            };
            rt.set_out(
                args.len().saturating_sub(1),
                Value::DateTime(r.unwrap_or(DateTime::MIN)),
            )?;
            Ok(Value::Bool(r.is_some()))
        })(),
        "ParseExact" => (|| {
            let s = text(a, "s")?;
            let f = text(args.get(1), "format")?;
            let p = parse_exact(s, f, today)?.ok_or_else(|| not_recognized(s))?;
            to_datetime(p).map(Value::DateTime)
        })(),
        "TryParseExact" => (|| {
            let r = match (a, args.get(1)) {
                (Some(Value::Str(s)), Some(Value::Str(f))) => parse_exact(s, f, today)
                    .ok()
                    .flatten()
                    .and_then(|p| to_datetime(p).ok()),
                _ => None,
            };
            rt.set_out(
                args.len().saturating_sub(1),
                Value::DateTime(r.unwrap_or(DateTime::MIN)),
            )?;
            Ok(Value::Bool(r.is_some()))
        })(),
        "DaysInMonth" => (|| {
            let y = year_arg(a)?;
            let m = int(args.get(1), "month")?;
            if !(1..=12).contains(&m) {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Month must be between one and twelve. (Parameter 'month')",
                ));
            }
            Ok(Value::Int(civil::days_in_month(y, m as u32) as i32))
        })(),
        "IsLeapYear" => year_arg(a).map(|y| Value::Bool(civil::is_leap_year(y))),
        "SpecifyKind" => match a {
            Some(Value::DateTime(d)) => kind_arg(args.get(1)).map(|k| Value::DateTime(d.with_kind(k))),
            _ => Err(EvalError::argument("expected a DateTime")),
        },
        "Compare" => match (a, args.get(1)) {
            (Some(Value::DateTime(x)), Some(Value::DateTime(y))) => Ok(Value::Int(x.cmp(y) as i32)),
            _ => Err(EvalError::argument("expected two DateTime values")),
        },
        "Equals" => match (a, args.get(1)) {
            (Some(Value::DateTime(x)), Some(Value::DateTime(y))) => Ok(Value::Bool(x == y)),
            _ => Err(EvalError::argument("expected two DateTime values")),
        },
        _ => return None,
    })
}

/// `new DateTime(…)`.
pub fn datetime_ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let kind_at = |i: usize| match args.get(i) {
        Some(Value::Enum(..)) => kind_arg(args.get(i)).map(Some),
        _ => Ok(None),
    };
    let n = args.len();
    let (kind, count) = match kind_at(n.wrapping_sub(1))? {
        Some(k) => (k, n - 1),
        None => (Kind::Unspecified, n),
    };
    let i = |k: usize| int(args.get(k), "DateTime");
    let d = match count {
        0 => Ok(DateTime::MIN),
        1 => {
            let t = i(0)?;
            DateTime::from_dotnet_ticks(t, kind).ok_or_else(|| {
                EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Ticks must be between DateTime.MinValue.Ticks and DateTime.MaxValue.Ticks. (Parameter 'ticks')",
                )
            })
        }
        3 => DateTime::from_fields(i(0)?, i(1)?, i(2)?, [0, 0, 0, 0], kind),
        6 => DateTime::from_fields(i(0)?, i(1)?, i(2)?, [i(3)?, i(4)?, i(5)?, 0], kind),
        7 => DateTime::from_fields(i(0)?, i(1)?, i(2)?, [i(3)?, i(4)?, i(5)?, i(6)?], kind),
        8 => DateTime::from_fields(i(0)?, i(1)?, i(2)?, [i(3)?, i(4)?, i(5)?, i(6)?], kind).and_then(|d| {
            let us = i(7)?;
            if !(0..1000).contains(&us) {
                return Err(EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    "Valid values are between 0 and 999, inclusive. (Parameter 'microsecond')",
                ));
            }
            d.add_ticks(us * unit::MICROSECOND)
        }),
        _ => Err(EvalError::argument(
            "new DateTime: no constructor takes these arguments",
        )),
    }?;
    Ok(Value::DateTime(d))
}

/// A property of a DateTimeOffset.
pub fn offset_get<'a>(d: DateTimeOffset, name: &str) -> Option<EvalResult<Value<'a>>> {
    let local = d.local();
    if let Some(v) = field(local, name) {
        return Some(Ok(v));
    }
    Some(Ok(match name {
        "Offset" => Value::TimeSpan(d.offset()),
        "UtcDateTime" => Value::DateTime(d.utc.with_kind(Kind::Utc)),
        "DateTime" => Value::DateTime(local),
        "LocalDateTime" => Value::DateTime(d.utc.with_kind(Kind::Local)),
        "UtcTicks" => Value::Long(d.utc.dotnet_ticks()),
        "Ticks" => Value::Long(local.dotnet_ticks()),
        "Date" => Value::DateTime(local.date()),
        "HasValue" => Value::Bool(true),
        "Value" => Value::DateTimeOffset(d),
        _ => return None,
    }))
}

/// A method of a DateTimeOffset (operators included).
pub fn offset_call<'a>(d: DateTimeOffset, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    if let Some(r) = add(d.local(), name, args) {
        return Some(
            r.and_then(|l| DateTimeOffset::from_local(l, d.offset_minutes))
                .map(Value::DateTimeOffset),
        );
    }
    let s = |f: &str| format_offset(d, f).map(Value::string);
    Some(match (name, args) {
        ("Subtract" | "op_Subtraction", [Value::DateTimeOffset(o)]) => Ok(Value::TimeSpan(TimeSpan {
            ticks: d.utc.ticks - o.utc.ticks,
        })),
        ("Subtract" | "op_Subtraction", [Value::TimeSpan(t)]) => d
            .map_local(|l| l.add_ticks(t.ticks.checked_neg().ok_or_else(out_of_range)?))
            .map(Value::DateTimeOffset),
        ("op_Addition", [Value::TimeSpan(t)]) => d.map_local(|l| l.add_ticks(t.ticks)).map(Value::DateTimeOffset),
        ("ToOffset", [o]) => span(Some(o))
            .and_then(offset_minutes)
            .and_then(|m| {
                DateTimeOffset::from_local(
                    DateTime {
                        ticks: d.utc.ticks + i64::from(m) * unit::MINUTE,
                        kind: Kind::Unspecified,
                    },
                    m,
                )
            })
            .map(Value::DateTimeOffset),
        ("ToUniversalTime" | "ToLocalTime", []) => Ok(Value::DateTimeOffset(DateTimeOffset {
            utc: d.utc,
            offset_minutes: 0,
        })),
        ("ToUnixTimeSeconds", []) => Ok(Value::Long(d.utc.ticks.div_euclid(unit::SECOND))),
        ("ToUnixTimeMilliseconds", []) => Ok(Value::Long(d.utc.ticks.div_euclid(unit::MILLISECOND))),
        ("ToString", []) | ("ToString", [Value::Null]) => s(""),
        ("ToString", [Value::Str(f)]) | ("ToString", [Value::Str(f), _]) => s(f),
        ("CompareTo", [Value::DateTimeOffset(o)]) => Ok(Value::Int(d.utc.cmp(&o.utc) as i32)),
        ("CompareTo", [Value::Null]) => Ok(Value::Int(1)),
        ("CompareTo", [_]) => Err(EvalError::argument("Object must be of type DateTimeOffset.")),
        ("Equals" | "op_Equality", [o]) => Ok(Value::Bool(matches!(o, Value::DateTimeOffset(x) if x.utc == d.utc))),
        ("op_Inequality", [o]) => Ok(Value::Bool(!matches!(o, Value::DateTimeOffset(x) if x.utc == d.utc))),
        ("EqualsExact", [o]) => Ok(Value::Bool(
            matches!(o, Value::DateTimeOffset(x) if x.utc == d.utc && x.offset_minutes == d.offset_minutes),
        )),
        ("GetHashCode", []) => Ok(Value::Int((d.utc.ticks as i32) ^ ((d.utc.ticks >> 32) as i32))),
        ("GetValueOrDefault", [] | [_]) => Ok(Value::DateTimeOffset(d)),
        _ => return None,
    })
}

fn utc_offset(d: DateTime) -> DateTimeOffset {
    DateTimeOffset {
        utc: d.with_kind(Kind::Utc),
        offset_minutes: 0,
    }
}

/// `DateTimeOffset.UtcNow`, `Now`, `MinValue`, `MaxValue`, `UnixEpoch`.
pub fn offset_get_static<'a>(rt: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    Some(Ok(Value::DateTimeOffset(match name {
        "UtcNow" | "Now" => utc_offset(now(rt)),
        "MinValue" => utc_offset(DateTime::MIN),
        "MaxValue" => utc_offset(DateTime::MAX),
        "UnixEpoch" => utc_offset(DateTime::from_unix_seconds(0)),
        _ => return None,
    })))
}

fn to_offset(p: Parsed) -> EvalResult<DateTimeOffset> {
    let off = p.offset.unwrap_or(0);
    DateTimeOffset::from_local(p.clock, off as i16)
}

/// `DateTimeOffset.Parse`, `FromUnixTimeSeconds`…
pub fn offset_call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let today = now(rt);
    let a = args.first();
    let dto = |r: EvalResult<DateTimeOffset>| r.map(Value::DateTimeOffset);
    Some(match name {
        "Parse" => {
            dto(text(a, "input").and_then(|s| parse(s, today).ok_or_else(|| not_recognized(s)).and_then(to_offset)))
        }
        "TryParse" => (|| {
            let r = match a {
                Some(Value::Str(s)) => parse(s, today).and_then(|p| to_offset(p).ok()),
                _ => None,
            };
            rt.set_out(
                args.len().saturating_sub(1),
                Value::DateTimeOffset(r.unwrap_or(utc_offset(DateTime::MIN))),
            )?;
            Ok(Value::Bool(r.is_some()))
        })(),
        "ParseExact" => dto((|| {
            let s = text(a, "input")?;
            let f = text(args.get(1), "format")?;
            to_offset(parse_exact(s, f, today)?.ok_or_else(|| not_recognized(s))?)
        })()),
        "TryParseExact" => (|| {
            let r = match (a, args.get(1)) {
                (Some(Value::Str(s)), Some(Value::Str(f))) => {
                    parse_exact(s, f, today).ok().flatten().and_then(|p| to_offset(p).ok())
                }
                _ => None,
            };
            rt.set_out(
                args.len().saturating_sub(1),
                Value::DateTimeOffset(r.unwrap_or(utc_offset(DateTime::MIN))),
            )?;
            Ok(Value::Bool(r.is_some()))
        })(),
        "FromUnixTimeSeconds" | "FromUnixTimeMilliseconds" => dto((|| {
            let v = int(a, "seconds")?;
            let u = if name == "FromUnixTimeSeconds" {
                unit::SECOND
            } else {
                unit::MILLISECOND
            };
            let ticks = v.checked_mul(u).ok_or_else(out_of_range)?;
            DateTime::checked(ticks, Kind::Utc).map(utc_offset).map_err(|_| {
                EvalError::new(
                    EvalErrorKind::ArgumentOutOfRange,
                    format!(
                        "Valid values are between {} and {}, inclusive. (Parameter '{}')",
                        if u == unit::SECOND {
                            "-62135596800"
                        } else {
                            "-62135596800000"
                        },
                        if u == unit::SECOND {
                            "253402300799"
                        } else {
                            "253402300799999"
                        },
                        if u == unit::SECOND { "seconds" } else { "milliseconds" }
                    ),
                )
            })
        })()),
        "Compare" | "Equals" => match (a, args.get(1)) {
            (Some(Value::DateTimeOffset(x)), Some(Value::DateTimeOffset(y))) => Ok(if name == "Compare" {
                Value::Int(x.utc.cmp(&y.utc) as i32)
            } else {
                Value::Bool(x.utc == y.utc)
            }),
            _ => Err(EvalError::argument("expected two DateTimeOffset values")),
        },
        _ => return None,
    })
}

/// `new DateTimeOffset(…)`.
pub fn offset_ctor<'a>(_: &mut dyn Runtime<'a>, _: &[TypeRef], args: &[Value<'a>]) -> EvalResult<Value<'a>> {
    let i = |k: usize| int(args.get(k), "DateTimeOffset");
    let d = match args {
        [] => utc_offset(DateTime::MIN),
        [Value::DateTime(d)] => DateTimeOffset::from_local(d.with_kind(Kind::Unspecified), 0)?,
        [Value::DateTime(d), o] => {
            let m = offset_minutes(span(Some(o))?)?;
            if d.kind == Kind::Utc && m != 0 {
                return Err(EvalError::argument(
                    "The UTC Offset for Utc DateTime instances must be 0. (Parameter 'offset')",
                ));
            }
            DateTimeOffset::from_local(d.with_kind(Kind::Unspecified), m)?
        }
        [t, o] => {
            let m = offset_minutes(span(Some(o))?)?;
            let d = DateTime::from_dotnet_ticks(i(0)?, Kind::Unspecified).ok_or_else(out_of_range)?;
            let _ = t;
            DateTimeOffset::from_local(d, m)?
        }
        [.., o] if args.len() == 7 || args.len() == 8 => {
            let m = offset_minutes(span(Some(o))?)?;
            let ms = if args.len() == 8 { i(6)? } else { 0 };
            let d = DateTime::from_fields(i(0)?, i(1)?, i(2)?, [i(3)?, i(4)?, i(5)?, ms], Kind::Unspecified)?;
            DateTimeOffset::from_local(d, m)?
        }
        _ => {
            return Err(EvalError::argument(
                "new DateTimeOffset: no constructor takes these arguments",
            ))
        }
    };
    Ok(Value::DateTimeOffset(d))
}
