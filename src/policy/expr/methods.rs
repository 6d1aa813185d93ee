//! Runtime behaviour of the methods and properties in the subset, with
//! .NET's semantics: string indices and lengths count UTF-16 code units,
//! comparisons are ordinal (optionally ignoring case), failures are the
//! exceptions .NET would throw.

use std::borrow::Cow;

use super::context::Values;
use super::datetime::{unit, DateTime, TimeSpan};
use super::eval::{fail, internal, Eval, R};
use super::ir::{DatePart, Method, Node, Side, SpanPart};
use super::types::{DictKind, Type};
use super::value::Value;
use super::EvalErrorKind as K;

/// A substring of `s` that borrows when `s` does.
fn sub<'a>(s: &Cow<'a, str>, start: usize, end: usize) -> Cow<'a, str> {
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[start..end]),
        Cow::Owned(o) => Cow::Owned(o[start..end].to_owned()),
    }
}

fn utf16_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.encode_utf16().count()
    }
}

/// Byte offset of UTF-16 index `u` (`None` past the end or inside a char).
fn byte_at(s: &str, u: usize) -> Option<usize> {
    if s.is_ascii() {
        return (u <= s.len()).then_some(u);
    }
    let mut units = 0;
    for (i, ch) in s.char_indices() {
        if units == u {
            return Some(i);
        }
        units += ch.len_utf16();
        if units > u {
            return None;
        }
    }
    (units == u).then_some(s.len())
}

