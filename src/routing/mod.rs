//! Request routing with APIM's matching rules: host + API path prefix (on
//! segment boundaries, longest wins, host-specific beats host-less at equal
//! length), then `;rev=N`, then version (segment, header or query), then the
//! most specific operation.
//!
//! Invariants: the [`Router`] is immutable after [`Router::build`]; a lookup
//! probes one hash map per candidate segment boundary of the request path, so
//! its cost is O(path length), independent of the number of APIs; lookups
//! never allocate beyond the caller's reusable [`RouteScratch`] buffers;
//! request bytes are never decoded (percent-escapes match as written) and no
//! input can panic. API paths are matched byte-exactly (case-sensitive).

mod matcher;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::ops::Range;

use http::Method;

use crate::config::{Api, ConfigError, UrlTemplate, VersionScheme};
pub(crate) use matcher::query_value;
pub use matcher::Param;
use matcher::RouteOp;

/// Normalised API path → index into `Router::sets`.
type PathMap = HashMap<Box<[u8]>, usize>;

/// Immutable routing table; built by `crate::replica::compile`.
#[derive(Clone, Debug, Default)]
pub struct Router {
    /// Normalised API path → index into `sets`, for host-less APIs.
    any_host: PathMap,
    /// Lowercase host → (normalised API path → index into `sets`).
    by_host: HashMap<Box<[u8]>, PathMap>,
    sets: Vec<ApiSet>,
    /// Longest API path in bytes: no longer prefix is ever probed, which
    /// keeps hashing cost bounded for very long request paths.
    max_path: usize,
    /// Compiled operations, per API index.
    ops: Vec<Vec<RouteOp>>,
}

/// All revisions/versions sharing one (host or any, path).
#[derive(Clone, Debug, Default)]
struct ApiSet {
    scheme: Option<Scheme>,
    members: Vec<Member>,
}

#[derive(Clone, Debug)]
struct Member {
    version: Option<Box<[u8]>>,
    revision: u32,
    current: bool,
    api: usize,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Scheme {
    Segment,
    Header(Box<[u8]>),
    Query(Box<[u8]>),
}

/// The result of a successful lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RouteMatch {
    /// Index into `Replica::apis`.
    pub api: usize,
    /// Index into that API's `operations`.
    pub operation: usize,
    /// Where the backend-relative remainder starts in the request path bytes
    /// (after API path, version segment and `;rev=N`); may equal the length.
    pub remaining_start: usize,
}

/// Per-worker reusable buffers; create once, pass to every [`Router::route`].
#[derive(Clone, Debug, Default)]
pub struct RouteScratch {
    /// Template parameters of the last match: (parameter number, byte range
    /// into the path — or into the query when the flag is true, in-query).
    pub params: Vec<Param>,
    host: Vec<u8>,
}

impl RouteScratch {
    pub fn new() -> Self {
        Self::default()
    }

    /// The captured range of parameter `n` and whether it is in the query.
    pub fn param(&self, n: u16) -> Option<(Range<usize>, bool)> {
        self.params.iter().find(|p| p.0 == n).map(|p| (p.1.clone(), p.2))
    }
}

/// What the router needs from a request, all raw bytes.
pub struct RouteRequest<'a> {
    /// `Host` header value; a `:port` suffix is ignored.
    pub host: Option<&'a [u8]>,
    pub method: &'a Method,
    /// Raw, undecoded path (`""` is treated as `"/"`).
    pub path: &'a [u8],
    /// Raw query without the `?`.
    pub query: Option<&'a [u8]>,
    /// Header lookup by name as configured (the caller compares names
    /// case-insensitively); used for header versioning.
    pub header: &'a dyn Fn(&[u8]) -> Option<&'a [u8]>,
}

