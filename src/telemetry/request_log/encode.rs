//! The byte layouts of a request-log record: the JSON object (standard
//! output and the `json` sink), APIM's `key=value, …` text (the message of
//! the syslog and journal sinks), RFC 5424 and BSD (RFC 3164) syslog
//! headers, and the systemd journal's native field list.
//!
//! A record is anything that lists its fields through [`Fields`] (the
//! gateway's `server::access_log::Record`): one definition of the fields,
//! several encodings. Encoding runs on the worker, into the worker's batch;
//! the sink thread only adds the transport's framing.
//!
//! Invariants: every encoding is one record with no raw line break in it
//! (control characters in values are replaced by `?` in the text layouts
//! and escaped in JSON), so records can be framed by a newline, a length
//! or a datagram; field names are APIM's `GatewayLogs` names (upper snake
//! case in the journal, whose field names must be `[A-Z0-9_]`).

use crate::civil_date::DateTimeParts;
use std::fmt::{self, Write as _};
use std::io::Write as _;

/// The syslog APP-NAME / journal `SYSLOG_IDENTIFIER` (APIM's).
pub const APP_NAME: &str = "apimuser";
/// RFC 5424 MSGID of every record.
pub const MSG_ID: &str = "GatewayLogs";
/// Severity of every record: informational.
const SEVERITY: u8 = 6;

/// One field value.
#[derive(Clone, Copy)]
pub enum Value<'a> {
    Str(&'a str),
    Bool(bool),
    Int(u64),
    /// Milliseconds, written with at most three decimals.
    Ms(f64),
    /// Written through `Display` (no intermediate string).
    Disp(&'a dyn fmt::Display),
}

/// A record: lists its fields in order, skipping absent ones. `Timestamp`
/// is not one of them: each layout writes the time its own way.
pub trait Fields {
    fn visit(&self, f: &mut dyn FnMut(&'static str, Value<'_>));
}

/// The wall-clock time of a record.
#[derive(Clone, Copy, Debug)]
pub struct Stamp {
    pub secs: u64,
    pub millis: u32,
}

impl Stamp {
    pub fn now() -> Stamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        Stamp {
            secs: d.as_secs(),
            millis: d.subsec_millis(),
        }
    }

    fn parts(self) -> DateTimeParts {
        DateTimeParts::from_unix(i64::try_from(self.secs).unwrap_or(i64::MAX))
    }
}

/// RFC 3339 UTC with milliseconds: `2026-01-02T03:04:05.678Z`.
impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.parts();
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            t.year, t.month, t.day, t.hour, t.minute, t.second, self.millis
        )
    }
}

/// Which layout a sink wants from the workers.
#[derive(Clone, Debug)]
pub enum Layout {
    /// One JSON object (`json` sink).
    Json,
    /// `<PRI>1 TIMESTAMP HOSTNAME apimuser PROCID GatewayLogs - key=value, …`
    Rfc5424 { pri: u8, hostname: Box<str>, pid: u32 },
    /// `<PRI>Mmm dd hh:mm:ss apimuser[PID]: key=value, …` (what glibc's
    /// `syslog(3)` sends to `/dev/log`; the time is UTC).
    Bsd { pri: u8, pid: u32 },
    /// The journal's native protocol: `NAME=value` lines.
    Journal,
}

impl Layout {
    /// Syslog priority for `facility` at the records' severity.
    pub fn pri(facility: u8) -> u8 {
        facility.min(23) * 8 + SEVERITY
    }

    /// Appends `record` at `at` in this layout.
    pub fn encode(&self, out: &mut Vec<u8>, at: Stamp, record: &dyn Fields) {
        match self {
            Layout::Json => json(out, &[("Timestamp", Value::Disp(&at))], record),
            Layout::Rfc5424 { pri, hostname, pid } => {
                let _ = write!(out, "<{pri}>1 {at} {hostname} {APP_NAME} {pid} {MSG_ID} - ");
                key_values(out, at, record);
            }
            Layout::Bsd { pri, pid } => {
                const MONTHS: [&str; 12] = [
                    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
                ];
                let t = at.parts();
                let month = MONTHS.get((t.month as usize).wrapping_sub(1)).unwrap_or(&"Jan");
                let _ = write!(
                    out,
                    "<{pri}>{month} {:>2} {:02}:{:02}:{:02} {APP_NAME}[{pid}]: ",
                    t.day, t.hour, t.minute, t.second
                );
                key_values(out, at, record);
            }
            Layout::Journal => journal(out, at, record),
        }
    }
}