fn lower_if(s: &str, ic: bool) -> Cow<'_, str> {
    if ic {
        Cow::Owned(s.to_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// Byte position of `needle` in `hay` (ordinal, optionally ignoring case),
/// from the start or the end, mapped back to `hay`'s bytes.
fn find(hay: &str, needle: &str, ic: bool, last: bool) -> Option<usize> {
    if ic && !(hay.is_ascii() && needle.is_ascii()) {
        // Lowercasing can change lengths: compare char by char instead.
        let needle: Vec<char> = needle.chars().flat_map(char::to_lowercase).collect();
        let starts = hay.char_indices().map(|(i, _)| i).chain(std::iter::once(hay.len()));
        let matches_at = |i: usize| {
            let mut it = hay[i..].chars().flat_map(char::to_lowercase);
            needle.iter().all(|c| it.next() == Some(*c))
        };
        let mut all = starts.filter(|&i| matches_at(i));
        return if last { all.next_back() } else { all.next() };
    }
    if ic {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        if n.len() > h.len() {
            return None;
        }
        let mut range = 0..=h.len() - n.len();
        let hit = |i: &usize| h[*i..*i + n.len()].eq_ignore_ascii_case(n);
        return if last { range.rfind(hit) } else { range.find(hit) };
    }
    if last {
        hay.rfind(needle)
    } else {
        hay.find(needle)
    }
}

fn text_arg<'v>(v: &'v Value<'_>) -> R<Cow<'v, str>> {
    match v {
        Value::Str(s) => Ok(Cow::Borrowed(s)),
        Value::Char(c) => Ok(Cow::Owned(c.to_string())),
        Value::Null => fail(K::ArgumentNull, "Value cannot be null."),
        v => internal(v, "string"),
    }
}

fn int_arg(v: &Value<'_>) -> R<i32> {
    match v {
        Value::Int(i) => Ok(*i),
        v => internal(v, "int"),
    }
}

fn out_of_range<T>(what: &str) -> R<T> {
    fail(K::ArgumentOutOfRange, format!("{what} is out of range"))
}

impl<'a> Eval<'a> {
    fn arg(&mut self, args: &'a [Node], i: usize) -> R<Value<'a>> {
        match args.get(i) {
            Some(n) => self.node(n),
            None => Ok(Value::Null),
        }
    }

    pub fn call(&mut self, m: Method, recv: Option<Value<'a>>, args: &'a [Node]) -> R<Value<'a>> {
        let Some(recv) = recv else {
            return self.call_static(m, args);
        };
        let cx = self.cx;
        if let Value::Dict(d) = recv {
            let key = self.arg(args, 0)?;
            let key = text_arg(&key)?;
            let key: &str = &key;
            return match m {
                Method::ContainsKey => Ok(Value::Bool(match d {
                    DictKind::Headers(msg) => cx.header(msg, key).is_some(),
                    DictKind::Query(k) => cx.query(k, key).is_some(),
                    DictKind::MatchedParameters => cx.matched_parameter(key).is_some(),
                    DictKind::Variables => cx.variable(key).is_some(),
                })),
                Method::GetValueOrDefault { ty, default } => {
                    let found = match d {
                        DictKind::Headers(msg) => cx.header(msg, key).map(|v| Value::Str(Values::joined(v))),
                        DictKind::Query(k) => cx.query(k, key).map(|v| Value::Str(Values::joined(v))),
                        DictKind::MatchedParameters => cx.matched_parameter(key).map(Value::Str),
                        DictKind::Variables => cx.variable(key),
                    };
                    match found {
                        Some(v) if v.is_of(ty) => Ok(v),
                        Some(v) => fail(
                            K::InvalidCast,
                            format!(
                                "Unable to cast object of type '{}' to type '{ty}' (variable '{key}')",
                                v.type_name()
                            ),
                        ),
                        None if default => self.arg(args, 1),
                        None => Ok(default_value(ty)),
                    }
                }
                _ => internal(&recv, "dictionary method"),
            };
        }
        match recv {
            Value::Str(s) => self.string_method(m, s, args),
            Value::Array(a) => self.array_method(m, a, args),
            Value::DateTime(d) => self.date_method(m, d, args),
            Value::TimeSpan(t) => Ok(match m {
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
            }),
            Value::Ns(super::types::Ns::Certificate) if m == Method::CertVerify => {
                Ok(Value::Bool(cx.verify_certificate()))
            }
            Value::Ns(super::types::Ns::Body(msg)) => {
                let preserve = matches!(self.arg(args, 0)?, Value::Bool(true));
                match cx.body(msg, preserve) {
                    Ok(text) => Ok(Value::Str(text)),
                    Err(why) => fail(K::InvalidOperation, why),
                }
            }
            other => match m {
                Method::ToText => Ok(Value::Str(Cow::Owned(other.to_text().into_owned()))),
                Method::ToTextFormat => {
                    let f = self.arg(args, 0)?;
                    format_value(&other, &text_arg(&f)?)
                }
                _ => internal(&other, "receiver"),
            },
        }
    }

    fn string_method(&mut self, m: Method, s: Cow<'a, str>, args: &'a [Node]) -> R<Value<'a>> {
        let a0 = self.arg(args, 0)?;
        Ok(match m {
            Method::ToText => Value::Str(s),
            Method::ToTextFormat => format_value(&Value::Str(s.clone()), &text_arg(&a0)?)?,
            Method::Length => Value::Int(utf16_len(&s) as i32),
            Method::Contains { ic } => Value::Bool(find(&s, &text_arg(&a0)?, ic, false).is_some()),
            Method::StartsWith { ic } => {
                let p = text_arg(&a0)?;
                Value::Bool(if ic {
                    p.is_empty() || find(&s, &p, true, false) == Some(0)
                } else {
                    s.starts_with(&*p)
                })
            }
            Method::EndsWith { ic } => {
                let p = text_arg(&a0)?;
                let ok = if ic {
                    lower_if(&s, true).ends_with(&*lower_if(&p, true))
                } else {
                    s.ends_with(&*p)
                };
                Value::Bool(ok)
            }
            Method::Equals { ic } => Value::Bool(match &a0 {
                Value::Str(o) => str_eq(&s, o, ic),
                _ => false,
            }),
            Method::IndexOf { ic } | Method::LastIndexOf { ic } => {
                let last = matches!(m, Method::LastIndexOf { .. });
                let n = text_arg(&a0)?;
                Value::Int(match find(&s, &n, ic, last) {
                    Some(b) => utf16_len(&s[..b]) as i32,
                    None => -1,
                })
            }
            Method::ToLower => Value::Str(if s.chars().any(char::is_uppercase) {
                Cow::Owned(s.to_lowercase())
            } else {
                s
            }),
            Method::ToUpper => Value::Str(if s.chars().any(char::is_lowercase) {
                Cow::Owned(s.to_uppercase())
            } else {
                s
            }),
            Method::Trim(side) => {
                let mut chars = Vec::new();
                if !a0.is_null() {
                    chars.push(a0);
                    for i in 1..args.len() {
                        chars.push(self.arg(args, i)?);
                    }
                }
                let strip = |c: char| {
                    if chars.is_empty() {
                        c.is_whitespace()
                    } else {
                        chars.contains(&Value::Char(c))
                    }
                };
                let start = match side {
                    Side::End => 0,
                    _ => s.len() - s.trim_start_matches(strip).len(),
                };
                let end = match side {
                    Side::Start => s.len(),
                    _ => s.trim_end_matches(strip).len(),
                };
                Value::Str(sub(&s, start, end.max(start)))
            }
            Method::Split { remove_empty } => {
                let mut seps = Vec::new();
                if !a0.is_null() {
                    seps.push(text_arg(&a0)?.into_owned());
                    for i in 1..args.len() {
                        seps.push(text_arg(&self.arg(args, i)?)?.into_owned());
                    }
                }
                Value::Array(split(&s, &seps, remove_empty))
            }
            Method::Replace => {
                let from = text_arg(&a0)?.into_owned();
                let to = self.arg(args, 1)?;
                let to = to.to_text();
                if from.is_empty() {
                    return fail(K::Argument, "String cannot be of zero length. (Parameter 'oldValue')");
                }
                Value::Str(if s.contains(&*from) {
                    Cow::Owned(s.replace(&*from, &to))
                } else {
                    s
                })
            }
            Method::Substring => {
                let start = int_arg(&a0)?;
                let len = utf16_len(&s) as i64;
                let count = match args.len() {
                    1 => len - i64::from(start),
                    _ => i64::from(int_arg(&self.arg(args, 1)?)?),
                };
                if start < 0 || count < 0 || i64::from(start) + count > len {
                    return out_of_range("startIndex or length");
                }
                let b0 = byte_at(&s, start as usize);
                let b1 = byte_at(&s, (i64::from(start) + count) as usize);
                match (b0, b1) {
                    (Some(b0), Some(b1)) => Value::Str(sub(&s, b0, b1)),
                    _ => return out_of_range("an index inside a surrogate pair"),
                }
            }
            Method::PadLeft | Method::PadRight => {
                let width = int_arg(&a0)?;
                if width < 0 {
                    return out_of_range("totalWidth");
                }
                let fill = match self.arg(args, 1)? {
                    Value::Char(c) => c,
                    _ => ' ',
                };
                let n = (width as usize).saturating_sub(utf16_len(&s));
                if n == 0 {
                    Value::Str(s)
                } else {
                    let pad: String = std::iter::repeat_n(fill, n).collect();
                    Value::Str(Cow::Owned(if m == Method::PadLeft {
                        pad + &s
                    } else {
                        s.into_owned() + &pad
                    }))
                }
            }
            _ => return internal(&Value::Str(s), "string method"),
        })
    }

    fn array_method(&mut self, m: Method, a: Vec<Cow<'a, str>>, args: &'a [Node]) -> R<Value<'a>> {
        Ok(match m {
            Method::First { or_default } | Method::Last { or_default } => {
                let first = matches!(m, Method::First { .. });
                let v = if first {
                    a.into_iter().next()
                } else {
                    a.into_iter().next_back()
                };
                match v {
                    Some(s) => Value::Str(s),
                    None if or_default => Value::Null,
                    None => return fail(K::InvalidOperation, "Sequence contains no elements"),
                }
            }
            Method::ArrayLength => Value::Int(a.len() as i32),
            Method::ArrayContains => {
                let x = self.arg(args, 0)?;
                Value::Bool(a.iter().any(|s| x.as_str() == Some(s)))
            }
            Method::ToText => Value::str("System.String[]"),
            _ => return internal(&Value::Array(a), "string[] method"),
        })
    }

    fn date_method(&mut self, m: Method, d: DateTime, args: &'a [Node]) -> R<Value<'a>> {
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

fn day_of_year(year: i64, month: u32, day: u32) -> i32 {
    const CUM: [u32; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    (CUM[month as usize - 1] + day + u32::from(leap && month > 2)) as i32
}

fn str_eq(a: &str, b: &str, ic: bool) -> bool {
    if !ic {
        a == b
    } else if a.is_ascii() && b.is_ascii() {
        a.eq_ignore_ascii_case(b)
    } else {
        a.to_lowercase() == b.to_lowercase()
    }
}

/// `s.Split(seps)`; no separators splits on whitespace.
fn split<'a>(s: &Cow<'a, str>, seps: &[String], remove_empty: bool) -> Vec<Cow<'a, str>> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < s.len() {
        let hit = if seps.is_empty() {
            let c = s[i..].chars().next().unwrap_or(' ');
            c.is_whitespace().then_some(c.len_utf8())
        } else {
            seps.iter()
                .find(|p| !p.is_empty() && s[i..].starts_with(p.as_str()))
                .map(String::len)
        };
        match hit {
            Some(n) => {
                out.push(sub(s, start, i));
                i += n;
                start = i;
            }
            None => i += s[i..].chars().next().map_or(1, char::len_utf8),
        }
    }
    out.push(sub(s, start, s.len()));
    if remove_empty {
        out.retain(|p| !p.is_empty());
    }
    out
}

/// `default(T)` for GetValueOrDefault without a default argument.
fn default_value(ty: Type) -> Value<'static> {
    match ty {
        Type::Bool => Value::Bool(false),
        Type::Int => Value::Int(0),
        Type::Double => Value::Double(0.0),
        Type::Char => Value::Char('\0'),
        _ => Value::Null,
    }
}

