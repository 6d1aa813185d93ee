//! `DateTime` and `TimeSpan` receivers: the date parts (`Year` ...
//! `DayOfYear`), `Add*`, the `TimeSpan` parts and totals, and `ToString`.
//!
//! Invariants: `Add*` of an amount beyond ±9e18 ticks (or not finite) is
//! `ArgumentOutOfRangeException`, and the sum saturates rather than wrap
//! or panic; `TimeSpan` parts follow .NET (`Hours` is 0–23, `Days` is
//! unbounded).

use std::borrow::Cow;

use super::super::datetime::{unit, DateTime, TimeSpan};
use super::super::eval::{internal, Eval, R};
use super::super::ir::{DatePart, Method, Node, SpanPart};
use super::super::value::Value;
use super::format::format_value;
use super::{out_of_range, text_arg};

impl<'a> Eval<'a> {
    pub(super) fn date_method(&mut self, m: Method, d: DateTime, args: &'a [Node]) -> R<Value<'a>> {
        Ok(match m {
            Method::DatePart(p) => {
                let c = d.civil();
                Value::Int(match p {
                    DatePart::Year => c.year as i32,
                    DatePart::Month => c.month as i32,
                    DatePart::Day => c.day as i32,
                    DatePart::Hour => c.hour as i32,
                    DatePart::Minute => c.minute as i32,
                    DatePart::Second => c.second as i32,
                    DatePart::Millisecond => (c.frac / 10_000) as i32,
                    DatePart::DayOfYear => day_of_year(c.year, c.month, c.day),
                })
            }
            Method::AddTicks(u) => match self.arg(args, 0)? {
                Value::Double(x) => {
                    let ticks = (x * u as f64).round();
                    if !ticks.is_finite() || ticks.abs() > 9.0e18 {
                        return out_of_range("the added or subtracted value");
                    }
                    Value::DateTime(DateTime {
                        ticks: d.ticks.saturating_add(ticks as i64),
                    })
                }
                _ => Value::DateTime(d),
            },
            Method::ToText => Value::Str(Cow::Owned(Value::DateTime(d).to_text().into_owned())),
            Method::ToTextFormat => {
                let f = self.arg(args, 0)?;
                format_value(&Value::DateTime(d), &text_arg(&f)?)?
            }
            _ => return internal(&Value::DateTime(d), "DateTime method"),
        })
    }
}

pub(super) fn span_method<'a>(m: Method, t: TimeSpan) -> R<Value<'a>> {
    Ok(match m {
        Method::SpanTotal(u) => Value::Double(t.total(u)),
        Method::SpanPart(p) => {
            let (per, modulo) = match p {
                SpanPart::Days => (unit::DAY, i64::MAX),
                SpanPart::Hours => (unit::HOUR, 24),
                SpanPart::Minutes => (unit::MINUTE, 60),
                SpanPart::Seconds => (unit::SECOND, 60),
                SpanPart::Milliseconds => (unit::MILLISECOND, 1000),
            };
            Value::Int(((t.ticks / per) % modulo) as i32)
        }
        Method::ToText => Value::Str(Cow::Owned(t.to_dotnet_string())),
        _ => return internal(&Value::TimeSpan(t), "TimeSpan method"),
    })
}

fn day_of_year(year: i64, month: u32, day: u32) -> i32 {
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    (CUM[month as usize - 1] + day + u32::from(leap && month > 2)) as i32
}
