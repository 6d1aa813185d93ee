//! The time value types as .NET has them: `DateTime` (100 ns ticks and a
//! `DateTimeKind`), `DateTimeOffset` (a UTC instant and an offset in
//! minutes) and `TimeSpan` (signed ticks), with their calendar arithmetic.
//!
//! Invariants: `DateTime::ticks` counts 100 ns ticks since the Unix epoch
//! (.NET's `Ticks` is [`DateTime::dotnet_ticks`]) and stays within .NET's
//! range (0001-01-01 to 9999-12-31T23:59:59.9999999) for every value made
//! through the checked constructors; equality and order ignore the kind,
//! as .NET's do. The gateway runs in UTC: local time is UTC, and `Local`
//! values hold the same ticks as their UTC equivalents.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::time::{SystemTime, UNIX_EPOCH};

use super::civil::{self, DateTimeParts};
use crate::error::{EvalError, EvalErrorKind, EvalResult};

pub const TICKS_PER_SECOND: i64 = 10_000_000;
pub const TICKS_PER_DAY: i64 = 86_400 * TICKS_PER_SECOND;
/// Ticks from 0001-01-01 to 1970-01-01.
pub const EPOCH_TICKS: i64 = 621_355_968_000_000_000;
/// .NET's `DateTime.MaxValue.Ticks`.
pub const MAX_DOTNET_TICKS: i64 = 3_155_378_975_999_999_999;

/// Tick sizes for `TimeSpan` members and `DateTime.Add*`.
pub mod unit {
    pub const MICROSECOND: i64 = 10;
    pub const MILLISECOND: i64 = 10_000;
    pub const SECOND: i64 = super::TICKS_PER_SECOND;
    pub const MINUTE: i64 = 60 * SECOND;
    pub const HOUR: i64 = 60 * MINUTE;
    pub const DAY: i64 = super::TICKS_PER_DAY;
}

/// `System.DateTimeKind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kind {
    #[default]
    Unspecified,
    Utc,
    Local,
}

impl Kind {
    pub fn from_i64(v: i64) -> Option<Kind> {
        Some(match v {
            0 => Kind::Unspecified,
            1 => Kind::Utc,
            2 => Kind::Local,
            _ => return None,
        })
    }

    pub fn as_i64(self) -> i64 {
        match self {
            Kind::Unspecified => 0,
            Kind::Utc => 1,
            Kind::Local => 2,
        }
    }
}

/// A `System.DateTime`.
#[derive(Debug, Clone, Copy)]
pub struct DateTime {
    /// 100 ns ticks since 1970-01-01T00:00:00 (of its kind's clock).
    pub ticks: i64,
    pub kind: Kind,
}

impl PartialEq for DateTime {
    fn eq(&self, other: &DateTime) -> bool {
        self.ticks == other.ticks
    }
}

impl Eq for DateTime {}

impl PartialOrd for DateTime {
    fn partial_cmp(&self, other: &DateTime) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for DateTime {
    fn cmp(&self, other: &DateTime) -> Ordering {
        self.ticks.cmp(&other.ticks)
    }
}

impl Hash for DateTime {
    fn hash<H: Hasher>(&self, h: &mut H) {
        self.ticks.hash(h);
    }
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

/// .NET's "un-representable DateTime" error.
pub fn out_of_range() -> EvalError {
    EvalError::new(
        EvalErrorKind::ArgumentOutOfRange,
        "The added or subtracted value results in an un-representable DateTime. (Parameter 'value')",
    )
}

/// .NET's `TimeSpan` overflow.
pub fn span_overflow() -> EvalError {
    EvalError::new(
        EvalErrorKind::Overflow,
        "TimeSpan overflowed because the duration is too long.",
    )
}

impl TimeSpan {
    pub const ZERO: TimeSpan = TimeSpan { ticks: 0 };

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

    /// `TimeSpan.FromX(double)`: `value × unit` ticks, truncated.
    pub fn from_units(value: f64, unit_ticks: i64) -> EvalResult<TimeSpan> {
        if value.is_nan() {
            return Err(EvalError::argument(
                "TimeSpan does not accept floating point Not-a-Number values.",
            ));
        }
        let t = value * unit_ticks as f64;
        if !(i64::MIN as f64..i64::MAX as f64).contains(&t) {
            return Err(span_overflow());
        }
        Ok(TimeSpan { ticks: t as i64 })
    }

    /// Whole and fractional units (`TotalSeconds` = `total(TICKS_PER_SECOND)`).
    pub fn total(self, unit_ticks: i64) -> f64 {
        self.ticks as f64 / unit_ticks as f64
    }

    pub fn checked_add(self, o: TimeSpan) -> EvalResult<TimeSpan> {
        self.ticks
            .checked_add(o.ticks)
            .map(|ticks| TimeSpan { ticks })
            .ok_or_else(span_overflow)
    }

