//! The time family: `DateTime`, `DateTimeOffset`, `TimeSpan`,
//! `DateTimeKind`, `DayOfWeek`, `TimeZoneInfo` (IANA and common Windows
//! ids), the obsolete `TimeZone`; .NET's invariant-culture formatting and
//! parsing. The gateway runs in UTC: local time is UTC.
//!
//! Modules: `civil` (the calendar core), `datetime` (the value types and
//! their arithmetic), `format`, `parse`, `timespan`, `members` (DateTime
//! and DateTimeOffset members), `defs` (TypeDefs), `zone` (time zones).
//!
//! Operators reach this family as method calls on the left operand
//! (`op_Addition`, `op_Subtraction`, `op_UnaryNegation`, `op_Equality`…):
//! `DateTime ± TimeSpan`, `DateTime − DateTime`, the same for
//! `DateTimeOffset`, `TimeSpan ± TimeSpan`, `-TimeSpan`, `TimeSpan * double`,
//! `TimeSpan / double`, `TimeSpan / TimeSpan`.

use std::cmp::Ordering;

use crate::error::EvalResult;
use crate::runtime::Runtime;
use crate::types::{TypeDef, TypeRef};
use crate::value::Value;

pub mod civil;
pub mod datetime;
pub mod defs;
pub mod format;
pub mod members;
pub mod parse;
pub mod span_text;
pub mod timespan;
pub mod zone;
pub mod zone_ids;

pub use datetime::{DateTime, DateTimeOffset, Kind, TimeSpan};
pub use defs::{DATETIME, DATETIMEOFFSET, DATETIME_KIND, DAY_OF_WEEK};
pub use timespan::TIMESPAN;

pub static TYPES: &[&TypeDef] = &[
    &DATETIME,
    &DATETIMEOFFSET,
    &TIMESPAN,
    &DATETIME_KIND,
    &DAY_OF_WEEK,
    &zone::TIMEZONEINFO,
    &zone::TIMEZONE,
    &zone::ADJUSTMENT_RULE,
    &zone::TRANSITION_TIME,
];

/// A property of a DateTime, DateTimeOffset or TimeSpan.
pub fn get<'a>(rt: &mut dyn Runtime<'a>, v: &Value<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    let _ = rt;
    match v {
        Value::DateTime(d) => members::datetime_get(*d, name),
        Value::DateTimeOffset(d) => members::offset_get(*d, name),
        Value::TimeSpan(t) => timespan::get(*t, name),
        _ => None,
    }
}

/// A method of a DateTime, DateTimeOffset or TimeSpan (operators included).
pub fn call<'a>(
    rt: &mut dyn Runtime<'a>,
    v: &Value<'a>,
    name: &str,
    targs: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let _ = (rt, targs);
    if let Some(r) = compare_operator(v, name, args) {
        return Some(r);
    }
    match v {
        Value::DateTime(d) => members::datetime_call(*d, name, args),
        Value::DateTimeOffset(d) => members::offset_call(*d, name, args),
        Value::TimeSpan(t) => timespan::call(*t, name, args),
        _ => None,
    }
}

