//! `DateTime.Parse` / `DateTimeOffset.Parse` in the invariant culture and
//! `ParseExact` with a custom or standard pattern.
//!
//! `Parse` accepts the forms policies meet: ISO 8601 (`2024-01-02`,
//! `2024-01-02T03:04:05.123Z`, with `+hh:mm`/`+hhmm` offsets or a space
//! for `T`), `yyyy/MM/dd`, the invariant culture's `M/d/yyyy[ h:mm[:ss]
//! [AM|PM]]`, RFC 1123 (`Tue, 02 Jan 2024 03:04:05 GMT`), `d MMM yyyy`,
//! `MMMM d, yyyy`, and a time alone (today's date). .NET's parser accepts
//! more shapes; anything else is a `FormatException`.
//!
//! Invariant: parsing walks the text by index with bounds checks; every
//! field is range-checked before a value is made.

use super::datetime::{unit, DateTime, Kind, TICKS_PER_SECOND};
use super::format::{DAYS, MONTHS};
use crate::error::{EvalError, EvalErrorKind, EvalResult};

/// A parsed date and time: the clock time and the offset it named, if any.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parsed {
    pub clock: DateTime,
    /// Minutes east of UTC (`Z`/`GMT` = 0), when the text had a zone.
    pub offset: Option<i32>,
}

pub fn not_recognized(s: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        format!("String '{s}' was not recognized as a valid DateTime."),
    )
}

struct Cur<'s> {
    c: Vec<char>,
    i: usize,
    _s: &'s str,
}

impl<'s> Cur<'s> {
    fn new(s: &'s str) -> Cur<'s> {
        Cur {
            c: s.trim().chars().collect(),
            i: 0,
            _s: s,
        }
    }

    fn peek(&self) -> Option<char> {
        self.c.get(self.i).copied()
    }

    fn done(&self) -> bool {
        self.i >= self.c.len()
    }

    fn eat(&mut self, ch: char) -> bool {
        if self.peek() == Some(ch) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ws(&mut self) -> bool {
        let start = self.i;
        while self.peek().is_some_and(char::is_whitespace) {
            self.i += 1;
        }
        self.i > start
    }

    /// Between `min` and `max` digits.
    fn num(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.peek().and_then(|c| c.to_digit(10)) {
                Some(d) => {
                    v = v * 10 + i64::from(d);
                    self.i += 1;
                }
                None => break,
            }
        }
        if self.i - start < min {
            self.i = start;
            return None;
        }
        Some(v)
    }

    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(c) = self.peek().filter(char::is_ascii_alphabetic) {
            w.push(c);
            self.i += 1;
        }
        w
    }

    /// A fraction of a second after the `.`: ticks (7 digits kept).
    fn fraction(&mut self) -> Option<i64> {
        let start = self.i;
        let mut ticks = 0;
        let mut n = 0;
        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
            if n < 7 {
                ticks = ticks * 10 + i64::from(d);
                n += 1;
            }
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        for _ in n..7 {
            ticks *= 10;
        }
        Some(ticks)
    }

    /// `Z`, `GMT`, `UTC`, `+hh`, `+hh:mm`, `+hhmm`.
    fn zone(&mut self) -> Option<Option<i32>> {
        let save = self.i;
        self.ws();
        if self.eat('Z') {
            return Some(Some(0));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            let neg = self.peek() == Some('-');
            self.i += 1;
            let h = self.num(1, 2)?;
            let m = if self.eat(':') {
                self.num(2, 2)?
            } else {
                self.num(2, 2).unwrap_or(0)
            };
            if h > 14 || m > 59 {
                return None;
            }
            let off = (h * 60 + m) as i32;
            return Some(Some(if neg { -off } else { off }));
        }
        let w = self.word();
        if w.eq_ignore_ascii_case("GMT") || w.eq_ignore_ascii_case("UTC") {
            return Some(Some(0));
        }
        self.i = save;
        Some(None)
    }

