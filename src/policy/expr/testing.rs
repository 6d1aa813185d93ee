//! [`FakeContext`]: an in-memory [`Context`] for unit tests of expressions
//! and of the policies that evaluate them.

use std::borrow::Cow;
use std::collections::HashMap;

use super::context::{Context, Values};
use super::datetime::{DateTime, TimeSpan};
use super::types::{IntField, Msg, Ns, TextField, UrlKind};
use super::value::Value;

/// A request context held in plain collections. Text fields not set are
/// null; objects listed in `absent` are null.
#[derive(Debug, Clone)]
pub struct FakeContext {
    pub texts: HashMap<TextField, String>,
    pub status: i32,
    pub port: i32,
    pub absent: Vec<Ns>,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub query: Vec<(String, String)>,
    pub original_query: Vec<(String, String)>,
    pub matched: Vec<(String, String)>,
    pub variables: HashMap<String, Value<'static>>,
    pub timestamp: DateTime,
    pub now: DateTime,
    pub elapsed: TimeSpan,
    pub body: Option<String>,
}

impl Default for FakeContext {
    fn default() -> Self {
        FakeContext {
            texts: HashMap::new(),
            status: 200,
            port: 443,
            absent: Vec::new(),
            request_headers: Vec::new(),
            response_headers: Vec::new(),
            query: Vec::new(),
            original_query: Vec::new(),
            matched: Vec::new(),
            variables: HashMap::new(),
            // 2024-02-29T13:05:09Z
            timestamp: DateTime::from_unix_seconds(1_709_211_909),
            now: DateTime::from_unix_seconds(1_709_211_910),
            elapsed: TimeSpan::from_millis(1500),
            body: None,
        }
    }
}

impl FakeContext {
    pub fn text(mut self, f: TextField, v: &str) -> Self {
        self.texts.insert(f, v.to_owned());
        self
    }

    pub fn header(mut self, name: &str, v: &str) -> Self {
        self.request_headers.push((name.to_owned(), v.to_owned()));
        self
    }

    pub fn response_header(mut self, name: &str, v: &str) -> Self {
        self.response_headers.push((name.to_owned(), v.to_owned()));
        self
    }

    pub fn query(mut self, name: &str, v: &str) -> Self {
        self.query.push((name.to_owned(), v.to_owned()));
        self
    }

    pub fn matched(mut self, name: &str, v: &str) -> Self {
        self.matched.push((name.to_owned(), v.to_owned()));
        self
    }

    pub fn var(mut self, name: &str, v: Value<'static>) -> Self {
        self.variables.insert(name.to_owned(), v);
        self
    }

    pub fn without(mut self, ns: Ns) -> Self {
        self.absent.push(ns);
        self
    }
}

fn lookup<'a>(pairs: &'a [(String, String)], name: &str, ignore_case: bool) -> Option<Values<'a>> {
    let mut hits = pairs
        .iter()
        .filter(|(k, _)| {
            if ignore_case {
                k.eq_ignore_ascii_case(name)
            } else {
                k == name
            }
        })
        .map(|(_, v)| Cow::Borrowed(v.as_str()));
    let first = hits.next()?;
    let rest: Vec<_> = hits.collect();
    if rest.is_empty() {
        return Some(Values::One(first));
    }
    let mut all = vec![first];
    all.extend(rest);
    Some(Values::Many(all))
}

impl Context for FakeContext {
    fn text(&self, field: TextField) -> Option<Cow<'_, str>> {
        self.texts.get(&field).map(|s| Cow::Borrowed(s.as_str()))
    }

    fn int(&self, field: IntField) -> i32 {
        match field {
            IntField::UrlPort(_) => self.port,
            IntField::ResponseStatusCode => self.status,
            IntField::CertVersion => 3,
        }
    }

    fn present(&self, object: Ns) -> bool {
        !self.absent.contains(&object)
    }

    fn header(&self, msg: Msg, name: &str) -> Option<Values<'_>> {
        let pairs = match msg {
            Msg::Request => &self.request_headers,
            Msg::Response => &self.response_headers,
        };
        lookup(pairs, name, true)
    }

    fn query(&self, url: UrlKind, name: &str) -> Option<Values<'_>> {
        let pairs = match url {
            UrlKind::Current => &self.query,
            UrlKind::Original => &self.original_query,
        };
        lookup(pairs, name, false)
    }

    fn matched_parameter(&self, name: &str) -> Option<Cow<'_, str>> {
        lookup(&self.matched, name, false).map(Values::joined)
    }

    fn variable(&self, name: &str) -> Option<Value<'_>> {
        self.variables.get(name).map(Value::borrowed)
    }

    fn set_variable(&mut self, name: &str, value: Value<'static>) {
        self.variables.insert(name.to_owned(), value);
    }

    fn timestamp(&self) -> DateTime {
        self.timestamp
    }

    fn elapsed(&self) -> TimeSpan {
        self.elapsed
    }

    fn now(&self) -> DateTime {
        self.now
    }

    fn certificate_date(&self, which: super::CertDate) -> DateTime {
        match which {
            super::CertDate::NotBefore => self.timestamp,
            super::CertDate::NotAfter => self.now,
        }
    }

    fn verify_certificate(&self) -> bool {
        self.texts.contains_key(&TextField::CertThumbprint)
    }

    fn body(&self, _msg: Msg, _preserve_content: bool) -> Result<Cow<'_, str>, String> {
        self.body
            .as_deref()
            .map(Cow::Borrowed)
            .ok_or_else(|| "no body in this fake context".to_owned())
    }
}
