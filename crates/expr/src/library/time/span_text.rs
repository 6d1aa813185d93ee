//! `TimeSpan` text: `ToString` (`c`, `g`, `G`, custom `hh\\:mm\\:ss`
//! patterns) and parsing (`Parse` in the invariant `c`/`g` forms,
//! `ParseExact` with a standard or custom pattern).
//!
//! Invariant: patterns and inputs are walked by index with bounds checks;
//! component values are range-checked and summed with checked arithmetic.

use std::fmt::Write;

use super::datetime::{unit, TimeSpan};
use crate::error::{EvalError, EvalErrorKind, EvalResult};

/// The `c` format: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_constant(t: TimeSpan) -> String {
    let mut out = String::new();
    if t.ticks < 0 {
        out.push('-');
    }
    let a = t.ticks.unsigned_abs();
    let secs = a / unit::SECOND as u64;
    let frac = a % unit::SECOND as u64;
    let days = secs / 86_400;
    if days > 0 {
        let _ = write!(out, "{days}.");
    }
    let _ = write!(out, "{:02}:{:02}:{:02}", secs / 3600 % 24, secs / 60 % 60, secs % 60);
    if frac > 0 {
        let _ = write!(out, ".{frac:07}");
    }
    out
}

pub fn bad_format() -> EvalError {
    EvalError::new(EvalErrorKind::Format, "Input string was not in a correct format.")
}

/// `ToString(format)`.
pub fn format(t: TimeSpan, format: &str) -> EvalResult<String> {
    let a = t.ticks.unsigned_abs();
    let (days, h, mi, s, frac) = (
        a / unit::DAY as u64,
        a / unit::HOUR as u64 % 24,
        a / unit::MINUTE as u64 % 60,
        a / unit::SECOND as u64 % 60,
        a % unit::SECOND as u64,
    );
    let sign = if t.ticks < 0 { "-" } else { "" };
    match format {
        "" | "c" | "t" | "T" => Ok(format_constant(t)),
        "g" => {
            let mut out = String::from(sign);
            if days > 0 {
                let _ = write!(out, "{days}:");
            }
            let _ = write!(out, "{h}:{mi:02}:{s:02}");
            if frac > 0 {
                let f = format!("{frac:07}");
                let _ = write!(out, ".{}", f.trim_end_matches('0'));
            }
            Ok(out)
        }
        "G" => Ok(format!("{sign}{days}:{h:02}:{mi:02}:{s:02}.{frac:07}")),
        f if f.chars().count() == 1 => Err(bad_format()),
        f => custom(days, h, mi, s, frac, f),
    }
}

fn custom(days: u64, h: u64, mi: u64, s: u64, frac: u64, pattern: &str) -> EvalResult<String> {
    let p: Vec<char> = pattern.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < p.len() {
        let ch = p[i];
        let mut n = 1;
        while i + n < p.len() && p[i + n] == ch {
            n += 1;
        }
        match ch {
            'd' if n <= 8 => {
                let _ = write!(out, "{days:0n$}");
            }
            'h' | 'm' | 's' if n <= 2 => {
                let v = match ch {
                    'h' => h,
                    'm' => mi,
                    _ => s,
                };
                let _ = write!(out, "{v:0n$}");
            }
            'f' | 'F' if n <= 7 => {
                let all = format!("{frac:07}");
                let part = &all[..n];
                out.push_str(if ch == 'f' { part } else { part.trim_end_matches('0') });
            }
            '\'' | '"' => {
                let end = p[i + 1..].iter().position(|&x| x == ch).ok_or_else(bad_format)?;
                out.extend(&p[i + 1..i + 1 + end]);
                i += end + 2;
                continue;
            }
            '\\' => {
                out.push(*p.get(i + 1).ok_or_else(bad_format)?);
                i += 2;
                continue;
            }
            '%' if n == 1 && i + 1 < p.len() => {
                i += 1;
                continue;
            }
            _ => return Err(bad_format()),
        }
        i += n;
    }
    Ok(out)
}

pub fn parse_error(s: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        format!("String '{s}' was not recognized as a valid TimeSpan."),
    )
}

fn range_error(s: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Overflow,
        format!("The TimeSpan string '{s}' could not be parsed because at least one of the numeric components is out of range or contains too many digits."),
    )
}

fn uint(t: &str) -> Option<u64> {
    (!t.is_empty() && t.len() <= 10 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse().ok())
        .flatten()
}

