//! What a container runtime hands the gateway: settings in environment
//! variables with APIM's names (`docker run --env-file`, Kubernetes
//! `envFrom`), and a CPU set (`taskset`, cpusets, the static CPU manager).

use crate::support::gateway::field;
use crate::support::Gateway;

#[test]
fn apim_env_file_names_configure_the_gateway() {
    // The shape of APIM's portal-generated env.conf, plus our own settings
    // under the same dotted naming.
    let gw = Gateway::builder()
        .embedded()
        .env("runtime.deployment.artifact.source", "Azure Portal")
        .env("runtime.deployment.mechanism", "Docker")
        .env("telemetry.logs.std", "json")
        .env("net.server.http.head.timeout", "5s")
        .env("net.server.htp.port", "1")
        .start();
    let ready = gw.wait_for_line(
        |l| l.contains("outpost gateway ready"),
        crate::support::gateway::LOG_TIMEOUT,
    );
    assert!(ready.starts_with('{'), "JSON logs from telemetry.logs.std: {ready}");
    // A misspelt dotted name is reported, not silently dropped.
    let warning = gw.wait_for_line(
        |l| l.contains("net.server.htp.port"),
        crate::support::gateway::LOG_TIMEOUT,
    );
    assert!(warning.contains("unknown setting"), "{warning}");
    assert!(
        gw.lines_with("runtime.deployment").is_empty(),
        "informational keys are silent"
    );
    let r = gw.connect().get("/status-0123456789abcdef");
    assert_eq!(r.status, 200);
}

/// The last CPU of this process's affinity mask.
fn some_cpu() -> usize {
    core_affinity::get_core_ids()
        .expect("affinity mask")
        .last()
        .expect("a CPU")
        .id
}

#[test]
fn workers_follow_the_cpus_given_and_pin_to_them() {
    let cpu = some_cpu();
    let gw = Gateway::builder()
        .embedded()
        .env("OUTPOST_RUNTIME_WORKERS", "0")
        .taskset(&cpu.to_string())
        .start();
    let ready = gw.wait_for_line(
        |l| l.contains("outpost gateway ready"),
        crate::support::gateway::LOG_TIMEOUT,
    );
    assert_eq!(field(&ready, "workers").as_deref(), Some("1"), "{ready}");
    assert_eq!(field(&ready, "cpus"), Some(cpu.to_string()), "{ready}");
    assert_eq!(gw.connect().get("/echo/x").status, 200);
}

#[test]
fn runtime_workers_overrides_the_cpu_count() {
    let cpu = some_cpu();
    let gw = Gateway::builder()
        .embedded()
        .env("OUTPOST_RUNTIME_WORKERS", "3")
        .taskset(&cpu.to_string())
        .start();
    let ready = gw.wait_for_line(
        |l| l.contains("outpost gateway ready"),
        crate::support::gateway::LOG_TIMEOUT,
    );
    assert_eq!(field(&ready, "workers").as_deref(), Some("3"), "{ready}");
    let c = cpu.to_string();
    assert_eq!(field(&ready, "cpus"), Some([c.as_str(); 3].join(",")), "{ready}");
}

#[test]
fn control_plane_adopts_a_provisioned_admin_token() {
    // In Kubernetes a Secret mounted at <data>/admin-token: the image has no
    // shell to read a generated token out of the pod.
    let token = "provisioned-admin-token-0123456789abcdef";
    let cp = crate::support::ControlPlane::start_with_admin_token(token);
    assert_eq!(cp.admin_token(), token);
    let bearer = format!("Bearer {token}");
    assert_eq!(cp.raw("GET", "/mgmt/apis", Some(&bearer), "").status, 200);
    assert_eq!(cp.raw("GET", "/mgmt/apis", Some("Bearer wrong"), "").status, 401);
}

/// `Cpus_allowed_list` of each worker thread of `pid` (threads are named
/// `outpost-worker-N`, cut to 15 bytes by the kernel).
fn worker_affinities(pid: i32) -> Vec<String> {
    let mut out = Vec::new();
    for task in std::fs::read_dir(format!("/proc/{pid}/task")).expect("read /proc tasks") {
        let dir = task.expect("task entry").path();
        let comm = std::fs::read_to_string(dir.join("comm")).unwrap_or_default();
        if !comm.starts_with("outpost-worker") {
            continue;
        }
        let status = std::fs::read_to_string(dir.join("status")).expect("task status");
        let allowed = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .expect("Cpus_allowed_list")
            .trim()
            .to_string();
        out.push(allowed);
    }
    out.sort();
    out
}

#[test]
fn each_worker_thread_is_pinned_to_its_own_cpu_of_the_mask() {
    // Two CPUs of this process's mask when it has two (one otherwise).
    let mask = core_affinity::get_core_ids().expect("affinity mask");
    let given: Vec<String> = mask.iter().rev().take(2).map(|c| c.id.to_string()).collect();
    let gw = Gateway::builder()
        .embedded()
        .env("OUTPOST_RUNTIME_WORKERS", "0")
        .taskset(&given.join(","))
        .start();
    let ready = gw.wait_for_line(
        |l| l.contains("outpost gateway ready"),
        crate::support::gateway::LOG_TIMEOUT,
    );
    let quota: Option<usize> = field(&ready, "cpu_quota").and_then(|q| q.parse().ok());
    let affinities = worker_affinities(gw.pid());
    if quota.is_some_and(|q| q < given.len()) {
        // A quota below the mask (a shared pool): workers float over the mask.
        assert_eq!(affinities.len(), quota.unwrap(), "{ready}");
        assert!(ready.contains("cpus=any"), "{ready}");
    } else {
        let mut want = given.clone();
        want.sort();
        assert_eq!(affinities, want, "one worker pinned to each given CPU: {ready}");
    }
}
