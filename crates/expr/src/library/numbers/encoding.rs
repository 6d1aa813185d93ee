//! The encodings `Convert` offers: Base64 as .NET writes it (optional CRLF
//! every 76 characters) and reads it (whitespace ignored, padding
//! required, non-zero trailing bits tolerated), and hex strings.
//!
//! Invariant: decoding never panics on any input; failures are the
//! `FormatException`s .NET throws.

use base64::alphabet::STANDARD;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;

use crate::error::{EvalError, EvalErrorKind, EvalResult};

/// Base64 of `b`, with CRLF every 76 characters when `breaks`.
pub fn to_base64(b: &[u8], breaks: bool) -> String {
    let s = base64::engine::general_purpose::STANDARD.encode(b);
    if !breaks || s.len() <= 76 {
        return s;
    }
    let mut out = String::with_capacity(s.len() + s.len() / 38);
    for (i, chunk) in s.as_bytes().chunks(76).enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
    }
    out
}

/// `Convert.FromBase64String`: whitespace is ignored, padding required.
pub fn from_base64(s: &str) -> EvalResult<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !matches!(c, ' ' | '\t' | '\r' | '\n')).collect();
    let engine = GeneralPurpose::new(
        &STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(DecodePaddingMode::RequireCanonical),
    );
    engine.decode(clean.as_bytes()).map_err(|_| {
        EvalError::new(
            EvalErrorKind::Format,
            "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding characters, or an illegal character among the padding characters.",
        )
    })
}

pub fn from_hex(s: &str) -> EvalResult<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return Err(EvalError::new(
            EvalErrorKind::Format,
            "The input is not a valid hex string as its length is not a multiple of 2.",
        ));
    }
    (0..s.len())
        .step_by(2)
        .map(|i| {
            s.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .filter(|_| s.as_bytes()[i].is_ascii_hexdigit() && s.as_bytes()[i + 1].is_ascii_hexdigit())
        })
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::Format,
                "The input is not a valid hex string as it contains a non-hex character.",
            )
        })
}
