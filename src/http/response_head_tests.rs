//! Tests for `response_head` (included via `#[path]` as `response_head::tests`).

use super::*;

const LIMITS: HeadLimits = HeadLimits {
    max_head_bytes: 8192,
    max_uri_bytes: 1024,
    max_headers: 64,
};

fn parse_as(buf: &[u8], head: bool) -> Result<ResponseHead, HeadError> {
    let mut h = ResponseHead::new();
    match h.parse(buf, &LIMITS, head) {
        Ok(true) => Ok(h),
        Ok(false) => panic!("incomplete: {:?}", String::from_utf8_lossy(buf)),
        Err(e) => Err(e),
    }
}

fn parse(buf: &[u8]) -> Result<ResponseHead, HeadError> {
    parse_as(buf, false)
}

#[test]
fn basic_response() {
    let buf = b"HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\nConnection: X-Foo\r\nServer: s\r\n\r\nabc";
    let h = parse(buf).unwrap();
    assert_eq!(h.status, 404);
    assert_eq!(h.version, Version::Http11);
    assert_eq!(h.reason.get(buf), b"Not Found");
    assert_eq!(h.head_len, buf.len() - 3);
    assert_eq!(h.framing, BodyFraming::Length(3));
    assert!(h.keep_alive);
    assert_eq!(h.header(buf, b"server"), Some(&b"s"[..]));
    assert!(h.is_connection_header(buf, b"x-foo"));
    assert!(h.is_connection_header(buf, b"keep-alive"));
    assert!(!h.is_connection_header(buf, b"server"));
    let buf = b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n";
    let h = parse(buf).unwrap();
    assert!(h.reason.is_empty());
    assert_eq!(h.framing, BodyFraming::Length(0));
}

