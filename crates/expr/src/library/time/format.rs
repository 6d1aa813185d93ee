//! `DateTime`/`DateTimeOffset` formatting in the invariant culture: the
//! standard formats (`d D f F g G M m o O r R s t T u U Y y`) and custom
//! patterns (`yyyy MM dd HH hh mm ss f…fffffff F…FFFFFFF tt K z zz zzz
//! ddd dddd MMM MMMM g`, quotes, `\` escapes, `%x`).
//!
//! Invariant: the pattern is walked by index with bounds checks; an
//! invalid pattern is a `FormatException`, never a panic.

use std::fmt::Write;

use super::datetime::{unit, Civil, DateTime, DateTimeOffset, Kind};
use crate::error::{EvalError, EvalErrorKind, EvalResult};

pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
pub const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

pub fn bad_format() -> EvalError {
    EvalError::new(EvalErrorKind::Format, "Input string was not in a correct format.")
}

/// What a pattern is applied to.
struct Subject {
    c: Civil,
    /// `K`: "Z", an offset, or nothing.
    kind: Kind,
    /// The offset in minutes shown by `z` and (for offsets) `K`.
    offset: i32,
    is_offset: bool,
}

/// The pattern of a standard format for `DateTime` (`offset`: for a
/// `DateTimeOffset`), and whether the value must first go to UTC.
fn standard(format: &str, offset: bool) -> EvalResult<(&'static str, bool)> {
    Ok(match format {
        "d" => ("MM/dd/yyyy", false),
        "D" => ("dddd, dd MMMM yyyy", false),
        "f" => ("dddd, dd MMMM yyyy HH:mm", false),
        "F" => ("dddd, dd MMMM yyyy HH:mm:ss", false),
        "g" => ("MM/dd/yyyy HH:mm", false),
        "G" => ("MM/dd/yyyy HH:mm:ss", false),
        "M" | "m" => ("MMMM dd", false),
        "o" | "O" => ("yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK", false),
        "r" | "R" => ("ddd, dd MMM yyyy HH':'mm':'ss 'GMT'", offset),
        "s" => ("yyyy'-'MM'-'dd'T'HH':'mm':'ss", false),
        "t" => ("HH:mm", false),
        "T" => ("HH:mm:ss", false),
        "u" => ("yyyy'-'MM'-'dd HH':'mm':'ss'Z'", offset),
        "U" if !offset => ("dddd, dd MMMM yyyy HH:mm:ss", true),
        "Y" | "y" => ("yyyy MMMM", false),
        _ => return Err(bad_format()),
    })
}

/// `DateTime.ToString(format)` ("" = `G`).
pub fn format_datetime(d: DateTime, format: &str) -> EvalResult<String> {
    let (pattern, to_utc) = match format {
        "" => ("MM/dd/yyyy HH:mm:ss", false),
        f if f.chars().count() == 1 => standard(f, false)?,
        f => return custom(&subject(d, d.kind, 0, false), f),
    };
    let d = if to_utc { d.to_utc() } else { d };
    custom(&subject(d, d.kind, 0, false), pattern)
}

/// `DateTimeOffset.ToString(format)` ("" = `G zzz`).
pub fn format_offset(d: DateTimeOffset, format: &str) -> EvalResult<String> {
    let (pattern, to_utc) = match format {
        "" => ("MM/dd/yyyy HH:mm:ss zzz", false),
        f if f.chars().count() == 1 => standard(f, true)?,
        f => (f, false),
    };
    let (local, off) = if to_utc {
        (d.utc, 0)
    } else {
        (d.local(), i32::from(d.offset_minutes))
    };
    custom(&subject(local, Kind::Unspecified, off, true), pattern)
}

fn subject(d: DateTime, kind: Kind, offset: i32, is_offset: bool) -> Subject {
    Subject {
        c: d.civil(),
        kind,
        offset,
        is_offset,
    }
}

fn offset_text(out: &mut String, minutes: i32, n: usize) {
    out.push(if minutes < 0 { '-' } else { '+' });
    let m = minutes.unsigned_abs();
    let _ = match n {
        1 => write!(out, "{}", m / 60),
        2 => write!(out, "{:02}", m / 60),
        _ => write!(out, "{:02}:{:02}", m / 60, m % 60),
    };
}

fn digits(out: &mut String, v: i64, n: usize) {
    let _ = write!(out, "{:0width$}", v, width = n.min(2));
}

