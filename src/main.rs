//! The `outpost` binary: command-line parsing and process start-up. Errors
//! become `anyhow` only here, at the edge.

use anyhow::{bail, Context};
use outpost::config::Config;
use outpost::control::{self, Control, Source};
use outpost::cpus::CpuPlan;
use outpost::replica::Replica;
use outpost::settings::{Settings, KEYS};
use outpost::sync::backup::Backup;
use outpost::sync::snapshot::Snapshot;
use outpost::sync::{SharedStatus, SyncSettings};
use outpost::worker::{self, listeners, WorkerEvent, WorkerSpec};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing::{error, info, warn};

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
    outpost check-policy [--scope SCOPE] [--section SECTION] [--named-value NAME=VALUE]...
                         [--unsupported skip|error] FILE...
        Lint policy documents (<policies> or <fragment>) on their own: per
        section, the policies that would run; the ones skipped; every error
        with file, line, the expression and its line and column.
        SCOPE: global, product, api or operation (default operation);
        SECTION: where a <fragment> is linted (default: each of its
        policies in the first section that allows it).
        Undefined {{name}} references are kept as placeholders. Unsupported
        policies are warnings (skip, the default) or errors. Exit 1 on any
        error.
    outpost control-plane [--data DIR] [--listen ADDR] [--tls-cert FILE --tls-key FILE]
        Run the management plane (REST API, gateway keys and tokens,
        configuration snapshots). Defaults: --data ./outpost-data,
        --listen 127.0.0.1:8090. With --tls-cert/--tls-key (PEM) it
        serves HTTPS.
    outpost probe [--port PORT] [--path PATH] [--config DIR] [--settings FILE]
        Health check (for container images without curl): GET PATH
        (default /status-0123456789abcdef) on this host, on PORT or the
        gateway's HTTP port from the same settings the gateway reads;
        exit 0 on 200, else 1.
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
        "check-policy" => check_policy(&args),
        "control-plane" => control_plane(&args),
        "probe" => probe(&args),
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
    let (settings, _) = Settings::load(Settings::default_file(&dir).as_deref())?;
    outpost::policy::compile::set_skip_unsupported(settings.policy_skip_unsupported);
    outpost::policy::dapr::set_sidecar(&settings.dapr_url);
    outpost::tls::local_ca::set_dir(settings.local_ca_enabled.then(|| settings.local_ca_path.clone()));
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

fn check_policy(args: &[String]) -> anyhow::Result<i32> {
    use outpost::policy::check::{check, parse_scope, CheckOptions};
    use outpost::policy::compile::Unsupported;
    let mut options = CheckOptions {
        scope: outpost::policy::document::Scope::Operation,
        unsupported: Unsupported::Skip,
        ..Default::default()
    };
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--scope" => {
                let v = value()?;
                options.scope =
                    parse_scope(v).with_context(|| format!("--scope {v:?}: global, product, api or operation"))?;
            }
            "--section" => {
                let v = value()?;
                options.section = outpost::policy::check::parse_section(v)
                    .map(Some)
                    .with_context(|| format!("--section {v:?}: inbound, backend, outbound or on-error"))?;
            }
            "--named-value" => {
                let v = value()?;
                let (name, val) = v
                    .split_once('=')
                    .with_context(|| format!("--named-value {v:?}: NAME=VALUE"))?;
                options.named_values.push((name.to_owned(), val.to_owned()));
            }
            "--unsupported" => {
                options.unsupported = match value()?.as_str() {
                    "skip" => Unsupported::Skip,
                    "error" => Unsupported::Error,
                    v => bail!("--unsupported {v:?}: skip or error"),
                }
            }
            f if f.starts_with("--") => bail!("unknown argument {f:?}\n\n{USAGE}"),
            f => files.push(PathBuf::from(f)),
        }
    }
    if files.is_empty() {
        bail!("check-policy needs at least one FILE\n\n{USAGE}");
    }
    let mut failed = false;
    for file in files {
        let name = file.display().to_string();
        let xml = std::fs::read_to_string(&file).with_context(|| format!("reading {name}"))?;
        let report = check(&name, &xml, &options);
        failed |= !report.errors.is_empty();
        print!("{}", report.render(&name));
    }
    Ok(if failed { 1 } else { 0 })
}

