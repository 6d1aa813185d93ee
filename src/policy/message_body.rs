//! The message body as the body policies see it (`find-and-replace`,
//! `set-body`, `json-to-xml`, `xml-to-json`): the current bytes (an edit,
//! else what was buffered), its media type, what the client's `Accept`
//! asks for, and replacing it together with its `Content-Type`.
//!
//! Invariant: a replaced body is an edit (`flow.request.body` or
//! `flow.response.body`); the buffered original is never changed.

use std::borrow::Cow;

use super::exec::Run;
use super::flow::Flow;

/// The current request (`response = false`) or response body; empty when
/// there is none or it was not buffered.
pub fn current<'f>(flow: &'f Flow<'_>, response: bool) -> &'f [u8] {
    let (edited, original) = if response {
        (&flow.response.body, &flow.response_body)
    } else {
        (&flow.request.body, &flow.request_body)
    };
    edited.as_deref().or(original.as_deref()).unwrap_or_default()
}

/// The largest body a policy may produce (`policy.body.max-bytes`).
pub fn max_bytes(r: &Run<'_, '_>) -> usize {
    usize::try_from(r.env.services.body_max).unwrap_or(usize::MAX)
}

/// Replaces the body, and its `Content-Type` when given.
pub fn replace(r: &mut Run<'_, '_>, response: bool, body: Vec<u8>, content_type: Option<&'static str>) {
    if let Some(ct) = content_type {
        let headers = r.headers(response);
        headers.remove("Content-Type");
        headers.add("Content-Type", Cow::Borrowed(ct));
    }
    if response {
        r.flow.response.body = Some(body);
    } else {
        r.flow.request.body = Some(body);
    }
}

/// The media type of a `Content-Type` value, lowercased, without parameters.
fn media_type(value: &str) -> String {
    value.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// `application/json`, `text/json` or any `…+json`.
pub fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .map(media_type)
        .is_some_and(|m| m == "application/json" || m == "text/json" || (m.ends_with("+json") && m.contains('/')))
}

/// `application/xml`, `text/xml` or any `…+xml`.
pub fn is_xml(content_type: Option<&str>) -> bool {
    content_type
        .map(media_type)
        .is_some_and(|m| m == "application/xml" || m == "text/xml" || (m.ends_with("+xml") && m.contains('/')))
}

/// Whether an `Accept` value names a media type `wanted` accepts (with a
/// non-zero quality); wildcards do not count: the client must ask for it.
pub fn accepts(accept: Option<&str>, wanted: fn(Option<&str>) -> bool) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|entry| {
            let mut parts = entry.split(';');
            let media = parts.next().unwrap_or_default();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            !refused && wanted(Some(media))
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_and_accept() {
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("application/problem+json")));
        assert!(is_json(Some("Text/JSON")));
        assert!(!is_json(Some("application/xml")) && !is_json(None) && !is_json(Some("+json")));
        assert!(is_xml(Some("application/soap+xml")) && is_xml(Some("text/xml")));
        assert!(accepts(Some("text/html, application/xml;q=0.9"), is_xml));
        assert!(!accepts(Some("application/xml;q=0"), is_xml));
        assert!(!accepts(Some("*/*"), is_json));
        assert!(!accepts(None, is_json));
    }
}
