//! `TimeZoneInfo` (and the obsolete `TimeZone`): `Utc`, `Local` (the
//! gateway runs in UTC), `FindSystemTimeZoneById` with IANA ids and the
//! common Windows ids (mapped to IANA as CLDR's windowsZones does), the
//! `ConvertTime*` family, `GetUtcOffset`, `IsDaylightSavingTime`,
//! `BaseUtcOffset`, names. Rules come from the IANA database bundled in
//! the `jiff` crate (no system files needed).
//!
//! .NET details kept: an ambiguous local time (a fall-back hour) is taken
//! as standard time; a skipped one (spring-forward) is an
//! `ArgumentException`. `DisplayName` is "(UTC±hh:mm) id" (the OS/ICU names
//! .NET shows vary by platform). `AdjustmentRule`/`TransitionTime` are
//! refused at load as not implemented.

use std::any::Any;
use std::rc::Rc;

use jiff::tz::{AmbiguousOffset, TimeZone as Tz};
use jiff::Timestamp;

use super::datetime::{unit, DateTime, DateTimeOffset, Kind, TimeSpan};
use super::zone_ids::WINDOWS;
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::runtime::Runtime;
use crate::types::{m, TypeDef, TypeRef};
use crate::value::{Object, Value};

pub static TIMEZONEINFO: TypeDef = TypeDef {
    name: "TimeZoneInfo",
    bases: &["IEquatable"],
    statics: &[
        m("Utc", "TimeZoneInfo"),
        m("Local", "TimeZoneInfo"),
        m("FindSystemTimeZoneById", "TimeZoneInfo"),
        m("TryFindSystemTimeZoneById", "bool"),
        m("ConvertTime", "?"),
        m("ConvertTimeFromUtc", "DateTime"),
        m("ConvertTimeToUtc", "DateTime"),
        m("ConvertTimeBySystemTimeZoneId", "?"),
        m("CreateCustomTimeZone", "TimeZoneInfo"),
    ],
    members: &[
        m("Id", "string"),
        m("DisplayName", "string"),
        m("StandardName", "string"),
        m("DaylightName", "string"),
        m("BaseUtcOffset", "TimeSpan"),
        m("SupportsDaylightSavingTime", "bool"),
        m("HasIanaId", "bool"),
        m("GetUtcOffset", "TimeSpan"),
        m("IsDaylightSavingTime", "bool"),
        m("IsAmbiguousTime", "bool"),
        m("IsInvalidTime", "bool"),
        m("HasSameRules", "bool"),
        m("ToString", "string"),
        m("Equals", "bool"),
        m("GetHashCode", "int"),
    ],
    unimplemented: &[
        "GetSystemTimeZones",
        "ClearCachedData",
        "FromSerializedString",
        "ToSerializedString",
        "GetAdjustmentRules",
        "GetAmbiguousTimeOffsets",
        "TryConvertIanaIdToWindowsId",
        "TryConvertWindowsIdToIanaId",
    ],
    get_static: Some(get_static),
    call_static: Some(call_static),
    ..TypeDef::EMPTY
};

pub static TIMEZONE: TypeDef = TypeDef {
    name: "TimeZone",
    statics: &[m("CurrentTimeZone", "TimeZone")],
    members: &[
        m("StandardName", "string"),
        m("DaylightName", "string"),
        m("GetUtcOffset", "TimeSpan"),
        m("IsDaylightSavingTime", "bool"),
        m("ToLocalTime", "DateTime"),
        m("ToUniversalTime", "DateTime"),
    ],
    unimplemented: &["GetDaylightChanges", "IsDaylightSavingTime(DateTime, DaylightTime)"],
    get_static: Some(legacy_get_static),
    ..TypeDef::EMPTY
};

pub static ADJUSTMENT_RULE: TypeDef = TypeDef {
    name: "TimeZoneInfo.AdjustmentRule",
    unimplemented: &[
        "CreateAdjustmentRule",
        "DateStart",
        "DateEnd",
        "DaylightDelta",
        "DaylightTransitionStart",
        "DaylightTransitionEnd",
        "BaseUtcOffsetDelta",
        "Equals",
    ],
    ..TypeDef::EMPTY
};