#[test]
fn framing_rules() {
    let cases: &[(&[u8], bool, BodyFraming, bool)] = &[
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            false,
            BodyFraming::Chunked,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, Chunked\r\n\r\n",
            false,
            BodyFraming::Chunked,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            false,
            BodyFraming::UntilClose,
            false,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            false,
            BodyFraming::UntilClose,
            false,
        ),
        (b"HTTP/1.1 200 OK\r\n\r\n", false, BodyFraming::UntilClose, false),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 7, 7\r\n\r\n",
            false,
            BodyFraming::Length(7),
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n",
            true,
            BodyFraming::None,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            true,
            BodyFraming::None,
            true,
        ),
        (
            b"HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
            false,
            BodyFraming::None,
            true,
        ),
        (b"HTTP/1.1 304 Not Modified\r\n\r\n", false, BodyFraming::None, true),
        (b"HTTP/1.1 100 Continue\r\n\r\n", false, BodyFraming::None, true),
        (
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: ws\r\n\r\n",
            false,
            BodyFraming::None,
            true,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\n",
            false,
            BodyFraming::Length(1),
            false,
        ),
        (
            b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n",
            false,
            BodyFraming::Length(1),
            false,
        ),
        (
            b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\n",
            false,
            BodyFraming::Length(1),
            true,
        ),
        (
            b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n",
            false,
            BodyFraming::UntilClose,
            false,
        ),
    ];
    for (buf, head, framing, ka) in cases {
        let h = parse_as(buf, *head).unwrap();
        assert_eq!(
            (h.framing, h.keep_alive),
            (*framing, *ka),
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

#[test]
fn rejected_responses() {
    use HeadError::{Framing as F, Malformed as M};
    let cases: &[(&[u8], HeadError)] = &[
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
            F(""),
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            F(""),
        ),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n", F("")),
        (b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", F("")),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 1a\r\n\r\n", F("")),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
            F(""),
        ),
        (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", F("")),
        (b"HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", F("")),
        (b"HTTP/1.1 200 OK\r\nX: a\rb\r\n\r\n", M("")),
        (b"HTTP/1.1 200 OK\rX: a\r\n\r\n", M("")),
        (b"HTTP/1.1 200 OK\nX: a\n\n", M("")),
        (b"HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", M("")),
        (b"HTTP/1.1 200 OK\r\nX : a\r\n\r\n", M("")),
        (b"HTTP/1.1 200 OK\r\nX: a\0\r\n\r\n", M("")),
        (b"HTTP/1.1 600 Nope\r\n\r\n", M("")),
        (b"HTTP/1.1 099 Nope\r\n\r\n", M("")),
        (b"HTTP/1.1 20 OK\r\n\r\n", M("")),
        (b"HTTP/1.1 2000 OK\r\n\r\n", M("")),
        (b"HTTP/2.0 200 OK\r\n\r\n", HeadError::Version),
        (
            b"HTTP/1.1 200 OK\r\nA: 1\r\nB: 1\r\nC: 1\r\n\r\n",
            HeadError::TooManyHeaders,
        ),
    ];
    let limits = HeadLimits {
        max_headers: 2,
        ..LIMITS
    };
    for (buf, want) in cases {
        let e = ResponseHead::new().parse(buf, &limits, false).unwrap_err();
        assert_eq!(
            std::mem::discriminant(&e),
            std::mem::discriminant(want),
            "{:?}: {e:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

#[test]
fn size_limits() {
    let small = HeadLimits {
        max_head_bytes: 64,
        max_uri_bytes: 8,
        max_headers: 8,
    };
    let mut buf = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    buf.resize(64, b'x');
    let mut h = ResponseHead::new();
    assert_eq!(h.parse(&buf[..63], &small, false), Ok(false));
    assert_eq!(h.parse(&buf, &small, false), Err(HeadError::HeadTooLarge));
    buf.extend_from_slice(b"\r\n\r\n");
    assert_eq!(h.parse(&buf, &small, false), Err(HeadError::HeadTooLarge));
}

const VALID: &[&[u8]] = &[
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: X-A\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200\r\nContent-Length: 0\r\n\r\n",
    b"HTTP/1.0 302\r\nLocation: /x\r\n\r\n",
];

#[test]
fn split_reads_match_single_shot() {
    for buf in VALID {
        let full = parse(buf).unwrap();
        let mut h = ResponseHead::new();
        for k in 0..=buf.len() {
            let r = h.parse(&buf[..k], &LIMITS, false);
            if k < full.head_len {
                assert_eq!(r, Ok(false), "k={k} {:?}", String::from_utf8_lossy(buf));
            } else {
                assert_eq!(r, Ok(true));
                assert_eq!(h, full);
            }
        }
    }
}

#[test]
fn pipelined_second_message() {
    let buf = VALID[2];
    let mut h = ResponseHead::new();
    assert_eq!(h.parse(buf, &LIMITS, false), Ok(true));
    assert_eq!(h.status, 204);
    let rest = &buf[h.head_len..];
    assert_eq!(h.parse(rest, &LIMITS, false), Ok(true));
    assert_eq!(h, parse(b"HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n").unwrap());
}

#[test]
fn random_input_never_panics() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"HTTP/1.0 2045:\r\n \tContent-Length0123,chunked\0\xff";
    let mut h = ResponseHead::new();
    let mut buf = Vec::new();
    for i in 0..600 {
        buf.clear();
        if i % 2 == 0 {
            buf.extend_from_slice(VALID[i % VALID.len()]);
            for _ in 0..(next() % 4 + 1) {
                let len = buf.len() as u64;
                if let Some(b) = buf.get_mut((next() % len) as usize) {
                    *b = alphabet[(next() % alphabet.len() as u64) as usize];
                }
            }
        } else {
            for _ in 0..(next() % 200) {
                let r = next();
                buf.push(if r % 3 == 0 {
                    r as u8
                } else {
                    alphabet[((r >> 8) % alphabet.len() as u64) as usize]
                });
            }
        }
        let limits = HeadLimits {
            max_head_bytes: 100,
            max_uri_bytes: 20,
            max_headers: (next() % 8) as usize,
        };
        let _ = h.parse(&buf, &limits, i % 3 == 0);
        let _ = h.parse(&buf, &LIMITS, false);
        let _ = h.header(&buf, b"content-length");
    }
}
