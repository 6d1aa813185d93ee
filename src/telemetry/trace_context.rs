//! W3C Trace Context (Level 1, with Level 2's `random` flag kept): parsing
//! and formatting the `traceparent` and `tracestate` header values. Pure
//! functions over bytes; no randomness, no clock (identifiers are made by
//! `telemetry::spans`).
//!
//! Rules applied (https://www.w3.org/TR/trace-context/):
//! - `traceparent` = `version "-" trace-id "-" parent-id "-" trace-flags`,
//!   lowercase hex only; version `ff` is invalid; version `00` is exactly 55
//!   characters; a higher (future) version is read by the version-00 layout
//!   when it is at least 55 characters and the 56th, if any, is `-`;
//!   an all-zero trace-id or parent-id is invalid. What we send is always
//!   version `00`, with only the flags we understand (`sampled`, `random`).
//! - `tracestate` is a comma-separated list of `key=value` members (OWS
//!   around commas, empty members allowed); keys are `simple-key` or
//!   `tenant@system` with the spec's alphabets and lengths, values 1–256
//!   printable characters not ending in a space and without `,` or `=`;
//!   at most 32 members, no duplicate key. An invalid `tracestate` is
//!   dropped whole (never repaired); several header fields are one list.
//!
//! Invariants: nothing here allocates more than the bounded output of
//! [`parse_tracestate`] ([`TRACESTATE_MAX`] bytes); input longer than
//! [`TRACESTATE_INPUT_MAX`] is rejected before it is read; nothing panics.

/// The header names (lowercase, as HTTP/2 and our writer use them).
pub const TRACEPARENT: &str = "traceparent";
pub const TRACESTATE: &str = "tracestate";

/// `sampled`: the caller may have recorded trace data.
pub const FLAG_SAMPLED: u8 = 0x01;
/// Level 2 `random`: the trace-id's right 7 bytes are random.
pub const FLAG_RANDOM: u8 = 0x02;

/// Length of a version-00 `traceparent` value.
pub const TRACEPARENT_LEN: usize = 55;
/// Most list members a `tracestate` may hold.
pub const TRACESTATE_MEMBERS: usize = 32;
/// What we propagate of a `tracestate` at most (the spec asks for at least
/// 512 characters): longer lists are truncated by the spec's rule.
pub const TRACESTATE_MAX: usize = 512;
/// Combined `tracestate` input beyond this is dropped unread (32 members of
/// the longest key and value, with separators, fit).
pub const TRACESTATE_INPUT_MAX: usize = 32 * (256 + 1 + 256 + 3);
/// Members longer than this are removed first when truncating.
const TRUNCATE_FIRST_ABOVE: usize = 128;

/// Why a `traceparent` value is not used (the trace restarts).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidTraceParent {
    #[error("wrong length")]
    Length,
    #[error("version ff is invalid")]
    Version,
    #[error("not lowercase hex")]
    Hex,
    #[error("a separator is not `-`")]
    Separator,
    #[error("all-zero trace-id")]
    ZeroTraceId,
    #[error("all-zero parent-id")]
    ZeroParentId,
}

/// A parsed (or made) `traceparent`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: [u8; 16],
    /// The sender's span id.
    pub parent_id: [u8; 8],
    pub flags: u8,
}

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// Decodes lowercase hex `src` (twice `N` characters) into `N` bytes.
fn decode_hex<const N: usize>(src: &[u8]) -> Result<[u8; N], InvalidTraceParent> {
    let mut out = [0u8; N];
    if src.len() != 2 * N {
        return Err(InvalidTraceParent::Length);
    }
    for (o, pair) in out.iter_mut().zip(src.chunks_exact(2)) {
        let (Some(hi), Some(lo)) = (
            pair.first().and_then(|c| hex_val(*c)),
            pair.get(1).and_then(|c| hex_val(*c)),
        ) else {
            return Err(InvalidTraceParent::Hex);
        };
        *o = hi << 4 | lo;
    }
    Ok(out)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `bytes` as lowercase hex.
pub fn push_hex(out: &mut Vec<u8>, bytes: &[u8]) {
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)]);
        out.push(HEX[usize::from(b & 15)]);
    }
}

