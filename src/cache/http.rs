//! The HTTP rules of response caching: which requests are looked up,
//! which responses are stored and with which headers, what a hit carries
//! (`Cache-Control` per `downstream-caching-type` and `must-revalidate`,
//! `Age`), conditional requests answered from a hit, and the request
//! headers removed on a miss so the backend sends a complete response.
//!
//! Decisions (APIM's where it documents one, a shared HTTP cache's —
//! nginx, Varnish — where it is silent):
//! - only `GET` is looked up and stored; a request with `Authorization`
//!   only with `allow-private-response-caching`; a `Range` request never
//!   (its answer is partial);
//! - only `200` is stored unless `cache-response` is true; a response with
//!   `Set-Cookie` is never stored (it would hand one client's cookie to
//!   others);
//! - stored headers are the end-to-end ones: hop-by-hop fields, framing
//!   (`Content-Length`, recomputed) and `Age` are dropped;
//! - `downstream-caching-type` `private`/`public` replaces `Cache-Control`
//!   with `private|public, max-age=<seconds left>` (+ `must-revalidate`
//!   when asked); `none` (the default) adds no directive, the stored
//!   `Cache-Control` goes out as stored; every hit carries `Age`;
//! - a hit answers `If-None-Match` (weak comparison, `*`) or, without it,
//!   `If-Modified-Since` equal to the stored `Last-Modified` with `304`.

use std::time::Duration;

use super::entry::CachedResponse;

/// `downstream-caching-type`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Downstream {
    #[default]
    None,
    Private,
    Public,
}

impl Downstream {
    pub fn parse(s: &str) -> Option<Downstream> {
        match s.trim() {
            "none" => Some(Downstream::None),
            "private" => Some(Downstream::Private),
            "public" => Some(Downstream::Public),
            _ => None,
        }
    }
}

/// Why a request is not looked up (for debug logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    Method,
    Authorization,
    Range,
}

/// Whether a request is looked up (and its response may be stored).
pub fn lookup_allowed(
    method: &http::Method,
    has_authorization: bool,
    has_range: bool,
    allow_private: bool,
) -> Result<(), Skip> {
    if method != http::Method::GET {
        Err(Skip::Method)
    } else if has_authorization && !allow_private {
        Err(Skip::Authorization)
    } else if has_range {
        Err(Skip::Range)
    } else {
        Ok(())
    }
}

/// Whether a response may be stored.
pub fn storable(status: u16, cache_response: bool, has_set_cookie: bool) -> bool {
    (status == 200 || cache_response) && !has_set_cookie
}

/// Request headers removed on a miss: they could make the backend answer
/// `304` (or from its own cache) instead of the complete response the
/// cache needs (APIM removes its "cache headers" the same way).
pub const MISS_STRIPPED: &[&str] = &["Cache-Control", "Pragma", "If-None-Match", "If-Modified-Since"];

/// Response header fields never stored.
const NOT_STORED: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "age",
];

/// Whether a response header is stored with the response.
pub fn header_stored(name: &str) -> bool {
    !NOT_STORED.iter().any(|n| n.eq_ignore_ascii_case(name))
}

/// The `Cache-Control` a hit (or a stored response) carries; `None`:
/// leave the stored one.
pub fn cache_control(downstream: Downstream, must_revalidate: bool, max_age: Duration) -> Option<String> {
    let scope = match downstream {
        Downstream::None => return None,
        Downstream::Private => "private",
        Downstream::Public => "public",
    };
    let mut v = format!("{scope}, max-age={}", max_age.as_secs());
    if must_revalidate {
        v.push_str(", must-revalidate");
    }
    Some(v)
}

/// The `Age` header value of a hit.
pub fn age(age: Duration) -> String {
    age.as_secs().to_string()
}

/// Whether a hit answers the request's conditional headers with `304`.
pub fn not_modified(stored: &CachedResponse, if_none_match: Option<&str>, if_modified_since: Option<&str>) -> bool {
    if stored.status != 200 {
        return false;
    }
    if let Some(inm) = if_none_match {
        let Some(etag) = stored.header("ETag") else {
            return false;
        };
        return inm
            .split(',')
            .map(str::trim)
            .any(|t| t == "*" || opaque(t) == opaque(etag.trim()));
    }
    match (if_modified_since, stored.header("Last-Modified")) {
        (Some(ims), Some(lm)) => ims.trim() == lm.trim(),
        _ => false,
    }
}

