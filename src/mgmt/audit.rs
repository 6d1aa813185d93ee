//! The audit log: every committed `/mgmt` write is recorded in the same
//! transaction as the write itself (see [`super::store::Store::audited`]),
//! and read back at `GET /mgmt/audit`.
//!
//! Invariants: an entry holds only who (actor kind, actor name, role), when
//! (Unix seconds), what (method and resource path under `/mgmt`, without
//! its query) and the configuration version before and after; never a
//! request body, a query string or a credential, so no secret can reach it.
//! A write that fails rolls back with its entry. Entries are never changed
//! or deleted through the API.

use rusqlite::{params, Connection};
use serde::Serialize;

use super::principal::Principal;
use super::{bad, tokens, MgmtError};

/// Default and largest page size of `GET /mgmt/audit`.
pub const DEFAULT_PAGE: u64 = 100;
pub const MAX_PAGE: u64 = 1000;

/// What the store records for each write of one request.
#[derive(Clone, Debug)]
pub struct AuditContext {
    pub principal: Principal,
    pub method: String,
    /// The resource path under `/mgmt`, e.g. `/apis/echo` (no query).
    pub resource: String,
}

/// A row of `GET /mgmt/audit`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub id: i64,
    /// RFC 3339 UTC.
    pub time: String,
    /// `adminToken` or `oauth2`.
    pub actor_kind: String,
    /// `admin-token`, or the OAuth2 token's subject (or client id).
    pub actor: String,
    pub role: String,
    pub method: String,
    pub resource: String,
    pub old_version: u64,
    pub new_version: u64,
}

/// Records one committed write (called inside the write's transaction).
pub fn record(c: &Connection, ctx: &AuditContext, new_version: u64) -> Result<(), MgmtError> {
    c.execute(
        "INSERT INTO audit_log (at, actor_kind, actor, role, method, resource, old_version, new_version)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            tokens::now_unix(),
            ctx.principal.kind.as_str(),
            ctx.principal.id,
            ctx.principal.role.as_str(),
            ctx.method,
            ctx.resource,
            new_version.saturating_sub(1) as i64,
            new_version as i64,
        ],
    )?;
    Ok(())
}

/// Which entries `GET /mgmt/audit` returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// This resource and everything under it (`/apis/echo` matches
    /// `/apis/echo/operations/get`, not `/apis/echo2`).
    pub resource: Option<String>,
    pub actor: Option<String>,
    pub top: u64,
    pub skip: u64,
}

impl Query {
    /// From `resource`, `actor`, `$top` (or `top`) and `$skip` (or `skip`).
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Query, MgmtError> {
        let num = |names: [&str; 2], default: u64| -> Result<u64, MgmtError> {
            match names.iter().find_map(|n| get(n)) {
                None => Ok(default),
                Some(v) => v
                    .parse::<u64>()
                    .map_err(|_| bad(format!("{}: expected a non-negative integer, got '{v}'", names[0]))),
            }
        };
        let top = num(["$top", "top"], DEFAULT_PAGE)?;
        if top == 0 || top > MAX_PAGE {
            return Err(bad(format!("$top must be 1-{MAX_PAGE}")));
        }
        let resource = get("resource").map(|r| {
            let r = r.trim_end_matches('/');
            let r = r.strip_prefix("/mgmt").unwrap_or(r);
            if r.starts_with('/') {
                r.to_string()
            } else {
                format!("/{r}")
            }
        });
        Ok(Query {
            resource,
            actor: get("actor"),
            top,
            skip: num(["$skip", "skip"], 0)?.min(i64::MAX as u64),
        })
    }
}

