//! Percent-encoding as .NET's `Uri` and `WebUtility` do it: which
//! characters each function keeps, uppercase hex, UTF-8 bytes; decoding
//! that leaves malformed escapes as they are and replaces invalid UTF-8
//! with U+FFFD.

/// RFC 3986 unreserved characters (`Uri.EscapeDataString` keeps these).
fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// RFC 3986 reserved characters (`Uri.EscapeUriString` keeps these too).
fn reserved(b: u8) -> bool {
    matches!(
        b,
        b':' | b'/'
            | b'?'
            | b'#'
            | b'['
            | b']'
            | b'@'
            | b'!'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b';'
            | b'='
    )
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(HEX[usize::from(b >> 4)] as char);
    out.push(HEX[usize::from(b & 15)] as char);
}

fn escape_with(s: &str, keep: impl Fn(u8) -> bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            push_escaped(&mut out, b);
        }
    }
    out
}

/// `Uri.EscapeDataString`.
pub fn escape_data(s: &str) -> String {
    escape_with(s, unreserved)
}

/// `Uri.EscapeUriString` (obsolete in .NET 6, still callable).
pub fn escape_uri(s: &str) -> String {
    escape_with(s, |b| unreserved(b) || reserved(b))
}

/// `WebUtility.UrlEncode`: space → `+`, `-_.!*()` and alphanumerics kept.
pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b' ' => out.push('+'),
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'*' | b'(' | b')') => {
                out.push(b as char)
            }
            b => push_escaped(&mut out, b),
        }
    }
    out
}

/// `WebUtility.UrlEncodeToBytes`.
pub fn url_encode_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        match b {
            b' ' => out.push(b'+'),
            b if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'!' | b'*' | b'(' | b')') => {
                out.push(b)
            }
            b => out.extend_from_slice(&[b'%', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]),
        }
    }
    out
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` (and `+` if `plus`) in bytes; malformed escapes stay.
pub fn decode_bytes(s: &[u8], plus: bool) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'+' if plus => out.push(b' '),
            b'%' => match (
                s.get(i + 1).copied().and_then(hex_val),
                s.get(i + 2).copied().and_then(hex_val),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// `WebUtility.UrlDecode`.
pub fn url_decode(s: &str) -> String {
    String::from_utf8_lossy(&decode_bytes(s.as_bytes(), true)).into_owned()
}

/// `Uri.UnescapeDataString`: `%XX` sequences that form valid UTF-8 are
/// decoded; others stay escaped (`+` is not a space).
pub fn unescape_data(s: &str) -> String {
    unescape_except(s, |_| false)
}

/// Unescapes valid UTF-8 `%XX` runs except characters `keep` says stay
/// escaped (what `Uri.ToString()` does for `%25`, `%23`, …).
pub fn unescape_except(s: &str, keep: impl Fn(char) -> bool) -> String {
    let b = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            // Copy one char (i is always on a char boundary).
            let Some(c) = s.get(i..).and_then(|t| t.chars().next()) else {
                break;
            };
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        // A run of well-formed escapes.
        let mut bytes = Vec::new();
        let mut j = i;
        while let (Some(b'%'), Some(h), Some(l)) = (
            b.get(j),
            b.get(j + 1).copied().and_then(hex_val),
            b.get(j + 2).copied().and_then(hex_val),
        ) {
            bytes.push(h << 4 | l);
            j += 3;
        }
        if bytes.is_empty() {
            out.push('%');
            i += 1;
            continue;
        }
        let mut k = 0;
        while k < bytes.len() {
            let width = utf8_width(bytes[k]);
            let ch = bytes
                .get(k..k + width.max(1))
                .and_then(|c| std::str::from_utf8(c).ok())
                .and_then(|c| c.chars().next());
            match ch {
                Some(c) if !keep(c) => {
                    out.push(c);
                    k += width;
                }
                Some(_) => {
                    for byte in bytes.iter().skip(k).take(width) {
                        push_escaped(&mut out, *byte);
                    }
                    k += width;
                }
                None => {
                    push_escaped(&mut out, bytes[k]);
                    k += 1;
                }
            }
        }
        i = j;
    }
    out
}

fn utf8_width(b: u8) -> usize {
    match b {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_dotnet() {
        assert_eq!(escape_data("a b&c=d/é~"), "a%20b%26c%3Dd%2F%C3%A9~");
        assert_eq!(escape_uri("http://h/a b?x=1&y=é"), "http://h/a%20b?x=1&y=%C3%A9");
        assert_eq!(url_encode("a b+c!*()'~é"), "a+b%2Bc!*()%27%7E%C3%A9");
        assert_eq!(url_decode("a+b%2Bc%zz%C3%A9%"), "a b+c%zzé%");
        assert_eq!(unescape_data("a%20b+%C3%A9%E9%2"), "a b+é%E9%2");
        assert_eq!(unescape_except("%41%25%23", |c| c == '%' || c == '#'), "A%25%23");
        assert_eq!(url_encode_bytes(b"a b/"), b"a+b%2F");
    }
}