fn control_plane(args: &[String]) -> anyhow::Result<i32> {
    let mut data_dir = PathBuf::from("outpost-data");
    let mut listen: SocketAddr = "127.0.0.1:8090".parse()?;
    let (mut tls_cert, mut tls_key) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().with_context(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--data" => data_dir = value.into(),
            "--listen" => listen = value.parse().with_context(|| format!("--listen {value:?}"))?,
            "--tls-cert" => {
                tls_cert = Some(std::fs::read_to_string(value).with_context(|| format!("--tls-cert {value}"))?)
            }
            "--tls-key" => {
                tls_key = Some(std::fs::read_to_string(value).with_context(|| format!("--tls-key {value}"))?)
            }
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    let (settings, _) = Settings::load(None)?;
    outpost::logging::init(&settings);
    outpost::mgmt::run(outpost::mgmt::ControlPlaneOptions {
        data_dir,
        listen,
        ready: None,
        auth: settings.mgmt_auth.clone(),
        tls: match (tls_cert, tls_key) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => bail!("--tls-cert and --tls-key go together"),
        },
    })?;
    Ok(0)
}

fn probe(args: &[String]) -> anyhow::Result<i32> {
    let (mut port, mut path, mut config, mut settings_file) = (None, None, None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let value = it.next().with_context(|| format!("{a} needs a value"))?;
        match a.as_str() {
            "--port" => port = Some(value.parse().with_context(|| format!("--port {value:?}"))?),
            "--path" => path = Some(value.clone()),
            "--config" => config = Some(PathBuf::from(value)),
            "--settings" => settings_file = Some(PathBuf::from(value)),
            other => bail!("unknown argument {other:?}\n\n{USAGE}"),
        }
    }
    // The settings the gateway itself would read: --settings, else
    // settings.conf in --config DIR (default ./config), then the environment.
    let dir = config.unwrap_or_else(|| PathBuf::from("config"));
    let settings_file = settings_file.or_else(|| Settings::default_file(&dir));
    let (settings, _) = Settings::load(settings_file.as_deref())?;
    let mut target = outpost::probe::Target::from_settings(&settings, port)?;
    if let Some(p) = path {
        target.path = p;
    }
    match target.run() {
        Ok(()) => {
            println!("{}: 200", target.url());
            Ok(0)
        }
        Err(e) => {
            eprintln!("outpost probe: {e}");
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
        _ => None,
    });
    let (settings, warnings) = Settings::load(settings_file.as_deref())?;
    let access_log = outpost::logging::init(&settings);
    outpost::policy::compile::set_skip_unsupported(settings.policy_skip_unsupported);
    outpost::policy::dapr::set_sidecar(&settings.dapr_url);
    for w in warnings {
        warn!("{w}");
    }
    outpost::tls::init(settings.server_suites.as_deref(), settings.client_suites.as_deref())
        .map_err(anyhow::Error::msg)?;
    outpost::tls::local_ca::set_dir(settings.local_ca_enabled.then(|| settings.local_ca_path.clone()));
    // Checked here too so that a bad file stops the start in every mode
    // (with the management plane, snapshots are only compiled later).
    if let Some(dir) = outpost::tls::local_ca::dir() {
        outpost::tls::local_ca::read(dir).context("invalid local CA certificates (certificates.local.ca.path)")?;
    }

    // Metrics and spans: one thread merges the workers' frames and feeds
    // the sinks (see `outpost::telemetry`); started before the sync threads,
    // whose heartbeats carry the management plane's metrics.
    let telemetry = outpost::telemetry::start(&settings.telemetry, settings.service_endpoint.is_some());
    let mut source = source;
    let mut remote = None;
    let fingerprint = source.fingerprint();
    let (config, replica) = match (&settings.service_endpoint, &settings.service_auth) {
        (Some(endpoint), Some(auth)) => {
            let local_tls = match &source {
                Source::Dir(d) => Some(d.clone()),
                _ => None,
            };
            source = Source::Remote(endpoint.clone());
            let metrics = telemetry.as_ref().and_then(|h| h.rollup.clone());
            let (r, initial) = start_remote(&settings, endpoint, &auth.0, local_tls, metrics);
            remote = Some(r);
            initial
        }
        _ => {
            let (config, replica) = control::load_and_compile(&source)
                .with_context(|| format!("invalid configuration in {}", source.describe()))?;
            (config, Some(replica))
        }
    };
    let plan = CpuPlan::detect();
    let n = plan.workers(settings.workers);
    let addr = SocketAddr::new(settings.http_address, settings.http_port);
    let bound = listeners::bind_reuseport(addr, n).with_context(|| format!("cannot listen on {addr}"))?;
    let local = bound[0].local_addr()?;
    let tls_addr = SocketAddr::new(settings.http_address, settings.https_port);
    let tls_bound =
        listeners::bind_reuseport(tls_addr, n).with_context(|| format!("cannot listen on {tls_addr} (HTTPS)"))?;
    let tls_local = tls_bound[0].local_addr()?;

    let signals = spawn_signal_thread()?;
    let (ev_tx, ev_rx) = crossbeam_channel::unbounded();
    let mut senders = Vec::with_capacity(n);
    // One set of limit counters for the whole process: every worker gets a
    // clone, so a limit of N is N across all workers.
    let limits = outpost::policy::services::process_limits();
    // One cache for the whole process, shared the same way (an entry one
    // worker stores is found by the others).
    let cache = outpost::cache::process_cache(settings.cache_max_bytes, settings.cache_max_entry_bytes);
    // Keys and tokens from identity providers: asked by the workers over
    // a bounded queue, fetched by one thread (see `outpost::authority`).
    let (asker, asked) = outpost::authority::Asker::channel(settings.authority_wait_timeout);
    // The local request log (`telemetry.logs.local`): its own thread behind
    // a bounded queue (see `outpost::telemetry::request_log`).
    let request_log = outpost::telemetry::request_log::start(&settings.telemetry);
    for (id, (listener, tls_listener)) in bound.into_iter().zip(tls_bound).enumerate() {
        let (tx, rx) = crossbeam_channel::unbounded();
        senders.push(tx);
        worker::spawn(WorkerSpec {
            id,
            cpu: plan.cpu_for(id),
            listener,
            tls_listener,
            settings: settings.clone(),
            replica: replica.clone(),
            control: rx,
            events: ev_tx.clone(),
            access_log,
            limits: limits.clone(),
            cache: cache.clone(),
            authority: Some(asker.clone()),
            telemetry: telemetry.clone(),
            request_log: request_log.as_ref().map(|h| h.queue.clone()),
        })?;
    }
    let authority = match outpost::authority::fetch::spawn(outpost::authority::fetch::Spec {
        asked,
        workers: senders.clone(),
        identities: settings.oauth_identities(),
        backup_dir: settings.backup_dir.clone(),
        fetch_timeout: settings.authority_fetch_timeout,
    }) {
        Ok(h) => {
            if let Some(r) = &replica {
                h.watch(&r.openid_urls);
            }
            Some(h)
        }
        Err(e) => {
            error!(error = %e, "cannot start the identity-provider thread; policies needing keys or tokens fail");
            None
        }
    };
    let mut cpus = Vec::new();
    let mut driver = "";
    while cpus.len() < n {
        match ev_rx.recv()? {
            WorkerEvent::Started {
                cpu, pinned, driver: d, ..
            } => {
                cpus.push(match cpu {
                    Some(cpu) if pinned => cpu.to_string(),
                    Some(cpu) => format!("{cpu}(unpinned)"),
                    None => "any".to_string(),
                });
                driver = d.name();
                if d == worker::runtime::Driver::Epoll && settings.driver != outpost::settings::DriverChoice::Epoll {
                    warn!("io_uring is unavailable (blocked by seccomp or an old kernel): using the epoll driver");
                }
            }
            WorkerEvent::Failed { worker, error } => bail!("worker {worker} failed to start: {error}"),
            WorkerEvent::Stopped { .. } => bail!("a worker stopped during start-up"),
            WorkerEvent::Counters { .. } => {}
        }
    }
    info!(
        workers = n,
        cpus = %cpus.join(","),
        cpu_quota = plan.quota,
        driver,
        listener = %local,
        https_listener = %tls_local,
        tls_hostnames = replica.as_ref().map_or(0, |r| r.server_tls.as_ref().map_or(0, |t| t.len())),
        config = %source.describe(),
        config_hash = format_args!("{:016x}", replica.as_ref().map_or(0, |r| r.hash)),
        "outpost gateway ready"
    );
    if replica.is_none() {
        warn!("no configuration yet: API requests get 503 and /internal-status-0123456789abcdef reports not ready until the first snapshot arrives");
    }
    if replica.as_ref().is_some_and(|r| r.apis.iter().any(|a| a.id == "echo")) {
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
        unresolved: replica.as_ref().is_some_and(|r| !r.unresolved_hosts().is_empty()),
        hash: replica.as_ref().map_or(0, |r| r.hash),
        remote,
        counters: vec![(0, 0, 0); n],
        limits,
        config,
        fingerprint,
        authority,
    };
    drop(ev_tx);
    let code = control.run();
    if let Some(h) = request_log {
        h.finish(outpost::telemetry::request_log::EXIT_FLUSH);
    }
    Ok(code)
}

