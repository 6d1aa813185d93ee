//! `DateTime` (always UTC) and `TimeSpan` as .NET has them: counts of
//! 100 ns ticks, formatted with .NET's invariant-culture rules for the
//! standard formats `o`/`O`, `s`, `u`, `r`/`R`, `d`, `D`, `t`, `T`, `g`, `G`
//! and custom patterns (`yyyy-MM-ddTHH:mm:ss.fffZ`, ...).

use std::fmt::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use super::civil::DateTimeParts;

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;

/// A UTC instant: 100 ns ticks since 1970-01-01T00:00:00Z.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    pub ticks: i64,
}

/// A `DateTimeOffset`: a UTC instant and the offset from UTC it is shown in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTimeOffset {
    pub utc: DateTime,
    /// Minutes east of UTC (-840..=840).
    pub offset_minutes: i16,
}

/// A duration in 100 ns ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeSpan {
    pub ticks: i64,
}

impl TimeSpan {
    pub fn from_millis(ms: i64) -> TimeSpan {
        TimeSpan {
            ticks: ms.saturating_mul(10_000),
        }
    }

    pub fn from_duration(d: std::time::Duration) -> TimeSpan {
        TimeSpan {
            ticks: i64::try_from(d.as_nanos() / 100).unwrap_or(i64::MAX),
        }
    }

    /// Whole and fractional units (`TotalSeconds` = `total(TICKS_PER_SECOND)`).
    pub fn total(self, unit_ticks: i64) -> f64 {
        self.ticks as f64 / unit_ticks as f64
    }

    /// .NET's `TimeSpan.ToString()`: `[-][d.]hh:mm:ss[.fffffff]`.
    pub fn to_dotnet_string(self) -> String {
        let mut out = String::new();
        if self.ticks < 0 {
            out.push('-');
        }
        let t = self.ticks.unsigned_abs();
        let secs = t / TICKS_PER_SECOND as u64;
        let frac = t % TICKS_PER_SECOND as u64;
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
}

/// Tick sizes for `TimeSpan` members and `DateTime.Add*`.
pub mod unit {
    pub const MILLISECOND: i64 = 10_000;
    pub const SECOND: i64 = super::TICKS_PER_SECOND;
    pub const MINUTE: i64 = 60 * SECOND;
    pub const HOUR: i64 = 60 * MINUTE;
    pub const DAY: i64 = super::TICKS_PER_DAY;
}

/// Broken-down UTC date and time: the calendar fields (`year` … `second`,
/// read through `Deref`) plus what .NET formats also need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Civil {
    pub date: DateTimeParts,
    /// Ticks within the second (0..10_000_000).
    pub frac: u32,
    /// 0 = Sunday.
    pub weekday: u32,
}

impl std::ops::Deref for Civil {
    type Target = DateTimeParts;

    fn deref(&self) -> &DateTimeParts {
        &self.date
    }
}

impl DateTime {
    pub const MIN: DateTime = DateTime { ticks: -62_135_596_800 * TICKS_PER_SECOND };

    /// The system clock, now.
    pub fn now_utc() -> DateTime {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        DateTime {
            ticks: TimeSpan::from_duration(d).ticks,
        }
    }

