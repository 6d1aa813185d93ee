//! .NET's `NumberBuffer`: a number as decimal digits and a scale, the
//! common input of the standard and custom numeric formats.
//!
//! Invariants: `digits` are ASCII `'0'..='9'` without leading zeros (empty
//! for zero); the value is `0.d1d2d3… × 10^scale`. Doubles and singles get
//! their digits from Rust's float formatting, which (like .NET Core 3.0+'s
//! Dragon4) is exact and rounds ties to even on the exact binary value;
//! integers and decimals carry all their digits (decimals keep trailing
//! zeros: `1.50m` is "150", scale 1).

use rust_decimal::Decimal;

/// What produced the digits (decides rounding and the sign of zero).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Integer,
    Decimal,
    /// `float`/`double`: digits already correctly rounded; `-0` keeps its sign.
    Float,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumBuf {
    pub digits: Vec<u8>,
    pub scale: i32,
    pub negative: bool,
    pub kind: Kind,
}

impl NumBuf {
    /// An integer `magnitude` (negative when `negative`).
    pub fn integer(magnitude: u128, negative: bool) -> NumBuf {
        let digits = if magnitude == 0 {
            Vec::new()
        } else {
            magnitude.to_string().into_bytes()
        };
        NumBuf {
            scale: digits.len() as i32,
            digits,
            negative: negative && magnitude != 0,
            kind: Kind::Integer,
        }
    }

    /// A decimal with all the digits of its mantissa.
    pub fn decimal(d: Decimal) -> NumBuf {
        let m = d.mantissa().unsigned_abs();
        let digits = if m == 0 { Vec::new() } else { m.to_string().into_bytes() };
        NumBuf {
            scale: digits.len() as i32 - d.scale() as i32,
            digits,
            negative: d.is_sign_negative(),
            kind: Kind::Decimal,
        }
    }

    /// The shortest digits that round-trip (`R`, `G`, default `ToString()`).
    pub fn shortest(x: f64, single: bool) -> NumBuf {
        if x == 0.0 {
            return NumBuf::float_zero(x);
        }
        let s = if single {
            format!("{:e}", (x as f32).abs())
        } else {
            format!("{:e}", x.abs())
        };
        NumBuf::from_sci(&s, x.is_sign_negative())
    }

    /// `count` significant digits, exactly rounded (ties to even).
    pub fn significant(x: f64, single: bool, count: usize) -> NumBuf {
        if x == 0.0 {
            return NumBuf::float_zero(x);
        }
        let p = count.saturating_sub(1);
        let s = if single {
            format!("{:.p$e}", (x as f32).abs())
        } else {
            format!("{:.p$e}", x.abs())
        };
        NumBuf::from_sci(&s, x.is_sign_negative())
    }

    /// Digits up to `decimals` places after the point, exactly rounded.
    pub fn fixed(x: f64, single: bool, decimals: usize) -> NumBuf {
        if x == 0.0 {
            return NumBuf::float_zero(x);
        }
        let s = if single {
            format!("{:.decimals$}", (x as f32).abs())
        } else {
            format!("{:.decimals$}", x.abs())
        };
        let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
        let mut all = String::with_capacity(int.len() + frac.len());
        all.push_str(int);
        all.push_str(frac);
        NumBuf::from_digits(&all, int.len() as i32, x.is_sign_negative(), Kind::Float)
    }

    fn float_zero(x: f64) -> NumBuf {
        NumBuf {
            digits: Vec::new(),
            scale: 0,
            negative: x.is_sign_negative(),
            kind: Kind::Float,
        }
    }

    /// Parses Rust's `{:e}` output (`1.2345e3`, `1e-7`).
    fn from_sci(s: &str, negative: bool) -> NumBuf {
        let (mant, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
        NumBuf::from_digits(&digits, exp + 1, negative, Kind::Float)
    }

    /// Digits with the decimal point after `point` of them.
    pub fn from_digits(all: &str, point: i32, negative: bool, kind: Kind) -> NumBuf {
        let trimmed = all.trim_start_matches('0');
        let lead = (all.len() - trimmed.len()) as i32;
        let digits = trimmed.trim_end_matches('0');
        if digits.is_empty() {
            return NumBuf {
                digits: Vec::new(),
                scale: 0,
                negative: negative && kind == Kind::Float,
                kind,
            };
        }
        NumBuf {
            digits: digits.as_bytes().to_vec(),
            scale: point - lead,
            negative,
            kind,
        }
    }

    /// The digit at `i`, or 0 past the end (.NET's terminating NUL).
    pub fn at(&self, i: usize) -> u8 {
        self.digits.get(i).copied().unwrap_or(0)
    }

    pub fn is_zero(&self) -> bool {
        self.digits.is_empty()
    }

    /// .NET's `RoundNumber`: keeps `pos` digits, rounding half up (away
    /// from zero) unless the digits are already correctly rounded (floats
    /// in standard formats), and trims trailing zeros.
    pub fn round(&mut self, pos: i32, correctly_rounded: bool) {
        let len = self.digits.len();
        let mut i = 0usize;
        while (i as i32) < pos && i < len {
            i += 1;
        }
        let round_up = i as i32 == pos && i < len && !correctly_rounded && self.digits[i] >= b'5';
        if round_up {
            while i > 0 && self.digits[i - 1] == b'9' {
                i -= 1;
            }
            if i > 0 {
                self.digits[i - 1] += 1;
            } else {
                self.scale += 1;
                if let Some(d) = self.digits.first_mut() {
                    *d = b'1';
                }
                i = 1;
            }
        } else {
            while i > 0 && self.digits[i - 1] == b'0' {
                i -= 1;
            }
        }
        if i == 0 {
            if self.kind != Kind::Float {
                self.negative = false;
            }
            self.scale = 0;
        }
        self.digits.truncate(i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_and_scale() {
        let b = NumBuf::shortest(1234.5, false);
        assert_eq!((b.digits.as_slice(), b.scale), (&b"12345"[..], 4));
        let b = NumBuf::shortest(0.00015, false);
        assert_eq!((b.digits.as_slice(), b.scale), (&b"15"[..], -3));
        let b = NumBuf::fixed(0.125, false, 2);
        assert_eq!((b.digits.as_slice(), b.scale), (&b"12"[..], 0));
        let b = NumBuf::decimal(Decimal::new(150, 2));
        assert_eq!((b.digits.as_slice(), b.scale), (&b"150"[..], 1));
        let mut b = NumBuf::integer(995, false);
        b.round(2, false);
        assert_eq!((b.digits.as_slice(), b.scale), (&b"1"[..], 4));
    }
}
