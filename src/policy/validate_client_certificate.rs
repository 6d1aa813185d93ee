//! `validate-client-certificate`: check the certificate the client sent in
//! the TLS handshake against validation rules and allowed identities.
//!
//! ```xml
//! <validate-client-certificate validate-revocation="false" validate-trust="true"
//!     validate-not-before="true" validate-not-after="true" ignore-error="false">
//!   <identities>
//!     <identity subject="CN=client" issuer-subject="CN=Example CA" />
//!     <identity thumbprint="5E7FC1A1F7AD302EDFBFB0B87C5AF2A299B72858" />
//!   </identities>
//! </validate-client-certificate>
//! ```
//! Checks, in order: a certificate was sent (`ClientCertificateNotFound`),
//! `NotBefore` (`ClientCertificateNotYetValid`), `NotAfter`
//! (`ClientCertificateExpired`), the chain to a trusted CA
//! (`ClientCertificateNotTrusted`, see `tls::store` for what is trusted),
//! then at least one identity whose every given claim matches
//! (`ClientCertificateIdentityNotMatched`). Refusal: 401, body
//! `{ "statusCode": 401, "message": "Invalid client certificate" }`
//! ("Client certificate missing" without a certificate), the reason in
//! `LastError.Message`. `ignore-error="true"` lets the request continue.
//! Revocation is not checked (no CRL or OCSP fetching); see docs/tls.md.

