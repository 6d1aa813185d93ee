//! The control thread: owns the configuration source, validates and
//! compiles each new configuration once, broadcasts a replica to every
//! worker, and runs the process's signal handling and shutdown.
//!
//! Invariants:
//! - a configuration is applied all-or-nothing: a load or compile error is
//!   logged with its file and field and the workers keep the last good
//!   replica;
//! - every worker gets its own deep copy (no sharing across cores) and all
//!   copies carry the same `hash`, logged by each worker when applied;
//! - DNS resolution of backend hosts happens here, never on a worker.

use crate::config::{self, Config, ConfigError};
use crate::replica::{self, Replica};
use crate::sync::backup::Backup;
use crate::sync::{SharedStatus, SyncEvent};
use crate::worker::{WorkerEvent, WorkerMsg};
use crossbeam_channel::{select, Receiver, Sender};
use std::net::ToSocketAddrs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use tracing::{error, info, warn};

/// How often unresolved backend hosts are retried.
const RERESOLVE: Duration = Duration::from_secs(5);

/// Where the declarative configuration comes from.
#[derive(Clone, Debug)]
pub enum Source {
    Dir(PathBuf),
    /// The default compiled into the binary (works on a read-only filesystem).
    Embedded,
    /// Snapshots from the management plane at this endpoint (see `sync`).
    Remote(String),
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Dir(p) => p.display().to_string(),
            Source::Embedded => "embedded default".into(),
            Source::Remote(endpoint) => format!("management plane {endpoint}"),
        }
    }

    pub fn load(&self) -> Result<Config, ConfigError> {
        match self {
            Source::Dir(p) => config::load_dir(p),
            Source::Embedded => config::load_embedded(),
            Source::Remote(_) => Err(ConfigError {
                file: self.describe(),
                field: None,
                message: "configuration comes from the management plane".into(),
            }),
        }
    }

    /// A cheap fingerprint of the directory (names, sizes, mtimes, inodes)
    /// and of the local CA directory. Taken before a load, so a write
    /// racing the load is seen as a change.
    pub fn fingerprint(&self) -> u64 {
        local_ca_fingerprint()
            ^ match self {
                Source::Dir(p) => dir_fingerprint(p),
                Source::Embedded | Source::Remote(_) => 0,
            }
    }
}

/// Compiles a configuration, resolving backend hosts with the system
/// resolver, with the local CA directory's certificates read afresh
/// (`certificates.local.ca.enabled`; an invalid file refuses the whole
/// configuration).
pub fn compile(cfg: &Config) -> Result<Replica, ConfigError> {
    let cfg = crate::tls::local_ca::with_local_cas(cfg)?;
    replica::compile(&cfg, &mut |host, port| {
        let addrs: Vec<_> = (host, port).to_socket_addrs()?.collect();
        if addrs.is_empty() {
            return Err(std::io::Error::other("no addresses"));
        }
        Ok(addrs)
    })
}

/// Loads and compiles from `source`, logging unresolved hosts.
pub fn load_and_compile(source: &Source) -> Result<(Config, Replica), ConfigError> {
    let cfg = source.load()?;
    let replica = compile(&cfg)?;
    for (host, port) in replica.unresolved_hosts() {
        warn!(host = %host, port, "backend host does not resolve; its APIs answer 502 until it does");
    }
    Ok((cfg, replica))
}

/// Management-plane mode: where snapshots arrive and where they are kept.
pub struct Remote {
    pub events: Receiver<SyncEvent>,
    pub backup: Option<Backup>,
    pub status: SharedStatus,
    /// Dropping it stops the sync threads.
    pub stop: Sender<()>,
    /// Asks the heartbeat thread to report now.
    pub nudge: Sender<()>,
    /// The configuration directory whose TLS files are merged into every
    /// snapshot (`config::overlay`); watched like a local configuration.
    pub local_tls: Option<PathBuf>,
    /// The applied snapshot as received (re-merged when local files change).
    pub applied: Option<Vec<u8>>,
}

pub struct Control {
    pub source: Source,
    pub remote: Option<Remote>,
    /// Latest cumulative (total, failed) request counts per worker.
    pub counters: Vec<(u64, u64, u64)>,
    pub workers: Vec<Sender<WorkerMsg>>,
    /// The process's limit counters, swept here so idle entries go away.
    pub limits: crate::policy::limits::Limits,
    pub events: Receiver<WorkerEvent>,
    pub signals: Receiver<i32>,
    pub watch_interval: Duration,
    pub grace: Duration,
    pub config: Config,
    pub hash: u64,
    pub unresolved: bool,
    /// The source's fingerprint taken just before `config` was loaded.
    pub fingerprint: u64,
    /// The identity-provider thread: told the OpenID URLs of every
    /// configuration published.
    pub authority: Option<crate::authority::fetch::Handle>,
}