    pub fn checked_sub(self, o: TimeSpan) -> EvalResult<TimeSpan> {
        self.ticks
            .checked_sub(o.ticks)
            .map(|ticks| TimeSpan { ticks })
            .ok_or_else(span_overflow)
    }

    /// .NET's `TimeSpan.ToString()`: `[-][d.]hh:mm:ss[.fffffff]`.
    pub fn to_dotnet_string(self) -> String {
        super::timespan::format_constant(self)
    }
}

impl DateTime {
    pub const MIN: DateTime = DateTime {
        ticks: -EPOCH_TICKS,
        kind: Kind::Unspecified,
    };
    pub const MAX: DateTime = DateTime {
        ticks: MAX_DOTNET_TICKS - EPOCH_TICKS,
        kind: Kind::Unspecified,
    };

    /// The system clock, now (UTC).
    pub fn now_utc() -> DateTime {
        let d = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        DateTime {
            ticks: TimeSpan::from_duration(d).ticks,
            kind: Kind::Utc,
        }
    }

    /// A UTC instant `s` seconds after the Unix epoch.
    pub fn from_unix_seconds(s: i64) -> DateTime {
        DateTime {
            ticks: s.saturating_mul(TICKS_PER_SECOND),
            kind: Kind::Utc,
        }
    }

    /// Whole seconds since the Unix epoch (rounded down).
    pub fn unix_seconds(self) -> i64 {
        self.ticks.div_euclid(TICKS_PER_SECOND)
    }

    /// .NET's `Ticks` (since 0001-01-01).
    pub fn dotnet_ticks(self) -> i64 {
        self.ticks + EPOCH_TICKS
    }

    /// A value from .NET ticks, if in range.
    pub fn from_dotnet_ticks(ticks: i64, kind: Kind) -> Option<DateTime> {
        (0..=MAX_DOTNET_TICKS).contains(&ticks).then_some(DateTime {
            ticks: ticks - EPOCH_TICKS,
            kind,
        })
    }

    /// A value from Unix-epoch ticks, if in range.
    pub fn checked(ticks: i64, kind: Kind) -> EvalResult<DateTime> {
        ticks
            .checked_add(EPOCH_TICKS)
            .and_then(|t| DateTime::from_dotnet_ticks(t, kind))
            .ok_or_else(out_of_range)
    }

    pub fn with_kind(self, kind: Kind) -> DateTime {
        DateTime { kind, ..self }
    }

    /// `AddTicks`.
    pub fn add_ticks(self, t: i64) -> EvalResult<DateTime> {
        DateTime::checked(self.ticks.checked_add(t).ok_or_else(out_of_range)?, self.kind)
    }

    /// `AddDays`, `AddHours`…: `value` units, truncated to ticks (.NET 7+).
    pub fn add_units(self, value: f64, unit_ticks: i64) -> EvalResult<DateTime> {
        if value.is_nan() {
            return Err(out_of_range());
        }
        let t = value.trunc() * unit_ticks as f64 + (value.fract() * unit_ticks as f64).trunc();
        if t.abs() > MAX_DOTNET_TICKS as f64 {
            return Err(out_of_range());
        }
        self.add_ticks(t as i64)
    }

    /// `AddMonths`: the day clamps to the end of the target month.
    pub fn add_months(self, months: i64) -> EvalResult<DateTime> {
        if !(-120_000..=120_000).contains(&months) {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "Months value must be between +/-120000. (Parameter 'months')",
            ));
        }
        let c = self.civil();
        let total = c.year * 12 + i64::from(c.month) - 1 + months;
        let (y, m) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
        if !(1..=9999).contains(&y) {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "The added or subtracted value results in an un-representable DateTime. (Parameter 'months')",
            ));
        }
        let d = c.day.min(civil::days_in_month(y, m));
        let days = civil::days_from_civil(y, m, d);
        DateTime::checked(days * TICKS_PER_DAY + self.ticks.rem_euclid(TICKS_PER_DAY), self.kind)
    }

    /// The date at midnight, same kind.
    pub fn date(self) -> DateTime {
        DateTime {
            ticks: self.ticks - self.ticks.rem_euclid(TICKS_PER_DAY),
            kind: self.kind,
        }
    }

    pub fn time_of_day(self) -> TimeSpan {
        TimeSpan {
            ticks: self.ticks.rem_euclid(TICKS_PER_DAY),
        }
    }

    /// A date and time from fields (validated as .NET's constructor does).
    pub fn from_fields(y: i64, mo: i64, d: i64, [h, mi, s, ms]: [i64; 4], kind: Kind) -> EvalResult<DateTime> {
        let date_ok = (1..=9999).contains(&y)
            && (1..=12).contains(&mo)
            && d >= 1
            && d <= i64::from(civil::days_in_month(y, mo as u32));
        if !date_ok {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "Year, Month, and Day parameters describe an un-representable DateTime.",
            ));
        }
        if !((0..24).contains(&h) && (0..60).contains(&mi) && (0..60).contains(&s)) {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "Hour, Minute, and Second parameters describe an un-representable DateTime.",
            ));
        }
        if !(0..1000).contains(&ms) {
            return Err(EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "Valid values are between 0 and 999, inclusive. (Parameter 'millisecond')",
            ));
        }
        let days = civil::days_from_civil(y, mo as u32, d as u32);
        let secs = days * 86_400 + h * 3600 + mi * 60 + s;
        Ok(DateTime {
            ticks: secs * TICKS_PER_SECOND + ms * unit::MILLISECOND,
            kind,
        })
    }

    pub fn civil(self) -> Civil {
        let secs = self.ticks.div_euclid(TICKS_PER_SECOND);
        Civil {
            date: DateTimeParts::from_unix(secs),
            frac: self.ticks.rem_euclid(TICKS_PER_SECOND) as u32,
            weekday: (secs.div_euclid(86_400) + 4).rem_euclid(7) as u32,
        }
    }

    /// The day of the year, 1–366.
    pub fn day_of_year(self) -> i64 {
        let c = self.civil();
        civil::days_from_civil(c.year, c.month, c.day) - civil::days_from_civil(c.year, 1, 1) + 1
    }

    /// `ToString(format)` with .NET's invariant culture; `None` when the
    /// format is not valid.
    pub fn format(self, format: &str) -> Option<String> {
        super::format::format_datetime(self, format).ok()
    }

    /// `ToUniversalTime()` (local time is UTC).
    pub fn to_utc(self) -> DateTime {
        self.with_kind(Kind::Utc)
    }
}

