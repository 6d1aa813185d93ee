//! What one cache entry holds: a response stored by `cache-store` (for
//! `cache-lookup`) or a value stored by `cache-store-value`.
//!
//! Invariant: entries own their data (`Send + Sync`, no borrow of a
//! request) and know their weight in bytes, which bounds the cache.

use super::value::CachedValue;

/// A cache entry.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    Response(CachedResponse),
    Value(CachedValue),
}

impl Entry {
    /// Bytes it holds.
    pub fn weight(&self) -> usize {
        match self {
            Entry::Response(r) => r.weight(),
            Entry::Value(v) => v.weight(),
        }
    }
}

/// A stored response: status, reason, end-to-end headers (see
/// `super::http::stored_headers`) and the whole body.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CachedResponse {
    pub status: u16,
    pub reason: Option<Box<str>>,
    pub headers: Vec<(Box<str>, Box<str>)>,
    pub body: Vec<u8>,
}

impl CachedResponse {
    /// Bytes it holds.
    pub fn weight(&self) -> usize {
        std::mem::size_of::<CachedResponse>()
            + self.reason.as_ref().map_or(0, |r| r.len())
            + self
                .headers
                .iter()
                .map(|(n, v)| n.len() + v.len() + 2 * std::mem::size_of::<Box<str>>())
                .sum::<usize>()
            + self.body.len()
    }

    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| &**v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weight_counts_headers_and_body() {
        let small = CachedResponse {
            status: 200,
            ..Default::default()
        };
        let big = CachedResponse {
            status: 200,
            reason: None,
            headers: vec![("Content-Type".into(), "text/plain".into())],
            body: vec![0; 1000],
        };
        assert!(big.weight() >= small.weight() + 1000 + "Content-Type".len() + "text/plain".len());
        assert_eq!(big.header("content-type"), Some("text/plain"));
        assert_eq!(Entry::Response(big.clone()).weight(), big.weight());
    }
}
