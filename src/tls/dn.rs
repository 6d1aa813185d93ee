//! Distinguished names as .NET formats them (`X500DistinguishedName.Name`,
//! which APIM's `context.Request.Certificate.Subject` and `.Issuer` show):
//! relative names from the most specific to the most general (`CN=client,
//! O=Example, C=NL`, the reverse of the DER order), `, ` between them, `+`
//! inside a multi-valued one, .NET's short attribute names (`S` for the
//! state, `E` for the e-mail address, `OID.1.2.3` for unknown types), and
//! values that contain a separator or quote wrapped in `"` with inner `"`
//! doubled.

use x509_parser::x509::{AttributeTypeAndValue, X509Name};

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
        let units: Vec<u16> = raw.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        return String::from_utf16_lossy(&units);
    }
    String::from_utf8_lossy(raw).into_owned()
}

fn quote_if_needed(v: &str, out: &mut String) {
    let special = v.is_empty()
        || v.starts_with(' ')
        || v.ends_with(' ')
        || v.chars()
            .any(|c| matches!(c, ',' | '+' | '=' | '"' | '\n' | '\r' | '<' | '>' | '#' | ';'));
    if special && !v.is_empty() {
        out.push('"');
        out.push_str(&v.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(v);
    }
}

/// `X500DistinguishedName.Name` of a parsed name.
pub fn dotnet_name(name: &X509Name<'_>) -> String {
    let rdns: Vec<_> = name.iter().collect();
    let mut out = String::new();
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
    out
}

/// The first common name (`CN`) of a name, if any.
pub fn common_name(name: &X509Name<'_>) -> Option<String> {
    name.iter_common_name().next().map(value_text)
}

#[cfg(test)]
mod tests {
    use super::*;

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
