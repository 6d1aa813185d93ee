//! `retry`: run the enclosed policies (typically `forward-request`) again
//! while a condition holds, up to `count` more times, waiting between tries.
//!
//! ```xml
//! <retry condition="@(context.Response.StatusCode >= 500)" count="3" interval="1"
//!        delta="1" max-interval="10" first-fast-retry="false">
//!   <forward-request buffer-request-body="true"/>
//! </retry>
//! ```
//! Waits: only `interval` → fixed; with `delta` → linear
//! (`interval + (n-1)·delta`); with `delta` and `max-interval` →
//! exponential (`interval + (2^(n-1) - 1)·delta`), both capped by
//! `max-interval`; `first-fast-retry` makes the first retry immediate.
//! The request body is buffered (bounded by `policy.body.max-bytes`) so it
//! can be sent again. Allowed in every section (APIM's list); around
//! policies that wait (`send-request`…) the back-off suspends the request,
//! never the worker. A `retry` may not contain `wait`.

use std::time::Duration;

use super::compile::{CompileError, Compiler, Element, Section};
use super::exec::Run;
use super::expr::{Expr, Want};
use super::failure::Failure;

/// The longest wait between two attempts (a day): intervals written larger
/// are clamped, never handed to the timer as they are.
pub const MAX_DELAY: Duration = Duration::from_secs(86_400);

#[derive(Clone, Debug)]
pub struct Retry {
    pub condition: Expr,
    /// Most retries after the first try.
    pub count: u32,
    pub interval: Duration,
    pub delta: Option<Duration>,
    pub max_interval: Option<Duration>,
    pub first_fast_retry: bool,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<Retry, CompileError> {
    c.only_in(
        el,
        &[Section::Inbound, Section::Backend, Section::Outbound, Section::OnError],
    )?;
    if let Some(w) = find_wait(el) {
        return Err(c.error(w, "<wait> may not appear inside <retry>"));
    }
    let condition = c
        .expr_attr(el, "condition", Want::Bool)?
        .ok_or_else(|| c.error(el, "missing attribute `condition`"))?;
    let count = c
        .number(el, "count")?
        .ok_or_else(|| c.error(el, "missing attribute `count`"))?;
    if count > 50 {
        return Err(c.error(el, "count must be at most 50"));
    }
    let interval = c
        .number(el, "interval")?
        .ok_or_else(|| c.error(el, "missing attribute `interval`"))?;
    let secs = |v: Option<u64>| v.map(Duration::from_secs);
    Ok(Retry {
        condition,
        count: count as u32,
        interval: Duration::from_secs(interval),
        delta: secs(c.number(el, "delta")?),
        max_interval: secs(c.number(el, "max-interval")?),
        first_fast_retry: c.boolean(el, "first-fast-retry", false)?,
    })
}

/// The first `wait` element inside `el`, at any depth.
fn find_wait(el: &Element) -> Option<&Element> {
    el.children_elements()
        .find_map(|c| if c.name == "wait" { Some(c) } else { find_wait(c) })
}

impl Retry {
    /// At the end of the body: whether to run it again, and after how
    /// long. Counts the attempt (`slot` is the loop's counter).
    pub fn again<'p>(&'p self, slot: usize, r: &mut Run<'_, 'p>) -> Result<Option<Duration>, Failure> {
        let attempt = r.flow.attempt(slot);
        if attempt >= self.count || !r.eval_bool(&self.condition, "retry")? {
            return Ok(None);
        }
        r.flow.set_attempt(slot, attempt + 1);
        Ok(Some(self.delay(attempt + 1)))
    }

    /// The wait before retry number `n` (1-based), at most [`MAX_DELAY`].
    pub fn delay(&self, n: u32) -> Duration {
        if n == 1 && self.first_fast_retry {
            return Duration::ZERO;
        }
        let k = n.saturating_sub(1);
        let wait = match (self.delta, self.max_interval) {
            (None, _) => self.interval,
            (Some(d), None) => self.interval.saturating_add(d.saturating_mul(k)),
            (Some(d), Some(_)) => self
                .interval
                .saturating_add(d.saturating_mul(2u32.saturating_pow(k.min(20)) - 1)),
        };
        let wait = match self.max_interval {
            Some(max) => wait.min(max),
            None => wait,
        };
        // The runtime's timer cannot take arbitrarily far deadlines.
        wait.min(MAX_DELAY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn retry(interval: u64, delta: Option<u64>, max: Option<u64>, fast: bool) -> Retry {
        Retry {
            condition: Expr::compile("@(true)").unwrap(),
            count: 10,
            interval: Duration::from_secs(interval),
            delta: delta.map(Duration::from_secs),
            max_interval: max.map(Duration::from_secs),
            first_fast_retry: fast,
        }
    }

    fn waits(r: &Retry) -> Vec<u64> {
        (1..=6).map(|n| r.delay(n).as_secs()).collect()
    }

    #[test]
    fn huge_intervals_are_clamped_not_overflowed() {
        let r = retry(u64::MAX, Some(u64::MAX), None, false);
        assert_eq!(r.delay(3), MAX_DELAY);
        let r = retry(u64::MAX / 2, Some(u64::MAX / 2), Some(u64::MAX), false);
        assert_eq!(r.delay(30), MAX_DELAY);
        assert_eq!(retry(5, None, None, false).delay(1), Duration::from_secs(5));
    }

    #[test]
    fn fixed_linear_and_exponential_waits() {
        assert_eq!(waits(&retry(5, None, None, false)), [5, 5, 5, 5, 5, 5]);
        assert_eq!(waits(&retry(5, None, Some(3), false)), [3, 3, 3, 3, 3, 3], "capped");
        // Linear: interval + (n-1)·delta.
        assert_eq!(waits(&retry(1, Some(2), None, false)), [1, 3, 5, 7, 9, 11]);
        // Exponential, APIM's example: interval = delta = 10 s, max 100 s.
        assert_eq!(
            waits(&retry(10, Some(10), Some(100), false)),
            [10, 20, 40, 80, 100, 100]
        );
        // first-fast-retry: the first retry does not wait.
        assert_eq!(waits(&retry(10, Some(10), Some(100), true)), [0, 20, 40, 80, 100, 100]);
        // Huge retry numbers saturate instead of overflowing.
        assert_eq!(
            retry(1, Some(1), Some(7), false).delay(u32::MAX),
            Duration::from_secs(7)
        );
    }
}