/// `ToString(format)` for DateTime, Guid, int and double.
pub fn format_value<'a>(v: &Value<'_>, f: &str) -> R<Value<'a>> {
    let bad = || {
        fail(
            K::Format,
            format!("Format string '{f}' is not supported for {}", v.type_name()),
        )
    };
    let out = match v {
        Value::DateTime(d) => match d.format(f) {
            Some(s) => s,
            None => return bad(),
        },
        Value::Str(g) => match f {
            "" | "D" | "d" => g.to_string(),
            "N" | "n" => g.replace('-', ""),
            "B" | "b" => format!("{{{g}}}"),
            "P" | "p" => format!("({g})"),
            _ => return bad(),
        },
        Value::Int(i) => {
            let (kind, width) = f.split_at(f.len().min(1));
            let width: usize = if width.is_empty() {
                0
            } else {
                match width.parse() {
                    Ok(w) => w,
                    Err(_) => return bad(),
                }
            };
            match kind {
                "" | "G" | "g" => i.to_string(),
                "D" | "d" if *i < 0 => format!("-{:0width$}", i.unsigned_abs()),
                "D" | "d" => format!("{i:0width$}"),
                "X" => format!("{i:0width$X}"),
                "x" => format!("{i:0width$x}"),
                "F" | "f" | "N" | "n" => format_fixed(f64::from(*i), width, kind.eq_ignore_ascii_case("N")),
                _ => return bad(),
            }
        }
        Value::Double(d) => {
            let (kind, digits) = f.split_at(f.len().min(1));
            let digits: usize = match digits {
                "" => 2,
                n => match n.parse() {
                    Ok(w) => w,
                    Err(_) => return bad(),
                },
            };
            match kind {
                "" | "G" | "g" | "R" | "r" => Value::Double(*d).to_text().into_owned(),
                "F" | "f" | "N" | "n" => format_fixed(*d, digits, kind.eq_ignore_ascii_case("N")),
                _ => return bad(),
            }
        }
        _ => return bad(),
    };
    Ok(Value::Str(Cow::Owned(out)))
}

