//! Syntax checks for single fields: ids, API paths, host names, methods,
//! header/query names, service URLs and the policy root element.
//!
//! Invariant: every function is pure, never panics on any input, and returns
//! a message (without file/field; the caller adds those) on failure.

/// `[A-Za-z0-9._-]+`
pub(crate) fn check_id(id: &str) -> Result<(), String> {
    if id.is_empty() {
        return Err("must not be empty".into());
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "invalid character {c:?} in {id:?} (allowed: A-Z a-z 0-9 . _ -)"
        ));
    }
    Ok(())
}

/// Characters allowed in an API path segment: RFC 3986 `pchar` minus `%`
/// (no escapes) and `;` (reserved for `;rev=N`).
fn is_path_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~!$&'()*+,=:@".contains(c)
}

/// Normalises an API path: strips leading/trailing `/`, checks segments.
pub(crate) fn normalise_api_path(path: &str) -> Result<String, String> {
    let trimmed = path.trim_matches('/');
    if trimmed.is_empty() {
        return Ok(String::new());
    }
    for seg in trimmed.split('/') {
        if seg.is_empty() {
            return Err(format!("empty segment in {path:?}"));
        }
        if let Some(c) = seg.chars().find(|&c| !is_path_char(c)) {
            return Err(format!("invalid character {c:?} in path {path:?}"));
        }
    }
    Ok(trimmed.to_owned())
}

/// A host name without port (DNS name, IPv4, or bracketed IPv6); lowercased.
pub(crate) fn normalise_hostname(host: &str) -> Result<String, String> {
    let ok = if let Some(inner) = host.strip_prefix('[') {
        inner
            .strip_suffix(']')
            .is_some_and(|v6| v6.parse::<std::net::Ipv6Addr>().is_ok())
    } else {
        !host.is_empty() && host.len() <= 253 && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
    };
    if ok {
        Ok(host.to_ascii_lowercase())
    } else {
        Err(format!("invalid host name {host:?} (no scheme, port or path)"))
    }
}

/// HTTP token (RFC 9110), used for header names, methods and query names.
pub(crate) fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `"*"` → `None`; otherwise an uppercase HTTP token.
pub(crate) fn parse_method(m: &str) -> Result<Option<String>, String> {
    if m == "*" {
        return Ok(None);
    }
    if !is_token(m) || m.bytes().any(|b| b.is_ascii_lowercase()) {
        return Err(format!(
            "invalid method {m:?} (an uppercase HTTP method such as GET, or \"*\")"
        ));
    }
    Ok(Some(m.to_owned()))
}

/// A parsed backend URL: `http://host[:port][/base]`, `https://…` or `echo://`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceUrl {
    Echo,
    Http {
        tls: bool,
        /// Lowercase; IPv6 without brackets.
        host: String,
        port: u16,
        /// No trailing `/`; `""` for root, else starts with `/`.
        base_path: String,
        /// `host` (bracketed for IPv6) plus `:port` unless the scheme default.
        host_header: String,
    },
}

impl ServiceUrl {
    pub fn parse(url: &str) -> Result<ServiceUrl, String> {
        let err = |why: &str| Err(format!("invalid service URL {url:?}: {why}"));
        let Some((scheme, rest)) = url.split_once("://") else {
            return err("expected scheme://host");
        };
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "echo" if rest.is_empty() || rest == "/" => return Ok(ServiceUrl::Echo),
            "echo" => return err("echo:// takes no host or path"),
            "http" => false,
            "https" => true,
            _ => return err("scheme must be http, https or echo"),
        };
        if rest.contains(['?', '#', '@', ' ', '\\']) {
            return err("query, fragment, user info, spaces and '\\' are not allowed");
        }
        let (authority, path) = match rest.find('/') {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        let (host_part, port_part) = if let Some(after) = authority.strip_prefix('[') {
            let Some((v6, tail)) = after.split_once(']') else {
                return err("unterminated IPv6 literal");
            };
            if v6.parse::<std::net::Ipv6Addr>().is_err() {
                return err("bad IPv6 literal");
            }
            match tail {
                "" => (v6, None),
                t => match t.strip_prefix(':') {
                    Some(p) => (v6, Some(p)),
                    None => return err("garbage after IPv6 literal"),
                },
            }
        } else {
            match authority.split_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host_part.is_empty() {
            return err("host must not be empty");
        }
        let v6 = authority.starts_with('[');
        if !v6 && normalise_hostname(host_part).is_err() {
            return err("bad host");
        }
        let default_port = if tls { 443 } else { 80 };
        let port = match port_part {
            None => default_port,
            Some(p) => match p.parse::<u16>() {
                Ok(n) if n > 0 && p.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return err("port must be 1-65535"),
            },
        };
        let host = host_part.to_ascii_lowercase();
        let bracketed = if v6 { format!("[{host}]") } else { host.clone() };
        let host_header = if port == default_port {
            bracketed
        } else {
            format!("{bracketed}:{port}")
        };
        let base_path = path.trim_end_matches('/').to_owned();
        if base_path.contains("//") {
            return err("empty path segment");
        }
        Ok(ServiceUrl::Http {
            tls,
            host,
            port,
            base_path,
            host_header,
        })
    }
}

/// Checks a policy document's root element is `<policies>`, skipping a BOM,
/// whitespace, an XML declaration and comments.
pub(crate) fn check_policy_root(xml: &str) -> Result<(), String> {
    let mut rest = xml.trim_start_matches('\u{feff}').trim_start();
    if rest.is_empty() {
        return Err("policy document is empty".into());
    }
    loop {
        if let Some(r) = rest.strip_prefix("<?") {
            match r.find("?>") {
                Some(i) => rest = r[i + 2..].trim_start(),
                None => return Err("unterminated XML declaration".into()),
            }
        } else if let Some(r) = rest.strip_prefix("<!--") {
            match r.find("-->") {
                Some(i) => rest = r[i + 3..].trim_start(),
                None => return Err("unterminated XML comment".into()),
            }
        } else {
            break;
        }
    }
    let root_ok = rest
        .strip_prefix("<policies")
        .and_then(|r| r.chars().next())
        .is_some_and(|c| c == '>' || c == '/' || c.is_whitespace());
    if root_ok {
        Ok(())
    } else {
        Err("root element must be <policies>".into())
    }
}
