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
}

impl Source {
    pub fn describe(&self) -> String {
        match self {
            Source::Dir(p) => p.display().to_string(),
            Source::Embedded => "embedded default".into(),
        }
    }

    pub fn load(&self) -> Result<Config, ConfigError> {
        match self {
            Source::Dir(p) => config::load_dir(p),
            Source::Embedded => config::load_embedded(),
        }
    }

    /// A cheap fingerprint of the directory (names, sizes, mtimes, inodes).
    /// Taken before a load, so a write racing the load is seen as a change.
    pub fn fingerprint(&self) -> u64 {
        match self {
            Source::Dir(p) => dir_fingerprint(p),
            Source::Embedded => 0,
        }
    }
}

/// Compiles a configuration, resolving backend hosts with the system resolver.
pub fn compile(cfg: &Config) -> Result<Replica, ConfigError> {
    replica::compile(cfg, &mut |host, port| {
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

pub struct Control {
    pub source: Source,
    pub workers: Vec<Sender<WorkerMsg>>,
    pub events: Receiver<WorkerEvent>,
    pub signals: Receiver<i32>,
    pub watch_interval: Duration,
    pub grace: Duration,
    pub config: Config,
    pub hash: u64,
    pub unresolved: bool,
    /// The source's fingerprint taken just before `config` was loaded.
    pub fingerprint: u64,
}

impl Control {
    /// Runs until shutdown; returns the process exit code.
    pub fn run(mut self) -> i32 {
        let mut fingerprint = self.fingerprint;
        let mut last_resolve = Instant::now();
        loop {
            select! {
                recv(self.signals) -> sig => match sig.unwrap_or(libc::SIGTERM) {
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
                recv(self.events) -> ev => {
                    if let Ok(WorkerEvent::Failed { worker, error }) = ev {
                        error!(worker, error = %error, "worker failed; exiting");
                        return 1;
                    }
                }
                default(self.watch_interval) => {
                    let now = self.source.fingerprint();
                    if now != fingerprint {
                        fingerprint = now;
                        info!(source = %self.source.describe(), "configuration changed on disk; reloading");
                        self.reload();
                    } else if self.unresolved && last_resolve.elapsed() >= RERESOLVE {
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
                Ok(WorkerEvent::Started { .. }) => {}
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
