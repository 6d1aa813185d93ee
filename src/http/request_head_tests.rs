//! Tests for `request_head` (included via `#[path]` as `request_head::tests`).

use super::*;

const LIMITS: HeadLimits = HeadLimits {
    max_head_bytes: 8192,
    max_uri_bytes: 1024,
    max_headers: 64,
};

fn parse(buf: &[u8]) -> Result<RequestHead, HeadError> {
    let mut h = RequestHead::new();
    match h.parse(buf, &LIMITS) {
        Ok(true) => Ok(h),
        Ok(false) => panic!("incomplete: {:?}", String::from_utf8_lossy(buf)),
        Err(e) => Err(e),
    }
}

fn err(buf: &[u8]) -> HeadError {
    match parse(buf) {
        Ok(_) => panic!("accepted: {:?}", String::from_utf8_lossy(buf)),
        Err(e) => e,
    }
}

#[test]
fn get_with_headers() {
    let buf = b"GET /a/b?x=1&y HTTP/1.1\r\nHost: example.com\r\nX-A:  v1 \t\r\nx-a: v2\r\nEmpty:\r\n\r\nrest";
    let h = parse(buf).unwrap();
    assert_eq!(h.method, http::Method::GET);
    assert_eq!(h.target.get(buf), b"/a/b?x=1&y");
    assert_eq!(h.path.get(buf), b"/a/b");
    assert_eq!(h.query.unwrap().get(buf), b"x=1&y");
    assert_eq!(h.version, Version::Http11);
    assert_eq!(h.head_len, buf.len() - 4);
    assert_eq!(h.headers.len(), 4);
    assert_eq!(h.header(buf, b"x-a"), Some(&b"v1"[..]));
    assert_eq!(h.header(buf, b"empty"), Some(&b""[..]));
    assert_eq!(h.header(buf, b"missing"), None);
    assert_eq!(h.host.unwrap().get(buf), b"example.com");
    assert_eq!(h.framing, BodyFraming::None);
    assert!(h.keep_alive && !h.expect_continue && !h.upgrade);
}

#[test]
fn framing_and_flags() {
    let buf =
        b"POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\nContent-Length: 5\r\nExpect: 100-Continue\r\n\r\n";
    let h = parse(buf).unwrap();
    assert_eq!(h.framing, BodyFraming::Length(5));
    assert!(h.expect_continue);
    let buf = b"POST /u HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:  Chunked \r\n\r\n";
    assert_eq!(parse(buf).unwrap().framing, BodyFraming::Chunked);
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, Upgrade, X-Foo\r\nUpgrade: websocket\r\n\r\n";
    let h = parse(buf).unwrap();
    assert!(h.upgrade && h.keep_alive);
    assert_eq!(h.connection_tokens.len(), 3);
    assert!(h.is_connection_header(buf, b"x-foo"));
    assert!(h.is_connection_header(buf, b"TE"));
    assert!(!h.is_connection_header(buf, b"host"));
    let buf = b"GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\n\r\n";
    assert!(!parse(buf).unwrap().upgrade);
}

