//! XML names for JSON member names and back, as .NET's
//! `XmlConvert.EncodeName`/`DecodeName` do it: a character that cannot be
//! in an XML name becomes `_xHHHH_` (its UTF-16 code unit in hex), so any
//! member name round-trips through an element name.

/// Whether `c` may start an XML name (`:` is handled by the callers).
fn name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || (c as u32) >= 0xC0 && !matches!(c as u32, 0xD7 | 0xF7)
}

/// Whether `c` may continue an XML name.
fn name_char(c: char) -> bool {
    name_start(c) || c.is_ascii_digit() || matches!(c, '-' | '.' | '\u{B7}')
}

/// Whether `s` is a valid XML name without a prefix.
pub fn is_ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(name_start) && chars.all(name_char)
}

/// Whether `s` is `name` or `prefix:name`.
pub fn is_qname(s: &str) -> bool {
    match s.split_once(':') {
        Some((p, l)) => is_ncname(p) && is_ncname(l),
        None => is_ncname(s),
    }
}

/// Whether `s[i..]` looks like an escape (`_xHHHH_`).
fn looks_escaped(s: &str, i: usize) -> bool {
    let b = s.as_bytes();
    b.get(i + 1) == Some(&b'x')
        && b.get(i + 6) == Some(&b'_')
        && b.get(i + 2..i + 6).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
}

/// `XmlConvert.EncodeName(s)`; an empty name becomes `_`.
pub fn encode(s: &str) -> String {
    if s.is_empty() {
        return "_".to_owned();
    }
    let mut out = String::with_capacity(s.len());
    for (n, (i, c)) in s.char_indices().enumerate() {
        let ok = if n == 0 { name_start(c) } else { name_char(c) };
        if ok && !(c == '_' && looks_escaped(s, i)) {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("_x{u:04X}_"));
            }
        }
    }
    out
}

/// `XmlConvert.DecodeName(s)`: every `_xHHHH_` back to its character.
pub fn decode(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_owned();
    }
    let mut units: Vec<u16> = Vec::with_capacity(s.len());
    let mut i = 0;
    let b = s.as_bytes();
    while i < b.len() {
        if b[i] == b'_' && looks_escaped(s, i) {
            if let Ok(u) = u16::from_str_radix(&s[i + 2..i + 6], 16) {
                units.push(u);
                i += 7;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap_or('\u{FFFD}');
        let mut buf = [0u16; 2];
        units.extend_from_slice(c.encode_utf16(&mut buf));
        i += c.len_utf8();
    }
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_what_xml_names_cannot_hold_and_decodes_it_back() {
        for (raw, enc) in [
            ("name", "name"),
            ("first name", "first_x0020_name"),
            ("1st", "_x0031_st"),
            ("$id", "_x0024_id"),
            ("a_x0020_b", "a_x005F_x0020_b"),
            ("", "_"),
            ("é-ok.1", "é-ok.1"),
        ] {
            assert_eq!(encode(raw), enc, "{raw}");
            if !raw.is_empty() {
                assert_eq!(decode(enc), raw, "{enc}");
            }
        }
        assert!(is_qname("soap:Envelope") && !is_qname("a:b:c") && !is_qname(":a"));
        assert_eq!(decode("_x00"), "_x00");
    }
}
