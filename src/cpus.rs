//! Which CPUs the process may use, and so how many workers to start.
//!
//! The usable CPUs are the process's affinity mask (as `taskset`, cpusets
//! and Kubernetes' static CPU manager set it), further limited by the cgroup
//! CPU quota when one is set (`cpu.max` in cgroup v2, `cpu.cfs_quota_us` in
//! v1): a pod limited to 2 CPUs on a 64-CPU node gets 2 workers, not 64.
//! Invariant: the result always has at least one CPU.

use core_affinity::CoreId;
use std::path::Path;

/// The CPUs workers are pinned to, in order; worker `i` runs on `cpus[i % len]`.
#[derive(Debug, Clone)]
pub struct CpuPlan {
    pub cpus: Vec<CoreId>,
    /// The cgroup quota in CPUs, rounded up, when one is set.
    pub quota: Option<usize>,
}

impl CpuPlan {
    /// Reads the affinity mask of the calling thread (call it before any
    /// thread pins itself) and the cgroup quota.
    pub fn detect() -> CpuPlan {
        let cpus = core_affinity::get_core_ids().unwrap_or_default();
        let cpus = if cpus.is_empty() { vec![CoreId { id: 0 }] } else { cpus };
        CpuPlan {
            cpus,
            quota: own_cgroup_quota(),
        }
    }

    /// Default worker count: usable CPUs, capped by the quota.
    pub fn default_workers(&self) -> usize {
        let n = self.cpus.len();
        self.quota.map_or(n, |q| n.min(q)).max(1)
    }

    /// The CPU for worker `i`.
    pub fn cpu_for(&self, i: usize) -> CoreId {
        self.cpus[i % self.cpus.len()]
    }
}

/// The quota of this process's own cgroup (from `/proc/self/cgroup`), else
/// of the cgroup root (what a container with a cgroup namespace sees).
fn own_cgroup_quota() -> Option<usize> {
    let root = Path::new("/sys/fs/cgroup");
    let own = std::fs::read_to_string("/proc/self/cgroup").ok().and_then(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("0::"))
            .map(|p| root.join(p.trim_start_matches('/')))
    });
    own.and_then(|dir| cgroup_quota(&dir)).or_else(|| cgroup_quota(root))
}

/// CPU quota under a cgroup directory, rounded up to whole CPUs.
pub fn cgroup_quota(root: &Path) -> Option<usize> {
    if let Ok(text) = std::fs::read_to_string(root.join("cpu.max")) {
        return parse_cpu_max(&text);
    }
    let quota = std::fs::read_to_string(root.join("cpu/cpu.cfs_quota_us")).ok()?;
    let period = std::fs::read_to_string(root.join("cpu/cpu.cfs_period_us")).ok()?;
    ratio(quota.trim().parse().ok()?, period.trim().parse().ok()?)
}

/// Parses cgroup v2 `cpu.max`: `max 100000` or `<quota> <period>`.
pub fn parse_cpu_max(text: &str) -> Option<usize> {
    let mut it = text.split_whitespace();
    let quota = it.next()?;
    let period: i64 = it.next()?.parse().ok()?;
    if quota == "max" {
        return None;
    }
    ratio(quota.parse().ok()?, period)
}

fn ratio(quota: i64, period: i64) -> Option<usize> {
    if quota <= 0 || period <= 0 {
        return None;
    }
    Some(((quota + period - 1) / period) as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_max_forms() {
        assert_eq!(parse_cpu_max("max 100000\n"), None);
        assert_eq!(parse_cpu_max("200000 100000\n"), Some(2));
        assert_eq!(parse_cpu_max("150000 100000"), Some(2));
        assert_eq!(parse_cpu_max("50000 100000"), Some(1));
        assert_eq!(parse_cpu_max("garbage"), None);
    }

    #[test]
    fn quota_caps_workers() {
        let plan = CpuPlan {
            cpus: (0..8).map(|id| CoreId { id }).collect(),
            quota: Some(2),
        };
        assert_eq!(plan.default_workers(), 2);
        assert_eq!(plan.cpu_for(9).id, 1);
    }

    #[test]
    fn cgroup_v1_files() {
        let dir = std::env::temp_dir().join(format!("outpost-cg-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("cpu")).unwrap();
        std::fs::write(dir.join("cpu/cpu.cfs_quota_us"), "300000\n").unwrap();
        std::fs::write(dir.join("cpu/cpu.cfs_period_us"), "100000\n").unwrap();
        assert_eq!(cgroup_quota(&dir), Some(3));
        std::fs::write(dir.join("cpu/cpu.cfs_quota_us"), "-1\n").unwrap();
        assert_eq!(cgroup_quota(&dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