/// `op_LessThan`, `op_GreaterThan`, `op_LessThanOrEqual`,
/// `op_GreaterThanOrEqual` on two values of the same time type.
fn compare_operator<'a>(v: &Value<'a>, name: &str, args: &[Value<'a>]) -> Option<EvalResult<Value<'a>>> {
    let test: fn(Ordering) -> bool = match name {
        "op_LessThan" => Ordering::is_lt,
        "op_GreaterThan" => Ordering::is_gt,
        "op_LessThanOrEqual" => Ordering::is_le,
        "op_GreaterThanOrEqual" => Ordering::is_ge,
        _ => return None,
    };
    let [other] = args else { return None };
    compare(v, other).map(|o| Ok(Value::Bool(test(o))))
}

/// `ToString(format)` ("" = the default: `G` for DateTime, `G zzz` for
/// DateTimeOffset, `c` for TimeSpan).
pub fn format(v: &Value<'_>, format: &str) -> EvalResult<String> {
    match v {
        Value::DateTime(d) => format::format_datetime(*d, format),
        Value::DateTimeOffset(d) => format::format_offset(*d, format),
        Value::TimeSpan(t) => timespan::format(*t, format),
        v => Ok(crate::library::to_text(v).into_owned()),
    }
}

/// Orders two time values of the same type (DateTimeOffsets by instant).
pub fn compare(a: &Value<'_>, b: &Value<'_>) -> Option<Ordering> {
    match (a, b) {
        (Value::DateTime(x), Value::DateTime(y)) => Some(x.cmp(y)),
        (Value::TimeSpan(x), Value::TimeSpan(y)) => Some(x.cmp(y)),
        (Value::DateTimeOffset(x), Value::DateTimeOffset(y)) => Some(x.utc.cmp(&y.utc)),
        _ => None,
    }
}

/// The time types' conversion operators: `DateTime` → `DateTimeOffset`
/// (implicit; offset 0 here, the local offset being UTC's).
pub fn convert<'a>(v: &Value<'a>, to: &'static TypeDef) -> Option<EvalResult<Value<'a>>> {
    match v {
        Value::DateTime(d) if to.is(&DATETIMEOFFSET) => {
            Some(DateTimeOffset::from_local(d.with_kind(Kind::Unspecified), 0).map(Value::DateTimeOffset))
        }
        _ => None,
    }
}

/// `DateTime.Parse(s)` (for `Convert.ToDateTime`, JSON date handling…):
/// the clock time (kind Unspecified), or with a zone in the text, the
/// local (= UTC) time with kind Local.
pub fn parse_datetime(s: &str) -> EvalResult<DateTime> {
    let today = DateTime::now_utc();
    parse::parse(s, today)
        .ok_or_else(|| parse::not_recognized(s))
        .and_then(parse::to_datetime)
}

/// `DateTimeOffset.Parse(s)` (offset +00:00 when the text has none).
pub fn parse_datetime_offset(s: &str) -> EvalResult<DateTimeOffset> {
    let p = parse::parse(s, DateTime::now_utc()).ok_or_else(|| parse::not_recognized(s))?;
    DateTimeOffset::from_local(p.clock, p.offset.unwrap_or(0) as i16)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRt;

    fn st(def: &'static TypeDef, rt: &mut TestRt, name: &str, args: &[Value<'static>]) -> Value<'static> {
        match def.call_static.and_then(|f| f(rt, name, &[], args)) {
            Some(r) => r.unwrap(),
            None => def.get_static.and_then(|f| f(rt, name)).unwrap().unwrap(),
        }
    }

    fn fmt(v: &Value<'_>, f: &str) -> String {
        format(v, f).unwrap()
    }

    #[test]
    fn datetime_members() {
        let mut rt = TestRt::new();
        let now = st(&DATETIME, &mut rt, "UtcNow", &[]);
        assert_eq!(fmt(&now, "o"), "2024-01-02T03:04:05.0000000Z");
        let local = st(&DATETIME, &mut rt, "Now", &[]);
        assert_eq!(fmt(&local, "o"), "2024-01-02T03:04:05.0000000+00:00");
        assert_eq!(fmt(&local, ""), "01/02/2024 03:04:05");
        let today = st(&DATETIME, &mut rt, "Today", &[]);
        assert_eq!(fmt(&today, "yyyy-MM-dd HH:mm"), "2024-01-02 00:00");
        let d = (DATETIME.ctor.unwrap())(&mut rt, &[], &[Value::Int(2024), Value::Int(1), Value::Int(31)]).unwrap();
        let c = |v: &Value<'static>, n: &str, a: &[Value<'static>]| {
            call(&mut TestRt::new(), v, n, &[], a).unwrap().unwrap()
        };
        let g = |v: &Value<'static>, n: &str| get(&mut TestRt::new(), v, n).unwrap().unwrap();
        assert_eq!(fmt(&c(&d, "AddMonths", &[Value::Int(1)]), "yyyy-MM-dd"), "2024-02-29");
        assert_eq!(
            fmt(&c(&d, "AddDays", &[Value::Double(-0.5)]), "s"),
            "2024-01-30T12:00:00"
        );
        assert_eq!(g(&d, "DayOfWeek"), Value::Enum(&DAY_OF_WEEK, 3));
        assert_eq!(fmt(&g(&d, "DayOfWeek"), ""), "Wednesday");
        assert_eq!(g(&d, "DayOfYear"), Value::Int(31));
        assert_eq!(g(&d, "Ticks"), Value::Long(638_422_560_000_000_000));
        let span = c(&now, "Subtract", std::slice::from_ref(&d));
        assert_eq!(fmt(&span, ""), "-28.20:55:55");
        assert_eq!(
            c(
                &d,
                "op_Addition",
                &[Value::TimeSpan(TimeSpan {
                    ticks: datetime::unit::HOUR
                })]
            ),
            c(&d, "AddHours", &[Value::Int(1)])
        );
        assert_eq!(c(&d, "op_GreaterThan", std::slice::from_ref(&now)), Value::Bool(true));
        assert_eq!(
            st(&DATETIME, &mut rt, "DaysInMonth", &[Value::Int(2023), Value::Int(2)]),
            Value::Int(28)
        );
        assert_eq!(
            st(&DATETIME, &mut rt, "IsLeapYear", &[Value::Int(2000)]),
            Value::Bool(true)
        );
        let p = st(&DATETIME, &mut rt, "Parse", &[Value::str("2024-05-06T07:08:09Z")]);
        assert_eq!(fmt(&p, "o"), "2024-05-06T07:08:09.0000000+00:00");
        let e = DATETIME.call_static.unwrap()(&mut rt, "Parse", &[], &[Value::str("nope")]).unwrap();
        assert_eq!(e.unwrap_err().kind, crate::EvalErrorKind::Format);
    }

    #[test]
    fn offsets() {
        let mut rt = TestRt::new();
        let d = st(
            &DATETIMEOFFSET,
            &mut rt,
            "Parse",
            &[Value::str("2024-01-02T03:04:05+05:30")],
        );
        assert_eq!(fmt(&d, "o"), "2024-01-02T03:04:05.0000000+05:30");
        assert_eq!(fmt(&d, ""), "01/02/2024 03:04:05 +05:30");
        let c = |v: &Value<'static>, n: &str, a: &[Value<'static>]| {
            call(&mut TestRt::new(), v, n, &[], a).unwrap().unwrap()
        };
        let g = |v: &Value<'static>, n: &str| get(&mut TestRt::new(), v, n).unwrap().unwrap();
        assert_eq!(c(&d, "ToUnixTimeSeconds", &[]), Value::Long(1_704_144_845));
        assert_eq!(fmt(&g(&d, "UtcDateTime"), "o"), "2024-01-01T21:34:05.0000000Z");
        assert_eq!(
            fmt(&c(&d, "ToOffset", &[Value::TimeSpan(TimeSpan::ZERO)]), "o"),
            "2024-01-01T21:34:05.0000000+00:00"
        );
        let u = st(&DATETIMEOFFSET, &mut rt, "FromUnixTimeSeconds", &[Value::Long(0)]);
        assert_eq!(fmt(&u, "u"), "1970-01-01 00:00:00Z");
        assert_eq!(fmt(&c(&d, "AddHours", &[Value::Int(1)]), "HH:mm zzz"), "04:04 +05:30");
        let now = st(&DATETIMEOFFSET, &mut rt, "UtcNow", &[]);
        assert_eq!(fmt(&c(&now, "Subtract", std::slice::from_ref(&d)), ""), "05:30:00");
        let z = c(&d, "ToOffset", &[Value::TimeSpan(TimeSpan::ZERO)]);
        assert_eq!(c(&d, "Equals", std::slice::from_ref(&z)), Value::Bool(true));
        assert_eq!(c(&d, "EqualsExact", &[z]), Value::Bool(false));
    }

    #[test]
    fn zones() {
        let mut rt = TestRt::new();
        let ny = st(
            &zone::TIMEZONEINFO,
            &mut rt,
            "FindSystemTimeZoneById",
            &[Value::str("America/New_York")],
        );
        let now = st(&DATETIME, &mut rt, "UtcNow", &[]);
        let there = st(
            &zone::TIMEZONEINFO,
            &mut rt,
            "ConvertTimeFromUtc",
            &[now.clone(), ny.clone()],
        );
        assert_eq!(fmt(&there, "yyyy-MM-dd HH:mm"), "2024-01-01 22:04");
        let by_id = st(
            &zone::TIMEZONEINFO,
            &mut rt,
            "ConvertTimeBySystemTimeZoneId",
            &[now, Value::str("Tokyo Standard Time")],
        );
        assert_eq!(fmt(&by_id, "HH:mm"), "12:04");
        let e =
            zone::TIMEZONEINFO.call_static.unwrap()(&mut rt, "FindSystemTimeZoneById", &[], &[Value::str("Nowhere")])
                .unwrap();
        assert_eq!(e.unwrap_err().kind.exception(), "TimeZoneNotFoundException");
    }
}