/// `bytes` as a lowercase hex string.
pub fn hex(bytes: &[u8]) -> String {
    let mut v = Vec::with_capacity(bytes.len() * 2);
    push_hex(&mut v, bytes);
    String::from_utf8(v).unwrap_or_default()
}

impl TraceParent {
    /// Parses a `traceparent` header value (surrounding whitespace already
    /// trimmed by the head parser; trimmed again here).
    pub fn parse(v: &[u8]) -> Result<TraceParent, InvalidTraceParent> {
        let v = v.trim_ascii();
        if v.len() < TRACEPARENT_LEN {
            return Err(InvalidTraceParent::Length);
        }
        let version: [u8; 1] = decode_hex(v.get(0..2).unwrap_or_default())?;
        match version[0] {
            0xff => return Err(InvalidTraceParent::Version),
            0x00 if v.len() != TRACEPARENT_LEN => return Err(InvalidTraceParent::Length),
            // A future version: its first fields read as version 00's; what
            // follows them must start with `-`.
            _ if v.len() > TRACEPARENT_LEN && v.get(TRACEPARENT_LEN) != Some(&b'-') => {
                return Err(InvalidTraceParent::Separator)
            }
            _ => {}
        }
        if [2, 35, 52].iter().any(|&i| v.get(i) != Some(&b'-')) {
            return Err(InvalidTraceParent::Separator);
        }
        let trace_id: [u8; 16] = decode_hex(v.get(3..35).unwrap_or_default())?;
        let parent_id: [u8; 8] = decode_hex(v.get(36..52).unwrap_or_default())?;
        let flags: [u8; 1] = decode_hex(v.get(53..55).unwrap_or_default())?;
        if trace_id == [0; 16] {
            return Err(InvalidTraceParent::ZeroTraceId);
        }
        if parent_id == [0; 8] {
            return Err(InvalidTraceParent::ZeroParentId);
        }
        Ok(TraceParent {
            trace_id,
            parent_id,
            flags: flags[0],
        })
    }

    pub fn sampled(&self) -> bool {
        self.flags & FLAG_SAMPLED != 0
    }

    /// Appends the version-00 value; only the flags we understand are kept.
    pub fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"00-");
        push_hex(out, &self.trace_id);
        out.push(b'-');
        push_hex(out, &self.parent_id);
        out.push(b'-');
        push_hex(out, &[self.flags & (FLAG_SAMPLED | FLAG_RANDOM)]);
    }

    /// The version-00 value as a string.
    pub fn to_header(&self) -> String {
        let mut v = Vec::with_capacity(TRACEPARENT_LEN);
        self.write(&mut v);
        String::from_utf8(v).unwrap_or_default()
    }
}

fn key_char(c: u8) -> bool {
    c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, b'_' | b'-' | b'*' | b'/')
}

/// `simple-key` / `multi-tenant-key` of the spec.
fn valid_key(k: &[u8]) -> bool {
    match k.iter().position(|&c| c == b'@') {
        None => k.first().is_some_and(u8::is_ascii_lowercase) && k.len() <= 256 && k.iter().all(|&c| key_char(c)),
        Some(at) => {
            let (tenant, system) = (&k[..at], &k[at + 1..]);
            tenant
                .first()
                .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                && tenant.len() <= 241
                && tenant.iter().all(|&c| key_char(c))
                && system.first().is_some_and(u8::is_ascii_lowercase)
                && system.len() <= 14
                && system.iter().all(|&c| key_char(c))
        }
    }
}

/// `value` of the spec: 1–256 characters of `%x20-7E` without `,` and `=`,
/// not ending in a space.
fn valid_value(v: &[u8]) -> bool {
    !v.is_empty()
        && v.len() <= 256
        && v.last() != Some(&b' ')
        && v.iter().all(|&c| (0x20..=0x7e).contains(&c) && c != b',' && c != b'=')
}

