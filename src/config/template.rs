//! Operation URL templates (`/users/{id}`, `/files/*`, `/search?q={q}`).
//!
//! Owns parsing and validation. Invariants of a parsed [`UrlTemplate`]:
//! literal segments are non-empty and contain no `{`, `}`, `*`, `?`, `#`,
//! whitespace or control characters; `*` appears only as the whole last
//! segment (`wildcard`); parameter names are unique across path and query and
//! are numbered in order of appearance (`params[i]` is parameter `i`).

/// One path segment of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateSegment {
    /// Compared byte-exactly against the raw (undecoded) request segment.
    Literal(String),
    /// Matches one non-empty segment; the value is parameter number `.0`.
    Param(u16),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlTemplate {
    pub segments: Vec<TemplateSegment>,
    /// Trailing `/*`: matches any rest, including nothing.
    pub wildcard: bool,
    /// Required query parameters: (query name, parameter number).
    pub query: Vec<(String, u16)>,
    /// Parameter names by number.
    pub params: Vec<String>,
}

fn is_param_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn is_literal_char(c: char) -> bool {
    c.is_ascii_graphic() && !matches!(c, '{' | '}' | '*' | '?' | '#' | '/')
}

impl UrlTemplate {
    pub fn parse(template: &str) -> Result<UrlTemplate, String> {
        let Some(body) = template.strip_prefix('/') else {
            return Err(format!("template {template:?} must begin with '/'"));
        };
        let (path, query) = match body.split_once('?') {
            Some((p, q)) => (p, Some(q)),
            None => (body, None),
        };
        let mut t = UrlTemplate {
            segments: Vec::new(),
            wildcard: false,
            query: Vec::new(),
            params: Vec::new(),
        };
        let path = path.strip_suffix('/').unwrap_or(path);
        if !path.is_empty() {
            let count = path.split('/').count();
            for (i, seg) in path.split('/').enumerate() {
                if seg == "*" {
                    if i + 1 != count {
                        return Err(format!("'*' must be the last segment in {template:?}"));
                    }
                    t.wildcard = true;
                } else if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    let n = t.add_param(name, template)?;
                    t.segments.push(TemplateSegment::Param(n));
                } else if seg.is_empty() {
                    return Err(format!("empty segment in {template:?}"));
                } else if let Some(c) = seg.chars().find(|&c| !is_literal_char(c)) {
                    return Err(format!(
                        "invalid character {c:?} in segment {seg:?} of {template:?} \
                         (parameters must be a whole segment: {{name}})"
                    ));
                } else {
                    t.segments.push(TemplateSegment::Literal(seg.to_owned()));
                }
            }
        }
        if let Some(query) = query {
            for pair in query.split('&') {
                let param = pair.split_once('=').and_then(|(name, value)| {
                    let p = value.strip_prefix('{')?.strip_suffix('}')?;
                    let name_ok = !name.is_empty() && name.chars().all(is_literal_char);
                    name_ok.then_some((name, p))
                });
                let Some((name, p)) = param else {
                    return Err(format!("query part {pair:?} of {template:?} must be name={{param}}"));
                };
                let n = t.add_param(p, template)?;
                t.query.push((name.to_owned(), n));
            }
        }
        Ok(t)
    }

    fn add_param(&mut self, name: &str, template: &str) -> Result<u16, String> {
        if !is_param_name(name) {
            return Err(format!(
                "bad parameter name {name:?} in {template:?} (allowed: A-Z a-z 0-9 _ - .)"
            ));
        }
        if self.params.iter().any(|p| p == name) {
            return Err(format!("duplicate parameter {name:?} in {template:?}"));
        }
        let n = u16::try_from(self.params.len()).map_err(|_| format!("too many parameters in {template:?}"))?;
        self.params.push(name.to_owned());
        Ok(n)
    }

    /// Number of literal path segments (used to rank competing matches).
    pub fn literal_count(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, TemplateSegment::Literal(_)))
            .count()
    }
}
