//! Custom numeric format strings (.NET's `NumberToStringFormat`): `0`, `#`,
//! `.`, `,` (grouping, and scaling by 1000 before the point), `%`, `‰`,
//! `E0`/`E+0`/`E-0`, quoted literals, `\` escapes and `;` sections
//! (positive;negative;zero).
//!
//! Invariant: the format is walked by index with bounds checks; rounding is
//! half away from zero on the buffer's digits (doubles arrive with 15
//! significant digits, singles with 7, as .NET does).

use super::buffer::{Kind, NumBuf};
use super::standard::exponent;

/// The start of section `section` (0 positive, 1 negative, 2 zero), or 0
/// when the format has no such (non-empty) section.
fn find_section(f: &[char], section: usize) -> usize {
    if section == 0 {
        return 0;
    }
    let mut left = section;
    let mut src = 0;
    while src < f.len() {
        let ch = f[src];
        src += 1;
        match ch {
            '\'' | '"' => {
                while src < f.len() && f[src] != ch {
                    src += 1;
                }
                src += 1;
            }
            '\\' => src += 1,
            ';' => {
                left -= 1;
                if left == 0 {
                    return if src < f.len() && f[src] != ';' { src } else { 0 };
                }
            }
            _ => {}
        }
    }
    0
}

struct Layout {
    digit_count: i32,
    decimal_pos: i32,
    first_digit: i32,
    last_digit: i32,
    scientific: bool,
    thousand_seps: bool,
    scale_adjust: i32,
}

/// Scans one section for its placeholders.
fn layout(f: &[char], section: usize) -> Layout {
    let mut l = Layout {
        digit_count: 0,
        decimal_pos: -1,
        first_digit: i32::MAX,
        last_digit: 0,
        scientific: false,
        thousand_seps: false,
        scale_adjust: 0,
    };
    let mut thousand_pos = -1;
    let mut thousand_count = 0;
    let mut src = section;
    while src < f.len() && f[src] != ';' {
        let ch = f[src];
        src += 1;
        match ch {
            '#' => l.digit_count += 1,
            '0' => {
                if l.first_digit == i32::MAX {
                    l.first_digit = l.digit_count;
                }
                l.digit_count += 1;
                l.last_digit = l.digit_count;
            }
            '.' if l.decimal_pos < 0 => l.decimal_pos = l.digit_count,
            ',' if l.digit_count > 0 && l.decimal_pos < 0 => {
                if thousand_pos >= 0 {
                    if thousand_pos == l.digit_count {
                        thousand_count += 1;
                        continue;
                    }
                    l.thousand_seps = true;
                }
                thousand_pos = l.digit_count;
                thousand_count = 1;
            }
            '%' => l.scale_adjust += 2,
            '\u{2030}' => l.scale_adjust += 3,
            '\'' | '"' => {
                while src < f.len() {
                    let c = f[src];
                    src += 1;
                    if c == ch {
                        break;
                    }
                }
            }
            '\\' => src += 1,
            'E' | 'e' => {
                let next = f.get(src).copied();
                let after = f.get(src + 1).copied();
                if next == Some('0') || (matches!(next, Some('+' | '-')) && after == Some('0')) {
                    src += 1;
                    while src < f.len() && f[src] == '0' {
                        src += 1;
                    }
                    l.scientific = true;
                }
            }
            _ => {}
        }
    }
    if l.decimal_pos < 0 {
        l.decimal_pos = l.digit_count;
    }
    if thousand_pos >= 0 {
        if thousand_pos == l.decimal_pos {
            l.scale_adjust -= thousand_count * 3;
        } else {
            l.thousand_seps = true;
        }
    }
    l
}