/// An entity tag without its weak prefix (weak comparison).
fn opaque(tag: &str) -> &str {
    tag.strip_prefix("W/").unwrap_or(tag)
}

/// Stored header fields a `304` repeats (RFC 9110 §15.4.5, and
/// `Last-Modified`).
pub fn kept_on_304(name: &str) -> bool {
    [
        "cache-control",
        "content-location",
        "date",
        "etag",
        "expires",
        "vary",
        "last-modified",
    ]
    .iter()
    .any(|n| n.eq_ignore_ascii_case(name))
}

/// The response a hit answers with: the stored one (or a `304` when the
/// request's conditional headers match it) with `Age` and, when downstream
/// caching is on, the gateway's `Cache-Control`.
pub fn hit_response(stored: &CachedResponse, hit: &Freshness, conditional: Conditional<'_>) -> CachedResponse {
    let not_modified = not_modified(stored, conditional.if_none_match, conditional.if_modified_since);
    let control = cache_control(hit.downstream, hit.must_revalidate, hit.ttl_left);
    let mut headers: Vec<(Box<str>, Box<str>)> = stored
        .headers
        .iter()
        .filter(|(n, _)| !(control.is_some() && n.eq_ignore_ascii_case("cache-control")))
        .filter(|(n, _)| !not_modified || kept_on_304(n))
        .cloned()
        .collect();
    if let Some(c) = control {
        headers.push(("Cache-Control".into(), c.into()));
    }
    headers.push(("Age".into(), age(hit.age).into()));
    if not_modified {
        CachedResponse {
            status: 304,
            reason: None,
            headers,
            body: Vec::new(),
        }
    } else {
        CachedResponse {
            status: stored.status,
            reason: stored.reason.clone(),
            headers,
            body: stored.body.clone(),
        }
    }
}

/// What a hit's headers depend on: its times and the lookup's
/// downstream settings.
#[derive(Clone, Copy, Debug)]
pub struct Freshness {
    pub age: Duration,
    pub ttl_left: Duration,
    pub downstream: Downstream,
    pub must_revalidate: bool,
}

/// The request's conditional headers.
#[derive(Clone, Copy, Debug, Default)]
pub struct Conditional<'a> {
    pub if_none_match: Option<&'a str>,
    pub if_modified_since: Option<&'a str>,
}

