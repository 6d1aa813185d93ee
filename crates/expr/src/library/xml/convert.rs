//! Values ↔ XML text: `XElement`'s and `XAttribute`'s explicit
//! conversions (`(int)el`, `(bool?)attr`, …, which parse with
//! `XmlConvert`'s rules) and `XContainer.GetStringValue` (how `Add`,
//! `SetValue`, `new XAttribute(name, value)` turn a value into text).
//!
//! Invariants: parsing never panics on any text; failures are .NET's
//! `FormatException`/`OverflowException` with .NET-like messages.

use std::rc::Rc;

use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::time::civil;
use crate::library::time::datetime::{DateTime, DateTimeOffset, TimeSpan};
use crate::types::TypeRef;
use crate::value::{Decimal, Object, Value};

use super::handle::Handle;
use super::tree::Kind;

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

fn format_error(s: &str, what: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        format!("The string '{s}' is not a valid {what} value."),
    )
}

fn number_format_error() -> EvalError {
    EvalError::new(EvalErrorKind::Format, "Input string was not in a correct format.")
}

fn overflow(type_name: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Overflow,
        format!("Value was either too large or too small for {type_name}."),
    )
}

/// XML whitespace (what `XmlConvert` trims).
fn is_xml_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn trim_xml(s: &str) -> &str {
    s.trim_matches(is_xml_ws)
}

/// `XmlConvert.ToBoolean` (after the operators' lower-casing).
pub fn to_bool(s: &str) -> EvalResult<bool> {
    match trim_xml(&s.to_lowercase()) {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(format_error(s, "Boolean")),
    }
}

/// `Int64.Parse` with leading/trailing white space and a leading sign
/// (what `XmlConvert.ToInt32/64` and `ToUInt32/64` accept), as `i128`.
fn parse_integer(s: &str) -> EvalResult<i128> {
    let t = s.trim_matches(|c: char| matches!(c, '\u{9}'..='\u{d}' | ' '));
    let (neg, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(number_format_error());
    }
    let mut v: i128 = 0;
    for b in digits.bytes() {
        v = v.saturating_mul(10).saturating_add(i128::from(b - b'0'));
    }
    Ok(if neg { -v } else { v })
}

fn to_int(s: &str, min: i128, max: i128, type_name: &str) -> EvalResult<i128> {
    let v = parse_integer(s)?;
    if v < min || v > max {
        return Err(overflow(type_name));
    }
    Ok(v)
}

/// `XmlConvert.ToDouble`: `INF`, `-INF`, `NaN` and decimal/exponent
/// notation, XML white space trimmed.
pub fn to_f64(s: &str) -> EvalResult<f64> {
    let t = trim_xml(s);
    match t {
        "INF" | "Infinity" => return Ok(f64::INFINITY),
        "-INF" | "-Infinity" => return Ok(f64::NEG_INFINITY),
        "NaN" => return Ok(f64::NAN),
        _ => {}
    }
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let exp_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits_ok(e)
    });
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) || !exp_ok {
        return Err(number_format_error());
    }
    t.parse::<f64>().map_err(|_| number_format_error())
}

/// `XmlConvert.ToDecimal`: sign, digits and a decimal point (no exponent).
pub fn to_decimal(s: &str) -> EvalResult<Decimal> {
    let t = s.trim_matches(|c: char| matches!(c, '\u{9}'..='\u{d}' | ' '));
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
        return Err(number_format_error());
    }
    let t = t.strip_prefix('+').unwrap_or(t);
    t.parse::<Decimal>()
        .or_else(|_| Decimal::from_str_exact(t))
        .map_err(|_| overflow("a Decimal"))
}

/// `XmlConvert.ToGuid` (`new Guid(s)`): the D, N, B and P formats.
pub fn to_guid(s: &str) -> EvalResult<u128> {
    let bad = || EvalError::new(EvalErrorKind::Format, "Unrecognized Guid format.");
    let t = s.trim();
    let inner = match (t.chars().next(), t.chars().last()) {
        (Some('{'), Some('}')) | (Some('('), Some(')')) if t.len() == 38 => &t[1..37],
        _ => t,
    };
    let hex: String = match inner.len() {
        32 => inner.to_owned(),
        36 => {
            let b = inner.as_bytes();
            if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
                return Err(bad());
            }
            inner.replace('-', "")
        }
        _ => return Err(bad()),
    };
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    u128::from_str_radix(&hex, 16).map_err(|_| bad())
}

fn digits(s: &str, n: usize) -> Option<(i64, &str)> {
    let d = s.get(..n)?;
    if !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((d.parse().ok()?, &s[n..]))
}

