//! Schema migrations.
//!
//! Invariants: `MIGRATIONS[i]` brings the schema from version `i` to `i + 1`;
//! entries are append-only (never edit a shipped one). [`apply`] runs every
//! pending migration in one `BEGIN IMMEDIATE` transaction per step and records
//! it in `schema_version`, so applying twice (or from two processes) is a no-op.

use rusqlite::{Connection, TransactionBehavior};

const V1: &str = r#"
CREATE TABLE config_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);
INSERT INTO config_version (id, version) VALUES (1, 0);
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE apis (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT, path TEXT NOT NULL,
    service_url TEXT NOT NULL, hostnames TEXT NOT NULL, protocols TEXT NOT NULL,
    subscription_required INTEGER NOT NULL, key_header TEXT, key_query TEXT,
    revision INTEGER NOT NULL, is_current INTEGER NOT NULL,
    version_name TEXT, version_scheme TEXT, version_header TEXT, version_query TEXT);
CREATE TABLE operations (
    api_id TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE, id TEXT NOT NULL,
    display_name TEXT NOT NULL, method TEXT NOT NULL, url_template TEXT NOT NULL,
    position INTEGER NOT NULL, PRIMARY KEY (api_id, id));
CREATE TABLE policies (scope TEXT PRIMARY KEY, xml TEXT NOT NULL);
CREATE TABLE products (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, description TEXT,
    subscription_required INTEGER NOT NULL, approval_required INTEGER NOT NULL, state TEXT NOT NULL);
CREATE TABLE product_apis (
    product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    api_id TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE, PRIMARY KEY (product_id, api_id));
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY, display_name TEXT NOT NULL, scope TEXT NOT NULL,
    primary_key TEXT NOT NULL, secondary_key TEXT NOT NULL, state TEXT NOT NULL);
CREATE TABLE named_values (name TEXT PRIMARY KEY, value TEXT NOT NULL, secret INTEGER NOT NULL);
CREATE TABLE backends (id TEXT PRIMARY KEY, url TEXT NOT NULL, description TEXT);
CREATE TABLE certificates (id TEXT PRIMARY KEY, pem TEXT NOT NULL);
CREATE TABLE gateways (
    id TEXT PRIMARY KEY, description TEXT, primary_key TEXT NOT NULL, secondary_key TEXT NOT NULL,
    hostname_configurations TEXT NOT NULL);
CREATE TABLE gateway_apis (
    gateway_id TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
    api_id TEXT NOT NULL REFERENCES apis(id) ON DELETE CASCADE, PRIMARY KEY (gateway_id, api_id));
CREATE TABLE gateway_instances (
    gateway_id TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE, instance_id TEXT NOT NULL,
    hostname TEXT, version TEXT, uptime_secs INTEGER, applied_version INTEGER,
    last_heartbeat INTEGER NOT NULL, counters TEXT, last_error TEXT, token_expiry TEXT,
    PRIMARY KEY (gateway_id, instance_id));
"#;

/// Policy fragments (`<fragment>` documents included by id).
const V2: &str = r#"
CREATE TABLE policy_fragments (id TEXT PRIMARY KEY, description TEXT, xml TEXT NOT NULL);
"#;

/// Gateway certificate authorities (APIM's `gateways/{g}/certificateAuthorities`).
/// A certificate assigned as a CA cannot be deleted (no cascade: the REST
/// handler answers 409 first).
const V3: &str = r#"
CREATE TABLE gateway_certificate_authorities (
    gateway_id TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
    certificate_id TEXT NOT NULL REFERENCES certificates(id),
    is_trusted INTEGER NOT NULL, PRIMARY KEY (gateway_id, certificate_id));
"#;

/// An API's OpenAPI document (stored by the import, as JSON), the schema
/// the validation policies check against.
const V4: &str = r#"
CREATE TABLE api_schemas (
    api_id TEXT PRIMARY KEY REFERENCES apis(id) ON DELETE CASCADE,
    document TEXT NOT NULL);
"#;

