//! `Parse`/`TryParse` of the numeric types and `Boolean` in the invariant
//! culture, with .NET's `NumberStyles` (integers default to `Integer`:
//! whitespace and a leading sign; `double`/`float` to `Float |
//! AllowThousands`; `decimal` to `Number`: no exponent).
//!
//! Invariant: the input is scanned once, by index; at most
//! [`MAX_DIGITS`] significant digits are kept (more is an overflow for
//! integers, and beyond a double's precision anyway).

use rust_decimal::Decimal;

use super::cast::scalar_to;
use super::num::{Num, Scalar};
use crate::error::{EvalError, EvalErrorKind, EvalResult};
use crate::value::Value;

pub const LEADING_WHITE: u32 = 1;
pub const TRAILING_WHITE: u32 = 2;
pub const LEADING_SIGN: u32 = 4;
pub const TRAILING_SIGN: u32 = 8;
pub const PARENTHESES: u32 = 16;
pub const DECIMAL_POINT: u32 = 32;
pub const THOUSANDS: u32 = 64;
pub const EXPONENT: u32 = 128;
pub const CURRENCY: u32 = 256;
pub const HEX: u32 = 512;
pub const BINARY: u32 = 1024;

pub const INTEGER: u32 = LEADING_WHITE | TRAILING_WHITE | LEADING_SIGN;
pub const NUMBER: u32 = INTEGER | TRAILING_SIGN | DECIMAL_POINT | THOUSANDS;
pub const FLOAT: u32 = INTEGER | DECIMAL_POINT | EXPONENT;

const MAX_DIGITS: usize = 800;

/// The default `NumberStyles` of `k.Parse(s)`.
pub fn default_styles(k: Num) -> u32 {
    match k {
        Num::Float | Num::Double => FLOAT | THOUSANDS,
        Num::Decimal => NUMBER,
        _ => INTEGER,
    }
}

/// A parsed number: `negative`, the digits and the position of the point.
struct Parsed {
    negative: bool,
    digits: String,
    /// Digits before the decimal point (may be negative or past the end
    /// once the exponent is applied).
    point: i64,
}

fn is_white(c: char) -> bool {
    c == ' ' || ('\t'..='\r').contains(&c)
}

fn format_error(s: &str) -> EvalError {
    EvalError::new(
        EvalErrorKind::Format,
        format!("The input string '{s}' was not in a correct format."),
    )
}

/// Parses `s` under `styles` (hex and binary excluded).
fn scan(s: &str, styles: u32) -> Option<Parsed> {
    let c: Vec<char> = s.chars().collect();
    let (mut i, mut end) = (0, c.len());
    if styles & LEADING_WHITE != 0 {
        while i < end && is_white(c[i]) {
            i += 1;
        }
    }
    if styles & TRAILING_WHITE != 0 {
        while end > i && is_white(c[end - 1]) {
            end -= 1;
        }
    }
    let mut negative = false;
    let mut signed = false;
    let mut parens = false;
    if styles & PARENTHESES != 0 && i < end && c[i] == '(' {
        if end <= i + 1 || c[end - 1] != ')' {
            return None;
        }
        parens = true;
        negative = true;
        i += 1;
        end -= 1;
    }
    if styles & CURRENCY != 0 && i < end && c[i] == '\u{a4}' {
        i += 1;
    }
    if styles & LEADING_SIGN != 0 && !parens && i < end && (c[i] == '-' || c[i] == '+') {
        negative = c[i] == '-';
        signed = true;
        i += 1;
    }
    if styles & CURRENCY != 0 && i < end && c[i] == '\u{a4}' {
        i += 1;
    }
    if styles & TRAILING_SIGN != 0 && !signed && !parens && end > i && (c[end - 1] == '-' || c[end - 1] == '+') {
        negative = c[end - 1] == '-';
        end -= 1;
    }
    if styles & CURRENCY != 0 && end > i && c[end - 1] == '\u{a4}' {
        end -= 1;
    }
    let mut digits = String::new();
    let mut point: i64 = 0;
    let mut seen_point = false;
    let mut any = false;
    while i < end {
        let ch = c[i];
        if ch.is_ascii_digit() {
            any = true;
            if !(digits.is_empty() && ch == '0') {
                if digits.len() < MAX_DIGITS {
                    digits.push(ch);
                    if !seen_point {
                        point += 1;
                    }
                } else if !seen_point {
                    point += 1;
                }
            } else if seen_point {
                point -= 1;
            }
        } else if ch == '.' && styles & DECIMAL_POINT != 0 && !seen_point {
            seen_point = true;
        } else if ch == ',' && styles & THOUSANDS != 0 && !seen_point && any {
        } else {
            break;
        }
        i += 1;
    }
    if !any {
        return None;
    }
    if i < end && (c[i] == 'e' || c[i] == 'E') && styles & EXPONENT != 0 {
        i += 1;
        let mut eneg = false;
        if i < end && (c[i] == '-' || c[i] == '+') {
            eneg = c[i] == '-';
            i += 1;
        }
        let start = i;
        let mut e: i64 = 0;
        while i < end && c[i].is_ascii_digit() {
            e = (e * 10 + i64::from(c[i] as u8 - b'0')).min(1_000_000);
            i += 1;
        }
        if i == start {
            return None;
        }
        point += if eneg { -e } else { e };
    }
    if i != end {
        return None;
    }
    Some(Parsed {
        negative,
        digits,
        point,
    })
}

