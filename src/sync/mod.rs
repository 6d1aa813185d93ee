//! Configuration sync with the management plane (`config.service.endpoint`),
//! the gateway side: a fetch thread and a heartbeat thread beside the
//! control thread, so long-polls never delay signal handling.
//!
//! Invariants:
//! - the gateway dials out; nothing dials in;
//! - fail static: any failure (unreachable, refused token, bad answer)
//!   leaves the workers on their last good configuration; the reason is
//!   logged once when it starts and once when it clears, and retries back
//!   off exponentially (1 s to 60 s) with jitter;
//! - a fetched snapshot is validated here as a whole; only a valid one is
//!   sent to the control thread, which compiles, broadcasts and backs it up;
//! - the token is never logged.

pub mod backup;
pub mod client;
pub mod snapshot;

use crate::config::Config;
use crate::telemetry::rollup;
use client::{Counters, Fetched, Heartbeat, MgmtClient, SyncError};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tracing::{error, info, warn};

/// Warn this long before the gateway token expires.
const EXPIRY_WARNING: Duration = Duration::from_secs(7 * 24 * 3600);
const MAX_BACKOFF: Duration = Duration::from_secs(60);

#[derive(Clone, Debug)]
pub struct SyncSettings {
    pub endpoint: String,
    pub auth: String,
    /// `config.service.auth=azureAdApp`: the gateway's OAuth2 token source
    /// (then `auth` is not sent).
    pub oauth: Option<std::sync::Arc<crate::authority::gateway::GatewayToken>>,
    /// `gateway.name`: sent with OAuth2 tokens.
    pub gateway_name: Option<String>,
    pub timeout: Duration,
    /// Conditional fetch period without long-poll (APIM: 10 s).
    pub poll_interval: Duration,
    /// Long-poll wait; `None` = plain polling.
    pub long_poll: Option<Duration>,
    pub heartbeat_interval: Duration,
    /// `config.service.endpoint.disableCertificateValidation` (testing only).
    pub skip_verify: bool,
    /// The gateway's configuration directory: its `certificates/` and
    /// `hostnames.toml` are merged into every snapshot (`config::overlay`).
    pub local_tls: Option<PathBuf>,
    /// The request metrics heartbeats carry (`telemetry.metrics.cloud`);
    /// `None` sends none.
    pub metrics: Option<crate::telemetry::rollup::SharedRollup>,
}

/// A snapshot's configuration with the local TLS files of `local` (the
/// gateway's configuration directory, if any) on top; what the local files
/// replace is logged at info. Errors name the file at fault.
pub fn snapshot_config(snapshot: &snapshot::Snapshot, local: Option<&Path>) -> Result<Config, String> {
    let local = match local {
        Some(dir) => crate::config::read_local_tls(dir).map_err(|e| format!("local TLS files: {e}"))?,
        None => crate::config::LocalTls::default(),
    };
    let (config, notes) = snapshot.to_config_with(&local).map_err(|e| e.to_string())?;
    for note in notes {
        info!(version = snapshot.version, "{note}");
    }
    Ok(config)
}

/// What the fetch thread tells the control thread.
pub enum SyncEvent {
    /// A valid snapshot: compile, broadcast, back up.
    Snapshot { config: Config, raw: Vec<u8>, version: u64 },
}

/// Shared between the control, fetch and heartbeat threads (never workers).
#[derive(Default, Debug)]
pub struct Status {
    pub applied_version: Option<u64>,
    pub last_error: Option<String>,
    pub requests: Counters,
}

pub type SharedStatus = Arc<Mutex<Status>>;

fn lock(s: &SharedStatus) -> std::sync::MutexGuard<'_, Status> {
    s.lock().unwrap_or_else(|e| e.into_inner())
}

/// Starts the fetch and heartbeat threads; they stop when `stop` closes.
/// A message on `nudge` sends a heartbeat at once (after a new snapshot).
pub fn spawn(
    settings: SyncSettings,
    status: SharedStatus,
    events: Sender<SyncEvent>,
    stop: Receiver<()>,
    nudge: Receiver<()>,
) -> std::io::Result<()> {
    let (s2, st2, stop2) = (settings.clone(), status.clone(), stop.clone());
    std::thread::Builder::new()
        .name("outpost-sync".into())
        .spawn(move || fetch_loop(&settings, &status, &events, &stop))?;
    std::thread::Builder::new()
        .name("outpost-heartbeat".into())
        .spawn(move || heartbeat_loop(&s2, &st2, &stop2, &nudge))?;
    Ok(())
}

