//! Which CPUs the process may use, how many workers to start, and where to
//! pin them.
//!
//! The usable CPUs are the process's affinity mask (as `taskset`, cpusets
//! and Kubernetes' static CPU manager set it), further limited by the cgroup
//! CPU quota when one is set (`cpu.max` in cgroup v2, the smallest along the
//! path from the process's own cgroup up to the root; `cpu.cfs_quota_us` in
//! v1): a pod limited to 2 CPUs on a 64-CPU node gets 2 workers, not 64.
//!
//! Pinning: when the quota does not cut the mask down (no quota, or a quota
//! of at least as many CPUs as the mask has: a Guaranteed pod with integer
//! CPUs under the static CPU manager, or `taskset`), the CPUs are ours and
//! worker `i` is pinned to `cpus[i % len]`. When the quota is smaller than
//! the mask, the mask is a pool shared with other processes (a Burstable
//! pod, or fractional CPUs): pinning every such process's workers to the
//! pool's first CPUs would stack them on the same cores, so workers are not
//! pinned and the kernel spreads them over the mask.
//!
//! Invariant: a plan always has at least one CPU and one worker.

use core_affinity::CoreId;
use std::path::Path;

/// The CPUs the process may run on and the CPU quota that limits it.
#[derive(Debug, Clone)]
pub struct CpuPlan {
    /// The affinity mask, in CPU order; never empty.
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

    /// The worker count: `configured` (`runtime.workers`) when positive,
    /// else [`CpuPlan::default_workers`].
    pub fn workers(&self, configured: usize) -> usize {
        if configured > 0 {
            configured
        } else {
            self.default_workers()
        }
    }

    /// Whether the CPUs of the mask are ours to pin to (see the module docs).
    pub fn pins(&self) -> bool {
        self.quota.is_none_or(|q| q >= self.cpus.len())
    }

    /// The CPU worker `i` is pinned to, or `None` when workers float.
    pub fn cpu_for(&self, i: usize) -> Option<CoreId> {
        self.pins().then(|| self.cpus[i % self.cpus.len()])
    }
}

/// The quota of this process's own cgroup and its ancestors (from
/// `/proc/self/cgroup`), else of the cgroup root (what a container with a
/// cgroup namespace, or with only its own cgroup mounted, sees).
fn own_cgroup_quota() -> Option<usize> {
    let root = Path::new("/sys/fs/cgroup");
    let own = std::fs::read_to_string("/proc/self/cgroup").ok().and_then(|text| {
        text.lines()
            .find_map(|l| l.strip_prefix("0::"))
            .map(|p| root.join(p.trim().trim_start_matches('/')))
    });
    match own {
        Some(dir) if dir.is_dir() => path_quota(root, &dir),
        _ => cgroup_quota(root),
    }
}

/// The smallest v2 quota from `dir` up to `root` (both included); `dir` must
/// be under `root`.
pub fn path_quota(root: &Path, dir: &Path) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut cur = Some(dir);
    while let Some(d) = cur.filter(|d| d.starts_with(root)) {
        if let Some(q) = cgroup_quota(d) {
            best = Some(best.map_or(q, |b| b.min(q)));
        }
        cur = d.parent();
    }
    best
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

    fn plan(cpus: &[usize], quota: Option<usize>) -> CpuPlan {
        CpuPlan {
            cpus: cpus.iter().map(|&id| CoreId { id }).collect(),
            quota,
        }
    }

    #[test]
    fn quota_below_the_mask_caps_workers_and_leaves_them_unpinned() {
        // A Burstable pod with a 2-CPU limit on an 8-CPU node.
        let p = plan(&[0, 1, 2, 3, 4, 5, 6, 7], Some(2));
        assert_eq!(p.workers(0), 2);
        assert!(!p.pins());
        assert_eq!(p.cpu_for(0), None);
    }

    #[test]
    fn given_cpus_are_sized_and_pinned_exactly() {
        // Static CPU manager: exclusive CPUs 5 and 9, quota of 2 CPUs.
        let p = plan(&[5, 9], Some(2));
        assert_eq!(p.workers(0), 2);
        let pinned: Vec<usize> = (0..2).map(|i| p.cpu_for(i).unwrap().id).collect();
        assert_eq!(pinned, [5, 9]);
        // `taskset -c 3` without a quota.
        let p = plan(&[3], None);
        assert_eq!(p.workers(0), 1);
        assert_eq!(p.cpu_for(0).map(|c| c.id), Some(3));
        // A quota above the mask does not add workers.
        assert_eq!(plan(&[0, 1], Some(4)).workers(0), 2);
    }

    #[test]
    fn runtime_workers_overrides_and_wraps_over_the_cpus() {
        let p = plan(&[5, 9], Some(2));
        assert_eq!(p.workers(3), 3);
        assert_eq!(p.cpu_for(2).map(|c| c.id), Some(5));
    }

    #[test]
    fn smallest_quota_on_the_path_to_the_root_wins() {
        let root = std::env::temp_dir().join(format!("outpost-cg2-{}", std::process::id()));
        let leaf = root.join("kubepods.slice/pod1/ctr");
        std::fs::create_dir_all(&leaf).unwrap();
        std::fs::write(root.join("cpu.max"), "max 100000\n").unwrap();
        std::fs::write(root.join("kubepods.slice/pod1/cpu.max"), "300000 100000\n").unwrap();
        std::fs::write(leaf.join("cpu.max"), "max 100000\n").unwrap();
        assert_eq!(path_quota(&root, &leaf), Some(3));
        std::fs::write(leaf.join("cpu.max"), "150000 100000\n").unwrap();
        assert_eq!(path_quota(&root, &leaf), Some(2));
        std::fs::write(root.join("kubepods.slice/pod1/cpu.max"), "max 100000\n").unwrap();
        std::fs::write(leaf.join("cpu.max"), "max 100000\n").unwrap();
        assert_eq!(path_quota(&root, &leaf), None);
        std::fs::remove_dir_all(&root).unwrap();
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
