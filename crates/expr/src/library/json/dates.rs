//! Dates in JSON the way Newtonsoft.Json reads and writes them with its
//! defaults (`DateParseHandling.DateTime`, `DateTimeZoneHandling.RoundtripKind`,
//! `DateFormatHandling.IsoDateFormat`).
//!
//! What a JSON string becomes a `JTokenType.Date` value (exactly
//! Newtonsoft's `DateTimeUtils.TryParseDateTime` without a format string):
//! - ISO 8601: 19 to 40 characters, a digit first and `T` at index 10, then
//!   strictly `yyyy-MM-ddTHH:mm:ss`, an optional fraction of 1 to 7 digits,
//!   and an optional zone `Z`/`z`, `±hh`, `±hh:mm` or `±hhmm`, nothing else
//!   (`2024-01-02` alone, or with a space instead of `T`, stays a string);
//! - Microsoft's `/Date(ms)/` and `/Date(ms±hhmm)/`.
//!
//! The kind: no zone → `Unspecified` (written back without a zone); `Z` →
//! `Utc` (written back with `Z`); an offset → converted to the machine's
//! local time, `Local` (written back with the local offset). APIM's
//! self-hosted gateway runs in a UTC container, so Outpost takes local time
//! to be UTC: `"…T03:04:05+02:00"` reads as 01:04:05 and is written back as
//! `"…T01:04:05+00:00"`, as Newtonsoft does in such a container.
//!
//! Ticks here are the time family's (`DateTime.ticks`: 100 ns since
//! 1970-01-01) of the *clock reading* (what .NET's `DateTime.Ticks` shows).

use std::fmt::Write;

use crate::library::time::civil;
use crate::library::time::datetime::DateTime;

/// A `DateTime`'s `Kind` as a JSON value keeps it (for writing it back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateKind {
    Unspecified,
    Utc,
    Local,
}

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;

/// `DateTime.MinValue` / `MaxValue` in our ticks.
fn min_ticks() -> i64 {
    civil::days_from_civil(1, 1, 1) * 86_400 * TICKS_PER_SECOND
}

fn max_ticks() -> i64 {
    civil::days_from_civil(10_000, 1, 1) * 86_400 * TICKS_PER_SECOND - 1
}

/// Newtonsoft's date detection on a JSON string: `Some((ticks, kind))` if
/// it reads the string as a date.
pub fn parse_json_date(s: &str) -> Option<(i64, DateKind)> {
    let b = s.as_bytes();
    if b.first() == Some(&b'/') {
        if b.len() >= 9 && s.starts_with("/Date(") && s.ends_with(")/") {
            return parse_microsoft(s);
        }
        return None;
    }
    if (19..=40).contains(&b.len()) && b[0].is_ascii_digit() && b[10] == b'T' {
        return parse_iso(b);
    }
    None
}

/// A cursor over the ASCII bytes (Newtonsoft's `DateTimeParser`).
struct Cursor<'s> {
    b: &'s [u8],
}

impl Cursor<'_> {
    fn digits(&self, at: usize, n: usize) -> Option<u32> {
        let part = self.b.get(at..at + n)?;
        part.iter().try_fold(0u32, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
        })
    }

    fn is(&self, at: usize, c: u8) -> bool {
        self.b.get(at) == Some(&c)
    }
}

