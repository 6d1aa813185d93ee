//! `ToString(format)` of the numeric types in the invariant culture, as
//! .NET Core 3.0+ formats them:
//! - default `ToString()`: integers plainly; `double`/`float` with the
//!   shortest round-trip digits, switching to `E+XX` notation past 17 (9
//!   for `float`) integral digits or below 1E-05 (`1E+17`, `1.5E-07`);
//!   `decimal` with its scale (`1.50`); NaN "NaN", infinities "Infinity" /
//!   "-Infinity" (the invariant culture's symbols; "∞" is ICU cultures');
//! - standard formats (`C D E F G N P R X B` with a precision): on doubles
//!   the exact binary value rounded to nearest, ties to even (`2.5:F0` is
//!   "2", `0.125:F2` "0.12", `1.005:F2` "1.00" since 1.005 is below the
//!   tie); on integers and decimals ties round away from zero
//!   (`0.125m:F2` is "0.13");
//! - custom formats: doubles first rounded to 15 significant digits
//!   (floats 7), then half away from zero at the format's last digit.
//!
//! Invariant: a precision above [`MAX_PRECISION`] is refused rather than
//! allocated (.NET accepts up to 999,999,999).

mod buffer;
mod custom;
mod standard;

pub use buffer::{Kind, NumBuf};
pub use custom::format_custom;
pub use standard::{integer_decimal, integer_radix, number_to_string};

use rust_decimal::Decimal;

use crate::error::{EvalError, EvalErrorKind, EvalResult};

/// The largest precision specifier Outpost formats.
pub const MAX_PRECISION: i32 = 1000;

pub fn bad_format() -> EvalError {
    EvalError::new(EvalErrorKind::Format, "Format specifier was invalid.")
}

/// .NET's `ParseFormatSpecifier`: `(letter, precision)` for a standard
/// format (`-1` = no precision), `('\0', -1)` for a custom one, `('G', -1)`
/// for "".
pub fn parse_spec(format: &str) -> EvalResult<(char, i32)> {
    let mut chars = format.chars();
    let Some(c) = chars.next() else {
        return Ok(('G', -1));
    };
    if c.is_ascii_alphabetic() {
        let rest = chars.as_str();
        if rest.is_empty() {
            return Ok((c, -1));
        }
        if rest.bytes().all(|b| b.is_ascii_digit()) {
            let digits = rest.trim_start_matches('0');
            if digits.len() > 9 {
                return Err(bad_format());
            }
            let n: i32 = if digits.is_empty() {
                0
            } else {
                digits.parse().map_err(|_| bad_format())?
            };
            if n > MAX_PRECISION {
                return Err(EvalError::new(
                    EvalErrorKind::NotSupported,
                    format!("Outpost formats numbers with a precision of at most {MAX_PRECISION} digits"),
                ));
            }
            return Ok((c, n));
        }
    }
    Ok(('\0', -1))
}

/// `ToString(format)` of an integral value of `bits` width.
pub fn format_integer(v: i128, bits: u32, format: &str) -> EvalResult<String> {
    if format.is_empty() {
        return Ok(v.to_string());
    }
    let (c, digits) = parse_spec(format)?;
    match c.to_ascii_uppercase() {
        'G' if digits < 1 => return Ok(integer_decimal(v, -1)),
        'D' => return Ok(integer_decimal(v, digits)),
        'X' => return integer_radix(v, bits, 16, c == 'X', digits),
        'B' => return integer_radix(v, bits, 2, true, digits),
        _ => {}
    }
    let n = NumBuf::integer(v.unsigned_abs(), v < 0);
    if c == '\0' {
        return Ok(format_custom(n, format));
    }
    number_to_string(n, c, digits).ok_or_else(bad_format)
}

