//! The handlers' view of HTTP: [`Req`] and [`Resp`], and the conversion
//! of a request the transport (`conn`, `wire`) read into a [`Req`].
//!
//! Invariants: query names and values are percent-decoded once, here; the
//! method is upper case; the body was already capped by the transport.

use serde::Serialize;

use super::wire::Head;

/// A request as the handlers see it.
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Req {
    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response; `body` empty for 204/304.
pub struct Resp {
    pub status: u16,
    pub body: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

impl Resp {
    pub fn json<T: Serialize + ?Sized>(status: u16, v: &T) -> Resp {
        let body = serde_json::to_vec(v).unwrap_or_else(|_| b"null".to_vec());
        Resp {
            status,
            body,
            headers: vec![("Content-Type".into(), "application/json".into())],
        }
    }
    pub fn empty(status: u16) -> Resp {
        Resp {
            status,
            body: Vec::new(),
            headers: Vec::new(),
        }
    }
    pub fn with_status(mut self, status: u16) -> Resp {
        self.status = status;
        self
    }
    pub fn with_header(mut self, k: &str, v: String) -> Resp {
        self.headers.push((k.into(), v));
        self
    }
}

pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |j: usize| b.get(j).and_then(|c| (*c as char).to_digit(16));
        match (b[i], hex(i + 1), hex(i + 2)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b'+', _, _) if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The handlers' view of a request read by the transport.
pub(super) fn to_req(head: Head, body: Vec<u8>) -> Req {
    let query = head
        .query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k, true), percent_decode(v, true))
        })
        .collect();
    let content_type = head
        .headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .unwrap_or_default();
    Req {
        method: head.method,
        path: head.path,
        query,
        headers: head.headers,
        content_type,
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c%2", true), "a b c%2");
        assert_eq!(percent_decode("a+b", false), "a+b");
    }
}