#[test]
fn keep_alive_rules() {
    let cases: &[(&[u8], bool)] = &[
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\n", true),
        (b"GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\n\r\n", false),
        (b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
        (b"GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false),
    ];
    for (buf, ka) in cases {
        assert_eq!(
            parse(buf).unwrap().keep_alive,
            *ka,
            "{:?}",
            String::from_utf8_lossy(buf)
        );
    }
}

#[test]
fn target_forms() {
    let buf = b"GET HTTP://Example.com:80/p/q?z HTTP/1.1\r\nHost: a\r\n\r\n";
    let h = parse(buf).unwrap();
    assert_eq!(h.path.get(buf), b"/p/q");
    assert_eq!(h.query.unwrap().get(buf), b"z");
    let buf = b"GET https://example.com HTTP/1.1\r\nHost: a\r\n\r\n";
    let h = parse(buf).unwrap();
    assert!(h.path.is_empty() && h.query.is_none());
    let buf = b"GET http://example.com?q HTTP/1.1\r\nHost: a\r\n\r\n";
    let h = parse(buf).unwrap();
    assert!(h.path.is_empty());
    assert_eq!(h.query.unwrap().get(buf), b"q");
    let buf = b"OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n";
    assert_eq!(parse(buf).unwrap().path.get(buf), b"*");
    let buf = b"\r\n\r\nPATCH /x HTTP/1.1\r\nHost: h\r\n\r\n";
    let h = parse(buf).unwrap();
    assert_eq!(h.method, http::Method::PATCH);
    assert_eq!(h.path.get(buf), b"/x");
    assert_eq!(h.host.unwrap().get(buf), b"h");
    assert_eq!(h.head_len, buf.len());
    let buf = b"PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n";
    assert_eq!(parse(buf).unwrap().method.as_str(), "PURGE");
}

type ErrKind = fn(&'static str) -> HeadError;

#[test]
fn rejected_requests() {
    use HeadError::{Framing as F, Malformed as M};
    const TE_CL: &[u8] = b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n";
    let cases: &[(&[u8], ErrKind)] = &[
        // framing
        (TE_CL, F),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
            F,
        ),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:  \r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5 5\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\n", F),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n",
            F,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            F,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
            F,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            F,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
            F,
        ),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", F),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;q=1\r\n\r\n",
            F,
        ),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked,\r\n\r\n", F),
        (b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", F),
        (b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", F),
        // malformed syntax
        (b"GET / HTTP/1.1\r\nHost : a\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n folded\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\n Host: a\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\rY: 2\r\n\r\n", M),
        (b"GET / HTTP/1.1\rHost: a\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\r\r\n", M),
        (b"GET / HTTP/1.1\nHost: a\n\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: 1\nY: 2\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\n\n", M),
        (b"\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x01b\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX: a\x7fb\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nX@: 1\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\n\r\n", M),
        (b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", M),
        (b"G(T / HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET foo HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET ftp://a/ HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET a.com:80 HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET * HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET /a#frag HTTP/1.1\r\nHost: a\r\n\r\n", M),
        (b"GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", M),
    ];
    for (buf, kind) in cases {
        let e = err(buf);
        assert_eq!(
            std::mem::discriminant(&e),
            std::mem::discriminant(&kind("")),
            "{:?}: {e:?}",
            String::from_utf8_lossy(buf)
        );
    }
    assert_eq!(
        err(b"CONNECT a.com:443 HTTP/1.1\r\nHost: a.com\r\n\r\n"),
        M("CONNECT is not supported")
    );
}

#[test]
fn rejected_versions() {
    for buf in [
        &b"GET / HTTP/2.0\r\nHost: a\r\n\r\n"[..],
        b"GET / HTTP/1.2\r\nHost: a\r\n\r\n",
        b"GET / HTTP/0.9\r\nHost: a\r\n\r\n",
    ] {
        assert_eq!(err(buf), HeadError::Version);
    }
}

fn head_with_target(len: usize) -> Vec<u8> {
    let mut v = b"GET /".to_vec();
    v.resize(4 + len, b'a');
    v.extend_from_slice(b" HTTP/1.1\r\nHost: a\r\n\r\n");
    v
}

#[test]
fn size_limits() {
    let small = HeadLimits {
        max_head_bytes: 256,
        max_uri_bytes: 64,
        max_headers: 4,
    };
    let run = |buf: &[u8], l: &HeadLimits| RequestHead::new().parse(buf, l);
    // request line never ends within max_uri + 16 bytes of a full buffer
    assert_eq!(run(&head_with_target(300)[..256], &small), Err(HeadError::UriTooLong));
    // long target visible before the buffer is full
    assert_eq!(run(&head_with_target(100)[..80], &small), Err(HeadError::UriTooLong));
    // complete head, target too long / exactly at the limit
    assert_eq!(run(&head_with_target(65), &small), Err(HeadError::UriTooLong));
    assert_eq!(run(&head_with_target(64), &small), Ok(true));
    // headers fill the buffer without completing
    let mut big = b"GET / HTTP/1.1\r\nHost: a\r\nX: ".to_vec();
    big.resize(256, b'x');
    assert_eq!(run(&big, &small), Err(HeadError::HeadTooLarge));
    assert_eq!(run(&big[..255], &small), Ok(false));
    // complete head longer than max_head_bytes
    big.extend_from_slice(b"\r\n\r\n");
    assert_eq!(run(&big, &small), Err(HeadError::HeadTooLarge));
    // header count
    let five = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\n\r\n";
    assert_eq!(run(five, &small), Err(HeadError::TooManyHeaders));
    let four = b"GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 1\r\nC: 1\r\n\r\n";
    assert_eq!(run(four, &small), Ok(true));
    // max_headers above the cap is clamped to MAX_HEADERS_CAP
    let mut many = b"GET / HTTP/1.1\r\nHost: a\r\n".to_vec();
    for _ in 0..MAX_HEADERS_CAP {
        many.extend_from_slice(b"A: 1\r\n");
    }
    many.extend_from_slice(b"\r\n");
    let huge = HeadLimits {
        max_head_bytes: 1 << 20,
        max_uri_bytes: 64,
        max_headers: 1000,
    };
    assert_eq!(run(&many, &huge), Err(HeadError::TooManyHeaders));
}

const VALID: &[&[u8]] = &[
    b"GET /index.html?a=b HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nAccept: */*\r\nConnection: keep-alive, X-Trace\r\n\r\n",
    b"POST /submit HTTP/1.1\r\nHost: a\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
    b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n",
    b"\r\n\r\nGET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
];

#[test]
fn split_reads_match_single_shot() {
    for buf in VALID {
        let full = parse(buf).unwrap();
        let mut h = RequestHead::new();
        for k in 0..=buf.len() {
            let r = h.parse(&buf[..k], &LIMITS);
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
    let buf = VALID[3];
    let mut h = RequestHead::new();
    assert_eq!(h.parse(buf, &LIMITS), Ok(true));
    assert_eq!(h.path.get(buf), b"/1");
    let rest = &buf[h.head_len..];
    assert_eq!(h.parse(rest, &LIMITS), Ok(true));
    assert_eq!(h.path.get(rest), b"/2");
    assert!(!h.keep_alive);
    let alone = b"GET /2 HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n";
    assert_eq!(h, parse(alone).unwrap());
}

#[test]
fn random_input_never_panics() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"GET /?#:\r\n \tHOST:hc-l0123456789,;ChunkedTransfer-Encoding\0\xff";
    let mut h = RequestHead::new();
    let mut buf = Vec::new();
    for i in 0..600 {
        buf.clear();
        if i % 2 == 0 {
            // mutate a valid request
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
            max_head_bytes: 150,
            max_uri_bytes: 20,
            max_headers: (next() % 8) as usize,
        };
        let _ = h.parse(&buf, &limits);
        let _ = h.parse(&buf, &LIMITS);
        let _ = h.header(&buf, b"host");
        let _ = h.is_connection_header(&buf, b"x");
    }
}
