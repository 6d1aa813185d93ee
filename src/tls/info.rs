//! What a TLS client connection tells policies: protocol, cipher suite, SNI
//! and the client certificate (APIM's `context.Request.Certificate`:
//! subject, issuer, thumbprint, validity).
//!
//! Computed once per connection right after the handshake; the certificate
//! is parsed only when the client sent one.

use rustls::{ProtocolVersion, SupportedCipherSuite};
use x509_parser::prelude::{FromDer, X509Certificate};

/// A parsed X.509 certificate, as policies see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// Distinguished name as .NET formats it (`CN=client, O=Example`,
    /// see [`super::dn`]).
    pub subject: String,
    pub issuer: String,
    /// The DER encoding of the issuer name (to find the issuer certificate).
    pub issuer_raw: Vec<u8>,
    /// The first common name of the subject.
    pub common_name: Option<String>,
    /// DNS names of the subject alternative name extension.
    pub dns_names: Vec<String>,
    /// X.509 version (3 for v3).
    pub version: i32,
    /// SHA-1 of the DER encoding, uppercase hex (APIM's `Thumbprint`).
    pub thumbprint: String,
    /// Uppercase hex.
    pub serial_number: String,
    /// Validity, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// The DER encoding (for policies that compare whole certificates).
    pub der: Vec<u8>,
}

impl CertificateInfo {
    /// Parses a DER certificate; `None` when it is not valid X.509.
    pub fn parse(der: &[u8]) -> Option<CertificateInfo> {
        let (_, cert) = X509Certificate::from_der(der).ok()?;
        let dns_names = match cert.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(|n| match n {
                    x509_parser::extensions::GeneralName::DNSName(d) => Some((*d).to_owned()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        Some(CertificateInfo {
            subject: super::dn::dotnet_name(cert.subject()),
            issuer: super::dn::dotnet_name(cert.issuer()),
            issuer_raw: cert.issuer().as_raw().to_vec(),
            common_name: super::dn::common_name(cert.subject()),
            dns_names,
            version: i32::try_from(cert.version().0).unwrap_or(0).saturating_add(1),
            thumbprint: thumbprint(der),
            serial_number: hex_upper(cert.raw_serial()),
            not_before: cert.validity().not_before.timestamp(),
            not_after: cert.validity().not_after.timestamp(),
            der: der.to_vec(),
        })
    }

    /// Whether `now` (Unix seconds) is inside the validity period.
    pub fn valid_at(&self, now: i64) -> bool {
        self.not_before <= now && now <= self.not_after
    }

    /// .NET's `X509Certificate.ToString()`: `[Subject]`, `[Issuer]`,
    /// `[Serial Number]`, `[Not Before]`, `[Not After]`, `[Thumbprint]`
    /// blocks; `date` formats a Unix time as `DateTime.ToString()` does.
    pub fn dotnet_text(&self, date: impl Fn(i64) -> String) -> String {
        format!(
            "[Subject]\n  {}\n\n[Issuer]\n  {}\n\n[Serial Number]\n  {}\n\n[Not Before]\n  {}\n\n\
             [Not After]\n  {}\n\n[Thumbprint]\n  {}\n",
            self.subject,
            self.issuer,
            self.serial_number,
            date(self.not_before),
            date(self.not_after),
            self.thumbprint
        )
    }
}

/// SHA-1 of `der` as uppercase hex (.NET's `Thumbprint`).
pub fn thumbprint(der: &[u8]) -> String {
    hex_upper(ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref())
}

fn hex_upper(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02X}");
    }
    s
}

/// The TLS facts of one client connection (`None` on plain HTTP).
#[derive(Debug, Clone)]
pub struct ClientTls {
    pub protocol: Option<ProtocolVersion>,
    pub cipher_suite: Option<SupportedCipherSuite>,
    /// The SNI host name the client sent.
    pub sni: Option<String>,
    /// The client certificate (leaf), when one was sent.
    pub certificate: Option<CertificateInfo>,
    /// The rest of the chain the client sent, as DER.
    pub chain: Vec<Vec<u8>>,
    /// Whether the session was resumed (ticket or session id).
    pub resumed: bool,
}

impl ClientTls {
    /// Reads the facts of an established server-side session.
    pub fn from_connection(c: &rustls::Connection) -> ClientTls {
        let sni = match c {
            rustls::Connection::Server(s) => s.server_name().map(str::to_owned),
            rustls::Connection::Client(_) => None,
        };
        let peer = c.peer_certificates().unwrap_or_default();
        ClientTls {
            protocol: c.protocol_version(),
            cipher_suite: c.negotiated_cipher_suite(),
            sni,
            certificate: peer.first().and_then(|d| CertificateInfo::parse(d)),
            chain: peer.iter().skip(1).map(|d| d.to_vec()).collect(),
            resumed: c.handshake_kind() == Some(rustls::HandshakeKind::Resumed),
        }
    }

