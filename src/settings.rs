//! Process settings: listeners, workers, timeouts, limits and logging.
//!
//! Settings use APIM's dotted key names where APIM has one (see
//! `docs/settings.md`). They come from, in increasing precedence: built-in
//! defaults, a settings file (`key = value` or `key: value` lines, `#`
//! comments; the format of a Kubernetes ConfigMap's data), and environment
//! variables named either exactly like the key (`telemetry.logs.std=json`,
//! as Kubernetes allows) or `OUTPOST_` + the key upper-cased with `.` and
//! `-` as `_` (`OUTPOST_TELEMETRY_LOGS_STD=json`).
//!
//! An APIM user's `docker run --env-file env.conf` works unchanged apart from
//! the endpoint: every dotted name is read, the keys APIM's portal adds for
//! its own bookkeeping (`runtime.deployment.*`) are accepted and ignored, and
//! a dotted variable we do not know is warned about (the environment holds
//! other programs' variables too, so it is not an error there).
//!
//! Invariant: a `Settings` value is fully validated; an unknown key, a bad
//! value or a key APIM defines that we do not implement yet is reported with
//! its source, never silently ignored (the last only warns).

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A settings error, naming where the bad value came from.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {key}: {message}")]
pub struct SettingsError {
    pub source_name: String,
    pub key: String,
    pub message: String,
}

/// Log output format (`telemetry.logs.std`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    None,
    Text,
    Json,
}

/// Which io driver workers use (`runtime.driver`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriverChoice {
    Auto,
    IoUring,
    Epoll,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub http_address: IpAddr,
    pub http_port: u16,
    /// HTTPS listener port (same address as HTTP).
    pub https_port: u16,
    /// `net.server.tls.ciphers.allowed-suites` (IANA names; `None` = all implemented).
    pub server_suites: Option<String>,
    /// `net.client.tls.ciphers.allowed-suites`.
    pub client_suites: Option<String>,
    /// Honour a trusted front's `X-Forwarded-Proto` (`net.server.http.forwarded.proto.enabled`).
    pub forwarded_proto: bool,
    /// Skip verifying the management plane's certificate (testing only).
    pub service_skip_verify: bool,
    /// 0 = one per usable CPU.
    pub workers: usize,
    pub driver: DriverChoice,
    pub head_timeout: Duration,
    pub keepalive_timeout: Duration,
    pub body_timeout: Duration,
    pub max_head_bytes: usize,
    pub max_uri_bytes: usize,
    pub max_headers: usize,
    /// 0 = unlimited.
    pub max_body_bytes: u64,
    /// Longest a closing connection keeps reading (and discarding) what the
    /// client still sends, and longest an unread request body is drained
    /// after an early response.
    pub linger_timeout: Duration,
    /// Most bytes discarded that way before the connection is closed anyway.
    pub linger_max_bytes: u64,
    pub connect_timeout: Duration,
    pub response_timeout: Duration,
    pub pool_max_idle: usize,
    pub pool_idle_timeout: Duration,
    pub shutdown_grace: Duration,
    pub log_format: LogFormat,
    pub log_level: tracing::Level,
    /// `None` = no logs at all (`fatal` has no tracing level below error).
    pub log_enabled: bool,
    pub config_watch_interval: Duration,
    /// Management plane (`config.service.endpoint`); `None` = standalone.
    pub service_endpoint: Option<String>,
    /// `GatewayKey …` credential. Secret: never logged (see `Debug`).
    pub service_auth: Option<Secret>,
    pub service_timeout: Duration,
    pub service_poll_interval: Duration,
    /// `None` = plain polling every `service_poll_interval`.
    pub service_long_poll: Option<Duration>,
    pub service_heartbeat_interval: Duration,
    /// Directory of the configuration backup (APIM mounts `/apim/config`).
    pub backup_dir: Option<PathBuf>,
    /// `policy.unsupported`: skip unsupported policy elements (with a warning) instead of refusing the configuration.
    pub policy_skip_unsupported: bool,
    /// `policy.body.max-bytes`: largest body a policy may buffer.
    pub policy_body_max: u64,
    /// `certificates.local.ca.enabled` / `certificates.local.ca.path`: the
    /// directory of mounted CA certificates to trust, when enabled.
    pub local_ca_enabled: bool,
    pub local_ca_path: PathBuf,
}

