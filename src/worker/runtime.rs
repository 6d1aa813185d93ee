//! Builds a worker's monoio runtime: io_uring with the ring flags that make
//! a thread-per-core server fast, falling back to epoll when io_uring is not
//! available (for example under Docker's default seccomp profile).
//!
//! Invariant: the ring is created on the worker thread itself, which is the
//! only thread that ever submits to it (so `SINGLE_ISSUER` is truthful).

use crate::settings::DriverChoice;
use monoio::time::TimeDriver;
use monoio::{IoUringDriver, LegacyDriver, RuntimeBuilder};
use std::future::Future;

/// Which driver a worker ended up on, for the startup log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Driver {
    /// io_uring with COOP_TASKRUN and SINGLE_ISSUER.
    IoUringFast,
    /// io_uring without setup flags (older kernels).
    IoUringPlain,
    Epoll,
}

impl Driver {
    pub fn name(self) -> &'static str {
        match self {
            Driver::IoUringFast => "io_uring (coop_taskrun, single_issuer)",
            Driver::IoUringPlain => "io_uring",
            Driver::Epoll => "epoll",
        }
    }
}

const RING_ENTRIES: u32 = 4096;

/// Runs `make()`'s future to completion on a runtime of the chosen driver,
/// reporting the driver before it starts. Errors only when no driver works.
pub fn run<F, Fut>(choice: DriverChoice, on_start: impl FnOnce(Driver), make: F) -> std::io::Result<Fut::Output>
where
    F: FnOnce() -> Fut,
    Fut: Future,
{
    let mut last_err = None;
    if choice != DriverChoice::Epoll {
        for fast in [true, false] {
            let mut urb = io_uring::IoUring::builder();
            if fast {
                urb.setup_coop_taskrun().setup_single_issuer();
            }
            let built = RuntimeBuilder::<IoUringDriver>::new()
                .with_entries(RING_ENTRIES)
                .uring_builder(urb)
                .enable_timer()
                .build();
            match built {
                Ok(mut rt) => {
                    on_start(if fast {
                        Driver::IoUringFast
                    } else {
                        Driver::IoUringPlain
                    });
                    return Ok(rt.block_on(make()));
                }
                Err(e) => last_err = Some(e),
            }
        }
        if choice == DriverChoice::IoUring {
            return Err(last_err.unwrap_or_else(|| std::io::Error::other("io_uring unavailable")));
        }
    }
    let mut rt: monoio::Runtime<TimeDriver<LegacyDriver>> =
        RuntimeBuilder::<LegacyDriver>::new().enable_timer().build()?;
    on_start(Driver::Epoll);
    Ok(rt.block_on(make()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_drivers_run_a_timer() {
        for choice in [DriverChoice::Auto, DriverChoice::Epoll] {
            let mut seen = None;
            let out = run(
                choice,
                |d| seen = Some(d),
                || async {
                    monoio::time::sleep(std::time::Duration::from_millis(1)).await;
                    7
                },
            )
            .unwrap();
            assert_eq!(out, 7);
            if choice == DriverChoice::Epoll {
                assert_eq!(seen, Some(Driver::Epoll));
            }
        }
    }
}
