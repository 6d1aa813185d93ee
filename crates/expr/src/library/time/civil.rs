//! Proleptic Gregorian calendar arithmetic in UTC: day counts since
//! 1970-01-01 ↔ (year, month, day), and unix seconds ↔ date and time of day.
//! The one implementation used by the access log's timestamps, the
//! management plane's token expiries, policy expressions' `DateTime` and
//! the quota policies' `first-period-start`.
//!
//! The conversion is the classic era-based one (400-year eras of 146 097
//! days, years starting in March so the leap day is last): exact for every
//! `i64` day count whose year fits, no tables, no loops.

/// Days since 1970-01-01 of a date; the month and day are not checked
/// (use [`is_valid`] first where the input is untrusted).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = if m <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month 1–12, day 1–31) of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

pub fn is_leap_year(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days of `month` (1–12) in `year`; 0 for another month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Whether `year-month-day` is a real date.
pub fn is_valid(year: i64, month: u32, day: u32) -> bool {
    day >= 1 && day <= days_in_month(year, month)
}

/// A UTC instant split into calendar fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DateTimeParts {
    pub year: i64,
    pub month: u32,
    pub day: u32,
    pub hour: u32,
    pub minute: u32,
    pub second: u32,
}

impl DateTimeParts {
    /// The fields of `secs` seconds since the epoch (negative = before 1970).
    pub fn from_unix(secs: i64) -> Self {
        let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
        let rem = secs.rem_euclid(86_400) as u32;
        DateTimeParts {
            year,
            month,
            day,
            hour: rem / 3600,
            minute: rem / 60 % 60,
            second: rem % 60,
        }
    }

    /// Seconds since the epoch, or `None` when a field is out of range
    /// (years 1–9999 as .NET's `DateTime`; a second of 60 is accepted as a
    /// leap second and counts as the next minute's first).
    pub fn to_unix(self) -> Option<i64> {
        let ok = (1..=9999).contains(&self.year)
            && is_valid(self.year, self.month, self.day)
            && self.hour < 24
            && self.minute < 60
            && self.second <= 60;
        ok.then(|| {
            days_from_civil(self.year, self.month, self.day) * 86_400
                + i64::from(self.hour * 3600 + self.minute * 60 + self.second)
        })
    }

    /// [`Self::to_unix`] of fields parsed as integers (any out of range,
    /// negative included, gives `None`).
    pub fn unix_from_fields(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64) -> Option<i64> {
        let field = |v: i64| u32::try_from(v).ok();
        DateTimeParts {
            year,
            month: field(month)?,
            day: field(day)?,
            hour: field(hour)?,
            minute: field(minute)?,
            second: field(second)?,
        }
        .to_unix()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 2, 29), 11_016);
        assert_eq!(days_from_civil(1969, 12, 31), -1);
        assert_eq!(days_from_civil(1, 1, 1), -719_162);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(-719_162), (1, 1, 1));
    }

    #[test]
    fn round_trip_every_day_of_four_centuries() {
        // 1600-03-01 .. 2400-03-01 covers both century rules and the era edge.
        let (from, to) = (days_from_civil(1600, 3, 1), days_from_civil(2400, 3, 1));
        let mut expected = (1600, 3, 1);
        for d in from..to {
            let got = civil_from_days(d);
            assert_eq!(got, expected, "day {d}");
            assert_eq!(days_from_civil(got.0, got.1, got.2), d);
            let (y, m, day) = expected;
            expected = if day < days_in_month(y, m) {
                (y, m, day + 1)
            } else if m < 12 {
                (y, m + 1, 1)
            } else {
                (y + 1, 1, 1)
            };
        }
    }

    #[test]
    fn leap_years_and_validity() {
        assert!(is_leap_year(2000) && is_leap_year(2024) && !is_leap_year(1900) && !is_leap_year(2023));
        assert!(is_valid(2024, 2, 29) && !is_valid(2023, 2, 29) && !is_valid(2024, 4, 31));
        assert!(!is_valid(2024, 13, 1) && !is_valid(2024, 0, 1) && !is_valid(2024, 1, 0));
    }

    #[test]
    fn unix_seconds_split_and_join() {
        let p = DateTimeParts::from_unix(1_709_254_923);
        assert_eq!(
            (p.year, p.month, p.day, p.hour, p.minute, p.second),
            (2024, 3, 1, 1, 2, 3)
        );
        assert_eq!(p.to_unix(), Some(1_709_254_923));
        let before = DateTimeParts::from_unix(-1);
        assert_eq!((before.year, before.hour, before.second), (1969, 23, 59));
        let bad = DateTimeParts { hour: 24, ..p };
        assert_eq!(bad.to_unix(), None);
        let feb30 = DateTimeParts { month: 2, day: 30, ..p };
        assert_eq!(feb30.to_unix(), None);
        assert_eq!(DateTimeParts::unix_from_fields(1970, 1, 1, 0, 0, 0), Some(0));
        assert_eq!(DateTimeParts::unix_from_fields(2024, -1, 1, 0, 0, 0), None);
        assert_eq!(DateTimeParts::unix_from_fields(i64::MAX, 1, 1, 0, 0, 0), None);
        assert_eq!(DateTimeParts::unix_from_fields(1, 1, 1, 0, 0, 0), Some(-62_135_596_800));
    }
}
