//! The standard numeric formats on a [`NumBuf`] (.NET's `NumberToString`):
//! `C`, `F`, `N`, `E`, `G`, `P`, `R` with the invariant culture's
//! `NumberFormatInfo` (".", ",", groups of 3, 2 decimals, currency "¤" in
//! patterns `¤n` / `(¤n)`, percent `n %` / `-n %`).
//!
//! Invariant: every output is built from the buffer's digits; rounding is
//! [`NumBuf::round`]'s (floats arrive correctly rounded already).

use super::buffer::{Kind, NumBuf};
use crate::error::EvalResult;

pub const DECIMAL_DIGITS: i32 = 2;
pub const CURRENCY: &str = "\u{a4}";

/// `NumberToString(number, format, nMaxDigits)`; `None` for a format
/// letter the standard formats do not have (a `FormatException`).
pub fn number_to_string(mut n: NumBuf, format: char, max_digits: i32) -> Option<String> {
    let correct = n.kind == Kind::Float;
    let mut out = String::new();
    match format {
        'C' | 'c' => {
            let d = if max_digits < 0 { DECIMAL_DIGITS } else { max_digits };
            n.round(n.scale + d, correct);
            if n.negative {
                out.push('(');
            }
            out.push_str(CURRENCY);
            fixed(&mut out, &n, d, true);
            if n.negative {
                out.push(')');
            }
        }
        'F' | 'f' | 'N' | 'n' => {
            let d = if max_digits < 0 { DECIMAL_DIGITS } else { max_digits };
            n.round(n.scale + d, correct);
            if n.negative {
                out.push('-');
            }
            fixed(&mut out, &n, d, matches!(format, 'N' | 'n'));
        }
        'E' | 'e' => {
            let d = if max_digits < 0 { 6 } else { max_digits } + 1;
            n.round(d, correct);
            if n.negative {
                out.push('-');
            }
            scientific(&mut out, &n, d, format);
        }
        'G' | 'g' | 'R' | 'r' => {
            let exp_char = if matches!(format, 'G' | 'R') { 'E' } else { 'e' };
            let mut d = max_digits;
            let mut no_rounding = false;
            if d < 1 {
                if n.kind == Kind::Decimal && d == -1 {
                    no_rounding = true;
                } else {
                    d = n.digits.len() as i32;
                }
            }
            if !no_rounding {
                n.round(d, correct);
            }
            if n.negative && !(no_rounding && n.is_zero()) {
                out.push('-');
            }
            general(&mut out, &n, d, exp_char, no_rounding);
        }
        'P' | 'p' => {
            let d = if max_digits < 0 { DECIMAL_DIGITS } else { max_digits };
            n.scale += 2;
            n.round(n.scale + d, correct);
            if n.negative {
                out.push('-');
            }
            fixed(&mut out, &n, d, true);
            out.push_str(" %");
        }
        _ => return None,
    }
    Some(out)
}

/// `FormatFixed`: the integer part (grouped by 3 when `group`), then
/// `decimals` digits after the point.
pub fn fixed(out: &mut String, n: &NumBuf, decimals: i32, group: bool) {
    let mut pos = n.scale;
    let mut di = 0usize;
    if pos > 0 {
        let count = pos as usize;
        for k in 0..count {
            let c = n.at(k);
            out.push(if c != 0 { c as char } else { '0' });
            let left = count - k - 1;
            if group && left > 0 && left.is_multiple_of(3) {
                out.push(',');
            }
        }
        di = count.min(n.digits.len());
    } else {
        out.push('0');
    }
    if decimals > 0 {
        out.push('.');
        let mut remaining = decimals;
        if pos < 0 {
            let zeros = (-pos).min(remaining);
            for _ in 0..zeros {
                out.push('0');
            }
            pos += zeros;
            remaining -= zeros;
        }
        let _ = pos;
        for _ in 0..remaining {
            let c = n.at(di);
            if c != 0 {
                out.push(c as char);
                di += 1;
            } else {
                out.push('0');
            }
        }
    }
}

/// `FormatScientific`: `d.ddd…E+ddd`.
fn scientific(out: &mut String, n: &NumBuf, digits: i32, exp_char: char) {
    let mut di = 0usize;
    let next = |di: &mut usize| {
        let c = n.at(*di);
        if c != 0 {
            *di += 1;
            c as char
        } else {
            '0'
        }
    };
    out.push(next(&mut di));
    if digits != 1 {
        out.push('.');
    }
    for _ in 1..digits.max(1) {
        out.push(next(&mut di));
    }
    let e = if n.is_zero() { 0 } else { n.scale - 1 };
    exponent(out, e, exp_char, 3, true);
}

/// `FormatExponent`: the exponent letter, its sign and at least
/// `min_digits` digits.
pub fn exponent(out: &mut String, value: i32, exp_char: char, min_digits: usize, positive_sign: bool) {
    out.push(exp_char);
    if value < 0 {
        out.push('-');
    } else if positive_sign {
        out.push('+');
    }
    let s = value.unsigned_abs().to_string();
    for _ in s.len()..min_digits {
        out.push('0');
    }
    out.push_str(&s);
}

/// `FormatGeneral`: fixed notation unless the exponent is past the
/// precision or below -4.
fn general(out: &mut String, n: &NumBuf, max_digits: i32, exp_char: char, suppress_scientific: bool) {
    let mut pos = n.scale;
    let mut scientific = false;
    if !suppress_scientific && (pos > max_digits || pos < -3) {
        pos = 1;
        scientific = true;
    }
    let mut di = 0usize;
    if pos > 0 {
        while pos > 0 {
            let c = n.at(di);
            if c != 0 {
                out.push(c as char);
                di += 1;
            } else {
                out.push('0');
            }
            pos -= 1;
        }
    } else {
        out.push('0');
    }
    if n.at(di) != 0 || pos < 0 {
        out.push('.');
        while pos < 0 {
            out.push('0');
            pos += 1;
        }
        while n.at(di) != 0 {
            out.push(n.at(di) as char);
            di += 1;
        }
    }
    if scientific {
        exponent(out, n.scale - 1, exp_char, 2, true);
    }
}

/// `D`/`G` of an integer: its decimal digits, zero-padded to `min_digits`.
pub fn integer_decimal(v: i128, min_digits: i32) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + 1);
    if v < 0 {
        out.push('-');
    }
    for _ in digits.len() as i32..min_digits {
        out.push('0');
    }
    out.push_str(&digits);
    out
}

/// `X`/`B` of an integer: the two's complement of its `bits`, in base 16
/// or 2, zero-padded to `min_digits`.
pub fn integer_radix(v: i128, bits: u32, radix: u32, upper: bool, min_digits: i32) -> EvalResult<String> {
    let mask: u128 = if bits >= 128 { u128::MAX } else { (1u128 << bits) - 1 };
    let u = (v as u128) & mask;
    let s = match (radix, upper) {
        (16, true) => format!("{u:X}"),
        (16, false) => format!("{u:x}"),
        _ => format!("{u:b}"),
    };
    let mut out = String::with_capacity(s.len());
    for _ in s.len() as i32..min_digits {
        out.push('0');
    }
    out.push_str(&s);
    Ok(out)
}