/// A secret setting value; its `Debug` form is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            http_address: IpAddr::from([0, 0, 0, 0]),
            http_port: 8080,
            https_port: 8081,
            server_suites: None,
            client_suites: None,
            forwarded_proto: false,
            service_skip_verify: false,
            workers: 0,
            driver: DriverChoice::Auto,
            head_timeout: Duration::from_secs(10),
            keepalive_timeout: Duration::from_secs(75),
            body_timeout: Duration::from_secs(60),
            max_head_bytes: 32 * 1024,
            max_uri_bytes: 8 * 1024,
            max_headers: 100,
            max_body_bytes: 0,
            linger_timeout: Duration::from_secs(5),
            linger_max_bytes: 1024 * 1024,
            connect_timeout: Duration::from_secs(5),
            response_timeout: Duration::from_secs(300),
            pool_max_idle: 64,
            pool_idle_timeout: Duration::from_secs(60),
            shutdown_grace: Duration::from_secs(30),
            log_format: LogFormat::Text,
            log_level: tracing::Level::INFO,
            log_enabled: true,
            config_watch_interval: Duration::from_secs(1),
            service_endpoint: None,
            service_auth: None,
            service_timeout: Duration::from_secs(100),
            service_poll_interval: Duration::from_secs(10),
            service_long_poll: Some(Duration::from_secs(25)),
            service_heartbeat_interval: Duration::from_secs(60),
            backup_dir: None,
            policy_skip_unsupported: false,
            policy_body_max: 4 * 1024 * 1024,
            local_ca_enabled: false,
            local_ca_path: PathBuf::from(crate::tls::local_ca::DEFAULT_DIR),
        }
    }
}

/// Keys APIM defines that later issues implement; accepted with a warning.
const RESERVED_APIM_KEYS: &[&str] = &[
    "telemetry.metrics.local",
    "telemetry.metrics.cloud",
    "telemetry.logs.local",
    "observability.opentelemetry.enabled",
];

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
    ("config.service.auth", "GatewayKey <gatewayId>&<expiry>&<signature>"),
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
        "certificates.local.ca.enabled",
        "trust the CA certificates mounted in certificates.local.ca.path (false)",
    ),
    (
        "certificates.local.ca.path",
        "directory of mounted CA certificates (/.dotnet/corefx/cryptography/x509stores/root)",
    ),
];