/// `ToString(format)` of a `double` (`single`: of a `float`, widened).
pub fn format_float(x: f64, single: bool, format: &str) -> EvalResult<String> {
    let (c, mut precision) = parse_spec(format)?;
    if x.is_nan() {
        return Ok("NaN".into());
    }
    if x.is_infinite() {
        return Ok(if x > 0.0 { "Infinity" } else { "-Infinity" }.into());
    }
    if c == '\0' {
        let n = NumBuf::significant(x, single, if single { 7 } else { 15 });
        return Ok(format_custom(n, format));
    }
    let max_digits = precision;
    let significant = match c.to_ascii_uppercase() {
        'C' | 'F' | 'N' => {
            if precision == -1 {
                precision = standard::DECIMAL_DIGITS;
            }
            false
        }
        'P' => {
            if precision == -1 {
                precision = standard::DECIMAL_DIGITS;
            }
            precision += 2;
            false
        }
        'E' => {
            if precision == -1 {
                precision = 6;
            }
            precision += 1;
            true
        }
        'G' => {
            if precision == 0 {
                precision = -1;
            }
            true
        }
        'R' => {
            precision = -1;
            true
        }
        _ => return Err(bad_format()),
    };
    let n = if !significant {
        NumBuf::fixed(x, single, precision as usize)
    } else if precision == -1 {
        NumBuf::shortest(x, single)
    } else {
        NumBuf::significant(x, single, precision as usize)
    };
    let max_digits = if precision == -1 {
        (n.digits.len() as i32).max(if single { 9 } else { 17 })
    } else {
        max_digits
    };
    number_to_string(n, c, max_digits).ok_or_else(bad_format)
}