/// An ISO 8601 date and time (`yyyy-MM-dd`, optional `Thh:mm[:ss[.f…]]`
/// or a space instead of `T`, optional `Z` or `±hh:mm`): (ticks of the
/// local time since 1970, offset in minutes if given).
fn parse_iso(s: &str) -> Option<(i64, Option<i64>)> {
    let t = trim_xml(s);
    let (year, rest) = digits(t, 4)?;
    let rest = rest.strip_prefix('-')?;
    let (month, rest) = digits(rest, 2)?;
    let rest = rest.strip_prefix('-')?;
    let (day, mut rest) = digits(rest, 2)?;
    let (month, day) = (u32::try_from(month).ok()?, u32::try_from(day).ok()?);
    if !civil::is_valid(year, month, day) {
        return None;
    }
    let mut ticks = civil::days_from_civil(year, month, day) * TICKS_PER_DAY;
    if let Some(r) = rest.strip_prefix('T').or_else(|| rest.strip_prefix(' ')) {
        let (h, r) = digits(r, 2)?;
        let r = r.strip_prefix(':')?;
        let (mi, mut r) = digits(r, 2)?;
        let mut sec = 0;
        if let Some(r2) = r.strip_prefix(':') {
            let (s2, r3) = digits(r2, 2)?;
            sec = s2;
            r = r3;
            if let Some(f) = r.strip_prefix('.') {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                if n == 0 {
                    return None;
                }
                let frac = &f[..n.min(7)];
                let scaled: i64 = format!("{frac:0<7}").parse().ok()?;
                ticks += scaled;
                r = &f[n..];
            }
        }
        if h > 24 || mi > 59 || sec > 59 || (h == 24 && (mi > 0 || sec > 0)) {
            return None;
        }
        ticks += (h * 3600 + mi * 60 + sec) * TICKS_PER_SECOND;
        rest = r;
    }
    let offset = match rest {
        "" => None,
        "Z" => Some(0),
        r => {
            let sign = match r.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let (oh, r) = digits(&r[1..], 2)?;
            let r = r.strip_prefix(':').unwrap_or(r);
            let (om, r) = digits(r, 2)?;
            if !r.is_empty() || oh > 14 || om > 59 {
                return None;
            }
            Some(sign * (oh * 60 + om))
        }
    };
    Some((ticks, offset))
}

/// `DateTime.Parse(s, InvariantCulture, RoundtripKind)` for the ISO 8601
/// forms XML carries. A time with an offset becomes the UTC instant (the
/// gateway's local time zone is UTC); without one it is taken as UTC.
pub fn to_datetime(s: &str) -> EvalResult<DateTime> {
    let (ticks, offset) = parse_iso(s).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::Format,
            format!("String '{s}' was not recognized as a valid DateTime."),
        )
    })?;
    Ok(DateTime {
        ticks: ticks - offset.unwrap_or(0) * 60 * TICKS_PER_SECOND,
        kind: if offset.is_some() {
            crate::library::time::datetime::Kind::Utc
        } else {
            crate::library::time::datetime::Kind::Unspecified
        },
    })
}

/// `XmlConvert.ToDateTimeOffset` (offset 0 when the text has none).
pub fn to_datetime_offset(s: &str) -> EvalResult<DateTimeOffset> {
    let (ticks, offset) = parse_iso(s).ok_or_else(|| {
        EvalError::new(
            EvalErrorKind::Format,
            format!("String '{s}' was not recognized as a valid DateTimeOffset."),
        )
    })?;
    let offset = offset.unwrap_or(0);
    Ok(DateTimeOffset {
        utc: DateTime {
            ticks: ticks - offset * 60 * TICKS_PER_SECOND,
            kind: crate::library::time::datetime::Kind::Utc,
        },
        offset_minutes: offset as i16,
    })
}

/// `XmlConvert.ToTimeSpan`: an `xs:duration` (`-P1DT2H3M4.5S`). Years
/// and months count as 365 and 30 days (not run against .NET).
pub fn to_timespan(s: &str) -> EvalResult<TimeSpan> {
    let bad = || format_error(s, "TimeSpan");
    let t = trim_xml(s);
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t),
    };
    let mut rest = t.strip_prefix('P').ok_or_else(bad)?;
    let mut ticks: i128 = 0;
    let mut in_time = false;
    let mut any = false;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('T') {
            if in_time || r.is_empty() {
                return Err(bad());
            }
            in_time = true;
            rest = r;
            continue;
        }
        let n = rest.bytes().take_while(|b| b.is_ascii_digit() || *b == b'.').count();
        let (num, r) = rest.split_at(n);
        let unit = r.chars().next().ok_or_else(bad)?;
        rest = &r[unit.len_utf8()..];
        any = true;
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: i128 = int.parse().map_err(|_| bad())?;
        let unit_ticks: i128 = match (in_time, unit) {
            (false, 'Y') => 365 * i128::from(TICKS_PER_DAY),
            (false, 'M') => 30 * i128::from(TICKS_PER_DAY),
            (false, 'D') => i128::from(TICKS_PER_DAY),
            (true, 'H') => 3600 * i128::from(TICKS_PER_SECOND),
            (true, 'M') => 60 * i128::from(TICKS_PER_SECOND),
            (true, 'S') => i128::from(TICKS_PER_SECOND),
            _ => return Err(bad()),
        };
        if !frac.is_empty() {
            if unit != 'S' || !in_time || !frac.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            let f = &frac[..frac.len().min(7)];
            ticks += format!("{f:0<7}").parse::<i128>().map_err(|_| bad())?;
        }
        ticks = ticks.saturating_add(whole.saturating_mul(unit_ticks));
    }
    if !any {
        return Err(bad());
    }
    let ticks = if neg { -ticks } else { ticks };
    i64::try_from(ticks)
        .map(|ticks| TimeSpan { ticks })
        .map_err(|_| overflow("a TimeSpan"))
}

