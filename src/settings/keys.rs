//! The key names: every key we implement with its `--help` line
//! ([`KEYS`]), the APIM keys reserved for later and the informational ones
//! APIM's deployment artifacts set, and how environment variable names
//! map to keys.
//!
//! Invariant: [`KEYS`] lists exactly the keys the group modules (`net`,
//! `runtime`, `telemetry`, `config`, `policy`, `certificates`, `mgmt`) apply, so every applied key
//! is documented in `--help` and reachable from the environment (checked
//! by a test in `settings`).

/// Keys APIM defines that later issues implement; accepted with a warning.
pub(super) const RESERVED_APIM_KEYS: &[&str] = &[];

/// Keys APIM's deployment artifacts set to describe themselves (portal
/// env files, YAML and Helm): informational, accepted and ignored.
const APIM_INFORMATIONAL_PREFIXES: &[&str] = &["runtime.deployment."];

/// Every key we implement, with a one-line description (used by `--help`
/// and to match `OUTPOST_*` environment variables).
pub const KEYS: &[(&str, &str)] = &[
    ("net.server.http.address", "IP address of the HTTP listener (0.0.0.0)"),
    ("net.server.http.port", "HTTP listener port (8080; 0 = ephemeral)"),
    ("net.server.https.port", "HTTPS listener port (8081; 0 = ephemeral)"),
    (
        "net.server.tls.ciphers.allowed-suites",
        "client-side TLS suites, comma-separated IANA names (all implemented)",
    ),
    (
        "net.client.tls.ciphers.allowed-suites",
        "backend-side TLS suites, comma-separated IANA names (all implemented)",
    ),
    (
        "net.server.http.forwarded.proto.enabled",
        "trust the client's X-Forwarded-Proto (false)",
    ),
    (
        "config.service.endpoint.disableCertificateValidation",
        "skip verifying the management plane's certificate; testing only (false)",
    ),
    ("runtime.workers", "worker threads (0 = usable CPUs)"),
    ("runtime.driver", "auto | io_uring | epoll"),
    ("net.server.http.head.timeout", "time to receive a request head (10s)"),
    ("net.server.http.keepalive.timeout", "idle keep-alive timeout (75s)"),
    ("net.server.http.keepalive.buffer-hold", "how long an idle keep-alive connection keeps its read buffer (0s)"),
    (
        "net.server.http.body.timeout",
        "max gap between request body reads (60s)",
    ),
    ("net.server.http.head.max-bytes", "request head limit, 431 (32768)"),
    ("net.server.http.uri.max-bytes", "request-target limit, 414 (8192)"),
    ("net.server.http.headers.max-count", "header count limit, 431 (100)"),
    ("net.server.http.body.max-bytes", "request body limit, 413 (0 = none)"),
    (
        "net.server.http.lingering.timeout",
        "time to discard unread request bytes before closing (5s)",
    ),
    (
        "net.server.http.lingering.max-bytes",
        "unread request bytes discarded before closing (1048576)",
    ),
    ("net.client.connect.timeout", "backend connect timeout, 504 (5s)"),
    ("net.client.response.timeout", "backend response timeout, 504 (300s)"),
    (
        "net.client.pool.max-idle",
        "idle connections kept per backend per worker (64)",
    ),
    ("net.client.pool.idle.timeout", "idle backend connection lifetime (60s)"),
    ("runtime.shutdown.grace", "SIGTERM drain period (30s)"),
    ("telemetry.logs.std.color", "ANSI colours in text logs on a terminal (true)"),
    (
        "telemetry.logs.local",
        "request-log sink: none | auto | localsyslog | rfc5424 | journal | json (auto = none)",
    ),
    ("telemetry.logs.local.localsyslog.endpoint", "syslog socket path, e.g. /dev/log"),
    ("telemetry.logs.local.localsyslog.facility", "syslog facility code 0..23 (16)"),
    (
        "telemetry.logs.local.rfc5424.endpoint",
        "RFC 5424 syslog: udp://host:port, tcp://host:port or a socket path",
    ),
    ("telemetry.logs.local.rfc5424.facility", "syslog facility code 0..23 (16)"),
    (
        "telemetry.logs.local.journal.endpoint",
        "systemd journal socket (/run/systemd/journal/socket)",
    ),
    (
        "telemetry.logs.local.json.endpoint",
        "JSON request-log datagrams: host:port (UDP) or a file path (127.0.0.1:8888)",
    ),
    ("telemetry.metrics.local", "local metrics: none | statsd | prometheus (none)"),
    ("telemetry.metrics.local.statsd.endpoint", "StatsD server host:port (UDP)"),
    ("telemetry.metrics.local.statsd.sampling", "share of requests sent as timings, 0..1 (1)"),
    (
        "telemetry.metrics.local.statsd.tag-format",
        "dogStatsD | influxDB | librato | none (dogStatsD)",
    ),
    (
        "telemetry.metrics.cloud",
        "heartbeats carry the metrics since the last one to the management plane (true)",
    ),
    ("telemetry.metrics.prometheus.address", "Prometheus scrape endpoint address (0.0.0.0)"),
    ("telemetry.metrics.prometheus.port", "Prometheus scrape endpoint port (9464; 0 = ephemeral)"),
    ("telemetry.metrics.interval", "how often StatsD metrics are flushed (10s)"),
    (
        "telemetry.metrics.max-series",
        "series per worker before dimension values fold into (other) (2000)",
    ),
    ("telemetry.queue.capacity", "items each telemetry sink holds before dropping (1024)"),
    ("observability.opentelemetry.enabled", "export metrics (and traces) over OTLP (false)"),
    (
        "observability.opentelemetry.collector.uri",
        "OTLP collector, e.g. http://collector:4317 (gRPC) or :4318 (HTTP)",
    ),
    ("observability.opentelemetry.collector.protocol", "grpc | http/protobuf (grpc)"),
    (
        "observability.opentelemetry.system-metrics.enabled",
        "also export process CPU and memory (false)",
    ),
    (
        "observability.opentelemetry.histogram.buckets",
        "histogram bounds in ms (5,10,25,50,100,250,500,1000,2500,5000,10000)",
    ),
    ("observability.opentelemetry.export.interval", "OTLP export period (60s)"),
    (
        "observability.opentelemetry.export.timeout",
        "deadline of one OTLP export request, connect included (10s)",
    ),
    ("observability.opentelemetry.traces.enabled", "export spans over OTLP (false)"),
    ("observability.opentelemetry.traces.sampling", "share of traces exported, 0..1 (1)"),
    (
        "observability.tracecontext.enabled",
        "propagate W3C traceparent to backends, generating it when absent (true)",
    ),
    ("telemetry.logs.std", "none | text | json (text)"),
    (
        "telemetry.logs.std.level",
        "all | debug | info | warn | error | fatal (info)",
    ),
    (
        "config.local.watch.interval",
        "how often the config directory is checked (1s)",
    ),
    ("config.service.endpoint", "management plane URL; unset = standalone"),
    (
        "config.service.auth",
        "GatewayKey <gatewayId>&<expiry>&<signature>, or azureAdApp (OAuth2, config.service.auth.azureAd.*)",
    ),
    ("config.service.auth.azureAd.tenantId", "azureAdApp: Entra tenant id or domain"),
    ("config.service.auth.azureAd.clientId", "azureAdApp: the gateway application's client id"),
    ("config.service.auth.azureAd.clientSecret", "azureAdApp: its client secret"),
    (
        "config.service.auth.azureAd.certificatePath",
        "azureAdApp: PEM (certificate + RSA key) or PFX file for a private_key_jwt assertion",
    ),
    ("config.service.auth.azureAd.certificatePassword", "azureAdApp: the PFX's password"),
    (
        "config.service.auth.azureAd.authority",
        "azureAdApp: authority (https://login.microsoftonline.com), or any OpenID issuer without tenantId",
    ),
    (
        "config.service.auth.azureAd.tokenEndpoint",
        "azureAdApp: any OAuth2 token endpoint (instead of authority/tenantId)",
    ),
    ("config.service.auth.azureAd.federatedTokenFile", "azureAdApp: a workload-identity token file as the assertion"),
    ("config.service.auth.azureAd.scope", "azureAdApp: scope sent, {resource} = the audience (Entra: {resource}/.default)"),
    ("config.service.auth.azureAd.clientAuth", "azureAdApp: post | basic, how a secret is sent (post)"),
    (
        "gateway.name",
        "azureAdApp: the gateway resource's id, sent to the management plane with the token (unset)",
    ),
    (
        "config.service.auth.tokenAudience",
        "azureAdApp: the token's audience (https://azure-api.net/configuration)",
    ),
    (
        "authority.identity.<name>.<field>",
        "OAuth2 identities of authentication-managed-identity (fields as config.service.auth.azureAd.*; see docs/settings.md)",
    ),
    (
        "authority.wait.timeout",
        "longest a request waits for signing keys or a token it does not have yet (10s)",
    ),
    (
        "authority.fetch.timeout",
        "one exchange with an identity provider (discovery, JWKS, token) (10s)",
    ),
    (
        "config.service.integration.timeout",
        "timeout of management-plane calls (00:01:40)",
    ),
    (
        "config.service.poll.interval",
        "conditional fetch period without long-poll (10s)",
    ),
    (
        "config.service.long-poll.wait",
        "long-poll wait for changes; 0 = plain polling (25s)",
    ),
    ("config.service.heartbeat.interval", "heartbeat period (60s)"),
    (
        "config.backup.path",
        "directory of the configuration backup (e.g. /apim/config)",
    ),
    (
        "policy.unsupported",
        "error | skip: unsupported policy elements refuse the configuration or are skipped with a warning (error)",
    ),
    (
        "policy.body.max-bytes",
        "largest request or response body a policy may buffer (4194304)",
    ),
    (
        "policy.expressions.max-steps",
        "steps one policy expression evaluation may take before it fails (1000000)",
    ),
    (
        "policy.expressions.max-bytes",
        "memory one policy expression evaluation may allocate before it fails (16777216)",
    ),
    (
        "policy.send-one-way.max-in-flight",
        "send-one-way-request calls one worker keeps in flight; more are dropped with a warning (256)",
    ),
    (
        "policy.dapr.url",
        "the Dapr sidecar's HTTP API for the Dapr policies (http://localhost:3500)",
    ),
    (
        "deployment.region",
        "context.Deployment.Region of policy expressions (empty)",
    ),
    (
        "cache.max-bytes",
        "bound of the in-process response and value cache; 0 = no caching (67108864)",
    ),
    (
        "cache.max-entry-bytes",
        "largest single cache entry; larger ones are not cached (4194304)",
    ),
    (
        "certificates.local.ca.enabled",
        "trust the CA certificates mounted in certificates.local.ca.path (false)",
    ),
    (
        "certificates.local.ca.path",
        "directory of mounted CA certificates (/.dotnet/corefx/cryptography/x509stores/root)",
    ),
    (
        "mgmt.auth.admin.issuer",
        "control plane: administrators' OAuth2 issuer (iss); enables bearer tokens for /mgmt (unset)",
    ),
    (
        "mgmt.auth.admin.openid-config",
        "control plane: administrators' discovery document ({issuer}/.well-known/openid-configuration)",
    ),
    ("mgmt.auth.admin.jwks-url", "control plane: administrators' JWKS URL, instead of discovery"),
    (
        "mgmt.auth.admin.audience",
        "control plane: accepted audiences of administrators' tokens, comma-separated",
    ),
    ("mgmt.auth.admin.role-claim", "control plane: claim holding administrators' roles (roles)"),
    (
        "mgmt.auth.admin.reader-values",
        "control plane: role-claim values granting reader, comma-separated (Outpost.Reader)",
    ),
    (
        "mgmt.auth.admin.contributor-values",
        "control plane: role-claim values granting contributor, comma-separated (Outpost.Contributor)",
    ),
    (
        "mgmt.auth.gateway.issuer",
        "control plane: gateways' OAuth2 issuer (iss); enables bearer tokens of gateway identities (unset)",
    ),
    (
        "mgmt.auth.gateway.openid-config",
        "control plane: gateways' discovery document ({issuer}/.well-known/openid-configuration)",
    ),
    ("mgmt.auth.gateway.jwks-url", "control plane: gateways' JWKS URL, instead of discovery"),
    (
        "mgmt.auth.gateway.audience",
        "control plane: accepted audiences of gateways' tokens (https://azure-api.net/configuration)",
    ),
    (
        "mgmt.auth.gateway.client-id-claims",
        "control plane: claims naming a gateway's application, tried in order (appid,azp,client_id)",
    ),
    ("mgmt.auth.jwks.refresh-interval", "control plane: JWKS refetch period (1h)"),
    (
        "mgmt.auth.jwks.min-refresh-interval",
        "control plane: least time between refetches on an unknown key id (60s)",
    ),
    ("mgmt.auth.clock-skew", "control plane: tolerance on token exp/nbf (30s)"),
];