/// The entry `cache-store` keeps for a response: its end-to-end headers
/// and whole body.
pub fn stored_response<'h>(
    status: u16,
    reason: Option<&str>,
    headers: impl IntoIterator<Item = (&'h str, &'h str)>,
    body: Vec<u8>,
) -> CachedResponse {
    CachedResponse {
        status,
        reason: reason.map(Into::into),
        headers: headers
            .into_iter()
            .filter(|(n, _)| header_stored(n))
            .map(|(n, v)| (n.into(), v.into()))
            .collect(),
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(headers: &[(&str, &str)]) -> CachedResponse {
        CachedResponse {
            status: 200,
            reason: None,
            headers: headers.iter().map(|(n, v)| ((*n).into(), (*v).into())).collect(),
            body: b"x".to_vec(),
        }
    }

    #[test]
    fn only_get_and_authorization_only_when_allowed() {
        assert_eq!(lookup_allowed(&http::Method::GET, false, false, false), Ok(()));
        assert_eq!(
            lookup_allowed(&http::Method::HEAD, false, false, false),
            Err(Skip::Method)
        );
        assert_eq!(
            lookup_allowed(&http::Method::POST, false, false, true),
            Err(Skip::Method)
        );
        assert_eq!(
            lookup_allowed(&http::Method::GET, true, false, false),
            Err(Skip::Authorization)
        );
        assert_eq!(lookup_allowed(&http::Method::GET, true, false, true), Ok(()));
        assert_eq!(lookup_allowed(&http::Method::GET, false, true, true), Err(Skip::Range));
    }

    #[test]
    fn only_200_unless_cache_response() {
        assert!(storable(200, false, false));
        assert!(!storable(404, false, false));
        assert!(storable(404, true, false));
        assert!(!storable(200, true, true));
    }

    #[test]
    fn hop_by_hop_and_framing_are_not_stored() {
        for h in ["Connection", "transfer-encoding", "Content-Length", "Age", "Keep-Alive"] {
            assert!(!header_stored(h), "{h}");
        }
        for h in ["Content-Type", "ETag", "Cache-Control", "X-Custom"] {
            assert!(header_stored(h), "{h}");
        }
    }

    #[test]
    fn downstream_cache_control() {
        let d = Duration::from_millis(42_900);
        assert_eq!(cache_control(Downstream::None, true, d), None);
        assert_eq!(
            cache_control(Downstream::Private, true, d).as_deref(),
            Some("private, max-age=42, must-revalidate")
        );
        assert_eq!(
            cache_control(Downstream::Public, false, d).as_deref(),
            Some("public, max-age=42")
        );
        assert_eq!(Downstream::parse("public"), Some(Downstream::Public));
        assert_eq!(Downstream::parse("Public"), None);
        assert_eq!(age(Duration::from_millis(1999)), "1");
    }

    #[test]
    fn conditional_requests() {
        let s = stored(&[("ETag", "W/\"v1\""), ("Last-Modified", "Tue, 01 Oct 2024 10:00:00 GMT")]);
        assert!(not_modified(&s, Some("\"v1\""), None));
        assert!(not_modified(&s, Some("\"v0\", W/\"v1\""), None));
        assert!(not_modified(&s, Some("*"), None));
        assert!(!not_modified(&s, Some("\"v2\""), None));
        // If-None-Match wins over If-Modified-Since.
        assert!(!not_modified(&s, Some("\"v2\""), Some("Tue, 01 Oct 2024 10:00:00 GMT")));
        assert!(not_modified(&s, None, Some("Tue, 01 Oct 2024 10:00:00 GMT")));
        assert!(!not_modified(&s, None, Some("Wed, 02 Oct 2024 10:00:00 GMT")));
        assert!(!not_modified(&stored(&[]), Some("*"), None));
        assert!(kept_on_304("etag") && !kept_on_304("Content-Type"));
    }

    fn fresh(downstream: Downstream) -> Freshness {
        Freshness {
            age: Duration::from_secs(7),
            ttl_left: Duration::from_secs(53),
            downstream,
            must_revalidate: true,
        }
    }

    #[test]
    fn a_hit_carries_age_and_the_downstream_directive() {
        let s = stored(&[
            ("Content-Type", "text/plain"),
            ("Cache-Control", "max-age=60"),
            ("ETag", "\"a\""),
        ]);
        let r = hit_response(&s, &fresh(Downstream::None), Conditional::default());
        assert_eq!(r.status, 200);
        assert_eq!(r.body, b"x");
        assert_eq!(r.header("Cache-Control"), Some("max-age=60"));
        assert_eq!(r.header("Age"), Some("7"));
        let r = hit_response(&s, &fresh(Downstream::Public), Conditional::default());
        assert_eq!(r.header("Cache-Control"), Some("public, max-age=53, must-revalidate"));
        assert_eq!(r.headers.iter().filter(|(n, _)| &**n == "Cache-Control").count(), 1);
        assert_eq!(r.header("Content-Type"), Some("text/plain"));
    }

    #[test]
    fn a_matching_conditional_request_gets_304_without_body() {
        let s = stored(&[("Content-Type", "text/plain"), ("ETag", "\"a\"")]);
        let cond = Conditional {
            if_none_match: Some("\"a\""),
            if_modified_since: None,
        };
        let r = hit_response(&s, &fresh(Downstream::Private), cond);
        assert_eq!(r.status, 304);
        assert!(r.body.is_empty());
        assert_eq!(r.header("ETag"), Some("\"a\""));
        assert_eq!(r.header("Content-Type"), None);
        assert_eq!(r.header("Cache-Control"), Some("private, max-age=53, must-revalidate"));
    }

    #[test]
    fn stored_responses_keep_end_to_end_headers() {
        let r = stored_response(
            200,
            Some("OK"),
            [
                ("Content-Type", "a"),
                ("Connection", "keep-alive"),
                ("Content-Length", "1"),
                ("X-A", "b"),
            ],
            b"x".to_vec(),
        );
        let names: Vec<&str> = r.headers.iter().map(|(n, _)| &**n).collect();
        assert_eq!(names, ["Content-Type", "X-A"]);
        assert_eq!(r.reason.as_deref(), Some("OK"));
    }
}
