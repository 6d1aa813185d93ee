//! Reading an X.509 certificate (DER, or PEM text) into [`CertData`]: the
//! owned facts `X509Certificate2`'s members show, with names formatted as
//! .NET's `X500DistinguishedName.Name` (the gateway's `tls::dn` rules:
//! relative names most specific first, `, ` between them, `+` inside a
//! multi-valued one, .NET's short attribute names, values with separators
//! quoted). Parsing is x509-parser's.

use base64::Engine;
use x509_parser::extensions::{GeneralName, ParsedExtension};
use x509_parser::prelude::{FromDer, X509Certificate};
use x509_parser::x509::{AttributeTypeAndValue, X509Name};

use crate::library::crypto::hash::HashKind;

/// The alternative names of a subject or issuer, by kind.
#[derive(Debug, Clone, Default)]
pub struct AltNames {
    pub dns: Vec<String>,
    pub email: Vec<String>,
    pub uri: Vec<String>,
    pub upn: Vec<String>,
}

/// An X.509 certificate's facts.
#[derive(Debug, Clone)]
pub struct CertData {
    pub der: Vec<u8>,
    /// `X500DistinguishedName.Name` of the subject and issuer.
    pub subject: String,
    pub issuer: String,
    /// (attribute OID, value) in DER order (most general first).
    pub subject_attrs: Vec<(String, String)>,
    pub issuer_attrs: Vec<(String, String)>,
    pub subject_alt: AltNames,
    pub issuer_alt: AltNames,
    /// 1 for v1 … 3 for v3.
    pub version: i32,
    /// The serial number's bytes, big-endian, as encoded.
    pub serial: Vec<u8>,
    /// Validity, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// The signature algorithm's OID.
    pub signature_oid: String,
    /// The public key algorithm's OID, its encoded parameters and key bits.
    pub key_oid: String,
    pub key_params: Vec<u8>,
    pub key_value: Vec<u8>,
    /// The whole `SubjectPublicKeyInfo`, DER.
    pub spki: Vec<u8>,
    /// SHA-1 of the DER.
    pub sha1: Vec<u8>,
}

/// .NET's short name of an attribute type (dotted OID).
fn short_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "2.5.4.3" => "CN",
        "2.5.4.4" => "SN",
        "2.5.4.5" => "SERIALNUMBER",
        "2.5.4.6" => "C",
        "2.5.4.7" => "L",
        "2.5.4.8" => "S",
        "2.5.4.9" => "STREET",
        "2.5.4.10" => "O",
        "2.5.4.11" => "OU",
        "2.5.4.12" => "T",
        "2.5.4.42" => "G",
        "2.5.4.43" => "I",
        "1.2.840.113549.1.9.1" => "E",
        "0.9.2342.19200300.100.1.25" => "DC",
        _ => return None,
    })
}