/// One page, newest first, and whether more entries follow.
pub fn list(c: &Connection, q: &Query) -> Result<(Vec<AuditEntry>, bool), MgmtError> {
    let prefix = q.resource.as_ref().map(|r| format!("{}/", escape_like(r)));
    let mut stmt = c.prepare(
        "SELECT id, at, actor_kind, actor, role, method, resource, old_version, new_version FROM audit_log
         WHERE (?1 IS NULL OR resource = ?1 OR resource LIKE ?2 ESCAPE '\\')
           AND (?3 IS NULL OR actor = ?3)
         ORDER BY id DESC LIMIT ?4 OFFSET ?5",
    )?;
    let rows = stmt.query_map(
        params![
            q.resource,
            prefix.map(|p| format!("{p}%")),
            q.actor,
            (q.top + 1) as i64,
            q.skip as i64
        ],
        |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                time: tokens::format_iso(r.get(1)?),
                actor_kind: r.get(2)?,
                actor: r.get(3)?,
                role: r.get(4)?,
                method: r.get(5)?,
                resource: r.get(6)?,
                old_version: r.get::<_, i64>(7)?.max(0) as u64,
                new_version: r.get::<_, i64>(8)?.max(0) as u64,
            })
        },
    )?;
    let mut out: Vec<AuditEntry> = rows.collect::<Result<_, _>>()?;
    let more = out.len() as u64 > q.top;
    out.truncate(q.top as usize);
    Ok((out, more))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mgmt::principal::{ActorKind, Role};
    use crate::mgmt::store::{temp_dir, Store};

    fn ctx(who: &str, resource: &str) -> AuditContext {
        AuditContext {
            principal: Principal {
                kind: ActorKind::OAuth,
                id: who.into(),
                role: Role::Contributor,
            },
            method: "PUT".into(),
            resource: resource.into(),
        }
    }

    fn query(kv: &[(&str, &str)]) -> Result<Query, MgmtError> {
        Query::parse(|n| kv.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn writes_are_recorded_with_versions_and_filtered_by_resource() {
        let store = Store::open(&temp_dir("audit")).unwrap();
        let put = |s: &Store, name: &str| {
            s.write_config(|c| {
                c.execute(
                    "INSERT INTO named_values (name, value, secret) VALUES (?1, 'v', 1)",
                    [name],
                )?;
                Ok(())
            })
        };
        put(&store, "unaudited").unwrap();
        put(&store.audited(ctx("alice", "/apis/echo")), "a").unwrap();
        put(&store.audited(ctx("bob", "/apis/echo/operations/get")), "b").unwrap();
        put(&store.audited(ctx("alice", "/apis/echo2")), "c").unwrap();
        put(&store.audited(ctx("alice", "/apis/x_y")), "d").unwrap();
        // A failed write leaves no entry.
        assert!(put(&store.audited(ctx("mallory", "/apis/echo")), "a").is_err());
        let all = store.read(|c| list(c, &query(&[])?)).unwrap().0;
        assert_eq!(all.len(), 4);
        assert_eq!((all[3].old_version, all[3].new_version), (1, 2));
        assert_eq!(all[3].actor, "alice");
        assert_eq!(all[0].resource, "/apis/x_y");
        let echo = store
            .read(|c| list(c, &query(&[("resource", "apis/echo")])?))
            .unwrap()
            .0;
        let names: Vec<_> = echo.iter().map(|e| e.resource.as_str()).collect();
        assert_eq!(names, ["/apis/echo/operations/get", "/apis/echo"]);
        // LIKE wildcards in the filter are literal.
        let lit = store.read(|c| list(c, &query(&[("resource", "/apis/x%")])?)).unwrap().0;
        assert!(lit.is_empty());
        let bob = store.read(|c| list(c, &query(&[("actor", "bob")])?)).unwrap().0;
        assert_eq!(bob.len(), 1);
        let (page, more) = store
            .read(|c| list(c, &query(&[("$top", "3"), ("$skip", "0")])?))
            .unwrap();
        assert!(more && page.len() == 3);
        let (page, more) = store
            .read(|c| list(c, &query(&[("$top", "3"), ("$skip", "3")])?))
            .unwrap();
        assert!(!more && page.len() == 1);
        assert!(query(&[("$top", "0")]).is_err());
        assert!(query(&[("$top", "5000")]).is_err());
        assert!(query(&[("$skip", "-1")]).is_err());
    }
}