/// Parses `s` as numeric type `k` with `styles`; the .NET exception on
/// failure (`FormatException`, `OverflowException`).
pub fn parse_number(s: &str, k: Num, styles: u32) -> EvalResult<Value<'static>> {
    if styles & (HEX | BINARY) != 0 {
        return parse_radix(s, k, if styles & HEX != 0 { 16 } else { 2 });
    }
    if matches!(k, Num::Float | Num::Double) {
        if let Some(x) = special_float(s) {
            return scalar_to(Scalar::F(x, false), k, false);
        }
    }
    let p = scan(s, styles).ok_or_else(|| format_error(s))?;
    let sign = if p.negative { "-" } else { "" };
    match k {
        Num::Float | Num::Double => {
            let text = format!(
                "{sign}0.{}e{}",
                if p.digits.is_empty() { "0" } else { &p.digits },
                p.point
            );
            let x: f64 = if k == Num::Float {
                text.parse::<f32>().map(f64::from).map_err(|_| format_error(s))?
            } else {
                text.parse().map_err(|_| format_error(s))?
            };
            scalar_to(Scalar::F(x, k == Num::Float), k, false)
        }
        Num::Decimal => parse_decimal(&p).map(Value::Decimal).ok_or_else(|| k.overflow()),
        _ => {
            if p.digits.is_empty() {
                return Ok(k.wrap(0));
            }
            let int_len = p.point.max(0) as usize;
            if p.point > 38 || p.point < 0 || (p.digits.len() > int_len && has_nonzero(&p.digits[int_len..])) {
                // A fractional part that is not zero is an overflow in .NET.
                return Err(k.overflow());
            }
            let mut v: i128 = 0;
            for pos in 0..int_len {
                let d = p.digits.as_bytes().get(pos).map_or(0, |b| b - b'0');
                v = v * 10 + i128::from(d);
            }
            let v = if p.negative { -v } else { v };
            k.int(v).ok_or_else(|| k.overflow())
        }
    }
}

fn has_nonzero(s: &str) -> bool {
    s.bytes().any(|b| b != b'0')
}

fn parse_decimal(p: &Parsed) -> Option<Decimal> {
    if p.digits.is_empty() {
        return Some(Decimal::ZERO);
    }
    if p.point > 29 {
        return None;
    }
    let digits = p.digits.as_str();
    let text = if p.point <= 0 {
        let zeros = usize::try_from(-p.point).ok()?;
        if zeros > 40 {
            return Some(Decimal::ZERO);
        }
        format!("0.{}{}", "0".repeat(zeros), digits)
    } else {
        let pt = p.point as usize;
        if pt >= digits.len() {
            format!("{}{}", digits, "0".repeat(pt - digits.len()))
        } else {
            format!("{}.{}", &digits[..pt], &digits[pt..])
        }
    };
    let d: Decimal = text.parse().ok()?;
    Some(if p.negative { -d } else { d })
}

/// "NaN", "Infinity", "∞" with an optional sign, any case, trimmed.
fn special_float(s: &str) -> Option<f64> {
    let t = s.trim_matches(is_white);
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let x = if body.eq_ignore_ascii_case("infinity") || body == "\u{221e}" {
        f64::INFINITY
    } else if body.eq_ignore_ascii_case("nan") {
        f64::NAN
    } else {
        return None;
    };
    Some(if neg { -x } else { x })
}

/// `NumberStyles.AllowHexSpecifier`/`AllowBinarySpecifier`: the bits of the
/// type (`"FFFFFFFF"` is -1 for an `int`).
fn parse_radix(s: &str, k: Num, radix: u32) -> EvalResult<Value<'static>> {
    if !k.is_integral() {
        return Err(EvalError::argument(
            "The number style AllowHexSpecifier is not supported on floating point data types.",
        ));
    }
    let t = s.trim_matches(is_white);
    if t.is_empty() || !t.chars().all(|c| c.is_digit(radix)) {
        return Err(format_error(s));
    }
    let digits = t.trim_start_matches('0');
    let per = if radix == 16 { 4 } else { 1 };
    if digits.len() * per > k.bits() as usize {
        return Err(k.overflow());
    }
    let u = u128::from_str_radix(if digits.is_empty() { "0" } else { digits }, radix).map_err(|_| format_error(s))?;
    Ok(k.wrap(u as i128))
}

