//! APIM's Liquid filters (DotLiquid in C# mode: PascalCase names). Most are
//! the liquid crate's own filters registered under APIM's name (their
//! behaviour is Liquid's, which DotLiquid follows); `Capitalize`,
//! `Currency` and `Date` are DotLiquid's own (.NET formats, invariant
//! culture) and written here; `UrlEncode`/`UrlDecode` are .NET's
//! `WebUtility` ones from the expression crate. Every filter's output is charged to the
//! render's budget (see `blocks`).

use std::fmt;

use liquid_core::model::{Value, ValueView};
use liquid_core::parser::{FilterArguments, FilterReflection, ParameterReflection, ParseFilter};
use liquid_core::{Error, Expression, Filter, Language, Result, Runtime};
use liquid_lib::stdlib as lib;
use outpost_expr::library::net::escape;

use super::blocks::charge_bytes;

/// APIM's filter names, in the reference's order.
pub const NAMES: [&str; 43] = [
    "Abs",
    "Append",
    "AtLeast",
    "AtMost",
    "Capitalize",
    "Compact",
    "Currency",
    "Date",
    "Default",
    "DividedBy",
    "Downcase",
    "Escape",
    "First",
    "H",
    "Join",
    "Last",
    "Lstrip",
    "Map",
    "Minus",
    "Modulo",
    "NewlineToBr",
    "Plus",
    "Prepend",
    "Remove",
    "RemoveFirst",
    "Replace",
    "ReplaceFirst",
    "Round",
    "Rstrip",
    "Size",
    "Slice",
    "Sort",
    "Split",
    "Strip",
    "StripHtml",
    "StripNewlines",
    "Times",
    "Truncate",
    "TruncateWords",
    "Uniq",
    "Upcase",
    "UrlDecode",
    "UrlEncode",
];

/// The liquid crate's filter for an APIM name (`None`: written here).
fn stock(name: &str) -> Option<Box<dyn ParseFilter>> {
    Some(match name {
        "Append" => lib::Append.into(),
        "AtLeast" => lib::AtLeast.into(),
        "AtMost" => lib::AtMost.into(),
        "Compact" => lib::Compact.into(),
        "Default" => lib::Default.into(),
        "Downcase" => lib::Downcase.into(),
        "Escape" | "H" => lib::Escape.into(),
        "First" => lib::First.into(),
        "Join" => lib::Join.into(),
        "Last" => lib::Last.into(),
        "Lstrip" => lib::Lstrip.into(),
        "Map" => lib::Map.into(),
        "NewlineToBr" => lib::NewlineToBr.into(),
        "Prepend" => lib::Prepend.into(),
        "Remove" => lib::Remove.into(),
        "RemoveFirst" => lib::RemoveFirst.into(),
        "Replace" => lib::Replace.into(),
        "ReplaceFirst" => lib::ReplaceFirst.into(),
        "Round" => lib::Round.into(),
        "Rstrip" => lib::Rstrip.into(),
        "Size" => lib::Size.into(),
        "Slice" => lib::Slice.into(),
        "Sort" => lib::Sort.into(),
        "Split" => lib::Split.into(),
        "Strip" => lib::Strip.into(),
        "StripHtml" => lib::StripHtml.into(),
        "StripNewlines" => lib::StripNewlines.into(),
        "Truncate" => lib::Truncate.into(),
        "TruncateWords" => lib::TruncateWords.into(),
        "Uniq" => lib::Uniq.into(),
        "Upcase" => lib::Upcase.into(),
        _ => return None,
    })
}

/// Registers every APIM filter on `lang`.
pub fn register(lang: &mut Language) {
    for name in NAMES {
        let inner: Box<dyn ParseFilter> = match stock(name) {
            Some(f) => f,
            None => Box::new(Own { name }),
        };
        lang.filters
            .register(name.to_owned(), Box::new(Charged { name, inner }));
    }
}