/// Sleeps `d` unless stopped; returns false when stopped.
fn pause(stop: &Receiver<()>, d: Duration) -> bool {
    matches!(stop.recv_timeout(d), Err(RecvTimeoutError::Timeout))
}

fn jitter(d: Duration) -> Duration {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .subsec_nanos();
    d + d.mul_f64(f64::from(nanos % 1000) / 4000.0)
}

/// Logs a failure once when it starts (or changes) and once when it clears.
#[derive(Default)]
struct Outage {
    reason: Option<String>,
    backoff: Duration,
}

impl Outage {
    fn failed(&mut self, e: &SyncError) -> Duration {
        let reason = e.to_string();
        if self.reason.as_deref() != Some(&reason) {
            warn!(error = %reason, "configuration sync failing; serving the last good configuration (fail static)");
            self.reason = Some(reason);
        }
        self.backoff = (self.backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
        jitter(self.backoff)
    }

    fn ok(&mut self) {
        if self.reason.take().is_some() {
            info!("configuration sync restored");
        }
        self.backoff = Duration::ZERO;
    }
}

fn fetch_loop(s: &SyncSettings, status: &SharedStatus, events: &Sender<SyncEvent>, stop: &Receiver<()>) {
    let client = MgmtClient::new(&s.endpoint, &s.auth, s.timeout, s.skip_verify)
        .with_oauth(s.oauth.clone())
        .with_gateway_name(s.gateway_name.clone());
    let mut etag: Option<String> = None;
    let mut outage = Outage::default();
    loop {
        let started = Instant::now();
        let wait = s.long_poll.filter(|_| etag.is_some());
        let pause_for = match client.fetch(etag.as_deref(), wait) {
            Ok(Fetched::Changed {
                snapshot,
                raw,
                etag: tag,
            }) => {
                outage.ok();
                etag = Some(tag.unwrap_or_else(|| format!("\"{}\"", snapshot.version)));
                match snapshot_config(&snapshot, s.local_tls.as_deref()) {
                    Ok(config) => {
                        let event = SyncEvent::Snapshot {
                            config,
                            raw,
                            version: snapshot.version,
                        };
                        if events.send(event).is_err() {
                            return;
                        }
                    }
                    Err(e) => {
                        error!(version = snapshot.version, error = %e, "snapshot refused as a whole; keeping the last good configuration");
                        lock(status).last_error = Some(format!("snapshot {} refused: {e}", snapshot.version));
                    }
                }
                if s.long_poll.is_some() {
                    Duration::ZERO
                } else {
                    s.poll_interval
                }
            }
            Ok(Fetched::Unchanged) => {
                outage.ok();
                // A long-poll that returns at once means the server does not
                // hold requests: fall back to the polling period.
                match wait {
                    Some(w) if started.elapsed() >= w / 2 => Duration::ZERO,
                    _ => s.poll_interval,
                }
            }
            Err(e) => {
                let d = outage.failed(&e);
                lock(status).last_error = Some(e.to_string());
                d
            }
        };
        if !pause(stop, pause_for) {
            return;
        }
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "unknown".into())
}

fn instance_id() -> String {
    std::fs::read_to_string("/proc/sys/kernel/random/uuid")
        .map(|u| u.trim().to_string())
        .unwrap_or_else(|_| format!("{}-{}", hostname(), std::process::id()))
}

fn heartbeat_loop(s: &SyncSettings, status: &SharedStatus, stop: &Receiver<()>, nudge: &Receiver<()>) {
    let client = MgmtClient::new(&s.endpoint, &s.auth, s.timeout, s.skip_verify)
        .with_oauth(s.oauth.clone())
        .with_gateway_name(s.gateway_name.clone());
    let started = Instant::now();
    let instance = instance_id();
    let host = hostname();
    let expiry = client::token_expiry(&s.auth);
    let mut warned_expiry = false;
    // Whether request metrics wait for the management plane (logged once).
    let mut metrics_kept = false;
    loop {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_secs();
        if let Some(exp) = expiry {
            if !warned_expiry && exp.saturating_sub(now) < EXPIRY_WARNING.as_secs() {
                warn!(expires = %crate::logging::rfc3339(exp, 0), "the gateway token expires within 7 days: generate a new one");
                warned_expiry = true;
            }
        }
        let mut beat = {
            let st = lock(status);
            Heartbeat {
                instance_id: instance.clone(),
                hostname: host.clone(),
                version: env!("CARGO_PKG_VERSION").to_string(),
                uptime_secs: started.elapsed().as_secs(),
                applied_version: st.applied_version,
                requests: st.requests,
                last_error: st.last_error.clone(),
                token_expiry: expiry
                    .or_else(|| client.oauth_expiry())
                    .map(|e| crate::logging::rfc3339(e, 0)),
                identity: s.oauth.as_ref().map(|o| o.client_id().to_owned()),
                metrics: None,
            }
        };
        // The report is built under the rollup's lock, sent without it.
        beat.metrics = s.metrics.as_ref().and_then(|m| rollup::lock(m).report());
        let sent = client.heartbeat(&beat);
        let backlog = match (&s.metrics, beat.metrics.take()) {
            (Some(m), Some(report)) => settle_metrics(&mut rollup::lock(m), &report, &sent, &mut metrics_kept),
            _ => false,
        };
        if let Err(e) = sent {
            tracing::debug!(error = %e, "heartbeat failed");
        }
        // A backlog of metrics (after an outage) drains at once, a report
        // of bounded size per heartbeat.
        let wait = if backlog { Duration::ZERO } else { s.heartbeat_interval };
        crossbeam_channel::select! {
            recv(stop) -> _ => return,
            recv(nudge) -> msg => if msg.is_err() { return },
            default(wait) => {}
        }
    }
}

/// Settles a metrics report after its heartbeat: acknowledged by a 2xx,
/// dropped when refused as invalid (sending it again would fail again),
/// kept for the next heartbeat otherwise (`kept` logs that once per
/// outage). Returns whether acknowledged batches leave a backlog to send
/// at once.
fn settle_metrics(
    r: &mut rollup::Rollup,
    report: &rollup::Report,
    sent: &Result<(), SyncError>,
    kept: &mut bool,
) -> bool {
    match sent {
        Ok(()) => {
            r.acknowledge(report);
            if std::mem::take(kept) {
                info!("request metrics delivered to the management plane again");
            }
            r.backlog()
        }
        Err(SyncError::Status(400 | 413 | 422)) => {
            r.refused(report);
            false
        }
        Err(e) => {
            if !std::mem::replace(kept, true) {
                info!(error = %e, max_buckets = rollup::MAX_BUCKETS,
                    "heartbeat failed; request metrics are kept for the next one");
            }
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_reports_are_acknowledged_kept_or_dropped_by_the_answer() {
        use crate::telemetry::model::{CacheOutcome, Frame, RequestAgg, RequestDims};
        let bounds: std::sync::Arc<[f64]> = std::sync::Arc::from(vec![10.0]);
        let mut agg = RequestAgg::new(&bounds);
        agg.requests = 3;
        let dims = RequestDims {
            api_id: "a".into(),
            operation_id: "".into(),
            hostname: "h".into(),
            response_code: 200,
            backend_response_code: 200,
            last_error_reason: "None".into(),
            cache: CacheOutcome::None,
        };
        let frame = Frame {
            worker: 0,
            bounds: bounds.clone(),
            requests: vec![(dims, agg)],
            custom: vec![],
            samples: vec![],
            spans: vec![],
            folded: 0,
            dropped: 0,
            buffers: None,
        };
        let mut r = rollup::Rollup::new(bounds);
        let mut kept = false;
        r.add(&frame, 600);
        let report = r.report().unwrap();
        let down = Err(SyncError::Transport("refused".into()));
        assert!(!settle_metrics(&mut r, &report, &down, &mut kept));
        assert!(kept && r.backlog(), "kept for the next heartbeat");
        let report = r.report().unwrap();
        assert!(!settle_metrics(&mut r, &report, &Ok(()), &mut kept));
        assert!(!kept && !r.backlog(), "acknowledged");
        r.add(&frame, 660);
        let report = r.report().unwrap();
        settle_metrics(&mut r, &report, &Err(SyncError::Status(400)), &mut kept);
        assert_eq!((r.backlog(), r.dropped_requests), (false, 3), "refused: dropped");
    }

    #[test]
    fn outage_backs_off_exponentially_with_bounded_jitter_and_resets() {
        let mut o = Outage::default();
        let e = SyncError::Status(503);
        let mut expected = Duration::from_secs(1);
        for _ in 0..10 {
            let d = o.failed(&e);
            assert_eq!(o.backoff, expected);
            assert!(d >= expected && d <= expected + expected / 4, "{d:?} for {expected:?}");
            expected = (expected * 2).min(MAX_BACKOFF);
        }
        assert_eq!(o.backoff, MAX_BACKOFF, "capped at 60 s");
        assert_eq!(o.reason.as_deref(), Some(e.to_string().as_str()));
        o.ok();
        assert_eq!((o.reason.as_deref(), o.backoff), (None, Duration::ZERO));
        assert!(
            o.failed(&e) < Duration::from_secs(2),
            "a new outage starts at 1 s again"
        );
    }
}
