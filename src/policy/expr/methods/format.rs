//! `ToString(format)` and `string.Format`: the .NET format strings the
//! subset supports for DateTime, Guid, int and double.
//!
//! Invariants: an unsupported format string is a `FormatException` naming
//! the format and the type, never a silently different rendering; `{n}`
//! holes past the argument list are a `FormatException` as in .NET.

use std::borrow::Cow;

use super::super::eval::{fail, R};
use super::super::value::Value;
use super::super::EvalErrorKind as K;

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

/// `string.Format` with `{0}` / `{0:fmt}` holes and `{{`/`}}` escapes.
pub(super) fn string_format(f: &str, vals: &[Value<'_>]) -> R<String> {
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
    fn formats() {
        assert_eq!(
            string_format("{0}-{1:D3}-{{x}}", &[Value::str("a"), Value::Int(7)]).unwrap(),
            "a-007-{x}"
        );
        assert!(string_format("{2}", &[]).is_err());
        assert_eq!(format_fixed(1234567.891, 2, true), "1,234,567.89");
        assert_eq!(format_fixed(-0.001, 2, false), "0.00");
    }
}
