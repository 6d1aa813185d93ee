//! The nested `<api>` and `<operation>` elements of `rate-limit` and
//! `quota`: extra limits, each with its own counter, that apply only to
//! requests for that API (and operation), next to the policy's own limit
//! ("product, API and operation limits are applied independently").
//!
//! ```xml
//! <rate-limit calls="100" renewal-period="60">
//!     <api name="orders" calls="20" renewal-period="60">
//!         <operation id="create-order" calls="5" renewal-period="60" />
//!     </api>
//! </rate-limit>
//! ```
//! An API or operation is named by `id` or `name`; when both are given `id`
//! wins (APIM). `name` is the API's display name; operations have no
//! separate display name here, so an operation's `name` matches its id.
//!
//! An `<api>` without limit attributes only groups its operations.
//!
//! Invariant: nested limits are flattened at compile time into one list in
//! document order, each with its own counter identity (the document and
//! line of its element), so two elements never share a counter.

use super::compile::{children, CompileError, Compiler, Element};
use super::exec::Env;
use super::limit_reply::policy_identity;

/// Which API or operation a nested element names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Id(Box<str>),
    Name(Box<str>),
}

impl Target {
    fn compile(c: &Compiler<'_>, el: &Element) -> Result<Target, CompileError> {
        let attr = |n: &str| c.attr(el, n).map(str::trim).filter(|v| !v.is_empty());
        match (attr("id"), attr("name")) {
            (Some(id), _) => Ok(Target::Id(id.into())),
            (None, Some(name)) => Ok(Target::Name(name.into())),
            (None, None) => Err(c.error(el, "needs an `id` or a `name`")),
        }
    }
}

/// One nested limit.
#[derive(Clone, Debug)]
pub struct Nested<T> {
    pub api: Target,
    pub operation: Option<Target>,
    pub limit: T,
    /// This element's identity in its counters' keys.
    pub identity: Box<str>,
}

impl<T> Nested<T> {
    /// Whether this limit applies to the request's API and operation.
    pub fn applies(&self, env: &Env<'_>) -> bool {
        let api = match &self.api {
            Target::Id(id) => **id == *env.api.id,
            Target::Name(name) => **name == *env.api.name,
        };
        api && self.operation.as_ref().is_none_or(|op| match op {
            Target::Id(v) | Target::Name(v) => **v == *env.op.id,
        })
    }
}

/// Compiles the `<api>`/`<operation>` children of `el`; `limit` compiles
/// one element's own limit attributes.
pub fn compile<T>(
    c: &Compiler<'_>,
    el: &Element,
    limit: impl Fn(&Compiler<'_>, &Element) -> Result<T, CompileError>,
) -> Result<Vec<Nested<T>>, CompileError> {
    let mut out = Vec::new();
    for api_el in children(el) {
        if api_el.name != "api" {
            return Err(c.error(api_el, format!("unexpected element inside <{}>", el.name)));
        }
        let api = Target::compile(c, api_el)?;
        let grouping_only = c.attr(api_el, "calls").is_none()
            && c.attr(api_el, "bandwidth").is_none()
            && children(api_el).next().is_some();
        if !grouping_only {
            out.push(Nested {
                api: api.clone(),
                operation: None,
                limit: limit(c, api_el)?,
                identity: policy_identity(api_el, ""),
            });
        }
        for op_el in children(api_el) {
            if op_el.name != "operation" {
                return Err(c.error(op_el, "only <operation> elements may appear inside <api>"));
            }
            out.push(Nested {
                api: api.clone(),
                operation: Some(Target::compile(c, op_el)?),
                limit: limit(c, op_el)?,
                identity: policy_identity(op_el, ""),
            });
        }
    }
    Ok(out)
}
