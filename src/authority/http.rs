//! The blocking HTTP client of the fetch thread and of the gateway's
//! management-plane token (`ureq`: TLS verified against the system roots
//! and the mounted CAs, timeouts, at most 3 redirects).
//!
//! Invariants: every body read is capped (a larger one is an error, never
//! truncated and used); errors never carry a secret (form fields and
//! headers are not echoed); a caller's thread may block here, a worker
//! never calls it.

use std::io::Read;
use std::time::Duration;

/// Largest discovery document or token response.
pub const SMALL_MAX: u64 = 64 * 1024;

/// A response read whole.
pub struct Body {
    pub status: u16,
    pub bytes: Vec<u8>,
    /// How long the answer stays fresh by its cache headers
    /// ([`freshness`]): `Cache-Control: max-age`, else `Expires`; `Some(0)`
    /// for `no-cache`/`no-store` or an `Expires` in the past.
    pub max_age: Option<Duration>,
}

/// A blocking client with one timeout for each whole exchange.
#[derive(Clone)]
pub struct Http {
    agent: ureq::Agent,
}

impl Http {
    pub fn new(timeout: Duration) -> Http {
        let agent = ureq::AgentBuilder::new()
            .timeout(timeout)
            .redirects(3)
            .tls_config(crate::tls::client::mgmt_client_config(false))
            .build();
        Http { agent }
    }

    /// GET `url` with a 2xx answer of at most `max` bytes.
    pub fn get(&self, url: &str, max: u64) -> Result<Body, String> {
        let resp = self.agent.get(url).set("Accept", "application/json").call();
        let body = read(resp, max)?;
        if !(200..300).contains(&body.status) {
            return Err(format!("HTTP {}", body.status));
        }
        Ok(body)
    }

    /// POST a form to `url` (any status: token endpoints explain errors in
    /// the body), with optional HTTP Basic credentials.
    pub fn post_form(&self, url: &str, form: &[(&str, &str)], basic: Option<&str>) -> Result<Body, String> {
        let mut req = self.agent.post(url).set("Accept", "application/json");
        if let Some(b) = basic {
            req = req.set("Authorization", b);
        }
        read(req.send_form(form), max_small())
    }
}

fn max_small() -> u64 {
    SMALL_MAX
}

fn read(resp: Result<ureq::Response, ureq::Error>, max: u64) -> Result<Body, String> {
    let resp = match resp {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(ureq::Error::Transport(t)) => return Err(t.to_string()),
    };
    let status = resp.status();
    let max_age = freshness(
        resp.header("Cache-Control"),
        resp.header("Expires"),
        resp.header("Date"),
        std::time::SystemTime::now(),
    );
    if let Some(len) = resp.header("Content-Length").and_then(|l| l.trim().parse::<u64>().ok()) {
        if len > max {
            return Err(format!("the answer is {len} bytes, more than the {max} accepted"));
        }
    }
    let mut bytes = Vec::new();
    resp.into_reader()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("the answer is more than the {max} bytes accepted"));
    }
    Ok(Body { status, bytes, max_age })
}

/// How long an answer stays fresh (RFC 9111 §4.2.1): `Cache-Control`'s
/// `max-age` (or `no-cache`/`no-store`: 0) first; else `Expires` minus
/// `Date` (the sender's clock, so skew between the clocks does not count;
/// `now` without a valid `Date`), 0 when it is in the past or not a date
/// (RFC 9111: an invalid `Expires`, e.g. `0`, means already expired);
/// `None` without either (the caller's default).
pub fn freshness(
    cache_control: Option<&str>,
    expires: Option<&str>,
    date: Option<&str>,
    now: std::time::SystemTime,
) -> Option<Duration> {
    if let Some(d) = cache_control.and_then(max_age) {
        return Some(d);
    }
    let expires = expires?;
    let Ok(at) = httpdate::parse_http_date(expires.trim()) else {
        return Some(Duration::ZERO);
    };
    let base = date
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok())
        .unwrap_or(now);
    Some(at.duration_since(base).unwrap_or_default())
}

/// `max-age` of a `Cache-Control` value; `no-cache`/`no-store` are 0.
pub fn max_age(v: &str) -> Option<Duration> {
    let mut out = None;
    for d in v.split(',').map(str::trim) {
        let lower = d.to_ascii_lowercase();
        if lower == "no-cache" || lower == "no-store" {
            return Some(Duration::ZERO);
        }
        if let Some(n) = lower.strip_prefix("max-age=") {
            out = n.trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_control() {
        assert_eq!(max_age("public, max-age=3600"), Some(Duration::from_secs(3600)));
        assert_eq!(
            max_age("max-age=\"60\", must-revalidate"),
            Some(Duration::from_secs(60))
        );
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("private"), None);
        assert_eq!(max_age("max-age=x"), None);
    }

    #[test]
    fn expires_counts_when_cache_control_says_nothing() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let f = |cc, exp, date| freshness(cc, exp, date, now);
        // Relative to Date when given (the sender's clock)…
        assert_eq!(
            f(
                None,
                Some("Sun, 06 Nov 1994 10:00:00 GMT"),
                Some("Sun, 06 Nov 1994 09:00:00 GMT")
            ),
            Some(Duration::from_secs(3600))
        );
        // …else to now; the RFC 850 and asctime forms too.
        assert_eq!(
            f(None, Some("Sunday, 06-Nov-94 08:59:37 GMT"), None),
            Some(Duration::from_secs(600))
        );
        assert_eq!(
            f(None, Some("Sun Nov  6 08:50:37 1994"), Some("not a date")),
            Some(Duration::from_secs(60))
        );
        // In the past, or not a date (`0`): already expired.
        assert_eq!(
            f(None, Some("Thu, 01 Jan 1970 00:00:00 GMT"), None),
            Some(Duration::ZERO)
        );
        assert_eq!(f(None, Some("0"), None), Some(Duration::ZERO));
        // Cache-Control wins; without either header: the caller's default.
        assert_eq!(
            f(Some("max-age=120"), Some("Sun, 06 Nov 1994 10:00:00 GMT"), None),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            f(Some("no-cache"), Some("Sun, 06 Nov 1994 10:00:00 GMT"), None),
            Some(Duration::ZERO)
        );
        assert_eq!(
            f(Some("public"), Some("Sun, 06 Nov 1994 09:49:37 GMT"), None),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(f(None, None, Some("Sun, 06 Nov 1994 09:49:37 GMT")), None);
    }
}