/// Formats `n` with the custom format `format`.
pub fn format_custom(mut n: NumBuf, format: &str) -> String {
    let f: Vec<char> = format.chars().collect();
    let mut section = find_section(
        &f,
        if n.is_zero() {
            2
        } else if n.negative {
            1
        } else {
            0
        },
    );
    let mut l;
    loop {
        l = layout(&f, section);
        if !n.is_zero() {
            n.scale = n.scale.saturating_add(l.scale_adjust);
            let pos = if l.scientific {
                l.digit_count
            } else {
                n.scale.saturating_add(l.digit_count - l.decimal_pos)
            };
            n.round(pos, false);
            if n.is_zero() {
                let zero = find_section(&f, 2);
                if zero != section {
                    section = zero;
                    continue;
                }
            }
        } else {
            if n.kind != Kind::Float {
                n.negative = false;
            }
            n.scale = 0;
        }
        break;
    }
    let first_digit = if l.first_digit < l.decimal_pos {
        l.decimal_pos - l.first_digit
    } else {
        0
    };
    let last_digit = if l.last_digit > l.decimal_pos {
        l.decimal_pos - l.last_digit
    } else {
        0
    };
    let (mut dig_pos, mut adjust) = if l.scientific {
        (l.decimal_pos, 0)
    } else {
        (n.scale.max(l.decimal_pos), n.scale - l.decimal_pos)
    };
    // Positions (counted from the point) after which a group separator goes.
    let mut seps: Vec<i32> = Vec::new();
    if l.thousand_seps {
        let total = dig_pos + adjust.min(0);
        let num_digits = first_digit.max(total);
        let mut group_total = 3;
        while num_digits > group_total {
            seps.push(group_total);
            group_total += 3;
        }
    }
    let mut out = String::with_capacity(f.len() + n.digits.len() + 8);
    if n.negative && section == 0 && n.scale != 0 {
        out.push('-');
    }
    let mut decimal_written = false;
    let mut cur = 0usize;
    let mut src = section;
    let sep_after = |out: &mut String, dig_pos: i32, seps: &mut Vec<i32>| {
        if l.thousand_seps && dig_pos > 1 && seps.last().is_some_and(|&p| dig_pos == p + 1) {
            out.push(',');
            seps.pop();
        }
    };
    while src < f.len() && f[src] != ';' {
        let ch = f[src];
        src += 1;
        if adjust > 0 && matches!(ch, '#' | '0' | '.') {
            while adjust > 0 {
                let c = n.at(cur);
                out.push(if c != 0 {
                    cur += 1;
                    c as char
                } else {
                    '0'
                });
                sep_after(&mut out, dig_pos, &mut seps);
                dig_pos -= 1;
                adjust -= 1;
            }
        }
        match ch {
            '#' | '0' => {
                let c = if adjust < 0 {
                    adjust += 1;
                    (dig_pos <= first_digit).then_some('0')
                } else if n.at(cur) != 0 {
                    cur += 1;
                    Some(n.at(cur - 1) as char)
                } else {
                    (dig_pos > last_digit).then_some('0')
                };
                if let Some(c) = c {
                    out.push(c);
                    sep_after(&mut out, dig_pos, &mut seps);
                }
                dig_pos -= 1;
            }
            '.' => {
                if dig_pos != 0 || decimal_written {
                    continue;
                }
                if last_digit < 0 || (l.decimal_pos < l.digit_count && n.at(cur) != 0) {
                    out.push('.');
                    decimal_written = true;
                }
            }
            '\u{2030}' => out.push('\u{2030}'),
            '%' => out.push('%'),
            ',' => {}
            '\'' | '"' => {
                while src < f.len() && f[src] != ch {
                    out.push(f[src]);
                    src += 1;
                }
                src += 1;
            }
            '\\' => {
                if let Some(&c) = f.get(src) {
                    out.push(c);
                    src += 1;
                }
            }
            'E' | 'e' => {
                let next = f.get(src).copied();
                let after = f.get(src + 1).copied();
                if l.scientific {
                    let mut zeros = 0usize;
                    let mut positive = false;
                    if next == Some('0') {
                        zeros += 1;
                    } else if next == Some('+') && after == Some('0') {
                        positive = true;
                    } else if next == Some('-') && after == Some('0') {
                    } else {
                        out.push(ch);
                        continue;
                    }
                    src += 1;
                    while src < f.len() && f[src] == '0' {
                        zeros += 1;
                        src += 1;
                    }
                    let exp = if n.is_zero() { 0 } else { n.scale - l.decimal_pos };
                    exponent(&mut out, exp, ch, zeros.min(10), positive);
                    l.scientific = false;
                } else {
                    out.push(ch);
                    if matches!(next, Some('+' | '-')) {
                        out.push(next.unwrap_or('+'));
                        src += 1;
                    }
                    while src < f.len() && f[src] == '0' {
                        out.push('0');
                        src += 1;
                    }
                }
            }
            c => out.push(c),
        }
    }
    if n.negative && section == 0 && n.scale == 0 && !out.is_empty() {
        out.insert(0, '-');
    }
    out
}
