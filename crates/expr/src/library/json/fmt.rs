//! .NET's invariant-culture text of the primitive values a token holds, as
//! `JValue.ToString()`, `(string)token` and the JSON writer need them:
//! doubles and floats in .NET Core's shortest round-trip form (`"R"`, the
//! default since .NET Core 3.0: `1E+15`, `1E-05`, `0.0001`, `-0`), Guids
//! in the `D` form, `DateTimeOffset`'s default `G` form.
//!
//! The JSON writer adds Newtonsoft's rule on top (`EnsureDecimalPlace`):
//! a double, float or decimal without `.`, `E` or `e` gets `.0`.

use std::fmt::Write;

use crate::library::time::datetime::{DateTime, DateTimeOffset};

/// `double.ToString()` / `ToString("R")` in .NET Core 3.0 and later.
pub fn double_r(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    general(&format!("{x:e}"), 15)
}

/// `float.ToString()` in .NET Core 3.0 and later.
pub fn single_r(x: f32) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    general(&format!("{x:e}"), 7)
}

/// .NET's `G` formatting of Rust's shortest scientific text (`-1.25e-7`):
/// fixed notation unless the decimal exponent is below -5 or at least
/// `max(digits, min_precision)`, then `d.dddE±XX`.
fn general(sci: &str, min_precision: usize) -> String {
    let (neg, body) = match sci.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, sci),
    };
    let (mantissa, exp) = body.split_once('e').unwrap_or((body, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let nd = digits.len();
    let scale = exp + 1;
    let max = nd.max(min_precision) as i32;
    let mut s = String::with_capacity(nd + 8);
    if neg {
        s.push('-');
    }
    if scale > max || scale < -3 {
        s.push_str(&digits[..1]);
        if nd > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        let _ = write!(s, "E{}{:02}", if exp < 0 { '-' } else { '+' }, exp.unsigned_abs());
    } else if scale <= 0 {
        s.push_str("0.");
        for _ in 0..-scale {
            s.push('0');
        }
        s.push_str(&digits);
    } else {
        let sc = scale as usize;
        if nd <= sc {
            s.push_str(&digits);
            for _ in nd..sc {
                s.push('0');
            }
        } else {
            s.push_str(&digits[..sc]);
            s.push('.');
            s.push_str(&digits[sc..]);
        }
    }
    s
}

/// A `Guid` in the `D` form (`0f8fad5b-d9cb-469f-a165-70867728950e`).
pub fn guid_d(g: u128) -> String {
    let h = format!("{g:032x}");
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// `DateTimeOffset.ToString()`: `MM/dd/yyyy HH:mm:ss +hh:mm`.
pub fn dto_text(d: &DateTimeOffset) -> String {
    let clock = DateTime {
        ticks: d.utc.ticks + i64::from(d.offset_minutes) * 600_000_000,
        kind: crate::library::time::datetime::Kind::Unspecified,
    };
    let mut s = clock.format("").unwrap_or_default();
    s.push(' ');
    super::dates::write_offset(&mut s, d.offset_minutes);
    s
}

/// Newtonsoft's `EnsureDecimalPlace`: `1` → `1.0`; `1E+20`, `NaN` kept.
pub fn ensure_decimal_place(mut s: String) -> String {
    if !s.contains(['.', 'E', 'e']) && !s.ends_with("NaN") && !s.ends_with("Infinity") {
        s.push_str(".0");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_as_dotnet_core_prints_them() {
        // documented .NET behaviour, not run
        let cases: &[(f64, &str)] = &[
            (1.0, "1"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1e14, "100000000000000"),
            (1e15, "1E+15"),
            (1e20, "1E+20"),
            (123456789012345680.0, "1.2345678901234568E+17"),
            (12345678901234567.0, "12345678901234568"),
            (0.0001, "0.0001"),
            (0.00001, "1E-05"),
            (1.5e-7, "1.5E-07"),
            (1e300, "1E+300"),
            (-0.0, "-0"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Infinity"),
            (0.30000000000000004, "0.30000000000000004"),
        ];
        for (x, want) in cases {
            assert_eq!(double_r(*x), *want, "{x}");
        }
        assert_eq!(single_r(1.1f32), "1.1");
        assert_eq!(single_r(1e7f32), "1E+07");
        assert_eq!(single_r(1234567f32), "1234567");
    }

    #[test]
    fn decimal_place() {
        assert_eq!(ensure_decimal_place("1".into()), "1.0");
        assert_eq!(ensure_decimal_place("-0".into()), "-0.0");
        assert_eq!(ensure_decimal_place("1E+20".into()), "1E+20");
        assert_eq!(ensure_decimal_place("2.5".into()), "2.5");
        assert_eq!(ensure_decimal_place("NaN".into()), "NaN");
    }

    #[test]
    fn guids() {
        assert_eq!(
            guid_d(0x0f8fad5b_d9cb_469f_a165_70867728950e),
            "0f8fad5b-d9cb-469f-a165-70867728950e"
        );
    }
}