pub static TRANSITION_TIME: TypeDef = TypeDef {
    name: "TimeZoneInfo.TransitionTime",
    kind: crate::types::TypeKind::Struct,
    unimplemented: &[
        "CreateFixedDateRule",
        "CreateFloatingDateRule",
        "Day",
        "DayOfWeek",
        "IsFixedDateRule",
        "Month",
        "TimeOfDay",
        "Week",
        "Equals",
    ],
    ..TypeDef::EMPTY
};

/// A `TimeZoneInfo` (or, `legacy`, the obsolete `TimeZone`).
#[derive(Debug, Clone)]
pub struct Zone {
    pub id: String,
    tz: Tz,
    /// A Windows id's standard name (`Eastern Standard Time`).
    windows: bool,
    legacy: bool,
}

impl Zone {
    pub fn utc() -> Zone {
        Zone {
            id: "UTC".into(),
            tz: Tz::UTC,
            windows: false,
            legacy: false,
        }
    }

    /// `FindSystemTimeZoneById`.
    pub fn find(id: &str) -> Option<Zone> {
        if id.eq_ignore_ascii_case("UTC") || id.eq_ignore_ascii_case("Etc/UTC") {
            return Some(Zone {
                id: id.into(),
                ..Zone::utc()
            });
        }
        let (iana, windows) = match WINDOWS.iter().find(|(w, _)| w.eq_ignore_ascii_case(id)) {
            Some((_, iana)) => (*iana, true),
            None => (id, false),
        };
        let tz = Tz::get(iana).ok()?;
        Some(Zone {
            id: id.into(),
            tz,
            windows,
            legacy: false,
        })
    }

    fn is_utc(&self) -> bool {
        self.tz == Tz::UTC
    }

    /// The offset (minutes) at a UTC instant.
    pub fn offset_at(&self, utc_ticks: i64) -> i32 {
        match Timestamp::from_nanosecond(i128::from(utc_ticks) * 100) {
            Ok(ts) => self.tz.to_offset(ts).seconds() / 60,
            Err(_) => 0,
        }
    }

    /// What the rules say of a clock time in this zone.
    fn ambiguity(&self, local_ticks: i64) -> EvalResult<AmbiguousOffset> {
        let c = DateTime {
            ticks: local_ticks,
            kind: Kind::Unspecified,
        }
        .civil();
        let dt = jiff::civil::DateTime::new(
            c.year as i16,
            c.month as i8,
            c.day as i8,
            c.hour as i8,
            c.minute as i8,
            c.second as i8,
            0,
        )
        .map_err(|_| super::datetime::out_of_range())?;
        Ok(self.tz.to_ambiguous_timestamp(dt).offset())
    }

    /// The UTC ticks of a clock time in this zone (.NET: ambiguous →
    /// standard time; skipped → `ArgumentException`).
    pub fn to_utc(&self, local_ticks: i64) -> EvalResult<i64> {
        let offset = match self.ambiguity(local_ticks)? {
            AmbiguousOffset::Unambiguous { offset } => offset,
            AmbiguousOffset::Fold { before, after } => {
                if self.base_minutes() * 60 == before.seconds() {
                    before
                } else {
                    after
                }
            }
            AmbiguousOffset::Gap { .. } => {
                return Err(EvalError::argument(
                    "The supplied DateTime represents an invalid time.  For example, when the clock is adjusted forward, any time in the period that is skipped is invalid. (Parameter 'dateTime')",
                ))
            }
        };
        Ok(local_ticks - i64::from(offset.seconds()) * unit::SECOND)
    }

    /// Offsets in January and July of the year of `utc_ticks`.
    fn seasons(&self, utc_ticks: i64) -> (i32, i32) {
        let year = DateTime {
            ticks: utc_ticks,
            kind: Kind::Utc,
        }
        .civil()
        .year;
        let at = |m: i64| {
            let d = DateTime::from_fields(year.clamp(1, 9999), m, 1, [0, 0, 0, 0], Kind::Utc)
                .map(|d| d.ticks)
                .unwrap_or(0);
            self.offset_at(d)
        };
        (at(1), at(7))
    }