fn parse_iso(b: &[u8]) -> Option<(i64, DateKind)> {
    let c = Cursor { b };
    let year = c.digits(0, 4)?;
    let month = c.digits(5, 2)?;
    let day = c.digits(8, 2)?;
    let date_ok = year >= 1
        && c.is(4, b'-')
        && c.is(7, b'-')
        && (1..=12).contains(&month)
        && day >= 1
        && day <= civil::days_in_month(i64::from(year), month);
    if !date_ok || !c.is(10, b'T') {
        return None;
    }
    let hour = c.digits(11, 2)?;
    let minute = c.digits(14, 2)?;
    let second = c.digits(17, 2)?;
    if hour >= 24 || minute >= 60 || second >= 60 || !c.is(13, b':') || !c.is(16, b':') {
        return None;
    }
    let mut pos = 19;
    let mut fraction: i64 = 0;
    if c.is(pos, b'.') {
        let mut n = 0;
        pos += 1;
        while pos < b.len() && n < 7 && b[pos].is_ascii_digit() {
            fraction = fraction * 10 + i64::from(b[pos] - b'0');
            n += 1;
            pos += 1;
        }
        if n == 0 {
            return None;
        }
        fraction *= 10i64.pow(7 - n);
    }
    // The zone (Newtonsoft's `ParseZone`, including its leniency).
    let mut kind = DateKind::Unspecified;
    let mut offset_minutes: i64 = 0;
    if pos < b.len() {
        let ch = b[pos];
        if ch == b'Z' || ch == b'z' {
            kind = DateKind::Utc;
            pos += 1;
        } else {
            let mut sign = 0i64;
            let mut zone_hour = 0;
            if pos + 2 < b.len() {
                if let Some(h) = c.digits(pos + 1, 2) {
                    zone_hour = h;
                    sign = match ch {
                        b'-' => -1,
                        b'+' => 1,
                        _ => 0,
                    };
                    if sign != 0 {
                        pos += 3;
                    }
                }
            }
            let mut zone_minute = 0;
            if pos < b.len() {
                let at = if c.is(pos, b':') { pos + 1 } else { pos };
                if at + 1 < b.len() {
                    if let Some(m) = c.digits(at, 2) {
                        zone_minute = m;
                        pos = at + 2;
                    } else {
                        pos = at;
                    }
                } else {
                    pos = at;
                }
            }
            if sign != 0 {
                kind = DateKind::Local;
                offset_minutes = sign * i64::from(zone_hour * 60 + zone_minute);
            }
        }
    }
    if pos != b.len() {
        return None;
    }
    let days = civil::days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
    let mut ticks = secs * TICKS_PER_SECOND + fraction;
    if kind == DateKind::Local {
        // To UTC, then to local time (UTC in the gateway's container),
        // clamped to DateTime's range as Newtonsoft does.
        ticks = (ticks - offset_minutes * TICKS_PER_MINUTE).clamp(min_ticks(), max_ticks());
    }
    Some((ticks, kind))
}

fn parse_microsoft(s: &str) -> Option<(i64, DateKind)> {
    // "/Date(" digits [±hh[mm]] ")/"
    let inner = &s[6..s.len() - 2];
    let zone_at = inner
        .char_indices()
        .skip(1)
        .find(|&(_, c)| c == '+')
        .or_else(|| inner.char_indices().skip(1).find(|&(_, c)| c == '-'))
        .map(|(i, _)| i);
    let (num, kind) = match zone_at {
        Some(i) => {
            let zone = &inner[i + 1..];
            let ok = zone.len() >= 2
                && zone.bytes().take(2).all(|c| c.is_ascii_digit())
                && (zone.len() < 4 || zone.bytes().skip(2).take(2).all(|c| c.is_ascii_digit()));
            if !ok {
                return None;
            }
            (&inner[..i], DateKind::Local)
        }
        None => (inner, DateKind::Utc),
    };
    let ms: i64 = num.parse().ok()?;
    let ticks = ms.checked_mul(10_000)?;
    (min_ticks()..=max_ticks()).contains(&ticks).then_some((ticks, kind))
}

/// Writes a date as Newtonsoft does (`WriteDefaultIsoDate` and the kind's
/// suffix): `yyyy-MM-ddTHH:mm:ss[.fffffff trimmed]` then `Z`, the local
/// offset (`+00:00`), or nothing.
pub fn write_iso(out: &mut String, ticks: i64, kind: DateKind) {
    write_clock(out, ticks);
    match kind {
        DateKind::Utc => out.push('Z'),
        DateKind::Local => out.push_str("+00:00"),
        DateKind::Unspecified => {}
    }
}

