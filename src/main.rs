//! The `outpost` binary: command-line parsing and process start-up. Errors
//! become `anyhow` only here, at the edge.

use anyhow::{bail, Context};
use outpost::control::{self, Control, Source};
use outpost::cpus::CpuPlan;
use outpost::settings::{Settings, KEYS};
use outpost::worker::{self, listeners, WorkerEvent, WorkerSpec};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing::{info, warn};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str = "\
outpost — a self-hosted, thread-per-core API gateway

USAGE:
    outpost [gateway] [--config DIR] [--settings FILE]
        Run the gateway (the default command). Without --config it uses
        ./config when present, else the default compiled into the binary.
        Settings come from FILE, else DIR/settings.conf, then the environment.
    outpost check-config [DIR]
        Validate a configuration directory without serving.
    outpost help settings
        List the settings keys.
    outpost version
";

fn main() {
    match run() {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("outpost: error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn run() -> anyhow::Result<i32> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let command = match args.first().map(String::as_str) {
        None => "gateway".to_string(),
        Some(a) if a.starts_with("--") => "gateway".to_string(),
        Some(_) => args.remove(0),
    };
    match command.as_str() {
        "gateway" => gateway(&args),
        "check-config" => check_config(&args),
        "help" | "--help" | "-h" => {
            if args.first().map(String::as_str) == Some("settings") {
                for (k, d) in KEYS {
                    println!("{k:40} {d}");
                }
            } else {
                print!("{USAGE}");
            }
            Ok(0)
        }
        "version" | "--version" | "-V" => {
            println!("outpost {}", env!("CARGO_PKG_VERSION"));
            Ok(0)
        }
        other => bail!("unknown command {other:?}\n\n{USAGE}"),
    }
}

fn check_config(args: &[String]) -> anyhow::Result<i32> {
    let dir = PathBuf::from(args.first().map(String::as_str).unwrap_or("config"));
    match control::load_and_compile(&Source::Dir(dir.clone())) {
        Ok((_, replica)) => {
            println!(
                "{}: OK ({} APIs, config hash {:016x})",
                dir.display(),
                replica.apis.len(),
                replica.hash
            );
            Ok(0)
        }
        Err(e) => {
            eprintln!("{e}");
            Ok(1)
        }
    }
}

struct GatewayArgs {
    config: Option<PathBuf>,
    settings: Option<PathBuf>,
}

fn parse_gateway_args(args: &[String]) -> anyhow::Result<GatewayArgs> {
    let mut out = GatewayArgs {
        config: None,
        settings: None,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().cloned().with_context(|| format!("{name} needs a value"));
        match a.as_str() {
            "--config" => out.config = Some(value("--config")?.into()),
            "--settings" => out.settings = Some(value("--settings")?.into()),
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    Ok(out)
}

fn gateway(args: &[String]) -> anyhow::Result<i32> {
    let args = parse_gateway_args(args)?;
    let source = match args.config {
        Some(dir) => Source::Dir(dir),
        None if PathBuf::from("config/apis").is_dir() => Source::Dir("config".into()),
        None => Source::Embedded,
    };
    let settings_file = args.settings.or_else(|| match &source {
        Source::Dir(d) => Settings::default_file(d),
        Source::Embedded => None,
    });
    let (settings, warnings) = Settings::load(settings_file.as_deref())?;
    let access_log = outpost::logging::init(&settings);
    for w in warnings {
        warn!("{w}");
    }

    let fingerprint = source.fingerprint();
    let (config, replica) = control::load_and_compile(&source)
        .with_context(|| format!("invalid configuration in {}", source.describe()))?;
    let plan = CpuPlan::detect();
    let n = if settings.workers > 0 {
        settings.workers
    } else {
        plan.default_workers()
    };
    let addr = SocketAddr::new(settings.http_address, settings.http_port);
    let bound = listeners::bind_reuseport(addr, n).with_context(|| format!("cannot listen on {addr}"))?;
    let local = bound[0].local_addr()?;

    let signals = spawn_signal_thread()?;
    let (ev_tx, ev_rx) = crossbeam_channel::unbounded();
    let mut senders = Vec::with_capacity(n);
    for (id, listener) in bound.into_iter().enumerate() {
        let (tx, rx) = crossbeam_channel::unbounded();
        senders.push(tx);
        worker::spawn(WorkerSpec {
            id,
            cpu: plan.cpu_for(id),
            listener,
            settings: settings.clone(),
            replica: Some(replica.clone()),
            control: rx,
            events: ev_tx.clone(),
            access_log,
        })?;
    }
    let mut cpus = Vec::new();
    let mut driver = "";
    for _ in 0..n {
        match ev_rx.recv()? {
            WorkerEvent::Started {
                cpu, pinned, driver: d, ..
            } => {
                cpus.push(if pinned {
                    cpu.to_string()
                } else {
                    format!("{cpu}(unpinned)")
                });
                driver = d.name();
                if d == worker::runtime::Driver::Epoll && settings.driver != outpost::settings::DriverChoice::Epoll {
                    warn!("io_uring is unavailable (blocked by seccomp or an old kernel): using the epoll driver");
                }
            }
            WorkerEvent::Failed { worker, error } => bail!("worker {worker} failed to start: {error}"),
            WorkerEvent::Stopped { .. } => bail!("a worker stopped during start-up"),
        }
    }
    info!(
        workers = n,
        cpus = %cpus.join(","),
        cpu_quota = plan.quota,
        driver,
        listener = %local,
        config = %source.describe(),
        config_hash = format_args!("{:016x}", replica.hash),
        "outpost gateway ready"
    );
    if replica.apis.iter().any(|a| a.id == "echo") {
        let port = local.port();
        info!("try the echo API: curl -i http://127.0.0.1:{port}/echo/hello -d 'hi'");
    }
    let control = Control {
        source,
        workers: senders,
        events: ev_rx,
        signals,
        watch_interval: settings.config_watch_interval,
        grace: settings.shutdown_grace,
        unresolved: !replica.unresolved_hosts().is_empty(),
        hash: replica.hash,
        config,
        fingerprint,
    };
    drop(ev_tx);
    Ok(control.run())
}

/// Forwards SIGHUP, SIGTERM and SIGINT to the control thread.
fn spawn_signal_thread() -> anyhow::Result<crossbeam_channel::Receiver<i32>> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGHUP, SIGTERM, SIGINT])?;
    let (tx, rx) = crossbeam_channel::unbounded();
    std::thread::Builder::new()
        .name("outpost-signals".into())
        .spawn(move || {
            for sig in signals.forever() {
                if tx.send(sig).is_err() {
                    break;
                }
            }
        })?;
    Ok(rx)
}