use super::compile::{children, CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::failure::Failure;
use crate::tls::store::normalise_thumbprint;

/// At most this many identities (APIM's limit).
const MAX_IDENTITIES: usize = 10;

/// The claims of one `<identity>`; `None` = not checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub thumbprint: Option<String>,
    pub serial_number: Option<String>,
    pub common_name: Option<String>,
    pub subject: Option<String>,
    pub dns_name: Option<String>,
    pub issuer_subject: Option<String>,
    pub issuer_thumbprint: Option<String>,
    pub issuer_certificate_id: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ValidateClientCertificate {
    pub validate_trust: bool,
    pub validate_not_before: bool,
    pub validate_not_after: bool,
    pub ignore_error: bool,
    pub identities: Vec<Identity>,
}

const ATTRS: &[&str] = &[
    "thumbprint",
    "serial-number",
    "common-name",
    "subject",
    "dns-name",
    "issuer-subject",
    "issuer-thumbprint",
    "issuer-certificate-id",
];

fn identity(c: &Compiler<'_>, el: &Element) -> Result<Identity, CompileError> {
    if let Some(a) = el.attrs.iter().find(|a| !ATTRS.contains(&a.name.as_str())) {
        return Err(c.error(el, format!("unknown attribute `{}`", a.name)));
    }
    let get = |name: &str| -> Result<Option<String>, CompileError> {
        match c.attr(el, name) {
            Some(v) if super::text::is_expression(v) => {
                Err(c.error(el, format!("`{name}` does not take a policy expression")))
            }
            Some(v) => Ok(Some(v.trim().to_owned())),
            None => Ok(None),
        }
    };
    let id = Identity {
        thumbprint: get("thumbprint")?.map(|t| normalise_thumbprint(&t)),
        serial_number: get("serial-number")?.map(|t| normalise_thumbprint(&t)),
        common_name: get("common-name")?,
        subject: get("subject")?,
        dns_name: get("dns-name")?,
        issuer_subject: get("issuer-subject")?,
        issuer_thumbprint: get("issuer-thumbprint")?.map(|t| normalise_thumbprint(&t)),
        issuer_certificate_id: get("issuer-certificate-id")?,
    };
    if id == Identity::default() {
        return Err(c.error(el, "an identity needs at least one claim"));
    }
    if let (Some(cid), Some(store)) = (&id.issuer_certificate_id, &c.targets.certs) {
        if store.by_id(cid).is_none() {
            return Err(c.error(
                el,
                format!("issuer-certificate-id: no certificate `{cid}` (certificates/{cid}.pem)"),
            ));
        }
    }
    Ok(id)
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<ValidateClientCertificate, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    if c.boolean(el, "validate-revocation", true)? && c.attr(el, "validate-revocation").is_some() {
        let w = c.error(
            el,
            "validate-revocation=\"true\": revocation (CRL, OCSP) is not checked by this gateway (see docs/tls.md)",
        );
        c.warnings.push(w.to_string());
    }
    let mut identities = Vec::new();
    for child in children(el) {
        if child.name != "identities" {
            return Err(c.error(child, "only <identities> may appear in <validate-client-certificate>"));
        }
        for id in children(child) {
            if id.name != "identity" {
                return Err(c.error(id, "only <identity> may appear in <identities>"));
            }
            identities.push(identity(c, id)?);
        }
    }
    if identities.len() > MAX_IDENTITIES {
        return Err(c.error(el, format!("at most {MAX_IDENTITIES} identities are allowed")));
    }
    Ok(ValidateClientCertificate {
        validate_trust: c.boolean(el, "validate-trust", true)?,
        validate_not_before: c.boolean(el, "validate-not-before", true)?,
        validate_not_after: c.boolean(el, "validate-not-after", true)?,
        ignore_error: c.boolean(el, "ignore-error", false)?,
        identities,
    })
}

fn refuse(reason: &'static str, message: &'static str) -> Failure {
    Failure::new("validate-client-certificate", reason, 401, message).with_body_message("Invalid client certificate")
}

fn same(want: &Option<String>, have: &str) -> bool {
    want.as_deref().is_none_or(|w| w.eq_ignore_ascii_case(have.trim()))
}

impl ValidateClientCertificate {
    pub fn run(&self, r: &mut Run<'_, '_>) -> Result<(), Failure> {
        match self.check(r) {
            Err(_) if self.ignore_error => Ok(()),
            other => other,
        }
    }

    fn check(&self, r: &Run<'_, '_>) -> Result<(), Failure> {
        let Some((cert, chain)) = r.env.tls.and_then(|t| t.certificate.as_ref().map(|c| (c, &t.chain))) else {
            return Err(Failure::new(
                "validate-client-certificate",
                "ClientCertificateNotFound",
                401,
                "Client certificate missing",
            ));
        };
        let now = r.env.timestamp.unix_seconds();
        if self.validate_not_before && now < cert.not_before {
            return Err(refuse("ClientCertificateNotYetValid", "Certificate is not yet valid."));
        }
        if self.validate_not_after && now > cert.not_after {
            return Err(refuse("ClientCertificateExpired", "Certificate has expired."));
        }
        let store = &r.env.replica.certs;
        if self.validate_trust {
            // Dates were checked (or deliberately not) above: check the chain
            // at a time inside the certificate's validity period.
            let at = now.clamp(cert.not_before, cert.not_after);
            if let Err(why) = store.verify_client(cert, chain, at) {
                tracing::debug!(error = %why, "client certificate not trusted");
                return Err(refuse(
                    "ClientCertificateNotTrusted",
                    "A certificate chain could not be built to a trusted root authority.",
                ));
            }
        }
        if self.identities.is_empty() {
            return Ok(());
        }
        let needs_issuer = self
            .identities
            .iter()
            .any(|i| i.issuer_thumbprint.is_some() || i.issuer_certificate_id.is_some());
        let issuer = if needs_issuer {
            store.issuer_of(cert, chain)
        } else {
            None
        };
        let matches = |i: &Identity| {
            same(&i.thumbprint, &cert.thumbprint)
                && i.serial_number
                    .as_deref()
                    .is_none_or(|s| s.trim_start_matches('0') == cert.serial_number.trim_start_matches('0'))
                && i.common_name
                    .as_deref()
                    .is_none_or(|n| cert.common_name.as_deref().is_some_and(|c| c.eq_ignore_ascii_case(n)))
                && same(&i.subject, &cert.subject)
                && i.dns_name
                    .as_deref()
                    .is_none_or(|d| cert.dns_names.iter().any(|n| n.eq_ignore_ascii_case(d)))
                && same(&i.issuer_subject, &cert.issuer)
                && i.issuer_thumbprint
                    .as_deref()
                    .is_none_or(|t| issuer.as_ref().is_some_and(|is| is.thumbprint == t))
                && i.issuer_certificate_id
                    .as_deref()
                    .is_none_or(|id| issuer.as_ref().is_some_and(|is| is.id.as_deref() == Some(id)))
        };
        if self.identities.iter().any(matches) {
            Ok(())
        } else {
            Err(refuse(
                "ClientCertificateIdentityNotMatched",
                "Certificate does not match any of allowed identities.",
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_compare_like_apim() {
        assert!(same(&None, "anything"));
        assert!(same(&Some("CN=a, O=B".into()), "cn=A, o=b"));
        assert!(!same(&Some("CN=a".into()), "CN=b"));
        assert_eq!(normalise_thumbprint("ab cd:ef"), "ABCDEF");
    }
}
