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
    /// `Cache-Control: max-age` (`Some(0)` for `no-cache`/`no-store`).
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
        let resp = self
            .agent
            .get(url)
            .set("Accept", "application/json")
            .call();
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
    let max_age = resp.header("Cache-Control").and_then(max_age);
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
        assert_eq!(max_age("max-age=\"60\", must-revalidate"), Some(Duration::from_secs(60)));
        assert_eq!(max_age("no-store"), Some(Duration::ZERO));
        assert_eq!(max_age("private"), None);
        assert_eq!(max_age("max-age=x"), None);
    }
}
