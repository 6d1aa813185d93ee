//! Limit counting that waits for the response: an `increment-condition`
//! that reads `context.Response` (APIM checks the limit on the request and
//! counts after the response), and quota `bandwidth` (request and response
//! body bytes are known only when the exchange is over).
//!
//! Lifecycle of one [`Deferred`] entry on the request's `Flow`:
//! 1. inbound: the policy checks its limit (without counting what must
//!    wait) and records the entry;
//! 2. [`decide`], once the final response head is known (after outbound
//!    on a relayed response, before a gateway-made one is written):
//!    evaluates the pending conditions;
//! 3. [`settle`], when the request ends: adds the decided calls and the
//!    bytes to the counters.
//!
//! Invariants: an entry whose condition was never decided (no response was
//! produced, or the client went away and the request was dropped) is not
//! counted; a quota key is counted at most once per request (APIM: "if
//! multiple policies would increment the same key value, it is incremented
//! only once per request"), see [`Flow::quota_seen`](super::flow::Flow).

use std::time::Duration;

use super::exec::Run;
use super::expr::Expr;
use super::flow::Flow;
use super::limits::{LimitKey, Limits, QuotaSpec};

/// What one entry adds when it settles.
#[derive(Clone, Debug)]
pub enum Count<'p> {
    /// Rate-limit calls.
    Rate { period: Duration, calls: u32 },
    /// Quota calls, plus the exchange's bytes when the spec has a bandwidth limit.
    Quota { spec: &'p QuotaSpec, calls: u64 },
}

/// One limit's counting left for after the response.
#[derive(Clone, Debug)]
pub struct Deferred<'p> {
    pub key: LimitKey,
    pub count: Count<'p>,
    /// The `increment-condition` still to evaluate on the response.
    pub condition: Option<&'p Expr>,
    /// Whether the entry counts (set when the condition is decided).
    pub counted: bool,
}

impl<'p> Deferred<'p> {
    /// An entry decided now (`counted`), e.g. bandwidth to add later.
    pub fn decided(key: LimitKey, count: Count<'p>, counted: bool) -> Self {
        Deferred {
            key,
            count,
            condition: None,
            counted,
        }
    }

    /// An entry whose condition is evaluated on the response.
    pub fn on_response(key: LimitKey, count: Count<'p>, condition: &'p Expr) -> Self {
        Deferred {
            key,
            count,
            condition: Some(condition),
            counted: false,
        }
    }
}

/// Whether an `increment-condition` reads the response (then it is
/// evaluated after the response, as APIM does).
pub fn reads_response(source: &str) -> bool {
    let compact: String = source.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("context.Response")
}

/// Evaluates the pending conditions against the response `r` sees now.
pub fn decide(r: &mut Run<'_, '_>) {
    if r.flow.after.iter().all(|d| d.condition.is_none()) {
        return;
    }
    let mut after = std::mem::take(&mut r.flow.after);
    for d in &mut after {
        if let Some(cond) = d.condition.take() {
            d.counted = match r.eval_bool(cond, "increment-condition") {
                Ok(v) => v,
                Err(e) => {
                    tracing::debug!(api = %r.env.api.id, error = %e, "increment-condition failed; not counted");
                    false
                }
            };
        }
    }
    r.flow.after = after;
}

/// Adds what the request's entries decided; `bytes` is the request and
/// response body bytes of the exchange.
pub fn settle(flow: &mut Flow<'_>, limits: &Limits, bytes: u64) {
    for d in flow.after.drain(..) {
        if d.condition.is_some() || !d.counted {
            continue;
        }
        let stored = match d.count {
            Count::Rate { period, calls } => limits.add_rate_calls(&d.key, period, calls),
            Count::Quota { spec, calls } => {
                let bytes = if spec.bandwidth_kb.is_some() { bytes } else { 0 };
                limits.add_quota(&d.key, spec, calls, bytes)
            }
        };
        if !stored {
            tracing::warn!("limit counters are full; a deferred count was dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::limits::{ManualClock, Moment};
    use std::sync::Arc;

    #[test]
    fn response_conditions_are_recognised() {
        assert!(reads_response("@(context.Response.StatusCode == 200)"));
        assert!(reads_response("@(context . Response.StatusCode < 300)"));
        assert!(!reads_response("@(context.Request.Method == \"GET\")"));
    }

    #[test]
    fn settle_counts_only_decided_entries_and_bytes_only_for_bandwidth() {
        let limits = Limits::new(Arc::new(ManualClock::new(Moment::from_unix_secs(1_700_000_000))), 100);
        let calls = QuotaSpec::new(Some(10), None, Duration::from_secs(3600));
        let kb = QuotaSpec::new(None, Some(2), Duration::from_secs(3600));
        let cond = Expr::compile("@(true)").unwrap();
        let mut flow = Flow::default();
        let k = |s: &str| LimitKey::shared(s);
        let rate = Count::Rate {
            period: Duration::from_secs(60),
            calls: 2,
        };
        flow.after.push(Deferred::decided(k("r"), rate.clone(), true));
        flow.after.push(Deferred::decided(k("r-no"), rate.clone(), false));
        flow.after.push(Deferred::on_response(k("r-undecided"), rate, &cond));
        flow.after
            .push(Deferred::decided(k("q"), Count::Quota { spec: &calls, calls: 3 }, true));
        flow.after
            .push(Deferred::decided(k("b"), Count::Quota { spec: &kb, calls: 0 }, true));
        settle(&mut flow, &limits, 1500);
        assert!(flow.after.is_empty());
        assert_eq!(limits.check_rate(&k("r"), 2, Duration::from_secs(60), 0).remaining, 0);
        assert_eq!(
            limits.check_rate(&k("r-no"), 2, Duration::from_secs(60), 0).remaining,
            2
        );
        assert_eq!(
            limits
                .check_rate(&k("r-undecided"), 2, Duration::from_secs(60), 0)
                .remaining,
            2
        );
        let q = limits.check_quota(&k("q"), &calls, 0);
        assert_eq!(q.remaining_calls, Some(7));
        let b = limits.check_quota(&k("b"), &kb, 0);
        assert_eq!(b.remaining_kb, Some(0), "1500 of 2048 bytes used");
        assert!(b.allowed);
    }
}