    /// `h:mm[:ss[.fffffff]][ AM|PM]` → ticks within the day.
    fn time(&mut self) -> Option<i64> {
        let h = self.num(1, 2)?;
        if !self.eat(':') {
            return None;
        }
        let m = self.num(2, 2)?;
        let s = if self.eat(':') { self.num(2, 2)? } else { 0 };
        let frac = if self.eat('.') { self.fraction()? } else { 0 };
        let save = self.i;
        self.ws();
        let w = self.word();
        let h = if w.eq_ignore_ascii_case("AM") || w.eq_ignore_ascii_case("PM") {
            if !(1..=12).contains(&h) {
                return None;
            }
            h % 12 + if w.eq_ignore_ascii_case("PM") { 12 } else { 0 }
        } else {
            self.i = save;
            h
        };
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        Some(((h * 60 + m) * 60 + s) * TICKS_PER_SECOND + frac)
    }
}

fn month_named(w: &str) -> Option<i64> {
    MONTHS
        .iter()
        .position(|m| m.eq_ignore_ascii_case(w) || (w.len() == 3 && m[..3].eq_ignore_ascii_case(w)))
        .map(|i| i as i64 + 1)
}

fn is_day_name(w: &str) -> bool {
    DAYS.iter()
        .any(|d| d.eq_ignore_ascii_case(w) || (w.len() == 3 && d[..3].eq_ignore_ascii_case(w)))
}

fn make(y: i64, m: i64, d: i64, time: i64, offset: Option<i32>) -> Option<Parsed> {
    let date = DateTime::from_fields(y, m, d, [0, 0, 0, 0], Kind::Unspecified).ok()?;
    Some(Parsed {
        clock: date.add_ticks(time).ok()?,
        offset,
    })
}

/// After a date: an optional time (after `T` or whitespace) and zone.
fn tail(c: &mut Cur<'_>, y: i64, m: i64, d: i64) -> Option<Parsed> {
    let save = c.i;
    let time = if c.eat('T') || c.ws() {
        match c.time() {
            Some(t) => t,
            None => {
                c.i = save;
                0
            }
        }
    } else {
        0
    };
    let zone = c.zone()?;
    c.ws();
    if !c.done() {
        return None;
    }
    make(y, m, d, time, zone)
}

