//! Backend selection for a policy pipeline's backend calls: the target's
//! connection parameters (`http_backend`), the connector and pool to use
//! when `authentication-certificate` presents a client certificate
//! (`with_client_cert`), and the part of the request path after the API's
//! suffix (`remainder`). Shared by `pipeline_run` and `redirect`.
//!
//! Invariant: a client-certificate call is pooled apart per certificate,
//! never on the target's plain pool; a certificate that is not prepared for
//! the target is a policy failure (`ClientCertificateNotAvailable`, 500),
//! never a call without it.

use super::error::ProxyError;
use super::forward::HttpBackend;
use crate::http::Span;
use crate::policy::exec::RequestView;
use crate::policy::failure::Failure;
use crate::replica::BackendTarget;

pub(super) fn remainder(req: RequestView<'_>) -> Span {
    Span {
        start: req.head.path.start + req.remaining_start,
        end: req.head.path.end,
    }
}

pub(super) fn http_backend<'a>(
    t: &'a BackendTarget,
    tls: Option<&'a crate::tls::client::BackendConnector>,
    pool_key: &'a str,
) -> HttpBackend<'a> {
    match t {
        BackendTarget::Http {
            addrs,
            base_path,
            host_header,
            ..
        } => HttpBackend {
            tls,
            pool_key,
            addrs,
            base_path,
            host_header,
        },
        BackendTarget::Echo => HttpBackend {
            tls: None,
            pool_key: "",
            addrs: &[],
            base_path: "",
            host_header: "echo",
        },
    }
}

/// The connector and pool for a backend call: the target's own, or, after
/// `authentication-certificate` on an `https://` target, the variant that
/// presents the certificate (pooled apart per certificate).
pub(super) fn with_client_cert<'a>(
    target: &'a BackendTarget,
    tls: Option<&'a crate::tls::client::BackendConnector>,
    cert: Option<usize>,
) -> Result<(Option<&'a crate::tls::client::BackendConnector>, &'a str), ProxyError> {
    let pool = match target {
        BackendTarget::Http { pool_key, .. } => pool_key.as_str(),
        BackendTarget::Echo => "",
    };
    match (tls, cert) {
        (Some(t), Some(c)) => match t.with_cert(c) {
            Some(v) => Ok((Some(&v.connector), v.pool_key.as_str())),
            None => Err(ProxyError::Policy(Failure::new(
                "authentication-certificate",
                "ClientCertificateNotAvailable",
                500,
                "the client certificate is not prepared for this backend",
            ))),
        },
        _ => Ok((tls, pool)),
    }
}