    /// `BaseUtcOffset` in minutes: the standard (smaller) offset of the
    /// current rules.
    fn base_minutes(&self) -> i32 {
        let (jan, jul) = self.seasons(DateTime::now_utc().ticks);
        jan.min(jul)
    }

    fn is_dst_at(&self, utc_ticks: i64) -> bool {
        let (jan, jul) = self.seasons(utc_ticks);
        jan != jul && self.offset_at(utc_ticks) > jan.min(jul)
    }

    fn standard_name(&self) -> String {
        if self.is_utc() {
            "Coordinated Universal Time".into()
        } else {
            self.id.clone()
        }
    }

    fn daylight_name(&self) -> String {
        if self.windows {
            self.id.replace("Standard", "Daylight")
        } else {
            self.standard_name()
        }
    }

    fn display_name(&self) -> String {
        let b = self.base_minutes();
        if self.is_utc() {
            return "(UTC) Coordinated Universal Time".into();
        }
        let sign = if b < 0 { '-' } else { '+' };
        format!("(UTC{sign}{:02}:{:02}) {}", b.abs() / 60, b.abs() % 60, self.id)
    }
}

fn not_found(id: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Other("TimeZoneNotFoundException"),
        format!("The time zone ID '{id}' was not found on the local computer."),
    )
}

fn zone_arg<'v>(v: Option<&'v Value<'_>>) -> EvalResult<&'v Zone> {
    match v {
        Some(Value::Null) | None => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'destinationTimeZone')",
        )),
        Some(v) => v
            .downcast::<Zone>()
            .ok_or_else(|| EvalError::argument("expected a TimeZoneInfo")),
    }
}

fn id_arg(v: Option<&Value<'_>>) -> EvalResult<Zone> {
    match v {
        Some(Value::Str(id)) => Zone::find(id).ok_or_else(|| not_found(id)),
        _ => Err(EvalError::new(
            EvalErrorKind::ArgumentNull,
            "Value cannot be null. (Parameter 'id')",
        )),
    }
}

/// The UTC ticks of a DateTime whose kind says which zone it is in
/// (`source` for Unspecified values when given).
fn utc_of(d: DateTime, source: Option<&Zone>) -> EvalResult<i64> {
    match (d.kind, source) {
        (Kind::Utc, Some(z)) if !z.is_utc() => Err(EvalError::argument(
            "The conversion could not be completed because the supplied DateTime did not have the Kind property set correctly.  For example, when the Kind property is DateTimeKind.Local, the source time zone must be TimeZoneInfo.Local. (Parameter 'sourceTimeZone')",
        )),
        (Kind::Utc, _) | (Kind::Local, _) => Ok(d.ticks),
        (Kind::Unspecified, Some(z)) => z.to_utc(d.ticks),
        (Kind::Unspecified, None) => Ok(d.ticks),
    }
}

/// The clock time of `utc` in `dest`, with .NET's result kind.
fn in_zone(utc: i64, dest: &Zone) -> EvalResult<DateTime> {
    let kind = if dest.is_utc() { Kind::Utc } else { Kind::Unspecified };
    DateTime::checked(utc + i64::from(dest.offset_at(utc)) * unit::MINUTE, kind)
}

fn convert_offset(d: DateTimeOffset, dest: &Zone) -> EvalResult<DateTimeOffset> {
    let off = dest.offset_at(d.utc.ticks);
    DateTimeOffset::from_local(
        DateTime {
            ticks: d.utc.ticks + i64::from(off) * unit::MINUTE,
            kind: Kind::Unspecified,
        },
        off as i16,
    )
}

fn get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    match name {
        "Utc" | "Local" => Some(Ok(Value::obj(Zone::utc()))),
        _ => None,
    }
}

fn legacy_get_static<'a>(_: &mut dyn Runtime<'a>, name: &str) -> Option<EvalResult<Value<'a>>> {
    (name == "CurrentTimeZone").then(|| {
        Ok(Value::obj(Zone {
            legacy: true,
            ..Zone::utc()
        }))
    })
}