/// The general parser (`today`: the date a time alone gets).
pub fn parse(s: &str, today: DateTime) -> Option<Parsed> {
    let attempts: [fn(&mut Cur<'_>, DateTime) -> Option<Parsed>; 4] = [iso, slashes, named, time_only];
    attempts.iter().find_map(|f| f(&mut Cur::new(s), today))
}

fn iso(c: &mut Cur<'_>, _: DateTime) -> Option<Parsed> {
    let y = c.num(4, 4)?;
    let sep = c.peek().filter(|&x| x == '-' || x == '/')?;
    c.i += 1;
    let m = c.num(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let d = c.num(1, 2)?;
    tail(c, y, m, d)
}

fn slashes(c: &mut Cur<'_>, _: DateTime) -> Option<Parsed> {
    let m = c.num(1, 2)?;
    let sep = c.peek().filter(|&x| x == '/' || x == '-' || x == '.')?;
    c.i += 1;
    let d = c.num(1, 2)?;
    if !c.eat(sep) {
        return None;
    }
    let y = c.num(4, 4)?;
    tail(c, y, m, d)
}

fn named(c: &mut Cur<'_>, _: DateTime) -> Option<Parsed> {
    let save = c.i;
    let w = c.word();
    if is_day_name(&w) {
        c.eat(',');
        c.ws();
    } else {
        c.i = save;
    }
    // `dd MMM yyyy` or `MMM dd, yyyy`.
    let (d, m) = if let Some(d) = c.num(1, 2) {
        c.ws();
        c.eat('-');
        (d, month_named(&c.word())?)
    } else {
        let m = month_named(&c.word())?;
        c.ws();
        let d = c.num(1, 2)?;
        c.eat(',');
        (d, m)
    };
    c.ws();
    c.eat('-');
    let y = c.num(4, 4)?;
    tail(c, y, m, d)
}

fn time_only(c: &mut Cur<'_>, today: DateTime) -> Option<Parsed> {
    let t = c.time()?;
    let zone = c.zone()?;
    if !c.done() {
        return None;
    }
    let date = today.date().with_kind(Kind::Unspecified);
    Some(Parsed {
        clock: date.add_ticks(t).ok()?,
        offset: zone,
    })
}

/// The pattern of a standard format for `ParseExact`.
fn standard_pattern(f: &str) -> Option<&'static str> {
    Some(match f {
        "d" => "MM/dd/yyyy",
        "D" => "dddd, dd MMMM yyyy",
        "f" => "dddd, dd MMMM yyyy HH:mm",
        "F" => "dddd, dd MMMM yyyy HH:mm:ss",
        "g" => "MM/dd/yyyy HH:mm",
        "G" => "MM/dd/yyyy HH:mm:ss",
        "M" | "m" => "MMMM dd",
        "o" | "O" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        "r" | "R" => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        "s" => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        "t" => "HH:mm",
        "T" => "HH:mm:ss",
        "u" => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        "Y" | "y" => "yyyy MMMM",
        _ => return None,
    })
}

/// `ParseExact(s, format)`: `None` when `s` does not match; an error for
/// an invalid format.
pub fn parse_exact(s: &str, format: &str, today: DateTime) -> EvalResult<Option<Parsed>> {
    let pattern = if format.chars().count() == 1 {
        standard_pattern(format).ok_or_else(super::format::bad_format)?
    } else {
        format
    };
    if pattern.is_empty() {
        return Err(super::format::bad_format());
    }
    let gmt = matches!(format, "r" | "R" | "u");
    Ok(exact(s, pattern, today).map(|mut p| {
        if gmt {
            p.offset = Some(0);
        }
        p
    }))
}

fn exact(s: &str, pattern: &str, today: DateTime) -> Option<Parsed> {
    let p: Vec<char> = pattern.chars().collect();
    let mut c = Cur {
        c: s.chars().collect(),
        i: 0,
        _s: s,
    };
    let (mut y, mut mo, mut d) = (None, None, None);
    let (mut h, mut mi, mut sec, mut frac) = (0, 0, 0, 0);
    let mut pm: Option<bool> = None;
    let mut offset = None;
    let mut i = 0;
    while i < p.len() {
        let ch = p[i];
        let mut n = 1;
        while i + n < p.len() && p[i + n] == ch {
            n += 1;
        }
        let two = |c: &mut Cur<'_>| if n == 1 { c.num(1, 2) } else { c.num(2, 2) };
        match ch {
            'y' => {
                if n > 9 {
                    return None;
                }
                let v = if n <= 2 {
                    c.num(1, 2)?
                } else {
                    c.num(n.max(4), n.max(4))?
                };
                y = Some(if n <= 2 {
                    if v < 50 {
                        2000 + v
                    } else {
                        1900 + v
                    }
                } else {
                    v
                });
            }
            'M' if n >= 3 => mo = Some(month_named(&c.word())?),
            'M' => mo = Some(two(&mut c)?),
            'd' if n >= 3 => {
                if !is_day_name(&c.word()) {
                    return None;
                }
            }
            'd' => d = Some(two(&mut c)?),
            'H' | 'h' => h = two(&mut c)?,
            'm' => mi = two(&mut c)?,
            's' => sec = two(&mut c)?,
            'f' | 'F' => {
                if n > 7 {
                    return None;
                }
                let start = c.i;
                let v = c.num(if ch == 'f' { n } else { 0 }, n).unwrap_or(0);
                let got = c.i - start;
                frac = v * 10i64.pow(7 - got as u32);
            }
            't' => {
                let w = c.word();
                let is_pm = if w.eq_ignore_ascii_case("PM") || w.eq_ignore_ascii_case("P") {
                    true
                } else if w.eq_ignore_ascii_case("AM") || w.eq_ignore_ascii_case("A") {
                    false
                } else {
                    return None;
                };
                pm = Some(is_pm);
            }
            'z' | 'K' => match c.zone()? {
                Some(o) => offset = Some(o),
                None if ch == 'K' => {}
                None => return None,
            },
            '\'' | '"' => {
                let end = p[i + 1..].iter().position(|&x| x == ch)? + i + 1;
                for &lit in &p[i + 1..end] {
                    if !c.eat(lit) {
                        return None;
                    }
                }
                i = end + 1;
                continue;
            }
            '\\' => {
                if !c.eat(*p.get(i + 1)?) {
                    return None;
                }
                i += 2;
                continue;
            }
            '%' => {
                i += 1;
                continue;
            }
            lit => {
                for _ in 0..n {
                    if !(c.eat(lit) || (lit == ' ' && c.ws())) {
                        return None;
                    }
                }
            }
        }
        i += n;
    }
    if !c.done() {
        return None;
    }
    if let Some(is_pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = h % 12 + if is_pm { 12 } else { 0 };
    }
    let base = today.civil();
    let y = y.unwrap_or(base.year);
    let (mo, d) = match (mo, d) {
        (None, None) if y == base.year => (i64::from(base.month), i64::from(base.day)),
        (mo, d) => (mo.unwrap_or(1), d.unwrap_or(1)),
    };
    let clock = DateTime::from_fields(y, mo, d, [h, mi, sec, 0], Kind::Unspecified).ok()?;
    Some(Parsed {
        clock: clock.add_ticks(frac).ok()?,
        offset,
    })
}

/// The `DateTime` `DateTime.Parse` returns: with a zone, converted to local
/// time (UTC here) with kind Local; without, the clock time, Unspecified.
pub fn to_datetime(p: Parsed) -> EvalResult<DateTime> {
    match p.offset {
        None => Ok(p.clock),
        Some(off) => DateTime::checked(p.clock.ticks - i64::from(off) * unit::MINUTE, Kind::Local),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> DateTime {
        DateTime::from_unix_seconds(1_704_164_645)
    }

    fn p(s: &str) -> Option<String> {
        let r = parse(s, today())?;
        let d = to_datetime(r).ok()?;
        Some(format!(
            "{} {:?}",
            super::super::format::format_datetime(d, "o").ok()?,
            r.offset
        ))
    }

    #[test]
    fn general() {
        assert_eq!(p("2024-01-02").unwrap(), "2024-01-02T00:00:00.0000000 None");
        assert_eq!(
            p("2024-01-02T03:04:05Z").unwrap(),
            "2024-01-02T03:04:05.0000000+00:00 Some(0)"
        );
        assert_eq!(
            p("2024-01-02T03:04:05.5+02:00").unwrap(),
            "2024-01-02T01:04:05.5000000+00:00 Some(120)"
        );
        assert_eq!(p("2024-01-02 03:04").unwrap(), "2024-01-02T03:04:00.0000000 None");
        assert_eq!(p("01/02/2024 15:04:05").unwrap(), "2024-01-02T15:04:05.0000000 None");
        assert_eq!(p("1/2/2024 3:04 PM").unwrap(), "2024-01-02T15:04:00.0000000 None");
        assert_eq!(
            p("Tue, 02 Jan 2024 03:04:05 GMT").unwrap(),
            "2024-01-02T03:04:05.0000000+00:00 Some(0)"
        );
        assert_eq!(p("2 January 2024").unwrap(), "2024-01-02T00:00:00.0000000 None");
        assert_eq!(p("January 2, 2024").unwrap(), "2024-01-02T00:00:00.0000000 None");
        assert_eq!(p("13:30").unwrap(), "2024-01-02T13:30:00.0000000 None");
        assert_eq!(p("2024-02-30"), None);
        assert_eq!(p("not a date"), None);
        assert_eq!(p("2024-01-02T25:00:00"), None);
    }

    #[test]
    fn exact_patterns() {
        let e = |s: &str, f: &str| parse_exact(s, f, today()).unwrap().map(|p| (p.clock, p.offset));
        let (d, off) = e("2024-01-02 03:04:05 +05:30", "yyyy-MM-dd HH:mm:ss zzz").unwrap();
        assert_eq!(
            (d, off),
            (
                DateTime::from_fields(2024, 1, 2, [3, 4, 5, 0], Kind::Utc).unwrap(),
                Some(330)
            )
        );
        assert!(e("2024-1-02", "yyyy-MM-dd").is_none());
        assert!(e("20240102", "yyyyMMdd").is_some());
        assert!(e("02/01/24 1:05 PM", "dd/MM/yy h:mm tt").is_some());
        assert!(e("2024-01-02T03:04:05.1234567Z", "o").is_some());
        assert!(parse_exact("x", "Q", today()).is_err());
    }
}