impl Control {
    /// Runs until shutdown; returns the process exit code.
    pub fn run(mut self) -> i32 {
        let mut fingerprint = self.fingerprint;
        let mut last_resolve = Instant::now();
        let sync_events = self
            .remote
            .as_ref()
            .map_or_else(crossbeam_channel::never, |r| r.events.clone());
        // A ticker, not `default(timeout)`: the workers' counter reports
        // arrive more often than the watch interval under load and would
        // restart a timeout for ever (file changes, sweeps and re-resolves
        // would then wait for the load to stop).
        let ticker = crossbeam_channel::tick(self.watch_interval);
        loop {
            select! {
                recv(sync_events) -> ev => {
                    if let Ok(SyncEvent::Snapshot { config, raw, version }) = ev {
                        self.apply_snapshot(config, &raw, version);
                    }
                }
                recv(self.signals) -> sig => match sig.unwrap_or(libc::SIGTERM) {
                    libc::SIGHUP if self.remote.is_some() => {
                        info!("SIGHUP: configuration comes from the management plane; re-reading the local TLS files");
                        fingerprint = self.local_fingerprint();
                        self.remerge_local();
                    }
                    libc::SIGHUP => {
                        info!("SIGHUP: reloading configuration");
                        fingerprint = self.source.fingerprint();
                        self.reload();
                    }
                    libc::SIGINT => {
                        info!("SIGINT: exiting now");
                        return 130;
                    }
                    _ => return self.drain(),
                },
                recv(self.events) -> ev => match ev {
                    Ok(WorkerEvent::Failed { worker, error }) => {
                        error!(worker, error = %error, "worker failed; exiting");
                        return 1;
                    }
                    Ok(WorkerEvent::Counters {
                        worker,
                        total,
                        failed,
                        tls_failed,
                    }) => self.count(worker, (total, failed, tls_failed)),
                    _ => {}
                },
                recv(ticker) -> _ => {
                    self.limits.sweep();
                    // Snapshots arrive on `sync_events`; with the management
                    // plane only the local TLS files are watched here.
                    let (now, remote) = match self.source {
                        Source::Remote(_) => (self.local_fingerprint(), true),
                        _ => (self.source.fingerprint(), false),
                    };
                    if now != fingerprint {
                        fingerprint = now;
                        if remote {
                            info!("local TLS files changed; merging them into the applied snapshot");
                            self.remerge_local();
                        } else {
                            info!(source = %self.source.describe(), "configuration changed on disk; reloading");
                            self.reload();
                        }
                    } else if self.unresolved && last_resolve.elapsed() >= RERESOLVE {
                        // In both modes: a gateway started from its backup
                        // while DNS was down must not wait for a new snapshot.
                        last_resolve = Instant::now();
                        self.reresolve();
                    }
                }
            }
        }
    }

    fn reload(&mut self) {
        match load_and_compile(&self.source) {
            Ok((cfg, replica)) => {
                self.config = cfg;
                self.publish(replica);
            }
            Err(e) => error!(error = %e, "configuration rejected; keeping the last good one"),
        }
    }

    /// Fingerprint of the local TLS files in management-plane mode (0
    /// without), and of the local CA directory.
    pub fn local_fingerprint(&self) -> u64 {
        self.remote
            .as_ref()
            .and_then(|r| r.local_tls.as_deref())
            .map_or(0, dir_fingerprint)
            ^ local_ca_fingerprint()
    }

    /// Management-plane mode: the local TLS files changed; merge them into
    /// the applied snapshot again (all or nothing, like a new snapshot).
    fn remerge_local(&mut self) {
        let Some(remote) = &self.remote else { return };
        let Some(raw) = remote.applied.as_deref() else { return };
        let merged = crate::sync::snapshot::Snapshot::parse(raw)
            .map_err(|e| e.to_string())
            .and_then(|s| crate::sync::snapshot_config(&s, remote.local_tls.as_deref()))
            .and_then(|cfg| compile(&cfg).map(|r| (cfg, r)).map_err(|e| e.to_string()));
        match merged {
            Ok((cfg, replica)) => {
                self.config = cfg;
                self.publish(replica);
            }
            Err(e) => {
                error!(error = %e, "local TLS files rejected; keeping the last good configuration");
                remote.status.lock().unwrap_or_else(|e| e.into_inner()).last_error =
                    Some(format!("local TLS files rejected: {e}"));
            }
        }
    }

