//! Strings into .NET primitives as `Convert.ToXxx(string,
//! InvariantCulture)` parses them (`int.Parse`, `double.Parse`,
//! `bool.Parse`, `DateTime.Parse`, `Guid.Parse`, `TimeSpan.Parse`,
//! `Convert.FromBase64String`): what a token's casts do to a string value.
//!
//! Not done: thousands separators in doubles (`"1,000"`), and
//! `DateTime.Parse` beyond ISO 8601 and the invariant `G` form
//! (`MM/dd/yyyy HH:mm:ss`).

use base64::Engine;

use super::convert::{format_error, integer, is_integral, overflow, Prim};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::library::collections::Array;
use crate::library::time::civil;
use crate::library::time::datetime::{DateTime, DateTimeOffset, TimeSpan};
use crate::value::{Decimal, Value};

/// .NET's white space for number parsing.
fn trim_white(s: &str) -> &str {
    s.trim_matches(|c: char| c == ' ' || ('\t'..='\r').contains(&c))
}

/// The string conversions (`int.Parse`, `double.Parse`, `bool.Parse`,
/// `DateTime.Parse`… in the invariant culture).
pub fn parse_as(s: &str, prim: Prim) -> EvalResult<Value<'static>> {
    let t = trim_white(s);
    match prim {
        Prim::String => Ok(Value::string(s)),
        Prim::Bool => match t.trim_matches('\0').to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(EvalError::new(
                EvalErrorKind::Format,
                format!("String '{s}' was not recognized as a valid Boolean."),
            )),
        },
        Prim::Char => {
            let mut it = s.chars();
            match (it.next(), it.next()) {
                (Some(c), None) if c.len_utf16() == 1 => Ok(Value::Char(c)),
                _ => Err(EvalError::new(
                    EvalErrorKind::Format,
                    "String must be exactly one character long.",
                )),
            }
        }
        Prim::Double | Prim::Float => {
            let d = parse_double(t).ok_or_else(|| format_error(s))?;
            Ok(if prim == Prim::Double {
                Value::Double(d)
            } else {
                Value::Float(d as f32)
            })
        }
        Prim::Decimal => {
            let ok = !t.is_empty()
                && t.chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | ','))
                && t.chars().any(|c| c.is_ascii_digit());
            if !ok {
                return Err(format_error(s));
            }
            let cleaned: String = t.chars().filter(|c| *c != ',').collect();
            cleaned.parse::<Decimal>().map(Value::Decimal).map_err(|_| {
                if cleaned.len() > 28 {
                    overflow(prim)
                } else {
                    format_error(s)
                }
            })
        }
        p if is_integral(p) => {
            let (neg, digits) = match t.as_bytes().first() {
                Some(b'-') => (true, &t[1..]),
                Some(b'+') => (false, &t[1..]),
                _ => (false, t),
            };
            if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
                return Err(format_error(s));
            }
            let mut acc: i128 = 0;
            for c in digits.bytes() {
                acc = acc
                    .checked_mul(10)
                    .and_then(|a| a.checked_add(i128::from(c - b'0')))
                    .ok_or_else(|| overflow(p))?;
            }
            integer(if neg { -acc } else { acc }, p)
        }
        Prim::DateTime => parse_datetime(t)
            .map(|(ticks, off)| {
                Value::DateTime(DateTime {
                    ticks: ticks - i64::from(off.unwrap_or(0)) * 600_000_000,
                    kind: if off.is_some() {
                        crate::library::time::datetime::Kind::Utc
                    } else {
                        crate::library::time::datetime::Kind::Unspecified
                    },
                })
            })
            .ok_or_else(|| not_recognized(s, "DateTime")),
        Prim::DateTimeOffset => parse_datetime(t)
            .map(|(ticks, off)| {
                let offset_minutes = off.unwrap_or(0);
                Value::DateTimeOffset(DateTimeOffset {
                    utc: DateTime {
                        ticks: ticks - i64::from(offset_minutes) * 600_000_000,
                        kind: crate::library::time::datetime::Kind::Utc,
                    },
                    offset_minutes,
                })
            })
            .ok_or_else(|| not_recognized(s, "DateTime")),
        Prim::Guid => parse_guid(t).map(Value::Guid).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::Format,
                "Guid should contain 32 digits with 4 dashes (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).",
            )
        }),
        Prim::TimeSpan => parse_timespan(t)
            .map(|ticks| Value::TimeSpan(TimeSpan { ticks }))
            .ok_or_else(|| not_recognized(s, "TimeSpan")),
        Prim::Bytes => {
            let cleaned: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(cleaned)
                .map(Array::bytes)
                .map_err(|_| {
                    EvalError::new(
                        EvalErrorKind::Format,
                        "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.",
                    )
                })
        }
        _ => Err(format_error(s)),
    }
}

fn not_recognized(s: &str, what: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        format!("String '{s}' was not recognized as a valid {what}."),
    )
}

/// `double.Parse(s, Float | AllowThousands, InvariantCulture)`, roughly.
pub fn parse_double(t: &str) -> Option<f64> {
    match t.to_ascii_lowercase().as_str() {
        "nan" => return Some(f64::NAN),
        "infinity" | "+infinity" | "∞" => return Some(f64::INFINITY),
        "-infinity" | "-∞" => return Some(f64::NEG_INFINITY),
        _ => {}
    }
    let ok = t
        .bytes()
        .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'-' | b'+' | b'e' | b'E'))
        && t.bytes().any(|c| c.is_ascii_digit());
    if !ok {
        return None;
    }
    t.parse().ok()
}

