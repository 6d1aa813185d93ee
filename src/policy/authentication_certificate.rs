//! `authentication-certificate`: present a client certificate to the
//! backend in the TLS handshake.
//!
//! ```xml
//! <authentication-certificate certificate-id="orders-client" />
//! <authentication-certificate thumbprint="CA06F56B258B7A0D4F2B05470939478651151984" />
//! ```
//! The certificate (with its private key) comes from the configuration's
//! certificate store (`tls::store`), by id or SHA-1 thumbprint. A literal
//! reference is resolved when the configuration loads (unknown: load
//! error); an expression is resolved per request (unknown:
//! `ExpressionValueEvaluationFailure`). Backend connections that present a
//! certificate are pooled apart from the others, one pool per certificate,
//! and never resume a TLS session made with another certificate (see
//! `tls::client`). `body`/`password` (a PKCS#12 byte array from an
//! expression) are not supported: a load-time error says to use the store.
//! Has no effect on `http://` backends.

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub enum AuthenticationCertificate {
    /// Index into the replica's certificate store.
    Fixed(usize),
    /// Resolved per request by thumbprint or by id.
    Dynamic { text: Text, by_thumbprint: bool },
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<AuthenticationCertificate, CompileError> {
    c.only_in(el, &[Section::Inbound])?;
    if c.attr(el, "body").is_some() || c.attr(el, "password").is_some() {
        return Err(c.error(
            el,
            "`body`/`password` (a PKCS#12 certificate from an expression) are not supported: \
             put the certificate and its key in certificates/<id>.pem and use `certificate-id`",
        ));
    }
    let (text, by_thumbprint) = match (
        c.text_attr(el, "thumbprint", Want::String)?,
        c.text_attr(el, "certificate-id", Want::String)?,
    ) {
        (Some(_), Some(_)) => return Err(c.error(el, "use either `thumbprint` or `certificate-id`, not both")),
        (None, None) => return Err(c.error(el, "missing attribute `thumbprint` or `certificate-id`")),
        (Some(t), None) => (t, true),
        (None, Some(t)) => (t, false),
    };
    let Text::Lit(reference) = &text else {
        c.targets.any_client_cert = true;
        return Ok(AuthenticationCertificate::Dynamic { text, by_thumbprint });
    };
    let Some(store) = &c.targets.certs else {
        return Err(c.error(
            el,
            "needs the configuration's certificates (check it with `outpost check-config`)",
        ));
    };
    let found = if by_thumbprint {
        store.by_thumbprint(reference)
    } else {
        store.by_id(reference.trim())
    };
    let Some(i) = found else {
        let what = if by_thumbprint { "thumbprint" } else { "certificate-id" };
        return Err(c.error(
            el,
            format!("{what} `{}`: no such certificate in certificates/", reference.trim()),
        ));
    };
    if !c.targets.client_certs.contains(&i) {
        c.targets.client_certs.push(i);
    }
    Ok(AuthenticationCertificate::Fixed(i))
}

impl AuthenticationCertificate {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let i = self.resolve(r)?;
        r.flow.request.client_cert = Some(i);
        Ok(())
    }

    /// The store index of the certificate to present (also for the
    /// `authentication-certificate` child of `send-request`).
    pub fn resolve<'p>(&'p self, r: &Run<'_, 'p>) -> Result<usize, Failure> {
        Ok(match self {
            AuthenticationCertificate::Fixed(i) => *i,
            AuthenticationCertificate::Dynamic { text, by_thumbprint } => {
                let reference = r.eval(text, "authentication-certificate")?;
                let store = &r.env.replica.certs;
                let found = if *by_thumbprint {
                    store.by_thumbprint(&reference)
                } else {
                    store.by_id(reference.trim())
                };
                found
                    .filter(|i| r.env.replica.client_cert_keys.contains(i))
                    .ok_or_else(|| {
                        Failure::expression(
                            "authentication-certificate",
                            format!("no certificate with a private key matches `{reference}`"),
                        )
                    })?
            }
        })
    }
}
