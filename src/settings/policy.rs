//! `policy.*`: how the policy engine treats unsupported elements, how
//! much of a body a policy may buffer and the budget of one expression
//! evaluation; `deployment.region` (`context.Deployment.Region`); the
//! bounds of the caching policies' cache (`cache.*`).
//!
//! Invariant: applies exactly the `policy.*`, `deployment.region` and
//! `cache.*` keys of [`KEYS`](super::KEYS) (`Ok(false)` for any other key).

use super::parse::parse_num;
use super::Settings;

/// Applies `key = v`; `Ok(false)` when `key` is not a `policy.*` key.
pub(super) fn apply(s: &mut Settings, key: &str, v: &str) -> Result<bool, String> {
    match key {
        "policy.body.max-bytes" => s.policy_body_max = parse_num(v)?,
        "policy.expressions.max-steps" => s.policy_expr_max_steps = parse_num(v)?,
        "policy.expressions.max-bytes" => s.policy_expr_max_bytes = parse_num(v)?,
        "deployment.region" => s.deployment_region = v.to_owned(),
        "cache.max-bytes" => s.cache_max_bytes = parse_num(v)?,
        "cache.max-entry-bytes" => s.cache_max_entry_bytes = parse_num(v)?,
        "policy.send-one-way.max-in-flight" => s.one_way_max_in_flight = parse_num(v)?,
        "policy.dapr.url" => {
            crate::policy::outgoing::parse_url(v)?;
            s.dapr_url = v.trim().trim_end_matches('/').to_owned();
        }
        "policy.unsupported" => {
            s.policy_skip_unsupported = match v {
                "error" => false,
                "skip" => true,
                _ => return Err(format!("expected error or skip, got {v:?}")),
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}