impl Settings {
    /// Defaults, then `file` (when given), then the process environment.
    pub fn load(file: Option<&Path>) -> Result<(Settings, Vec<String>), SettingsError> {
        let mut pairs = Vec::new();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|e| SettingsError {
                source_name: path.display().to_string(),
                key: String::new(),
                message: e.to_string(),
            })?;
            pairs.extend(parse_file(&text, path)?);
        }
        let mut unknown = Vec::new();
        for (name, value) in std::env::vars() {
            if let Some(key) = env_key(&name) {
                pairs.push((format!("environment variable {name}"), key, value));
            } else if looks_like_setting(&name) && !is_informational(&name) {
                unknown.push(format!(
                    "environment variable {name}: unknown setting, ignored (see `outpost help settings`)"
                ));
            }
        }
        let (settings, mut warnings) = Settings::from_pairs(pairs)?;
        warnings.extend(unknown);
        Ok((settings, warnings))
    }

    /// Applies `(source, key, value)` triples in order; returns warnings.
    pub fn from_pairs(pairs: Vec<(String, String, String)>) -> Result<(Settings, Vec<String>), SettingsError> {
        let mut s = Settings::default();
        let mut warnings = Vec::new();
        for (source, key, value) in pairs {
            let err = |message: String| SettingsError {
                source_name: source.clone(),
                key: key.clone(),
                message,
            };
            if is_informational(&key) {
                continue;
            }
            if RESERVED_APIM_KEYS.contains(&key.as_str()) {
                warnings.push(format!("{source}: {key}: not implemented yet, ignored"));
                continue;
            }
            let v = value.trim();
            match key.as_str() {
                "net.server.http.address" => {
                    s.http_address = v.parse().map_err(|_| err(format!("not an IP address: {v:?}")))?
                }
                "net.server.http.port" => s.http_port = parse_num(v).map_err(err)?,
                "net.server.https.port" => s.https_port = parse_num(v).map_err(err)?,
                "net.server.tls.ciphers.allowed-suites" | "net.client.tls.ciphers.allowed-suites" => {
                    let sel = crate::tls::suites::select(Some(v)).map_err(&err)?;
                    for n in sel.ignored {
                        warnings.push(format!(
                            "{source}: {key}: {n} is not implemented (no CBC, DHE or static-RSA suites), ignored"
                        ));
                    }
                    let slot = if key.starts_with("net.server") {
                        &mut s.server_suites
                    } else {
                        &mut s.client_suites
                    };
                    *slot = (!v.is_empty()).then(|| v.to_string());
                }
                "net.server.http.forwarded.proto.enabled" => s.forwarded_proto = parse_bool(v).map_err(err)?,
                "config.service.endpoint.disableCertificateValidation" => {
                    s.service_skip_verify = parse_bool(v).map_err(err)?
                }
                "runtime.workers" => s.workers = parse_num(v).map_err(err)?,
                "runtime.driver" => {
                    s.driver = match v {
                        "auto" => DriverChoice::Auto,
                        "io_uring" | "iouring" => DriverChoice::IoUring,
                        "epoll" | "legacy" => DriverChoice::Epoll,
                        _ => return Err(err(format!("expected auto, io_uring or epoll, got {v:?}"))),
                    }
                }
                "net.server.http.head.timeout" => s.head_timeout = parse_duration(v).map_err(err)?,
                "net.server.http.keepalive.timeout" => s.keepalive_timeout = parse_duration(v).map_err(err)?,
                "net.server.http.body.timeout" => s.body_timeout = parse_duration(v).map_err(err)?,
                "net.server.http.head.max-bytes" => s.max_head_bytes = parse_num(v).map_err(err)?,
                "net.server.http.uri.max-bytes" => s.max_uri_bytes = parse_num(v).map_err(err)?,
                "net.server.http.headers.max-count" => s.max_headers = parse_num(v).map_err(err)?,
                "net.server.http.body.max-bytes" => s.max_body_bytes = parse_num(v).map_err(err)?,
                "policy.body.max-bytes" => s.policy_body_max = parse_num(v).map_err(err)?,
                "policy.unsupported" => {
                    s.policy_skip_unsupported = match v {
                        "error" => false,
                        "skip" => true,
                        _ => return Err(err(format!("expected error or skip, got {v:?}"))),
                    }
                }
                "net.server.http.lingering.timeout" => s.linger_timeout = parse_duration(v).map_err(err)?,
                "net.server.http.lingering.max-bytes" => s.linger_max_bytes = parse_num(v).map_err(err)?,
                "net.client.connect.timeout" => s.connect_timeout = parse_duration(v).map_err(err)?,
                "net.client.response.timeout" => s.response_timeout = parse_duration(v).map_err(err)?,
                "net.client.pool.max-idle" => s.pool_max_idle = parse_num(v).map_err(err)?,
                "net.client.pool.idle.timeout" => s.pool_idle_timeout = parse_duration(v).map_err(err)?,
                "runtime.shutdown.grace" => s.shutdown_grace = parse_duration(v).map_err(err)?,
                "telemetry.logs.std" => {
                    s.log_format = match v {
                        "none" => LogFormat::None,
                        "text" => LogFormat::Text,
                        "json" => LogFormat::Json,
                        _ => return Err(err(format!("expected none, text or json, got {v:?}"))),
                    }
                }
                "telemetry.logs.std.level" => {
                    s.log_enabled = v != "fatal";
                    s.log_level = match v {
                        "all" | "debug" => tracing::Level::DEBUG,
                        "info" => tracing::Level::INFO,
                        "warn" => tracing::Level::WARN,
                        "error" | "fatal" => tracing::Level::ERROR,
                        _ => {
                            return Err(err(format!(
                                "expected all, debug, info, warn, error or fatal, got {v:?}"
                            )))
                        }
                    }
                }
                "config.local.watch.interval" => s.config_watch_interval = parse_duration(v).map_err(err)?,
                "config.service.endpoint" => {
                    if !(v.starts_with("http://") || v.starts_with("https://")) {
                        return Err(err(format!("expected an http:// or https:// URL, got {v:?}")));
                    }
                    s.service_endpoint = Some(v.to_string())
                }
                "config.service.auth" => {
                    if !v.starts_with("GatewayKey ") {
                        return Err(err("expected `GatewayKey <gatewayId>&<expiry>&<signature>`".into()));
                    }
                    s.service_auth = Some(Secret(v.to_string()))
                }
                "config.service.integration.timeout" => s.service_timeout = parse_duration(v).map_err(err)?,
                "config.service.poll.interval" => s.service_poll_interval = parse_duration(v).map_err(err)?,
                "config.service.long-poll.wait" => {
                    let d = parse_duration(v).map_err(err)?;
                    s.service_long_poll = (!d.is_zero()).then_some(d)
                }
                "config.service.heartbeat.interval" => s.service_heartbeat_interval = parse_duration(v).map_err(err)?,
                "config.backup.path" => s.backup_dir = Some(PathBuf::from(v)),
                "certificates.local.ca.enabled" => s.local_ca_enabled = parse_bool(v).map_err(err)?,
                "certificates.local.ca.path" => s.local_ca_path = PathBuf::from(v),
                _ => return Err(err("unknown setting (see `outpost help settings`)".into())),
            }
        }
        s.validate().map_err(|(key, message)| SettingsError {
            source_name: "settings".into(),
            key: key.into(),
            message,
        })?;
        Ok((s, warnings))
    }

    fn validate(&self) -> Result<(), (&'static str, String)> {
        if self.max_head_bytes < 1024 {
            return Err(("net.server.http.head.max-bytes", "must be at least 1024".into()));
        }
        if self.max_uri_bytes == 0 || self.max_uri_bytes >= self.max_head_bytes {
            return Err((
                "net.server.http.uri.max-bytes",
                "must be positive and below net.server.http.head.max-bytes".into(),
            ));
        }
        if self.max_headers == 0 || self.max_headers > 128 {
            return Err(("net.server.http.headers.max-count", "must be 1..=128".into()));
        }
        if self.service_endpoint.is_some() != self.service_auth.is_some() {
            return Err((
                "config.service.auth",
                "config.service.endpoint and config.service.auth go together".into(),
            ));
        }
        if self.config_watch_interval.is_zero() {
            return Err(("config.local.watch.interval", "must be positive".into()));
        }
        Ok(())
    }

    /// The settings file next to a configuration directory, when present.
    pub fn default_file(config_dir: &Path) -> Option<PathBuf> {
        let p = config_dir.join("settings.conf");
        p.is_file().then_some(p)
    }
}