/// `TimeSpan.Parse` in the invariant culture: `[-]d`, `[-][d.]h:m[:s[.f]]`
/// or `[-]d:h:m:s[.f]`, surrounding whitespace allowed.
pub fn parse(s: &str) -> EvalResult<TimeSpan> {
    let t = s.trim();
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t),
    };
    let parts: Vec<&str> = body.split(':').collect();
    let (days, h, mi, sec, frac) = match parts.as_slice() {
        [d] => (uint(d).ok_or_else(|| parse_error(s))?, 0, 0, "0", ""),
        [dh, m, rest @ ..] if rest.len() <= 2 => {
            let (days, h, sec) = if rest.len() == 2 {
                (uint(dh).ok_or_else(|| parse_error(s))?, parts[1], rest[1])
            } else {
                let (d, h) = match dh.split_once('.') {
                    Some((d, h)) => (uint(d).ok_or_else(|| parse_error(s))?, h),
                    None => (0, *dh),
                };
                (d, h, rest.first().copied().unwrap_or("0"))
            };
            let m = if rest.len() == 2 { rest[0] } else { m };
            let (sec, frac) = sec.split_once('.').unwrap_or((sec, ""));
            (
                days,
                uint(h).ok_or_else(|| parse_error(s))?,
                uint(m).ok_or_else(|| parse_error(s))?,
                sec,
                frac,
            )
        }
        _ => return Err(parse_error(s)),
    };
    let sec = uint(sec).ok_or_else(|| parse_error(s))?;
    if !frac.is_empty() && (frac.len() > 7 || !frac.bytes().all(|b| b.is_ascii_digit())) {
        return Err(if frac.bytes().all(|b| b.is_ascii_digit()) {
            range_error(s)
        } else {
            parse_error(s)
        });
    }
    if h > 23 || mi > 59 || sec > 59 || days > 10_675_199 {
        return Err(range_error(s));
    }
    let f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().unwrap_or(0) * 10u64.pow(7 - frac.len() as u32)
    };
    let ticks = i128::from(days) * i128::from(unit::DAY)
        + i128::from(h) * i128::from(unit::HOUR)
        + i128::from(mi) * i128::from(unit::MINUTE)
        + i128::from(sec) * i128::from(unit::SECOND)
        + i128::from(f);
    let ticks = if neg { -ticks } else { ticks };
    i64::try_from(ticks)
        .map(|ticks| TimeSpan { ticks })
        .map_err(|_| range_error(s))
}

/// `TimeSpan.ParseExact` with one format (standard `c`/`g`/`G` or custom).
pub fn parse_exact(s: &str, f: &str) -> EvalResult<Option<TimeSpan>> {
    if matches!(f, "c" | "t" | "T" | "g" | "G") {
        return Ok(parse(s).ok());
    }
    // A custom pattern: parse by formatting candidates' structure.
    let p: Vec<char> = f.chars().collect();
    let c: Vec<char> = s.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut ticks: i64 = 0;
    while i < p.len() {
        let ch = p[i];
        let mut n = 1;
        while i + n < p.len() && p[i + n] == ch {
            n += 1;
        }
        match ch {
            'd' | 'h' | 'm' | 's' | 'f' | 'F' => {
                let start = j;
                let max = match ch {
                    'd' => 8,
                    'f' | 'F' => n,
                    _ => 2,
                };
                while j < c.len() && j - start < max && c[j].is_ascii_digit() {
                    j += 1;
                }
                let min = if matches!(ch, 'd' | 'h' | 'm' | 's') {
                    n.clamp(1, 2)
                } else if ch == 'f' {
                    n
                } else {
                    0
                };
                if j - start < min {
                    return Ok(None);
                }
                let text: String = c[start..j].iter().collect();
                let v: i64 = if text.is_empty() { 0 } else { text.parse().unwrap_or(0) };
                let (limit, u) = match ch {
                    'd' => (10_675_199, unit::DAY),
                    'h' => (23, unit::HOUR),
                    'm' => (59, unit::MINUTE),
                    's' => (59, unit::SECOND),
                    _ => (9_999_999, 10i64.pow(7 - text.len() as u32)),
                };
                if v > limit {
                    return Err(range_error(s));
                }
                ticks = v
                    .checked_mul(u)
                    .and_then(|x| ticks.checked_add(x))
                    .ok_or_else(|| range_error(s))?;
            }
            '\'' | '"' => {
                let end = p[i + 1..].iter().position(|&x| x == ch).ok_or_else(bad_format)? + i + 1;
                for &lit in &p[i + 1..end] {
                    if c.get(j) != Some(&lit) {
                        return Ok(None);
                    }
                    j += 1;
                }
                i = end + 1;
                continue;
            }
            '\\' => {
                let lit = *p.get(i + 1).ok_or_else(bad_format)?;
                if c.get(j) != Some(&lit) {
                    return Ok(None);
                }
                j += 1;
                i += 2;
                continue;
            }
            _ => return Err(bad_format()),
        }
        i += n;
    }
    Ok((j == c.len()).then_some(TimeSpan { ticks }))
}