/// Parses the `tracestate` header fields of a request (one list, in
/// order) into the value to propagate: members joined by `,` without
/// whitespace, truncated to [`TRACESTATE_MAX`] by the spec's rule (members
/// over 128 characters go first, then from the end). `None` when there is
/// no member, or the list is invalid (dropped whole), or too long to read.
pub fn parse_tracestate<'a>(fields: impl IntoIterator<Item = &'a [u8]>) -> Option<String> {
    let mut members: Vec<&[u8]> = Vec::new();
    let mut total = 0usize;
    for field in fields {
        total = total.saturating_add(field.len() + 1);
        if total > TRACESTATE_INPUT_MAX {
            return None;
        }
        for m in field.split(|&c| c == b',') {
            let m = m.trim_ascii_start();
            // OWS is spaces and tabs; a value may hold inner spaces only.
            let m = match m.iter().rposition(|&c| c != b' ' && c != b'\t') {
                Some(end) => &m[..=end],
                None => continue,
            };
            let eq = m.iter().position(|&c| c == b'=')?;
            let (key, value) = (&m[..eq], &m[eq + 1..]);
            if !valid_key(key) || !valid_value(value) {
                return None;
            }
            if members.len() >= TRACESTATE_MEMBERS || members.iter().any(|o| o.get(..=eq) == m.get(..=eq)) {
                return None;
            }
            members.push(m);
        }
    }
    if members.is_empty() {
        return None;
    }
    let joined = |ms: &[&[u8]]| ms.iter().map(|m| m.len()).sum::<usize>() + ms.len().saturating_sub(1);
    if joined(&members) > TRACESTATE_MAX {
        while joined(&members) > TRACESTATE_MAX {
            match members.iter().rposition(|m| m.len() > TRUNCATE_FIRST_ABOVE) {
                Some(i) => {
                    members.remove(i);
                }
                None => {
                    members.pop();
                }
            }
        }
    }
    if members.is_empty() {
        return None;
    }
    let mut out = Vec::with_capacity(joined(&members));
    for (i, m) in members.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(m);
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn version_00_round_trips() {
        let tp = TraceParent::parse(SAMPLE.as_bytes()).unwrap();
        assert_eq!(hex(&tp.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(hex(&tp.parent_id), "00f067aa0ba902b7");
        assert!(tp.sampled());
        assert_eq!(tp.to_header(), SAMPLE);
        let not_sampled = TraceParent::parse(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").unwrap();
        assert!(!not_sampled.sampled());
        // Surrounding whitespace is not part of the value.
        assert!(TraceParent::parse(format!("  {SAMPLE}\t").as_bytes()).is_ok());
    }

    #[test]
    fn invalid_values_are_rejected() {
        use InvalidTraceParent as E;
        let bad = |s: &str| TraceParent::parse(s.as_bytes()).unwrap_err();
        assert_eq!(bad(""), E::Length);
        assert_eq!(bad(&SAMPLE[..54]), E::Length);
        assert_eq!(
            bad(&format!("{SAMPLE}-")),
            E::Length,
            "version 00 is exactly 55 characters"
        );
        assert_eq!(bad(&format!("{SAMPLE}0")), E::Length);
        assert_eq!(bad(&SAMPLE.to_uppercase()), E::Hex, "uppercase hex");
        assert_eq!(bad(&SAMPLE.replace("4bf9", "4BF9")), E::Hex);
        assert_eq!(bad(&SAMPLE.replacen("00-", "0g-", 1)), E::Hex);
        assert_eq!(bad(&SAMPLE.replace("-00f0", "_00f0")), E::Separator);
        assert_eq!(bad(&SAMPLE.replace("-01", "+01")), E::Separator);
        assert_eq!(bad(&SAMPLE.replacen("00-", "ff-", 1)), E::Version);
        assert_eq!(
            bad("00-00000000000000000000000000000000-00f067aa0ba902b7-01"),
            E::ZeroTraceId
        );
        assert_eq!(
            bad("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"),
            E::ZeroParentId
        );
        assert_eq!(bad(&SAMPLE.replace("-01", "-0x")), E::Hex);
        assert_eq!(bad(&SAMPLE.replace("-01", "-1")), E::Length);
        // Non-ASCII bytes never panic.
        assert!(TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e47é-00f067aa0ba902b7-01".as_bytes()).is_err());
        assert!(TraceParent::parse(&[0xff; 60]).is_err());
    }

    #[test]
    fn future_versions_read_as_version_00() {
        let tp = TraceParent::parse(b"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").unwrap();
        assert!(tp.sampled());
        let tp = TraceParent::parse(b"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future-holds")
            .unwrap();
        assert_eq!(tp.flags, 0x09);
        assert_eq!(
            tp.to_header(),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "sent as version 00 with the flags we know"
        );
        let bad = TraceParent::parse(b"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.future");
        assert_eq!(bad, Err(InvalidTraceParent::Separator));
        assert_eq!(
            TraceParent::parse(b"cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0"),
            Err(InvalidTraceParent::Length)
        );
    }

    #[test]
    fn flags_written_are_the_known_ones() {
        let tp = TraceParent {
            trace_id: [1; 16],
            parent_id: [2; 8],
            flags: 0xff,
        };
        assert!(tp.to_header().ends_with("-03"));
    }

    fn ts(fields: &[&str]) -> Option<String> {
        parse_tracestate(fields.iter().map(|f| f.as_bytes()))
    }

    #[test]
    fn tracestate_lists_are_normalised() {
        assert_eq!(ts(&["congo=t61rcWkgMzE"]).as_deref(), Some("congo=t61rcWkgMzE"));
        assert_eq!(
            ts(&["rojo=00f067aa0ba902b7 , congo=t61rcWkgMzE", "a@b=x y"]).as_deref(),
            Some("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,a@b=x y"),
            "several fields are one list; OWS goes"
        );
        assert_eq!(
            ts(&["a=1,,  ,b=2"]).as_deref(),
            Some("a=1,b=2"),
            "empty members are allowed"
        );
        assert_eq!(ts(&[""]), None);
        assert_eq!(ts(&[" , "]), None);
        assert_eq!(ts(&[]), None);
        assert_eq!(ts(&["0tenant@sys-1=v"]).as_deref(), Some("0tenant@sys-1=v"));
    }

    #[test]
    fn invalid_tracestate_is_dropped_whole() {
        for bad in [
            "Upper=1",
            "a=1,b",
            "a=",
            "=v",
            "1abc=v",
            "a=b=c",
            "a=1,a=2",
            "a@=v",
            "a@1sys=v",
            "a@systemnametoolong=v",
            "a=tab\tinside",
            "a=é",
        ] {
            assert_eq!(ts(&["ok=1", bad]), None, "{bad}");
        }
        let k = "k".repeat(257);
        assert_eq!(ts(&[&format!("{k}=v")]), None, "key over 256 characters");
        let v = "v".repeat(257);
        assert_eq!(ts(&[&format!("a={v}")]), None, "value over 256 characters");
        let many: Vec<String> = (0..33).map(|i| format!("k{i}=v")).collect();
        assert_eq!(ts(&[&many.join(",")]), None, "more than 32 members");
        assert!(ts(&[&many[..32].join(",")]).is_some());
        let huge = "a".repeat(TRACESTATE_INPUT_MAX + 1);
        assert_eq!(ts(&[&huge]), None);
    }

    #[test]
    fn long_tracestate_is_truncated_by_the_spec_rule() {
        let long = format!("big={}", "x".repeat(200));
        let longer = format!("bigger={}", "x".repeat(250));
        let small: Vec<String> = (0..20).map(|i| format!("k{i}=0123456789")).collect();
        let input = format!("{},{long},{},{longer}", small[..10].join(","), small[10..].join(","));
        let out = ts(&[&input]).unwrap();
        assert!(out.len() <= TRACESTATE_MAX);
        assert!(
            !out.contains("bigger="),
            "members over 128 characters go first, from the end"
        );
        assert_eq!(
            out,
            format!("{},{long},{}", small[..10].join(","), small[10..].join(",")),
            "then it fits"
        );
        let many: Vec<String> = (0..32).map(|i| format!("k{i:02}={}", "y".repeat(40))).collect();
        let out = ts(&[&many.join(",")]).unwrap();
        assert!(out.len() <= TRACESTATE_MAX);
        assert!(out.starts_with("k00="), "then from the end");
        assert!(!out.contains("k31="));
    }
}