fn parse_file(text: &str, path: &Path) -> Result<Vec<(String, String, String)>, SettingsError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let source = format!("{}:{}", path.display(), i + 1);
        let split = line.find(['=', ':']).ok_or_else(|| SettingsError {
            source_name: source.clone(),
            key: line.to_string(),
            message: "expected `key = value`".into(),
        })?;
        let key = line[..split].trim().to_string();
        let value = line[split + 1..].trim().trim_matches('"').to_string();
        out.push((source, key, value));
    }
    Ok(out)
}

/// Maps an environment variable name to a settings key.
fn env_key(name: &str) -> Option<String> {
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

fn parse_bool(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(format!("expected true or false, got {v:?}")),
    }
}

/// A dotted name like APIM's keys (`net.server.http.port`,
/// `config.service.auth.azureAd.tenantId`).
fn looks_like_setting(name: &str) -> bool {
    name.contains('.')
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

fn is_informational(key: &str) -> bool {
    APIM_INFORMATIONAL_PREFIXES.iter().any(|p| key.starts_with(p))
}

fn parse_num<T: std::str::FromStr>(v: &str) -> Result<T, String> {
    v.parse().map_err(|_| format!("not a valid number: {v:?}"))
}

/// `500ms`, `10s`, `2m`, `1h`, a bare number of seconds, or APIM's
/// `hh:mm:ss` timespan form (`00:01:40`).
pub fn parse_duration(v: &str) -> Result<Duration, String> {
    let bad = || format!("not a duration (use 500ms, 10s, 2m or hh:mm:ss): {v:?}");
    if v.contains(':') {
        let parts: Vec<&str> = v.split(':').collect();
        if parts.len() != 3 {
            return Err(bad());
        }
        let h: u64 = parts[0].parse().map_err(|_| bad())?;
        let m: u64 = parts[1].parse().map_err(|_| bad())?;
        let s: f64 = parts[2].parse().map_err(|_| bad())?;
        if m >= 60 || !(0.0..60.0).contains(&s) {
            return Err(bad());
        }
        return Ok(Duration::from_secs(h * 3600 + m * 60) + Duration::from_secs_f64(s));
    }
    let (num, unit) = match v.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => v.split_at(i),
        None => (v, "s"),
    };
    let n: u64 = num.parse().map_err(|_| bad())?;
    match unit {
        "ms" => Ok(Duration::from_millis(n)),
        "s" => Ok(Duration::from_secs(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(kv: &[(&str, &str)]) -> Vec<(String, String, String)> {
        kv.iter()
            .map(|(k, v)| ("test".to_string(), k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("00:01:40"), Ok(Duration::from_secs(100)));
        assert!(parse_duration("10 parsecs").is_err());
        assert!(parse_duration("00:61:00").is_err());
    }

    #[test]
    fn keys_apply_and_unknown_keys_fail() {
        let (s, w) = Settings::from_pairs(pairs(&[
            ("net.server.http.port", "0"),
            ("telemetry.logs.std", "json"),
            ("telemetry.logs.std.level", "warn"),
            (
                "net.server.tls.ciphers.allowed-suites",
                "TLS_AES_128_GCM_SHA256,TLS_RSA_WITH_AES_128_CBC_SHA",
            ),
            ("telemetry.metrics.local", "none"),
        ]))
        .unwrap();
        assert_eq!(s.http_port, 0);
        assert_eq!(s.log_format, LogFormat::Json);
        assert_eq!(s.log_level, tracing::Level::WARN);
        assert_eq!(w.len(), 2, "{w:?}");
        assert!(
            w[0].contains("TLS_RSA_WITH_AES_128_CBC_SHA") && w[0].contains("ignored"),
            "{w:?}"
        );
        let e = Settings::from_pairs(pairs(&[(
            "net.client.tls.ciphers.allowed-suites",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
        )]))
        .unwrap_err();
        assert!(e.to_string().contains("no usable cipher suite"), "{e}");
        let (s, _) = Settings::from_pairs(pairs(&[
            ("config.service.endpoint", "http://127.0.0.1:9"),
            ("config.service.auth", "GatewayKey gw&202612010000&c2ln"),
            ("config.service.long-poll.wait", "0"),
        ]))
        .unwrap();
        assert_eq!(s.service_long_poll, None);
        assert!(!format!("{s:?}").contains("c2ln"), "the token never shows in Debug");
        assert!(Settings::from_pairs(pairs(&[("config.service.endpoint", "http://x")])).is_err());
        let e = Settings::from_pairs(pairs(&[("net.server.htp.port", "1")])).unwrap_err();
        assert_eq!(e.key, "net.server.htp.port");
        let e = Settings::from_pairs(pairs(&[("runtime.workers", "many")])).unwrap_err();
        assert!(e.to_string().contains("runtime.workers"));
    }

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

    #[test]
    fn file_lines() {
        let p = Path::new("s.conf");
        let v = parse_file("# c\nnet.server.http.port = 81\nruntime.workers: 2\n", p).unwrap();
        assert_eq!(v[0].0, "s.conf:2");
        assert_eq!(v[1].2, "2");
        assert!(parse_file("garbage", p).is_err());
    }
}
