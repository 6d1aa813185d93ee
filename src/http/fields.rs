//! Header analysis shared by request and response head parsing (private to `http`).
//!
//! Owns: converting httparse output into [`Span`]s, line-ending validation, list-header
//! splitting, and the framing-relevant summary ([`Fields`]) of a header block.
//!
//! Invariants: every function here is total on arbitrary bytes (no panics, no
//! indexing that can fail) and the only allocation is growth of the caller's reused
//! `Vec`s up to their high-water mark.

use super::{HeadError, HeaderSpan, Span};

/// Span of `sub` inside `buf`; `sub` must be a sub-slice of `buf` (as httparse returns).
/// Anything else (e.g. a static empty string) maps to an empty span at 0.
pub(crate) fn span_of(buf: &[u8], sub: &[u8]) -> Span {
    let start = (sub.as_ptr() as usize).wrapping_sub(buf.as_ptr() as usize);
    if start <= buf.len() && sub.len() <= buf.len() - start {
        Span {
            start,
            end: start + sub.len(),
        }
    } else {
        Span::default()
    }
}

/// Maps an httparse syntax error to our error type.
pub(crate) fn map_httparse(e: httparse::Error) -> HeadError {
    match e {
        httparse::Error::HeaderName => HeadError::Malformed("invalid header name"),
        httparse::Error::HeaderValue => HeadError::Malformed("invalid header value"),
        httparse::Error::NewLine => HeadError::Malformed("invalid line ending"),
        httparse::Error::Status => HeadError::Malformed("invalid status line"),
        httparse::Error::Token => HeadError::Malformed("invalid token in start line"),
        httparse::Error::TooManyHeaders => HeadError::TooManyHeaders,
        httparse::Error::Version => HeadError::Version,
    }
}

/// Every CR must be followed by LF and every LF preceded by CR (httparse accepts bare LF).
pub(crate) fn check_line_endings(head: &[u8]) -> Result<(), HeadError> {
    let mut prev = 0u8;
    for (i, &b) in head.iter().enumerate() {
        if b == b'\n' && prev != b'\r' {
            return Err(HeadError::Malformed("bare LF in message head"));
        }
        if b == b'\r' && head.get(i + 1) != Some(&b'\n') {
            return Err(HeadError::Malformed("bare CR in message head"));
        }
        prev = b;
    }
    Ok(())
}

/// Number of leading CR/LF bytes (empty lines before the start line).
pub(crate) fn leading_empty_lines(buf: &[u8]) -> usize {
    buf.iter().position(|&b| b != b'\r' && b != b'\n').unwrap_or(buf.len())
}

/// `span` with leading and trailing SP/HTAB removed.
pub(crate) fn trim_ows(buf: &[u8], span: Span) -> Span {
    let bytes = span.get(buf);
    let is_ws = |b: &u8| *b == b' ' || *b == b'\t';
    let Some(first) = bytes.iter().position(|b| !is_ws(b)) else {
        return Span {
            start: span.start,
            end: span.start,
        };
    };
    let last = bytes.iter().rposition(|b| !is_ws(b)).unwrap_or(first);
    Span {
        start: span.start + first,
        end: span.start + last + 1,
    }
}

/// Calls `f` with each OWS-trimmed comma-separated element of `value` (empty ones included).
fn for_each_element(
    buf: &[u8],
    value: Span,
    mut f: impl FnMut(Span) -> Result<(), HeadError>,
) -> Result<(), HeadError> {
    let bytes = value.get(buf);
    let mut start = 0;
    loop {
        let rest = bytes.get(start..).unwrap_or(&[]);
        let end = rest.iter().position(|&b| b == b',').map(|p| start + p);
        let elem_end = end.unwrap_or(bytes.len());
        let elem = Span {
            start: value.start + start,
            end: value.start + elem_end,
        };
        f(trim_ows(buf, elem))?;
        match end {
            Some(e) => start = e + 1,
            None => return Ok(()),
        }
    }
}

/// Copies httparse headers into `out` as spans (cleared first, capacity reused).
pub(crate) fn collect_headers(buf: &[u8], parsed: &[httparse::Header<'_>], out: &mut Vec<HeaderSpan>) {
    out.clear();
    out.reserve(parsed.len());
    for h in parsed {
        let name = span_of(buf, h.name.as_bytes());
        let value = trim_ows(buf, span_of(buf, h.value));
        out.push(HeaderSpan { name, value });
    }
}

/// First header named `name` (ASCII case-insensitive).
pub(crate) fn find_header<'a>(buf: &'a [u8], headers: &[HeaderSpan], name: &[u8]) -> Option<&'a [u8]> {
    headers
        .iter()
        .find(|h| h.name.get(buf).eq_ignore_ascii_case(name))
        .map(|h| h.value.get(buf))
}