/// The audit log: one row per committed `/mgmt` write (who, when, which
/// resource, the configuration version before and after). Never a request
/// body, a query string or a credential: only the fields below.
const V5: &str = r#"
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
    actor_kind TEXT NOT NULL, actor TEXT NOT NULL, role TEXT NOT NULL,
    method TEXT NOT NULL, resource TEXT NOT NULL,
    old_version INTEGER NOT NULL, new_version INTEGER NOT NULL);
CREATE INDEX audit_log_resource ON audit_log (resource);
"#;

/// OAuth2 application identities allowed to configure a gateway (APIM's
/// Entra application form of gateway authentication), and the identity
/// each gateway instance authenticated with at its last heartbeat.
const V6: &str = r#"
CREATE TABLE gateway_identities (
    gateway_id TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
    client_id TEXT NOT NULL, description TEXT, created INTEGER NOT NULL,
    PRIMARY KEY (gateway_id, client_id));
CREATE INDEX gateway_identities_client ON gateway_identities (client_id);
ALTER TABLE gateway_instances ADD COLUMN identity TEXT;
"#;

/// Request metrics from the gateways' heartbeats (`mgmt::metrics`): one row
/// per (gateway, minute, API id, response-code class), summed over the
/// gateway's instances; `minute` is Unix seconds (a multiple of 60); the
/// duration histogram is on APIM's default bounds (`d0`…`d11`, the last
/// above 10,000 ms; REAL because another layout is spread onto it). Each
/// instance remembers the last metrics batch it applied (`metrics_seq`),
/// so a batch sent again after a lost acknowledgement counts once.
const V7: &str = r#"
CREATE TABLE request_metrics (
    gateway_id TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
    minute INTEGER NOT NULL, api_id TEXT NOT NULL, class TEXT NOT NULL,
    requests INTEGER NOT NULL, errors INTEGER NOT NULL,
    duration_sum REAL NOT NULL, duration_min REAL NOT NULL, duration_max REAL NOT NULL,
    backend_sum REAL NOT NULL,
    d0 REAL NOT NULL, d1 REAL NOT NULL, d2 REAL NOT NULL, d3 REAL NOT NULL,
    d4 REAL NOT NULL, d5 REAL NOT NULL, d6 REAL NOT NULL, d7 REAL NOT NULL,
    d8 REAL NOT NULL, d9 REAL NOT NULL, d10 REAL NOT NULL, d11 REAL NOT NULL,
    PRIMARY KEY (gateway_id, minute, api_id, class)) WITHOUT ROWID;
CREATE INDEX request_metrics_api ON request_metrics (api_id, minute);
CREATE INDEX request_metrics_minute ON request_metrics (minute);
ALTER TABLE gateway_instances ADD COLUMN metrics_seq INTEGER NOT NULL DEFAULT 0;
"#;

/// Append-only list of migrations.
pub const MIGRATIONS: &[&str] = &[V1, V2, V3, V4, V5, V6, V7];

/// Current schema version of `conn` (0 for an empty database).
pub fn schema_version(conn: &Connection) -> rusqlite::Result<usize> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let v: i64 = conn.query_row("SELECT COALESCE(MAX(version), 0) FROM schema_version", [], |r| r.get(0))?;
    Ok(v as usize)
}

/// Applies every pending migration; returns the resulting schema version.
pub fn apply(conn: &mut Connection) -> rusqlite::Result<usize> {
    schema_version(conn)?;
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = schema_version(&tx)?;
        let Some(sql) = MIGRATIONS.get(current) else {
            tx.commit()?;
            return Ok(current);
        };
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [(current + 1) as i64],
        )?;
        tx.commit()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_idempotent() {
        let mut conn = Connection::open_in_memory().unwrap();
        assert_eq!(apply(&mut conn).unwrap(), MIGRATIONS.len());
        assert_eq!(apply(&mut conn).unwrap(), MIGRATIONS.len());
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows as usize, MIGRATIONS.len());
        let v: i64 = conn
            .query_row("SELECT version FROM config_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v, 0);
    }
}