fn call_static<'a>(
    rt: &mut dyn Runtime<'a>,
    name: &str,
    _: &[TypeRef],
    args: &[Value<'a>],
) -> Option<EvalResult<Value<'a>>> {
    let dt = |r: EvalResult<DateTime>| r.map(Value::DateTime);
    Some(match (name, args) {
        ("FindSystemTimeZoneById", [_]) => id_arg(args.first()).map(Value::obj),
        ("TryFindSystemTimeZoneById", [id, _]) => (|| {
            let z = match id {
                Value::Str(s) => Zone::find(s),
                _ => None,
            };
            let found = z.is_some();
            rt.set_out(1, z.map_or(Value::Null, Value::obj))?;
            Ok(Value::Bool(found))
        })(),
        ("ConvertTime", [Value::DateTimeOffset(d), dest]) => zone_arg(Some(dest))
            .and_then(|z| convert_offset(*d, z))
            .map(Value::DateTimeOffset),
        ("ConvertTime", [Value::DateTime(d), dest]) => dt((|| in_zone(utc_of(*d, None)?, zone_arg(Some(dest))?))()),
        ("ConvertTime", [Value::DateTime(d), src, dest]) => dt((|| {
            let src = zone_arg(Some(src))?;
            in_zone(utc_of(*d, Some(src))?, zone_arg(Some(dest))?)
        })()),
        ("ConvertTimeFromUtc", [Value::DateTime(d), dest]) => {
            dt(zone_arg(Some(dest)).and_then(|z| in_zone(d.ticks, z)))
        }
        ("ConvertTimeToUtc", [Value::DateTime(d)]) => Ok(Value::DateTime(d.with_kind(Kind::Utc))),
        ("ConvertTimeToUtc", [Value::DateTime(d), src]) => dt((|| {
            DateTime::checked(utc_of(*d, Some(zone_arg(Some(src))?))?, Kind::Utc)
        })()),
        ("ConvertTimeBySystemTimeZoneId", [Value::DateTimeOffset(d), dest]) => id_arg(Some(dest))
            .and_then(|z| convert_offset(*d, &z))
            .map(Value::DateTimeOffset),
        ("ConvertTimeBySystemTimeZoneId", [Value::DateTime(d), dest]) => {
            dt((|| in_zone(utc_of(*d, None)?, &id_arg(Some(dest))?))())
        }
        ("ConvertTimeBySystemTimeZoneId", [Value::DateTime(d), src, dest]) => dt((|| {
            let src = id_arg(Some(src))?;
            in_zone(utc_of(*d, Some(&src))?, &id_arg(Some(dest))?)
        })()),
        ("CreateCustomTimeZone", [Value::Str(id), Value::TimeSpan(off), ..]) => (|| {
            let m = super::datetime::offset_minutes(*off)?;
            let tz = jiff::tz::Offset::from_seconds(i32::from(m) * 60)
                .map(Tz::fixed)
                .map_err(|_| EvalError::argument("invalid offset"))?;
            Ok(Value::obj(Zone {
                id: id.to_string(),
                tz,
                windows: false,
                legacy: false,
            }))
        })(),
        _ => return None,
    })
}

fn utc_ticks_of(v: Option<&Value<'_>>, zone: &Zone) -> EvalResult<i64> {
    match v {
        Some(Value::DateTime(d)) => utc_of(*d, if d.kind == Kind::Unspecified { Some(zone) } else { None }),
        Some(Value::DateTimeOffset(d)) => Ok(d.utc.ticks),
        _ => Err(EvalError::argument("expected a DateTime or DateTimeOffset")),
    }
}

