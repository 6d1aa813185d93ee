//! Operation matching: one compiled operation (method + URL template) against
//! the backend-relative remainder of a raw request path and the raw query.
//!
//! Invariants: never allocates except by pushing into the caller's reusable
//! `params` vector; never decodes (percent-escapes are compared as written);
//! never panics on any byte input (all slicing uses ranges produced by the
//! splitters below, which stay within bounds).

use std::ops::Range;

use http::Method;

use crate::config::{TemplateSegment, UrlTemplate};

/// (parameter number, byte range into path or query, range is in the query).
pub type Param = (u16, Range<usize>, bool);

#[derive(Clone, Debug)]
pub(super) struct RouteOp {
    /// `None`: any method.
    pub method: Option<Method>,
    pub template: UrlTemplate,
    pub literals: usize,
}

impl RouteOp {
    /// Ranking key: more literal segments first, then non-wildcard, then an
    /// exact method over "any" (declaration order breaks remaining ties).
    pub fn rank(&self) -> (usize, bool, bool) {
        (self.literals, !self.template.wildcard, self.method.is_some())
    }

    /// Matches `path[start..]` (`""` is treated as `"/"`) and the query,
    /// pushing captured parameters onto `params`.
    pub fn matches(
        &self,
        method: &Method,
        path: &[u8],
        start: usize,
        query: Option<&[u8]>,
        params: &mut Vec<Param>,
    ) -> bool {
        if self.method.as_ref().is_some_and(|m| m != method) {
            return false;
        }
        let mut segs = Segments::new(path, start);
        for seg in &self.template.segments {
            let Some(r) = segs.next() else {
                return false;
            };
            let bytes = path.get(r.clone()).unwrap_or_default();
            match seg {
                TemplateSegment::Literal(lit) if bytes != lit.as_bytes() => return false,
                TemplateSegment::Literal(_) => {}
                TemplateSegment::Param(_) if bytes.is_empty() => return false,
                TemplateSegment::Param(n) => params.push((*n, r, false)),
            }
        }
        if !self.template.wildcard {
            match segs.next() {
                None => {}
                // One trailing slash is tolerated.
                Some(r) if r.is_empty() && segs.next().is_none() => {}
                Some(_) => return false,
            }
        }
        for (name, n) in &self.template.query {
            match query.and_then(|q| query_value(q, name.as_bytes())) {
                Some(r) => params.push((*n, r, true)),
                None => return false,
            }
        }
        true
    }
}

/// Splits `path[start..]` (after its leading `/`) into segment ranges.
struct Segments<'a> {
    path: &'a [u8],
    pos: usize,
    done: bool,
}

impl<'a> Segments<'a> {
    fn new(path: &'a [u8], start: usize) -> Self {
        let start = start.min(path.len());
        let done = start == path.len();
        let pos = if path.get(start) == Some(&b'/') {
            start + 1
        } else {
            start
        };
        Segments { path, pos, done }
    }
}

impl Iterator for Segments<'_> {
    type Item = Range<usize>;

    fn next(&mut self) -> Option<Range<usize>> {
        if self.done {
            return None;
        }
        let rest = self.path.get(self.pos..).unwrap_or_default();
        match rest.iter().position(|&b| b == b'/') {
            Some(i) => {
                let r = self.pos..self.pos + i;
                self.pos += i + 1;
                Some(r)
            }
            None => {
                self.done = true;
                Some(self.pos..self.path.len())
            }
        }
    }
}

/// Range of the raw value of the first `name` parameter in `query`
/// (empty range for `name` or `name=`).
pub(crate) fn query_value(query: &[u8], name: &[u8]) -> Option<Range<usize>> {
    let mut pos = 0;
    for pair in query.split(|&b| b == b'&') {
        let start = pos;
        pos += pair.len() + 1;
        let (key, value_start) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (pair.get(..i).unwrap_or_default(), start + i + 1),
            None => (pair, start + pair.len()),
        };
        if key == name {
            return Some(value_start..start + pair.len());
        }
    }
    None
}