/// Applies a custom pattern.
fn custom(s: &Subject, pattern: &str) -> EvalResult<String> {
    let p: Vec<char> = pattern.chars().collect();
    let c = &s.c;
    let mut out = String::with_capacity(p.len() + 16);
    let mut i = 0;
    while i < p.len() {
        let ch = p[i];
        let mut n = 1;
        while i + n < p.len() && p[i + n] == ch {
            n += 1;
        }
        match ch {
            'y' => {
                let y = c.year;
                let _ = match n {
                    1 => write!(out, "{}", y % 100),
                    2 => write!(out, "{:02}", y % 100),
                    _ => write!(out, "{:0width$}", y, width = n),
                };
            }
            'M' => match n {
                1 | 2 => digits(&mut out, c.month.into(), n),
                3 => out.push_str(&MONTHS[(c.month as usize + 11) % 12][..3]),
                _ => out.push_str(MONTHS[(c.month as usize + 11) % 12]),
            },
            'd' => match n {
                1 | 2 => digits(&mut out, c.day.into(), n),
                3 => out.push_str(&DAYS[c.weekday as usize % 7][..3]),
                _ => out.push_str(DAYS[c.weekday as usize % 7]),
            },
            'H' => digits(&mut out, c.hour.into(), n),
            'h' => digits(&mut out, ((c.hour + 11) % 12 + 1).into(), n),
            'm' => digits(&mut out, c.minute.into(), n),
            's' => digits(&mut out, c.second.into(), n),
            't' => {
                let ampm = if c.hour < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &ampm[..1] } else { ampm });
            }
            'f' | 'F' => {
                if n > 7 {
                    return Err(bad_format());
                }
                let all = format!("{:07}", c.frac);
                let part = &all[..n];
                if ch == 'f' {
                    out.push_str(part);
                } else {
                    let t = part.trim_end_matches('0');
                    if t.is_empty() {
                        if out.ends_with('.') {
                            out.pop();
                        }
                    } else {
                        out.push_str(t);
                    }
                }
            }
            'g' => out.push_str("A.D."),
            'K' => {
                for _ in 0..n {
                    if s.is_offset {
                        offset_text(&mut out, s.offset, 3);
                    } else {
                        match s.kind {
                            Kind::Utc => out.push('Z'),
                            Kind::Local => out.push_str("+00:00"),
                            Kind::Unspecified => {}
                        }
                    }
                }
            }
            'z' => offset_text(&mut out, s.offset, n),
            ':' | '/' => {
                for _ in 0..n {
                    out.push(ch);
                }
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
            '%' => {
                // `%d`: a one-letter custom pattern.
                let next = *p.get(i + 1).ok_or_else(bad_format)?;
                if next == '%' {
                    return Err(bad_format());
                }
                out.push_str(&custom(s, &next.to_string())?);
                i += 2;
                continue;
            }
            _ => {
                for _ in 0..n {
                    out.push(ch);
                }
            }
        }
        i += n;
    }
    Ok(out)
}

/// Milliseconds within the second (for `Millisecond`).
pub fn millisecond(d: DateTime) -> i64 {
    d.ticks.rem_euclid(unit::SECOND) / unit::MILLISECOND
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leap() -> DateTime {
        DateTime::from_fields(2024, 2, 29, [13, 5, 9, 0], Kind::Utc)
            .unwrap()
            .add_ticks(1_234_567)
            .unwrap()
    }

    #[test]
    fn standard_formats() {
        let d = leap();
        assert_eq!(format_datetime(d, "o").unwrap(), "2024-02-29T13:05:09.1234567Z");
        let l = d.with_kind(Kind::Local);
        assert_eq!(format_datetime(l, "o").unwrap(), "2024-02-29T13:05:09.1234567+00:00");
        let u = d.with_kind(Kind::Unspecified);
        assert_eq!(format_datetime(u, "o").unwrap(), "2024-02-29T13:05:09.1234567");
        assert_eq!(format_datetime(d, "s").unwrap(), "2024-02-29T13:05:09");
        assert_eq!(format_datetime(d, "u").unwrap(), "2024-02-29 13:05:09Z");
        assert_eq!(format_datetime(d, "R").unwrap(), "Thu, 29 Feb 2024 13:05:09 GMT");
        assert_eq!(format_datetime(d, "").unwrap(), "02/29/2024 13:05:09");
        assert_eq!(format_datetime(d, "D").unwrap(), "Thursday, 29 February 2024");
        assert_eq!(format_datetime(d, "f").unwrap(), "Thursday, 29 February 2024 13:05");
        assert_eq!(format_datetime(d, "M").unwrap(), "February 29");
        assert_eq!(format_datetime(d, "Y").unwrap(), "2024 February");
        assert_eq!(format_datetime(d, "t").unwrap(), "13:05");
        assert!(format_datetime(d, "x").is_err());
    }

    #[test]
    fn custom_formats() {
        let d = leap();
        assert_eq!(
            format_datetime(d, "yyyy-MM-ddTHH:mm:ss.fffZ").unwrap(),
            "2024-02-29T13:05:09.123Z"
        );
        assert_eq!(format_datetime(d, "yyyy-MM-dd").unwrap(), "2024-02-29");
        assert_eq!(format_datetime(d, "yyyyMMdd").unwrap(), "20240229");
        assert_eq!(format_datetime(d, "h:mm tt 'at' d/M/yy").unwrap(), "1:05 PM at 29/2/24");
        assert_eq!(format_datetime(d, "\\Y yyyy").unwrap(), "Y 2024");
        assert_eq!(format_datetime(d, "%d").unwrap(), "29");
        assert_eq!(
            format_datetime(d, "HH:mm:ss.FFF zzz K").unwrap(),
            "13:05:09.123 +00:00 Z"
        );
        assert_eq!(format_datetime(d.date(), "HH:mm:ss.FFF").unwrap(), "00:00:00");
        assert_eq!(format_datetime(d, "ddd MMM").unwrap(), "Thu Feb");
        assert!(format_datetime(d, "'unterminated").is_err());
        assert!(format_datetime(d, "ffffffff").is_err());
        let o = DateTimeOffset::from_local(d.with_kind(Kind::Unspecified), 120).unwrap();
        assert_eq!(format_offset(o, "o").unwrap(), "2024-02-29T13:05:09.1234567+02:00");
        assert_eq!(format_offset(o, "").unwrap(), "02/29/2024 13:05:09 +02:00");
        assert_eq!(format_offset(o, "u").unwrap(), "2024-02-29 11:05:09Z");
        assert_eq!(format_offset(o, "zz").unwrap(), "+02");
    }
}