    /// A valid snapshot from the management plane: compile, broadcast, back up.
    fn apply_snapshot(&mut self, cfg: Config, raw: &[u8], version: u64) {
        let Some(remote) = &self.remote else { return };
        let status = remote.status.clone();
        let backup = remote.backup.clone();
        match compile(&cfg) {
            Ok(replica) => {
                info!(version, "management-plane snapshot accepted");
                self.config = cfg;
                self.publish(replica);
                if let Some(b) = backup {
                    if let Err(e) = b.write(raw) {
                        error!(error = %e, "configuration backup not written");
                    }
                }
                if let Some(r) = &mut self.remote {
                    r.applied = Some(raw.to_vec());
                }
                let mut st = status.lock().unwrap_or_else(|e| e.into_inner());
                st.applied_version = Some(version);
                st.last_error = None;
                drop(st);
                if let Some(r) = &self.remote {
                    let _ = r.nudge.try_send(());
                }
            }
            Err(e) => {
                error!(version, error = %e, "snapshot refused as a whole; keeping the last good configuration");
                status.lock().unwrap_or_else(|e| e.into_inner()).last_error =
                    Some(format!("snapshot {version} refused: {e}"));
            }
        }
    }

    fn count(&mut self, worker: usize, counts: (u64, u64, u64)) {
        if let Some(slot) = self.counters.get_mut(worker) {
            *slot = counts;
        }
        if let Some(remote) = &self.remote {
            let (t, f, h) = self
                .counters
                .iter()
                .fold((0, 0, 0), |(t, f, h), (a, b, c)| (t + a, f + b, h + c));
            remote.status.lock().unwrap_or_else(|e| e.into_inner()).requests = crate::sync::client::Counters {
                total: t,
                failed: f,
                tls_handshake_failures: h,
            };
        }
    }

    fn reresolve(&mut self) {
        if let Ok(replica) = compile(&self.config) {
            if replica.unresolved_hosts().is_empty() {
                info!("all backend hosts resolve now");
                self.publish(replica);
            }
        }
    }

    fn publish(&mut self, replica: Replica) {
        self.unresolved = !replica.unresolved_hosts().is_empty();
        self.hash = replica.hash;
        info!(
            config_hash = format_args!("{:016x}", replica.hash),
            apis = replica.apis.len(),
            "configuration compiled; sending to workers"
        );
        if let Some(a) = &self.authority {
            a.watch(&replica.openid_urls);
        }
        for w in &self.workers {
            let _ = w.send(WorkerMsg::Replica(Box::new(replica.clone())));
        }
    }

    /// SIGTERM: stop accepting, let requests finish within the grace period.
    fn drain(self) -> i32 {
        info!(grace_secs = self.grace.as_secs_f64(), "SIGTERM: draining");
        for w in &self.workers {
            let _ = w.send(WorkerMsg::Drain);
        }
        let deadline = Instant::now() + self.grace;
        let mut running = self.workers.len();
        while running > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(WorkerEvent::Stopped { .. }) | Ok(WorkerEvent::Failed { .. }) => running -= 1,
                Ok(_) => {}
                Err(_) => {
                    warn!(workers = running, "grace period over; closing remaining connections");
                    break;
                }
            }
        }
        info!("shutdown complete");
        0
    }
}

/// Fingerprint of the local CA directory (0 when the feature is off).
fn local_ca_fingerprint() -> u64 {
    crate::tls::local_ca::dir().map_or(0, |d| dir_fingerprint(d).rotate_left(1))
}

fn dir_fingerprint(dir: &Path) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut entries = Vec::new();
    collect(dir, &mut entries);
    entries.sort();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    entries.hash(&mut h);
    h.finish()
}

type FileStamp = (PathBuf, u64, Option<std::time::SystemTime>, u64);

fn collect(dir: &Path, out: &mut Vec<FileStamp>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    for entry in rd.flatten() {
        let path = entry.path();
        match entry.metadata() {
            Ok(m) if m.is_dir() => collect(&path, out),
            Ok(m) => out.push((
                path,
                m.len(),
                m.modified().ok(),
                std::os::unix::fs::MetadataExt::ino(&m),
            )),
            Err(_) => {}
        }
    }
}
