//! Cipher-suite selection from APIM's IANA suite names
//! (`net.server.tls.ciphers.allowed-suites`, `net.client.tls.ciphers.allowed-suites`).
//!
//! Owns: the mapping from IANA names to the suites of the chosen crypto
//! provider (rustls' `ring` provider). Invariants: the resulting list keeps
//! the provider's preference order (not the list's order); names rustls
//! does not implement (CBC, DHE, static-RSA key exchange) are returned as
//! ignored, so the caller reports them once; a list with no usable suite
//! is an error.

use rustls::crypto::ring as provider;
use rustls::SupportedCipherSuite;

/// The IANA name of a suite (`TLS_AES_128_GCM_SHA256`,
/// `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`).
pub fn iana_name(s: SupportedCipherSuite) -> String {
    let debug = format!("{:?}", s.suite());
    match debug.strip_prefix("TLS13_") {
        Some(rest) => format!("TLS_{rest}"),
        None => debug,
    }
}

/// Every suite the gateway implements, in preference order.
pub fn implemented() -> &'static [SupportedCipherSuite] {
    provider::ALL_CIPHER_SUITES
}

/// The result of filtering by an allow-list.
#[derive(Debug)]
pub struct Selection {
    pub suites: Vec<SupportedCipherSuite>,
    /// Names that are well-formed suite names rustls does not implement.
    pub ignored: Vec<String>,
}

/// Filters the implemented suites by a comma-separated list of IANA names
/// (case-insensitive, blanks ignored). `None`/empty = every implemented suite.
pub fn select(list: Option<&str>) -> Result<Selection, String> {
    let names: Vec<String> = list
        .unwrap_or("")
        .split([',', ';', ' ', '\n'])
        .map(|n| n.trim().to_ascii_uppercase())
        .filter(|n| !n.is_empty())
        .collect();
    if names.is_empty() {
        return Ok(Selection {
            suites: implemented().to_vec(),
            ignored: Vec::new(),
        });
    }
    let mut ignored = Vec::new();
    for n in &names {
        if !n.starts_with("TLS_") && !n.starts_with("SSL_") {
            return Err(format!(
                "{n:?} is not an IANA cipher suite name (e.g. TLS_AES_128_GCM_SHA256)"
            ));
        }
        if !implemented().iter().any(|s| iana_name(*s) == *n) {
            ignored.push(n.clone());
        }
    }
    let suites: Vec<SupportedCipherSuite> = implemented()
        .iter()
        .copied()
        .filter(|s| names.contains(&iana_name(*s)))
        .collect();
    if suites.is_empty() {
        return Err(format!(
            "no usable cipher suite left (supported: {})",
            implemented()
                .iter()
                .map(|s| iana_name(*s))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(Selection { suites, ignored })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iana_names_match_the_registry() {
        let names: Vec<String> = implemented().iter().map(|s| iana_name(*s)).collect();
        for n in [
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        ] {
            assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
        }
    }

    #[test]
    fn unimplemented_suites_are_ignored_and_empty_is_an_error() {
        let s = select(Some(
            "TLS_AES_128_GCM_SHA256, TLS_DHE_RSA_WITH_AES_128_GCM_SHA256,tls_rsa_with_aes_128_cbc_sha",
        ))
        .unwrap();
        assert_eq!(s.suites.len(), 1);
        assert_eq!(
            s.ignored,
            vec!["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC_SHA"]
        );
        let e = select(Some("TLS_RSA_WITH_AES_256_CBC_SHA")).unwrap_err();
        assert!(e.contains("no usable cipher suite"), "{e}");
        assert!(select(Some("AES128")).is_err());
        assert_eq!(select(None).unwrap().suites.len(), implemented().len());
    }
}