/// `{"a":…,"b":…}`: `head` fields first, then the record's.
pub fn json(out: &mut Vec<u8>, head: &[(&str, Value<'_>)], record: &dyn Fields) {
    out.push(b'{');
    let mut first = true;
    let mut field = |name: &str, v: Value<'_>| {
        if !std::mem::take(&mut first) {
            out.push(b',');
        }
        json_str(out, name);
        out.push(b':');
        match v {
            Value::Str(s) => json_str(out, s),
            Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
            Value::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Value::Ms(ms) => {
                let _ = write!(out, "{}", Millis(ms));
            }
            Value::Disp(d) => {
                use serde::Serializer as _;
                // serde_json escapes while formatting; writing to a Vec cannot fail.
                let _ = serde_json::Serializer::new(&mut *out).collect_str(d);
            }
        }
    };
    for (name, v) in head {
        field(name, *v);
    }
    record.visit(&mut field);
    out.push(b'}');
}

fn json_str(out: &mut Vec<u8>, s: &str) {
    // Serializing a str into a Vec cannot fail.
    let _ = serde_json::to_writer(&mut *out, s);
}

/// Milliseconds rounded to microseconds, shortest form (`2`, `1.25`).
struct Millis(f64);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = (self.0 * 1000.0).round() / 1000.0;
        if v.is_finite() {
            write!(f, "{v}")
        } else {
            f.write_str("0")
        }
    }
}

/// APIM's message layout: `Timestamp=…, isRequestSuccess=True, …`.
pub fn key_values(out: &mut Vec<u8>, at: Stamp, record: &dyn Fields) {
    let _ = write!(out, "Timestamp={at}");
    record.visit(&mut |name, v| {
        out.extend_from_slice(b", ");
        out.extend_from_slice(name.as_bytes());
        out.push(b'=');
        text_value(out, v);
    });
}

/// A value in the text layouts: booleans as APIM prints them (`True`),
/// control characters replaced by `?`.
fn text_value(out: &mut Vec<u8>, v: Value<'_>) {
    match v {
        Value::Str(s) => clean(out, s),
        Value::Bool(b) => out.extend_from_slice(if b { b"True" } else { b"False" }),
        Value::Int(n) => {
            let _ = write!(out, "{n}");
        }
        Value::Ms(ms) => {
            let _ = write!(out, "{}", Millis(ms));
        }
        Value::Disp(d) => {
            let _ = write!(Clean(out), "{d}");
        }
    }
}

fn clean(out: &mut Vec<u8>, s: &str) {
    out.extend(s.bytes().map(|b| if b < 0x20 || b == 0x7f { b'?' } else { b }));
}

/// A `fmt::Write` into a Vec that replaces control characters.
struct Clean<'a>(&'a mut Vec<u8>);

impl fmt::Write for Clean<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        clean(self.0, s);
        Ok(())
    }
}

/// The journal's native protocol: `MESSAGE` (the text layout), `PRIORITY`,
/// `SYSLOG_IDENTIFIER`, then each field in upper snake case. Values hold
/// no line break, so every field is the simple `NAME=value\n` form.
fn journal(out: &mut Vec<u8>, at: Stamp, record: &dyn Fields) {
    out.extend_from_slice(b"MESSAGE=");
    key_values(out, at, record);
    let _ = write!(
        out,
        "\nPRIORITY={SEVERITY}\nSYSLOG_IDENTIFIER={APP_NAME}\nTIMESTAMP={at}\n"
    );
    record.visit(&mut |name, v| {
        journal_name(out, name);
        out.push(b'=');
        text_value(out, v);
        out.push(b'\n');
    });
}

/// `apimSubscriptionId` → `APIM_SUBSCRIPTION_ID`.
fn journal_name(out: &mut Vec<u8>, name: &str) {
    for (i, c) in name.bytes().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push(b'_');
        }
        out.push(if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase()
        } else {
            b'_'
        });
    }
}