/// `ToString(format)` of a `decimal`.
pub fn format_decimal(d: Decimal, format: &str) -> EvalResult<String> {
    let (c, digits) = parse_spec(format)?;
    let n = NumBuf::decimal(d);
    if c == '\0' {
        return Ok(format_custom(n, format));
    }
    number_to_string(n, c, digits).ok_or_else(bad_format)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f64, f: &str) -> String {
        format_float(x, false, f).unwrap()
    }

    fn i(v: i128, f: &str) -> String {
        format_integer(v, 32, f).unwrap()
    }

    fn m(s: &str, f: &str) -> String {
        format_decimal(s.parse().unwrap(), f).unwrap()
    }

    #[test]
    fn double_defaults() {
        assert_eq!(d(1234.5, ""), "1234.5");
        assert_eq!(d(0.1, ""), "0.1");
        assert_eq!(d(1e15, ""), "1000000000000000");
        assert_eq!(d(1e17, ""), "1E+17");
        assert_eq!(d(1.5e-7, ""), "1.5E-07");
        assert_eq!(d(0.0001, ""), "0.0001");
        assert_eq!(d(0.00001, ""), "1E-05");
        assert_eq!(d(-0.0, ""), "-0");
        assert_eq!(d(f64::MAX, ""), "1.7976931348623157E+308");
        assert_eq!(d(f64::NAN, ""), "NaN");
        assert_eq!(d(f64::NEG_INFINITY, ""), "-Infinity");
        assert_eq!(d(-60.0, ""), "-60");
        assert_eq!(d(0.1 + 0.2, ""), "0.30000000000000004");
        assert_eq!(format_float(1e7, true, "").unwrap(), "10000000");
        assert_eq!(format_float(1e10, true, "").unwrap(), "1E+10");
        assert_eq!(format_float(0.1f32 as f64, true, "").unwrap(), "0.1");
    }

    #[test]
    fn double_standard() {
        assert_eq!(d(1234.5, "N2"), "1,234.50");
        assert_eq!(d(1234567.891, "N"), "1,234,567.89");
        assert_eq!(d(-1234.5, "N0"), "-1,234");
        assert_eq!(d(2.5, "F0"), "2");
        assert_eq!(d(3.5, "F0"), "4");
        assert_eq!(d(0.125, "F2"), "0.12");
        assert_eq!(d(1.005, "F2"), "1.00");
        assert_eq!(d(0.05, "F1"), "0.1");
        assert_eq!(d(12.345, "C"), "\u{a4}12.35");
        assert_eq!(d(-12.345, "C"), "(\u{a4}12.35)");
        assert_eq!(d(0.5, "P"), "50.00 %");
        assert_eq!(d(-0.1234, "P1"), "-12.3 %");
        assert_eq!(d(1234.5, "E"), "1.234500E+003");
        assert_eq!(d(1234.5, "e2"), "1.23e+003");
        assert_eq!(d(0.0, "E2"), "0.00E+000");
        assert_eq!(d(1234.5, "G4"), "1234");
        assert_eq!(d(12345.0, "G4"), "1.234E+04");
        assert_eq!(d(0.1, "G17"), "0.10000000000000001");
        assert_eq!(d(0.1, "R"), "0.1");
        assert_eq!(d(123.456, "F"), "123.46");
        assert!(format_float(1.0, false, "X").is_err());
        assert!(format_float(1.0, false, "D2").is_err());
    }

    #[test]
    fn double_custom() {
        assert_eq!(d(1234.5678, "0.00"), "1234.57");
        assert_eq!(d(1234.5678, "#,##0.0"), "1,234.6");
        assert_eq!(d(0.125, "0.00"), "0.13");
        assert_eq!(d(0.5, "0%"), "50%");
        assert_eq!(d(1234567.0, "#,##0,K"), "1,235K");
        assert_eq!(d(1234567.0, "0,,"), "1");
        assert_eq!(d(-1.5, "0.0;(0.0)"), "(1.5)");
        assert_eq!(d(0.0, "0.0;(0.0);zero"), "zero");
        assert_eq!(d(12345.0, "0.0E+00"), "1.2E+04");
        assert_eq!(d(0.00012, "0.###E0"), "1.2E-4");
        assert_eq!(d(5.0, "'#'0"), "#5");
        assert_eq!(d(5.0, "\\#0"), "#5");
        assert_eq!(d(0.45, "#.#"), ".5");
        assert_eq!(d(0.0, "#"), "");
        assert_eq!(d(-0.4, "0"), "-0");
        assert_eq!(d(42.0, "00000"), "00042");
        assert_eq!(d(1.0, "0.00##"), "1.00");
    }

    #[test]
    fn integers() {
        assert_eq!(i(255, "X2"), "FF");
        assert_eq!(i(255, "x4"), "00ff");
        assert_eq!(i(-1, "X"), "FFFFFFFF");
        assert_eq!(format_integer(-1, 8, "X").unwrap(), "FF");
        assert_eq!(format_integer(-1, 64, "x").unwrap(), "ffffffffffffffff");
        assert_eq!(i(42, "D5"), "00042");
        assert_eq!(i(-42, "D5"), "-00042");
        assert_eq!(i(1234567, "N0"), "1,234,567");
        assert_eq!(i(1234, "N"), "1,234.00");
        assert_eq!(i(1234, "F1"), "1234.0");
        assert_eq!(i(12345, "G3"), "1.23E+04");
        assert_eq!(i(12355, "G3"), "1.24E+04");
        assert_eq!(i(5, "B8"), "00000101");
        assert_eq!(i(1234, "E2"), "1.23E+003");
        assert_eq!(i(-5, "C"), "(\u{a4}5.00)");
        assert_eq!(i(1234, "#,#"), "1,234");
        assert_eq!(i(0, "#"), "");
        assert_eq!(i(0, "0"), "0");
        assert_eq!(i(-3, "0;minus 0"), "minus 3");
        assert_eq!(i(15, "P0"), "1,500 %");
        assert!(format_integer(1, 32, "Q").is_err());
    }

    #[test]
    fn decimals() {
        assert_eq!(m("1.50", ""), "1.50");
        assert_eq!(m("-0.00", ""), "0.00");
        assert_eq!(m("0.125", "F2"), "0.13");
        assert_eq!(m("0.925", "N2"), "0.93");
        assert_eq!(m("1234.5", "G4"), "1235");
        assert_eq!(m("1234.5", "N"), "1,234.50");
        assert_eq!(m("1234.5678", "0.00"), "1234.57");
        assert_eq!(m("100", "E1"), "1.0E+002");
        assert!(format_decimal(Decimal::ONE, "X").is_err());
    }
}