impl Router {
    /// Builds the table; `apis[i]` becomes API index `i`. Expects a validated
    /// configuration (duplicate revisions are not re-checked here).
    pub fn build(apis: &[Api]) -> Result<Router, ConfigError> {
        let mut r = Router::default();
        for (index, api) in apis.iter().enumerate() {
            let file = format!("apis/{}.toml", api.id);
            let mut ops = Vec::with_capacity(api.operations.len());
            for op in &api.operations {
                let field = format!("operations.{}", op.id);
                let err = |m: String| ConfigError::new(&file, Some(&field), m);
                let template = UrlTemplate::parse(&op.url_template).map_err(err)?;
                let method = match &op.method {
                    None => None,
                    Some(m) => Some(Method::from_bytes(m.as_bytes()).map_err(|e| err(e.to_string()))?),
                };
                let literals = template.literal_count();
                ops.push(RouteOp {
                    method,
                    template,
                    literals,
                });
            }
            r.ops.push(ops);
            let path: Box<[u8]> = api.path.as_bytes().into();
            r.max_path = r.max_path.max(path.len());
            let member = Member {
                version: api.version.as_ref().map(|v| v.name.as_bytes().into()),
                revision: api.revision,
                current: api.is_current,
                api: index,
            };
            let scheme = api.version.as_ref().map(|v| match &v.scheme {
                VersionScheme::Segment => Scheme::Segment,
                VersionScheme::Header(h) => Scheme::Header(h.as_bytes().into()),
                VersionScheme::Query(q) => Scheme::Query(q.as_bytes().into()),
            });
            if api.hostnames.is_empty() {
                let set = Self::set_for(&mut r.sets, &mut r.any_host, path);
                Self::add(&mut r.sets[set], member, scheme);
            } else {
                for host in &api.hostnames {
                    let map = r.by_host.entry(host.as_bytes().into()).or_default();
                    let set = Self::set_for(&mut r.sets, map, path.clone());
                    Self::add(&mut r.sets[set], member.clone(), scheme.clone());
                }
            }
        }
        Ok(r)
    }

    fn set_for(sets: &mut Vec<ApiSet>, map: &mut PathMap, path: Box<[u8]>) -> usize {
        *map.entry(path).or_insert_with(|| {
            sets.push(ApiSet::default());
            sets.len() - 1
        })
    }

    fn add(set: &mut ApiSet, member: Member, scheme: Option<Scheme>) {
        if set.scheme.is_none() {
            set.scheme = scheme;
        }
        set.members.push(member);
    }

    /// Finds the API and operation for a request, or `None` (answer 404).
    pub fn route(&self, req: &RouteRequest<'_>, scratch: &mut RouteScratch) -> Option<RouteMatch> {
        scratch.params.clear();
        let path = req.path;
        if path.first().is_some_and(|&b| b != b'/') {
            return None;
        }
        let body_start = path.len().min(1);
        let body = path.get(body_start..).unwrap_or_default();
        scratch.host.clear();
        if let Some(host) = req.host {
            scratch.host.extend(strip_port(host).iter().map(u8::to_ascii_lowercase));
        }
        let hosted = if scratch.host.is_empty() {
            None
        } else {
            self.by_host.get(scratch.host.as_slice())
        };
        let mut i = body.len().min(self.max_path);
        loop {
            let boundary = i == 0
                || i == body.len()
                || body.get(i) == Some(&b'/')
                || body.get(i..).is_some_and(|r| r.starts_with(b";rev="));
            if boundary {
                let prefix = body.get(..i).unwrap_or_default();
                let set = hosted.and_then(|m| m.get(prefix)).or_else(|| self.any_host.get(prefix));
                if let Some(&set) = set {
                    return self.resolve(set, req, body_start + i, scratch);
                }
            }
            if i == 0 {
                return None;
            }
            i -= 1;
        }
    }