/// `XmlConvert.ToString(TimeSpan)`: an `xs:duration` (`P1DT2H`, `PT0S`).
pub fn timespan_to_string(t: TimeSpan) -> String {
    let mut out = String::new();
    let mut ticks = i128::from(t.ticks);
    if ticks < 0 {
        out.push('-');
        ticks = -ticks;
    }
    out.push('P');
    let day = i128::from(TICKS_PER_DAY);
    let sec = i128::from(TICKS_PER_SECOND);
    let days = ticks / day;
    let rem = ticks % day;
    let (h, m, s, f) = (rem / (3600 * sec), rem / (60 * sec) % 60, rem / sec % 60, rem % sec);
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rem > 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || f > 0 {
            out.push_str(&s.to_string());
            if f > 0 {
                let frac = format!("{f:07}");
                out.push('.');
                out.push_str(frac.trim_end_matches('0'));
            }
            out.push('S');
        }
    }
    if days == 0 && rem == 0 {
        out.push_str("T0S");
    }
    out
}

/// `XmlConvert.ToString(double)`: `INF`, `-INF`, `NaN`, else the
/// round-trip form.
fn double_to_string(v: &Value<'_>, d: f64) -> String {
    if d.is_nan() {
        "NaN".into()
    } else if d == f64::INFINITY {
        "INF".into()
    } else if d == f64::NEG_INFINITY {
        "-INF".into()
    } else {
        crate::library::format_value(v, "R").unwrap_or_else(|_| d.to_string())
    }
}

/// `XContainer.GetStringValue`: the text `Add`, `SetValue`, `Value =` and
/// `new XAttribute(name, value)` store for a value. An `ArgumentException`
/// for XML nodes and attributes.
pub fn string_value(v: &Value<'_>) -> EvalResult<String> {
    Ok(match v {
        Value::Str(s) => s.to_string(),
        Value::Double(d) => double_to_string(v, *d),
        Value::Float(f) => double_to_string(v, f64::from(*f)),
        Value::Bool(b) => if *b { "true" } else { "false" }.into(),
        Value::DateTime(_) => crate::library::format_value(v, "o")?,
        Value::DateTimeOffset(_) => crate::library::format_value(v, "yyyy-MM-ddTHH:mm:ss.FFFFFFFzzz")?,
        Value::TimeSpan(t) => timespan_to_string(*t),
        v if v.downcast::<Handle>().is_some() => {
            return Err(EvalError::argument("An XObject cannot be used as a value."))
        }
        v => crate::library::to_text(v).into_owned(),
    })
}

/// The explicit conversions of `XElement` and `XAttribute` to `string`,
/// `bool`, the numbers, `DateTime`, `DateTimeOffset`, `TimeSpan` and
/// `Guid` (nullable forms: the caller unwraps `T?` and handles null).
/// `None`: `o` is not an element or attribute, or `to` is not a target.
pub fn explicit<'a>(o: &Rc<dyn Object>, to: &TypeRef) -> Option<EvalResult<Value<'a>>> {
    let h = o.as_any().downcast_ref::<Handle>()?;
    let text = match h.node.kind {
        Kind::Element => h.node.text_value(),
        Kind::Attribute => h.node.own_text().unwrap_or_default(),
        _ => return None,
    };
    let def = to.def()?;
    if def.namespace != "System" {
        return None;
    }
    let int = |min: i128, max: i128, name: &str| to_int(&text, min, max, name);
    Some(match def.name {
        "String" => Ok(Value::string(text)),
        "Boolean" => to_bool(&text).map(Value::Bool),
        "Int32" => int(i32::MIN.into(), i32::MAX.into(), "an Int32").map(|v| Value::Int(v as i32)),
        "UInt32" => int(0, u32::MAX.into(), "a UInt32").map(|v| Value::UInt(v as u32)),
        "Int64" => int(i64::MIN.into(), i64::MAX.into(), "an Int64").map(|v| Value::Long(v as i64)),
        "UInt64" => int(0, u64::MAX.into(), "a UInt64").map(|v| Value::ULong(v as u64)),
        "Single" => to_f64(&text).map(|v| Value::Float(v as f32)),
        "Double" => to_f64(&text).map(Value::Double),
        "Decimal" => to_decimal(&text).map(Value::Decimal),
        "DateTime" => to_datetime(&text).map(Value::DateTime),
        "DateTimeOffset" => to_datetime_offset(&text).map(Value::DateTimeOffset),
        "TimeSpan" => to_timespan(&text).map(Value::TimeSpan),
        "Guid" => to_guid(&text).map(Value::Guid),
        _ => return None,
    })
}
