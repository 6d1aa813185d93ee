//! `emit-metric`: emit a custom metric. The gateway has no metrics
//! exporter yet, so each emission is a structured log record (target
//! `outpost::metric`, info level) with the metric name, namespace, value and
//! dimensions, ready for a log pipeline to aggregate.
//!
//! ```xml
//! <emit-metric name="calls" value="1" namespace="orders">
//!   <dimension name="API ID"/>
//!   <dimension name="Client" value="@(context.Request.Headers.GetValueOrDefault("X-Client", "none"))"/>
//! </emit-metric>
//! ```
//! Default dimensions (`API ID`, `Operation ID`, `Client IP address`…)
//! without a `value` take the request's value.

use super::compile::{children, CompileError, Compiler, Element};
use super::exec::Run;
use super::expr::Want;
use super::failure::Failure;
use super::text::Text;

#[derive(Clone, Debug)]
pub struct EmitMetric {
    pub name: Box<str>,
    pub namespace: Box<str>,
    pub value: Option<Text>,
    pub dimensions: Vec<(Box<str>, Option<Text>)>,
}

pub fn compile(c: &mut Compiler<'_>, el: &Element) -> Result<EmitMetric, CompileError> {
    let mut dimensions = Vec::new();
    for d in children(el) {
        if d.name != "dimension" {
            return Err(c.error(d, "only <dimension> may appear in <emit-metric>"));
        }
        let name = c.required(d, "name")?;
        let value = c.text_attr(d, "value", Want::String)?;
        if value.is_none() && default_dimension(name).is_none() {
            return Err(c.error(d, format!("dimension `{name}` needs a value")));
        }
        dimensions.push((name.into(), value));
    }
    if dimensions.len() > 5 {
        return Err(c.error(el, "at most 5 dimensions"));
    }
    Ok(EmitMetric {
        name: c.required(el, "name")?.into(),
        namespace: c.attr(el, "namespace").unwrap_or("API Management").into(),
        value: c.text_attr(el, "value", Want::Double)?,
        dimensions,
    })
}

#[derive(Clone, Copy)]
enum Default {
    ApiId,
    OperationId,
    ClientIp,
}

fn default_dimension(name: &str) -> Option<Default> {
    match name {
        "API ID" => Some(Default::ApiId),
        "Operation ID" => Some(Default::OperationId),
        "Client IP address" | "Client IP" => Some(Default::ClientIp),
        _ => None,
    }
}

impl EmitMetric {
    pub fn run<'p>(&'p self, r: &mut Run<'_, 'p>) -> Result<(), Failure> {
        let value = match &self.value {
            Some(t) => r.eval(t, "emit-metric")?.into_owned(),
            None => "1".to_owned(),
        };
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| Failure::expression("emit-metric", format!("metric value `{value}` is not a number")))?;
        let mut dims = String::new();
        for (name, v) in &self.dimensions {
            let v = match (v, default_dimension(name)) {
                (Some(t), _) => r.eval(t, "emit-metric")?.into_owned(),
                (None, Some(Default::ApiId)) => r.env.api.id.clone(),
                (None, Some(Default::OperationId)) => r.env.op.id.clone(),
                (None, Some(Default::ClientIp)) => r.env.peer.to_string(),
                (None, None) => String::new(),
            };
            if !dims.is_empty() {
                dims.push(',');
            }
            dims.push_str(name);
            dims.push('=');
            dims.push_str(&v);
        }
        tracing::info!(
            target: "outpost::metric",
            metric = &*self.name,
            namespace = &*self.namespace,
            value,
            dimensions = %dims,
            "custom metric"
        );
        Ok(())
    }
}
