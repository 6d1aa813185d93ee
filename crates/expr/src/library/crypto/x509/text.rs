//! The text forms of a certificate: `X509Certificate.ToString(true)` (what
//! `X509Certificate2.ToString()` returns: the `[Subject]` … `[Thumbprint]`
//! blocks) and `X509Certificate2.ToString(true)` (the long form), with
//! dates as `DateTime.ToString()` in the invariant culture and UTC (the
//! container's local time).

use super::parse::CertData;
use crate::library::crypto::hex_upper;
use crate::library::crypto::oid::friendly_name;
use crate::library::time::datetime::DateTime;

/// `DateTime.ToString()` of Unix seconds.
pub fn date(unix: i64) -> String {
    DateTime::from_unix_seconds(unix).format("").unwrap_or_default()
}

/// .NET's `AsnEncodedData.Format` for data it has no formatter for: the
/// bytes in lowercase hex separated by spaces.
// documented .NET behaviour, not run.
pub fn hex_spaced(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 3);
    for (i, b) in bytes.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// `X509Certificate.ToString(true)`.
pub fn short(c: &CertData) -> String {
    format!(
        "[Subject]\n  {}\n\n[Issuer]\n  {}\n\n[Serial Number]\n  {}\n\n[Not Before]\n  {}\n\n\
         [Not After]\n  {}\n\n[Thumbprint]\n  {}\n",
        c.subject,
        c.issuer,
        hex_upper(&c.serial),
        date(c.not_before),
        date(c.not_after),
        hex_upper(&c.sha1)
    )
}

fn names(c: &CertData, for_issuer: bool, out: &mut String) {
    for (kind, label) in [(0, "Simple Name"), (1, "Email Name"), (2, "UPN Name"), (3, "DNS Name")] {
        let v = c.name_info(kind, for_issuer);
        if !v.is_empty() {
            out.push_str(&format!("\n  {label}: {v}"));
        }
    }
}

/// `X509Certificate2.ToString(true)`, without its `[Extensions]` section
/// (Outpost does not format extensions; documented).
// documented .NET behaviour, not run.
pub fn verbose(c: &CertData, rsa_bits: Option<usize>) -> String {
    let mut s = format!("[Version]\n  V{}\n\n[Subject]\n  {}", c.version, c.subject);
    names(c, false, &mut s);
    s.push_str(&format!("\n\n[Issuer]\n  {}", c.issuer));
    names(c, true, &mut s);
    s.push_str(&format!(
        "\n\n[Serial Number]\n  {}\n\n[Not Before]\n  {}\n\n[Not After]\n  {}\n\n[Thumbprint]\n  {}\n\n\
         [Signature Algorithm]\n  {}({})\n\n[Public Key]\n  Algorithm: {}\n  Length: {}\n  Key Blob: {}\n  \
         Parameters: {}\n",
        hex_upper(&c.serial),
        date(c.not_before),
        date(c.not_after),
        hex_upper(&c.sha1),
        friendly_name(&c.signature_oid).unwrap_or(""),
        c.signature_oid,
        friendly_name(&c.key_oid).unwrap_or(""),
        rsa_bits.map(|b| b.to_string()).unwrap_or_default(),
        hex_spaced(&c.key_value),
        hex_spaced(&c.key_params),
    ));
    s
}
