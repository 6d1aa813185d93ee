//! Tests for `chunked` (included via `#[path]` as `chunked::tests`).

use super::*;

/// Drives a decoder over `pieces` like a proxy read loop would, checking the API
/// contract on every event. Returns (payload, absolute offset just after Done).
fn run<'a>(pieces: impl IntoIterator<Item = &'a [u8]>) -> Result<(Vec<u8>, Option<usize>), ChunkError> {
    let mut dec = ChunkedDecoder::new();
    let mut pending = Vec::new();
    let mut out = Vec::new();
    let mut consumed = 0;
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let (n, ev) = dec.decode(&pending)?;
            assert!(n <= pending.len());
            consumed += n;
            match ev {
                Decoded::Data(r) => {
                    assert!(!r.is_empty() && r.end == n);
                    out.extend_from_slice(&pending[r]);
                    pending.drain(..n);
                }
                Decoded::NeedMore => {
                    assert_eq!(n, pending.len());
                    pending.clear();
                    break;
                }
                Decoded::Done => {
                    assert!(dec.is_done());
                    assert_eq!(dec.payload_len(), out.len() as u64);
                    return Ok((out, Some(consumed)));
                }
            }
        }
    }
    Ok((out, None))
}

const VALID: &[(&[u8], &[u8])] = &[
    (b"5\r\nhello\r\n0\r\n\r\n", b"hello"),
    (
        b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\nGET / HTTP/1.1\r\n",
        b"hello world",
    ),
    (b"A;name=value;x\r\n0123456789\r\n0;last\r\n\r\n", b"0123456789"),
    (b"a \t;ext\r\nabcdefghij\r\n3 \r\nxyz\r\n000\r\n\r\n", b"abcdefghijxyz"),
    (b"0003\r\nabc\r\n0\r\nTrailer-A: 1\r\nTrailer-B: 2\r\n\r\nnext", b"abc"),
    (b"0\r\n\r\n", b""),
    (b"1\r\n\r\r\n1\r\n\n\r\n0\r\n\r\n", b"\r\n"),
];

#[test]
fn valid_bodies_split_everywhere() {
    for (body, payload) in VALID {
        let end = body.len() - body.windows(4).rev().position(|w| w == b"\r\n\r\n").unwrap_or(0);
        let (p, done) = run([*body]).unwrap();
        assert_eq!(
            (&p[..], done),
            (*payload, Some(end)),
            "{:?}",
            String::from_utf8_lossy(body)
        );
        for k in 0..=body.len() {
            assert_eq!(run([&body[..k], &body[k..]]).unwrap(), (p.clone(), done), "k={k}");
        }
        assert_eq!(run(body.chunks(1)).unwrap(), (p.clone(), done));
        assert_eq!(run(body.chunks(3)).unwrap(), (p.clone(), done));
    }
}

#[test]
fn done_is_sticky_and_incomplete_needs_more() {
    let mut dec = ChunkedDecoder::new();
    assert_eq!(dec.decode(b""), Ok((0, Decoded::NeedMore)));
    assert_eq!(dec.decode(b"0\r\n\r\nrest"), Ok((5, Decoded::Done)));
    assert_eq!(dec.decode(b"rest"), Ok((0, Decoded::Done)));
    assert_eq!(run([&b"5\r\nhel"[..]]).unwrap(), (b"hel".to_vec(), None));
    let mut dec = ChunkedDecoder::new();
    assert_eq!(dec.decode(b"ffffffffffffffff\r\n"), Ok((18, Decoded::NeedMore)));
}

#[test]
fn rejected_bodies() {
    let long_ext = [&b"1;"[..], &[b'x'; MAX_LINE][..], b"\r\n"].concat();
    let long_zeros = [&[b'0'; MAX_LINE + 1][..], b"\r\n"].concat();
    let mut trailers = b"0\r\n".to_vec();
    while trailers.len() < MAX_TRAILERS + 10 {
        trailers.extend_from_slice(b"X-Trailer: 0123456789\r\n");
    }
    trailers.extend_from_slice(b"\r\n");
    let cases: &[(&[u8], ChunkError)] = &[
        (b"-1\r\n", ChunkError::Size),
        (b"0x10\r\n", ChunkError::Size),
        (b" 5\r\n", ChunkError::Size),
        (b"\r\n", ChunkError::Size),
        (b";ext\r\n", ChunkError::Size),
        (b"5 5\r\n", ChunkError::Size),
        (b"g\r\n", ChunkError::Size),
        (b"+5\r\n", ChunkError::Size),
        (b"10000000000000000\r\n", ChunkError::Overflow),
        (b"5\nhello\r\n", ChunkError::Framing),
        (b"5\rhello\r\n", ChunkError::Framing),
        (b"5;a\nhello\r\n", ChunkError::Framing),
        (b"5\r\nhelloXX", ChunkError::Framing),
        (b"5\r\nhello\n0\r\n\r\n", ChunkError::Framing),
        (b"5\r\nhello\r0\r\n\r\n", ChunkError::Framing),
        (b"5\r\nhello world\r\n", ChunkError::Framing),
        (b"0\r\n\n", ChunkError::Framing),
        (b"0\r\nX: y\n\r\n", ChunkError::Framing),
        (b"0\r\nX: y\r\r\n", ChunkError::Framing),
        (b"0\r\n\rx", ChunkError::Framing),
        (&long_ext, ChunkError::TooLarge),
        (&long_zeros, ChunkError::TooLarge),
        (&trailers, ChunkError::TooLarge),
    ];
    for (body, want) in cases {
        assert_eq!(run([*body]), Err(*want), "{:?}", String::from_utf8_lossy(body));
        assert_eq!(run(body.chunks(1)), Err(*want));
    }
}

#[test]
fn encoder_round_trip() {
    let mut out = Vec::new();
    for (n, s) in [(0usize, &b"0\r\n"[..]), (255, b"ff\r\n"), (4096, b"1000\r\n")] {
        out.clear();
        write_chunk_header(n, &mut out);
        assert_eq!(out, s);
    }
    out.clear();
    write_chunk_header(usize::MAX, &mut out);
    assert_eq!(out.len(), 2 * std::mem::size_of::<usize>() + 2);
    assert!(out.iter().take(out.len() - 2).all(|&b| b == b'f'));

    out.clear();
    let parts: [&[u8]; 3] = [b"hello", &[b'z'; 300], b"!"];
    for p in parts {
        write_chunk_header(p.len(), &mut out);
        out.extend_from_slice(p);
        out.extend_from_slice(CHUNK_END);
    }
    out.extend_from_slice(LAST_CHUNK);
    assert_eq!(run([&out[..]]).unwrap(), (parts.concat(), Some(out.len())));
}

#[test]
fn random_input_never_panics() {
    let mut x: u64 = 0xDEAD_BEEF_CAFE_F00D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let alphabet = b"0123456789abcdefABCDEF;= \t\r\nxX-";
    let mut buf = Vec::new();
    for _ in 0..500 {
        buf.clear();
        for _ in 0..(next() % 100) {
            let r = next();
            buf.push(if r % 5 == 0 {
                r as u8
            } else {
                alphabet[((r >> 8) % alphabet.len() as u64) as usize]
            });
        }
        let _ = run([&buf[..]]);
        let split = (next() % (buf.len() as u64 + 1)) as usize;
        let _ = run([&buf[..split], &buf[split..]]);
    }
}