    /// Revision, version and operation selection within one API set;
    /// `pos` is the path index right after the API path.
    fn resolve(
        &self,
        set: usize,
        req: &RouteRequest<'_>,
        mut pos: usize,
        scratch: &mut RouteScratch,
    ) -> Option<RouteMatch> {
        let set = self.sets.get(set)?;
        let path = req.path;
        let mut rev = parse_rev(path, &mut pos).ok()?;
        let version: Option<&[u8]> = match &set.scheme {
            None => None,
            Some(Scheme::Segment) => {
                let seg_start = pos + 1;
                let seg = segment_at(path, pos);
                let known = set
                    .members
                    .iter()
                    .find_map(|m| m.version.as_deref().filter(|v| Some(*v) == seg));
                if let Some(v) = known {
                    pos = seg_start + v.len();
                    if rev.is_none() {
                        rev = parse_rev(path, &mut pos).ok()?;
                    }
                }
                known
            }
            Some(Scheme::Header(name)) => {
                let value = (req.header)(&name[..])
                    .map(<[u8]>::trim_ascii)
                    .filter(|v| !v.is_empty());
                match value {
                    None => None,
                    Some(v) => Some(
                        set.members
                            .iter()
                            .find_map(|m| m.version.as_deref().filter(|mv| *mv == v))?,
                    ),
                }
            }
            Some(Scheme::Query(name)) => {
                let q = req.query.unwrap_or_default();
                let value = matcher::query_value(q, name)
                    .and_then(|r| q.get(r))
                    .filter(|v| !v.is_empty());
                match value {
                    None => None,
                    Some(v) => Some(
                        set.members
                            .iter()
                            .find_map(|m| m.version.as_deref().filter(|mv| *mv == v))?,
                    ),
                }
            }
        };
        let member = set.members.iter().find(|m| {
            m.version.as_deref() == version
                && match rev {
                    Some(n) => m.revision == n,
                    None => m.current,
                }
        })?;
        let ops = self.ops.get(member.api)?;
        let mut best: Option<(usize, (usize, bool, bool))> = None;
        for (i, op) in ops.iter().enumerate() {
            scratch.params.clear();
            if op.matches(req.method, path, pos, req.query, &mut scratch.params)
                && best.is_none_or(|(_, rank)| op.rank() > rank)
            {
                best = Some((i, op.rank()));
            }
        }
        scratch.params.clear();
        let (operation, _) = best?;
        let op = ops.get(operation)?;
        op.matches(req.method, path, pos, req.query, &mut scratch.params);
        Some(RouteMatch {
            api: member.api,
            operation,
            remaining_start: pos,
        })
    }
}

/// `host`, `host:port`, `[v6]`, `[v6]:port` → host part.
fn strip_port(host: &[u8]) -> &[u8] {
    if host.first() == Some(&b'[') {
        match host.iter().position(|&b| b == b']') {
            Some(i) => host.get(..=i).unwrap_or(host),
            None => host,
        }
    } else {
        match host.iter().position(|&b| b == b':') {
            Some(i) => host.get(..i).unwrap_or(host),
            None => host,
        }
    }
}

/// Consumes `;rev=N` at `pos`. `Ok(None)` when absent, `Err` when malformed.
fn parse_rev(path: &[u8], pos: &mut usize) -> Result<Option<u32>, ()> {
    let Some(rest) = path.get(*pos..).and_then(|r| r.strip_prefix(b";rev=")) else {
        return Ok(None);
    };
    let len = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
    let digits = rest.get(..len).unwrap_or_default();
    if digits.is_empty() || digits.len() > 9 || !digits.iter().all(u8::is_ascii_digit) {
        return Err(());
    }
    let n = digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
    *pos += 5 + len;
    Ok(Some(n))
}

/// The segment after the `/` at `pos`, ending at `/`, `;` or the end.
fn segment_at(path: &[u8], pos: usize) -> Option<&[u8]> {
    let rest = path.get(pos..)?.strip_prefix(b"/")?;
    let len = rest.iter().position(|&b| b == b'/' || b == b';').unwrap_or(rest.len());
    rest.get(..len)
}
