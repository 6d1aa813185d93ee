//! `emit-metric`: counts a custom metric into the worker's telemetry
//! recorder (`crate::telemetry::recorder::Recorder::emit`), exported like
//! the request metrics (Prometheus, StatsD, OTLP), with APIM's rules:
//!
//! ```xml
//! <emit-metric name="calls" value="1" namespace="orders">
//!   <dimension name="API ID"/>
//!   <dimension name="Client" value="@(context.Request.Headers.GetValueOrDefault("X-Client", "none"))"/>
//! </emit-metric>
//! ```
//! - `name` (required) and `namespace` (default `API Management`) are
//!   literal; `value` is a double (*expr*, default 1);
//! - 1 to [`MAX_DIMENSIONS`] `<dimension>`s; a dimension's `name` and
//!   `value` may be expressions; a default dimension (`API ID`,
//!   `Operation ID`, `Product ID`, `User ID`, `Subscription ID`,
//!   `Location`, `Gateway ID`, and Outpost's older `Client IP address`)
//!   without a `value` takes the request's value ("" when it has none).
//!
//! Invariants: a dimension name or value is cut to [`MAX_DIMENSION_LEN`]
//! bytes; the recorder folds values (and, past its slack, names) into
//! `(other)`, so client input never creates unbounded series. Nothing is
//! logged per emission above debug level.

use super::compile::{children, CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::{is_expression, Text};
use std::borrow::Cow;

/// APIM's limit of custom dimensions per policy.
pub const MAX_DIMENSIONS: usize = 10;
/// Longest dimension name or value kept (App Insights' limit); longer ones are cut.
pub const MAX_DIMENSION_LEN: usize = 1024;
/// The namespace when none is given.
pub const DEFAULT_NAMESPACE: &str = "API Management";

#[derive(Clone, Debug)]
pub struct EmitMetric {
    pub name: Box<str>,
    pub namespace: Box<str>,
    pub value: Option<Text>,
    pub dimensions: Vec<Dimension>,
}

#[derive(Clone, Debug)]
pub struct Dimension {
    pub name: Text,
    /// `None` only for a default dimension (literal name).
    pub value: Option<Text>,
    default: Option<Default>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<EmitMetric, CompileError> {
    let mut dimensions = Vec::new();
    for d in children(el) {
        if d.name != "dimension" {
            return Err(c.error(d, "only <dimension> may appear in <emit-metric>"));
        }
        c.required(d, "name")?;
        let name = c
            .text_attr(d, "name", Want::String)?
            .ok_or_else(|| c.error(d, "missing attribute `name`"))?;
        let value = c.text_attr(d, "value", Want::String)?;
        let default = name.literal().and_then(default_dimension);
        if value.is_none() && default.is_none() {
            let shown = name.literal().unwrap_or("(expression)");
            return Err(c.error(d, format!("dimension `{shown}` needs a value")));
        }
        dimensions.push(Dimension { name, value, default });
    }
    if dimensions.is_empty() {
        return Err(c.error(el, "at least one <dimension> is required"));
    }
    if dimensions.len() > MAX_DIMENSIONS {
        return Err(c.error(el, format!("at most {MAX_DIMENSIONS} dimensions")));
    }
    let name = c.required(el, "name")?;
    let namespace = c.attr(el, "namespace").unwrap_or(DEFAULT_NAMESPACE);
    for (attr, v) in [("name", name), ("namespace", namespace)] {
        if is_expression(v) {
            return Err(c.error(el, format!("`{attr}` must be literal, not an expression")));
        }
    }
    if name.trim().is_empty() {
        return Err(c.error(el, "`name` is empty"));
    }
    Ok(EmitMetric {
        name: name.into(),
        namespace: namespace.into(),
        value: c.text_attr(el, "value", Want::Double)?,
        dimensions,
    })
}

#[derive(Clone, Copy, Debug)]
enum Default {
    ApiId,
    OperationId,
    ProductId,
    UserId,
    SubscriptionId,
    Location,
    GatewayId,
    ClientIp,
}

fn default_dimension(name: &str) -> Option<Default> {
    Some(match name {
        "API ID" => Default::ApiId,
        "Operation ID" => Default::OperationId,
        "Product ID" => Default::ProductId,
        "User ID" => Default::UserId,
        "Subscription ID" => Default::SubscriptionId,
        "Location" => Default::Location,
        "Gateway ID" => Default::GatewayId,
        "Client IP address" | "Client IP" => Default::ClientIp,
        _ => return None,
    })
}

/// `s` cut to at most [`MAX_DIMENSION_LEN`] bytes on a character boundary.
fn bounded(s: Cow<'_, str>) -> Cow<'_, str> {
    if s.len() <= MAX_DIMENSION_LEN {
        return s;
    }
    let mut end = MAX_DIMENSION_LEN;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    match s {
        Cow::Borrowed(b) => Cow::Borrowed(&b[..end]),
        Cow::Owned(mut o) => {
            o.truncate(end);
            Cow::Owned(o)
        }
    }
}

impl EmitMetric {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let value = match &self.value {
            Some(t) => {
                let text = r.eval(t, "emit-metric")?;
                match text.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => v,
                    _ => {
                        return Err(Failure::expression(
                            "emit-metric",
                            format!("metric value `{text}` is not a number"),
                        ))
                    }
                }
            }
            None => 1.0,
        };
        let mut dims: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::with_capacity(self.dimensions.len());
        for d in &self.dimensions {
            let name = bounded(r.eval(&d.name, "emit-metric")?);
            let v = match (&d.value, d.default) {
                (Some(t), _) => r.eval(t, "emit-metric")?,
                (None, Some(def)) => Cow::Owned(self.default_value(r, def)),
                (None, None) => Cow::Borrowed(""),
            };
            dims.push((name, bounded(v)));
        }
        let refs: Vec<(&str, &str)> = dims.iter().map(|(k, v)| (&**k, &**v)).collect();
        if let Some(rec) = r.env.telemetry {
            rec.emit(&self.namespace, &self.name, &refs, value);
        }
        tracing::debug!(
            target: "outpost::metric",
            metric = &*self.name,
            namespace = &*self.namespace,
            value,
            dimensions = ?refs,
            "custom metric"
        );
        Ok(())
    }

    fn default_value(&self, r: &Run<'_, '_>, d: Default) -> String {
        let env = r.env;
        let subs = &env.replica.subscriptions;
        match d {
            Default::ApiId => env.api.id.clone(),
            Default::OperationId => env.op.id.clone(),
            Default::ProductId => env.grant.product(subs).map(|p| p.id.clone()).unwrap_or_default(),
            // Outpost has no users: subscriptions are not owned by one.
            Default::UserId => String::new(),
            Default::SubscriptionId => env.grant.subscription(subs).map(|s| s.id.clone()).unwrap_or_default(),
            Default::Location => env.services.region.clone(),
            Default::GatewayId => env.services.gateway_id.clone(),
            Default::ClientIp => env.peer.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_values_are_cut_on_a_char_boundary() {
        let s = "é".repeat(MAX_DIMENSION_LEN);
        let b = bounded(Cow::Borrowed(&s));
        assert!(b.len() <= MAX_DIMENSION_LEN && b.len() >= MAX_DIMENSION_LEN - 1);
        assert!(b.chars().all(|c| c == 'é'));
        assert_eq!(bounded(Cow::Borrowed("short")), "short");
        let o = bounded(Cow::Owned("x".repeat(5000)));
        assert_eq!(o.len(), MAX_DIMENSION_LEN);
    }
}