/// `bool.Parse`: "True"/"False" in any case, surrounding whitespace (and
/// NULs) allowed.
pub fn parse_bool(s: &str) -> EvalResult<bool> {
    let t = s.trim_matches(|c: char| is_white(c) || c == '\0');
    if t.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if t.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(EvalError::new(
            EvalErrorKind::Format,
            format!("String '{s}' was not recognized as a valid Boolean."),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str, k: Num) -> Result<Value<'static>, EvalErrorKind> {
        parse_number(s, k, default_styles(k)).map_err(|e| e.kind)
    }

    #[test]
    fn integers() {
        assert_eq!(p(" 42 ", Num::Int), Ok(Value::Int(42)));
        assert_eq!(p("-0042", Num::Int), Ok(Value::Int(-42)));
        assert_eq!(p("+7", Num::Long), Ok(Value::Long(7)));
        assert_eq!(p("2147483648", Num::Int), Err(EvalErrorKind::Overflow));
        assert_eq!(p("-1", Num::UInt), Err(EvalErrorKind::Overflow));
        assert_eq!(p("1.0", Num::Int), Err(EvalErrorKind::Format));
        assert_eq!(p("1,000", Num::Int), Err(EvalErrorKind::Format));
        assert_eq!(p("", Num::Int), Err(EvalErrorKind::Format));
        assert_eq!(p("12a", Num::Int), Err(EvalErrorKind::Format));
        assert_eq!(parse_number("1,000", Num::Int, NUMBER).ok(), Some(Value::Int(1000)));
        assert_eq!(
            parse_number("FF", Num::Byte, HEX | INTEGER).ok(),
            Some(Value::Byte(255))
        );
        assert_eq!(parse_number("FFFFFFFF", Num::Int, HEX).ok(), Some(Value::Int(-1)));
        assert_eq!(parse_number("(5)", Num::Int, PARENTHESES).ok(), Some(Value::Int(-5)));
        assert!(parse_number("1.5", Num::Int, NUMBER).is_err());
        assert_eq!(parse_number("1.00", Num::Int, NUMBER).ok(), Some(Value::Int(1)));
        assert_eq!(parse_number("1e3", Num::Int, FLOAT).ok(), Some(Value::Int(1000)));
    }

    #[test]
    fn reals() {
        assert_eq!(p("1,234.5", Num::Double), Ok(Value::Double(1234.5)));
        assert_eq!(p("-1.5e-3", Num::Double), Ok(Value::Double(-0.0015)));
        assert_eq!(p(".5", Num::Double), Ok(Value::Double(0.5)));
        assert_eq!(p("1e400", Num::Double), Ok(Value::Double(f64::INFINITY)));
        assert_eq!(p("-infinity", Num::Double), Ok(Value::Double(f64::NEG_INFINITY)));
        assert!(matches!(p("NaN", Num::Double), Ok(Value::Double(x)) if x.is_nan()));
        assert_eq!(p("0.1", Num::Float), Ok(Value::Float(0.1)));
        assert_eq!(p("1.50", Num::Decimal), Ok(Value::Decimal(Decimal::new(150, 2))));
        assert_eq!(p("-0.001", Num::Decimal), Ok(Value::Decimal(Decimal::new(-1, 3))));
        assert_eq!(p("1e3", Num::Decimal), Err(EvalErrorKind::Format));
        assert_eq!(p("1e", Num::Double), Err(EvalErrorKind::Format));
        assert_eq!(
            p("99999999999999999999999999999999", Num::Decimal),
            Err(EvalErrorKind::Overflow)
        );
        assert_eq!(parse_bool(" true "), Ok(true));
        assert_eq!(parse_bool("FALSE"), Ok(false));
        assert!(parse_bool("yes").is_err());
    }
}

#[cfg(test)]
mod more_tests {
    use super::*;

    #[test]
    fn long_inputs() {
        let many = format!("0.{}", "1".repeat(40));
        assert!(matches!(
            parse_number(&many, Num::Decimal, NUMBER),
            Ok(Value::Decimal(_))
        ));
        let huge = "9".repeat(60);
        assert_eq!(
            parse_number(&huge, Num::Long, INTEGER).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert_eq!(
            parse_number(&"1".repeat(39), Num::ULong, INTEGER).unwrap_err().kind,
            EvalErrorKind::Overflow
        );
        assert!(matches!(parse_number(&huge, Num::Double, FLOAT), Ok(Value::Double(_))));
    }
}
