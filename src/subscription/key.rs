//! Finding the subscription key in a request: the API's key header first
//! (`Ocp-Apim-Subscription-Key` unless configured), else its query
//! parameter (`subscription-key` unless configured). An empty value counts
//! as no key. The key stays in the request: APIM forwards it to the backend
//! unless a policy removes it.
//!
//! Invariant: borrows from the request buffer; allocates only to
//! percent-decode a query value that contains `%` or `+`.

use std::borrow::Cow;

use super::compile::ApiAccess;
use crate::routing::query_value;

/// The key the request carries for the API with `access`, if any.
/// `header` looks up a request header by name (case-insensitively).
pub fn request_key<'a>(
    access: &ApiAccess,
    header: &dyn Fn(&[u8]) -> Option<&'a [u8]>,
    query: Option<&'a [u8]>,
) -> Option<Cow<'a, [u8]>> {
    if let Some(v) = header(access.key_header.as_bytes()).filter(|v| !v.is_empty()) {
        return Some(Cow::Borrowed(v));
    }
    let q = query?;
    let raw = q.get(query_value(q, access.key_query.as_bytes())?)?;
    if raw.is_empty() {
        return None;
    }
    if !raw.iter().any(|&b| b == b'%' || b == b'+') {
        return Some(Cow::Borrowed(raw));
    }
    let decoded = percent_decode(raw);
    (!decoded.is_empty()).then_some(Cow::Owned(decoded))
}

/// Decodes `%XX` and `+` (form encoding) in a query value; a `%` not
/// followed by two hex digits is kept as is.
fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        match b {
            b'+' => out.push(b' '),
            b'%' => match (
                raw.get(i + 1).copied().and_then(hex),
                raw.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            _ => out.push(b),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(header: &str, query: &str) -> ApiAccess {
        ApiAccess {
            subscription_required: true,
            key_header: header.into(),
            key_query: query.into(),
            group: 0,
            products: Box::new([]),
            open_product: None,
        }
    }

    fn key(a: &ApiAccess, headers: &[(&'static str, &'static str)], query: Option<&'static str>) -> Option<String> {
        let header = |name: &[u8]| {
            headers
                .iter()
                .find(|(n, _)| n.as_bytes().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_bytes())
        };
        request_key(a, &header, query.map(str::as_bytes)).map(|k| String::from_utf8_lossy(&k).into_owned())
    }

    #[test]
    fn header_then_query() {
        let a = access("Ocp-Apim-Subscription-Key", "subscription-key");
        let h = [("ocp-apim-subscription-key", "hk")];
        assert_eq!(key(&a, &h, Some("subscription-key=qk")).as_deref(), Some("hk"));
        assert_eq!(key(&a, &[], Some("x=1&subscription-key=qk")).as_deref(), Some("qk"));
        assert_eq!(
            key(&a, &[("Ocp-Apim-Subscription-Key", "")], Some("subscription-key=qk")).as_deref(),
            Some("qk")
        );
        assert_eq!(key(&a, &[], Some("subscription-key=")), None);
        assert_eq!(key(&a, &[], Some("subscription-keys=x")), None);
        assert_eq!(key(&a, &[], None), None);
    }

    #[test]
    fn custom_names_and_decoding() {
        let a = access("X-Api-Key", "apikey");
        assert_eq!(key(&a, &[("x-api-key", "k1")], None).as_deref(), Some("k1"));
        assert_eq!(key(&a, &[("Ocp-Apim-Subscription-Key", "k1")], None), None);
        assert_eq!(key(&a, &[], Some("apikey=a%2Fb+c%zz")).as_deref(), Some("a/b c%zz"));
        assert_eq!(key(&a, &[], Some("subscription-key=k")), None);
    }
}