/// Management-plane mode: the initial configuration comes from the backup
/// (when one is configured and valid), then the sync threads take over.
fn start_remote(
    settings: &Settings,
    endpoint: &str,
    auth: &str,
    local_tls: Option<PathBuf>,
    metrics: Option<outpost::telemetry::rollup::SharedRollup>,
) -> (control::Remote, (Config, Option<Replica>)) {
    let backup = settings.backup_dir.as_ref().map(Backup::new);
    let mut initial = (Config::default(), None);
    let mut applied = None;
    let status = SharedStatus::default();
    if let Some(b) = &backup {
        match b.read() {
            Ok(Some(raw)) => match Snapshot::parse(&raw).map_err(|e| e.to_string()).and_then(|s| {
                let cfg = outpost::sync::snapshot_config(&s, local_tls.as_deref())?;
                let replica = control::compile(&cfg).map_err(|e| e.to_string())?;
                Ok((s.version, cfg, replica))
            }) {
                Ok((version, cfg, replica)) => {
                    info!(version, path = %b.path().display(), "serving the configuration backup until the management plane answers");
                    status.lock().unwrap_or_else(|e| e.into_inner()).applied_version = Some(version);
                    initial = (cfg, Some(replica));
                    applied = Some(raw);
                }
                Err(e) => {
                    error!(path = %b.path().display(), error = %e, "configuration backup unusable; not serving it")
                }
            },
            Ok(None) => info!(path = %b.path().display(), "no configuration backup yet"),
            Err(e) => error!(error = %e, "configuration backup refused"),
        }
    }
    let (tx, rx) = crossbeam_channel::unbounded();
    let (stop_tx, stop_rx) = crossbeam_channel::bounded(1);
    let (nudge_tx, nudge_rx) = crossbeam_channel::bounded(1);
    let oauth = match settings.gateway_identity() {
        Some(Ok(identity)) => {
            info!(client_id = %identity.client_id, audience = %settings.service_token_audience,
                "the gateway authenticates to its management plane with OAuth2 (azureAdApp)");
            if settings.gateway_name.is_none() {
                warn!("gateway.name is not set: the management plane must find the gateway from the application alone (APIM requires gateway.name with Microsoft Entra authentication)");
            }
            Some(std::sync::Arc::new(outpost::authority::gateway::GatewayToken::new(
                identity,
                settings.service_token_audience.clone(),
                settings.authority_fetch_timeout,
            )))
        }
        _ => None,
    };
    let sync_settings = SyncSettings {
        endpoint: endpoint.to_string(),
        auth: auth.to_string(),
        oauth,
        gateway_name: settings.gateway_name.clone(),
        timeout: settings.service_timeout,
        poll_interval: settings.service_poll_interval,
        long_poll: settings.service_long_poll,
        heartbeat_interval: settings.service_heartbeat_interval,
        skip_verify: settings.service_skip_verify,
        local_tls: local_tls.clone(),
        metrics,
    };
    if settings.service_skip_verify {
        warn!("config.service.endpoint.disableCertificateValidation is set: the management plane's TLS certificate is NOT verified (testing only)");
    }
    if let Err(e) = outpost::sync::spawn(sync_settings, status.clone(), tx, stop_rx, nudge_rx) {
        error!(error = %e, "cannot start the configuration sync threads");
    }
    info!(endpoint, "configuration from the management plane");
    let remote = control::Remote {
        events: rx,
        backup,
        status,
        stop: stop_tx,
        nudge: nudge_tx,
        local_tls,
        applied,
    };
    (remote, initial)
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