/// The text of an attribute value (UTF-8 and the ASCII string types; a
/// BMPString is decoded from UTF-16; anything else is shown lossily).
pub fn value_text(a: &AttributeTypeAndValue<'_>) -> String {
    if let Ok(s) = a.as_str() {
        return s.to_owned();
    }
    let raw = a.as_slice();
    if a.attr_value().tag() == x509_parser::der_parser::asn1_rs::Tag::BmpString && raw.len().is_multiple_of(2) {
        let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(raw).into_owned()
}

fn quote_if_needed(v: &str, out: &mut String) {
    let special = v.starts_with(' ')
        || v.ends_with(' ')
        || v.chars()
            .any(|c| matches!(c, ',' | '+' | '=' | '"' | '\n' | '\r' | '<' | '>' | '#' | ';'));
    if special {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// `X500DistinguishedName.Name` of a parsed name (the gateway's TLS layer
/// formats client certificates' subjects and issuers with it too).
pub fn name_text(name: &X509Name<'_>) -> String {
    dotnet_name(name).0
}

/// `X500DistinguishedName.Name` of a parsed name, and its attributes.
fn dotnet_name(name: &X509Name<'_>) -> (String, Vec<(String, String)>) {
    let rdns: Vec<_> = name.iter().collect();
    let mut attrs = Vec::new();
    let mut out = String::new();
    for rdn in &rdns {
        for a in rdn.iter() {
            attrs.push((a.attr_type().to_id_string(), value_text(a)));
        }
    }
    for (i, rdn) in rdns.iter().rev().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        for (j, a) in rdn.iter().enumerate() {
            if j > 0 {
                out.push_str(" + ");
            }
            let oid = a.attr_type().to_id_string();
            match short_name(&oid) {
                Some(s) => out.push_str(s),
                None => {
                    out.push_str("OID.");
                    out.push_str(&oid);
                }
            }
            out.push('=');
            quote_if_needed(&value_text(a), &mut out);
        }
    }
    (out, attrs)
}

/// The UTF8String inside an otherName's `[0] EXPLICIT` value (a UPN).
fn other_name_text(bytes: &[u8]) -> Option<String> {
    fn tlv(b: &[u8]) -> Option<(u8, &[u8])> {
        let tag = *b.first()?;
        let first = usize::from(*b.get(1)?);
        let (len, start): (usize, usize) = match first {
            l if l < 0x80 => (l, 2),
            0x81 => (usize::from(*b.get(2)?), 3),
            0x82 => (usize::from(*b.get(2)?) << 8 | usize::from(*b.get(3)?), 4),
            _ => return None,
        };
        Some((tag, b.get(start..start.checked_add(len)?)?))
    }
    let (tag, inner) = tlv(bytes)?;
    let (tag, content) = if tag == 0xA0 { tlv(inner)? } else { (tag, inner) };
    (tag == 0x0C).then(|| String::from_utf8_lossy(content).into_owned())
}

fn alt_names(names: &[GeneralName<'_>]) -> AltNames {
    let mut alt = AltNames::default();
    for n in names {
        match n {
            GeneralName::DNSName(d) => alt.dns.push((*d).to_owned()),
            GeneralName::RFC822Name(e) => alt.email.push((*e).to_owned()),
            GeneralName::URI(u) => alt.uri.push((*u).to_owned()),
            GeneralName::OtherName(oid, value) if oid.to_id_string() == "1.3.6.1.4.1.311.20.2.3" => {
                if let Some(upn) = other_name_text(value) {
                    alt.upn.push(upn);
                }
            }
            _ => {}
        }
    }
    alt
}

/// Parses a DER certificate; `None` when it is not valid X.509.
pub fn parse_der(der: &[u8]) -> Option<CertData> {
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let mut subject_alt = AltNames::default();
    let mut issuer_alt = AltNames::default();
    for ext in cert.extensions() {
        match ext.parsed_extension() {
            ParsedExtension::SubjectAlternativeName(san) => subject_alt = alt_names(&san.general_names),
            ParsedExtension::IssuerAlternativeName(ian) => issuer_alt = alt_names(&ian.general_names),
            _ => {}
        }
    }
    let (subject, subject_attrs) = dotnet_name(cert.subject());
    let (issuer, issuer_attrs) = dotnet_name(cert.issuer());
    let spki = cert.public_key();
    let key_params = match &spki.algorithm.parameters {
        Some(p) => {
            let data = p.data;
            let mut v = vec![p.header.tag().0 as u8];
            if data.len() < 0x80 {
                v.push(data.len() as u8);
            } else {
                v.push(0x81);
                v.push(u8::try_from(data.len()).unwrap_or(0));
            }
            v.extend_from_slice(data);
            v
        }
        None => Vec::new(),
    };
    Some(CertData {
        der: der.to_vec(),
        subject,
        issuer,
        subject_attrs,
        issuer_attrs,
        subject_alt,
        issuer_alt,
        version: i32::try_from(cert.version().0).unwrap_or(0).saturating_add(1),
        serial: cert.raw_serial().to_vec(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
        signature_oid: cert.signature_algorithm.algorithm.to_id_string(),
        key_oid: spki.algorithm.algorithm.to_id_string(),
        key_params,
        key_value: spki.subject_public_key.data.to_vec(),
        spki: spki.raw.to_vec(),
        sha1: HashKind::Sha1.digest(der),
    })
}

/// The DER of the first `CERTIFICATE` in PEM text.
pub fn der_from_pem(text: &str) -> Option<Vec<u8>> {
    const BEGIN: &str = "-----BEGIN CERTIFICATE-----";
    const END: &str = "-----END CERTIFICATE-----";
    let start = text.find(BEGIN)? + BEGIN.len();
    let len = text.get(start..)?.find(END)?;
    let b64: String = text
        .get(start..start + len)?
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    base64::engine::general_purpose::STANDARD.decode(b64).ok()
}

/// What `new X509Certificate2(bytes)` accepts: DER, or PEM text in bytes
/// (as .NET on Linux does).
pub fn parse_bytes(bytes: &[u8]) -> Option<CertData> {
    if let Some(c) = parse_der(bytes) {
        return Some(c);
    }
    let text = std::str::from_utf8(bytes).ok()?;
    parse_der(&der_from_pem(text)?)
}

impl CertData {
    fn attrs(&self, for_issuer: bool) -> &[(String, String)] {
        if for_issuer {
            &self.issuer_attrs
        } else {
            &self.subject_attrs
        }
    }

    fn alt(&self, for_issuer: bool) -> &AltNames {
        if for_issuer {
            &self.issuer_alt
        } else {
            &self.subject_alt
        }
    }

    /// The most specific value of attribute `oid` (the last in DER order).
    fn attr(&self, for_issuer: bool, oid: &str) -> Option<&str> {
        self.attrs(for_issuer)
            .iter()
            .rev()
            .find(|(o, _)| o == oid)
            .map(|(_, v)| v.as_str())
    }

    /// `GetNameInfo(nameType, forIssuer)` with X509NameType's values:
    /// SimpleName 0, EmailName 1, UpnName 2, DnsName 3,
    /// DnsFromAlternativeName 4, UrlName 5.
    // documented .NET behaviour, not run: SimpleName tries CN, OU, O, E,
    // then the alternative names; DnsName falls back to the CN.
    pub fn name_info(&self, kind: i64, for_issuer: bool) -> String {
        let alt = self.alt(for_issuer);
        let first = |v: &[String]| v.first().cloned();
        let r = match kind {
            0 => ["2.5.4.3", "2.5.4.11", "2.5.4.10", "1.2.840.113549.1.9.1"]
                .iter()
                .find_map(|o| self.attr(for_issuer, o).map(str::to_owned))
                .or_else(|| first(&alt.dns))
                .or_else(|| first(&alt.email))
                .or_else(|| first(&alt.upn))
                .or_else(|| first(&alt.uri)),
            1 => self
                .attr(for_issuer, "1.2.840.113549.1.9.1")
                .map(str::to_owned)
                .or_else(|| first(&alt.email)),
            2 => first(&alt.upn),
            3 => first(&alt.dns).or_else(|| self.attr(for_issuer, "2.5.4.3").map(str::to_owned)),
            4 => first(&alt.dns),
            5 => first(&alt.uri),
            _ => None,
        };
        r.unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::quote_if_needed;

    #[test]
    fn quoting_follows_dotnet() {
        let mut s = String::new();
        quote_if_needed("Example, Inc", &mut s);
        assert_eq!(s, "\"Example, Inc\"");
        let mut s = String::new();
        quote_if_needed("say \"hi\" = x", &mut s);
        assert_eq!(s, "\"say \"\"hi\"\" = x\"");
        let mut s = String::new();
        quote_if_needed("plain name", &mut s);
        assert_eq!(s, "plain name");
    }
}