/// True if `name` is hop-by-hop or listed in the Connection header(s).
pub(crate) fn is_connection_header(buf: &[u8], tokens: &[Span], name: &[u8]) -> bool {
    super::is_hop_by_hop(name) || tokens.iter().any(|t| t.get(buf).eq_ignore_ascii_case(name))
}

/// Framing-relevant summary of a header block.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub content_length: Option<u64>,
    pub te_present: bool,
    /// number of transfer codings across all Transfer-Encoding headers
    pub te_codings: usize,
    /// the final coding is `chunked`
    pub te_chunked_final: bool,
    /// how many times `chunked` is listed
    pub te_chunked_count: usize,
    pub close: bool,
    pub keep_alive: bool,
    pub conn_upgrade: bool,
    pub upgrade_present: bool,
    pub host: Option<Span>,
    pub host_count: usize,
    pub expect_continue: bool,
}

fn parse_content_length(bytes: &[u8]) -> Option<u64> {
    if bytes.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
    }
    Some(n)
}

/// Scans `headers`, filling `tokens` with the Connection tokens, and returns the summary.
/// Errors on invalid or conflicting Content-Length and on empty Transfer-Encoding elements.
pub(crate) fn analyze(buf: &[u8], headers: &[HeaderSpan], tokens: &mut Vec<Span>) -> Result<Fields, HeadError> {
    tokens.clear();
    let mut f = Fields::default();
    for h in headers {
        let name = h.name.get(buf);
        if name.eq_ignore_ascii_case(b"content-length") {
            for_each_element(buf, h.value, |e| {
                let n = parse_content_length(e.get(buf)).ok_or(HeadError::Framing("invalid Content-Length"))?;
                match f.content_length {
                    Some(prev) if prev != n => Err(HeadError::Framing("conflicting Content-Length")),
                    _ => {
                        f.content_length = Some(n);
                        Ok(())
                    }
                }
            })?;
        } else if name.eq_ignore_ascii_case(b"transfer-encoding") {
            f.te_present = true;
            for_each_element(buf, h.value, |e| {
                if e.is_empty() {
                    return Err(HeadError::Framing("empty Transfer-Encoding element"));
                }
                f.te_codings += 1;
                f.te_chunked_final = e.get(buf).eq_ignore_ascii_case(b"chunked");
                f.te_chunked_count += usize::from(f.te_chunked_final);
                Ok(())
            })?;
        } else if name.eq_ignore_ascii_case(b"connection") {
            for_each_element(buf, h.value, |e| {
                let t = e.get(buf);
                if t.is_empty() {
                    return Ok(());
                }
                f.close |= t.eq_ignore_ascii_case(b"close");
                f.keep_alive |= t.eq_ignore_ascii_case(b"keep-alive");
                f.conn_upgrade |= t.eq_ignore_ascii_case(b"upgrade");
                tokens.push(e);
                Ok(())
            })?;
        } else if name.eq_ignore_ascii_case(b"host") {
            f.host_count += 1;
            f.host.get_or_insert(h.value);
        } else if name.eq_ignore_ascii_case(b"upgrade") {
            f.upgrade_present = true;
        } else if name.eq_ignore_ascii_case(b"expect") {
            f.expect_continue |= h.value.get(buf).eq_ignore_ascii_case(b"100-continue");
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_endings() {
        assert!(check_line_endings(b"a\r\nb\r\n\r\n").is_ok());
        assert!(check_line_endings(b"a\nb").is_err());
        assert!(check_line_endings(b"a\rb").is_err());
        assert!(check_line_endings(b"a\r").is_err());
        assert!(check_line_endings(b"\n").is_err());
    }

    #[test]
    fn trim_and_span_of() {
        let buf = b"  a b \t";
        let s = trim_ows(buf, Span { start: 0, end: 7 });
        assert_eq!(s.get(buf), b"a b");
        let e = trim_ows(buf, Span { start: 0, end: 2 });
        assert!(e.is_empty());
        assert_eq!(span_of(buf, &buf[2..4]), Span { start: 2, end: 4 });
        assert_eq!(span_of(buf, b"elsewhere"), Span::default());
    }

    #[test]
    fn content_length_values() {
        assert_eq!(parse_content_length(b"0"), Some(0));
        assert_eq!(parse_content_length(b"18446744073709551615"), Some(u64::MAX));
        for bad in [&b""[..], b"+5", b"-1", b" ", b"5a", b"18446744073709551616"] {
            assert_eq!(parse_content_length(bad), None);
        }
    }
}