    pub fn from_unix_seconds(s: i64) -> DateTime {
        DateTime {
            ticks: s.saturating_mul(TICKS_PER_SECOND),
        }
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn unix_seconds(self) -> i64 {
        self.ticks.div_euclid(TICKS_PER_SECOND)
    }

    pub fn civil(self) -> Civil {
        let secs = self.ticks.div_euclid(TICKS_PER_SECOND);
        Civil {
            date: DateTimeParts::from_unix(secs),
            frac: self.ticks.rem_euclid(TICKS_PER_SECOND) as u32,
            weekday: (secs.div_euclid(86_400) + 4).rem_euclid(7) as u32,
        }
    }

    /// `ToString(format)` with .NET's invariant culture; `None` when the
    /// format is not supported.
    pub fn format(self, format: &str) -> Option<String> {
        let pattern = match format {
            "" | "G" => "MM/dd/yyyy HH:mm:ss",
            "o" | "O" => "yyyy-MM-ddTHH:mm:ss.fffffffK",
            "s" => "yyyy-MM-ddTHH:mm:ss",
            "u" => "yyyy-MM-dd HH:mm:ssZ",
            "r" | "R" => "ddd, dd MMM yyyy HH:mm:ss 'GMT'",
            "d" => "MM/dd/yyyy",
            "D" => "dddd, dd MMMM yyyy",
            "t" => "HH:mm",
            "T" => "HH:mm:ss",
            "g" => "MM/dd/yyyy HH:mm",
            f if f.len() == 1 => return None,
            f => f,
        };
        format_custom(self.civil(), pattern)
    }
}

const MONTHS: [&str; 12] = [
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
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn format_custom(c: Civil, pattern: &str) -> Option<String> {
    let mut out = String::with_capacity(pattern.len() + 8);
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let ch = chars[i];
        let mut n = 1;
        while i + n < chars.len() && chars[i + n] == ch {
            n += 1;
        }
        match ch {
            'y' => match n {
                1 => write!(out, "{}", c.year % 100).ok()?,
                2 => write!(out, "{:02}", c.year % 100).ok()?,
                _ => write!(out, "{:0width$}", c.year, width = n).ok()?,
            },
            'M' => match n {
                1 => write!(out, "{}", c.month).ok()?,
                2 => write!(out, "{:02}", c.month).ok()?,
                3 => out.push_str(&MONTHS[c.month as usize - 1][..3]),
                _ => out.push_str(MONTHS[c.month as usize - 1]),
            },
            'd' => match n {
                1 => write!(out, "{}", c.day).ok()?,
                2 => write!(out, "{:02}", c.day).ok()?,
                3 => out.push_str(&DAYS[c.weekday as usize][..3]),
                _ => out.push_str(DAYS[c.weekday as usize]),
            },
            'H' => pad(&mut out, c.hour, n),
            'h' => pad(&mut out, (c.hour + 11) % 12 + 1, n),
            'm' => pad(&mut out, c.minute, n),
            's' => pad(&mut out, c.second, n),
            't' => {
                let ampm = if c.hour < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &ampm[..1] } else { ampm });
            }
            'f' | 'F' if n <= 7 => {
                let digits = format!("{:07}", c.frac);
                let mut part = &digits[..n];
                if ch == 'F' {
                    part = part.trim_end_matches('0');
                    if part.is_empty() && out.ends_with('.') {
                        out.pop();
                    }
                }
                out.push_str(part);
            }
            'K' | 'Z' if n == 1 => out.push('Z'),
            'z' => out.push_str(match n {
                1 => "+0",
                2 => "+00",
                _ => "+00:00",
            }),
            '\'' | '"' => {
                let end = chars[i + 1..].iter().position(|&x| x == ch)? + i + 1;
                out.extend(&chars[i + 1..end]);
                i = end + 1;
                continue;
            }
            '\\' => {
                out.push(*chars.get(i + 1)?);
                i += 2;
                continue;
            }
            'f' | 'F' | 'g' => return None,
            _ => {
                for _ in 0..n {
                    out.push(ch);
                }
            }
        }
        i += n;
    }
    Some(out)
}

fn pad(out: &mut String, v: u32, n: usize) {
    if n == 1 {
        let _ = write!(out, "{v}");
    } else {
        let _ = write!(out, "{v:02}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2024-02-29T13:05:09.1234567Z, a Thursday.
    fn leap() -> DateTime {
        DateTime {
            ticks: DateTime::from_unix_seconds(1_709_211_909).ticks + 1_234_567,
        }
    }

    #[test]
    fn civil_dates() {
        let c = leap().civil();
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2024, 2, 29, 13, 5, 9)
        );
        assert_eq!(c.weekday, 4);
        assert_eq!(DateTime::from_unix_seconds(0).civil().year, 1970);
        let before = DateTime::from_unix_seconds(-1).civil();
        assert_eq!((before.year, before.month, before.day, before.hour), (1969, 12, 31, 23));
    }

    #[test]
    fn standard_formats() {
        let d = leap();
        assert_eq!(d.format("o").unwrap(), "2024-02-29T13:05:09.1234567Z");
        assert_eq!(d.format("s").unwrap(), "2024-02-29T13:05:09");
        assert_eq!(d.format("u").unwrap(), "2024-02-29 13:05:09Z");
        assert_eq!(d.format("R").unwrap(), "Thu, 29 Feb 2024 13:05:09 GMT");
        assert_eq!(d.format("").unwrap(), "02/29/2024 13:05:09");
        assert_eq!(d.format("D").unwrap(), "Thursday, 29 February 2024");
        assert_eq!(d.format("x"), None);
    }

    #[test]
    fn custom_formats() {
        let d = leap();
        assert_eq!(
            d.format("yyyy-MM-ddTHH:mm:ss.fffZ").unwrap(),
            "2024-02-29T13:05:09.123Z"
        );
        assert_eq!(d.format("yyyyMMdd").unwrap(), "20240229");
        assert_eq!(d.format("h:mm tt 'at' d/M/yy").unwrap(), "1:05 PM at 29/2/24");
        assert_eq!(d.format("\\Y yyyy").unwrap(), "Y 2024");
        assert_eq!(d.format("'unterminated"), None);
    }

    #[test]
    fn timespans() {
        assert_eq!(TimeSpan::from_millis(1500).to_dotnet_string(), "00:00:01.5000000");
        assert_eq!(
            TimeSpan {
                ticks: unit::DAY + unit::HOUR
            }
            .to_dotnet_string(),
            "1.01:00:00"
        );
        assert_eq!(TimeSpan::from_millis(-60_000).to_dotnet_string(), "-00:01:00");
        assert_eq!(TimeSpan::from_millis(2500).total(unit::SECOND), 2.5);
    }
}