    /// `TLSv1_3`-style name of the protocol.
    pub fn protocol_name(&self) -> String {
        self.protocol.map_or_else(String::new, |p| format!("{p:?}"))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    /// A self-signed CA test certificate (no key kept): subject
    /// `/C=NL/ST=Zuid-Holland/O=Example, Inc/CN=client`, SANs
    /// `a.example`, `b.example`.
    pub(crate) const PEM: &str = "-----BEGIN CERTIFICATE-----\nMIICDzCCAbSgAwIBAgIUFgSKK6nGfBb3Okqr9BGbJWin9uMwCgYIKoZIzj0EAwIw\nTDELMAkGA1UEBhMCTkwxFTATBgNVBAgMDFp1aWQtSG9sbGFuZDEVMBMGA1UECgwM\nRXhhbXBsZSwgSW5jMQ8wDQYDVQQDDAZjbGllbnQwHhcNMjYxMTIzMTUxNjI3WhcN\nMzYxMTIwMTUxNjI3WjBMMQswCQYDVQQGEwJOTDEVMBMGA1UECAwMWnVpZC1Ib2xs\nYW5kMRUwEwYDVQQKDAxFeGFtcGxlLCBJbmMxDzANBgNVBAMMBmNsaWVudDBZMBMG\nByqGSM49AgEGCCqGSM49AwEHA0IABHV82CsoNZykQLZXRTvxxjh47xHy2OoiED5u\nCZKDGwISkpdiOZJDhnvi3eDk3sznvuEycLyxyTbOvFGl8/gAdBWjdDByMB0GA1Ud\nDgQWBBR1vHJbXeftprVjYP9JYc+dGbcv6TAfBgNVHSMEGDAWgBR1vHJbXeftprVj\nYP9JYc+dGbcv6TAPBgNVHRMBAf8EBTADAQH/MB8GA1UdEQQYMBaCCWEuZXhhbXBs\nZYIJYi5leGFtcGxlMAoGCCqGSM49BAMCA0kAMEYCIQCrRpeV8c1URITIn0h3kCw8\n7eBporKPIjdL19YDPZ5e2AIhAMvqQJbB/oFwWU+x3VN3IB6XDAt9Kufk867SMspi\nfWBk\n-----END CERTIFICATE-----";

    #[test]
    fn fields_are_formatted_as_dotnet_does() {
        use rustls_pki_types::pem::PemObject;
        let der = rustls_pki_types::CertificateDer::from_pem_slice(PEM.as_bytes()).unwrap();
        let c = super::CertificateInfo::parse(&der).unwrap();
        assert_eq!(c.subject, "CN=client, O=\"Example, Inc\", S=Zuid-Holland, C=NL");
        assert_eq!(c.issuer, c.subject);
        assert_eq!(c.thumbprint, "C6F7DCB377915388F3EEF3361ADCF0C0229EE6DE");
        assert_eq!(c.serial_number, "16048A2BA9C67C16F73A4AABF4119B2568A7F6E3");
        assert_eq!(c.common_name.as_deref(), Some("client"));
        assert_eq!(c.dns_names, ["a.example", "b.example"]);
        assert_eq!(c.version, 3);
        assert!(c.not_before < c.not_after);
        let text = c.dotnet_text(|s| format!("t{s}"));
        assert!(text.starts_with("[Subject]\n  CN=client, O="), "{text}");
        assert!(
            text.ends_with("\n\n[Thumbprint]\n  C6F7DCB377915388F3EEF3361ADCF0C0229EE6DE\n"),
            "{text}"
        );
        assert!(text.contains(&format!("[Not After]\n  t{}\n", c.not_after)), "{text}");
    }

    #[test]
    fn hex_is_uppercase_and_padded() {
        assert_eq!(super::hex_upper(&[0x0a, 0xff]), "0AFF");
        assert!(super::CertificateInfo::parse(b"not a certificate").is_none());
    }
}