/// A `DateTimeOffset`: its clock time and its offset (`+02:00`).
pub fn write_iso_offset(out: &mut String, utc_ticks: i64, offset_minutes: i16) {
    write_clock(out, utc_ticks + i64::from(offset_minutes) * TICKS_PER_MINUTE);
    write_offset(out, offset_minutes);
}

/// `+hh:mm`.
pub fn write_offset(out: &mut String, offset_minutes: i16) {
    let sign = if offset_minutes < 0 { '-' } else { '+' };
    let m = offset_minutes.unsigned_abs();
    let _ = write!(out, "{sign}{:02}:{:02}", m / 60, m % 60);
}

fn write_clock(out: &mut String, ticks: i64) {
    let c = DateTime {
        ticks,
        kind: crate::library::time::datetime::Kind::Unspecified,
    }
    .civil();
    let digits = |out: &mut String, v: u32, n: u32| {
        for k in (0..n).rev() {
            out.push(char::from(b'0' + (v / 10u32.pow(k) % 10) as u8));
        }
    };
    digits(out, c.year.clamp(0, 9999) as u32, 4);
    out.push('-');
    digits(out, c.month, 2);
    out.push('-');
    digits(out, c.day, 2);
    out.push('T');
    digits(out, c.hour, 2);
    out.push(':');
    digits(out, c.minute, 2);
    out.push(':');
    digits(out, c.second, 2);
    if c.frac != 0 {
        let mut f = c.frac;
        let mut n = 7;
        while f.is_multiple_of(10) {
            f /= 10;
            n -= 1;
        }
        out.push('.');
        digits(out, f, n);
    }
}

/// The text of an ISO date as Newtonsoft writes it (for JSONPath's
/// string comparison of dates).
pub fn iso_text(ticks: i64, kind: DateKind) -> String {
    let mut s = String::with_capacity(33);
    write_iso(&mut s, ticks, kind);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(s: &str) -> Option<String> {
        parse_json_date(s).map(|(t, k)| iso_text(t, k))
    }

    #[test]
    fn iso_forms_newtonsoft_reads() {
        assert_eq!(iso("2024-01-02T03:04:05Z").as_deref(), Some("2024-01-02T03:04:05Z"));
        assert_eq!(iso("2024-01-02T03:04:05").as_deref(), Some("2024-01-02T03:04:05"));
        assert_eq!(
            iso("2024-01-02T03:04:05.1230000Z").as_deref(),
            Some("2024-01-02T03:04:05.123Z")
        );
        assert_eq!(
            iso("2024-01-02T03:04:05+02:00").as_deref(),
            Some("2024-01-02T01:04:05+00:00")
        );
        assert_eq!(
            iso("2024-01-02T03:04:05-0130").as_deref(),
            Some("2024-01-02T04:34:05+00:00")
        );
        assert_eq!(
            iso("2024-01-02T03:04:05+02").as_deref(),
            Some("2024-01-02T01:04:05+00:00")
        );
        assert_eq!(
            iso("0001-01-01T00:00:00+01:00").as_deref(),
            Some("0001-01-01T00:00:00+00:00")
        );
    }

    #[test]
    fn strings_that_stay_strings() {
        for s in [
            "2024-01-02",
            "2024-01-02 03:04:05",
            "2024-13-02T03:04:05",
            "2023-02-29T03:04:05",
            "2024-01-02T24:00:00",
            "2024-01-02T03:04:05.",
            "2024-01-02T03:04:05.12345678",
            "2024-01-02T03:04:05Zx",
            "0000-01-02T03:04:05",
            "hello",
            "/Date(x)/",
        ] {
            assert_eq!(parse_json_date(s), None, "{s}");
        }
    }

    #[test]
    fn microsoft_dates() {
        assert_eq!(iso("/Date(0)/").as_deref(), Some("1970-01-01T00:00:00Z"));
        assert_eq!(iso("/Date(1000+0100)/").as_deref(), Some("1970-01-01T00:00:01+00:00"));
        assert_eq!(iso("/Date(-1000)/").as_deref(), Some("1969-12-31T23:59:59Z"));
    }
}