/// `F`/`N` numeric formats (`N` groups thousands with `,`).
fn format_fixed(d: f64, digits: usize, group: bool) -> String {
    let s = format!("{:.*}", digits, d.abs());
    let (int_part, frac) = s.split_once('.').map_or((s.as_str(), None), |(a, b)| (a, Some(b)));
    let mut out = String::new();
    if d < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    for (i, c) in int_part.chars().enumerate() {
        if group && i > 0 && (int_part.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

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
    fn call_static(&mut self, m: Method, args: &'a [Node]) -> R<Value<'a>> {
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

/// `string.Format` with `{0}` / `{0:fmt}` holes and `{{`/`}}` escapes.
fn string_format(f: &str, vals: &[Value<'_>]) -> R<String> {
    let bad = || fail(K::Format, "Input string was not in a correct format.");
    let mut out = String::new();
    let mut rest = f;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            out.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return bad();
        }
        let Some(close) = tail.find('}') else { return bad() };
        let hole = &tail[1..close];
        let (index, fmt) = hole.split_once(':').map_or((hole, None), |(a, b)| (a, Some(b)));
        let Ok(index) = index.trim().parse::<usize>() else {
            return bad();
        };
        let Some(v) = vals.get(index) else {
            return fail(
                K::Format,
                "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.",
            );
        };
        match fmt {
            None => out.push_str(&v.to_text()),
            Some(fmt) => match format_value(v, fmt)? {
                Value::Str(s) => out.push_str(&s),
                _ => return bad(),
            },
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_positions() {
        assert_eq!(utf16_len("a😀b"), 4);
        assert_eq!(byte_at("a😀b", 3), Some(5));
        assert_eq!(byte_at("a😀b", 2), None);
        assert_eq!(byte_at("ab", 2), Some(2));
        assert_eq!(byte_at("ab", 3), None);
    }

    #[test]
    fn finding() {
        assert_eq!(find("Hello World", "WORLD", true, false), Some(6));
        assert_eq!(find("Hello World", "WORLD", false, false), None);
        assert_eq!(find("ÄbcÄ", "ä", true, true), Some(4));
        assert_eq!(find("abab", "ab", false, true), Some(2));
    }

    #[test]
    fn splitting_borrows() {
        let s = Cow::Borrowed("a,b,,c");
        let parts = split(&s, &[",".into()], false);
        assert_eq!(parts, vec!["a", "b", "", "c"]);
        assert!(matches!(parts[0], Cow::Borrowed(_)));
        assert_eq!(split(&s, &[",".into()], true), vec!["a", "b", "c"]);
        assert_eq!(split(&Cow::Borrowed("a b"), &[], false), vec!["a", "b"]);
    }

    #[test]
    fn formats() {
        assert_eq!(
            string_format("{0}-{1:D3}-{{x}}", &[Value::str("a"), Value::Int(7)]).unwrap(),
            "a-007-{x}"
        );
        assert!(string_format("{2}", &[]).is_err());
        assert_eq!(format_fixed(1234567.891, 2, true), "1,234,567.89");
        assert_eq!(format_fixed(-0.001, 2, false), "0.00");
        assert_eq!(parse_int(" 42 ").unwrap(), 42);
        assert_eq!(parse_int("x").unwrap_err().kind, K::Format);
        assert_eq!(parse_int("99999999999").unwrap_err().kind, K::Overflow);
        let g = new_guid();
        assert_eq!(g.len(), 36);
        assert_eq!(&g[14..15], "4");
    }
}