/// Maps an environment variable name to a settings key.
pub(super) fn env_key(name: &str) -> Option<String> {
    if let Some(key) = super::authority::env_identity_key(name) {
        return Some(key);
    }
    if name.starts_with(super::authority::IDENTITY_PREFIX) {
        return Some(name.to_owned());
    }
    let known = KEYS.iter().map(|(k, _)| *k).chain(RESERVED_APIM_KEYS.iter().copied());
    for key in known {
        if name == key {
            return Some(key.to_string());
        }
        if let Some(rest) = name.strip_prefix("OUTPOST_") {
            let mangled = key.to_ascii_uppercase().replace(['.', '-'], "_");
            if rest == mangled {
                return Some(key.to_string());
            }
        }
    }
    None
}

/// A dotted name like APIM's keys (`net.server.http.port`,
/// `config.service.auth.azureAd.tenantId`).
pub(super) fn looks_like_setting(name: &str) -> bool {
    name.contains('.')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

pub(super) fn is_informational(key: &str) -> bool {
    APIM_INFORMATIONAL_PREFIXES.iter().any(|p| key.starts_with(p))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::tests::pairs;
    use super::super::Settings;
    use super::*;

    #[test]
    fn env_names() {
        assert_eq!(
            env_key("OUTPOST_TELEMETRY_LOGS_STD").as_deref(),
            Some("telemetry.logs.std")
        );
        assert_eq!(
            env_key("OUTPOST_NET_SERVER_HTTP_HEAD_MAX_BYTES").as_deref(),
            Some("net.server.http.head.max-bytes")
        );
        assert_eq!(env_key("runtime.workers").as_deref(), Some("runtime.workers"));
        assert_eq!(env_key("PATH"), None);
        // Every implemented key is reachable from the environment.
        for key in [
            "config.service.endpoint",
            "config.service.auth",
            "config.backup.path",
            "config.service.long-poll.wait",
        ] {
            let env = format!("OUTPOST_{}", key.to_ascii_uppercase().replace(['.', '-'], "_"));
            assert_eq!(env_key(&env).as_deref(), Some(key), "{env}");
        }
    }

    #[test]
    fn apim_env_file_names() {
        // The lines of an env file APIM's portal generates for `docker run`.
        for name in ["config.service.endpoint", "config.service.auth", "config.backup.path"] {
            assert_eq!(env_key(name).as_deref(), Some(name));
        }
        assert!(looks_like_setting("net.server.htp.port"));
        assert!(looks_like_setting("config.service.auth.azureAd.tenantId"));
        assert!(!looks_like_setting("PATH") && !looks_like_setting("OUTPOST_X"));
        assert!(is_informational("runtime.deployment.mechanism"));
        let (s, w) = Settings::from_pairs(pairs(&[
            ("runtime.deployment.artifact.source", "Azure Portal"),
            ("runtime.deployment.mechanism", "Docker"),
            ("config.backup.path", "/apim/config"),
        ]))
        .unwrap();
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(s.backup_dir.as_deref(), Some(Path::new("/apim/config")));
    }
}
