//! Distinguished names as .NET formats them (`X500DistinguishedName.Name`,
//! which APIM's `context.Request.Certificate.Subject` and `.Issuer` show):
//! relative names from the most specific to the most general (`CN=client,
//! O=Example, C=NL`, the reverse of the DER order), `, ` between them, `+`
//! inside a multi-valued one, .NET's short attribute names (`S` for the
//! state, `E` for the e-mail address, `OID.1.2.3` for unknown types), and
//! values that contain a separator or quote wrapped in `"` with inner `"`
//! doubled.

//!
//! The formatting itself belongs to the expression crate
//! (`X509Certificate2.Subject` there); this module is what TLS uses of it.

use x509_parser::x509::X509Name;

pub use outpost_expr::library::crypto::x509::parse::{name_text as dotnet_name, value_text};

/// The first common name (`CN`) of a name, if any.
pub fn common_name(name: &X509Name<'_>) -> Option<String> {
    name.iter_common_name().next().map(value_text)
}
