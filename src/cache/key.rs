//! Cache keys. A response key names the API (and revision), the operation,
//! the `vary-by-*` values and the request path, the parts APIM's keys are
//! made of; a value key is the `key` attribute's text. The two live in
//! separate namespaces of one store (a value key never equals a response
//! key).
//!
//! Invariant: the encoding is injective: every part is written as a tag,
//! its length and its bytes, and an absent part differs from an empty
//! one, so two different requests never build the same key whatever their
//! header or parameter values contain.

use std::fmt::Write;

/// The key of a `cache-store-value` / `cache-lookup-value` entry.
pub fn value_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 2);
    out.push_str("v:");
    out.push_str(key);
    out
}

/// A response key being built (parts in a fixed order: the policy adds
/// them in its compiled order).
#[derive(Clone, Debug)]
pub struct ResponseKey(String);

impl ResponseKey {
    /// Starts the key of an operation of an API revision.
    pub fn new(api: &str, revision: &str, operation: &str) -> Self {
        let mut k = ResponseKey(String::with_capacity(128));
        k.0.push_str("r:");
        k.part('a', Some(api));
        k.part('r', Some(revision));
        k.part('o', Some(operation));
        k
    }

    /// `vary-by-developer`: the developer's identity (`None`: anonymous).
    pub fn developer(&mut self, id: Option<&str>) {
        self.part('d', id);
    }

    /// `vary-by-developer-groups`: the groups' identity.
    pub fn groups(&mut self, id: Option<&str>) {
        self.part('g', id);
    }

    /// `vary-by-header`: the header's name (case-insensitive) and its
    /// values, comma-joined (`None`: absent).
    pub fn header(&mut self, name: &str, value: Option<&str>) {
        self.part('h', Some(&name.to_ascii_lowercase()));
        self.part('=', value);
    }

    /// `vary-by-query-parameter`: the parameter's name and its values as
    /// received, in order (`None`: absent).
    pub fn query(&mut self, name: &str, values: Option<&str>) {
        self.part('q', Some(name));
        self.part('=', values);
    }

    /// Ends the key with the request path (as received, without query).
    pub fn finish(mut self, path: &str) -> String {
        self.part('p', Some(path));
        self.0
    }

    fn part(&mut self, tag: char, value: Option<&str>) {
        self.0.push(tag);
        match value {
            None => self.0.push('-'),
            Some(v) => {
                let _ = write!(self.0, "{}:", v.len());
                self.0.push_str(v);
            }
        }
    }
}

/// The values of query parameter `name` in a raw query string, in order,
/// comma-joined (`None` when absent). Names compare exactly, as written.
pub fn query_values(query: &str, name: &str) -> Option<String> {
    let mut out: Option<String> = None;
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
        if n == name {
            match &mut out {
                Some(s) => {
                    s.push(',');
                    s.push_str(v);
                }
                None => out = Some(v.to_owned()),
            }
        }
    }
    out
}

/// The `;`-separated names of a `vary-by-query-parameter` element.
pub fn split_names(list: &str) -> impl Iterator<Item = &str> {
    list.split(';').map(str::trim).filter(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(f: impl FnOnce(&mut ResponseKey)) -> String {
        let mut k = ResponseKey::new("api", "1", "op");
        f(&mut k);
        k.finish("/p")
    }

    #[test]
    fn parts_cannot_be_confused() {
        let a = key(|k| k.header("x", Some("1p1:/")));
        let b = key(|k| k.header("x", Some("1")));
        assert_ne!(a, b);
        assert_ne!(key(|k| k.header("x", None)), key(|k| k.header("x", Some(""))));
        assert_ne!(key(|k| k.developer(Some("a"))), key(|k| k.groups(Some("a"))));
        assert_ne!(
            ResponseKey::new("a:b", "1", "o").finish("/"),
            ResponseKey::new("a", "b:1", "o").finish("/")
        );
        assert_ne!(value_key("r:a"), ResponseKey::new("", "", "").finish(""));
    }

    #[test]
    fn header_names_are_case_insensitive() {
        assert_eq!(
            key(|k| k.header("Accept", Some("json"))),
            key(|k| k.header("accept", Some("json")))
        );
        assert_ne!(
            key(|k| k.header("Accept", Some("json"))),
            key(|k| k.header("Accept", Some("JSON")))
        );
    }

    #[test]
    fn query_values_in_order() {
        assert_eq!(query_values("a=1&b=2&a=3", "a").as_deref(), Some("1,3"));
        assert_eq!(query_values("a&b=2", "a").as_deref(), Some(""));
        assert_eq!(query_values("ab=1", "a"), None);
        assert_eq!(query_values("", "a"), None);
        assert_eq!(query_values("A=1", "a"), None);
    }

    #[test]
    fn names_split_on_semicolons() {
        assert_eq!(split_names(" a ; b;;c ").collect::<Vec<_>>(), ["a", "b", "c"]);
        assert_eq!(split_names(" ; ").count(), 0);
    }
}