/// Broken-down date and time: the calendar fields (`year` … `second`,
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

/// `TimeSpan` offsets must be whole minutes within ±14 hours.
pub fn offset_minutes(t: TimeSpan) -> EvalResult<i16> {
    if t.ticks % unit::MINUTE != 0 {
        return Err(EvalError::argument(
            "Offset must be specified in whole minutes. (Parameter 'offset')",
        ));
    }
    let m = t.ticks / unit::MINUTE;
    if !(-840..=840).contains(&m) {
        return Err(EvalError::new(
            EvalErrorKind::ArgumentOutOfRange,
            "Offset must be within plus or minus 14 hours. (Parameter 'offset')",
        ));
    }
    Ok(m as i16)
}

impl DateTimeOffset {
    /// A value from its clock time and offset (checked against .NET's range).
    pub fn from_local(local: DateTime, offset_minutes: i16) -> EvalResult<DateTimeOffset> {
        let utc = local.ticks - i64::from(offset_minutes) * unit::MINUTE;
        let utc = DateTime::checked(utc, Kind::Utc).map_err(|_| {
            EvalError::new(
                EvalErrorKind::ArgumentOutOfRange,
                "The UTC time represented when the offset is applied must be between year 0 and 10,000. (Parameter 'offset')",
            )
        })?;
        Ok(DateTimeOffset { utc, offset_minutes })
    }

    /// The clock time (`DateTime` property, kind Unspecified).
    pub fn local(self) -> DateTime {
        DateTime {
            ticks: self.utc.ticks + i64::from(self.offset_minutes) * unit::MINUTE,
            kind: Kind::Unspecified,
        }
    }

    pub fn offset(self) -> TimeSpan {
        TimeSpan {
            ticks: i64::from(self.offset_minutes) * unit::MINUTE,
        }
    }

    /// Applies a clock-time operation and keeps the offset.
    pub fn map_local(self, f: impl FnOnce(DateTime) -> EvalResult<DateTime>) -> EvalResult<DateTimeOffset> {
        DateTimeOffset::from_local(f(self.local())?, self.offset_minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_and_fields() {
        let d = DateTime::from_fields(2024, 2, 29, [13, 5, 9, 123], Kind::Unspecified).unwrap();
        let c = d.civil();
        assert_eq!(
            (c.year, c.month, c.day, c.hour, c.minute, c.second),
            (2024, 2, 29, 13, 5, 9)
        );
        assert_eq!(c.weekday, 4);
        assert_eq!(d.day_of_year(), 60);
        assert_eq!(DateTime::MIN.dotnet_ticks(), 0);
        assert_eq!(DateTime::from_unix_seconds(0).dotnet_ticks(), EPOCH_TICKS);
        assert!(DateTime::from_fields(2023, 2, 29, [0, 0, 0, 0], Kind::Utc).is_err());
        assert_eq!(
            d.add_months(12).unwrap(),
            DateTime::from_fields(2025, 2, 28, [13, 5, 9, 123], Kind::Utc).unwrap()
        );
        let jan31 = DateTime::from_fields(2024, 1, 31, [0, 0, 0, 0], Kind::Utc).unwrap();
        assert_eq!(jan31.add_months(1).unwrap().civil().day, 29);
        assert!(DateTime::MAX.add_ticks(1).is_err());
        assert_eq!(jan31.add_units(1.5, unit::DAY).unwrap().civil().hour, 12);
    }
}
