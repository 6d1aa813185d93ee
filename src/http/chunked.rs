//! Streaming decoder for the HTTP/1.1 chunked transfer coding, plus encoder helpers.
//!
//! Owns [`ChunkedDecoder`], a byte-at-a-time state machine that never buffers payload:
//! it reports ranges of the caller's input that are chunk data.
//!
//! Invariants:
//! - No allocation, no panics on any input; results do not depend on how the input is
//!   split across calls.
//! - Line endings must be CRLF. Chunk-size lines (digits + extensions) are limited to
//!   [`MAX_LINE`] bytes and the whole trailer section to [`MAX_TRAILERS`] bytes;
//!   extensions and trailers are consumed and discarded.
//! - Chunk sizes fit in u64 (at most 16 significant hex digits).

/// Maximum bytes of one chunk-size line (size, BWS, extensions, CRLF).
pub const MAX_LINE: usize = 4096;
/// Maximum bytes of the trailer section (including its final CRLF).
pub const MAX_TRAILERS: usize = 16 * 1024;

/// Written after each chunk's data.
pub const CHUNK_END: &[u8] = b"\r\n";
/// The last-chunk with an empty trailer section.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

#[derive(thiserror::Error, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkError {
    #[error("invalid chunk size")]
    Size,
    #[error("chunk size overflow")]
    Overflow,
    #[error("invalid chunk framing")]
    Framing,
    #[error("chunk extensions or trailers too large")]
    TooLarge,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoded {
    /// Non-empty payload range inside the input, ending at the consumed count.
    Data(std::ops::Range<usize>),
    NeedMore,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Expecting hex digits; `digits` is false until the first one.
    Size {
        digits: bool,
    },
    /// After the size: BWS, then ';' or CR.
    SizeWs,
    /// Inside chunk extensions, until CR.
    Ext,
    /// Saw CR ending the size line.
    SizeLf,
    Data,
    DataCr,
    DataLf,
    /// At the start of a trailer line (or the final empty line).
    TrailerStart,
    TrailerLine,
    TrailerLf,
    EndLf,
    Done,
}

#[derive(Clone, Debug)]
pub struct ChunkedDecoder {
    state: State,
    /// current chunk size while reading it, then remaining data bytes
    size: u64,
    line_len: usize,
    trailer_len: usize,
    payload: u64,
}

impl Default for ChunkedDecoder {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkedDecoder {
    pub fn new() -> Self {
        ChunkedDecoder {
            state: State::Size { digits: false },
            size: 0,
            line_len: 0,
            trailer_len: 0,
            payload: 0,
        }
    }

    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Total payload bytes reported so far.
    pub fn payload_len(&self) -> u64 {
        self.payload
    }

    /// Decode from `input`; see the module docs. Returns `(consumed, event)`.
    pub fn decode(&mut self, input: &[u8]) -> Result<(usize, Decoded), ChunkError> {
        let mut pos = 0;
        loop {
            if self.state == State::Done {
                return Ok((pos, Decoded::Done));
            }
            if self.state == State::Data {
                let avail = input.len().saturating_sub(pos);
                if avail == 0 {
                    return Ok((pos, Decoded::NeedMore));
                }
                let n = usize::try_from(self.size).map_or(avail, |s| s.min(avail));
                self.size -= n as u64;
                self.payload = self.payload.saturating_add(n as u64);
                if self.size == 0 {
                    self.state = State::DataCr;
                }
                return Ok((pos + n, Decoded::Data(pos..pos + n)));
            }
            let Some(&b) = input.get(pos) else {
                return Ok((pos, Decoded::NeedMore));
            };
            pos += 1;
            self.step(b)?;
        }
    }

    /// Advances the non-data states by one byte.
    fn step(&mut self, b: u8) -> Result<(), ChunkError> {
        match self.state {
            State::Size { .. } | State::SizeWs | State::Ext | State::SizeLf => {
                self.line_len += 1;
                if self.line_len > MAX_LINE {
                    return Err(ChunkError::TooLarge);
                }
            }
            State::TrailerStart | State::TrailerLine | State::TrailerLf | State::EndLf => {
                self.trailer_len += 1;
                if self.trailer_len > MAX_TRAILERS {
                    return Err(ChunkError::TooLarge);
                }
            }
            _ => {}
        }
        self.state = match (self.state, b) {
            (State::Size { .. }, _) if b.is_ascii_hexdigit() => {
                let digit = (b as char).to_digit(16).map_or(0, u64::from);
                self.size = self
                    .size
                    .checked_mul(16)
                    .and_then(|s| s.checked_add(digit))
                    .ok_or(ChunkError::Overflow)?;
                State::Size { digits: true }
            }
            (State::Size { digits: false }, _) => return Err(ChunkError::Size),
            (State::Size { digits: true } | State::SizeWs, b' ' | b'\t') => State::SizeWs,
            (State::Size { digits: true } | State::SizeWs, b';') => State::Ext,
            (State::Size { digits: true } | State::SizeWs | State::Ext, b'\r') => State::SizeLf,
            (State::Size { digits: true } | State::SizeWs | State::Ext, b'\n') => return Err(ChunkError::Framing),
            (State::Size { digits: true } | State::SizeWs, _) => return Err(ChunkError::Size),
            (State::Ext, _) => State::Ext,
            (State::SizeLf, b'\n') => {
                self.line_len = 0;
                if self.size == 0 {
                    State::TrailerStart
                } else {
                    State::Data
                }
            }
            (State::DataCr, b'\r') => State::DataLf,
            (State::DataLf, b'\n') => State::Size { digits: false },
            (State::TrailerStart, b'\r') => State::EndLf,
            (State::TrailerStart | State::TrailerLine, b'\n') => return Err(ChunkError::Framing),
            (State::TrailerLine, b'\r') => State::TrailerLf,
            (State::TrailerStart | State::TrailerLine, _) => State::TrailerLine,
            (State::TrailerLf, b'\n') => State::TrailerStart,
            (State::EndLf, b'\n') => State::Done,
            _ => return Err(ChunkError::Framing),
        };
        Ok(())
    }
}

/// Appends `"<hex len>\r\n"` to `out`.
pub fn write_chunk_header(len: usize, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 2 * std::mem::size_of::<usize>()];
    let mut i = digits.len();
    let mut n = len;
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = HEX[n & 0xf];
        }
        n >>= 4;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or(&[]));
    out.extend_from_slice(b"\r\n");
}

#[cfg(test)]
#[path = "chunked_tests.rs"]
mod tests;