/// The host name for RFC 5424's HOSTNAME: printable ASCII, at most 255
/// bytes, `-` when unknown.
pub fn hostname() -> Box<str> {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its length; gethostname NUL-terminates
    // within it or truncates (we cut at the first NUL or the end).
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    let name: String = if rc == 0 {
        buf.iter()
            .take_while(|&&b| b != 0)
            .filter(|b| b.is_ascii_graphic())
            .map(|&b| char::from(b))
            .collect()
    } else {
        String::new()
    };
    if name.is_empty() {
        "-".into()
    } else {
        name.into()
    }
}

#[cfg(test)]
fn to_string(layout: &Layout, at: Stamp, record: &dyn Fields) -> String {
    let mut out = Vec::new();
    layout.encode(&mut out, at, record);
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct R;

    impl Fields for R {
        fn visit(&self, f: &mut dyn FnMut(&'static str, Value<'_>)) {
            f("isRequestSuccess", Value::Bool(true));
            f("totalTime", Value::Ms(2.0004));
            f("category", Value::Str("GatewayLogs"));
            f("url", Value::Str("http://h/a?x=\"1\"\n"));
            f("responseCode", Value::Int(200));
            f("apimSubscriptionId", Value::Disp(&"sub\r1"));
        }
    }

    const AT: Stamp = Stamp {
        secs: 1_795_306_332,
        millis: 7,
    };

    #[test]
    fn json_escapes_and_keeps_types() {
        let s = to_string(&Layout::Json, AT, &R);
        let v: serde_json::Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["Timestamp"], "2026-11-22T00:12:12.007Z");
        assert_eq!(v["isRequestSuccess"], true);
        assert_eq!(v["totalTime"], 2.0);
        assert_eq!(v["url"], "http://h/a?x=\"1\"\n");
        assert_eq!(v["responseCode"], 200);
        assert_eq!(v["apimSubscriptionId"], "sub\r1");
        assert!(!s.contains('\n'), "one line: {s}");
    }

    #[test]
    fn rfc5424_header_and_key_values() {
        let l = Layout::Rfc5424 {
            pri: Layout::pri(16),
            hostname: "gw-1".into(),
            pid: 42,
        };
        assert_eq!(
            to_string(&l, AT, &R),
            "<134>1 2026-11-22T00:12:12.007Z gw-1 apimuser 42 GatewayLogs - \
             Timestamp=2026-11-22T00:12:12.007Z, isRequestSuccess=True, totalTime=2, category=GatewayLogs, \
             url=http://h/a?x=\"1\"?, responseCode=200, apimSubscriptionId=sub?1"
        );
    }

    #[test]
    fn bsd_header_pads_the_day() {
        let l = Layout::Bsd {
            pri: Layout::pri(1),
            pid: 7,
        };
        let at = Stamp {
            secs: 1_767_585_600, // 2026-01-05T04:00:00Z
            millis: 0,
        };
        assert!(
            to_string(&l, at, &R).starts_with("<14>Jan  5 04:00:00 apimuser[7]: Timestamp=2026-01-05T04:00:00.000Z, "),
            "{}",
            to_string(&l, at, &R)
        );
    }

    #[test]
    fn journal_fields_are_upper_snake_lines() {
        let s = to_string(&Layout::Journal, AT, &R);
        let lines: Vec<&str> = s.lines().collect();
        assert!(lines[0].starts_with("MESSAGE=Timestamp=2026-11-22T00:12:12.007Z, isRequestSuccess=True"));
        assert!(lines.contains(&"PRIORITY=6"));
        assert!(lines.contains(&"SYSLOG_IDENTIFIER=apimuser"));
        assert!(lines.contains(&"IS_REQUEST_SUCCESS=True"));
        assert!(lines.contains(&"APIM_SUBSCRIPTION_ID=sub?1"));
        assert!(lines.contains(&"URL=http://h/a?x=\"1\"?"));
        assert!(s.ends_with('\n'));
        for l in &lines {
            let name = l.split('=').next().unwrap();
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_'),
                "{l}"
            );
        }
    }

    #[test]
    fn pri_and_hostname() {
        assert_eq!(Layout::pri(0), 6);
        assert_eq!(Layout::pri(23), 190);
        let h = hostname();
        assert!(!h.is_empty() && h.bytes().all(|b| b.is_ascii_graphic()));
    }
}