impl Object for Zone {
    fn type_def(&self) -> &'static TypeDef {
        if self.legacy {
            &TIMEZONE
        } else {
            &TIMEZONEINFO
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn get<'a>(&self, _: &mut dyn Runtime<'a>, _: &Rc<dyn Object>, name: &str) -> Option<EvalResult<Value<'a>>> {
        Some(Ok(match name {
            "Id" => Value::string(self.id.clone()),
            "DisplayName" => Value::string(self.display_name()),
            "StandardName" => Value::string(self.standard_name()),
            "DaylightName" => Value::string(self.daylight_name()),
            "BaseUtcOffset" => Value::TimeSpan(TimeSpan {
                ticks: i64::from(self.base_minutes()) * unit::MINUTE,
            }),
            "SupportsDaylightSavingTime" => {
                let (jan, jul) = self.seasons(DateTime::now_utc().ticks);
                Value::Bool(jan != jul)
            }
            "HasIanaId" => Value::Bool(!self.windows),
            _ => return None,
        }))
    }

    fn call<'a>(
        &self,
        _: &mut dyn Runtime<'a>,
        _: &Rc<dyn Object>,
        name: &str,
        _: &[TypeRef],
        args: &[Value<'a>],
    ) -> Option<EvalResult<Value<'a>>> {
        Some(match (name, args) {
            ("GetUtcOffset", [v]) => utc_ticks_of(Some(v), self).map(|t| {
                Value::TimeSpan(TimeSpan {
                    ticks: i64::from(self.offset_at(t)) * unit::MINUTE,
                })
            }),
            ("IsDaylightSavingTime", [v]) => utc_ticks_of(Some(v), self).map(|t| Value::Bool(self.is_dst_at(t))),
            ("IsInvalidTime", [Value::DateTime(d)]) => Ok(Value::Bool(
                d.kind == Kind::Unspecified && self.to_utc(d.ticks).is_err(),
            )),
            ("IsAmbiguousTime", [v]) => (|| {
                let local = match v {
                    Value::DateTime(d) if d.kind == Kind::Unspecified => d.ticks,
                    v => {
                        let t = utc_ticks_of(Some(v), self)?;
                        t + i64::from(self.offset_at(t)) * unit::MINUTE
                    }
                };
                Ok(Value::Bool(matches!(
                    self.ambiguity(local)?,
                    AmbiguousOffset::Fold { .. }
                )))
            })(),
            ("ToLocalTime" | "ToUniversalTime", [Value::DateTime(d)]) if self.legacy => {
                Ok(Value::DateTime(d.with_kind(if name == "ToLocalTime" {
                    Kind::Local
                } else {
                    Kind::Utc
                })))
            }
            ("HasSameRules", [o]) => zone_arg(Some(o)).map(|z| Value::Bool(z.tz == self.tz)),
            ("ToString", []) => Ok(Value::string(self.display_name())),
            ("Equals", [o]) => Ok(Value::Bool(
                o.downcast::<Zone>()
                    .is_some_and(|z| z.id.eq_ignore_ascii_case(&self.id)),
            )),
            ("GetHashCode", []) => Ok(Value::Int(
                crate::library::hash(&Value::string(self.id.to_lowercase())) as i32
            )),
            _ => return None,
        })
    }

    fn to_text(&self) -> String {
        if self.legacy {
            "System.CurrentSystemTimeZone".into()
        } else {
            self.display_name()
        }
    }

    fn equals(&self, other: &dyn Object) -> Option<bool> {
        other
            .as_any()
            .downcast_ref::<Zone>()
            .map(|z| z.id.eq_ignore_ascii_case(&self.id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, m: i64, d: i64, h: i64) -> DateTime {
        DateTime::from_fields(y, m, d, [h, 0, 0, 0], Kind::Utc).unwrap()
    }

    #[test]
    fn zones() {
        let ny = Zone::find("Eastern Standard Time").unwrap();
        assert_eq!(ny.offset_at(at(2024, 1, 15, 12).ticks), -300);
        assert_eq!(ny.offset_at(at(2024, 7, 15, 12).ticks), -240);
        assert!(ny.is_dst_at(at(2024, 7, 15, 12).ticks));
        assert_eq!(ny.base_minutes(), -300);
        let local = in_zone(at(2024, 7, 15, 12).ticks, &ny).unwrap();
        assert_eq!(local.civil().hour, 8);
        assert_eq!(local.kind, Kind::Unspecified);
        // A skipped hour (2024-03-10 02:30 in New York) is invalid.
        let skipped = DateTime::from_fields(2024, 3, 10, [2, 30, 0, 0], Kind::Unspecified).unwrap();
        assert!(ny.to_utc(skipped.ticks).is_err());
        let paris = Zone::find("Europe/Paris").unwrap();
        assert_eq!(paris.offset_at(at(2024, 1, 1, 0).ticks), 60);
        assert!(Zone::find("Mars/Olympus").is_none());
        assert_eq!(Zone::utc().display_name(), "(UTC) Coordinated Universal Time");
        assert_eq!(ny.daylight_name(), "Eastern Daylight Time");
    }
}
