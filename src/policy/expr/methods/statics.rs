//! Static calls: `string.IsNullOrEmpty`/`Join`/`Concat`/`Format`,
//! `int.Parse`, `double.Parse`, `bool.Parse`, `Guid.NewGuid()`,
//! `DateTime.UtcNow`, `TimeSpan.From*` and `Math.Min`/`Max`/`Abs`.
//!
//! Invariants: parse failures and overflows are the `FormatException` /
//! `OverflowException` .NET throws, with .NET's messages; nothing here
//! panics on any input text.

use std::borrow::Cow;

use super::super::datetime::TimeSpan;
use super::super::eval::{fail, internal, Eval, R};
use super::super::ir::{Method, Node};
use super::super::value::Value;
use super::super::EvalErrorKind as K;
use super::format::string_format;
use super::string::str_eq;
use super::text_arg;

/// A random (version 4) Guid in "D" form.
pub fn new_guid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

pub fn parse_int(s: &str) -> R<i32> {
    let t = s.trim();
    match t.parse::<i64>() {
        Ok(v) => {
            i32::try_from(v).or_else(|_| fail(K::Overflow, "Value was either too large or too small for an Int32."))
        }
        Err(_) if !t.is_empty() && t.trim_start_matches(['-', '+']).bytes().all(|b| b.is_ascii_digit()) => {
            fail(K::Overflow, "Value was either too large or too small for an Int32.")
        }
        Err(_) => fail(
            K::Format,
            format!("The input string '{s}' was not in a correct format."),
        ),
    }
}

impl<'a> Eval<'a> {
    pub(super) fn call_static(&mut self, m: Method, args: &'a [Node]) -> R<Value<'a>> {
        let a0 = self.arg(args, 0)?;
        Ok(match m {
            Method::IsNullOrEmpty => Value::Bool(a0.as_str().is_none_or(str::is_empty)),
            Method::IsNullOrWhiteSpace => Value::Bool(a0.as_str().is_none_or(|s| s.trim().is_empty())),
            Method::StaticEquals { ic } => {
                let b = self.arg(args, 1)?;
                Value::Bool(match (a0.as_str(), b.as_str()) {
                    (Some(x), Some(y)) => str_eq(x, y, ic),
                    (x, y) => x.is_none() && y.is_none(),
                })
            }
            Method::Join => {
                let sep = a0.to_text().into_owned();
                let mut out = String::new();
                let mut push = |i: usize, s: &str| {
                    if i > 0 {
                        out.push_str(&sep);
                    }
                    out.push_str(s);
                };
                match self.arg(args, 1)? {
                    Value::Array(items) if args.len() == 2 => {
                        for (i, s) in items.iter().enumerate() {
                            push(i, s);
                        }
                    }
                    first => {
                        push(0, &first.to_text());
                        for i in 2..args.len() {
                            push(i - 1, &self.arg(args, i)?.to_text());
                        }
                    }
                }
                Value::Str(Cow::Owned(out))
            }
            Method::Concat => {
                let mut out = a0.to_text().into_owned();
                for i in 1..args.len() {
                    out.push_str(&self.arg(args, i)?.to_text());
                }
                Value::Str(Cow::Owned(out))
            }
            Method::Format => {
                let Value::Str(f) = a0 else {
                    return fail(K::ArgumentNull, "Value cannot be null. (Parameter 'format')");
                };
                let mut vals = Vec::with_capacity(args.len().saturating_sub(1));
                for i in 1..args.len() {
                    vals.push(self.arg(args, i)?);
                }
                Value::Str(Cow::Owned(string_format(&f, &vals)?))
            }
            Method::ParseInt => Value::Int(parse_int(&text_arg(&a0)?)?),
            Method::ParseDouble => {
                let s = text_arg(&a0)?;
                match s.trim().parse::<f64>() {
                    Ok(d) if !s.trim().chars().any(char::is_alphabetic) || s.trim().eq_ignore_ascii_case("nan") => {
                        Value::Double(d)
                    }
                    _ => {
                        return fail(
                            K::Format,
                            format!("The input string '{s}' was not in a correct format."),
                        )
                    }
                }
            }
            Method::ParseBool => {
                let s = text_arg(&a0)?;
                match s.trim() {
                    t if t.eq_ignore_ascii_case("true") => Value::Bool(true),
                    t if t.eq_ignore_ascii_case("false") => Value::Bool(false),
                    _ => {
                        return fail(
                            K::Format,
                            format!("String '{s}' was not recognized as a valid Boolean."),
                        )
                    }
                }
            }
            Method::NewGuid => Value::Str(Cow::Owned(new_guid())),
            Method::UtcNow => Value::DateTime(self.cx.now()),
            Method::SpanFrom(u) => match a0 {
                Value::Double(x) if (x * u as f64).is_finite() && (x * u as f64).abs() < 9.0e18 => {
                    Value::TimeSpan(TimeSpan {
                        ticks: (x * u as f64).round() as i64,
                    })
                }
                _ => return fail(K::Overflow, "TimeSpan overflowed because the duration is too long."),
            },
            Method::Min | Method::Max => {
                let b = self.arg(args, 1)?;
                let pick_a = match (&a0, &b) {
                    (Value::Int(x), Value::Int(y)) => (x <= y) == (m == Method::Min),
                    (Value::Double(x), Value::Double(y)) => (x <= y) == (m == Method::Min) || x.is_nan(),
                    _ => return internal(&a0, "number"),
                };
                if pick_a {
                    a0
                } else {
                    b
                }
            }
            Method::Abs => match a0 {
                Value::Int(i) => Value::Int(i.checked_abs().ok_or(()).or_else(|_| {
                    fail(
                        K::Overflow,
                        "Negating the minimum value of a twos complement number is invalid.",
                    )
                })?),
                Value::Double(d) => Value::Double(d.abs()),
                v => return internal(&v, "number"),
            },
            _ => return internal(&a0, "static method"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_and_guids() {
        assert_eq!(parse_int(" 42 ").unwrap(), 42);
        assert_eq!(parse_int("x").unwrap_err().kind, K::Format);
        assert_eq!(parse_int("99999999999").unwrap_err().kind, K::Overflow);
        let g = new_guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
    }
}