/// The clock ticks of an ISO 8601 date (`yyyy-MM-dd`, optionally with
/// `THH:mm[:ss[.f…]]` or a space before the time, and a zone), or of the
/// invariant culture's `MM/dd/yyyy[ HH:mm[:ss]]`; and the offset in minutes
/// when the text has a zone (the ticks are then UTC).
pub fn parse_datetime(t: &str) -> Option<(i64, Option<i16>)> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    let (year, month, day, rest) = if b.get(4) == Some(&b'-') {
        (num(0..4)?, num(5..7)?, num(8..10)?, t.get(10..)?)
    } else {
        let mut parts = t.splitn(3, '/');
        let m: u32 = parts.next()?.parse().ok()?;
        let d: u32 = parts.next()?.parse().ok()?;
        let tail = parts.next()?;
        let (y, rest) = tail.split_at(tail.find(' ').unwrap_or(tail.len()));
        (y.parse().ok()?, m, d, rest)
    };
    if !civil::is_valid(i64::from(year), month, day) || year == 0 {
        return None;
    }
    let mut secs = civil::days_from_civil(i64::from(year), month, day) * 86_400;
    let mut frac: i64 = 0;
    let mut offset = None;
    let rest = rest.strip_prefix(['T', ' ']).unwrap_or(rest);
    if !rest.is_empty() {
        let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        let (hms, f) = time.split_once('.').unwrap_or((time, ""));
        let mut it = hms.split(':');
        let h: u32 = it.next()?.trim().parse().ok()?;
        let m: u32 = it.next()?.parse().ok()?;
        let s: u32 = it.next().map_or(Some(0), |x| x.parse().ok())?;
        if it.next().is_some() || h > 23 || m > 59 || s > 59 || f.len() > 7 || !f.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        secs += i64::from(h * 3600 + m * 60 + s);
        if !f.is_empty() {
            frac = f.parse::<i64>().ok()? * 10i64.pow(7 - f.len() as u32);
        }
        offset = match zone {
            "" => None,
            "Z" | "z" => Some(0),
            z => {
                let sign: i16 = if z.starts_with('-') { -1 } else { 1 };
                let body = z[1..].replace(':', "");
                let (hh, mm) = (body.get(..body.len().min(2))?, body.get(body.len().min(2)..)?);
                let hh: i16 = hh.parse().ok()?;
                let mm: i16 = if mm.is_empty() { 0 } else { mm.parse().ok()? };
                Some(sign * (hh * 60 + mm))
            }
        };
    }
    let mut ticks = secs * 10_000_000 + frac;
    if let Some(o) = offset {
        ticks -= i64::from(o) * 600_000_000;
    }
    Some((ticks, offset))
}

/// `Guid.Parse` of the `D`, `N`, `B` and `P` forms.
pub fn parse_guid(t: &str) -> Option<u128> {
    let inner = if (t.starts_with('{') && t.ends_with('}')) || (t.starts_with('(') && t.ends_with(')')) {
        t.get(1..t.len() - 1)?
    } else {
        t
    };
    let hex: String = match inner.len() {
        32 => inner.to_owned(),
        36 => {
            let dashes = [8, 13, 18, 23].iter().all(|&i| inner.as_bytes().get(i) == Some(&b'-'));
            if !dashes {
                return None;
            }
            inner.chars().filter(|c| *c != '-').collect()
        }
        _ => return None,
    };
    if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    u128::from_str_radix(&hex, 16).ok()
}

/// `new Guid(byte[])`: .NET's mixed-endian layout.
pub fn guid_from_bytes(b: &[u8]) -> EvalResult<u128> {
    let b: [u8; 16] = b
        .try_into()
        .map_err(|_| EvalError::argument("Byte array for Guid must be exactly 16 bytes long. (Parameter 'b')"))?;
    let order = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15];
    Ok(order.iter().fold(0u128, |acc, &i| (acc << 8) | u128::from(b[i])))
}

/// `TimeSpan.Parse` (invariant): `[-][d.]hh:mm[:ss[.fffffff]]` or `[-]d`.
pub fn parse_timespan(t: &str) -> Option<i64> {
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let ticks = if !body.contains(':') {
        body.parse::<i64>().ok()?.checked_mul(864_000_000_000)?
    } else {
        let (days, time) = match body.split_once('.') {
            Some((d, rest)) if !d.contains(':') => (d.parse::<i64>().ok()?, rest),
            _ => (0, body),
        };
        let (hms, frac) = match time.rsplit_once('.') {
            Some((a, f)) if a.matches(':').count() == 2 => (a, f),
            _ => (time, ""),
        };
        let mut it = hms.split(':');
        let h: i64 = it.next()?.parse().ok()?;
        let m: i64 = it.next()?.parse().ok()?;
        let s: i64 = it.next().map_or(Some(0), |x| x.parse().ok())?;
        if it.next().is_some()
            || h > 23
            || m > 59
            || s > 59
            || frac.len() > 7
            || !frac.bytes().all(|c| c.is_ascii_digit())
        {
            return None;
        }
        let f: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse::<i64>().ok()? * 10i64.pow(7 - frac.len() as u32)
        };
        days.checked_mul(864_000_000_000)? + (h * 3600 + m * 60 + s) * 10_000_000 + f
    };
    Some(if neg { -ticks } else { ticks })
}