/// A filter whose output is charged to the render's budget.
#[derive(Clone)]
struct Charged {
    name: &'static str,
    inner: Box<dyn ParseFilter>,
}

impl FilterReflection for Charged {
    fn name(&self) -> &str {
        self.name
    }

    fn description(&self) -> &str {
        ""
    }

    fn positional_parameters(&self) -> &'static [ParameterReflection] {
        self.inner.reflection().positional_parameters()
    }

    fn keyword_parameters(&self) -> &'static [ParameterReflection] {
        self.inner.reflection().keyword_parameters()
    }
}

impl ParseFilter for Charged {
    fn parse(&self, args: FilterArguments<'_>) -> Result<Box<dyn Filter>> {
        Ok(Box::new(ChargedFilter {
            name: self.name,
            inner: self.inner.parse(args)?,
        }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct ChargedFilter {
    name: &'static str,
    inner: Box<dyn Filter>,
}

impl fmt::Display for ChargedFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// Roughly the bytes a value holds.
fn size(v: &Value) -> usize {
    match v {
        Value::Scalar(s) => s.to_kstr().len(),
        Value::Array(items) => items
            .iter()
            .map(|i| 16 + i.as_scalar().map_or(0, |s| s.to_kstr().len()))
            .sum(),
        Value::Object(o) => o.len() * 32,
        Value::State(_) | Value::Nil => 0,
    }
}

impl Filter for ChargedFilter {
    fn evaluate(&self, input: &dyn ValueView, rt: &dyn Runtime) -> Result<Value> {
        let out = self.inner.evaluate(input, rt)?;
        charge_bytes(rt, size(&out))?;
        Ok(out)
    }
}

/// The filters written here.
#[derive(Clone, Debug)]
struct Own {
    name: &'static str,
}

impl FilterReflection for Own {
    fn name(&self) -> &str {
        self.name
    }

    fn description(&self) -> &str {
        ""
    }

    fn positional_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }

    fn keyword_parameters(&self) -> &'static [ParameterReflection] {
        &[]
    }
}

impl ParseFilter for Own {
    fn parse(&self, mut args: FilterArguments<'_>) -> Result<Box<dyn Filter>> {
        if args.keyword.next().is_some() {
            return Err(Error::with_msg(format!("{} takes no named arguments", self.name)));
        }
        let args: Vec<Expression> = args.positional.collect();
        let most = if self.name == "Capitalize" { 0 } else { 1 };
        if args.len() > most {
            return Err(Error::with_msg(format!(
                "{} takes at most {most} argument(s)",
                self.name
            )));
        }
        Ok(Box::new(OwnFilter { name: self.name, args }))
    }

    fn reflection(&self) -> &dyn FilterReflection {
        self
    }
}

#[derive(Debug)]
struct OwnFilter {
    name: &'static str,
    args: Vec<Expression>,
}

impl fmt::Display for OwnFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl Filter for OwnFilter {
    fn evaluate(&self, input: &dyn ValueView, rt: &dyn Runtime) -> Result<Value> {
        if let Some(op) = Arith::of(self.name) {
            let operand = match self.args.first() {
                Some(e) => Some(number(e.evaluate(rt)?.as_view(), self.name)?),
                None => None,
            };
            return arith(op, number(input, self.name)?, operand);
        }
        let arg = match self.args.first() {
            Some(e) => Some(e.evaluate(rt)?.to_kstr().into_owned()),
            None => None,
        };
        let text = input.to_kstr();
        Ok(match self.name {
            "Capitalize" => Value::scalar(capitalize(&text)),
            "Currency" => currency(input, arg.as_deref()),
            "UrlEncode" => Value::scalar(escape::url_encode(&text)),
            "UrlDecode" => Value::scalar(escape::url_decode(&text)),
            _ => date(input, arg.as_deref().unwrap_or_default()),
        })
    }
}

/// A number as the arithmetic filters see it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Num {
    Int(i64),
    Float(f64),
}

fn number(v: &dyn ValueView, filter: &str) -> Result<Num> {
    if v.is_nil() {
        return Ok(Num::Int(0));
    }
    let s = v
        .as_scalar()
        .ok_or_else(|| Error::with_msg(format!("{filter}: not a number")))?;
    let text = s.to_kstr();
    if let Ok(i) = text.trim().parse::<i64>() {
        return Ok(Num::Int(i));
    }
    s.to_float()
        .or_else(|| text.trim().parse::<f64>().ok())
        .map(Num::Float)
        .ok_or_else(|| Error::with_msg(format!("{filter}: `{text}` is not a number")))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Arith {
    Abs,
    Plus,
    Minus,
    Times,
    DividedBy,
    Modulo,
}

impl Arith {
    fn of(name: &str) -> Option<Arith> {
        Some(match name {
            "Abs" => Arith::Abs,
            "Plus" => Arith::Plus,
            "Minus" => Arith::Minus,
            "Times" => Arith::Times,
            "DividedBy" => Arith::DividedBy,
            "Modulo" => Arith::Modulo,
            _ => return None,
        })
    }
}

/// Integer arithmetic when both sides are integers (division truncates),
/// checked: an overflow continues in floating point instead of panicking.
fn arith(op: Arith, a: Num, b: Option<Num>) -> Result<Value> {
    let b = b.unwrap_or(Num::Int(0));
    if matches!((op, b), (Arith::DividedBy | Arith::Modulo, Num::Int(0)))
        || b == Num::Float(0.0) && matches!(op, Arith::DividedBy | Arith::Modulo)
    {
        return Err(Error::with_msg("divided by zero"));
    }
    if let (Num::Int(x), Num::Int(y)) = (a, b) {
        let exact = match op {
            Arith::Abs => x.checked_abs(),
            Arith::Plus => x.checked_add(y),
            Arith::Minus => x.checked_sub(y),
            Arith::Times => x.checked_mul(y),
            Arith::DividedBy => x.checked_div(y),
            Arith::Modulo => x.checked_rem(y),
        };
        if let Some(v) = exact {
            return Ok(Value::scalar(v));
        }
    }
    let f = |n: Num| match n {
        Num::Int(i) => i as f64,
        Num::Float(v) => v,
    };
    let (x, y) = (f(a), f(b));
    Ok(Value::scalar(match op {
        Arith::Abs => x.abs(),
        Arith::Plus => x + y,
        Arith::Minus => x - y,
        Arith::Times => x * y,
        Arith::DividedBy => x / y,
        Arith::Modulo => x % y,
    }))
}

/// DotLiquid 2.2's `Capitalize`: the first non-blank character upper case,
/// the rest lower case, leading blanks kept.
pub fn capitalize(s: &str) -> String {
    let lead = s.len() - s.trim_start().len();
    let mut chars = s[lead..].chars();
    match chars.next() {
        None => s.to_owned(),
        Some(first) => format!(
            "{}{}{}",
            &s[..lead],
            first.to_uppercase(),
            chars.as_str().to_lowercase()
        ),
    }
}

/// `Currency`: a number in .NET's `C` format of the invariant culture
/// (`¤1,234.57`, negative `(¤1,234.57)`); `en-US` and `en-GB` give `$`
/// and `£`. Anything that is not a number is returned as it is.
fn currency(input: &dyn ValueView, culture: Option<&str>) -> Value {
    let n = input
        .as_scalar()
        .and_then(|s| s.to_float())
        .or_else(|| input.to_kstr().trim().parse::<f64>().ok());
    let Some(n) = n.filter(|n| n.is_finite() && n.abs() < 1e15) else {
        return input.to_value();
    };
    let symbol = match culture.map(str::trim) {
        Some("en-US") => "$",
        Some("en-GB") => "£",
        _ => "\u{a4}",
    };
    let cents = (n.abs() * 100.0).round() as u64;
    let (units, frac) = (cents / 100, cents % 100);
    let digits = units.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let body = format!("{symbol}{grouped}.{frac:02}");
    Value::scalar(if n < 0.0 && cents > 0 {
        if symbol == "\u{a4}" {
            format!("({body})")
        } else {
            format!("-{body}")
        }
    } else {
        body
    })
}

/// `Date`: the input (`now`/`today`, a date string `DateTime.Parse`
/// reads, or Unix seconds) in a .NET format (`yyyy-MM-dd`, `o`, `R`…); an
/// empty format gives .NET's default `ToString()`. Input that is not a
/// date is returned as it is.
fn date(input: &dyn ValueView, format: &str) -> Value {
    use outpost_expr::library::time::{parse, DateTime};
    let now = DateTime::now_utc();
    let text = input.to_kstr();
    let when = match text.trim() {
        "now" | "Now" | "today" | "Today" => Some(now),
        t => match input.as_scalar().and_then(|s| s.to_integer()) {
            Some(secs)
                if input
                    .as_scalar()
                    .is_some_and(|s| s.to_kstr().trim().parse::<i64>().is_ok()) =>
            {
                Some(DateTime::from_unix_seconds(secs))
            }
            _ => parse::parse(t, now).and_then(|p| parse::to_datetime(p).ok()),
        },
    };
    let Some(when) = when else {
        return input.to_value();
    };
    let format = if format.is_empty() { "G" } else { format };
    match when.format(format) {
        Some(s) => Value::scalar(s),
        None => input.to_value(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic_never_overflows() {
        let i = Num::Int;
        assert_eq!(
            arith(Arith::DividedBy, i(i64::MIN), Some(i(-1))).unwrap(),
            Value::scalar(9.223372036854776e18)
        );
        assert_eq!(
            arith(Arith::Abs, i(i64::MIN), None).unwrap(),
            Value::scalar(9.223372036854776e18)
        );
        assert_eq!(
            arith(Arith::Plus, i(i64::MAX), Some(i(1))).unwrap(),
            Value::scalar(9.223372036854776e18)
        );
        assert_eq!(
            arith(Arith::Modulo, i(i64::MIN), Some(i(-1))).unwrap(),
            Value::scalar(-0.0)
        );
        assert_eq!(arith(Arith::DividedBy, i(7), Some(i(2))).unwrap(), Value::scalar(3i64));
        assert_eq!(
            arith(Arith::Times, Num::Float(1.5), Some(i(2))).unwrap(),
            Value::scalar(3.0)
        );
        assert!(arith(Arith::DividedBy, i(1), Some(i(0))).is_err());
        assert!(arith(Arith::Modulo, Num::Float(1.0), Some(Num::Float(0.0))).is_err());
    }

    #[test]
    fn own_filters() {
        assert_eq!(capitalize("  hELLO world"), "  Hello world");
        assert_eq!(capitalize(""), "");
        let v = |x: f64| Value::scalar(x);
        assert_eq!(currency(&v(1234.567), None), Value::scalar("\u{a4}1,234.57"));
        assert_eq!(currency(&v(-5.0), Some("en-US")), Value::scalar("-$5.00"));
        assert_eq!(currency(&v(-5.0), None), Value::scalar("(\u{a4}5.00)"));
        assert_eq!(currency(&Value::scalar("abc"), None), Value::scalar("abc"));
        assert_eq!(
            date(&Value::scalar("2024-01-02T03:04:05Z"), "yyyyMMddTHH:mm:ssZ"),
            Value::scalar("20240102T03:04:05Z")
        );
        assert_eq!(date(&Value::scalar(0i64), "yyyy-MM-dd"), Value::scalar("1970-01-01"));
        assert_eq!(date(&Value::scalar("not a date"), "yyyy"), Value::scalar("not a date"));
        assert_eq!(NAMES.len(), 43);
    }
}
